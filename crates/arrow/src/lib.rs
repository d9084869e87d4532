//! onstage over Arrow: every user of an event table at one moment
//! (`as_of`), each exactly as `onstage simulate` replays their events
//! (the rule is `onstage::batch`'s; docs/warehouse.md).
//!
//! Input: record batches of events with columns `user`, `name` (strings
//! of any Arrow string type), `at` (a timestamp of any unit and zone, or
//! RFC 3339 text) and optionally `props` (JSON text, or a struct of
//! scalars whose null fields are absent keys); optionally record batches
//! of identify data with `user` and any of `attributes`, `entitlements`
//! (JSON text) and `tz_offset_minutes` (an integer). Any other column, or
//! a missing required one, is a [`SchemaError`]. Row numbers count from 0
//! across the batches of a table, in the order given.
//!
//! Output: one record batch, one row per user sorted by user id, with
//! the schema of [`Evaluator::output_schema`]; and the rows refused,
//! sorted by table and row.

mod columns;
pub mod output;
pub mod stream;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use columns::{EventColumns, IdentifyColumns, IdentifyData};
use onstage::batch::{Batch, Identify, Table, UserReplay, UserRow};
use onstage::problem::Problem;
use onstage::time::Millis;
use onstage::{CompiledConfig, ErrorCode, Identity};
use std::collections::HashMap;
use std::sync::Arc;

pub use onstage::batch::Table as InputTable;

/// The input's columns are not the ones expected: nothing is evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    MissingColumn {
        table: &'static str,
        column: String,
    },
    UnknownColumn {
        table: &'static str,
        column: String,
        known: String,
    },
    WrongType {
        table: &'static str,
        column: String,
        found: String,
    },
    /// `as_of` is outside 1970..=9999.
    BadAsOf(String),
    /// The output could not be assembled (not expected).
    Output(String),
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaError::MissingColumn { table, column } => write!(f, "the {table} table has no column \"{column}\""),
            SchemaError::UnknownColumn { table, column, known } => {
                write!(f, "the {table} table has an unknown column \"{column}\" (known: {known})")
            }
            SchemaError::WrongType { table, column, found } => {
                write!(f, "column \"{column}\" of the {table} table has type {found}")
            }
            SchemaError::BadAsOf(e) => write!(f, "as_of: {e}"),
            SchemaError::Output(e) => write!(f, "cannot build the output: {e}"),
        }
    }
}

impl std::error::Error for SchemaError {}

impl SchemaError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SchemaError::MissingColumn { .. } => ErrorCode::MissingField,
            SchemaError::UnknownColumn { .. } => ErrorCode::UnknownField,
            SchemaError::WrongType { .. } => ErrorCode::WrongType,
            SchemaError::BadAsOf(_) => ErrorCode::BadTime,
            SchemaError::Output(_) => ErrorCode::Internal,
        }
    }
}

/// A refused input row: nothing of it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub table: Table,
    /// The row number in its table (from 0, across batches).
    pub row: usize,
    /// The row's user, when it has one.
    pub user: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} row {}: {} [{}]", self.table.as_str(), self.row, self.message, self.code)
    }
}

/// A config compiled once; evaluates whole tables.
#[derive(Clone)]
pub struct Evaluator {
    config: Arc<CompiledConfig>,
    warnings: Vec<Problem>,
}

/// Where an event row is: (batch, index in the batch, row number).
#[derive(Clone, Copy)]
struct Located {
    user: u32,
    at: Millis,
    row: u64,
    batch: u32,
    index: u32,
}

impl Evaluator {
    /// Compiles a config's JSON text (or reads its compiled plan,
    /// `onstage compile`); refused with every problem (as `onstage
    /// validate` lists them) when any is an error.
    pub fn new(config_text: &str) -> Result<Evaluator, Vec<Problem>> {
        let compiled = onstage::config::load_text(config_text)?;
        Ok(Evaluator { config: Arc::new(compiled.config), warnings: compiled.warnings })
    }

    pub fn from_compiled(config: Arc<CompiledConfig>) -> Evaluator {
        Evaluator { config, warnings: Vec::new() }
    }

    /// The config's warnings.
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    pub fn config(&self) -> &Arc<CompiledConfig> {
        &self.config
    }

    /// The output's schema (see [`output::schema`]).
    pub fn output_schema(&self) -> SchemaRef {
        output::schema(&self.config)
    }

    /// A stream of rows sorted by user, evaluated at `as_of` (ms) in
    /// memory bounded by the config ([`stream`]).
    pub fn stream(&self, as_of: Millis) -> Result<stream::Stream, SchemaError> {
        stream::Stream::new(Arc::clone(&self.config), as_of)
    }

    /// Evaluates every user of `events` and `identify` at `as_of` (ms)
    /// on up to `threads` threads (0: every core). The output does not
    /// depend on the number of threads.
    pub fn evaluate(
        &self,
        events: &[RecordBatch],
        identify: &[RecordBatch],
        as_of: Millis,
        threads: usize,
    ) -> Result<(RecordBatch, Vec<RowError>), SchemaError> {
        let batch = Batch::new(Arc::clone(&self.config), as_of).map_err(|e| SchemaError::BadAsOf(e.to_string()))?;
        let event_cols = events.iter().map(EventColumns::of).collect::<Result<Vec<_>, _>>()?;
        let identify_cols = identify.iter().map(IdentifyColumns::of).collect::<Result<Vec<_>, _>>()?;
        let mut errors = Vec::new();
        let mut users: HashMap<&str, u32> = HashMap::new();
        let mut names: Vec<&str> = Vec::new();
        // Users get dense ids in order of appearance.
        fn id<'a>(u: &'a str, users: &mut HashMap<&'a str, u32>, names: &mut Vec<&'a str>) -> u32 {
            *users.entry(u).or_insert_with(|| {
                names.push(u);
                (names.len() - 1) as u32
            })
        }
        let mut located = Vec::new();
        let mut row: u64 = 0;
        for (b, cols) in event_cols.iter().enumerate() {
            let len = events.get(b).map_or(0, RecordBatch::num_rows);
            for i in 0..len {
                let this = row;
                row += 1;
                let Some(user) = cols.user.get(i) else {
                    errors.push(refused(Table::Events, this, None, ErrorCode::BadUserId, "the user is null".into()));
                    continue;
                };
                let uid = id(user, &mut users, &mut names);
                match cols.at.get(i) {
                    Ok(at) => located.push(Located { user: uid, at, row: this, batch: b as u32, index: i as u32 }),
                    Err(e) => {
                        errors.push(refused(Table::Events, this, Some(user), ErrorCode::BadTime, format!("at: {e}")))
                    }
                }
            }
        }
        let mut identities: HashMap<u32, Identify> = HashMap::new();
        let mut row: usize = 0;
        for (b, cols) in identify_cols.iter().enumerate() {
            let len = identify.get(b).map_or(0, RecordBatch::num_rows);
            for i in 0..len {
                let this = row;
                row += 1;
                let Some(user) = cols.user.get(i) else {
                    errors.push(refused(
                        Table::Identify,
                        this as u64,
                        None,
                        ErrorCode::BadUserId,
                        "the user is null".into(),
                    ));
                    continue;
                };
                let uid = id(user, &mut users, &mut names);
                match identity(&cols.data, i) {
                    Err(message) => {
                        errors.push(refused(Table::Identify, this as u64, Some(user), ErrorCode::BadIdentify, message))
                    }
                    Ok(_) if identities.contains_key(&uid) => errors.push(refused(
                        Table::Identify,
                        this as u64,
                        Some(user),
                        ErrorCode::DuplicateId,
                        "the user has identify data in an earlier row: one row per user".into(),
                    )),
                    Ok(identity) => {
                        identities.insert(uid, Identify { row: this, identity });
                    }
                }
            }
        }
        // Users in id order: rank by name; events by (rank, time, row).
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_unstable_by(|a, b| names.get(*a as usize).cmp(&names.get(*b as usize)));
        let mut rank = vec![0u32; names.len()];
        for (r, u) in order.iter().enumerate() {
            if let Some(slot) = rank.get_mut(*u as usize) {
                *slot = r as u32;
            }
        }
        for l in &mut located {
            l.user = rank.get(l.user as usize).copied().unwrap_or(u32::MAX);
        }
        located.sort_unstable_by_key(|l| (l.user, l.at, l.row));
        // Each user's events: a range of `located`.
        let mut spans: Vec<(u32, std::ops::Range<usize>)> = Vec::with_capacity(order.len());
        let mut start = 0;
        for r in 0..order.len() as u32 {
            let mut end = start;
            while located.get(end).is_some_and(|l| l.user == r) {
                end += 1;
            }
            spans.push((r, start..end));
            start = end;
        }
        let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
        let parts = partition(&spans, located.len(), threads);
        let work = |part: &[(u32, std::ops::Range<usize>)]| -> (Vec<UserRow>, Vec<RowError>) {
            let mut rows = Vec::with_capacity(part.len());
            let mut errors = Vec::new();
            for (r, span) in part {
                let uid = order.get(*r as usize).copied().unwrap_or(0);
                let user = names.get(uid as usize).copied().unwrap_or("");
                let mut replay = batch.user(user, identities.get(&uid).cloned());
                for l in located.get(span.clone()).unwrap_or(&[]) {
                    let Some(cols) = event_cols.get(l.batch as usize) else { continue };
                    track_row(&mut replay, cols, l.index as usize, l.row, user, l.at, &mut errors);
                }
                let result = replay.finish();
                errors.extend(user_errors(result.errors, user));
                rows.extend(result.row);
            }
            (rows, errors)
        };
        let results: Vec<(Vec<UserRow>, Vec<RowError>)> = if parts.len() <= 1 {
            vec![work(&spans)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = parts
                    .iter()
                    .map(|range| {
                        let part = spans.get(range.clone()).unwrap_or(&[]);
                        let work = &work;
                        s.spawn(move || work(part))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
            })
        };
        let mut rows = Vec::with_capacity(spans.len());
        for (r, e) in results {
            rows.extend(r);
            errors.extend(e);
        }
        errors.sort_by_key(|e| (e.table, e.row));
        let out = output::build(&batch, &rows).map_err(|e| SchemaError::Output(e.to_string()))?;
        Ok((out, errors))
    }
}

fn refused(table: Table, row: u64, user: Option<&str>, code: ErrorCode, message: String) -> RowError {
    RowError { table, row: row as usize, user: user.map(str::to_string), code, message }
}

/// Replays event row `i` of `cols` (read at time `at`), or refuses it
/// (a null name, props that are not JSON).
fn track_row(
    replay: &mut UserReplay,
    cols: &EventColumns,
    i: usize,
    row: u64,
    user: &str,
    at: Millis,
    errors: &mut Vec<RowError>,
) {
    let props = match &cols.props {
        None => Ok(onstage::json::Json::Null),
        Some(p) => p.get(i),
    };
    match (cols.name.get(i), props) {
        (None, _) => {
            errors.push(refused(Table::Events, row, Some(user), ErrorCode::BadEventName, "the name is null".into()))
        }
        (_, Err(e)) => errors.push(refused(Table::Events, row, Some(user), ErrorCode::BadProps, format!("props: {e}"))),
        (Some(name), Ok(props)) => replay.track(row as usize, name, &props, at),
    }
}

/// The core's refusals of a user's rows, with the user.
fn user_errors<'a>(errors: Vec<onstage::batch::RowError>, user: &'a str) -> impl Iterator<Item = RowError> + 'a {
    errors.into_iter().map(move |e| RowError {
        table: e.table,
        row: e.row,
        user: Some(user.to_string()),
        code: e.code,
        message: e.message,
    })
}

/// A user's identify data from row `i`.
fn identity(cols: &IdentifyData, i: usize) -> Result<Identity, String> {
    let object = |c: &Option<columns::Objects>, what: &str| -> Result<Option<onstage::json::Json>, String> {
        match c.as_ref().map(|c| c.get(i)).transpose() {
            Ok(Some(onstage::json::Json::Null)) | Ok(None) => Ok(None),
            Ok(Some(v)) => Ok(Some(v)),
            Err(e) => Err(format!("{what}: {e}")),
        }
    };
    let tz = match cols.tz_offset_minutes.as_ref().and_then(|c| c.get(i)) {
        None => None,
        Some(tz) => Some(i32::try_from(tz).map_err(|_| format!("tz_offset_minutes {tz} is out of range"))?),
    };
    Ok(Identity {
        attributes: object(&cols.attributes, "attributes")?,
        entitlements: object(&cols.entitlements, "entitlements")?,
        tz_offset_minutes: tz,
    })
}

/// Splits the users into up to `threads` consecutive parts of about
/// the same number of events (each user counts at least one).
fn partition(spans: &[(u32, std::ops::Range<usize>)], events: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let total = events + spans.len();
    let per = total.div_ceil(threads.max(1)).max(1);
    let mut parts = Vec::new();
    let (mut start, mut load) = (0, 0);
    for (i, (_, span)) in spans.iter().enumerate() {
        load += span.len() + 1;
        if load >= per {
            parts.push(start..i + 1);
            start = i + 1;
            load = 0;
        }
    }
    if start < spans.len() {
        parts.push(start..spans.len());
    }
    parts
}
