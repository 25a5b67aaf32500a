//! The per-step timeline of a run, as `ripcord runs show` prints it.

use crate::reader::Run;
use crate::record::{Entry, RunStatus};
use ripcord_core::duration::format_duration;
use ripcord_core::Intent;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One line per step with its start offset, duration and result; steps sent without a result
/// (the process died) say so; then how the run ended against its RTO. A run that did not
/// complete did not recover: its last lines say what was done and what the RTO has left at
/// `now`, counted from the run's start (the outage goes on when the run stops).
pub fn render_timeline(run: &Run, now: jiff::Timestamp) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let Some(header) = run.header() else {
        return "(a journal without a header)\n".to_string();
    };
    let start = run
        .records
        .first()
        .and_then(|r| r.at.parse::<jiff::Timestamp>().ok());
    let offset = |at: &str| -> String {
        match (start, at.parse::<jiff::Timestamp>()) {
            (Some(s), Ok(t)) => format!(
                "+{:.1}s",
                (t.as_millisecond() - s.as_millisecond()) as f64 / 1000.0
            ),
            _ => "?".to_string(),
        }
    };
    let _ = writeln!(
        out,
        "Run {}  ({}, {}, sha256 {})",
        header.run_id,
        header.mode,
        header.runbook_path,
        header
            .runbook_sha256
            .get(..8)
            .unwrap_or(&header.runbook_sha256)
    );
    let _ = writeln!(
        out,
        "Account {}, planned against {} (sha256 {})\n",
        header.account.as_deref().unwrap_or("unknown"),
        header.inventory_file,
        header
            .inventory_sha256
            .get(..8)
            .unwrap_or(&header.inventory_sha256)
    );
    let mut results: BTreeMap<u64, &Entry> = BTreeMap::new();
    for record in &run.records {
        if let Entry::Result { seq, .. } = &record.entry {
            results.insert(*seq, &record.entry);
        }
    }
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut tally = Tally::default();
    for record in &run.records {
        let (seq, intent, skipped) = match &record.entry {
            Entry::Intent { seq, intent } => (*seq, intent, false),
            Entry::Skipped { seq, intent } => (*seq, intent, true),
            Entry::Resumed { pid, next_seq } => {
                rows.push([
                    "--".to_string(),
                    offset(&record.at),
                    String::new(),
                    format!("resumed by process {pid} (apply --resume)"),
                    format!("steps from {next_seq} on are this process's"),
                ]);
                continue;
            }
            _ => continue,
        };
        let (duration, result) = if skipped {
            tally.skipped += 1;
            ("-".to_string(), "skipped (not sent)".to_string())
        } else {
            match results.get(&seq) {
                Some(Entry::Result {
                    ok: true,
                    outcome,
                    duration_ms,
                    ..
                }) => {
                    tally.done += 1;
                    let settled = outcome.as_ref().and_then(|o| o.settled.as_ref());
                    let mut text = match settled {
                        Some(s) if s.verified => "ok (settled)".to_string(),
                        Some(_) => "ok? (answer lost, not sent again)".to_string(),
                        None => "ok".to_string(),
                    };
                    if let Some(settled) = settled {
                        let _ = write!(text, ", {}", settled.note());
                    }
                    if let Some(who) = outcome.as_ref().and_then(|o| o.approved_by.as_ref()) {
                        let _ = write!(text, ", approved by {who}");
                    }
                    if let Some(created) = outcome.as_ref().and_then(|o| o.creates.as_ref()) {
                        let _ = write!(text, ", created {created}");
                    }
                    if let Some(id) = outcome.as_ref().and_then(|o| o.request_id.as_ref()) {
                        let _ = write!(text, ", request {id}");
                    }
                    (format!("{:.1}s", *duration_ms as f64 / 1000.0), text)
                }
                Some(Entry::Result {
                    ok: false,
                    error_code: Some(code),
                    error_message,
                    ..
                }) if code == crate::SUPERSEDED || code == "NotTakenEffect" => (
                    "-".to_string(),
                    format!(
                        "superseded: {}",
                        error_message
                            .as_deref()
                            .unwrap_or("carried out again later")
                    ),
                ),
                Some(Entry::Result {
                    ok: false,
                    error_code,
                    error_message,
                    duration_ms,
                    ..
                }) => {
                    tally.failed += 1;
                    (
                        format!("{:.1}s", *duration_ms as f64 / 1000.0),
                        format!(
                            "FAILED {}: {}",
                            error_code.as_deref().unwrap_or("?"),
                            error_message.as_deref().unwrap_or("")
                        ),
                    )
                }
                _ => {
                    tally.in_flight += 1;
                    (
                        "?".to_string(),
                        "sent, no result recorded (the run stopped while it was in flight)"
                            .to_string(),
                    )
                }
            }
        };
        rows.push([
            seq.to_string(),
            offset(&record.at),
            duration,
            describe(intent),
            result,
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let _ = writeln!(
            out,
            "  {:>w0$}  {:>w1$}  {:>w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    }
    if rows.is_empty() {
        let _ = writeln!(out, "  (no steps)");
    }
    let _ = writeln!(out);
    let finished = run.records.iter().rev().find_map(|r| match &r.entry {
        Entry::Finished {
            status,
            error,
            total_secs,
            rto_secs,
        } => Some((*status, error, *total_secs, *rto_secs)),
        _ => None,
    });
    match finished {
        None => {
            let _ = writeln!(
                out,
                "No end record: the run is still going on, or the process was killed. Steps above marked \"sent, no result\" may or may not have taken effect."
            );
        }
        Some((status, error, total, rto)) => {
            let word = match status {
                RunStatus::Completed => "Completed",
                RunStatus::Failed => "Failed",
                RunStatus::Cancelled => "Cancelled",
                RunStatus::Refused => "Refused",
                RunStatus::Interrupted => "Interrupted",
            };
            let mut line = format!("{word} after {}", format_duration(total));
            if status != RunStatus::Completed {
                let _ = writeln!(out, "{line}: not recovered. {}.", tally.sentence());
                if let Some(rto) = rto {
                    let _ = writeln!(out, "{}", outage_clock(start, now, rto));
                }
                if let Some(error) = error {
                    let _ = writeln!(out, "Error: {error}");
                }
                return out;
            }
            if let Some(rto) = rto {
                if total <= rto {
                    let _ = write!(
                        line,
                        " against RTO {}: within the objective ({} to spare)",
                        format_duration(rto),
                        format_duration(rto - total)
                    );
                } else {
                    let _ = write!(
                        line,
                        " against RTO {}: exceeded by {}",
                        format_duration(rto),
                        format_duration(total - rto)
                    );
                }
            }
            let _ = writeln!(out, "{line}.");
            if let Some(error) = error {
                let _ = writeln!(out, "Error: {error}");
            }
        }
    }
    out
}

/// What became of the steps of a run that did not complete.
#[derive(Debug, Default)]
struct Tally {
    done: usize,
    failed: usize,
    skipped: usize,
    in_flight: usize,
}

impl Tally {
    /// `2 steps done, 1 failed, 1 skipped, 1 sent without a result`.
    fn sentence(&self) -> String {
        let steps = if self.done == 1 { "step" } else { "steps" };
        let mut parts = vec![format!("{} {steps} done", self.done)];
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.skipped > 0 {
            parts.push(format!("{} skipped", self.skipped));
        }
        if self.in_flight > 0 {
            parts.push(format!("{} sent without a result", self.in_flight));
        }
        parts.join(", ")
    }
}

/// How much of the RTO is left at `now`: it counts from the run's start, and the outage does
/// not stop with the run.
fn outage_clock(start: Option<jiff::Timestamp>, now: jiff::Timestamp, rto: u64) -> String {
    let Some(start) = start else {
        return format!(
            "RTO {}: the run's start is not known.",
            format_duration(rto)
        );
    };
    let since = u64::try_from((now.as_second() - start.as_second()).max(0)).unwrap_or(0);
    let started = start.strftime("%Y-%m-%d %H:%M:%S UTC");
    let clock = format!(
        "RTO {} counted from the run's start ({started}), {} ago",
        format_duration(rto),
        format_duration(since)
    );
    if since <= rto {
        format!("{clock}: {} left.", format_duration(rto - since))
    } else {
        format!("{clock}: exceeded by {}.", format_duration(since - rto))
    }
}

/// A step in one line: `autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2)`.
fn describe(intent: &Intent) -> String {
    match intent {
        Intent::Call { call } => {
            let target = call.target();
            match call.region() {
                Some(region) => format!(
                    "{} {} {target} ({region})",
                    call.service(),
                    call.operation()
                ),
                None => format!("{} {} {target}", call.service(), call.operation()),
            }
        }
        Intent::Wait { wait } => format!(
            "wait {} {} until {}",
            wait.operation(),
            wait.target,
            wait.until.as_str()
        ),
        Intent::Check { check } => format!("check {} {}", check.operation(), check.target()),
        Intent::Approval { message } => format!("approval \"{message}\""),
    }
}
