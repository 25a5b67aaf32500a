//! Parallel groups: steps are queued per branch, then `end_parallel` runs the branches at once.
//!
//! The interpreter is single-threaded and calls `execute`/`wait` one after another, so a live
//! backend cannot block in them and still overlap branches. Between `begin_parallel` and
//! `end_parallel` it only queues: a call that creates something answers with a placeholder id
//! (`pending:N`), which later steps of the same branch (and any step after the group) may use;
//! it is replaced by the real id when that step runs.

use crate::context::{Ctx, Stop};
use crate::errors::Op;
use crate::step::Step;
use ripcord_core::{BackendError, Creates, Journal, Outcome};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A queued step and the placeholder standing for what it creates.
#[derive(Debug, Clone)]
struct Queued {
    step: Step,
    placeholder: Option<String>,
}

/// The open parallel group: its branches' queues, in order.
#[derive(Debug, Default)]
pub(crate) struct ParallelGroup {
    branches: Vec<Vec<Queued>>,
}

/// The prefix of placeholder ids; nothing AWS names starts with it.
pub(crate) const PLACEHOLDER_PREFIX: &str = "pending:";

pub(crate) fn is_placeholder(s: &str) -> bool {
    s.strip_prefix(PLACEHOLDER_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// How the group ended.
pub(crate) struct GroupResult {
    /// The first error any branch hit (in time), if any.
    pub error: Option<BackendError>,
    /// Placeholder -> real id for everything the group created.
    pub created: HashMap<String, String>,
}

impl ParallelGroup {
    pub(crate) fn begin_branch(&mut self) {
        self.branches.push(Vec::new());
    }

    /// Queues a step in the current branch and answers for it at once: no time, and for a
    /// call that creates something, a placeholder (or the identifier the runbook chose).
    pub(crate) fn queue(&mut self, step: Step, next_placeholder: &mut u64) -> Outcome {
        if self.branches.is_empty() {
            self.branches.push(Vec::new());
        }
        let (placeholder, creates) = match &step {
            Step::Call(call) if matches!(call.descriptor().creates, Creates::NewId(_)) => {
                *next_placeholder += 1;
                let id = format!("{PLACEHOLDER_PREFIX}{next_placeholder}");
                (Some(id.clone()), Some(id))
            }
            Step::Call(call) => (None, call.given_id()),
            _ => (None, None),
        };
        let branch = self.branches.len() - 1;
        self.branches[branch].push(Queued { step, placeholder });
        Outcome {
            creates,
            ..Outcome::default()
        }
    }

    /// Runs every branch concurrently (each branch's steps in order, in its own task) and
    /// waits for all of them.
    ///
    /// When a step fails, its branch stops; the other branches finish the request they are
    /// sending, start no new step, and abandon their waits at the next poll. The first
    /// failure is the group's error.
    pub(crate) async fn run(
        self,
        ctx: Arc<Ctx>,
        journal: Option<Arc<dyn Journal>>,
        known: HashMap<String, String>,
    ) -> GroupResult {
        let abort = Arc::new(AtomicBool::new(false));
        let first_error: Arc<Mutex<Option<BackendError>>> = Arc::new(Mutex::new(None));
        let known = Arc::new(known);
        let mut tasks = Vec::new();
        for branch in self.branches {
            let ctx = ctx.clone();
            let journal = journal.clone();
            let abort = abort.clone();
            let first_error = first_error.clone();
            let known = known.clone();
            tasks.push(tokio::spawn(async move {
                run_branch(branch, &ctx, journal.as_ref(), &abort, &first_error, &known).await
            }));
        }
        let mut created = HashMap::new();
        for task in tasks {
            match task.await {
                Ok(mine) => created.extend(mine),
                Err(join) => {
                    let err = Op::new("ripcord", "parallel").transport(
                        "BranchFailed",
                        format!("a parallel branch stopped unexpectedly: {join}"),
                    );
                    record_failure(&first_error, &abort, err);
                }
            }
        }
        let error = first_error.lock().unwrap_or_else(|p| p.into_inner()).take();
        GroupResult { error, created }
    }
}

fn record_failure(first: &Mutex<Option<BackendError>>, abort: &AtomicBool, err: BackendError) {
    let mut first = first.lock().unwrap_or_else(|p| p.into_inner());
    if first.is_none() {
        *first = Some(err);
    }
    abort.store(true, Ordering::SeqCst);
}

/// One branch: its steps in order, placeholders replaced as their ids become known.
async fn run_branch(
    branch: Vec<Queued>,
    ctx: &Ctx,
    journal: Option<&Arc<dyn Journal>>,
    abort: &AtomicBool,
    first_error: &Mutex<Option<BackendError>>,
    known: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut mine: HashMap<String, String> = HashMap::new();
    for queued in branch {
        if abort.load(Ordering::SeqCst) {
            break;
        }
        let mut ids = known.clone();
        ids.extend(mine.iter().map(|(k, v)| (k.clone(), v.clone())));
        let step = match queued.step.substitute(&ids, &is_placeholder) {
            Ok(step) => step,
            Err(placeholder) => {
                let err = queued.step.op().rejected(
                    "UnresolvedPlaceholder",
                    format!("{placeholder} is created by another branch of the same parallel group, which may not have run yet"),
                ).with_help("use what a branch creates in the same branch, or after the parallel group");
                record_failure(first_error, abort, err);
                break;
            }
        };
        let stop = Stop {
            cancel: &ctx.cancel,
            abort: Some(abort),
        };
        match step.run(ctx, journal, stop).await {
            Ok(outcome) => {
                if let (Some(placeholder), Some(id)) = (queued.placeholder, outcome.creates) {
                    mine.insert(placeholder, id);
                }
            }
            Err(err) => {
                // A branch abandoned because another failed is not the group's error.
                if err.code != "BranchAbandoned" {
                    record_failure(first_error, abort, err);
                }
                break;
            }
        }
    }
    mine
}

#[cfg(test)]
mod tests {
    use super::*;
    use ripcord_core::ops;
    use ripcord_core::Call;

    #[test]
    fn creating_calls_get_placeholders() {
        let mut group = ParallelGroup::default();
        let mut next = 0;
        group.begin_branch();
        let outcome = group.queue(
            Step::Call(Call::CreateSnapshot(ops::CreateSnapshot {
                region: "us-east-1".into(),
                volume: "web".into(),
                description: String::new(),
                tags: Default::default(),
            })),
            &mut next,
        );
        assert_eq!(outcome.creates.as_deref(), Some("pending:1"));
        let outcome = group.queue(
            Step::Call(Call::CreateDbSnapshot(ops::CreateDbSnapshot {
                region: "us-east-1".into(),
                db_instance: "db".into(),
                snapshot: "Before-DR".into(),
                tags: Default::default(),
            })),
            &mut next,
        );
        assert_eq!(outcome.creates.as_deref(), Some("before-dr"));
        assert!(is_placeholder("pending:12"));
        assert!(!is_placeholder("pending:"));
        assert!(!is_placeholder("pending-db"));
    }
}
