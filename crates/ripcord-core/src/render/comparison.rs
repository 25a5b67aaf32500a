//! The three renderings of a [`Comparison`]: text, Markdown (a pull-request comment) and JSON.

use super::short_digest;
use crate::duration::format_duration;
use crate::{Comparison, Difference, Side, StepChange};
use std::fmt::Write;

const NONE: &str = "(none)";

fn value(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or(NONE)
}

/// `Estimated total 3m 04s -> 3m 10s against RTO 15m 00s: within the objective (11m 50s to
/// spare).`, or how the new plan stops.
fn totals_sentence(base: &Side, head: &Side) -> String {
    let total = if base.total_secs == head.total_secs {
        format!(
            "Estimated total {} (unchanged)",
            format_duration(head.total_secs)
        )
    } else {
        format!(
            "Estimated total {} -> {}",
            format_duration(base.total_secs),
            format_duration(head.total_secs)
        )
    };
    let rto = match (base.rto_secs, head.rto_secs) {
        (Some(a), Some(b)) if a != b => {
            format!(
                " against RTO {} (was {})",
                format_duration(b),
                format_duration(a)
            )
        }
        (_, Some(b)) => format!(" against RTO {}", format_duration(b)),
        (_, None) => " (no RTO objective declared)".to_string(),
    };
    let verdict = match (&head.stops, head.rto_secs) {
        (Some(stop), _) => format!(": the new plan stops: {stop}"),
        (None, Some(rto)) if head.total_secs <= rto => format!(
            ": within the objective ({} to spare)",
            format_duration(rto - head.total_secs)
        ),
        (None, Some(rto)) => format!(
            ": exceeds the objective by {}",
            format_duration(head.total_secs - rto)
        ),
        (None, None) => String::new(),
    };
    let base_stopped = match &base.stops {
        Some(stop) => format!(" The base plan stopped: {stop}."),
        None => String::new(),
    };
    format!("{total}{rto}{verdict}.{base_stopped}")
}

fn difference_text(d: &Difference) -> String {
    match (&d.base, &d.head) {
        (Some(_), None) if d.field == "warning" => format!("warning gone: {}", value(&d.base)),
        (None, Some(_)) if d.field == "warning" => format!("new warning: {}", value(&d.head)),
        _ => format!("{}: {} -> {}", d.field, value(&d.base), value(&d.head)),
    }
}

fn headline(comparison: &Comparison) -> String {
    let (base, head) = (&comparison.base, &comparison.head);
    format!(
        "Compared with the base plan: {} (sha256 {}, {} steps) -> {} (sha256 {}, {} steps)",
        base.runbook,
        short_digest(&base.sha256),
        base.steps,
        head.runbook,
        short_digest(&head.sha256),
        head.steps
    )
}

/// For a terminal: `+` added, `-` removed, `~` changed with its differences indented.
pub fn comparison_text(comparison: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", headline(comparison));
    if comparison.changes.is_empty() {
        let _ = writeln!(out, "  No step changed.");
    }
    for change in &comparison.changes {
        match change {
            StepChange::Added { step, origin } => {
                let _ = writeln!(out, "  + {step}  [{origin}]");
            }
            StepChange::Removed { step, origin } => {
                let _ = writeln!(out, "  - {step}  [{origin}]");
            }
            StepChange::Changed {
                step,
                origin,
                differences,
            } => {
                let _ = writeln!(out, "  ~ {step}  [{origin}]");
                for d in differences {
                    let _ = writeln!(out, "      {}", difference_text(d));
                }
            }
        }
    }
    let _ = writeln!(out, "\n  {}", counts_sentence(comparison));
    let _ = writeln!(
        out,
        "{}",
        totals_sentence(&comparison.base, &comparison.head)
    );
    out
}

/// `1 added, 0 removed, 2 changed, 7 unchanged.`
fn counts_sentence(comparison: &Comparison) -> String {
    let count = |f: fn(&StepChange) -> bool| comparison.changes.iter().filter(|c| f(c)).count();
    format!(
        "{} added, {} removed, {} changed, {} unchanged.",
        count(|c| matches!(c, StepChange::Added { .. })),
        count(|c| matches!(c, StepChange::Removed { .. })),
        count(|c| matches!(c, StepChange::Changed { .. })),
        comparison.unchanged
    )
}

/// Markdown text in a table cell: pipes escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// For a pull-request comment: a table of the changed steps and the totals.
pub fn comparison_markdown(comparison: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### What this change does to the failover\n");
    let _ = writeln!(out, "{}\n", cell(&headline(comparison)));
    if comparison.changes.is_empty() {
        let _ = writeln!(out, "No step changed.\n");
    } else {
        let _ = writeln!(out, "| | step | where | what changed |");
        let _ = writeln!(out, "|---|---|---|---|");
        for change in &comparison.changes {
            let (mark, step, origin, what) = match change {
                StepChange::Added { step, origin } => ("➕", step, origin, "added".to_string()),
                StepChange::Removed { step, origin } => ("➖", step, origin, "removed".to_string()),
                StepChange::Changed {
                    step,
                    origin,
                    differences,
                } => (
                    "✏️",
                    step,
                    origin,
                    differences
                        .iter()
                        .map(|d| format!("`{}`", cell(&difference_text(d))))
                        .collect::<Vec<_>>()
                        .join("<br>"),
                ),
            };
            let _ = writeln!(
                out,
                "| {mark} | `{}` | {} | {what} |",
                cell(step),
                cell(origin)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "{} {}",
        counts_sentence(comparison),
        totals_sentence(&comparison.base, &comparison.head)
    );
    out
}

/// For tools: the comparison's serde form.
pub fn comparison_json(comparison: &Comparison) -> String {
    // Strings, numbers and lists always serialize.
    serde_json::to_string_pretty(comparison).unwrap_or_default() + "\n"
}
