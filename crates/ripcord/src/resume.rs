//! `apply --resume RUN_ID` (and `repl --live --resume`): which runs can be resumed, that the
//! runbook is the one the run started with, and what changed in the live state since its plan
//! where the remaining steps rely on it.

use crate::exit::Exit;
use ripcord_core::{Intent, Plan, RunbookMeta, Step, StepKind};
use ripcord_journal::{read_run, Run, RunStatus};
use std::path::{Path, PathBuf};

/// The run to resume, read back; refused with a message when it cannot be resumed.
pub fn resumable(runs: &Path, id: &str, runbook: Option<&Path>) -> Result<(Run, PathBuf), Exit> {
    resumable_as(runs, id, "apply", runbook)
}

/// The run `id` to resume as a run of `mode` (`apply`, or `repl` for a live session), not
/// completed, of `runbook` when one is given; refused with a message naming the command that
/// resumes it when it is of the other mode.
pub fn resumable_as(
    runs: &Path,
    id: &str,
    mode: &str,
    runbook: Option<&Path>,
) -> Result<(Run, PathBuf), Exit> {
    let run = match read_run(runs, id) {
        Ok(run) => run,
        Err(err) => {
            eprintln!("error: cannot resume: {err}");
            return Err(Exit::BadInput);
        }
    };
    let Some(header) = run.header() else {
        eprintln!("error: cannot resume {id}: its journal has no header record");
        return Err(Exit::BadInput);
    };
    if header.mode != mode {
        match (mode, header.mode.as_str()) {
            ("apply", "repl") => eprintln!(
                "refused: {id} is a live REPL session: resume it in the REPL, `ripcord repl {} --live --resume {id}` (the steps it did are given back, not sent again)",
                header.runbook_path
            ),
            ("apply", other) => eprintln!(
                "refused: {id} is a `{other}` session, not an apply run; only `ripcord apply` runs are resumed"
            ),
            (_, "apply") => eprintln!(
                "refused: {id} is not a live REPL session (its mode is `apply`): resume it with `ripcord apply --resume`"
            ),
            (_, other) => eprintln!(
                "refused: {id} is not a live REPL session (its mode is `{other}`)"
            ),
        }
        return Err(Exit::Refused);
    }
    if run.status() == Some(RunStatus::Completed) {
        eprintln!(
            "refused: run {id} completed; there is nothing to resume (`ripcord runs show {id}`)"
        );
        return Err(Exit::Refused);
    }
    let recorded = PathBuf::from(&header.runbook_path);
    if let Some(given) = runbook {
        if given != recorded {
            eprintln!(
                "refused: run {id} ran {}, not {}{}",
                recorded.display(),
                given.display(),
                if mode == "apply" {
                    "; leave the runbook out to resume it"
                } else {
                    ""
                }
            );
            return Err(Exit::Refused);
        }
    }
    Ok((run, recorded))
}

/// `Err(what changed)` when the runbook's text or declaration differs from the run's.
pub fn unchanged(run: &Run, sha256: &str, meta: &RunbookMeta) -> Result<(), String> {
    let Some(header) = run.header() else {
        return Err("the journal has no header".to_string());
    };
    if header.runbook_sha256 != sha256 {
        return Err(format!(
            "{} changed since the run started (sha256 {} then, {} now): the journal records steps of the other text",
            header.runbook_path,
            short(&header.runbook_sha256),
            short(sha256)
        ));
    }
    if header.meta != *meta {
        return Err(format!(
            "the declaration of {} changed since the run started (runbook(#{{...}}): name, regions, accounts, RTO, RPO)",
            header.runbook_path
        ));
    }
    Ok(())
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// Whether a plan step is the journaled intent `intent`.
fn is(step: &Step, intent: &Intent) -> bool {
    Intent::of(&step.kind).is_some_and(|own| own.label() == intent.label())
}

/// What the remaining steps rely on that is not as the run's plan had it: for every call not
/// done in the journal, the `before` values of its changes in the original plan (the run's
/// inventory) against the resumed plan (the live state now). One line per difference.
pub fn drift(original: &Plan, resumed: &Plan, run: &Run) -> Vec<String> {
    let mut done: Vec<Intent> = run
        .steps()
        .into_iter()
        .filter(|s| s.outcome().is_some())
        .map(|s| s.intent)
        .collect();
    let mut then: Vec<&Step> = original
        .steps()
        .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
        .collect();
    let mut lines = Vec::new();
    for step in resumed
        .steps()
        .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
    {
        let Some(intent) = Intent::of(&step.kind) else {
            continue;
        };
        let at = then.iter().position(|s| is(s, &intent));
        let earlier = at.map(|at| then.remove(at));
        if let Some(at) = done.iter().position(|d| d.label() == intent.label()) {
            done.remove(at);
            continue;
        }
        // Waits and checks read the state again when they run; a call acts on what it
        // finds, which is what a hand change moves.
        let Some(earlier) = earlier.filter(|_| step.is_mutating()) else {
            continue;
        };
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
        for change in &step.changes {
            let planned = earlier.changes.iter().find(|c| c.field == change.field);
            if let Some(planned) = planned {
                if planned.before != change.before {
                    lines.push(format!(
                        "{}: {} was {} when the run was planned, is {} now",
                        intent.label(),
                        change.field,
                        shown(&planned.before),
                        shown(&change.before)
                    ));
                }
            }
        }
    }
    lines
}
