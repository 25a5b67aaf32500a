//! The evidence report in Markdown: plain tables that fit a pull request or a ticket. Every
//! text from the journal is escaped, so a message cannot break a table or mention anyone.

use super::format::{md, offset, value};
use super::{EvidenceReport, Verdict};
use std::fmt::Write as _;

/// At most this many overlapping steps are named in a row; the rest are counted.
const OVERLAPS_NAMED: usize = 8;

/// Renders the report as Markdown.
pub fn render_markdown(report: &EvidenceReport) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail: the `let _ =` below drop an always-Ok result.
    let _ = writeln!(out, "## Evidence report: run {}\n", md(&report.run_id));
    run_table(&mut out, report);
    objectives(&mut out, report);
    steps(&mut out, report);
    approvals(&mut out, report);
    recovery_point(&mut out, report);
    left_changed(&mut out, report);
    out
}

fn run_table(out: &mut String, report: &EvidenceReport) {
    let unknown = "unknown".to_string();
    let rows: Vec<(&str, String)> = vec![
        ("Run", md(&report.run_id)),
        (
            "Runbook",
            match &report.name {
                Some(name) => format!("{} ({})", md(name), md(&report.runbook_path)),
                None => md(&report.runbook_path),
            },
        ),
        ("Runbook SHA-256", md(&report.runbook_sha256)),
        ("Account", md(report.account.as_ref().unwrap_or(&unknown))),
        ("Mode", md(&report.mode)),
        (
            "Run by",
            match &report.operator {
                Some(who) => md(who),
                None => "not recorded (the journal does not name who ran it; approvals name their approvers)".to_string(),
            },
        ),
        ("Started", md(report.started_at.as_ref().unwrap_or(&unknown))),
        ("Ended", md(report.ended_at.as_ref().unwrap_or(&unknown))),
        ("Status", md(&report.status_text())),
        (
            "Planned against",
            format!(
                "{} (SHA-256 {})",
                md(&report.inventory_file),
                md(&report.inventory_sha256)
            ),
        ),
        ("ripcord", md(&report.ripcord_version)),
    ];
    let _ = writeln!(out, "| | |\n|---|---|");
    for (key, text) in rows {
        let _ = writeln!(out, "| {key} | {text} |");
    }
    if let Some(error) = &report.error {
        let _ = writeln!(out, "| Error | {} |", md(error));
    }
    out.push('\n');
}

fn verdict_tag(verdict: Option<Verdict>) -> String {
    match verdict {
        Some(Verdict::Met) => "✅ **met**".to_string(),
        Some(v) => format!("❌ **{}**", v.word()),
        None => "—".to_string(),
    }
}

fn objectives(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "### Objectives\n");
    let (rto, rto_text) = report.rto_verdict();
    let (rpo, rpo_text) = report.rpo_verdict();
    let _ = writeln!(out, "| | verdict | |\n|---|---|---|");
    let _ = writeln!(out, "| RTO | {} | {} |", verdict_tag(rto), md(&rto_text));
    let _ = writeln!(
        out,
        "| Plan's estimate | — | {} |",
        md(&report.estimate_sentence())
    );
    let _ = writeln!(out, "| RPO | {} | {} |", verdict_tag(rpo), md(&rpo_text));
    out.push('\n');
}

fn steps(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "### Steps\n");
    if report.steps.is_empty() {
        let _ = writeln!(out, "The journal records no step.\n");
    } else {
        let mut intro = format!(
            "{} step(s), in the order the journal wrote them; start is the offset from the run's start.",
            report.steps.len()
        );
        if report.has_parallel() {
            intro.push_str(" Steps whose times overlap ran in parallel branches: the journal records no parallel groups, so the lanes are inferred from the times.");
        }
        let _ = writeln!(out, "{}\n", md(&intro));
        let _ = writeln!(
            out,
            "| # | start | duration | estimate | lane | kind | step | result | details |\n|---|---|---|---|---|---|---|---|---|"
        );
        for step in &report.steps {
            let mut details: Vec<String> = step.details().iter().map(|d| md(d)).collect();
            if !step.overlaps.is_empty() {
                let mut named: Vec<String> = step
                    .overlaps
                    .iter()
                    .take(OVERLAPS_NAMED)
                    .map(|s| s.to_string())
                    .collect();
                if step.overlaps.len() > OVERLAPS_NAMED {
                    named.push(format!("{} more", step.overlaps.len() - OVERLAPS_NAMED));
                }
                details.push(format!("in parallel with {}", named.join(", ")));
            }
            let result = match step.failed() {
                true => format!("❌ {}", md(&step.result_text())),
                false => md(&step.result_text()),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                step.seq,
                offset(step.start_ms),
                step.duration_text(),
                step.estimate_text().unwrap_or_else(|| "—".to_string()),
                step.lane + 1,
                step.kind(),
                md(&step.label()),
                result,
                details.join("<br>")
            );
        }
        out.push('\n');
    }
    for resumed in &report.resumes {
        let _ = writeln!(
            out,
            "Resumed at {} ({}) by process {} (apply --resume): steps from {} on are its.\n",
            offset(resumed.offset_ms),
            md(&resumed.at),
            resumed.pid,
            resumed.next_seq
        );
    }
    if !report.not_started.is_empty() {
        let _ = writeln!(
            out,
            "Planned but not in the journal ({}): the run stopped before them, or took another path:\n",
            report.not_started.len()
        );
        for label in &report.not_started {
            let _ = writeln!(out, "- {}", md(label));
        }
        out.push('\n');
    }
}

fn approvals(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "### Approvals\n");
    let approvals = report.approvals();
    if approvals.is_empty() {
        let _ = writeln!(out, "The run asked for no approval.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| # | question | approved by | when | result |\n|---|---|---|---|---|"
    );
    for approval in approvals {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            approval.seq,
            md(&approval.message),
            approval
                .approved_by
                .as_deref()
                .map(md)
                .unwrap_or_else(|| "not approved".to_string()),
            approval
                .at
                .as_deref()
                .map(md)
                .unwrap_or_else(|| "—".to_string()),
            md(&approval.result)
        );
    }
    out.push('\n');
}

fn recovery_point(out: &mut String, report: &EvidenceReport) {
    if report.lags.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Replication lag at cutover\n");
    let _ = writeln!(
        out,
        "| database | cut over by | lag | read |\n|---|---|---|---|"
    );
    for lag in &report.lags {
        let _ = writeln!(
            out,
            "| {} | step {}: {} | {} | {} |",
            md(&lag.resource()),
            lag.cutover_seq,
            md(&lag.cutover_label),
            match (lag.lag_secs, &lag.source) {
                (Some(secs), _) => format!("{secs}s"),
                (None, Some(_)) => "no lag reported".to_string(),
                (None, None) => "not measured".to_string(),
            },
            md(&lag.source_text())
        );
    }
    out.push('\n');
}

fn left_changed(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "### Left changed\n");
    if report.left.is_empty() {
        let _ = writeln!(
            out,
            "No attribute is recorded as changed (by the journal, or by the plan for the steps that succeeded).\n"
        );
        return;
    }
    let _ = writeln!(
        out,
        "| resource | attribute | before | after | steps |\n|---|---|---|---|---|"
    );
    for change in &report.left {
        let steps: Vec<String> = change.steps.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}{} |",
            md(&change.resource),
            md(&change.field),
            md(value(&change.before)),
            md(value(&change.after)),
            steps.join(", "),
            if change.planned { " (as planned)" } else { "" }
        );
    }
    out.push('\n');
    if report.left.iter().any(|c| c.planned) {
        let _ = writeln!(
            out,
            "Values marked \"as planned\" come from the plan: the journal records no before/after values for those steps (the live backend does not report them), and each succeeded.\n"
        );
    }
}
