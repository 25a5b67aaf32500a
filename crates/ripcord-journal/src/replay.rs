//! `Replay`: the backend of a journaled live run. It records what the runbook reads (the
//! answers to its queries) so that the run can be replayed, and when resuming one it gives back what
//! the earlier process recorded: the interpreter runs the runbook from the top, steps with a
//! journaled result are not sent again, a step sent without a result is settled
//! (`Backend::settle_journaled`), and from there on the run is live.

use crate::reader::{JournaledStep, Run};
use crate::record::{Entry, Observation};
use crate::writer::JournalWriter;
use ripcord_core::{Backend, BackendError, Call, CheckSpec, Intent, Outcome, Query, WaitSpec};
use std::collections::VecDeque;
use std::sync::Arc;

/// The error code of a step's result that says a later process carried it out again (and,
/// from the live backend, `NotTakenEffect`: its request did not take effect and was sent
/// again): a later resume matches the newer step.
pub const SUPERSEDED: &str = "Superseded";

/// What happened to a journaled step when the run was resumed, for the operator's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// Its journaled outcome was given back; nothing was sent.
    Replayed(String),
    /// It had been sent without a journaled result: AWS's state settled it (the step, and
    /// the settlement's words).
    Settled(String, String),
    /// It had been sent without a result, or had failed, and is carried out again.
    Again(String),
}

/// Reports each resumed step (`apply --resume` prints them).
pub type ResumeReporter = Box<dyn FnMut(Resumed)>;

/// The live backend of a journaled run, recording (and when resuming, replaying) what the
/// runbook reads and does.
pub struct Replay {
    inner: Box<dyn Backend>,
    /// Where reads are recorded; `None` for the dry-run of a resume, which records nothing.
    journal: Option<Arc<JournalWriter>>,
    /// What the earlier process read, still to be given back, in order.
    observed: VecDeque<Observation>,
    /// The earlier process's steps not yet met again.
    steps: Vec<JournaledStep>,
    /// Seconds between the run's first start and this process's (the RTO clock keeps the
    /// original start).
    offset_secs: u64,
    /// When the earlier process wrote its last record (a wait it left resumes with the time
    /// it has left).
    stopped_at: Option<jiff::Timestamp>,
    reporter: Option<ResumeReporter>,
}

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay")
            .field("observed", &self.observed.len())
            .field("steps", &self.steps.len())
            .field("offset_secs", &self.offset_secs)
            .finish_non_exhaustive()
    }
}

fn timestamp(at: &str) -> Option<jiff::Timestamp> {
    at.parse().ok()
}

impl Replay {
    /// A new run: everything goes to `inner`; reads are recorded in `journal`.
    pub fn recording(inner: Box<dyn Backend>, journal: Option<Arc<JournalWriter>>) -> Replay {
        Replay {
            inner,
            journal,
            observed: VecDeque::new(),
            steps: Vec::new(),
            offset_secs: 0,
            stopped_at: None,
            reporter: None,
        }
    }

    /// A resumed run: `earlier` is the journal as the earlier process left it; `journal`
    /// continues it ([`JournalWriter::reopen`]; `None` for the dry-run of the resume).
    pub fn resuming(
        inner: Box<dyn Backend>,
        journal: Option<Arc<JournalWriter>>,
        earlier: &Run,
    ) -> Replay {
        let first = earlier.records.first().and_then(|r| timestamp(&r.at));
        let stopped_at = earlier
            .records
            .iter()
            .rev()
            .find(|r| !matches!(r.entry, Entry::Resumed { .. }))
            .and_then(|r| timestamp(&r.at));
        let offset_secs = first
            .map(|first| {
                (jiff::Timestamp::now().as_second() - first.as_second())
                    .try_into()
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        Replay {
            inner,
            journal,
            observed: earlier.observations().into(),
            // A step typed at a REPL prompt is not the runbook's: nothing of the runbook's
            // is given its outcome.
            steps: earlier.steps().into_iter().filter(|s| !s.typed).collect(),
            offset_secs,
            stopped_at,
            reporter: None,
        }
    }

    /// Who hears about each resumed step.
    pub fn set_reporter(&mut self, reporter: ResumeReporter) {
        self.reporter = Some(reporter);
    }

    /// The earlier process's steps this run did not meet again (the runbook took another
    /// path, or stopped before them).
    pub fn unmatched(&self) -> &[JournaledStep] {
        &self.steps
    }

    fn report(&mut self, event: Resumed) {
        if let Some(reporter) = self.reporter.as_mut() {
            reporter(event);
        }
    }

    /// The next recorded observation if it is of the kind `pick` takes; a different one
    /// means the replay has diverged, and nothing more is given back.
    fn recorded<T>(&mut self, pick: impl Fn(&Observation) -> Option<T>) -> Option<T> {
        let front = self.observed.front()?;
        match pick(front) {
            Some(value) => {
                self.observed.pop_front();
                Some(value)
            }
            None => {
                self.observed.clear();
                None
            }
        }
    }

    /// The earlier process's step matching `intent` (same kind, operation and target; for
    /// calls the arguments may differ where the runbook formats the clock), taken out.
    fn take_step(&mut self, intent: &Intent) -> Option<JournaledStep> {
        let at = self
            .steps
            .iter()
            .position(|step| same_step(&step.intent, intent))?;
        Some(self.steps.remove(at))
    }

    /// Records that the earlier process's step `seq` is carried out again by this one, so
    /// that a later resume matches the new step, not the old one.
    fn supersede(&self, seq: u64) {
        if let Some(journal) = &self.journal {
            let _ = journal.append(
                &Entry::Result {
                    seq,
                    ok: false,
                    outcome: None,
                    error_code: Some(SUPERSEDED.to_string()),
                    error_message: Some(format!(
                        "carried out again by process {} (apply --resume)",
                        std::process::id()
                    )),
                    duration_ms: 0,
                },
                true,
            );
        }
    }

    /// A wait the earlier process left in flight: its timeout less the time it had waited.
    fn remaining(&self, step: &JournaledStep, spec: &WaitSpec) -> WaitSpec {
        let spent = match (timestamp(&step.at), self.stopped_at) {
            (Some(from), Some(to)) => (to.as_second() - from.as_second()).max(0),
            _ => 0,
        };
        let spent: u64 = spent.try_into().unwrap_or(0);
        WaitSpec {
            timeout_secs: spec.timeout_secs.saturating_sub(spent).max(1),
            ..spec.clone()
        }
    }
}

/// Whether two intents are the same step of the runbook (how a resumed run matches the
/// earlier process's steps).
pub fn same_step(journaled: &Intent, now: &Intent) -> bool {
    match (journaled, now) {
        (Intent::Call { call: a }, Intent::Call { call: b }) => {
            a.operation() == b.operation() && a.target() == b.target() && a.region() == b.region()
        }
        (Intent::Wait { wait: a }, Intent::Wait { wait: b }) => {
            a.target == b.target && a.until == b.until
        }
        (Intent::Check { check: a }, Intent::Check { check: b }) => a == b,
        (Intent::Approval { message: a }, Intent::Approval { message: b }) => a == b,
        _ => false,
    }
}

fn label(intent: &Intent) -> String {
    intent.label()
}

impl Backend for Replay {
    fn now(&self) -> jiff::Timestamp {
        // The clock is not replayed: what a runbook formats from it (a message's time) is
        // today's in a resumed run, and steps are matched without such arguments.
        self.inner.now()
    }

    fn elapsed_secs(&self) -> u64 {
        self.inner.elapsed_secs().saturating_add(self.offset_secs)
    }

    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        let intent = Intent::Call { call: call.clone() };
        let Some(step) = self.take_step(&intent) else {
            return self.inner.execute(call);
        };
        if let Some(outcome) = step.outcome() {
            self.report(Resumed::Replayed(label(&step.intent)));
            return Ok(outcome);
        }
        if !step.sending {
            // Killed before its request left: nothing to settle, it is sent now.
            self.report(Resumed::Again(label(&step.intent)));
            self.supersede(step.seq);
            return self.inner.execute(call);
        }
        let journaled = match &step.intent {
            Intent::Call { call } => call.clone(),
            _ => call.clone(),
        };
        match self.inner.settle_journaled(&journaled, step.seq)? {
            Some(outcome) => {
                let note = outcome
                    .settled
                    .as_ref()
                    .map(|s| s.note())
                    .unwrap_or_default();
                self.report(Resumed::Settled(label(&step.intent), note));
                Ok(outcome)
            }
            None => {
                self.report(Resumed::Again(label(&step.intent)));
                self.supersede(step.seq);
                self.inner.execute(call)
            }
        }
    }

    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        let intent = Intent::Wait { wait: spec.clone() };
        let Some(step) = self.take_step(&intent) else {
            return self.inner.wait(spec);
        };
        if let Some(outcome) = step.outcome() {
            self.report(Resumed::Replayed(label(&step.intent)));
            return Ok(outcome);
        }
        self.report(Resumed::Again(label(&step.intent)));
        self.supersede(step.seq);
        let left = self.remaining(&step, spec);
        self.inner.wait(&left)
    }

    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        let intent = Intent::Check {
            check: spec.clone(),
        };
        match self.take_step(&intent) {
            Some(step) if step.outcome().is_some() => {
                self.report(Resumed::Replayed(label(&step.intent)));
                Ok(step.outcome().unwrap_or_default())
            }
            Some(step) => {
                self.report(Resumed::Again(label(&step.intent)));
                self.supersede(step.seq);
                self.inner.check(spec)
            }
            None => self.inner.check(spec),
        }
    }

    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError> {
        let intent = Intent::Approval {
            message: message.to_string(),
        };
        match self.take_step(&intent) {
            Some(step) if step.outcome().is_some() => {
                // Given in the earlier process (when: its intent's time): not asked again.
                let who = step
                    .outcome()
                    .and_then(|o| o.approved_by)
                    .map(|who| format!(" by {who}"))
                    .unwrap_or_default();
                self.report(Resumed::Replayed(format!(
                    "{} (approved at {}{who})",
                    label(&step.intent),
                    step.at
                )));
                Ok(step.outcome().unwrap_or_default())
            }
            Some(step) => {
                self.supersede(step.seq);
                self.inner.approve(message)
            }
            None => self.inner.approve(message),
        }
    }

    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        let recorded = self.recorded(|o| match o {
            Observation::Answer { query: q, answer } if q == query => Some(answer.clone()),
            _ => None,
        });
        if let Some(answer) = recorded {
            return Ok(answer);
        }
        let answer = self.inner.query(query)?;
        if let Some(journal) = &self.journal {
            journal.observe(&Observation::Answer {
                query: query.clone(),
                answer: answer.clone(),
            });
        }
        Ok(answer)
    }

    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        self.inner.begin_parallel()
    }

    fn begin_branch(&mut self) -> Result<(), BackendError> {
        self.inner.begin_branch()
    }

    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        self.inner.end_parallel()
    }

    fn note(&mut self, text: &str) {
        self.inner.note(text)
    }

    fn settle_journaled(&mut self, call: &Call, seq: u64) -> Result<Option<Outcome>, BackendError> {
        self.inner.settle_journaled(call, seq)
    }

    fn world(&self) -> Option<ripcord_core::Inventory> {
        self.inner.world()
    }
}
