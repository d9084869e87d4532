//! `onstage_evaluate` (and `onstage_evaluate_with_identify`) as a
//! DataFusion `AggregateUDFImpl`: one config compiled once, evaluated at
//! one `as_of` for each group (a user) by [`crate::accumulator::Rows`].
//!
//! Arguments, cast by DataFusion to these types (an exact signature):
//! `(user, name, at, props, row)` and, with identify,
//! `(…, identify, attributes, entitlements, tz_offset_minutes)`. The
//! result is a struct of the `onstage` wheel's output columns but `user`
//! (stage, stage since, segments, signals, one decision per slot).

use crate::accumulator::Rows;
use crate::bridge;
use arrow::datatypes::{DataType, Field, FieldRef, TimeUnit};
use datafusion_common::Result;
use datafusion_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion_expr::utils::format_state_name;
use datafusion_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use onstage::time::Millis;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The argument columns, in call order.
pub const EVENT_ARGS: [&str; 5] = ["user", "name", "at", "props", "row"];
pub const IDENTIFY_ARGS: [&str; 4] = ["identify", "attributes", "entitlements", "tz_offset_minutes"];

fn arg_type(column: &str) -> DataType {
    match column {
        "at" => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        "row" | "tz_offset_minutes" => DataType::Int64,
        "identify" => DataType::Boolean,
        _ => DataType::Utf8,
    }
}

/// What every accumulator of one aggregate shares.
pub struct Shared {
    pub evaluator: onstage_arrow::Evaluator,
    pub as_of: Millis,
    pub identify: bool,
    /// The argument columns (`EVENT_ARGS`, then `IDENTIFY_ARGS` with identify).
    pub columns: Vec<(&'static str, DataType)>,
    /// The result's struct type.
    pub result_type: DataType,
}

pub struct OnstageEvaluate {
    name: String,
    /// The config's text: with `name`, `as_of` and `identify`, what makes
    /// two aggregates the same (DataFusion compares functions).
    config_text: String,
    signature: Signature,
    shared: Arc<Shared>,
}

impl OnstageEvaluate {
    /// Compiles `config_json`; a config with errors is refused with every
    /// problem, one per line.
    pub fn new(config_json: &str, as_of: Millis, name: &str, identify: bool) -> std::result::Result<Self, String> {
        let evaluator = onstage_arrow::Evaluator::new(config_json).map_err(|problems| {
            let mut message = String::from("the config has errors:");
            for p in problems.iter().filter(|p| p.is_error()) {
                message.push_str("\n  ");
                message.push_str(&p.to_string());
            }
            message
        })?;
        // The output's columns but `user` (the group key already says it).
        let schema = evaluator.output_schema();
        let fields: Vec<_> = schema.fields().iter().filter(|f| f.name() != "user").cloned().collect();
        let result_type =
            bridge::type_to_59(&arrow_schema::DataType::Struct(fields.into())).map_err(|e| e.to_string())?;
        let names = EVENT_ARGS.iter().chain(if identify { IDENTIFY_ARGS.iter() } else { [].iter() });
        let columns: Vec<(&'static str, DataType)> = names.map(|c| (*c, arg_type(c))).collect();
        let signature = Signature::exact(columns.iter().map(|(_, t)| t.clone()).collect(), Volatility::Immutable);
        Ok(OnstageEvaluate {
            name: name.to_string(),
            config_text: config_json.to_string(),
            signature,
            shared: Arc::new(Shared { evaluator, as_of, identify, columns, result_type }),
        })
    }
}

impl std::fmt::Debug for OnstageEvaluate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnstageEvaluate")
            .field("name", &self.name)
            .field("as_of", &self.shared.as_of)
            .field("identify", &self.shared.identify)
            .finish_non_exhaustive()
    }
}

impl PartialEq for OnstageEvaluate {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.shared.as_of == other.shared.as_of
            && self.shared.identify == other.shared.identify
            && self.config_text == other.config_text
    }
}

impl Eq for OnstageEvaluate {}

impl Hash for OnstageEvaluate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (&self.name, self.shared.as_of, self.shared.identify, &self.config_text).hash(state);
    }
}

impl AggregateUDFImpl for OnstageEvaluate {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.shared.result_type.clone())
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Rows::new(Arc::clone(&self.shared))))
    }

    /// The partial state: each argument column's values, as one list.
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(self
            .shared
            .columns
            .iter()
            .map(|(column, data_type)| {
                let item = Field::new_list_field(data_type.clone(), true);
                Arc::new(Field::new(format_state_name(args.name, column), DataType::List(Arc::new(item)), true))
            })
            .collect())
    }
}
