//! The Markdown rendering of a plan: a pull-request comment, summary first, bounded in size.
//!
//! GitHub refuses comments over 65,536 characters, so the output stays under [`OUTPUT_LIMIT`]
//! bytes (hence characters) whatever the plan: long texts are cut, runs of the same operation
//! collapse into one row, and the step table stops at [`TABLE_BUDGET`] with a row saying how
//! many steps it leaves out. Every string from the runbook or the world is escaped, so a note
//! cannot break the table, open an HTML element or mention anyone.

use super::{
    approvals_excluded, branch_secs, count_of, details, estimate, kind_word, operation_label,
    origin_label, region_label, service_label, short_digest, steps_in_groups, target_label,
    verdict, warning_count, Detail, Verdict, NONE,
};
use crate::duration::format_duration;
use crate::{Plan, PlanItem, Step, StepKind};
use std::fmt::Write as _;

/// The whole comment stays under this many bytes (GitHub's limit is 65,536 characters).
const OUTPUT_LIMIT: usize = 58_000;
/// The step table stops before it grows past this many bytes.
const TABLE_BUDGET: usize = 40_000;
/// Room kept for the table's header, its last row and the `<details>` wrapper.
const TABLE_RESERVE: usize = 1_000;
/// Runs of more than this many consecutive steps of the same operation become one row.
const LONGEST_UNCOLLAPSED_RUN: usize = 3;
/// Above this many steps, the table is folded in a `<details>` element.
const UNFOLDED_STEPS: usize = 50;
/// Warnings listed in the summary; the rest are counted.
const LISTED_WARNINGS: usize = 10;
/// Longest text (in characters) of a title, path or table value before it is cut with `…`.
const SHORT_TEXT: usize = 200;
/// Longest failure message, in characters.
const LONG_TEXT: usize = 500;
/// Details shown in one change cell; the rest are counted.
const DETAILS_PER_CELL: usize = 6;

/// Renders a plan as a pull-request comment: a title, a summary table with the RTO verdict,
/// the failure and warnings if any, then the steps as a table (folded above 50 steps).
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    preamble(&mut out, plan);
    let budget = TABLE_BUDGET.min(OUTPUT_LIMIT.saturating_sub(out.len() + TABLE_RESERVE));
    steps_section(&mut out, plan, budget);
    out
}

/// Cuts a text to `max` characters, ending with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Escapes a text for a table cell or a paragraph: `|` and Markdown punctuation get a
/// backslash, `<` and `&` become entities, a newline becomes `<br>`, and control and
/// bidirectional characters are shown escaped.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '\t' => out.push(' '),
            // `>` alone opens nothing once `<` is escaped (and never starts a cell's line).
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '@' | '$' => {
                out.push('\\');
                out.push(ch);
            }
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                // `\u{1b}` reads literally: `\u` is not a Markdown escape.
                out.extend(c.escape_default());
            }
            c => out.push(c),
        }
    }
    out
}

/// A short data text, cut and escaped.
fn short(text: &str) -> String {
    md(&cut(text, SHORT_TEXT))
}

fn preamble(out: &mut String, plan: &Plan) {
    let runbook = &plan.runbook;
    let title = runbook.meta.name.as_deref().unwrap_or(&runbook.path);
    let _ = writeln!(out, "### Plan for {}\n", short(title));

    let mut source = format!("Runbook {}", short(&runbook.path));
    let digest = short_digest(&runbook.sha256);
    if !digest.is_empty() {
        let _ = write!(source, ", sha256 {}", md(&digest));
    }
    source.push('.');
    if let Some(inventory) = &plan.inventory {
        let _ = write!(source, " Inventory {}", short(&inventory.path));
        if let Some(account) = &inventory.account {
            let _ = write!(source, ", account {}", short(account));
        }
        let _ = write!(source, ", captured {}.", short(&inventory.captured_at));
    }
    let _ = writeln!(out, "{source}\n");
    if let Some(inventory) = &plan.inventory {
        for entry in &inventory.unreachable {
            let _ = writeln!(
                out,
                "⚠️ Unreachable: {}: {}\n",
                short(&entry.what()),
                short(&entry.reason)
            );
        }
    }

    let counts = plan.counts;
    let total = format_duration(plan.total_secs);
    let (total_cell, rto_cell) = match verdict(plan) {
        Verdict::Within { rto, spare } => (
            total,
            format!(
                "✅ {}, {} to spare",
                format_duration(rto),
                format_duration(spare)
            ),
        ),
        Verdict::Exceeds { rto, by } => (
            total,
            format!(
                "⚠️ {}, exceeded by {}",
                format_duration(rto),
                format_duration(by)
            ),
        ),
        Verdict::NoObjective => (total, "none declared".to_string()),
        Verdict::Stopped { rto } => (
            format!("{total} until the failure"),
            match rto {
                Some(rto) => format!("❌ {}, not met: the run stops", format_duration(rto)),
                None => "none declared; the run stops".to_string(),
            },
        ),
    };
    out.push_str("| Steps | AWS calls | Waits | Checks | Approvals | Estimated total | RTO |\n");
    out.push_str("|---:|---:|---:|---:|---:|---:|---|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {total_cell} | {rto_cell} |\n",
        counts.steps, counts.calls, counts.waits, counts.checks, counts.approvals
    );

    let mut remarks = Vec::new();
    if counts.parallel_groups > 0 {
        remarks.push(format!(
            "{} in {}.",
            count_of(steps_in_groups(plan), "step runs", "steps run"),
            count_of(
                u64::from(counts.parallel_groups),
                "parallel group",
                "parallel groups"
            )
        ));
    }
    if counts.approvals > 0 && approvals_excluded(plan) {
        remarks.push("The estimate excludes time spent waiting for approvals.".to_string());
    }
    if !remarks.is_empty() {
        let _ = writeln!(out, "{}\n", remarks.join(" "));
    }

    if let Some(failure) = &plan.failure {
        let _ = write!(
            out,
            "❌ **Stopped:** {}",
            md(&cut(&failure.message, LONG_TEXT))
        );
        if let Some(origin) = &failure.origin {
            let _ = write!(out, " at {}", short(&origin_label(origin)));
        }
        out.push_str("\n\n");
    }

    let warnings = warning_count(plan);
    if warnings > 0 {
        let _ = writeln!(
            out,
            "**⚠️ {}**\n",
            count_of(warnings as u64, "warning", "warnings")
        );
        let listed = plan
            .steps()
            .flat_map(|step| step.warnings.iter().map(move |w| (step.index, w)))
            .take(LISTED_WARNINGS);
        for (index, warning) in listed {
            let _ = writeln!(out, "- step {index}: {}", short(warning));
        }
        if warnings > LISTED_WARNINGS {
            let _ = writeln!(out, "- … and {} more", warnings - LISTED_WARNINGS);
        }
        out.push('\n');
    }
}

/// The step table being built, within its byte budget.
struct Table {
    rows: String,
    budget: usize,
    /// Steps (notes aside) in the rows so far.
    shown: u64,
    full: bool,
}

impl Table {
    /// Adds a row showing `steps` steps; false (and nothing added) once the budget is spent.
    fn push(&mut self, row: String, steps: u64) -> bool {
        if self.full || self.rows.len() + row.len() > self.budget {
            self.full = true;
            return false;
        }
        self.rows.push_str(&row);
        self.shown += steps;
        true
    }
}

fn steps_section(out: &mut String, plan: &Plan, budget: usize) {
    let total = plan
        .steps()
        .filter(|step| !matches!(step.kind, StepKind::Note { .. }))
        .count() as u64;
    if plan.items.is_empty() {
        out.push_str("No steps.\n");
        return;
    }
    let mut table = Table {
        rows: String::new(),
        budget,
        shown: 0,
        full: false,
    };
    let mut sequence: Vec<&Step> = Vec::new();
    for item in &plan.items {
        match item {
            PlanItem::Step(step) => sequence.push(step),
            PlanItem::Parallel(group) => {
                if !sequence_rows(&sequence, "", &mut table) {
                    break;
                }
                sequence.clear();
                let branches = group.branches.len();
                let header = format!(
                    "| | **parallel** | {} | | | | {} | |\n",
                    count_of(branches as u64, "branch", "branches"),
                    estimate(group.duration_secs)
                );
                if !table.push(header, 0) {
                    break;
                }
                // Why the group takes longer than its branches: the quotas that pace it.
                for note in &group.notes {
                    if !table.push(
                        format!("| | | *{}* | | | | | |\n", note.replace('|', "\\|")),
                        0,
                    ) {
                        break;
                    }
                }
                for (number, branch) in group.branches.iter().enumerate() {
                    let row = format!(
                        "| | | *branch {} of {branches}* | | | | {} | |\n",
                        number + 1,
                        estimate(branch_secs(group.at_secs, branch))
                    );
                    let steps: Vec<&Step> = branch.iter().collect();
                    if !table.push(row, 0) || !sequence_rows(&steps, "∥ ", &mut table) {
                        break;
                    }
                }
            }
        }
        if table.full {
            break;
        }
    }
    if !table.full {
        sequence_rows(&sequence, "", &mut table);
    }
    if table.full {
        let hidden = total.saturating_sub(table.shown);
        let _ = writeln!(
            table.rows,
            "| … | | **{} not shown**: use `--format json` for all of them | | | | | |",
            count_of(hidden, "more step", "more steps")
        );
    }

    let folded = total as usize > UNFOLDED_STEPS;
    if folded {
        let _ = writeln!(out, "<details><summary>All {} steps</summary>\n", total);
    }
    out.push_str("| # | Service | Operation | Region | Target | Change | Est. | Line |\n");
    out.push_str("|---:|---|---|---|---|---|---:|---|\n");
    out.push_str(&table.rows);
    if folded {
        out.push_str("\n</details>\n");
    }
}

/// What decides whether two steps collapse together.
fn run_key(step: &Step) -> (&'static str, &str, &str) {
    (kind_word(step), &step.service, &step.operation)
}

fn is_note(step: &Step) -> bool {
    matches!(step.kind, StepKind::Note { .. })
}

/// Rows for steps that run one after the other (top level between groups, or one branch);
/// false once the table is full.
fn sequence_rows(steps: &[&Step], marker: &str, table: &mut Table) -> bool {
    let mut i = 0;
    while i < steps.len() {
        let first = steps[i];
        let key = run_key(first);
        // A run: the same operation again and again, notes printed in between included.
        let absorbs_notes = !is_note(first);
        let mut members = vec![first];
        let mut end = i + 1;
        for (j, step) in steps.iter().enumerate().skip(i + 1) {
            if run_key(step) == key {
                members.push(step);
                end = j + 1;
            } else if absorbs_notes && is_note(step) {
                continue;
            } else {
                break;
            }
        }
        let (row, shown) = if members.len() > LONGEST_UNCOLLAPSED_RUN {
            let absorbed = (end - i - members.len()) as u64;
            let shown = if is_note(first) {
                0
            } else {
                members.len() as u64
            };
            (run_row(&members, steps[end - 1], absorbed, marker), shown)
        } else {
            end = i + 1;
            (step_row(first, marker), u64::from(!is_note(first)))
        };
        if !table.push(row, shown) {
            return false;
        }
        i = end;
    }
    true
}

/// A detail's value part: `2 -> 4`, `DR Failover Completed`.
fn detail_value(detail: &Detail) -> String {
    match detail {
        Detail::Value { value, .. } => value.clone(),
        Detail::Change { before, after, .. } => format!(
            "{} -> {}",
            before.as_deref().unwrap_or(NONE),
            after.as_deref().unwrap_or(NONE)
        ),
    }
}

fn step_estimate(step: &Step) -> String {
    match step.kind {
        StepKind::Note { .. } => String::new(),
        StepKind::Approval { .. } if step.duration_secs == 0 => String::new(),
        _ => estimate(step.duration_secs),
    }
}

/// One table row from its eight cells (`#` to Line), already escaped.
fn row(cells: [&str; 8]) -> String {
    let mut row = String::from("|");
    for cell in cells {
        if cell.is_empty() {
            row.push_str(" |");
        } else {
            let _ = write!(row, " {cell} |");
        }
    }
    row.push('\n');
    row
}

/// Change-cell lines, at most [`DETAILS_PER_CELL`] of them, then how many are left out.
fn change_cell(mut lines: Vec<String>) -> String {
    if lines.len() > DETAILS_PER_CELL {
        let more = lines.len() - (DETAILS_PER_CELL - 1);
        lines.truncate(DETAILS_PER_CELL - 1);
        lines.push(format!("… {more} more"));
    }
    lines.join("<br>")
}

fn step_row(step: &Step, marker: &str) -> String {
    let number = if is_note(step) {
        String::new()
    } else {
        format!("{marker}{}", step.index)
    };
    let mut lines: Vec<String> = details(step)
        .iter()
        .map(|detail| short(&detail.plain()))
        .collect();
    lines.extend(step.warnings.iter().map(|w| format!("⚠️ {}", short(w))));
    lines.extend(step.notes.iter().map(|n| format!("ℹ️ {}", short(n))));
    row([
        &number,
        &md(service_label(step)),
        &short(&operation_label(step)),
        &md(&region_label(step)),
        &short(&target_label(step)),
        &change_cell(lines),
        &step_estimate(step),
        &short(&origin_label(&step.origin)),
    ])
}

/// `a` when every value is `a`, `a … z` from the first to the last otherwise.
fn range(values: &[String]) -> String {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return String::new();
    };
    if values.iter().all(|value| value == first) {
        short(first)
    } else if first == last {
        format!("{} (varies)", md(&cut(first, SHORT_TEXT / 2)))
    } else {
        format!(
            "{} … {}",
            md(&cut(first, SHORT_TEXT / 2)),
            md(&cut(last, SHORT_TEXT / 2))
        )
    }
}

/// One row for a run of the same operation: `12–8011 | ec2 | CreateSnapshot ×8000 | ...`.
fn run_row(members: &[&Step], last_step: &Step, absorbed_notes: u64, marker: &str) -> String {
    let first = members[0];
    let number = if is_note(first) {
        String::new()
    } else {
        format!("{marker}{}–{}", first.index, last_step.index)
    };

    let operations: Vec<String> = members.iter().map(|s| operation_label(s)).collect();
    let mut operation = format!("{} ×{}", range(&operations), members.len());
    if absorbed_notes > 0 {
        let _ = write!(
            operation,
            " ({} not shown)",
            count_of(absorbed_notes, "note", "notes")
        );
    }

    let mut regions: Vec<String> = Vec::new();
    for step in members {
        let region = region_label(step);
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    let region = match regions.len() {
        0..=3 => regions.iter().map(|r| md(r)).collect::<Vec<_>>().join(", "),
        n => format!("{n} regions"),
    };

    let targets: Vec<String> = members.iter().map(|s| target_label(s)).collect();
    let origins: Vec<String> = members.iter().map(|s| origin_label(&s.origin)).collect();

    let all_details: Vec<Vec<Detail>> = members.iter().map(|s| details(s)).collect();
    let labels_of = |d: &Vec<Detail>| d.iter().map(|x| x.label().to_string()).collect::<Vec<_>>();
    let first_labels = labels_of(&all_details[0]);
    let mut lines: Vec<String> = if all_details.iter().all(|d| labels_of(d) == first_labels) {
        first_labels
            .iter()
            .enumerate()
            .map(|(k, label)| {
                let values: Vec<String> = all_details.iter().map(|d| detail_value(&d[k])).collect();
                format!("{} {}", md(label), range(&values))
            })
            .collect()
    } else {
        let mut lines = vec!["varies; the first:".to_string()];
        lines.extend(all_details[0].iter().map(|d| short(&d.plain())));
        lines
    };
    let warnings: Vec<&String> = members.iter().flat_map(|s| &s.warnings).collect();
    if let Some(warning) = warnings.first() {
        let mut line = format!("⚠️ {}", short(warning));
        if warnings.len() > 1 {
            let _ = write!(line, " (and {} more)", warnings.len() - 1);
        }
        lines.push(line);
    }

    let total_secs: u64 = members.iter().map(|s| s.duration_secs).sum();
    let est = match first.kind {
        StepKind::Note { .. } => String::new(),
        StepKind::Approval { .. } if total_secs == 0 => String::new(),
        _ => format!("{} total", estimate(total_secs)),
    };

    row([
        &number,
        &md(service_label(first)),
        &operation,
        &region,
        &range(&targets),
        &change_cell(lines),
        &est,
        &range(&origins),
    ])
}
