//! `ripcord export --engine step-functions`: a reviewed plan compiled to an Amazon States
//! Language document (`docs/step-functions.md`), and the IAM policy its execution role needs.
//!
//! Each AWS call becomes a Task on its operation's integration
//! ([`crate::Operation::step_functions`]), a wait a polling loop, a check a describe Task and
//! a Choice, an approval an SNS task-token wait, a parallel group a Parallel state, a note a
//! Pass state.

pub mod budget;
mod clock;
mod compiler;
mod context;
mod exported;
pub mod guard;
pub mod machine;
mod poll;
pub mod resume;
pub mod retry;
mod stage;
pub mod task;

pub use budget::Budget;
pub use clock::RUN_STARTED_AT;
pub use compiler::{kept_answers, resume_point, step_states, DONE, RESUME, RUN_STARTED, SUCCEEDED};
pub use context::SfnContext;
pub use exported::Exported;
pub use guard::Guard;
pub use machine::{Graph, State, StateMachine};
pub use poll::Poll;
pub use resume::Resume;
pub use stage::{stage_suffix, topic_in, Stage};
pub use task::{sdk_resource, SfnTask, SDK_PREFIX};

use crate::iam::{needs, Action, Permission, Reason, Scope};
use crate::plan::Plan;

/// Seconds between two polls of a wait, unless the export is told otherwise
/// ([`ExportOptions::poll_interval_secs`]).
pub const POLL_INTERVAL_SECS: u64 = 15;

/// How a plan is exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The SNS topic (ARN) approvals are published to; `None`: the execution input's
    /// `ApprovalTopicArn`.
    pub approval_topic: Option<String>,
    /// The region the state machine runs in, when known (`deploy`): a step sent to another
    /// region is refused, since a Task reaches its service in the state machine's region only.
    pub region: Option<String>,
    /// Seconds between two polls of a wait (at least 1).
    pub poll_interval_secs: u64,
    /// What one state machine and one execution may hold: beyond it the plan is exported
    /// as parts ([`compile_parts`]).
    pub budget: Budget,
}

impl Default for ExportOptions {
    fn default() -> ExportOptions {
        ExportOptions {
            approval_topic: None,
            region: None,
            poll_interval_secs: POLL_INTERVAL_SECS,
            budget: Budget::default(),
        }
    }
}

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
    /// One item of the plan is larger than a state machine or an execution may be.
    #[error("{0}")]
    TooLarge(String),
    /// Steps sent to a region other than the state machine's: an AWS SDK Task calls its
    /// service in the state machine's own region.
    #[error("a Step Functions Task calls AWS in the state machine's region ({region}) only, and {} of the plan's steps go elsewhere: {}. Deploy to their region, or leave out --region: a plan is then deployed in the regions its steps go to, a state machine per region", steps.len(), steps.join("; "))]
    OtherRegion { region: String, steps: Vec<String> },
}

/// The state machine of `plan`, exported as `options` say: one machine, whatever its size.
pub fn compile(plan: &Plan, options: &ExportOptions) -> Result<StateMachine, ExportError> {
    compiler::Compiler::new(plan, options).compile()
}

/// The plan as state machines within `options.budget`: one, or parts run one after the other
/// by a parent ([`Exported`]).
pub fn compile_parts(plan: &Plan, options: &ExportOptions) -> Result<Exported, ExportError> {
    compiler::Compiler::new(plan, options).compile_parts()
}

/// The plan as stages, one per run of consecutive items in one region ([`Stage`]), each within
/// `options.budget` ([`compile_parts`]). With `options.region`, a plan in one region must be
/// in that one, and a plan in several must include it.
pub fn compile_stages(plan: &Plan, options: &ExportOptions) -> Result<Vec<Stage>, ExportError> {
    compiler::Compiler::new(plan, options).compile_stages()
}

/// The region of each stage of the plan, in order, without compiling them, fitted to
/// `given` (`--region`) as [`compile_stages`] fits them: a plan whose steps name regions must
/// include it (else [`ExportError::OtherRegion`]); a stage naming none runs in it (`None`
/// without it).
pub fn stage_regions(plan: &Plan, given: Option<&str>) -> Result<Vec<Option<String>>, ExportError> {
    let options = ExportOptions {
        region: given.map(str::to_string),
        ..ExportOptions::default()
    };
    compiler::Compiler::new(plan, &options).stage_regions()
}

/// The suffix of part `k` (1-based) of `n`, on the parent's state machine name and on its
/// execution's name: `-part-001`.
pub fn part_suffix(k: usize) -> String {
    format!("-part-{k:03}")
}

/// What the state machine's role needs: the same derivation as `ripcord iam-policy`
/// ([`crate::iam::needs`]) for the plan's calls, waits and checks, without the capture (the
/// execution does not capture) and without effect checks (it does not settle lost answers),
/// plus SNS Publish on the approval topic when the plan has approvals, plus, for a plan
/// exported as `parts`, what the parent needs to run them.
pub fn role_permissions(
    plan: &Plan,
    scope: &Scope,
    approval_topic: Option<&str>,
    parts: usize,
) -> Vec<Permission> {
    let mut out: Vec<Permission> = needs(plan, &[], scope)
        .into_iter()
        .filter(|(_, reason)| matches!(reason, Reason::Call | Reason::Read))
        .map(|(permission, _)| permission)
        .collect();
    // Each guard's read of its target, before the call.
    for step in plan.steps() {
        if let (Some(_), Some(target)) = (Guard::of(step), &step.target) {
            let info = target.kind().info();
            out.push(Permission::anywhere(Action::new(
                info.service,
                info.describe_operation,
            )));
        }
    }
    // A parent starts its parts and waits for them (`startExecution.sync:2`: the execution
    // read and stopped, and the EventBridge rule Step Functions manages for it).
    if parts > 0 {
        out.push(Permission::on(
            Action::new("states", "StartExecution"),
            [scope.arn("states", "*", "stateMachine:*")],
        ));
        for action in ["DescribeExecution", "StopExecution"] {
            out.push(Permission::on(
                Action::new("states", action),
                [scope.arn("states", "*", "execution:*")],
            ));
        }
        for action in ["PutTargets", "PutRule", "DescribeRule"] {
            out.push(Permission::on(
                Action::new("events", action),
                [scope.arn(
                    "events",
                    "*",
                    "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
                )],
            ));
        }
    }
    if plan.counts.approvals > 0 {
        let publish = Action::new("sns", "Publish");
        out.push(match approval_topic {
            // Each stage publishes to the topic of that name in its region.
            Some(topic) => {
                let mut topics: Vec<String> = stage_regions(plan, None)
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|region| topic_in(topic, &region))
                    .collect();
                if topics.len() < 2 {
                    topics = vec![topic.to_string()];
                }
                topics.sort();
                topics.dedup();
                Permission::on(publish, topics)
            }
            // The topic comes with each execution's input: any topic of the account.
            None => Permission::on(publish, [scope.arn("sns", "*", "*")]),
        });
    }
    out
}

#[cfg(test)]
mod tests;
