//! The journal hook: how a live backend reports each request before it is sent and after.

use crate::backend::Outcome;
use crate::call::Call;
use crate::error::BackendError;
use crate::step::{CheckSpec, WaitSpec};
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

/// Receives every step a live backend carries out, in the order it happens.
///
/// `intent` is called before the request is sent and must not return until the record is
/// durable (written and flushed), so that a killed process leaves a journal that says exactly
/// which requests may have been sent. `finished` follows with the outcome. Steps of a parallel
/// group may interleave, so both carry the sequence number `intent` returned.
pub trait Journal: Send + Sync {
    /// Records the intent durably and returns its sequence number.
    fn intent(&self, intent: &Intent) -> Result<u64, String>;

    /// Records how the step ended and how long it took.
    fn finished(&self, seq: u64, result: Result<&Outcome, &BackendError>, duration_ms: u64);
}
