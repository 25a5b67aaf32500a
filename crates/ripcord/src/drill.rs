//! `ripcord drill FAILOVER --failback FAILBACK [--verify VERIFY]`: a DR exercise as one
//! record. Each phase is an ordinary `apply` (capture, plan, confirmation, journal, report);
//! the drill runs them in order, stops at the first that does not complete, and writes the
//! evidence of the whole exercise: `drill.json` (the phases and their runs) and the evidence
//! report of every run one after the other, in Markdown and as one HTML page.

use crate::cli::{ApplyArgs, ColorChoice, DrillArgs};
use crate::drill_record::{DrillRecord, PhaseRecord, COMPLETED, NOT_RUN, RUNNING};
use crate::exit::Exit;
use ripcord_core::RunbookMeta;
use ripcord_journal::{html_page, render_html_section, render_markdown, EvidenceReport, Run};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn run(args: &DrillArgs, color: ColorChoice) -> Exit {
    let runs = crate::runs_dir::resolve(args.runs_dir.as_deref());
    let record = match &args.resume {
        Some(id) => match resumable(&runs, id) {
            Ok(record) => record,
            Err(exit) => return exit,
        },
        None => match new_record(args) {
            Ok(record) => record,
            Err(exit) => return exit,
        },
    };
    carry_out(args, color, &runs, record)
}

/// A new drill's record: its phases, none run yet.
fn new_record(args: &DrillArgs) -> Result<DrillRecord, Exit> {
    // clap requires both unless --resume is given.
    let (Some(failover), Some(failback)) = (&args.failover, &args.failback) else {
        return Err(Exit::Usage);
    };
    let name = failover
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drill".to_string());
    let drill_id = crate::apply::run_id_named(&RunbookMeta::default(), &format!("drill-{name}"));
    let mut phases: Vec<(&'static str, &PathBuf)> = vec![("failover", failover)];
    if let Some(verify) = &args.verify {
        phases.push(("verify", verify));
    }
    phases.push(("failback", failback));
    Ok(DrillRecord {
        drill_id,
        started_at: jiff::Timestamp::now().to_string(),
        finished_at: None,
        completed: false,
        report_dir: args.report_dir.clone(),
        phases: phases
            .into_iter()
            .map(|(phase, runbook)| PhaseRecord {
                phase: phase.to_string(),
                runbook: runbook.display().to_string(),
                run_id: None,
                outcome: NOT_RUN.to_string(),
                started_at: None,
            })
            .collect(),
    })
}

/// `drill --resume DRILL_ID`: the drill's record, refused when it completed.
fn resumable(runs: &Path, id: &str) -> Result<DrillRecord, Exit> {
    let record = DrillRecord::load(&runs.join("drills").join(id)).map_err(|err| {
        eprintln!("error: cannot resume drill {id}: {err}");
        Exit::BadInput
    })?;
    if record.completed {
        eprintln!("refused: drill {id} completed; there is nothing to resume");
        return Err(Exit::Refused);
    }
    Ok(record)
}

/// Runs the phases not completed yet, in order, each an `apply` (a phase that has a run not
/// completed is `apply --resume`d), stops at the first that does not complete, and writes
/// the evidence. The record is saved before each phase and after it.
fn carry_out(args: &DrillArgs, color: ColorChoice, runs: &Path, mut record: DrillRecord) -> Exit {
    let drill_id = record.drill_id.clone();
    let state_dir = runs.join("drills").join(&drill_id);
    let save = |record: &DrillRecord| {
        if let Err(err) = record.save(&state_dir) {
            eprintln!("warning: {err}: the drill cannot be resumed from it");
        }
    };
    let mut result = Exit::Ok;
    for k in 0..record.phases.len() {
        if result != Exit::Ok {
            record.phases[k].outcome = NOT_RUN.to_string();
            continue;
        }
        let phase = record.phases[k].clone();
        if phase.outcome == COMPLETED {
            continue;
        }
        // A phase the drill was interrupted in: its run, when its apply journaled one.
        let earlier = phase.run_id.clone().or_else(|| {
            phase
                .started_at
                .as_deref()
                .and_then(|since| run_since(runs, &phase.runbook, since))
        });
        let earlier_status = earlier
            .as_deref()
            .and_then(|id| ripcord_journal::read_run(runs, id).ok())
            .map(|run| run.status());
        let runbook = PathBuf::from(&phase.runbook);
        let (exit, run_id) = match (earlier, earlier_status) {
            (Some(id), Some(Some(ripcord_journal::RunStatus::Completed))) => {
                eprintln!("drill {drill_id}: {}: run {id} completed", phase.phase);
                (Exit::Ok, Some(id))
            }
            (Some(id), Some(_)) => {
                eprintln!("drill {drill_id}: {}: resuming run {id}", phase.phase);
                let exit = crate::apply::run(&resume_args(args, &id), color);
                (exit, Some(id))
            }
            _ => {
                eprintln!("drill {drill_id}: {}: {}", phase.phase, phase.runbook);
                record.phases[k].outcome = RUNNING.to_string();
                record.phases[k].started_at = Some(jiff::Timestamp::now().to_string());
                save(&record);
                let before = run_ids(runs);
                let exit = crate::apply::run(&apply_args(args, &runbook), color);
                (exit, run_ids(runs).difference(&before).next().cloned())
            }
        };
        record.phases[k].run_id = run_id;
        record.phases[k].outcome = if exit == Exit::Ok {
            COMPLETED.to_string()
        } else {
            format!("failed (exit {})", exit as i32)
        };
        save(&record);
        result = exit;
    }
    record.completed = result == Exit::Ok;
    record.finished_at = Some(jiff::Timestamp::now().to_string());
    save(&record);
    let dir = record
        .report_dir
        .clone()
        .unwrap_or_else(|| state_dir.clone());
    if let Err(exit) = write_evidence(runs, &record, &dir) {
        return exit;
    }
    eprintln!(
        "drill {drill_id}: {}; evidence in {} (evidence.md, evidence.html, drill.json)",
        if record.completed {
            "completed"
        } else {
            "did not complete"
        },
        dir.display()
    );
    if !record.completed {
        eprintln!(
            "  Resume it once the cause is fixed: ripcord drill --resume {drill_id}{}",
            args.runs_dir
                .as_deref()
                .map(|dir| format!(" --runs-dir {}", dir.display()))
                .unwrap_or_default()
        );
    }
    result
}

/// `drill.json`, `evidence.md` and `evidence.html` in `dir`.
fn write_evidence(runs: &Path, record: &DrillRecord, dir: &Path) -> Result<(), Exit> {
    let reports: Vec<(&PhaseRecord, EvidenceReport)> = record
        .phases
        .iter()
        .filter_map(|phase| {
            let id = phase.run_id.as_ref()?;
            let run = ripcord_journal::read_run(runs, id).ok()?;
            Some((phase, report_of(&run)))
        })
        .collect();
    let json = record.to_json().map_err(|err| {
        eprintln!("error: the drill's record cannot be written: {err}");
        Exit::BadInput
    })?;
    if let Err(err) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {err}", dir.display());
        return Err(Exit::BadInput);
    }
    for (file, text) in [
        ("drill.json", json),
        ("evidence.md", markdown(record, &reports)),
        ("evidence.html", html(record, &reports)),
    ] {
        crate::output::write_file(&dir.join(file), &text)?;
    }
    Ok(())
}

/// The first run of `runbook` whose journal started at or after `since` (a phase's start):
/// the run of a phase whose drill was interrupted before it recorded it.
fn run_since(runs: &Path, runbook: &str, since: &str) -> Option<String> {
    let since: jiff::Timestamp = since.parse().ok()?;
    run_ids(runs)
        .into_iter()
        .filter_map(|id| {
            let run = ripcord_journal::read_run(runs, &id).ok()?;
            let header = run.header()?;
            let at: jiff::Timestamp = run.records.first()?.at.parse().ok()?;
            (header.runbook_path == runbook && at >= since).then_some((at, id))
        })
        .min()
        .map(|(_, id)| id)
}

/// `apply --resume RUN_ID` of a phase's run, with the drill's live options.
fn resume_args(args: &DrillArgs, run_id: &str) -> ApplyArgs {
    ApplyArgs {
        runbook: None,
        resume: Some(run_id.to_string()),
        ..apply_args(args, Path::new(""))
    }
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

/// The drill's table: one row per phase, then each run's report.
fn markdown(summary: &DrillRecord, reports: &[(&PhaseRecord, EvidenceReport)]) -> String {
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
        summary.finished_at.as_deref().unwrap_or_default()
    );
    let _ = writeln!(out, "| phase | runbook | run | outcome | recovery time |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for phase in &summary.phases {
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
fn html(summary: &DrillRecord, reports: &[(&PhaseRecord, EvidenceReport)]) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p class=\"drill\">{} from {} to {}.</p>\n<table class=\"drill\">\n<tr><th>phase</th><th>runbook</th><th>run</th><th>outcome</th><th>recovery time</th></tr>",
        if summary.completed { "Completed" } else { "Did not complete" },
        escape(&summary.started_at),
        escape(summary.finished_at.as_deref().unwrap_or_default())
    );
    for phase in &summary.phases {
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
fn recovery(reports: &[(&PhaseRecord, EvidenceReport)], phase: &PhaseRecord) -> String {
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
