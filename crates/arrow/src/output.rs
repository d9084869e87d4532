//! The output: one row per user, sorted by user id.
//!
//! | column | type |
//! |---|---|
//! | `user` | utf8, not null |
//! | `stage` | utf8 (null: no stage matches) |
//! | `stage_since` | timestamp(ms, UTC) |
//! | `segments` | list<utf8>, sorted |
//! | `signals` | struct: one float64 field per signal, in config order (null: no value) |
//! | `decisions` | struct: one field per slot, in config order, each a struct of `experience` utf8, `variation` utf8, `holdout` bool (not null), `step` utf8 (a tour's current step) |
//! | `events` | uint64: events replayed |
//! | `events_after_as_of` | uint64: events after as_of, left out |

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, StructArray, TimestampMillisecondArray, UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use onstage::batch::{Batch, SlotOutcome, UserRow};
use onstage::CompiledConfig;
use std::sync::Arc;

fn decision_fields() -> Fields {
    Fields::from(vec![
        Field::new("experience", DataType::Utf8, true),
        Field::new("variation", DataType::Utf8, true),
        Field::new("holdout", DataType::Boolean, false),
        Field::new("step", DataType::Utf8, true),
    ])
}

fn signal_fields(config: &CompiledConfig) -> Fields {
    config.signals.signals.iter().map(|s| Field::new(&*s.id, DataType::Float64, true)).collect()
}

fn slot_fields(config: &CompiledConfig) -> Fields {
    config.experiences.slots.iter().map(|s| Field::new(&*s.id, DataType::Struct(decision_fields()), false)).collect()
}

/// The output's schema for a config (see the module documentation).
pub fn schema(config: &CompiledConfig) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user", DataType::Utf8, false),
        Field::new("stage", DataType::Utf8, true),
        Field::new("stage_since", DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), true),
        Field::new("segments", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
        Field::new("signals", DataType::Struct(signal_fields(config)), false),
        Field::new("decisions", DataType::Struct(slot_fields(config)), false),
        Field::new("events", DataType::UInt64, false),
        Field::new("events_after_as_of", DataType::UInt64, false),
    ]))
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

pub fn build(batch: &Batch, rows: &[UserRow]) -> Result<RecordBatch, ArrowError> {
    let config = batch.config();
    let schema = schema(config);
    let mut segments = ListBuilder::new(StringBuilder::new());
    for r in rows {
        for s in &r.segments {
            segments.values().append_value(s);
        }
        segments.append(true);
    }
    let signal_arrays: Vec<ArrayRef> = (0..config.signals.signals.len())
        .map(|i| {
            Arc::new(rows.iter().map(|r| r.signals.get(i).copied().flatten()).collect::<Float64Array>()) as ArrayRef
        })
        .collect();
    let none = SlotOutcome { experience: None, variation: None, holdout: false, step: None };
    let slot_arrays: Vec<ArrayRef> = (0..config.experiences.slots.len())
        .map(|i| {
            let slot = |r: &'_ UserRow| r.slots.get(i).unwrap_or(&none).clone();
            let outcomes: Vec<SlotOutcome> = rows.iter().map(slot).collect();
            let columns: Vec<ArrayRef> = vec![
                strings(outcomes.iter().map(|o| o.experience.as_deref())),
                strings(outcomes.iter().map(|o| o.variation.as_deref())),
                Arc::new(outcomes.iter().map(|o| Some(o.holdout)).collect::<BooleanArray>()),
                strings(outcomes.iter().map(|o| o.step.as_deref())),
            ];
            StructArray::try_new(decision_fields(), columns, None).map(|a| Arc::new(a) as ArrayRef)
        })
        .collect::<Result<_, _>>()?;
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|r| Some(&*r.user))),
        strings(rows.iter().map(|r| r.stage.as_deref())),
        Arc::new(rows.iter().map(|r| r.stage_since).collect::<TimestampMillisecondArray>().with_timezone("UTC")),
        Arc::new(segments.finish()),
        Arc::new(StructArray::try_new_with_length(signal_fields(config), signal_arrays, None, rows.len())?),
        Arc::new(StructArray::try_new_with_length(slot_fields(config), slot_arrays, None, rows.len())?),
        Arc::new(rows.iter().map(|r| r.events).collect::<UInt64Array>()),
        Arc::new(rows.iter().map(|r| r.events_after_as_of).collect::<UInt64Array>()),
    ];
    RecordBatch::try_new(schema, columns)
}
