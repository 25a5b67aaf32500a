//! The journal hook: how a live backend reports each request before it is sent and after.

use crate::backend::Outcome;
use crate::call::Call;
use crate::error::BackendError;
use crate::step::{CheckSpec, StepKind, WaitSpec};
use serde::{Deserialize, Serialize};

/// What a live request is about to do (a mutating call, a wait, a check or an approval).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Intent {
    Call { call: Call },
    Wait { wait: WaitSpec },
    Check { check: CheckSpec },
    Approval { message: String },
}

impl Intent {
    /// What the step does, in a few words, for progress lines and summaries:
    /// `autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2)`, `wait dr-db until available`.
    pub fn label(&self) -> String {
        match self {
            Intent::Call { call } => match call.region() {
                Some(region) => format!(
                    "{} {} {} ({region})",
                    call.service(),
                    call.operation(),
                    call.target()
                ),
                None => format!("{} {} {}", call.service(), call.operation(), call.target()),
            },
            Intent::Wait { wait } => format!("wait {} until {}", wait.target, wait.until.as_str()),
            Intent::Check { check } => format!("check {} {}", check.operation(), check.target()),
            Intent::Approval { message } => format!("approval \"{message}\""),
        }
    }

    /// The intent of a step (`None` for a note, which is not sent anywhere).
    pub fn of(kind: &StepKind) -> Option<Intent> {
        Some(match kind {
            StepKind::Call { call } => Intent::Call { call: call.clone() },
            StepKind::Wait { wait } => Intent::Wait { wait: wait.clone() },
            StepKind::Check { check } => Intent::Check {
                check: check.clone(),
            },
            StepKind::Approval { message } => Intent::Approval {
                message: message.clone(),
            },
            StepKind::Note { .. } => return None,
        })
    }
}

/// Receives every step a live backend carries out, in the order it happens.
///
/// `intent` is called before the request is sent and must not return until the record is
/// durable (written and flushed), so that a killed process leaves a journal that says exactly
/// which requests may have been sent. `finished` follows with the outcome. Steps of a parallel
/// group may interleave, so both carry the sequence number `intent` returned.
pub trait Journal: Send + Sync {
    /// Records the intent durably and returns its sequence number.
    fn intent(&self, intent: &Intent) -> Result<u64, String>;

    /// Records, durably, that the call's request is about to leave (its lookups done or
    /// cached): a process killed before this record sent nothing for the step, so a resumed
    /// run sends it, even one that is never sent twice (SNS Publish).
    fn sending(&self, _seq: u64) {}

    /// Records how the step ended and how long it took.
    fn finished(&self, seq: u64, result: Result<&Outcome, &BackendError>, duration_ms: u64);
}
