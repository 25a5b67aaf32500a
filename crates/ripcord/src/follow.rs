//! `Follower`: a Step Functions execution of a reviewed plan read from its history and
//! journaled as a local apply journals its steps (an intent when a step's first state is
//! entered, a result when its done state is, or when the execution fails), with the same
//! progress lines.

use crate::execution_file::ExecutionFile;
use crate::live::{Event, StepFunctions};
use crate::progress::say;
use ripcord_core::asl::{step_states, DONE};
use ripcord_core::{BackendError, Intent, Journal, Op, Outcome, Plan, Step, StepKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How following ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    Succeeded,
    /// The execution failed (or timed out, or was aborted): its error and cause.
    Failed {
        error: String,
        cause: String,
    },
    /// Ctrl-C, SIGTERM or SIGHUP: following stopped; the execution goes on in AWS.
    Stopped,
}

pub struct Follower<'a> {
    sfn: &'a StepFunctions<'a>,
    plan: &'a Plan,
    /// Each step's first state -> its index.
    firsts: BTreeMap<String, u32>,
    journal: Arc<dyn Journal>,
    file: ExecutionFile,
    run_dir: PathBuf,
    run_id: String,
    /// Task failures by the step they failed in (its first state): the error the step is
    /// recorded with.
    failures: BTreeMap<String, (String, String)>,
    /// The step whose Fail state ended the execution (a stale guard, a declined gate, a
    /// failed call's `.9 failed`).
    failed_in: Option<String>,
    /// The journal has a record `execution.json` does not account for yet.
    unsaved: bool,
    /// The state each event of this process's reading belongs to (entries by name, the
    /// others through the event they follow).
    state_of: std::collections::HashMap<i64, String>,
    /// The last answer of each Task state that succeeded, by state name: what a call created.
    answers: BTreeMap<String, Value>,
    cancel: Arc<AtomicBool>,
    poll: Duration,
}

impl<'a> Follower<'a> {
    pub fn new(
        sfn: &'a StepFunctions<'a>,
        plan: &'a Plan,
        journal: Arc<dyn Journal>,
        file: ExecutionFile,
        run_dir: PathBuf,
        run_id: String,
        cancel: Arc<AtomicBool>,
    ) -> Follower<'a> {
        Follower {
            sfn,
            plan,
            firsts: step_states(plan),
            journal,
            file,
            run_dir,
            run_id,
            failures: BTreeMap::new(),
            failed_in: None,
            unsaved: false,
            state_of: Default::default(),
            answers: BTreeMap::new(),
            cancel,
            poll: poll_interval(),
        }
    }

    /// Reads the history until the execution ends or following is stopped. A plan exported
    /// as parts is followed part by part, each child execution once the parent started it,
    /// then the parent's end.
    // BackendError is large but returned once, on a cold path (as in `crate::live`).
    #[allow(clippy::result_large_err)]
    pub fn follow(&mut self) -> Result<Ended, BackendError> {
        // Followed again (`apply --resume`): the events journaled before are read for what
        // they tell of the later ones (which state a task's answer belongs to), not again.
        let mut after = 0;
        loop {
            let arn = self.file.following().to_string();
            let events = match self.sfn.history(&arn, after) {
                Ok(events) => events,
                // A part the parent has not started yet.
                Err(err) if err.code.contains("DoesNotExist") && arn != self.file.execution_arn => {
                    let parent = self.sfn.describe(&self.file.execution_arn)?;
                    if !parent.is_running() {
                        let error = parent.error.unwrap_or(parent.status);
                        let cause = parent.cause.unwrap_or_default();
                        self.fail_open(&error, &cause, jiff::Timestamp::now().as_millisecond());
                        self.save();
                        return Ok(Ended::Failed { error, cause });
                    }
                    if self.sleep() {
                        return Ok(Ended::Stopped);
                    }
                    continue;
                }
                Err(err) => return Err(err),
            };
            let mut ended = None;
            let known = self.file.last_event;
            let events: Vec<&Event> = events
                .iter()
                .filter(|event| {
                    if event.id <= known {
                        self.index(event);
                        // Journaled before a follower was stopped: its end is this one's.
                        ended = ended.take().or_else(|| ended_before(event));
                        false
                    } else {
                        true
                    }
                })
                .collect();
            for event in &events {
                if let Some(end) = self.handle(event) {
                    ended = Some(end);
                }
                self.file.last_event = event.id;
                // Saved as soon as the journal has a record of the event: a follower killed
                // now is followed again from here, without journaling the step twice.
                if std::mem::take(&mut self.unsaved) {
                    self.save();
                }
            }
            if !events.is_empty() {
                self.save();
            }
            after = self.file.last_event;
            match ended {
                // A part done: the next one (or the parent's end).
                Some(Ended::Succeeded) if self.file.part < self.file.parts.len() => {
                    self.file.part += 1;
                    self.file.last_event = 0;
                    after = 0;
                    self.state_of.clear();
                    self.save();
                    continue;
                }
                Some(end) => return Ok(end),
                None => {}
            }
            if self.sleep() {
                return Ok(Ended::Stopped);
            }
        }
    }

    /// The run's execution file as following left it (the next stage's execution starts
    /// from it).
    pub fn into_file(self) -> ExecutionFile {
        self.file
    }

    fn save(&self) {
        if let Err(err) = self.file.save(&self.run_dir) {
            say(&format!("  warning: {err}"));
        }
    }

    /// Waits before reading the history again; `true` when following was stopped meanwhile.
    fn sleep(&self) -> bool {
        let slice = Duration::from_millis(50);
        let mut waited = Duration::ZERO;
        while waited < self.poll {
            if self.cancel.load(Ordering::SeqCst) {
                return true;
            }
            std::thread::sleep(slice);
            waited += slice;
        }
        self.cancel.load(Ordering::SeqCst)
    }

    /// Which state the event belongs to, and a Task's answer.
    fn index(&mut self, event: &Event) {
        index(&mut self.state_of, &mut self.answers, event);
    }

    fn handle(&mut self, event: &Event) -> Option<Ended> {
        self.index(event);
        let kind = event.kind.as_str();
        match kind {
            "ExecutionSucceeded" => return Some(Ended::Succeeded),
            "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted" => {
                let error = event.error.clone().unwrap_or_else(|| kind.to_string());
                let cause = event.cause.clone().unwrap_or_default();
                self.fail_open(&error, &cause, event.at_ms);
                return Some(Ended::Failed { error, cause });
            }
            "TaskFailed" | "TaskTimedOut" => {
                if let Some(step) = self.state_of.get(&event.id).and_then(|s| self.owner(s)) {
                    self.failures.insert(
                        step,
                        (
                            event.error.clone().unwrap_or_else(|| kind.to_string()),
                            event.cause.clone().unwrap_or_default(),
                        ),
                    );
                }
            }
            "FailStateEntered" => {
                self.failed_in = event.state.as_deref().and_then(|s| self.owner(s));
            }
            "TaskScheduled" => self.approval_pending(event),
            "ExecutionRedriven" => {
                say("  ↻         redriven: the execution goes on from the state that failed")
            }
            _ => {}
        }
        let state = event.state.as_deref()?;
        if !kind.ends_with("StateEntered") {
            return None;
        }
        if let Some(first) = state.strip_suffix(DONE) {
            if self.firsts.contains_key(first) {
                self.finish(first, event);
            }
        } else if let Some(&index) = self.firsts.get(state) {
            self.start(state.to_string(), index, event);
        }
        None
    }

    fn step(&self, index: u32) -> Option<&'a Step> {
        self.plan.steps().find(|s| s.index == index)
    }

    fn start(&mut self, first: String, index: u32, event: &Event) {
        // A redriven execution enters a failed step's state again: it is the same step. A
        // step done is journaled already (its events read again after a follower was
        // stopped before it saved how far it had read).
        if self.file.open.contains_key(&first) || self.file.done.contains(&first) {
            return;
        }
        let Some(intent) = self.step(index).and_then(|s| Intent::of(&s.kind)) else {
            return;
        };
        match self.journal.intent(&intent) {
            Ok(seq) => {
                self.file.open.insert(first.clone(), seq);
                self.file.started_ms.insert(first, event.at_ms);
                self.unsaved = true;
            }
            Err(err) => say(&format!("  warning: cannot journal step {index}: {err}")),
        }
    }

    fn finish(&mut self, first: &str, event: &Event) {
        let Some(seq) = self.file.open.remove(first) else {
            return;
        };
        let started = self.file.started_ms.remove(first).unwrap_or(event.at_ms);
        let duration_ms = u64::try_from(event.at_ms - started).unwrap_or(0);
        let index = self.firsts.get(first).copied().unwrap_or(0);
        let Some(step) = self.step(index) else {
            return;
        };
        let input: Value = event
            .data
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or(Value::Null);
        let outcome = Outcome {
            resolved: step.resolved.clone(),
            creates: created(step, last_answer(&self.answers, first)),
            duration_secs: duration_ms / 1000,
            approved_by: input["approvals"][format!("s{index}")]["By"]
                .as_str()
                .map(str::to_string),
            ..Outcome::default()
        };
        self.journal.finished(seq, Ok(&outcome), duration_ms);
        self.file.done.insert(first.to_string());
        self.unsaved = true;
    }

    /// The step a state belongs to: its first state (the step's name, or the name and a
    /// helper's suffix).
    fn owner(&self, state: &str) -> Option<String> {
        if self.firsts.contains_key(state) {
            return Some(state.to_string());
        }
        let (first, _) = state.rsplit_once('.')?;
        self.firsts.contains_key(first).then(|| first.to_string())
    }

    /// The steps open when the execution ended: the one that failed gets its task's error,
    /// else the execution's (a stale guard, a declined gate); the others, stopped with the
    /// execution (another branch of their group failed, the execution was aborted), keep no
    /// result: whether their request left is not known, as for a killed local run.
    fn fail_open(&mut self, error: &str, cause: &str, at_ms: i64) {
        let open: Vec<(String, u64)> = std::mem::take(&mut self.file.open).into_iter().collect();
        for (first, seq) in open {
            let started = self.file.started_ms.remove(&first).unwrap_or(at_ms);
            let (code, message) = match self.failures.get(&first) {
                Some(failure) => failure.clone(),
                None if self.failed_in.as_deref() == Some(first.as_str()) => {
                    (error.to_string(), cause.to_string())
                }
                None => {
                    let index = self.firsts.get(&first).copied().unwrap_or(0);
                    say(&format!(
                        "  ?         step {index} stopped with the execution: whether it was carried out is not known"
                    ));
                    continue;
                }
            };
            let err = Op::new("states", "Execution").rejected(&code, message);
            self.journal
                .finished(seq, Err(&err), u64::try_from(at_ms - started).unwrap_or(0));
            self.unsaved = true;
        }
        self.unsaved = true;
    }

    fn approval_pending(&self, event: &Event) {
        if !event
            .resource
            .as_deref()
            .is_some_and(|r| r.ends_with("waitForTaskToken"))
        {
            return;
        }
        let Some((step, message)) = event.parameters.as_deref().and_then(approval_of) else {
            return;
        };
        say(&format!(
            "  ?         approval needed at step {step}: {message}\n             answer with: ripcord approve {} (or --decline)",
            self.run_id
        ));
    }
}

/// How an execution ended, from its last event, without journaling anything.
fn ended_before(event: &Event) -> Option<Ended> {
    match event.kind.as_str() {
        "ExecutionSucceeded" => Some(Ended::Succeeded),
        kind @ ("ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted") => {
            Some(Ended::Failed {
                error: event.error.clone().unwrap_or_else(|| kind.to_string()),
                cause: event.cause.clone().unwrap_or_default(),
            })
        }
        _ => None,
    }
}

/// Records which state `event` belongs to (entries by name, the others through the event they
/// follow) and, for a Task that succeeded, its answer.
fn index(
    state_of: &mut std::collections::HashMap<i64, String>,
    answers: &mut BTreeMap<String, Value>,
    event: &Event,
) {
    let kind = event.kind.as_str();
    let state = match (&event.state, kind.ends_with("StateEntered")) {
        (Some(name), true) => Some(name.clone()),
        _ => state_of.get(&event.previous).cloned(),
    };
    if let Some(state) = state {
        if kind == "TaskSucceeded" {
            if let Some(answer) = event
                .data
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
            {
                answers.insert(state.clone(), answer);
            }
        }
        state_of.insert(event.id, state);
    }
}

/// The answers of every Task that succeeded in these executions (each read in the region of
/// its ARN), by state name (later executions' over earlier ones').
// BackendError is large but returned once, on a cold path (as in `crate::live`).
#[allow(clippy::result_large_err)]
pub fn answers_of<'e>(
    live: &crate::live::LiveBackend,
    executions: impl Iterator<Item = &'e String>,
) -> Result<BTreeMap<String, Value>, BackendError> {
    let mut answers = BTreeMap::new();
    for execution in executions {
        // arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME
        let Some(region) = execution.split(':').nth(3) else {
            continue;
        };
        let events = match live.step_functions(region).history(execution, 0) {
            Ok(events) => events,
            // A part its parent never started.
            Err(err) if err.code.contains("DoesNotExist") => continue,
            Err(err) => return Err(err),
        };
        let mut state_of = std::collections::HashMap::new();
        for event in &events {
            index(&mut state_of, &mut answers, event);
        }
    }
    Ok(answers)
}

/// The answer of a step's last request among `answers`: its last `.rN send`, else `.1 send`
/// (after a guard), else the step's first state.
pub fn last_answer<'a>(answers: &'a BTreeMap<String, Value>, first: &str) -> Option<&'a Value> {
    let parts = answers
        .range(format!("{first}.r")..format!("{first}.s"))
        .filter(|(name, _)| name.ends_with(" send"))
        .max_by_key(|(name, _)| {
            name.trim_start_matches(first)
                .trim_start_matches(".r")
                .trim_end_matches(" send")
                .parse::<u32>()
                .unwrap_or(0)
        })
        .map(|(_, answer)| answer);
    parts
        .or_else(|| answers.get(&format!("{first}.1 send")))
        .or_else(|| answers.get(first))
}

/// The step and message of an approval task's parameters (`Message` is the JSON the export
/// wrote, or its text when Step Functions passed it as a string).
pub fn approval_of(parameters: &str) -> Option<(u64, String)> {
    let parameters: Value = serde_json::from_str(parameters).ok()?;
    let message = match &parameters["Message"] {
        Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    Some((
        message["Step"].as_u64()?,
        message["Approval"].as_str()?.to_string(),
    ))
}

/// The task token of an approval task's parameters.
pub fn token_of(parameters: &str) -> Option<String> {
    let parameters: Value = serde_json::from_str(parameters).ok()?;
    let message = match &parameters["Message"] {
        Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    message["TaskToken"].as_str().map(str::to_string)
}

/// The id AWS gave what the step created, from its last request's answer (RDS identifiers are
/// the runbook's own: the planned one).
fn created(step: &Step, answer: Option<&Value>) -> Option<String> {
    let planned = step.creates.clone()?;
    let (StepKind::Call { .. }, Some(result)) = (&step.kind, answer) else {
        return Some(planned);
    };
    let found = ["SnapshotId", "VolumeId"]
        .iter()
        .find_map(|field| result[field].as_str())
        .or_else(|| result["ChangeInfo"]["Id"].as_str());
    Some(found.map(str::to_string).unwrap_or(planned))
}

/// How often the history is read (`crate::live::poll_ms` shortens it for emulator tests).
fn poll_interval() -> Duration {
    crate::live::poll_ms()
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(2))
}

/// Takes into `file` the steps the run's journal has and `file` does not account for: a
/// follower killed between writing a journal record and saving `execution.json` must not
/// journal the step again when it is followed again (`apply --resume`). Each journaled step
/// is the plan's first step of the same intent not yet matched, in the journal's order (the
/// execution's); a step that failed is matched again by its next attempt.
pub fn reconcile(file: &mut ExecutionFile, plan: &Plan, run: &ripcord_journal::Run) {
    let firsts = step_states(plan);
    let first_of: BTreeMap<u32, &String> = firsts.iter().map(|(first, i)| (*i, first)).collect();
    let accounted: std::collections::BTreeSet<u64> = file.open.values().copied().collect();
    let mut matched = std::collections::BTreeSet::new();
    for step in run.steps() {
        let Some(index) = plan
            .steps()
            .filter(|s| !matched.contains(&s.index))
            .find(|s| Intent::of(&s.kind).as_ref() == Some(&step.intent))
            .map(|s| s.index)
        else {
            continue;
        };
        let Some(first) = first_of.get(&index).map(|f| f.to_string()) else {
            continue;
        };
        match &step.result {
            Some(ripcord_journal::Entry::Result { ok: true, .. }) => {
                matched.insert(index);
                file.open.remove(&first);
                file.started_ms.remove(&first);
                file.done.insert(first);
            }
            // Failed: a resumed execution runs it again, as a new step of the journal.
            Some(_) => {}
            None => {
                matched.insert(index);
                if !accounted.contains(&step.seq) && !file.done.contains(&first) {
                    let at = step
                        .at
                        .parse::<jiff::Timestamp>()
                        .map(|t| t.as_millisecond())
                        .unwrap_or(0);
                    file.started_ms.entry(first.clone()).or_insert(at);
                    file.open.insert(first, step.seq);
                }
            }
        }
    }
}
