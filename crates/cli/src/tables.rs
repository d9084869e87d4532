//! `onstage batch`'s files as Arrow record batches: Parquet (as is), CSV
//! (a header row; `props`, `attributes` and `entitlements` cells are JSON
//! text) and JSON Lines (one object a line, its keys the columns). A cell
//! that cannot be read becomes a null with a reading error for its row,
//! which replaces the error the null would cause.

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use onstage::json::Json;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Parquet,
    Csv,
    Jsonl,
}

impl Format {
    /// By the file's extension: .parquet, .csv, .jsonl / .ndjson / .json.
    pub fn of_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "parquet" | "pq" => Some(Format::Parquet),
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// A table read from a file, and the rows that could not be read (row
/// number, message).
pub struct Read {
    pub batches: Vec<RecordBatch>,
    pub unreadable: BTreeMap<usize, String>,
}

pub fn read(path: &str, format: Format) -> Result<Read, String> {
    match format {
        Format::Parquet => {
            let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                .and_then(|b| b.with_batch_size(64 * 1024).build())
                .map_err(|e| format!("{path} is not a Parquet file: {e}"))?;
            let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| format!("{path}: {e}"))?;
            Ok(Read { batches, unreadable: BTreeMap::new() })
        }
        Format::Csv | Format::Jsonl => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            let mut cells = Cells::default();
            if format == Format::Csv {
                read_csv(&text, &mut cells)?;
            } else {
                read_jsonl(&text, &mut cells);
            }
            cells.finish()
        }
    }
}

/// Columns of text cells (the time-zone offset aside), built row by row.
#[derive(Default)]
struct Cells {
    columns: Vec<(String, Vec<Option<String>>)>,
    rows: usize,
    unreadable: BTreeMap<usize, String>,
}

impl Cells {
    fn column(&mut self, name: &str) -> usize {
        if let Some(i) = self.columns.iter().position(|(n, _)| n == name) {
            return i;
        }
        self.columns.push((name.to_string(), vec![None; self.rows]));
        self.columns.len() - 1
    }

    fn end_row(&mut self) {
        self.rows += 1;
        for (_, values) in &mut self.columns {
            values.resize(self.rows, None);
        }
    }

    fn set(&mut self, column: usize, value: String) {
        let row = self.rows;
        if let Some((_, values)) = self.columns.get_mut(column) {
            values.resize(row, None);
            values.push(Some(value));
        }
    }

    fn finish(self) -> Result<Read, String> {
        let mut fields: Vec<(String, ArrayRef)> = Vec::new();
        let mut unreadable = self.unreadable;
        for (name, values) in self.columns {
            let array: ArrayRef = if name == "tz_offset_minutes" {
                let mut ints = Vec::with_capacity(values.len());
                for (row, v) in values.iter().enumerate() {
                    ints.push(match v.as_deref().map(str::trim) {
                        None | Some("") | Some("null") => None,
                        Some(t) => match t.parse::<i64>() {
                            Ok(n) => Some(n),
                            Err(_) => {
                                unreadable
                                    .entry(row)
                                    .or_insert(format!("tz_offset_minutes \"{t}\" is not a whole number"));
                                None
                            }
                        },
                    });
                }
                Arc::new(Int64Array::from(ints))
            } else {
                Arc::new(values.iter().map(Option::as_deref).collect::<StringArray>())
            };
            fields.push((name, array));
        }
        if fields.is_empty() {
            return Ok(Read { batches: Vec::new(), unreadable });
        }
        let batch = RecordBatch::try_from_iter(fields).map_err(|e| e.to_string())?;
        Ok(Read { batches: vec![batch], unreadable })
    }
}

/// JSON Lines: each line an object; string values as they are, objects
/// and other values as JSON text.
fn read_jsonl(text: &str, cells: &mut Cells) {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match onstage::json::parse(line) {
            Ok(Json::Obj(o)) => {
                for (key, value) in o.iter() {
                    let c = cells.column(key);
                    match (key, value) {
                        (_, Json::Null) => {}
                        (_, Json::Str(s)) => cells.set(c, s.to_string()),
                        ("user" | "name" | "at", other) => {
                            let row = cells.rows;
                            cells
                                .unreadable
                                .entry(row)
                                .or_insert(format!("\"{key}\" must be a string, found {}", other.type_name()));
                        }
                        (_, other) => cells.set(c, other.to_json_string()),
                    }
                }
            }
            Ok(other) => {
                let row = cells.rows;
                cells.unreadable.insert(row, format!("a line is a JSON object, found {}", other.type_name()));
            }
            Err(e) => {
                let row = cells.rows;
                cells.unreadable.insert(row, format!("not JSON: {e}"));
            }
        }
        cells.end_row();
    }
}

/// CSV (RFC 4180): a header row, then one row a record; quoted cells
/// may hold commas, quotes (doubled) and line breaks. An empty cell is null.
fn read_csv(text: &str, cells: &mut Cells) -> Result<(), String> {
    let mut records = csv_records(text);
    let header = records.next().ok_or("the CSV file is empty: a header row is needed")?;
    let columns: Vec<usize> = header.iter().map(|h| cells.column(h.trim())).collect();
    for record in records {
        if record.len() != columns.len() {
            let row = cells.rows;
            cells.unreadable.insert(row, format!("{} cells, the header has {}", record.len(), columns.len()));
        }
        for (c, value) in columns.iter().zip(record) {
            if !value.is_empty() {
                cells.set(*c, value);
            }
        }
        cells.end_row();
    }
    Ok(())
}

fn csv_records(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let mut record = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut cell)),
                (false, '\r') => {}
                (false, '\n') => break,
                (false, c) => cell.push(c),
            }
        }
        record.push(cell);
        Some(record)
    })
    .filter(|r| !(r.len() == 1 && r.first().is_some_and(|c| c.is_empty())))
}
