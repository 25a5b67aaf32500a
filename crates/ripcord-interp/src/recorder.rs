//! `Recorder`: builds the plan's items as steps arrive, including parallel groups.

use ripcord_core::{ParallelGroup, Plan, PlanItem, Step};

/// Collects steps in order; between `open_group` and `close_group` they go into the
/// current branch of a parallel group.
#[derive(Debug, Default)]
pub struct Recorder {
    items: Vec<PlanItem>,
    group: Option<ParallelGroup>,
    next_index: u32,
    clock: Vec<ripcord_core::ClockRead>,
}

impl Recorder {
    /// The index the next step will get (1-based).
    pub fn next_index(&mut self) -> u32 {
        self.next_index += 1;
        self.next_index
    }

    pub fn push(&mut self, step: Step) {
        match &mut self.group {
            Some(group) => match group.branches.last_mut() {
                Some(branch) => branch.push(step),
                None => group.branches.push(vec![step]),
            },
            None => self.items.push(PlanItem::Step(step)),
        }
    }

    /// A value the runbook read from the clock.
    pub fn read_clock(&mut self, read: ripcord_core::ClockRead) {
        self.clock.push(read);
    }

    pub fn in_group(&self) -> bool {
        self.group.is_some()
    }

    pub fn open_group(&mut self, at_secs: u64) {
        self.group = Some(ParallelGroup {
            at_secs,
            duration_secs: 0,
            branches: Vec::new(),
            notes: Vec::new(),
        });
    }

    pub fn open_branch(&mut self) {
        if let Some(group) = &mut self.group {
            group.branches.push(Vec::new());
        }
    }

    /// Closes the group with the backend's notes on it (quotas that pace it); empty branches
    /// are dropped and an empty group leaves no trace.
    pub fn close_group(&mut self, duration_secs: u64, notes: Vec<String>) {
        if let Some(mut group) = self.group.take() {
            group.branches.retain(|b| !b.is_empty());
            group.duration_secs = duration_secs;
            group.notes = notes;
            if !group.branches.is_empty() {
                self.items.push(PlanItem::Parallel(group));
            }
        }
    }

    /// Whether a step recorded so far is an approval (a person agreed to go on).
    pub fn has_approval(&self) -> bool {
        let approval =
            |s: &ripcord_core::Step| matches!(s.kind, ripcord_core::StepKind::Approval { .. });
        let in_items = self.items.iter().any(|item| match item {
            PlanItem::Step(step) => approval(step),
            PlanItem::Parallel(group) => group.branches.iter().flatten().any(approval),
        });
        in_items
            || self
                .group
                .as_ref()
                .is_some_and(|g| g.branches.iter().flatten().any(approval))
    }

    /// Moves the recorded items into the plan (closing a group left open by an error).
    pub fn finish(&mut self, plan: &mut Plan, total_secs: u64) {
        if let Some(group) = &self.group {
            let at = group.at_secs;
            self.close_group(total_secs.saturating_sub(at), Vec::new());
        }
        plan.items = std::mem::take(&mut self.items);
        plan.clock = std::mem::take(&mut self.clock);
        plan.total_secs = total_secs;
        plan.recount();
    }
}
