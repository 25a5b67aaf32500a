//! `ripcord capture`: a read-only snapshot of live state, written as an inventory.

use crate::cli::CaptureArgs;
use crate::exit::Exit;
use crate::{guard, live};

pub fn run(args: &CaptureArgs) -> Exit {
    let mut backend = match live::backend(&args.live, &args.regions) {
        Ok(backend) => backend,
        Err(err) => {
            eprintln!("error: {err}");
            return Exit::Aws;
        }
    };
    // What does not answer is in the inventory's `unreachable` and said on stderr; only an
    // error that is not an outage fails the capture.
    let inventory = match guard::capture(&mut backend, &args.regions) {
        Ok(inventory) => inventory,
        Err(err) => {
            eprintln!("error: capture failed: {err}");
            return Exit::Aws;
        }
    };
    let yaml = args
        .output
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    let text = if yaml {
        serde_yaml::to_string(&inventory).map_err(|e| e.to_string())
    } else {
        serde_json::to_string_pretty(&inventory)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| e.to_string())
    };
    let text = match text {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot write the inventory: {err}");
            return Exit::BadInput;
        }
    };
    if let Err(exit) = crate::output::emit(args.output.as_deref(), &text) {
        return exit;
    }
    if let Some(path) = &args.output {
        eprintln!(
            "captured {} region(s) of account {} into {}",
            args.regions.len(),
            inventory.account.as_deref().unwrap_or("?"),
            path.display()
        );
    }
    Exit::Ok
}
