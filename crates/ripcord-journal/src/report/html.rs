//! The evidence report as one self-contained HTML page: inline CSS, the timeline as inline
//! SVG, no script and nothing fetched (its Content-Security-Policy forbids it), so it can be
//! attached to a ticket and opened anywhere.

use super::format::{html, offset, value};
use super::{svg, EvidenceReport, Verdict};
use std::fmt::Write as _;

/// Renders the report as an HTML page.
pub fn render_html(report: &EvidenceReport) -> String {
    let title = format!("Evidence report: run {}", report.run_id);
    html_page(&title, &render_html_section(report))
}

/// A self-contained page around `body`: the report's style, a Content-Security-Policy that
/// fetches nothing, `title` as the page's title and first heading.
pub fn html_page(title: &str, body: &str) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail: the `let _ =` below drop an always-Ok result.
    let _ = writeln!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{}</h1>"#,
        html(title),
        html(title)
    );
    out.push_str(body);
    let _ = writeln!(out, "</body>\n</html>");
    out
}

/// The report's content, without the page around it, so that a drill's page holds the
/// reports of its runs one after the other.
pub fn render_html_section(report: &EvidenceReport) -> String {
    let mut out = String::new();
    run_table(&mut out, report);
    objectives(&mut out, report);
    let _ = writeln!(out, "<h2>Timeline</h2>\n<figure>");
    out.push_str(&svg::timeline_svg(report));
    let _ = writeln!(
        out,
        "<figcaption>One row per step, at its start and for its measured duration; the lighter bar under it is the plan's estimate of that step. Shaded rows overlapped in time: parallel branches, inferred from the times (the journal records no parallel groups); colours tell the lanes apart. Red: failed. The dashed red line is the RTO, the black line the run's end.</figcaption>\n</figure>"
    );
    steps(&mut out, report);
    approvals(&mut out, report);
    recovery_point(&mut out, report);
    left_changed(&mut out, report);
    let _ = writeln!(
        out,
        "<footer>Written by ripcord from the journal of run {} (journal.jsonl, {}).</footer>",
        html(&report.run_id),
        html(&report.inventory_file)
    );
    out
}

fn row(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "<tr><th>{key}</th><td>{value}</td></tr>");
}

fn run_table(out: &mut String, report: &EvidenceReport) {
    let unknown = "unknown".to_string();
    let _ = writeln!(out, r#"<table class="run">"#);
    row(out, "Run", &html(&report.run_id));
    let runbook = match &report.name {
        Some(name) => format!("{} ({})", html(name), html(&report.runbook_path)),
        None => html(&report.runbook_path),
    };
    row(out, "Runbook", &runbook);
    row(
        out,
        "Runbook SHA-256",
        &format!("<code>{}</code>", html(&report.runbook_sha256)),
    );
    row(
        out,
        "Account",
        &html(report.account.as_ref().unwrap_or(&unknown)),
    );
    row(out, "Mode", &html(&report.mode));
    let who = match &report.operator {
        Some(who) => html(who),
        None => {
            "not recorded (the journal does not name who ran it; approvals name their approvers)"
                .to_string()
        }
    };
    row(out, "Run by", &who);
    row(
        out,
        "Started",
        &html(report.started_at.as_ref().unwrap_or(&unknown)),
    );
    row(
        out,
        "Ended",
        &html(report.ended_at.as_ref().unwrap_or(&unknown)),
    );
    row(out, "Status", &html(&report.status_text()));
    row(
        out,
        "Planned against",
        &format!(
            "{} (SHA-256 <code>{}</code>)",
            html(&report.inventory_file),
            html(&report.inventory_sha256)
        ),
    );
    row(out, "ripcord", &html(&report.ripcord_version));
    if let Some(error) = &report.error {
        row(out, "Error", &html(error));
    }
    let _ = writeln!(out, "</table>");
}

fn verdict_cell(verdict: Option<Verdict>) -> String {
    match verdict {
        Some(v) => format!(
            r#"<td class="verdict {}">{}</td>"#,
            if v == Verdict::Met { "met" } else { "missed" },
            v.word()
        ),
        None => r#"<td class="verdict">—</td>"#.to_string(),
    }
}

fn objectives(out: &mut String, report: &EvidenceReport) {
    let (rto, rto_text) = report.rto_verdict();
    let (rpo, rpo_text) = report.rpo_verdict();
    let _ = writeln!(out, "<h2>Objectives</h2>\n<table class=\"objectives\">");
    let _ = writeln!(
        out,
        "<tr class=\"rto\"><th>RTO</th>{}<td>{}</td></tr>",
        verdict_cell(rto),
        html(&rto_text)
    );
    let _ = writeln!(
        out,
        "<tr class=\"estimate\"><th>Plan's estimate</th>{}<td>{}</td></tr>",
        verdict_cell(None),
        html(&report.estimate_sentence())
    );
    let _ = writeln!(
        out,
        "<tr class=\"rpo\"><th>RPO</th>{}<td>{}</td></tr>",
        verdict_cell(rpo),
        html(&rpo_text)
    );
    let _ = writeln!(out, "</table>");
}

fn steps(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "<h2>Steps</h2>");
    if report.steps.is_empty() {
        let _ = writeln!(out, "<p>The journal records no step.</p>");
    } else {
        let _ = writeln!(
            out,
            "<table class=\"steps\">\n<tr><th>#</th><th>start</th><th>duration</th><th>estimate</th><th>lane</th><th>kind</th><th>step</th><th>result</th><th>details</th></tr>"
        );
        for step in &report.steps {
            let mut details: Vec<String> = step.details().iter().map(|d| html(d)).collect();
            if !step.overlaps.is_empty() {
                let seqs: Vec<String> = step.overlaps.iter().map(|s| s.to_string()).collect();
                details.push(format!("in parallel with {}", seqs.join(", ")));
            }
            let _ = writeln!(
                out,
                "<tr class=\"{}\" data-step=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if step.failed() { "failed" } else { "" },
                step.seq,
                step.seq,
                html(&offset(step.start_ms)),
                html(&step.duration_text()),
                step.estimate_text().map(|e| html(&e)).unwrap_or_else(|| "—".to_string()),
                step.lane + 1,
                step.kind(),
                html(&step.label()),
                html(&step.result_text()),
                details.join("<br>")
            );
        }
        let _ = writeln!(out, "</table>");
    }
    for resumed in &report.resumes {
        let _ = writeln!(
            out,
            "<p>Resumed at {} ({}) by process {} (apply --resume): steps from {} on are its.</p>",
            html(&offset(resumed.offset_ms)),
            html(&resumed.at),
            resumed.pid,
            resumed.next_seq
        );
    }
    if !report.not_started.is_empty() {
        let _ = writeln!(
            out,
            "<p>Planned but not in the journal ({}): the run stopped before them, or took another path:</p>\n<ul>",
            report.not_started.len()
        );
        for label in &report.not_started {
            let _ = writeln!(out, "<li>{}</li>", html(label));
        }
        let _ = writeln!(out, "</ul>");
    }
}

fn approvals(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "<h2>Approvals</h2>");
    let approvals = report.approvals();
    if approvals.is_empty() {
        let _ = writeln!(out, "<p>The run asked for no approval.</p>");
        return;
    }
    let _ = writeln!(
        out,
        "<table class=\"approvals\">\n<tr><th>#</th><th>question</th><th>approved by</th><th>when</th><th>result</th></tr>"
    );
    for approval in approvals {
        let _ = writeln!(
            out,
            "<tr data-step=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            approval.seq,
            approval.seq,
            html(&approval.message),
            approval
                .approved_by
                .as_deref()
                .map(html)
                .unwrap_or_else(|| "not approved".to_string()),
            approval
                .at
                .as_deref()
                .map(html)
                .unwrap_or_else(|| "—".to_string()),
            html(&approval.result)
        );
    }
    let _ = writeln!(out, "</table>");
}

fn recovery_point(out: &mut String, report: &EvidenceReport) {
    if report.lags.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>Replication lag at cutover</h2>\n<table class=\"lags\">\n<tr><th>database</th><th>cut over by</th><th>lag</th><th>read</th></tr>"
    );
    for lag in &report.lags {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>step {}: {}</td><td>{}</td><td>{}</td></tr>",
            html(&lag.resource()),
            lag.cutover_seq,
            html(&lag.cutover_label),
            match (lag.lag_secs, &lag.source) {
                (Some(secs), _) => format!("{secs}s"),
                (None, Some(_)) => "no lag reported".to_string(),
                (None, None) => "not measured".to_string(),
            },
            html(&lag.source_text())
        );
    }
    let _ = writeln!(out, "</table>");
}

fn left_changed(out: &mut String, report: &EvidenceReport) {
    let _ = writeln!(out, "<h2>Left changed</h2>");
    if report.left.is_empty() {
        let _ = writeln!(
            out,
            "<p>No attribute is recorded as changed (by the journal, or by the plan for the steps that succeeded).</p>"
        );
        return;
    }
    let _ = writeln!(
        out,
        "<table class=\"left\">\n<tr><th>resource</th><th>attribute</th><th>before</th><th>after</th><th>steps</th></tr>"
    );
    for change in &report.left {
        let steps: Vec<String> = change.steps.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            html(&change.resource),
            html(&change.field),
            html(value(&change.before)),
            html(value(&change.after)),
            steps.join(", "),
            if change.planned { " (as planned)" } else { "" }
        );
    }
    let _ = writeln!(out, "</table>");
    if report.left.iter().any(|c| c.planned) {
        let _ = writeln!(
            out,
            "<p class=\"note\">Values marked “as planned” come from the plan: the journal records no before/after values for those steps (the live backend does not report them), and each succeeded.</p>"
        );
    }
}

const STYLE: &str = "\
body{font:14px/1.45 system-ui,sans-serif;color:#222;max-width:1100px;margin:2em auto;padding:0 1em}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\
table.run th,table.objectives th{background:#f6f6f6;white-space:nowrap}\
tr.failed td{background:#fdecea}\
td.verdict{font-weight:bold;white-space:nowrap}\
td.verdict.met{color:#1b7f3b}td.verdict.missed{color:#c62828}\
code{font-size:.9em}\
figure{margin:1em 0;overflow-x:auto}figcaption{color:#555;font-size:.9em;max-width:960px}\
.note{color:#555;font-size:.9em}\
footer{margin-top:2em;color:#777;font-size:.85em}";
