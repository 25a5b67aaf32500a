//! The account guard and the live capture that `apply` and the live REPL both start with.

use crate::exit::Exit;
use crate::live::LiveBackend;
use ripcord_core::{sha256_hex, Inventory, InventoryInfo, RunbookMeta};

/// The live state the run will be planned against, and whose account it is.
pub struct Captured {
    pub account: String,
    pub inventory: Inventory,
    /// The inventory as stored beside the journal.
    pub json: String,
    pub info: InventoryInfo,
}

/// Checks the credentials' account against the runbook's (STS GetCallerIdentity, before any
/// other request), then captures `regions` read-only.
pub fn guard_and_capture(
    live: &mut LiveBackend,
    runbook_file: &str,
    meta: &RunbookMeta,
    regions: &[String],
) -> Result<Captured, Exit> {
    let identity = live.caller_identity().map_err(|err| {
        eprintln!(
            "error: sts GetCallerIdentity failed: {}: {}",
            err.code, err.message
        );
        if let Some(help) = &err.help {
            eprintln!("  help: {help}");
        }
        Exit::Aws
    })?;
    // The account region may not be the preferred one (it did not answer): said before
    // anything else is read.
    for warning in live.take_warnings() {
        eprintln!("warning: {warning}");
    }
    if meta.accounts.is_empty() {
        eprintln!(
            "warning: {runbook_file} declares no accounts: the account guard is off (running as {} in account {})",
            identity.arn, identity.account
        );
    } else if !meta.accounts.contains(&identity.account) {
        eprintln!(
            "refused: the credentials are for account {} ({}), but {runbook_file} is for account(s) {}. Nothing was sent.",
            identity.account,
            identity.arn,
            meta.accounts.join(", ")
        );
        return Err(Exit::Refused);
    }
    let inventory = capture(live, regions).map_err(|err| {
        eprintln!("error: capture failed: {}: {}", err.code, err.message);
        Exit::Aws
    })?;
    let json = serde_json::to_string_pretty(&inventory).map_err(|err| {
        eprintln!("error: cannot serialize the captured inventory: {err}");
        Exit::Aws
    })?;
    let info = InventoryInfo {
        path: format!("live capture of account {}", identity.account),
        sha256: sha256_hex(json.as_bytes()),
        account: Some(identity.account.clone()),
        captured_at: inventory.captured_at.to_string(),
        unreachable: inventory.unreachable.clone(),
    };
    Ok(Captured {
        account: identity.account,
        inventory,
        json,
        info,
    })
}

/// Captures `regions` and tells the operator, on stderr, what the plan will not see: how long
/// it took and how many requests it sent, each part that did not answer (the plan fails what
/// needs it, as the run will), and what else could not be read (a replication lag CloudWatch
/// refused is unknown in the plan).
// BackendError is large but built once, on a cold path (the allowance of the library crates).
#[allow(clippy::result_large_err)]
pub fn capture(
    live: &mut LiveBackend,
    regions: &[String],
) -> Result<Inventory, ripcord_core::BackendError> {
    eprintln!("capturing {} ...", regions.join(", "));
    let sent = live.requests_sent();
    let started = std::time::Instant::now();
    let inventory = live.capture(regions)?;
    eprintln!(
        "captured {} region(s) in {:.2} s ({} requests)",
        regions.len(),
        started.elapsed().as_secs_f64(),
        live.requests_sent().saturating_sub(sent)
    );
    for entry in &inventory.unreachable {
        eprintln!(
            "warning: not captured: {} does not answer: {}",
            entry.what(),
            entry.reason
        );
    }
    for warning in live.take_warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(inventory)
}
