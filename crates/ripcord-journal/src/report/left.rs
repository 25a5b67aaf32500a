//! What a run left changed: the union of its steps' changes, per resource and attribute, from
//! the first value before to the last value after.

use super::step::{ReportStep, StepResult};

/// One attribute the run left changed.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftChange {
    /// `Auto Scaling group dr-web-asg (us-west-2)`.
    pub resource: String,
    pub field: String,
    /// Before the first step that changed it.
    pub before: Option<String>,
    /// After the last one.
    pub after: Option<String>,
    /// The steps that changed it, by sequence number.
    pub steps: Vec<u64>,
    /// Whether any of these values come from the plan (the journal recorded none for the
    /// step).
    pub planned: bool,
}

/// The union of the changes of the steps that succeeded, in the order they were first
/// changed; attributes that ended where they started are left out.
pub(crate) fn left_changed(steps: &[ReportStep]) -> Vec<LeftChange> {
    let mut left: Vec<LeftChange> = Vec::new();
    for step in steps {
        if step.result != StepResult::Ok {
            continue;
        }
        let Some(target) = step.target() else {
            continue;
        };
        let resource = super::resource_label(&target);
        let (changes, planned) = step.changes();
        for change in changes {
            match left
                .iter_mut()
                .find(|l| l.resource == resource && l.field == change.field)
            {
                Some(entry) => {
                    entry.after = change.after.clone();
                    entry.steps.push(step.seq);
                    entry.planned |= planned;
                }
                None => left.push(LeftChange {
                    resource: resource.clone(),
                    field: change.field.clone(),
                    before: change.before.clone(),
                    after: change.after.clone(),
                    steps: vec![step.seq],
                    planned,
                }),
            }
        }
    }
    left.retain(|l| l.before != l.after);
    left
}
