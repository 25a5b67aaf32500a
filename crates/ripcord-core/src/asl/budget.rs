//! `Budget`: how much one state machine and one execution may hold, against Step Functions'
//! quotas (a definition of 1 MB, 25,000 events in an execution's history), and the events a
//! plan's step is expected to add to the history.

use crate::step::{Step, StepKind};

/// Step Functions' largest state machine definition (Standard workflows), in bytes.
pub const DEFINITION_MAX_BYTES: usize = 1_048_576;

/// Step Functions' most events in one execution's history.
pub const HISTORY_MAX_EVENTS: u64 = 25_000;

/// What one exported state machine may hold: below the quotas, with room for what the plan's
/// estimates do not see (retries of throttled requests, waits polling longer than estimated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub definition_bytes: usize,
    pub events: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            definition_bytes: 900_000,
            events: 20_000,
        }
    }
}

/// The history events of an execution's start and end, of a machine's resume Choice and of
/// its last state.
pub const EXECUTION_EVENTS: u64 = 6;

/// The events a Parallel state adds around its branches (entered, started, succeeded, exited).
pub const PARALLEL_EVENTS: u64 = 4;

/// The events each branch's resume Choice adds.
pub const BRANCH_EVENTS: u64 = 2;

/// The events `step` is expected to add to an execution's history as exported: a Task
/// state's five (entered, scheduled, started, succeeded, exited), a Pass's or Choice's two,
/// a wait's polls as many as its estimated duration takes at `poll_interval_secs`.
pub fn step_events(step: &Step, poll_interval_secs: u64) -> u64 {
    const TASK: u64 = 5;
    const PASS: u64 = 2;
    match &step.kind {
        StepKind::Note { .. } => PASS,
        StepKind::Call { call } => {
            let guard = if super::Guard::of(step).is_some() {
                TASK + PASS
            } else {
                0
            };
            guard + TASK * call.request_count() as u64 + PASS
        }
        StepKind::Wait { .. } => {
            let polls = step.duration_secs.div_ceil(poll_interval_secs.max(1)) + 1;
            // The first Pass, each poll (describe, count, Choice), a sleep between two polls,
            // the done Pass.
            PASS + polls * (TASK + PASS + PASS) + (polls - 1) * PASS + PASS
        }
        StepKind::Check { .. } => TASK + PASS + PASS,
        // The task token's wait adds a "submitted" event.
        StepKind::Approval { .. } => TASK + 1 + PASS,
    }
}
