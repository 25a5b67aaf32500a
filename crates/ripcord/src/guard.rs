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
        Exit::Aws
    })?;
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
    eprintln!("capturing {} ...", regions.join(", "));
    let inventory = live.capture(regions).map_err(|err| {
        eprintln!("error: capture failed: {}: {}", err.code, err.message);
        Exit::Aws
    })?;
    // What the capture could not read (a replication lag CloudWatch refused) is unknown in
    // the plan: the operator must know the plan did not see it.
    for warning in live.take_warnings() {
        eprintln!("warning: {warning}");
    }
    let json = serde_json::to_string_pretty(&inventory).map_err(|err| {
        eprintln!("error: cannot serialize the captured inventory: {err}");
        Exit::Aws
    })?;
    let info = InventoryInfo {
        path: format!("live capture of account {}", identity.account),
        sha256: sha256_hex(json.as_bytes()),
        account: Some(identity.account.clone()),
        captured_at: inventory.captured_at.to_string(),
    };
    Ok(Captured {
        account: identity.account,
        inventory,
        json,
        info,
    })
}
