//! `ripcord drill FAILOVER --failback FAILBACK [--verify VERIFY]`: a DR exercise as one
//! record. Each phase is an ordinary `apply` (capture, plan, confirmation, journal, report);
//! the drill runs them in order, stops at the first that does not complete, and writes the
//! evidence of the whole exercise: `drill.json` (the phases and their runs) and the evidence
//! report of every run one after the other, in Markdown and as one HTML page.

use crate::cli::{ApplyArgs, ColorChoice, DrillArgs};
use crate::exit::Exit;
use ripcord_core::RunbookMeta;
use ripcord_journal::{html_page, render_html_section, render_markdown, EvidenceReport, Run};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One phase of the drill as `drill.json` records it.
#[derive(Debug, Clone)]
struct Phase {
    phase: &'static str,
    runbook: String,
    /// The run the phase's `apply` journaled; none when it stopped before journaling.
    run_id: Option<String>,
    /// `completed`, `failed (exit N)`, or `not run` after an earlier phase failed.
    outcome: String,
}

pub fn run(args: &DrillArgs, color: ColorChoice) -> Exit {
    let runs = crate::runs_dir::resolve(args.runs_dir.as_deref());
    let name = args
        .failover
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drill".to_string());
    let drill_id = crate::apply::run_id_named(&RunbookMeta::default(), &format!("drill-{name}"));
    let started_at = jiff::Timestamp::now().to_string();
    let mut phases: Vec<(&'static str, &PathBuf)> = vec![("failover", &args.failover)];
    if let Some(verify) = &args.verify {
        phases.push(("verify", verify));
    }
    phases.push(("failback", &args.failback));

    let mut record = Vec::new();
    let mut result = Exit::Ok;
    for (phase, runbook) in phases {
        if result != Exit::Ok {
            record.push(Phase {
                phase,
                runbook: runbook.display().to_string(),
                run_id: None,
                outcome: "not run".to_string(),
            });
            continue;
        }
        eprintln!("drill {drill_id}: {phase}: {}", runbook.display());
        let before = run_ids(&runs);
        let exit = crate::apply::run(&apply_args(args, runbook), color);
        let run_id = run_ids(&runs).difference(&before).next().cloned();
        record.push(Phase {
            phase,
            runbook: runbook.display().to_string(),
            run_id,
            outcome: if exit == Exit::Ok {
                "completed".to_string()
            } else {
                format!("failed (exit {})", exit as i32)
            },
        });
        result = exit;
    }

    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| runs.join("drills").join(&drill_id));
    let finished_at = jiff::Timestamp::now().to_string();
    let reports: Vec<(&Phase, EvidenceReport)> = record
        .iter()
        .filter_map(|phase| {
            let id = phase.run_id.as_ref()?;
            let run = ripcord_journal::read_run(&runs, id).ok()?;
            Some((phase, report_of(&run)))
        })
        .collect();
    let completed = result == Exit::Ok;
    let json = serde_json::json!({
        "drill_id": drill_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "completed": completed,
        "phases": record.iter().map(|p| serde_json::json!({
            "phase": p.phase,
            "runbook": p.runbook,
            "run_id": p.run_id,
            "outcome": p.outcome,
        })).collect::<Vec<_>>(),
    });
    let written = serde_json::to_string_pretty(&json)
        .map_err(|e| e.to_string())
        .map(|text| text + "\n");
    let json = match written {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: the drill's record cannot be written: {err}");
            return Exit::BadInput;
        }
    };
    let summary = Summary {
        drill_id: &drill_id,
        started_at: &started_at,
        finished_at: &finished_at,
        completed,
        phases: &record,
    };
    if let Err(err) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create {}: {err}", dir.display());
        return Exit::BadInput;
    }
    for (file, text) in [
        ("drill.json", json),
        ("evidence.md", markdown(&summary, &reports)),
        ("evidence.html", html(&summary, &reports)),
    ] {
        if let Err(exit) = crate::output::write_file(&dir.join(file), &text) {
            return exit;
        }
    }
    eprintln!(
        "drill {drill_id}: {}; evidence in {} (evidence.md, evidence.html, drill.json)",
        if completed {
            "completed"
        } else {
            "did not complete"
        },
        dir.display()
    );
    result
}

/// The `apply` of one phase, with the drill's live options.
fn apply_args(args: &DrillArgs, runbook: &Path) -> ApplyArgs {
    ApplyArgs {
        runbook: Some(runbook.to_path_buf()),
        plan: None,
        resume: None,
        accept_drift: false,
        live: args.live.clone(),
        quotas: args.quotas.clone(),
        regions: Vec::new(),
        yes: args.yes,
        approve_gates: args.approve_gates,
        auto_approve: false,
        runs_dir: args.runs_dir.clone(),
        engine: None,
        approval_topic: None,
    }
}

/// The run directories under `runs` (a journal each), by name: what a phase's `apply` adds
/// is its run. The names only: no journal is read.
fn run_ids(runs: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(runs) else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().join("journal.jsonl").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn report_of(run: &Run) -> EvidenceReport {
    let estimate = crate::report::estimate(run);
    EvidenceReport::build(run, &estimate)
}

struct Summary<'a> {
    drill_id: &'a str,
    started_at: &'a str,
    finished_at: &'a str,
    completed: bool,
    phases: &'a [Phase],
}

/// The drill's table: one row per phase, then each run's report.
fn markdown(summary: &Summary, reports: &[(&Phase, EvidenceReport)]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# DR drill {}\n", summary.drill_id);
    let _ = writeln!(
        out,
        "{} from {} to {}.\n",
        if summary.completed {
            "Completed"
        } else {
            "**Did not complete**"
        },
        summary.started_at,
        summary.finished_at
    );
    let _ = writeln!(out, "| phase | runbook | run | outcome | recovery time |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for phase in summary.phases {
        let rto = recovery(reports, phase);
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            phase.phase,
            phase.runbook,
            phase
                .run_id
                .as_deref()
                .map(|id| format!("`{id}`"))
                .unwrap_or_default(),
            phase.outcome,
            rto
        );
    }
    for (phase, report) in reports {
        let _ = writeln!(out, "\n---\n\n## Phase: {}\n", phase.phase);
        out.push_str(&render_markdown(report));
    }
    out
}

/// The drill as one self-contained page: its table, then each run's report with its
/// timeline.
fn html(summary: &Summary, reports: &[(&Phase, EvidenceReport)]) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p class=\"drill\">{} from {} to {}.</p>\n<table class=\"drill\">\n<tr><th>phase</th><th>runbook</th><th>run</th><th>outcome</th><th>recovery time</th></tr>",
        if summary.completed { "Completed" } else { "Did not complete" },
        escape(summary.started_at),
        escape(summary.finished_at)
    );
    for phase in summary.phases {
        let rto = recovery(reports, phase);
        let _ = writeln!(
            body,
            "<tr class=\"phase\" data-phase=\"{}\"><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            phase.phase,
            phase.phase,
            escape(&phase.runbook),
            escape(phase.run_id.as_deref().unwrap_or("")),
            escape(&phase.outcome),
            escape(&rto)
        );
    }
    let _ = writeln!(body, "</table>");
    for (phase, report) in reports {
        let _ = writeln!(
            body,
            "<section class=\"phase\" data-phase=\"{}\">\n<h1>Phase: {}</h1>",
            phase.phase, phase.phase
        );
        body.push_str(&render_html_section(report));
        let _ = writeln!(body, "</section>");
    }
    html_page(&format!("DR drill {}", summary.drill_id), &body)
}

/// A phase's recovery time against its RTO, in its report's words (empty without a run).
fn recovery(reports: &[(&Phase, EvidenceReport)], phase: &Phase) -> String {
    reports
        .iter()
        .find(|(p, _)| p.phase == phase.phase)
        .map(|(_, r)| r.rto_verdict().1)
        .unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
