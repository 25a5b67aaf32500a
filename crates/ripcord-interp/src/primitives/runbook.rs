//! `runbook(#{...})`: the runbook's declaration of itself.

use super::check_region_name;
use crate::failure::Failure;
use crate::options::Options;
use crate::state::RunState;
use rhai::Map;
use ripcord_core::RunbookMeta;

/// `runbook(#{...})`.
pub fn declare(st: &mut RunState, map: Map) -> Result<(), Failure> {
    if st.meta.is_some() {
        return Err(Failure::invalid("`runbook(...)` is declared twice"));
    }
    if st.started {
        return Err(
            Failure::invalid("`runbook(...)` must come before the first primitive")
                .with_help("move the declaration to the top of the runbook"),
        );
    }
    let opts = Options::new(
        "runbook",
        map,
        &["name", "description", "rto", "rpo", "accounts", "regions"],
    )?;
    let regions = opts.strings("regions")?.unwrap_or_default();
    for region in &regions {
        check_region_name(region)?;
    }
    let accounts = opts.strings("accounts")?.unwrap_or_default();
    for account in &accounts {
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            return Err(Failure::invalid(format!(
                "`{account}` is not an AWS account id (12 digits)"
            )));
        }
    }
    st.meta = Some(RunbookMeta {
        name: opts.string("name")?,
        description: opts.string("description")?,
        rto_secs: opts.duration("rto")?,
        rpo_secs: opts.duration("rpo")?,
        accounts,
        regions,
    });
    Ok(())
}
