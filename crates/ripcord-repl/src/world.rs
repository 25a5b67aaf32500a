//! `World`: what a session runs against — the simulated world, and the live backend if any —
//! and `SessionBackend`, the `Backend` the interpreter sees, which mirrors every step into it.

use crate::console::Console;
use ripcord_core::duration::format_duration;
use ripcord_core::{
    Backend, BackendError, Call, CheckSpec, ErrorKind, Intent, Inventory, Journal, Outcome, Query,
    StepKind, WaitSpec,
};
use ripcord_interp::debug::PROMPT_FILE;
use ripcord_interp::PendingStep;
use ripcord_journal::JournalWriter;
use ripcord_sim::SimBackend;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The live half of a session: the backend and the flag its waits stop on.
pub struct Live {
    pub backend: Box<dyn Backend>,
    /// Set by Ctrl-C (the CLI's signal handler); a live wait returns when it is set.
    pub cancel: Arc<AtomicBool>,
    /// Shown in the prompt and the summary.
    pub account: String,
}

/// A step the session carried out (or skipped), in order: the summary, the `journal`
/// command and the replay that computes the rest of the plan read it.
#[derive(Debug, Clone)]
pub struct Done {
    pub pending: PendingStep,
    /// `None` while in flight, or when it failed.
    pub outcome: Option<Outcome>,
    pub error: Option<String>,
    pub skipped: bool,
}

/// One answer of the session's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockRead {
    Now(jiff::Timestamp),
    Elapsed(u64),
}

/// The session's environment.
pub struct World {
    /// The simulated world: the backend itself in dry mode; in live mode a mirror of the
    /// live state (captured at start, every step applied to it too) for previews and `plan`.
    pub sim: SimBackend,
    pub live: Option<Live>,
    pub journal: Option<Arc<JournalWriter>>,
    pub done: Vec<Done>,
    pub console: Rc<RefCell<Console>>,
    /// Inside a parallel group: how many of its branches have begun (the replay that computes
    /// the rest of the plan must not open them again).
    pub open_group: Option<usize>,
    /// The operator stopped the runbook (a cancelled wait aborted, a call refused).
    pub stopped_by_operator: bool,
    /// Every answer the session's clock gave (`now()`, `elapsed()`), in order: the replay that
    /// computes the rest of the plan gives the runbook the same answers, so a value derived
    /// from the time (a snapshot's description) is the same and the replay takes the same
    /// path as the session did.
    pub clock_reads: Vec<ClockRead>,
    /// Live: why the mirror no longer follows AWS (the first live step it could not adopt),
    /// once that happened. Previews then no longer present a refusal as a prediction.
    pub mirror_behind: Option<String>,
    /// A resumed live session (`repl --live --resume`): the earlier session's steps done, not
    /// yet met again. The live backend (a `Replay`) gives them back without sending them; the
    /// session neither pauses at them nor asks.
    pub earlier: Vec<Intent>,
    /// Set by that `Replay` when it gave a step back or settled it from AWS's state rather
    /// than sending it: the mirror, captured after the earlier session, holds its effect.
    pub replayed: Rc<Cell<bool>>,
}

impl World {
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// What the step would do in the simulated world now, without changing it.
    pub fn dry_run(&self, pending: &PendingStep) -> Result<Outcome, BackendError> {
        let mut fork = self.sim.clone();
        carry_out(&mut fork, pending)
    }

    pub fn inventory(&self) -> Inventory {
        self.sim.world()
    }

    /// Whether `pending` is a step the earlier session did (a resumed session).
    pub fn done_earlier(&self, pending: &PendingStep) -> bool {
        Intent::of(&pending.kind).is_some_and(|intent| {
            self.earlier
                .iter()
                .any(|done| ripcord_journal::same_step(done, &intent))
        })
    }

    /// [`World::done_earlier`], taking the earlier step out: it is met now.
    pub fn take_earlier(&mut self, pending: &PendingStep) -> bool {
        let Some(intent) = Intent::of(&pending.kind) else {
            return false;
        };
        match self
            .earlier
            .iter()
            .position(|done| ripcord_journal::same_step(done, &intent))
        {
            Some(at) => {
                self.earlier.remove(at);
                true
            }
            None => false,
        }
    }

    /// Why the simulated mirror no longer follows AWS, if it does not.
    pub fn behind(&self) -> Option<&str> {
        self.mirror_behind.as_deref()
    }
}

/// Sends a pending step to a backend.
pub fn carry_out(
    backend: &mut dyn Backend,
    pending: &PendingStep,
) -> Result<Outcome, BackendError> {
    match &pending.kind {
        StepKind::Call { call } => backend.execute(call),
        StepKind::Wait { wait } => backend.wait(wait),
        StepKind::Check { check } => backend.check(check),
        StepKind::Approval { message } => backend.approve(message),
        StepKind::Note { .. } => Ok(Outcome::default()),
    }
}

/// The backend the interpreter runs against in a session.
pub struct SessionBackend {
    pub world: Rc<RefCell<World>>,
}

impl SessionBackend {
    /// Runs one step: live (then adopted by the simulated mirror: `mirror` gets the live
    /// outcome) or simulated (journaled here, since the simulation keeps no journal).
    fn step(
        &mut self,
        intent: Intent,
        live: impl FnOnce(&mut dyn Backend) -> Result<Outcome, BackendError>,
        mirror: impl FnOnce(&mut SimBackend, &Outcome) -> Result<Outcome, BackendError>,
        sim: impl FnOnce(&mut SimBackend) -> Result<Outcome, BackendError>,
    ) -> Result<Outcome, BackendError> {
        let mut world = self.world.borrow_mut();
        let world = &mut *world;
        let result = match &mut world.live {
            Some(l) => {
                let next = world.journal.as_ref().map(|j| j.next_seq());
                let result = live(l.backend.as_mut());
                // A step typed at the prompt, journaled by the live backend: marked, so that a
                // resumed session does not take it for the runbook's.
                let typed = world
                    .done
                    .last()
                    .is_some_and(|d| d.pending.origin.file == PROMPT_FILE);
                if let (true, Some(journal), Some(seq)) = (typed, &world.journal, next) {
                    if journal.next_seq() > seq {
                        if let Err(err) = journal.typed(seq) {
                            println!("warning: the journal did not record that the step was typed: {err}");
                        }
                    }
                }
                // A step the earlier session did: its effect is in the capture already.
                let replayed = world.replayed.replace(false);
                if let (Ok(outcome), false) = (&result, replayed) {
                    // The mirror takes what AWS reported (created ids included), so previews
                    // and `plan` from here speak of the real resources.
                    if let Err(err) = mirror(&mut world.sim, outcome) {
                        if world.mirror_behind.is_none() {
                            let why = format!(
                                "it could not follow {} ({}: {})",
                                intent.label(),
                                err.code,
                                err.message
                            );
                            println!(
                                "  ! the simulated mirror cannot follow this step ({}: {}), probably state the capture did not hold: from here on, previews and `plan` may be wrong about what it touched, and do not predict failures",
                                err.code, err.message
                            );
                            world.mirror_behind = Some(why);
                        }
                    }
                }
                result
            }
            None => {
                let seq = match &world.journal {
                    Some(journal) => Some(journal.intent(&intent).map_err(|e| {
                        BackendError::new(
                            ErrorKind::Transport,
                            "ripcord",
                            "journal",
                            "JournalWrite",
                            e,
                        )
                    })?),
                    None => None,
                };
                let started = Instant::now();
                let result = sim(&mut world.sim);
                let what = intent.label();
                match &result {
                    Ok(outcome) => println!(
                        "  ✓ {what}  (simulated, ~{})",
                        format_duration(outcome.duration_secs)
                    ),
                    Err(err) => println!("  ✗ {what}: {}: {}", err.code, err.message),
                }
                if let (Some(journal), Some(seq)) = (&world.journal, seq) {
                    journal.finished(seq, result.as_ref(), started.elapsed().as_millis() as u64);
                }
                result
            }
        };
        if let Some(last) = world.done.last_mut() {
            if last.outcome.is_none() && last.error.is_none() {
                match &result {
                    Ok(outcome) => last.outcome = Some(outcome.clone()),
                    Err(err) => last.error = Some(format!("{}: {}", err.code, err.message)),
                }
            }
        }
        result
    }
}

impl Backend for SessionBackend {
    fn now(&self) -> jiff::Timestamp {
        let mut world = self.world.borrow_mut();
        let now = match &world.live {
            Some(live) => live.backend.now(),
            None => world.sim.now(),
        };
        world.clock_reads.push(ClockRead::Now(now));
        now
    }

    fn elapsed_secs(&self) -> u64 {
        let mut world = self.world.borrow_mut();
        let elapsed = match &world.live {
            Some(live) => live.backend.elapsed_secs(),
            None => world.sim.elapsed_secs(),
        };
        world.clock_reads.push(ClockRead::Elapsed(elapsed));
        elapsed
    }

    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        self.step(
            Intent::Call { call: call.clone() },
            |b| b.execute(call),
            |s, done| s.adopt(call, done),
            |s| s.execute(call),
        )
    }

    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        let intent = Intent::Wait { wait: spec.clone() };
        loop {
            let result = self.step(
                intent.clone(),
                |b| b.wait(spec),
                |s, _| s.adopt_wait(spec),
                |s| s.wait(spec),
            );
            let cancel = self.world.borrow().live.as_ref().map(|l| l.cancel.clone());
            let Some(cancel) = cancel else {
                return result;
            };
            // Ctrl-C stops this wait, not the session: clear it and ask what to do.
            if !cancel.swap(false, Ordering::SeqCst) || result.is_ok() {
                return result;
            }
            let console = self.world.borrow().console.clone();
            let answer = console.borrow_mut().choose(
                &format!(
                    "wait for {} until {} cancelled. [r]etry the wait, [s]kip it (go on as if reached), [a]bort the runbook? ",
                    spec.target,
                    spec.until.as_str()
                ),
                &['r', 's', 'a'],
            );
            match answer {
                Some('r') => {
                    // The retried wait is a new step in the session's record.
                    let mut world = self.world.borrow_mut();
                    if let Some(last) = world.done.last().cloned() {
                        world.done.push(Done {
                            outcome: None,
                            error: None,
                            ..last
                        });
                    }
                    continue;
                }
                Some('s') => {
                    let mut world = self.world.borrow_mut();
                    if let Some(last) = world.done.last_mut() {
                        last.skipped = true;
                        last.error = None;
                    }
                    if let Some(journal) = &world.journal {
                        let _ = journal.skipped(&intent);
                    }
                    // Go on as if reached: the mirror settles it too.
                    let _ = world.sim.adopt_wait(spec);
                    return Ok(Outcome {
                        warnings: vec![
                            "wait cancelled with Ctrl-C and skipped by the operator: the state was not confirmed".to_string(),
                        ],
                        ..Outcome::default()
                    });
                }
                _ => {
                    self.world.borrow_mut().stopped_by_operator = true;
                    return result;
                }
            }
        }
    }

    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        self.step(
            Intent::Check {
                check: spec.clone(),
            },
            |b| b.check(spec),
            // A check reads and changes nothing: what AWS answered stands.
            |_, done| Ok(done.clone()),
            |s| s.check(spec),
        )
    }

    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError> {
        self.step(
            Intent::Approval {
                message: message.to_string(),
            },
            |b| b.approve(message),
            |_, done| Ok(done.clone()),
            |s| s.approve(message),
        )
    }

    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        let mut world = self.world.borrow_mut();
        match &mut world.live {
            Some(live) => live.backend.query(query),
            None => world.sim.query(query),
        }
    }

    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        let mut world = self.world.borrow_mut();
        let world = &mut *world;
        if let Some(live) = &mut world.live {
            live.backend.begin_parallel()?;
        }
        world.sim.begin_parallel()?;
        world.open_group = Some(0);
        Ok(())
    }

    fn begin_branch(&mut self) -> Result<(), BackendError> {
        let mut world = self.world.borrow_mut();
        let world = &mut *world;
        if let Some(live) = &mut world.live {
            live.backend.begin_branch()?;
        }
        world.sim.begin_branch()?;
        world.open_group = world.open_group.map(|n| n + 1);
        Ok(())
    }

    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        let mut world = self.world.borrow_mut();
        let world = &mut *world;
        let live = match &mut world.live {
            Some(live) => live.backend.end_parallel(),
            None => Ok(Vec::new()),
        };
        let sim = world.sim.end_parallel();
        world.open_group = None;
        live.and(sim)
    }

    fn note(&mut self, text: &str) {
        // Printed as it happens: in a session the operator is watching.
        println!("  · {text}");
    }

    fn world(&self) -> Option<Inventory> {
        Some(self.world.borrow().sim.world())
    }
}
