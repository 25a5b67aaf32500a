//! `apply --plan REVIEWED.json`: run exactly the plan a reviewer approved, or refuse and say
//! what moved since (the runbook by its hash, each step's arguments and the state it found).

use crate::exit::Exit;
use ripcord_core::{Comparison, Plan, StepChange, PLAN_SCHEMA_VERSION};
use std::path::Path;

/// A saved plan (`ripcord plan ... -f json -o FILE`) of this schema version: the reviewed
/// one, or the base of `plan --compare` (`what` names it in errors).
pub fn load(path: &Path, what: &str) -> Result<Plan, Exit> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        eprintln!("error: cannot read the {what} {}: {err}", path.display());
        Exit::BadInput
    })?;
    parse(&text, path)
}

/// A saved plan's text (`path` names it in errors).
pub fn parse(text: &str, path: &Path) -> Result<Plan, Exit> {
    let plan: Plan = serde_json::from_str(text).map_err(|err| {
        eprintln!(
            "error: {} is not a plan in JSON (`ripcord plan RUNBOOK -f json -o FILE` writes one): {err}",
            path.display()
        );
        Exit::BadInput
    })?;
    if plan.schema_version != PLAN_SCHEMA_VERSION {
        eprintln!(
            "error: {} is a plan of schema version {}; this ripcord reads version {PLAN_SCHEMA_VERSION}: plan it again with this version",
            path.display(),
            plan.schema_version
        );
        return Err(Exit::BadInput);
    }
    Ok(plan)
}

/// Refuses a runbook whose text is not the one reviewed.
pub fn same_runbook(reviewed: &Plan, file: &str, sha256: &str) -> Result<(), Exit> {
    if reviewed.runbook.sha256 == sha256 {
        return Ok(());
    }
    eprintln!(
        "refused: {file} changed since the plan was reviewed (sha256 {} then, {} now): plan and review it again. Nothing was sent.",
        short(&reviewed.runbook.sha256),
        short(sha256)
    );
    Err(Exit::StalePlan)
}

fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// What differs between the reviewed plan and the one computed now, in the operator's words
/// (`dr-web-asg DesiredCapacity was 2 when reviewed, is 3 now`); empty when they are the same
/// steps with the same arguments finding the same state. Estimates and warnings may differ:
/// they describe the same steps.
pub fn stale(reviewed: &Plan, now: &Plan) -> Vec<String> {
    let comparison = Comparison::between(reviewed, now);
    let mut lines = Vec::new();
    for change in &comparison.changes {
        match change {
            StepChange::Added { step, origin } => {
                lines.push(format!("{step} [{origin}]: not in the reviewed plan"));
            }
            StepChange::Removed { step, origin } => {
                lines.push(format!("{step} [{origin}]: reviewed, no longer planned"));
            }
            StepChange::Changed {
                step, differences, ..
            } => {
                for d in differences {
                    if d.field == "estimate" || d.field == "warning" {
                        continue;
                    }
                    let (was, is) = (
                        d.base.as_deref().unwrap_or("(none)"),
                        d.head.as_deref().unwrap_or("(none)"),
                    );
                    lines.push(match d.field.strip_prefix("before ") {
                        Some(field) => {
                            format!("{step}: {field} was {was} when reviewed, is {is} now")
                        }
                        None => format!("{step}: {} {was} in the reviewed plan, {is} now", d.field),
                    });
                }
            }
        }
    }
    lines
}
