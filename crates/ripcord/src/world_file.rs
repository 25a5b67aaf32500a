//! Loading the simulated world a dry-run starts from: `--inventory`, else the one beside the
//! runbook.

use crate::exit::Exit;
use crate::inventory_path;
use crate::output::report;
use ripcord_core::{sha256_hex, Inventory, InventoryInfo};
use std::path::Path;

/// The inventory, its text (stored beside a journal) and how the plan names it.
pub struct Loaded {
    pub inventory: Inventory,
    pub text: String,
    pub info: InventoryInfo,
}

pub fn load(runbook: &Path, flag: Option<&Path>) -> Result<Loaded, Exit> {
    let path = match flag {
        Some(path) => path.to_path_buf(),
        None => inventory_path::beside(runbook).map_err(|tried| {
            let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "error: no inventory for {}: pass --inventory FILE, or create one of: {}",
                runbook.display(),
                tried.join(", ")
            );
            Exit::BadInput
        })?,
    };
    let (inventory, text) = Inventory::load(&path).map_err(|err| {
        report(err);
        Exit::BadInput
    })?;
    let info = InventoryInfo {
        path: path.display().to_string(),
        sha256: sha256_hex(text.as_bytes()),
        account: inventory.account.clone(),
        captured_at: inventory.captured_at.to_string(),
        unreachable: inventory.unreachable.clone(),
    };
    Ok(Loaded {
        inventory,
        text,
        info,
    })
}
