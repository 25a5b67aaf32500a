//! `ripcord runs report RUN_ID`: the evidence report of a run, with the plan's estimate
//! recomputed the way `apply` computed it (the runbook dry-run against the run's capture).

use crate::cli::ReportFormat;
use crate::exit::Exit;
use crate::output;
use crate::prepare;
use ripcord_core::quota::Quotas;
use ripcord_core::{sha256_hex, Inventory, InventoryInfo};
use ripcord_journal::{render_html, render_markdown, Estimate, EvidenceReport, Run};
use std::path::{Path, PathBuf};

/// Writes the report of `run` in `format` to `output` (standard output without one).
/// `unfinished` is what is known of a run without an end record (`in progress`, `killed`).
pub fn write(
    run: &Run,
    unfinished: Option<String>,
    format: ReportFormat,
    output: Option<&Path>,
) -> Exit {
    let estimate = estimate(run);
    let mut report = EvidenceReport::build(run, &estimate);
    report.unfinished = unfinished;
    let text = match format {
        ReportFormat::Markdown => render_markdown(&report),
        ReportFormat::Html => render_html(&report),
    };
    match output::emit(output, &text) {
        Ok(()) => Exit::Ok,
        Err(exit) => exit,
    }
}

/// The plan `apply` made before the run sent anything, recomputed: the runbook at the
/// journaled path, only if it still hashes to the journaled SHA-256, planned against the
/// run's `inventory.json`. Otherwise why there is no estimate.
pub(crate) fn estimate(run: &Run) -> Estimate {
    let Some(header) = run.header() else {
        return Estimate::Unavailable("the journal has no header naming the runbook".to_string());
    };
    let path = PathBuf::from(&header.runbook_path);
    let source = match std::fs::read(&path) {
        Ok(source) => source,
        Err(err) => {
            return Estimate::Unavailable(format!(
                "the runbook {} cannot be read from {} ({err})",
                header.runbook_path,
                std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|_| "the current directory".to_string())
            ))
        }
    };
    let now = sha256_hex(&source);
    if now != header.runbook_sha256 {
        return Estimate::Unavailable(format!(
            "the runbook {} changed since the run (SHA-256 {} then, {} now): its plan would not be the run's",
            header.runbook_path,
            short(&header.runbook_sha256),
            short(&now)
        ));
    }
    let (mut interpreter, runbook) = match prepare::read_and_compile(&path) {
        Ok((interpreter, Ok(runbook))) => (interpreter, runbook),
        Ok((_, Err(err))) => {
            return Estimate::Unavailable(format!(
                "the runbook {} does not compile with this ripcord: {}",
                header.runbook_path, err.message
            ))
        }
        Err(err) => {
            return Estimate::Unavailable(format!(
                "the runbook {} cannot be read ({err})",
                header.runbook_path
            ))
        }
    };
    let inventory_path = run.dir.join(&header.inventory_file);
    let (inventory, text) = match Inventory::load(&inventory_path) {
        Ok(loaded) => loaded,
        Err(err) => {
            return Estimate::Unavailable(format!(
                "the run's inventory {} cannot be read: {err}",
                inventory_path.display()
            ))
        }
    };
    let sha256 = sha256_hex(text.as_bytes());
    if sha256 != header.inventory_sha256 {
        return Estimate::Unavailable(format!(
            "the run's inventory {} changed since the run (SHA-256 {} then, {} now)",
            inventory_path.display(),
            short(&header.inventory_sha256),
            short(&sha256)
        ));
    }
    let info = InventoryInfo {
        path: inventory_path.display().to_string(),
        sha256,
        account: inventory.account.clone(),
        captured_at: inventory.captured_at.to_string(),
        unreachable: inventory.unreachable.clone(),
    };
    // apply's --quotas file is not journaled: the estimate of parallel groups uses AWS's
    // default quotas, which differ only for an account with raised ones.
    let sim = crate::quotas::sim(inventory, &Quotas::default());
    let result = interpreter.run(&runbook, Box::new(sim), Some(info));
    Estimate::Plan {
        plan: Box::new(result.plan),
        note: Some("parallel groups paced by AWS's default request quotas (apply's --quotas is not journaled)".to_string()),
    }
}

/// The first 12 hex digits of a digest, enough to tell two apart in a sentence.
fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}
