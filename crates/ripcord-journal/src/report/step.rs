//! One step of the evidence report: the journaled intent with its times, its result, the lane
//! it ran on and the planned step it was matched with.

use super::estimate::PlannedStep;
use super::format::{millis, value};
use crate::record::{Entry, Record};
use ripcord_core::{Change, Intent, Outcome, Target};

/// How a journaled step ended.
#[derive(Debug, Clone, PartialEq)]
pub enum StepResult {
    Ok,
    Failed {
        code: String,
        message: String,
    },
    /// Not sent: the operator skipped it at the REPL.
    Skipped,
    /// A later process of the run carried it out again (`apply --resume`): its newer record
    /// stands for it.
    Superseded(String),
    /// No result record: the run stopped while it was in flight. `sent`: its request was
    /// about to leave (a call without it sent nothing).
    InFlight {
        sent: bool,
    },
}

/// A step as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportStep {
    /// The journal's sequence number (as `runs show` numbers steps).
    pub seq: u64,
    pub intent: Intent,
    /// When its intent (or skip) was written, as journaled (RFC 3339).
    pub at: String,
    /// Milliseconds from the run's start to its intent.
    pub start_ms: u64,
    /// As journaled; `None` when it has no result (skipped, or in flight when the run
    /// stopped).
    pub duration_ms: Option<u64>,
    pub result: StepResult,
    /// When its result was written: for an approval, when it was given.
    pub result_at: Option<String>,
    /// Its outcome when it succeeded.
    pub outcome: Option<Outcome>,
    /// The lane it is drawn on: 0 unless it overlapped in time a step still running on the
    /// lower lanes (the journal records no parallel groups; overlap is read from the times).
    pub lane: usize,
    /// The steps it overlapped in time, by sequence number.
    pub overlaps: Vec<u64>,
    /// The planned step it was matched with, when there is an estimate.
    pub planned: Option<PlannedStep>,
}

impl ReportStep {
    /// `call`, `wait`, `check` or `approval`.
    pub fn kind(&self) -> &'static str {
        match self.intent {
            Intent::Call { .. } => "call",
            Intent::Wait { .. } => "wait",
            Intent::Check { .. } => "check",
            Intent::Approval { .. } => "approval",
        }
    }

    /// What it does, in a line: `autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2)`.
    pub fn label(&self) -> String {
        self.intent.label()
    }

    /// The resource it acts on (`None` for an approval).
    pub fn target(&self) -> Option<Target> {
        match &self.intent {
            Intent::Call { call } => Some(call.target()),
            Intent::Wait { wait } => Some(wait.target.clone()),
            Intent::Check { check } => Some(check.target()),
            Intent::Approval { .. } => None,
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.result, StepResult::Failed { .. })
    }

    /// Whether it takes part in the run's estimate and its union of changes: a superseded
    /// record does not (its newer record does).
    pub(crate) fn counts(&self) -> bool {
        !matches!(self.result, StepResult::Superseded(_))
    }

    /// The result in words: `ok`, `ok (settled)`, `error Throttling: Rate exceeded`, ...
    pub fn result_text(&self) -> String {
        match &self.result {
            StepResult::Ok => match self.outcome.as_ref().and_then(|o| o.settled.as_ref()) {
                Some(settled) if settled.verified => "ok (settled)".to_string(),
                Some(_) => "ok? (answer lost, not sent again)".to_string(),
                None => "ok".to_string(),
            },
            StepResult::Failed { code, message } => format!("error {code}: {message}"),
            StepResult::Skipped => "skipped (not sent)".to_string(),
            StepResult::Superseded(why) => format!("superseded: {why}"),
            StepResult::InFlight { sent: true } => {
                "sent, no result recorded (the run stopped while it was in flight)".to_string()
            }
            StepResult::InFlight { sent: false } => {
                "no result recorded (the run stopped before its request left)".to_string()
            }
        }
    }

    /// The changes to show: the journaled ones, else the plan's for a step that succeeded
    /// (`true`: taken from the plan, because the journal recorded none — the live backend
    /// reports no before/after values).
    pub fn changes(&self) -> (Vec<Change>, bool) {
        let journaled = self
            .outcome
            .as_ref()
            .map(|o| o.changes.clone())
            .unwrap_or_default();
        if !journaled.is_empty() {
            return (journaled, false);
        }
        match (&self.result, &self.planned) {
            (StepResult::Ok, Some(planned)) if !planned.changes.is_empty() => {
                (planned.changes.clone(), true)
            }
            _ => (Vec::new(), false),
        }
    }

    /// The details of its result, one line each: changes, what it created, what its target
    /// resolved to, a lost answer settled, warnings, the AWS request id.
    pub fn details(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let (changes, planned) = self.changes();
        for change in &changes {
            lines.push(format!(
                "{} {} -> {}{}",
                change.field,
                value(&change.before),
                value(&change.after),
                if planned { " (as planned)" } else { "" }
            ));
        }
        let Some(outcome) = &self.outcome else {
            return lines;
        };
        if let Some(created) = &outcome.creates {
            lines.push(format!("created {created}"));
        }
        if let Some(resolved) = &outcome.resolved {
            lines.push(format!("resolved to {resolved}"));
        }
        if let Some(settled) = &outcome.settled {
            lines.push(format!(
                "{} ({} request(s) sent)",
                settled.note(),
                settled.sent
            ));
        }
        if let Some(who) = &outcome.approved_by {
            lines.push(format!("approved by {who}"));
        }
        for warning in &outcome.warnings {
            lines.push(format!("warning: {warning}"));
        }
        if let Some(id) = &outcome.request_id {
            lines.push(format!("request {id}"));
        }
        lines
    }

    /// The planned estimate beside the measured duration: `~3m 00s (plan step 4)`.
    pub fn estimate_text(&self) -> Option<String> {
        let planned = self.planned.as_ref()?;
        Some(format!(
            "~{} at +{} (plan step {})",
            ripcord_core::duration::format_duration(planned.duration_secs),
            ripcord_core::duration::format_duration(planned.at_secs),
            planned.index
        ))
    }

    /// The measured duration in words, `-` without one.
    pub fn duration_text(&self) -> String {
        self.duration_ms
            .map(millis)
            .unwrap_or_else(|| "-".to_string())
    }
}

/// Milliseconds from `start` to the RFC 3339 time `at` (0 when either is unreadable or `at`
/// is earlier).
pub(crate) fn since(start: Option<jiff::Timestamp>, at: &str) -> u64 {
    match (start, at.parse::<jiff::Timestamp>()) {
        (Some(start), Ok(at)) => {
            u64::try_from(at.as_millisecond() - start.as_millisecond()).unwrap_or(0)
        }
        _ => 0,
    }
}

/// The steps of a journal in the order they were written (intents and skips), each with its
/// last result.
pub(crate) fn journaled_steps(
    records: &[Record],
    start: Option<jiff::Timestamp>,
) -> Vec<ReportStep> {
    let mut steps: Vec<ReportStep> = Vec::new();
    let mut sent: Vec<u64> = Vec::new();
    for record in records {
        match &record.entry {
            Entry::Intent { seq, intent } | Entry::Skipped { seq, intent } => {
                let skipped = matches!(record.entry, Entry::Skipped { .. });
                steps.push(ReportStep {
                    seq: *seq,
                    intent: intent.clone(),
                    at: record.at.clone(),
                    start_ms: since(start, &record.at),
                    duration_ms: None,
                    result: if skipped {
                        StepResult::Skipped
                    } else {
                        StepResult::InFlight { sent: false }
                    },
                    result_at: None,
                    outcome: None,
                    lane: 0,
                    overlaps: Vec::new(),
                    planned: None,
                });
            }
            Entry::Sending { seq } => sent.push(*seq),
            Entry::Result {
                seq,
                ok,
                outcome,
                error_code,
                error_message,
                duration_ms,
            } => {
                let Some(step) = steps.iter_mut().rev().find(|s| s.seq == *seq) else {
                    continue;
                };
                let superseded = error_code
                    .as_deref()
                    .is_some_and(|code| code == crate::SUPERSEDED || code == "NotTakenEffect");
                step.result = if *ok {
                    StepResult::Ok
                } else if superseded {
                    StepResult::Superseded(
                        error_message
                            .clone()
                            .unwrap_or_else(|| "carried out again later".to_string()),
                    )
                } else {
                    StepResult::Failed {
                        code: error_code.clone().unwrap_or_else(|| "?".to_string()),
                        message: error_message.clone().unwrap_or_default(),
                    }
                };
                step.outcome = match ok {
                    true => Some(outcome.clone().unwrap_or_default()),
                    false => None,
                };
                // A superseded record's duration is the bookkeeping's, not the step's.
                step.duration_ms = (!superseded).then_some(*duration_ms);
                step.result_at = Some(record.at.clone());
            }
            _ => {}
        }
    }
    for step in &mut steps {
        if let StepResult::InFlight { sent: was_sent } = &mut step.result {
            // Only calls journal a `sending` mark; a wait, check or approval in flight was
            // under way.
            *was_sent = sent.contains(&step.seq) || !matches!(step.intent, Intent::Call { .. });
        }
    }
    steps
}

/// The end of a step for overlap: its start plus its duration, or `run_end_ms` for one still
/// in flight when the run stopped.
pub(crate) fn end_ms(step: &ReportStep, run_end_ms: u64) -> u64 {
    match (&step.result, step.duration_ms) {
        (_, Some(ms)) => step.start_ms + ms,
        (StepResult::InFlight { .. }, None) => run_end_ms.max(step.start_ms),
        _ => step.start_ms,
    }
}

/// Puts each step on the lowest lane free at its start and records which steps overlapped
/// it: the journal has no parallel groups, so steps that overlap in time are read as
/// concurrent branches.
pub(crate) fn assign_lanes(steps: &mut [ReportStep], run_end_ms: u64) {
    let spans: Vec<(u64, u64)> = steps
        .iter()
        .map(|s| (s.start_ms, end_ms(s, run_end_ms)))
        .collect();
    let mut lanes: Vec<u64> = Vec::new();
    for (step, &(start, end)) in steps.iter_mut().zip(&spans) {
        let lane = match lanes.iter().position(|&free_at| free_at <= start) {
            Some(lane) => lane,
            None => {
                lanes.push(0);
                lanes.len() - 1
            }
        };
        lanes[lane] = end.max(start);
        step.lane = lane;
    }
    // Steps are written in start order (an intent is journaled when its step starts), so
    // the steps a step overlaps start before it ends: a sweep, not every pair.
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by_key(|&i| spans[i]);
    let mut overlaps: Vec<Vec<u64>> = vec![Vec::new(); steps.len()];
    for (k, &i) in order.iter().enumerate() {
        let (_, end) = spans[i];
        for &j in &order[k + 1..] {
            let (start_j, end_j) = spans[j];
            if start_j >= end {
                break;
            }
            if end_j > start_j && end > spans[i].0 {
                overlaps[i].push(steps[j].seq);
                overlaps[j].push(steps[i].seq);
            }
        }
    }
    for (step, mut seqs) in steps.iter_mut().zip(overlaps) {
        seqs.sort_unstable();
        step.overlaps = seqs;
    }
}
