//! The rest of the plan from a pause: the runbook run again on a copy of the current simulated
//! state, the steps already done replayed with their recorded outcomes (not sent again), the
//! rest dry-run.
//!
//! The interpreter is deterministic, so replaying the recorded outcomes brings the run to the
//! same point; what comes after is what `step`/`continue` would do from here.

use crate::world::{ClockRead, World};
use ripcord_core::{
    Backend, BackendError, Call, CheckSpec, Inventory, Outcome, Plan, PlanItem, Query, Step,
    StepKind, WaitSpec,
};
use ripcord_interp::debug::PROMPT_FILE;
use ripcord_interp::{HookDecision, Interpreter};
use ripcord_sim::SimBackend;
use std::cell::Cell;
use std::rc::Rc;

/// The steps still to come, numbered as the session numbers them.
pub struct Rest {
    pub plan: Plan,
    /// How many runbook steps were already done (replayed).
    pub done: usize,
}

pub fn rest_of_plan(file: &str, source: &str, world: &World) -> Result<Rest, String> {
    let done: Vec<_> = world
        .done
        .iter()
        .filter(|d| d.pending.origin.file != PROMPT_FILE)
        .filter_map(|d| d.outcome.clone().map(|o| (d.pending.clone(), o)))
        .collect();
    let mut interpreter = Interpreter::new(file);
    let runbook = interpreter
        .compile(source)
        .map_err(|err| format!("the runbook no longer compiles: {}", err.message))?;
    let count = done.len();
    let position = Rc::new(Cell::new(0usize));
    let diverged = Rc::new(Cell::new(false));
    let (at, off) = (position.clone(), diverged.clone());
    interpreter.set_step_hook(Some(Box::new(move |pending| {
        let i = at.get();
        let Some((recorded, outcome)) = done.get(i) else {
            return HookDecision::Run;
        };
        at.set(i + 1);
        if recorded.kind == pending.kind && recorded.origin == pending.origin {
            HookDecision::Replay(outcome.clone())
        } else {
            off.set(true);
            HookDecision::Stop
        }
    })));
    let fork = Fork {
        sim: world.sim.clone(),
        open_group: world.open_group,
        clock_reads: world.clock_reads.clone(),
        next_read: Cell::new(0),
    };
    let result = interpreter.run(&runbook, Box::new(fork), None);
    if diverged.get() {
        return Err(format!(
            "the runbook takes another path than this session did at step {} (a variable changed at the prompt?), so the rest cannot be computed by replaying it",
            position.get()
        ));
    }
    if position.get() < count {
        return Err(match result.error {
            Some(err) => format!(
                "replaying the session's steps failed before reaching this point: {} ({})",
                err.message,
                err.location()
            ),
            None => "the runbook ends before the steps this session has done".to_string(),
        });
    }
    let mut plan = result.plan;
    if let Some(failure) = &plan.failure {
        if position.get() <= count && plan.items.is_empty() {
            return Err(format!(
                "the dry-run from here fails at once: {}",
                failure.message
            ));
        }
    }
    trim(&mut plan, count as u32);
    plan.recount();
    Ok(Rest { plan, done: count })
}

/// The simulated world the replay runs on: a copy of the session's, which may be inside a
/// parallel group the replay reaches again — its opening and the branches already begun are
/// not repeated (the simulated clock would rewind).
struct Fork {
    sim: SimBackend,
    open_group: Option<usize>,
    /// The session's clock answers, given again in order while the replay reads the clock as
    /// the session did; after them (or at the first read of another kind) the copy's own.
    clock_reads: Vec<ClockRead>,
    next_read: Cell<usize>,
}

impl Fork {
    fn recorded(&self, wanted: fn(ClockRead) -> Option<ClockRead>) -> Option<ClockRead> {
        let at = self.next_read.get();
        let read = self.clock_reads.get(at).copied().and_then(wanted);
        // A read of another kind means the replay reads the clock differently from here on.
        self.next_read
            .set(if read.is_some() { at + 1 } else { usize::MAX });
        read
    }
}

impl Backend for Fork {
    fn now(&self) -> jiff::Timestamp {
        match self.recorded(|r| matches!(r, ClockRead::Now(_)).then_some(r)) {
            Some(ClockRead::Now(now)) => now,
            _ => self.sim.now(),
        }
    }

    fn elapsed_secs(&self) -> u64 {
        match self.recorded(|r| matches!(r, ClockRead::Elapsed(_)).then_some(r)) {
            Some(ClockRead::Elapsed(secs)) => secs,
            _ => self.sim.elapsed_secs(),
        }
    }

    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        self.sim.execute(call)
    }

    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        self.sim.wait(spec)
    }

    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        self.sim.check(spec)
    }

    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError> {
        self.sim.approve(message)
    }

    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        self.sim.query(query)
    }

    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        match self.open_group {
            Some(_) => Ok(()),
            None => self.sim.begin_parallel(),
        }
    }

    fn begin_branch(&mut self) -> Result<(), BackendError> {
        match self.open_group {
            Some(0) => self.sim.begin_branch(),
            // Begun in the session already (the last of them is the one it is in).
            Some(begun) => {
                self.open_group = Some(begun - 1);
                Ok(())
            }
            None => self.sim.begin_branch(),
        }
    }

    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        self.open_group = None;
        self.sim.end_parallel()
    }

    fn world(&self) -> Option<Inventory> {
        Some(self.sim.world())
    }
}

/// Drops the steps numbered up to `done` and the notes printed before them.
fn trim(plan: &mut Plan, done: u32) {
    let mut passed = done == 0;
    let items = std::mem::take(&mut plan.items);
    for item in items {
        match item {
            PlanItem::Step(step) => {
                if keep(&step, done, &mut passed) {
                    plan.items.push(PlanItem::Step(step));
                }
            }
            PlanItem::Parallel(mut group) => {
                let start = passed;
                let mut after = passed;
                for branch in &mut group.branches {
                    let mut in_branch = start;
                    branch.retain(|step| keep(step, done, &mut in_branch));
                    after |= in_branch;
                }
                passed = after;
                group.branches.retain(|b| b.iter().any(|s| s.index > 0));
                if !group.branches.is_empty() {
                    plan.items.push(PlanItem::Parallel(group));
                }
            }
        }
    }
}

fn keep(step: &Step, done: u32, passed: &mut bool) -> bool {
    if matches!(step.kind, StepKind::Note { .. }) {
        return *passed;
    }
    if step.index >= done {
        *passed = true;
    }
    step.index > done
}
