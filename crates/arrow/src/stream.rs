//! Every user of a stream of rows sorted by user, in memory bounded by
//! the config: one user's replay at a time (`onstage::batch::UserReplay`)
//! and the results of the users finished since the last
//! [`Stream::take`], whatever a user's number of events.
//!
//! The stream's record batches have the events' columns (`user`, `name`,
//! `at`, optionally `props`), optionally the identify data's
//! (`attributes`, `entitlements`, `tz_offset_minutes`), and optionally:
//!
//! - `row` (an integer): the row's identity, reported with a refused row
//!   (by default its position in the stream, from 0 across batches);
//! - `identify` (a boolean): true marks a row of identify data (its
//!   `name`, `at` and `props` are not read); the others are events.
//!
//! The rows must come sorted by user (byte order), then identify data
//! before events, then events by time (ms) then row: the order the batch
//! rule replays them in, so each user's result is the one
//! [`crate::Evaluator::evaluate`] gives. A row out of that order is
//! refused (`time_went_back`), never replayed out of order; a second
//! identify row of a user is refused (`duplicate_id`).

use crate::columns::StreamColumns;
use crate::{identity, output, refused, track_row, user_errors, RowError, SchemaError};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use onstage::batch::{Batch, Identify, Table, UserReplay, UserRow};
use onstage::time::Millis;
use onstage::{CompiledConfig, ErrorCode};
use std::sync::Arc;

/// A sorted stream being evaluated.
pub struct Stream {
    batch: Batch,
    current: Option<Current>,
    done: Vec<UserRow>,
    errors: Vec<RowError>,
    /// The position of the next row in the stream.
    position: u64,
    /// The last user finished: the next must sort after it.
    last: Option<String>,
}

/// The user whose rows are being read.
struct Current {
    user: String,
    /// Started at the user's first event or accepted identify row.
    replay: Option<UserReplay>,
    identified: bool,
}

impl Stream {
    /// A stream evaluated at `as_of` (ms); refused when `as_of` is outside
    /// 1970..=9999.
    pub fn new(config: Arc<CompiledConfig>, as_of: Millis) -> Result<Stream, SchemaError> {
        let batch = Batch::new(config, as_of).map_err(|e| SchemaError::BadAsOf(e.to_string()))?;
        Ok(Stream { batch, current: None, done: Vec::new(), errors: Vec::new(), position: 0, last: None })
    }

    /// The output's schema ([`output::schema`]).
    pub fn output_schema(&self) -> SchemaRef {
        output::schema(self.batch.config())
    }

    /// Reads one record batch of the stream. A user whose rows end before
    /// the batch's last row is finished (see [`Stream::take`]).
    pub fn feed(&mut self, batch: &RecordBatch) -> Result<(), SchemaError> {
        let cols = StreamColumns::of(batch)?;
        for i in 0..batch.num_rows() {
            let position = self.position;
            self.position += 1;
            let row = match cols.row.as_ref().and_then(|r| r.get(i)) {
                Some(r) => u64::try_from(r).unwrap_or(0),
                None => position,
            };
            let table = if cols.identify.as_ref().is_some_and(|f| f.get(i)) { Table::Identify } else { Table::Events };
            let Some(user) = cols.events.user.get(i) else {
                self.errors.push(refused(table, row, None, ErrorCode::BadUserId, "the user is null".into()));
                continue;
            };
            let previous = self.current.as_ref().map(|c| c.user.as_str());
            if previous != Some(user) {
                if let Some(last) = previous.or(self.last.as_deref()).filter(|last| user <= *last) {
                    let message = format!("the rows are not sorted by user: \"{user}\" after \"{last}\"");
                    self.errors.push(refused(table, row, Some(user), ErrorCode::TimeWentBack, message));
                    continue;
                }
                self.end_user();
                self.current = Some(Current { user: user.to_string(), replay: None, identified: false });
            }
            let Some(current) = self.current.as_mut() else { continue };
            if table == Table::Identify {
                let error = if current.identified {
                    Some((
                        ErrorCode::DuplicateId,
                        "the user has identify data in an earlier row: one row per user".into(),
                    ))
                } else if current.replay.is_some() {
                    Some((
                        ErrorCode::TimeWentBack,
                        "the user's identify data comes after their events: sort identify rows first".into(),
                    ))
                } else {
                    match identity(&cols.data, i) {
                        Ok(identity) => {
                            let replay = self.batch.user(user, Some(Identify { row: row as usize, identity }));
                            current.replay = Some(replay);
                            current.identified = true;
                            None
                        }
                        Err(message) => Some((ErrorCode::BadIdentify, message)),
                    }
                };
                if let Some((code, message)) = error {
                    self.errors.push(refused(table, row, Some(user), code, message));
                }
                continue;
            }
            let batch = &self.batch;
            let replay = current.replay.get_or_insert_with(|| batch.user(user, None));
            match cols.events.at.get(i) {
                Ok(at) => track_row(replay, &cols.events, i, row, user, at, &mut self.errors),
                Err(e) => self.errors.push(refused(table, row, Some(user), ErrorCode::BadTime, format!("at: {e}"))),
            }
        }
        Ok(())
    }

    fn end_user(&mut self) {
        let Some(current) = self.current.take() else { return };
        let replay = current.replay.unwrap_or_else(|| self.batch.user(&current.user, None));
        let result = replay.finish();
        self.errors.extend(user_errors(result.errors, &current.user));
        self.done.extend(result.row);
        self.last = Some(current.user);
    }

    /// The rows of the users finished so far and not taken yet (sorted by
    /// user, the stream's order), and the rows refused since the last take,
    /// sorted by table and row (a user's rows refused by the core come
    /// when the user ends).
    pub fn take(&mut self) -> Result<(RecordBatch, Vec<RowError>), SchemaError> {
        let out = output::build(&self.batch, &self.done).map_err(|e| SchemaError::Output(e.to_string()))?;
        self.done.clear();
        let mut errors = std::mem::take(&mut self.errors);
        errors.sort_by_key(|e| (e.table, e.row));
        Ok((out, errors))
    }

    /// Ends the stream: finishes its last user, then [`Stream::take`].
    /// Rows fed afterwards must still sort after that user.
    pub fn finish(&mut self) -> Result<(RecordBatch, Vec<RowError>), SchemaError> {
        self.end_user();
        self.take()
    }
}
