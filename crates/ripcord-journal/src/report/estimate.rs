//! The plan's estimate of a run: the runbook replanned against the run's own inventory, and
//! which planned step each journaled step is.

use crate::replay::same_step;
use ripcord_core::{Change, Intent, Plan, Step, StepKind};

/// What the report compares the run with: the plan `apply` made before it sent anything,
/// recomputed (the runbook at the journaled path, hashing to the journaled SHA-256, planned
/// against the run's `inventory.json`), or why it cannot be.
#[derive(Debug, Clone)]
pub enum Estimate {
    Plan {
        /// Boxed: a plan is large, and an unavailable estimate is only a sentence.
        plan: Box<Plan>,
        /// What the reader should know of how it was recomputed (AWS's default request
        /// quotas, say).
        note: Option<String>,
    },
    /// Why there is no estimate: the runbook changed or is gone, the inventory is unreadable.
    Unavailable(String),
}

/// The planned step a journaled step was matched with.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    /// The plan's step number.
    pub index: u32,
    /// Estimated start, seconds from the run's start (a branch's steps start when the
    /// branch's earlier steps end).
    pub at_secs: u64,
    pub duration_secs: u64,
    /// The plan's before -> after, from the simulated world.
    pub changes: Vec<Change>,
}

impl PlannedStep {
    fn of(step: &Step) -> PlannedStep {
        PlannedStep {
            index: step.index,
            at_secs: step.at_secs,
            duration_secs: step.duration_secs,
            changes: step.changes.clone(),
        }
    }
}

impl Estimate {
    pub fn plan(&self) -> Option<&Plan> {
        match self {
            Estimate::Plan { plan, .. } => Some(plan),
            Estimate::Unavailable(_) => None,
        }
    }

    /// For each journaled step (`None`: one that takes no part, a superseded record), the
    /// planned step it is, matched as a resumed run matches them (`Replay`): the first
    /// planned step not yet taken of the same kind, operation and target. Also the planned
    /// steps no journaled step matched (the run stopped before them, or took another path),
    /// as `step.label()`s.
    pub(crate) fn match_steps(
        &self,
        journaled: &[Option<&Intent>],
    ) -> (Vec<Option<PlannedStep>>, Vec<String>) {
        let Some(plan) = self.plan() else {
            return (vec![None; journaled.len()], Vec::new());
        };
        let mut open: Vec<(&Step, Intent)> = plan
            .steps()
            .filter_map(|step| Intent::of(&step.kind).map(|intent| (step, intent)))
            .collect();
        let matched = journaled
            .iter()
            .map(|intent| {
                let intent = (*intent)?;
                let at = open
                    .iter()
                    .position(|(_, planned)| same_step(intent, planned))?;
                Some(PlannedStep::of(open.remove(at).0))
            })
            .collect();
        let left = open
            .iter()
            .filter(|(step, _)| !matches!(step.kind, StepKind::Note { .. }))
            .map(|(_, intent)| intent.label())
            .collect();
        (matched, left)
    }
}
