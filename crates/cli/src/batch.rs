//! `onstage batch CONFIG EVENTS --as-of T`: every user of an event file
//! at one moment, on every core (onstage-arrow), one row per user sorted
//! by user id, written as JSON Lines or Parquet. Refused rows go to
//! stderr with their row number (from 0, the header and blank lines not
//! counted); the output is still written, and the exit status is 1.

use crate::tables::{self, Format};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMillisecondType, UInt64Type};
use arrow_array::{Array, RecordBatch};
use onstage::json::ObjectWriter;
use onstage_arrow::{Evaluator, RowError};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    Jsonl,
    Parquet,
}

pub struct Args {
    pub config: String,
    pub events: String,
    pub as_of: i64,
    pub identify: Option<String>,
    pub input_format: Option<Format>,
    pub out: Option<String>,
    pub format: Option<OutFormat>,
    pub threads: usize,
}

/// What went wrong: refused input (exit 1) or a file (exit 2).
pub enum Failure {
    Refused(String),
    Io(String),
}

fn format_of(path: &str, given: Option<Format>) -> Result<Format, Failure> {
    given.or_else(|| Format::of_path(path)).ok_or_else(|| {
        Failure::Io(format!("{path}: cannot tell the format from the extension: use --input-format parquet|csv|jsonl"))
    })
}

/// Runs the command; returns how many rows were refused.
pub fn run(args: &Args, evaluator: &Evaluator) -> Result<usize, Failure> {
    let events = tables::read(&args.events, format_of(&args.events, args.input_format)?).map_err(Failure::Io)?;
    let identify = match &args.identify {
        Some(path) => Some(tables::read(path, format_of(path, None)?).map_err(Failure::Io)?),
        None => None,
    };
    let no_batches = Vec::new();
    let (rows, mut errors) = evaluator
        .evaluate(&events.batches, identify.as_ref().map_or(&no_batches, |i| &i.batches), args.as_of, args.threads)
        .map_err(|e| Failure::Refused(e.to_string()))?;
    // A row that could not be read: its reading error, not the null's.
    for (table, unreadable) in [
        (onstage::batch::Table::Events, Some(&events.unreadable)),
        (onstage::batch::Table::Identify, identify.as_ref().map(|i| &i.unreadable)),
    ] {
        let Some(unreadable) = unreadable else { continue };
        errors.retain(|e| e.table != table || !unreadable.contains_key(&e.row));
        errors.extend(unreadable.iter().map(|(row, message)| RowError {
            table,
            row: *row,
            user: None,
            code: onstage::ErrorCode::InvalidJson,
            message: message.clone(),
        }));
    }
    errors.sort_by_key(|e| (e.table, e.row));
    for e in &errors {
        let file = if e.table == onstage::batch::Table::Events {
            &args.events
        } else {
            args.identify.as_deref().unwrap_or("")
        };
        eprintln!("onstage: {file}: row {}: {} [{}]", e.row, e.message, e.code);
    }
    let format = args.format.unwrap_or(match args.out.as_deref().and_then(Format::of_path) {
        Some(Format::Parquet) => OutFormat::Parquet,
        _ => OutFormat::Jsonl,
    });
    let out: Box<dyn Write + Send> = match &args.out {
        None => Box::new(std::io::stdout()),
        Some(path) => {
            Box::new(std::fs::File::create(path).map_err(|e| Failure::Io(format!("cannot write {path}: {e}")))?)
        }
    };
    let out = std::io::BufWriter::with_capacity(1 << 20, out);
    let written = match format {
        OutFormat::Jsonl => write_jsonl(&rows, out).map_err(|e| e.to_string()),
        OutFormat::Parquet => write_parquet(&rows, out),
    };
    written.map_err(|e| Failure::Io(format!("cannot write the output: {e}")))?;
    Ok(errors.len())
}

fn write_parquet(rows: &RecordBatch, out: impl Write + Send) -> Result<(), String> {
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(out, rows.schema(), Some(props)).map_err(|e| e.to_string())?;
    writer.write(rows).map_err(|e| e.to_string())?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(())
}

/// One JSON line per user: `{user, stage, stage_since (RFC 3339), segments,
/// signals: {id: number|null}, decisions: {slot: {experience, variation,
/// holdout, step?}}, events, events_after_as_of}`.
fn write_jsonl(rows: &RecordBatch, mut out: impl Write) -> std::io::Result<()> {
    let col = |name: &str| rows.column_by_name(name).ok_or_else(|| std::io::Error::other(format!("no column {name}")));
    let users = col("user")?.as_string::<i32>();
    let stages = col("stage")?.as_string::<i32>();
    let since = col("stage_since")?.as_primitive::<TimestampMillisecondType>();
    let segments = col("segments")?.as_list::<i32>();
    let signals = col("signals")?.as_struct();
    let decisions = col("decisions")?.as_struct();
    let events = col("events")?.as_primitive::<UInt64Type>();
    let later = col("events_after_as_of")?.as_primitive::<UInt64Type>();
    let opt = |a: &arrow_array::StringArray, i: usize| a.is_valid(i).then(|| a.value(i).to_string());
    let mut line = String::with_capacity(1024);
    for i in 0..rows.num_rows() {
        line.clear();
        let mut o = ObjectWriter::new(&mut line);
        o.str("user", users.value(i)).opt_str("stage", opt(stages, i).as_deref());
        o.opt_str("stage_since", since.is_valid(i).then(|| onstage::time::format_rfc3339(since.value(i))).as_deref());
        let list = segments.value(i);
        let list = list.as_string::<i32>();
        o.strs("segments", (0..list.len()).map(|j| list.value(j)));
        let mut s = ObjectWriter::new(o.key("signals"));
        for (field, column) in signals.fields().iter().zip(signals.columns()) {
            let v = column.as_primitive::<Float64Type>();
            s.opt_num(field.name(), v.is_valid(i).then(|| v.value(i)));
        }
        s.end();
        let mut d = ObjectWriter::new(o.key("decisions"));
        for (field, column) in decisions.fields().iter().zip(decisions.columns()) {
            let slot = column.as_struct();
            let part = |n: usize| slot.column(n).as_string::<i32>();
            let mut x = ObjectWriter::new(d.key(field.name()));
            x.opt_str("experience", opt(part(0), i).as_deref());
            if let Some(step) = opt(part(3), i) {
                x.str("step", &step);
            }
            x.opt_str("variation", opt(part(1), i).as_deref());
            x.bool("holdout", slot.column(2).as_boolean().value(i));
            x.end();
        }
        d.end();
        o.num("events", events.value(i) as f64).num("events_after_as_of", later.value(i) as f64);
        o.end();
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}
