//! A deterministic population of events for the `onstage batch` benchmark
//! (scripts/bench-batch.mjs): USERS users, EVENTS_PER_USER events each, the
//! saas config's events and props, over 60 days before 2026-03-01, users
//! interleaved in time order as a warehouse table is; written as Parquet.
//!
//!   cargo run --release -p onstage-cli --example population -- OUT.parquet USERS EVENTS_PER_USER [SEED]

use arrow_array::{ArrayRef, RecordBatch, StringArray, TimestampMillisecondArray};
use std::sync::Arc;

/// (name, props as JSON text) drawn from; the weights repeat names.
const EVENTS: &[(&str, Option<&str>)] = &[
    ("page_view", Some(r#"{"path":"/reports"}"#)),
    ("page_view", Some(r#"{"path":"/settings"}"#)),
    ("report_created", None),
    ("report_created", None),
    ("dashboard_shared", Some(r#"{"audience":"team"}"#)),
    ("dashboard_shared", Some(r#"{"audience":"private"}"#)),
    ("automation_run", None),
    ("feature_used", Some(r#"{"feature":"filters"}"#)),
    ("feature_used", Some(r#"{"feature":"exports"}"#)),
    ("feature_used", Some(r#"{"feature":"alerts"}"#)),
    ("api_call", Some(r#"{"units":3}"#)),
    ("api_call", Some(r#"{"units":12}"#)),
    ("teammate_invited", None),
    ("integration_connected", Some(r#"{"provider":"slack"}"#)),
    ("integration_connected", Some(r#"{"provider":"github"}"#)),
    ("workspace_created", None),
    ("premium_feature_blocked", None),
    ("nps_submitted", Some(r#"{"score":9}"#)),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(users), Some(per_user)) = (args.get(1), args.get(2), args.get(3)) else {
        return Err("usage: population OUT.parquet USERS EVENTS_PER_USER [SEED]".into());
    };
    let users: usize = users.parse()?;
    let per_user: usize = per_user.parse()?;
    let mut state: u64 = args.get(4).map_or(Ok(1), |s| s.parse())?;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        state >> 33
    };
    let end = onstage::time::parse_rfc3339("2026-03-01T00:00:00Z")?;
    let span = 60 * onstage::time::DAY;
    let step = span / per_user.max(1) as i64;
    let ids: Vec<String> = (0..users).map(|u| format!("user-{u:07}")).collect();
    let file = std::fs::File::create(out)?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut writer: Option<parquet::arrow::ArrowWriter<std::fs::File>> = None;
    let mut file = Some(file);
    let rows_per_batch = 1 << 20;
    let (mut user, mut name, mut at, mut prop) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Round r: every user's r-th event, about the same time: the table is in time order, users interleaved.
    for r in 0..per_user {
        for id in &ids {
            let (n, p) = EVENTS.get(next() as usize % EVENTS.len()).copied().unwrap_or(("page_view", None));
            user.push(id.as_str());
            name.push(n);
            prop.push(p);
            at.push(end - span + r as i64 * step + (next() % step.max(1) as u64) as i64);
            if user.len() == rows_per_batch || (r + 1 == per_user && id == ids.last().unwrap_or(id)) {
                let batch = RecordBatch::try_from_iter(vec![
                    ("user", Arc::new(StringArray::from(std::mem::take(&mut user))) as ArrayRef),
                    ("name", Arc::new(StringArray::from(std::mem::take(&mut name))) as ArrayRef),
                    (
                        "at",
                        Arc::new(TimestampMillisecondArray::from(std::mem::take(&mut at)).with_timezone("UTC"))
                            as ArrayRef,
                    ),
                    ("props", Arc::new(StringArray::from(std::mem::take(&mut prop))) as ArrayRef),
                ])?;
                if writer.is_none() {
                    let f = file.take().ok_or("no file")?;
                    writer = Some(parquet::arrow::ArrowWriter::try_new(f, batch.schema(), Some(props.clone()))?);
                }
                if let Some(w) = writer.as_mut() {
                    w.write(&batch)?;
                }
            }
        }
    }
    if let Some(w) = writer {
        w.close()?;
    }
    Ok(())
}
