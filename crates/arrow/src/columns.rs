//! Reading the input columns: strings of any Arrow string type, times
//! (timestamps of any unit and zone, or RFC 3339 text), props (JSON text
//! or a struct of scalars), whole numbers. A value that cannot be read is
//! a row error, never a panic.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, TimeUnit};
use onstage::json::{Json, Obj};
use onstage::time::Millis;

use crate::SchemaError;

/// A string column.
pub enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(array: &'a ArrayRef, table: &'static str, column: &str) -> Result<Strings<'a>, SchemaError> {
        match array.data_type() {
            DataType::Utf8 => Ok(Strings::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Strings::Large(array.as_string::<i64>())),
            DataType::Utf8View => Ok(Strings::View(array.as_string_view())),
            other => Err(SchemaError::WrongType { table, column: column.into(), found: other.to_string() }),
        }
    }

    /// The string at `i`; None when null (or out of range).
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let (valid, len) = match self {
            Strings::Utf8(a) => (a.is_valid(i), a.len()),
            Strings::Large(a) => (a.is_valid(i), a.len()),
            Strings::View(a) => (a.is_valid(i), a.len()),
        };
        if i >= len || !valid {
            return None;
        }
        Some(match self {
            Strings::Utf8(a) => a.value(i),
            Strings::Large(a) => a.value(i),
            Strings::View(a) => a.value(i),
        })
    }
}

/// A time column.
pub enum Times<'a> {
    Stamp(&'a dyn Array, TimeUnit),
    Text(Strings<'a>),
}

impl<'a> Times<'a> {
    fn of(array: &'a ArrayRef, table: &'static str, column: &str) -> Result<Times<'a>, SchemaError> {
        match array.data_type() {
            DataType::Timestamp(unit, _) => Ok(Times::Stamp(array.as_ref(), *unit)),
            _ => Strings::of(array, table, column).map(Times::Text).map_err(|_| SchemaError::WrongType {
                table,
                column: column.into(),
                found: format!("{} (a timestamp or RFC 3339 text is needed)", array.data_type()),
            }),
        }
    }

    /// The time at `i` in ms (floored), or why not.
    pub fn get(&self, i: usize) -> Result<Millis, String> {
        match self {
            Times::Text(s) => onstage::time::parse_rfc3339(s.get(i).ok_or("the time is null")?),
            Times::Stamp(a, unit) => {
                if i >= a.len() || a.is_null(i) {
                    return Err("the time is null".into());
                }
                let v = match unit {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(i).checked_mul(1000),
                    TimeUnit::Millisecond => Some(a.as_primitive::<TimestampMillisecondType>().value(i)),
                    TimeUnit::Microsecond => {
                        Some(a.as_primitive::<TimestampMicrosecondType>().value(i).div_euclid(1000))
                    }
                    TimeUnit::Nanosecond => {
                        Some(a.as_primitive::<TimestampNanosecondType>().value(i).div_euclid(1_000_000))
                    }
                };
                v.ok_or_else(|| "the time is out of range".into())
            }
        }
    }
}

/// A column of JSON objects: text, or a struct of scalars (a null field
/// is an absent key).
pub enum Objects<'a> {
    Text(Strings<'a>),
    Struct(&'a StructArray),
}

impl<'a> Objects<'a> {
    fn of(array: &'a ArrayRef, table: &'static str, column: &str) -> Result<Objects<'a>, SchemaError> {
        match array.data_type() {
            DataType::Struct(fields) => {
                for f in fields.iter() {
                    if scalar(f.data_type()).is_none() {
                        return Err(SchemaError::WrongType {
                            table,
                            column: format!("{column}.{}", f.name()),
                            found: format!("{} (props are flat: strings, numbers, booleans)", f.data_type()),
                        });
                    }
                }
                Ok(Objects::Struct(array.as_struct()))
            }
            _ => Strings::of(array, table, column).map(Objects::Text).map_err(|_| SchemaError::WrongType {
                table,
                column: column.into(),
                found: format!("{} (JSON text or a struct is needed)", array.data_type()),
            }),
        }
    }

    /// The object at `i`: `Json::Null` when null, or why it cannot be read.
    pub fn get(&self, i: usize) -> Result<Json, String> {
        match self {
            Objects::Text(s) => match s.get(i) {
                None => Ok(Json::Null),
                Some(text) => onstage::json::parse(text).map_err(|e| format!("not JSON: {e}")),
            },
            Objects::Struct(a) => {
                if i >= a.len() || a.is_null(i) {
                    return Ok(Json::Null);
                }
                let mut o = Obj::new();
                for (field, column) in a.fields().iter().zip(a.columns()) {
                    if let Some(v) = value(column.as_ref(), i) {
                        o.insert(field.name().as_str(), v);
                    }
                }
                Ok(Json::Obj(o))
            }
        }
    }
}

/// Whether a struct field's type is a scalar props may hold.
fn scalar(t: &DataType) -> Option<()> {
    matches!(
        t,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float32
            | DataType::Float64
            | DataType::Null
    )
    .then_some(())
}

/// A scalar at `i` as JSON; None when null.
fn value(a: &dyn Array, i: usize) -> Option<Json> {
    if i >= a.len() || a.is_null(i) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Utf8 => Json::str(a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Json::str(a.as_string::<i64>().value(i)),
        DataType::Utf8View => Json::str(a.as_string_view().value(i)),
        DataType::Boolean => Json::Bool(a.as_boolean().value(i)),
        DataType::Int8 => Json::Num(a.as_primitive::<Int8Type>().value(i).into()),
        DataType::Int16 => Json::Num(a.as_primitive::<Int16Type>().value(i).into()),
        DataType::Int32 => Json::Num(a.as_primitive::<Int32Type>().value(i).into()),
        DataType::Int64 => Json::Num(a.as_primitive::<Int64Type>().value(i) as f64),
        DataType::UInt8 => Json::Num(a.as_primitive::<UInt8Type>().value(i).into()),
        DataType::UInt16 => Json::Num(a.as_primitive::<UInt16Type>().value(i).into()),
        DataType::UInt32 => Json::Num(a.as_primitive::<UInt32Type>().value(i).into()),
        DataType::UInt64 => Json::Num(a.as_primitive::<UInt64Type>().value(i) as f64),
        DataType::Float32 => Json::Num(a.as_primitive::<Float32Type>().value(i).into()),
        DataType::Float64 => Json::Num(a.as_primitive::<Float64Type>().value(i)),
        _ => return None,
    })
}

/// A whole-number column (the time-zone offset).
pub struct Whole<'a>(&'a dyn Array);

impl<'a> Whole<'a> {
    fn of(array: &'a ArrayRef, table: &'static str, column: &str) -> Result<Whole<'a>, SchemaError> {
        match array.data_type() {
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => Ok(Whole(array.as_ref())),
            other => Err(SchemaError::WrongType { table, column: column.into(), found: other.to_string() }),
        }
    }

    /// The number at `i` (exactly); None when null.
    pub fn get(&self, i: usize) -> Option<i64> {
        let a = self.0;
        if i >= a.len() || a.is_null(i) {
            return None;
        }
        Some(match a.data_type() {
            DataType::Int8 => a.as_primitive::<Int8Type>().value(i).into(),
            DataType::Int16 => a.as_primitive::<Int16Type>().value(i).into(),
            DataType::Int32 => a.as_primitive::<Int32Type>().value(i).into(),
            DataType::Int64 => a.as_primitive::<Int64Type>().value(i),
            _ => return None,
        })
    }
}

/// A boolean column.
pub struct Flags<'a>(&'a arrow_array::BooleanArray);

impl<'a> Flags<'a> {
    fn of(array: &'a ArrayRef, table: &'static str, column: &str) -> Result<Flags<'a>, SchemaError> {
        match array.data_type() {
            DataType::Boolean => Ok(Flags(array.as_boolean())),
            other => Err(SchemaError::WrongType { table, column: column.into(), found: other.to_string() }),
        }
    }

    /// Whether the value at `i` is true (null is false).
    pub fn get(&self, i: usize) -> bool {
        i < self.0.len() && self.0.is_valid(i) && self.0.value(i)
    }
}

/// The events table's columns in one batch.
pub struct EventColumns<'a> {
    pub user: Strings<'a>,
    pub name: Strings<'a>,
    pub at: Times<'a>,
    pub props: Option<Objects<'a>>,
}

/// The identify data's columns in one batch.
pub struct IdentifyColumns<'a> {
    pub user: Strings<'a>,
    pub data: IdentifyData<'a>,
}

/// The columns of identify data but the user.
pub struct IdentifyData<'a> {
    pub attributes: Option<Objects<'a>>,
    pub entitlements: Option<Objects<'a>>,
    pub tz_offset_minutes: Option<Whole<'a>>,
}

/// A sorted stream's columns in one batch (see [`crate::stream`]): the
/// events' columns, the identify data's, `row` and `identify`.
pub struct StreamColumns<'a> {
    pub events: EventColumns<'a>,
    pub data: IdentifyData<'a>,
    pub row: Option<Whole<'a>>,
    pub identify: Option<Flags<'a>>,
}

fn check_names(batch: &RecordBatch, table: &'static str, known: &[&str], required: &[&str]) -> Result<(), SchemaError> {
    let schema = batch.schema();
    if let Some(f) = schema.fields().iter().find(|f| !known.contains(&f.name().as_str())) {
        return Err(SchemaError::UnknownColumn { table, column: f.name().clone(), known: known.join(", ") });
    }
    if let Some(c) = required.iter().find(|c| batch.column_by_name(c).is_none()) {
        return Err(SchemaError::MissingColumn { table, column: (*c).into() });
    }
    Ok(())
}

const EVENT_COLUMNS: [&str; 4] = ["user", "name", "at", "props"];
const IDENTIFY_DATA: [&str; 3] = ["attributes", "entitlements", "tz_offset_minutes"];

fn column<'a>(batch: &'a RecordBatch, table: &'static str, name: &str) -> Result<&'a ArrayRef, SchemaError> {
    batch.column_by_name(name).ok_or(SchemaError::MissingColumn { table, column: name.into() })
}

impl<'a> EventColumns<'a> {
    pub fn of(batch: &'a RecordBatch) -> Result<EventColumns<'a>, SchemaError> {
        check_names(batch, "events", &EVENT_COLUMNS, &["user", "name", "at"])?;
        EventColumns::read(batch, "events")
    }

    fn read(batch: &'a RecordBatch, t: &'static str) -> Result<EventColumns<'a>, SchemaError> {
        Ok(EventColumns {
            user: Strings::of(column(batch, t, "user")?, t, "user")?,
            name: Strings::of(column(batch, t, "name")?, t, "name")?,
            at: Times::of(column(batch, t, "at")?, t, "at")?,
            props: batch.column_by_name("props").map(|c| Objects::of(c, t, "props")).transpose()?,
        })
    }
}

impl<'a> IdentifyData<'a> {
    fn read(batch: &'a RecordBatch, t: &'static str) -> Result<IdentifyData<'a>, SchemaError> {
        Ok(IdentifyData {
            attributes: batch.column_by_name("attributes").map(|c| Objects::of(c, t, "attributes")).transpose()?,
            entitlements: batch
                .column_by_name("entitlements")
                .map(|c| Objects::of(c, t, "entitlements"))
                .transpose()?,
            tz_offset_minutes: batch
                .column_by_name("tz_offset_minutes")
                .map(|c| Whole::of(c, t, "tz_offset_minutes"))
                .transpose()?,
        })
    }
}

impl<'a> IdentifyColumns<'a> {
    pub fn of(batch: &'a RecordBatch) -> Result<IdentifyColumns<'a>, SchemaError> {
        const T: &str = "identify";
        let known: Vec<&str> = ["user"].into_iter().chain(IDENTIFY_DATA).collect();
        check_names(batch, T, &known, &["user"])?;
        Ok(IdentifyColumns {
            user: Strings::of(column(batch, T, "user")?, T, "user")?,
            data: IdentifyData::read(batch, T)?,
        })
    }
}

impl<'a> StreamColumns<'a> {
    pub fn of(batch: &'a RecordBatch) -> Result<StreamColumns<'a>, SchemaError> {
        const T: &str = "stream";
        let known: Vec<&str> = EVENT_COLUMNS.into_iter().chain(IDENTIFY_DATA).chain(["row", "identify"]).collect();
        check_names(batch, T, &known, &["user", "name", "at"])?;
        Ok(StreamColumns {
            events: EventColumns::read(batch, T)?,
            data: IdentifyData::read(batch, T)?,
            row: batch.column_by_name("row").map(|c| Whole::of(c, T, "row")).transpose()?,
            identify: batch.column_by_name("identify").map(|c| Flags::of(c, T, "identify")).transpose()?,
        })
    }
}
