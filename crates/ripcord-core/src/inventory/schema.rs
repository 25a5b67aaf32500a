//! The JSON Schema of the inventory format, derived from its serde types (`ripcord schema
//! inventory`), for editors that validate and complete YAML and JSON.

use super::{Inventory, INVENTORY_VERSION};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// The schema's `$id`: a name, not a location (editors are pointed at the file itself); it
/// carries the format version, so a breaking change gives a new schema.
pub fn schema_id() -> String {
    format!("urn:ripcord:inventory:{INVENTORY_VERSION}")
}

/// The JSON Schema (draft 7) of what [`Inventory::parse`] deserializes: the types' serde
/// attributes (defaults, `deny_unknown_fields`, renames) are the schema's, their doc comments
/// its descriptions. The checks of [`Inventory::validate`] (unique ids, references, sizes) are
/// beyond it.
pub fn inventory_schema() -> serde_json::Value {
    // Draft 7, not schemars' default 2020-12: yaml-language-server (VS Code's YAML extension)
    // documents support up to draft 7.
    let generator = SchemaSettings::draft07().into_generator();
    let mut generated = generator.into_root_schema_for::<Inventory>().to_value();
    unwrap_descriptions(&mut generated);
    // The identifying keys first, where people reading the file look for them.
    let mut schema = serde_json::Map::new();
    if let Some(dialect) = generated.get("$schema") {
        schema.insert("$schema".into(), dialect.clone());
    }
    schema.insert("$id".into(), schema_id().into());
    schema.insert(
        "title".into(),
        format!("ripcord inventory (version {INVENTORY_VERSION})").into(),
    );
    if let serde_json::Value::Object(rest) = generated {
        for (key, value) in rest {
            schema.entry(key).or_insert(value);
        }
    }
    serde_json::Value::Object(schema)
}

/// Doc comments are wrapped at 100 columns; an editor's hover wraps descriptions itself, so
/// only paragraph breaks are kept.
fn unwrap_descriptions(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = text
                            .split("\n\n")
                            .map(|paragraph| paragraph.replace('\n', " "))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                    _ => unwrap_descriptions(item),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// Stands in for `jiff::Timestamp` (schemars has no impl for jiff 1): serde reads it from a
/// string, RFC 3339 with an offset (`2026-11-24T03:00:00Z`).
pub(crate) struct TimestampSchema;

impl JsonSchema for TimestampSchema {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "A point in time, RFC 3339 with an offset: 2026-11-24T03:00:00Z.",
        })
    }
}
