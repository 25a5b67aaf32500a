//! `--quotas FILE`: an account's AWS request quotas where they differ from AWS's defaults,
//! for the dry-run's estimates and the live backend's pacing alike (`ripcord_core::quota`).

use crate::exit::Exit;
use ripcord_core::quota::Quotas;
use std::path::Path;

/// The quota table with the file's overrides; AWS's defaults without a file.
pub fn load(path: Option<&Path>) -> Result<Quotas, Exit> {
    let Some(path) = path else {
        return Ok(Quotas::default());
    };
    let text = std::fs::read_to_string(path).map_err(|err| {
        eprintln!("error: cannot read --quotas {}: {err}", path.display());
        Exit::BadInput
    })?;
    Quotas::from_yaml(&text).map_err(|err| {
        eprintln!(
            "error: --quotas {}: {err} (docs/live.md, \"Quotas and pacing\")",
            path.display()
        );
        Exit::BadInput
    })
}

/// The dry-run of `inventory`, its parallel groups estimated by `quotas`.
pub fn sim(inventory: ripcord_core::Inventory, quotas: &Quotas) -> ripcord_sim::SimBackend {
    let mut sim = ripcord_sim::SimBackend::new(inventory);
    sim.set_quotas(quotas.clone());
    sim
}
