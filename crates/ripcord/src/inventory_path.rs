//! Finds the inventory that sits beside a runbook when `--inventory` is not given.

use std::path::{Path, PathBuf};

/// `NAME.inventory.{yaml,yml,json}` beside `NAME.rhai`, else `inventory.{yaml,yml,json}` in
/// the runbook's folder; the candidates tried, in order, when none exists.
pub fn beside(runbook: &Path) -> Result<PathBuf, Vec<PathBuf>> {
    let dir = runbook.parent().unwrap_or(Path::new(""));
    let stem = runbook
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidates = Vec::new();
    for ext in ["yaml", "yml", "json"] {
        candidates.push(dir.join(format!("{stem}.inventory.{ext}")));
    }
    for ext in ["yaml", "yml", "json"] {
        candidates.push(dir.join(format!("inventory.{ext}")));
    }
    match candidates.iter().find(|c| c.is_file()) {
        Some(found) => Ok(found.clone()),
        None => Err(candidates),
    }
}
