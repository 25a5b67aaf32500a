//! The JSON rendering of a plan: the plan's own data, for tools (`docs/plan-schema.md`).

use crate::Plan;

/// The plan as pretty-printed JSON with a trailing newline; `serde_json::from_str::<Plan>`
/// reads it back to an equal plan.
///
/// The output is stable: every map in the plan is a `BTreeMap` or a struct with ordered fields,
/// and the workspace builds `serde_json` with `preserve_order`.
pub fn json(plan: &Plan) -> String {
    // Cannot fail: every type in a plan derives `Serialize`, holds no floats and no map with
    // non-string keys (tags are `BTreeMap<String, String>`, call arguments a JSON object), and
    // the only `flatten`ed values (`StepKind`, `RunbookMeta`) serialize as maps.
    let mut text = serde_json::to_string_pretty(plan).expect("a plan always serializes to JSON");
    text.push('\n');
    text
}
