//! `ripcord export --engine step-functions`: a reviewed plan compiled to an Amazon States
//! Language document (`docs/step-functions.md`), and the IAM policy its execution role needs.
//!
//! Each AWS call becomes a Task on its operation's integration
//! ([`crate::Operation::step_functions`]), a wait a polling loop, a check a describe Task and
//! a Choice, an approval an SNS task-token wait, a parallel group a Parallel state, a note a
//! Pass state.

mod compiler;
mod context;
pub mod machine;
mod poll;
pub mod retry;
pub mod task;

pub use compiler::SUCCEEDED;
pub use context::SfnContext;
pub use machine::{Graph, State, StateMachine};
pub use poll::Poll;
pub use task::{sdk_resource, SfnTask, SDK_PREFIX};

use crate::iam::{needs, Action, Permission, Reason, Scope};
use crate::plan::Plan;

/// Seconds between two polls of a wait.
pub const POLL_INTERVAL_SECS: u64 = 15;

/// Where approvals are published when no topic is given: the execution input's field.
pub const APPROVAL_TOPIC_INPUT: &str = "$$.Execution.Input.ApprovalTopicArn";

/// Why a plan cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The dry-run stopped on a failure: the plan is not a run to deploy.
    #[error("the plan stops on a failure ({0}): fix the runbook or the world and plan again")]
    PlanFailed(String),
    /// Something the export does not map yet.
    #[error("not exported yet: {0}")]
    NotYet(String),
}

/// The state machine of `plan`. Approvals are published to `approval_topic` (a topic ARN),
/// else to the execution input's `ApprovalTopicArn`.
pub fn compile(plan: &Plan, approval_topic: Option<String>) -> Result<StateMachine, ExportError> {
    compiler::Compiler::new(plan, approval_topic).compile()
}

/// What the state machine's role needs: the same derivation as `ripcord iam-policy`
/// ([`crate::iam::needs`]) for the plan's calls, waits and checks, without the capture (the
/// execution does not capture) and without effect checks (it does not settle lost answers),
/// plus SNS Publish on the approval topic when the plan has approvals.
pub fn role_permissions(
    plan: &Plan,
    scope: &Scope,
    approval_topic: Option<&str>,
) -> Vec<Permission> {
    let mut out: Vec<Permission> = needs(plan, &[], scope)
        .into_iter()
        .filter(|(_, reason)| matches!(reason, Reason::Call | Reason::Read))
        .map(|(permission, _)| permission)
        .collect();
    if plan.counts.approvals > 0 {
        let publish = Action::new("sns", "Publish");
        out.push(match approval_topic {
            Some(topic) => Permission::on(publish, [topic.to_string()]),
            // The topic comes with each execution's input: any topic of the account.
            None => Permission::on(publish, [scope.arn("sns", "*", "*")]),
        });
    }
    out
}

#[cfg(test)]
mod tests;
