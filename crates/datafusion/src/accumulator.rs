//! One user's accumulator: it keeps the user's rows (the argument
//! columns, as DataFusion hands them over) and replays them when the
//! result is asked for.
//!
//! Replay depends on the order of the events, and DataFusion feeds a
//! group's rows in pieces, in any order, from any number of partitions.
//! So the partial state is the rows themselves (one list per column),
//! merging appends, and `evaluate` sorts the rows by `row` before the
//! onstage-arrow evaluator replays them by time: merged in any order,
//! the result is the one-pass result. Memory is therefore the user's
//! rows; `size` reports them to DataFusion's memory accounting.

use crate::bridge;
use crate::udaf::Shared;
use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array, StructArray};
use arrow::compute::{concat, filter, not, sort_to_indices, take, SortOptions};
use arrow::datatypes::Int64Type;
use datafusion_common::utils::SingleRowListArrayBuilder;
use datafusion_common::{DataFusionError, Result, ScalarValue};
use datafusion_expr::Accumulator;
use onstage_arrow::{InputTable, RowError};
use std::sync::Arc;

pub struct Rows {
    shared: Arc<Shared>,
    /// For each argument column, its pieces in arrival order.
    pieces: Vec<Vec<ArrayRef>>,
    bytes: usize,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows").field("bytes", &self.bytes).finish_non_exhaustive()
    }
}

fn internal(message: impl Into<String>) -> DataFusionError {
    DataFusionError::Internal(format!("onstage: {}", message.into()))
}

impl Rows {
    pub fn new(shared: Arc<Shared>) -> Rows {
        let pieces = vec![Vec::new(); shared.columns.len()];
        Rows { shared, pieces, bytes: 0 }
    }

    fn keep(&mut self, column: usize, piece: ArrayRef) -> Result<()> {
        // DataFusion hands each group a slice of one batch (and a merge a
        // slice of one state column): count the slice's bytes, not its
        // whole buffers once per group.
        self.bytes += piece.to_data().get_slice_memory_size().unwrap_or_else(|_| piece.get_array_memory_size());
        self.pieces.get_mut(column).ok_or_else(|| internal("more columns than arguments"))?.push(piece);
        Ok(())
    }

    /// Each column's rows, in arrival order.
    fn columns(&self) -> Result<Vec<ArrayRef>> {
        self.pieces
            .iter()
            .zip(&self.shared.columns)
            .map(|(pieces, (_, data_type))| {
                if pieces.is_empty() {
                    return Ok(arrow::array::new_empty_array(data_type));
                }
                let refs: Vec<&dyn Array> = pieces.iter().map(AsRef::as_ref).collect();
                Ok(concat(&refs)?)
            })
            .collect()
    }

    /// The column named `name` of `columns`.
    fn column<'a>(&self, columns: &'a [ArrayRef], name: &str) -> Result<&'a ArrayRef> {
        let i = self.shared.columns.iter().position(|(c, _)| *c == name);
        i.and_then(|i| columns.get(i)).ok_or_else(|| internal(format!("no argument {name}")))
    }

    /// An Arrow 60 record batch of `names` of `columns` (Arrow 59).
    fn batch(&self, columns: &[ArrayRef], names: &[&str]) -> Result<arrow_array::RecordBatch> {
        let mut fields = Vec::with_capacity(names.len());
        let mut arrays = Vec::with_capacity(names.len());
        for name in names {
            let array = bridge::array_to_60(self.column(columns, name)?)?;
            fields.push(arrow_schema::Field::new(*name, array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(arrow_schema::Schema::new(fields));
        arrow_array::RecordBatch::try_new(schema, arrays).map_err(|e| internal(e.to_string()))
    }
}

impl Accumulator for Rows {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        if values.len() != self.shared.columns.len() {
            return Err(internal(format!("{} arguments, expected {}", values.len(), self.shared.columns.len())));
        }
        for (i, v) in values.iter().enumerate() {
            self.keep(i, Arc::clone(v))?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(self.columns()?.into_iter().map(|c| SingleRowListArrayBuilder::new(c).build_list_scalar()).collect())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        if states.len() != self.shared.columns.len() {
            return Err(internal(format!("{} state columns, expected {}", states.len(), self.shared.columns.len())));
        }
        for (i, state) in states.iter().enumerate() {
            let lists = state.as_list_opt::<i32>().ok_or_else(|| internal("a state column is not a list"))?;
            for j in 0..lists.len() {
                if lists.is_valid(j) {
                    self.keep(i, lists.value(j))?;
                }
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let columns = self.columns()?;
        // The rows by `row` (nulls last), as one pass reads them.
        let order = sort_to_indices(self.column(&columns, "row")?, Some(SortOptions::new(false, false)), None)?;
        let columns = columns.iter().map(|c| take(c, &order, None)).collect::<std::result::Result<Vec<_>, _>>()?;
        // Events and identify rows apart (without identify, every row is
        // an event and nothing is filtered).
        let (events, identify) = match self.shared.identify {
            false => (columns, Vec::new()),
            true => {
                let flag = self.column(&columns, "identify")?;
                let flag = flag.as_boolean_opt().ok_or_else(|| internal("identify is not a boolean"))?;
                let is_identify: BooleanArray =
                    (0..flag.len()).map(|i| Some(flag.is_valid(i) && flag.value(i))).collect();
                let pick = |mask: &BooleanArray| -> Result<Vec<ArrayRef>> {
                    columns.iter().map(|c| Ok(filter(c, mask)?)).collect()
                };
                (pick(&not(&is_identify)?)?, pick(&is_identify)?)
            }
        };
        let events_batch = self.batch(&events, &["user", "name", "at", "props"])?;
        let identify_batches = match self.shared.identify {
            false => Vec::new(),
            true => vec![self.batch(&identify, &["user", "attributes", "entitlements", "tz_offset_minutes"])?],
        };
        let (result, errors) = self
            .shared
            .evaluator
            .evaluate(&[events_batch], &identify_batches, self.shared.as_of, 1)
            .map_err(|e| DataFusionError::Execution(format!("onstage: {e} [{}]", e.code())))?;
        if !errors.is_empty() {
            let rows = |table: &[ArrayRef]| -> Result<Int64Array> {
                let rows = self.column(table, "row")?.as_primitive_opt::<Int64Type>();
                Ok(rows.ok_or_else(|| internal("row is not an integer"))?.clone())
            };
            let identify_rows = match self.shared.identify {
                false => Int64Array::from(Vec::<i64>::new()),
                true => rows(&identify)?,
            };
            return Err(refused(errors, &rows(&events)?, &identify_rows));
        }
        if result.num_rows() == 0 {
            return ScalarValue::try_from(&self.shared.result_type);
        }
        // The first row, without `user`.
        let kept: Vec<usize> =
            (0..result.num_columns()).filter(|i| result.schema().field(*i).name() != "user").collect();
        let row = result.project(&kept).map_err(|e| internal(e.to_string()))?.slice(0, 1);
        let array: arrow_array::ArrayRef = Arc::new(arrow_array::StructArray::from(row));
        let array = bridge::array_to_59(&array)?;
        let array = array.as_struct_opt().ok_or_else(|| internal("the result is not a struct"))?;
        Ok(ScalarValue::Struct(Arc::new(StructArray::clone(array))))
    }

    fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.bytes
    }
}

/// The query's error for refused rows: each named by its table and its
/// `row` argument, in the words of `onstage.BadRowsError` (at most 20 shown).
fn refused(errors: Vec<RowError>, event_rows: &Int64Array, identify_rows: &Int64Array) -> DataFusionError {
    const SHOWN: usize = 20;
    let mut message = format!("onstage: {} input row(s) refused:", errors.len());
    let total = errors.len();
    for e in errors.into_iter().take(SHOWN) {
        let rows = match e.table {
            InputTable::Events => event_rows,
            InputTable::Identify => identify_rows,
        };
        let row = match e.row < rows.len() && rows.is_valid(e.row) {
            true => rows.value(e.row).to_string(),
            false => e.row.to_string(),
        };
        let who = match &e.user {
            Some(user) => format!(" (user '{}')", user.replace('\\', "\\\\").replace('\'', "\\'")),
            None => String::new(),
        };
        message.push_str(&format!("\n  {} row {row}{who}: {} [{}]", e.table.as_str(), e.message, e.code));
    }
    if total > SHOWN {
        message.push_str(&format!("\n  ... and {} more", total - SHOWN));
    }
    DataFusionError::Execution(message)
}
