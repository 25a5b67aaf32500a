//! `ripcord schema FORMAT`: the JSON Schema of a file format, generated from its types in core.

use crate::cli::{SchemaArgs, SchemaKind};
use crate::exit::Exit;

pub fn run(args: &SchemaArgs) -> Exit {
    let schema = match args.schema {
        SchemaKind::Inventory => ripcord_core::inventory::inventory_schema(),
    };
    let text = match serde_json::to_string_pretty(&schema) {
        Ok(text) => format!("{text}\n"),
        Err(err) => {
            eprintln!("error: cannot write the schema: {err}");
            return Exit::BadInput;
        }
    };
    match crate::output::emit(args.output.as_deref(), &text) {
        Ok(()) => Exit::Ok,
        Err(exit) => exit,
    }
}
