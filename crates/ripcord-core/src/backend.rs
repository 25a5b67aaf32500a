//! The `Backend` trait: the one environment a runbook runs in (simulated or live), clock included.

use crate::call::Call;
use crate::error::BackendError;
use crate::step::{Change, CheckSpec, WaitSpec};
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// What a backend reports for a step it carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Outcome {
    /// The id or ARN the target resolved to, when it differs from the name.
    pub resolved: Option<String>,
    /// The id of a resource the step created (snapshot id, volume id, change id).
    pub creates: Option<String>,
    /// Attributes changed, before -> after.
    pub changes: Vec<Change>,
    /// Estimated (dry-run) or measured (live) seconds.
    pub duration_secs: u64,
    /// Things a reviewer should know that do not stop the run.
    pub warnings: Vec<String>,
    /// AWS request id (live only).
    pub request_id: Option<String>,
    /// How a step whose answer was lost was settled (live only; `docs/live.md`, "Lost
    /// answers").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<Settlement>,
    /// Who gave an approval (live only): a resumed run does not ask again, and says who did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// How a live step whose answer was lost was settled: by its effect check read from AWS, or
/// by sending it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// The error that left the outcome in doubt (`code: message`).
    pub lost: String,
    /// Requests sent for the step, the first included.
    pub sent: u32,
    /// What was read (or why nothing could tell), in words.
    pub evidence: String,
    /// Whether AWS confirmed the effect; `false`: the step was not sent again and may not
    /// have taken effect (at most once).
    pub verified: bool,
}

impl Settlement {
    /// A step an earlier process of the run sent without journaling its answer, settled on
    /// `apply --resume` (live, or in the resume's dry-run): `evidence` in words, `verified`
    /// false when nothing could tell (at most once).
    pub fn journaled(evidence: String, verified: bool) -> Settlement {
        Settlement {
            lost: "the earlier process stopped before its answer was journaled".to_string(),
            sent: 1,
            evidence,
            verified,
        }
    }

    /// The warning of such a step that is not sent again because `why` nothing tells
    /// whether it took effect.
    pub fn journaled_warning(why: &str) -> String {
        format!(
            "the earlier process may have sent it before it stopped; it is not sent again, because {why}: check by hand that it happened"
        )
    }

    /// The step's note in the record of a run.
    pub fn note(&self) -> String {
        match self.verified {
            true => format!("answer lost ({}); settled: {}", self.lost, self.evidence),
            false => format!("answer lost ({}); not sent again (at most once)", self.lost),
        }
    }
}

/// A read-only question a runbook asks of the world.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "query", rename_all = "snake_case")]
pub enum Query {
    /// The resource's description in the inventory's shape (`docs/inventory.md`), or `None`
    /// when it does not exist.
    Describe { target: Target },
    /// The newest snapshot of a volume, DB instance or DB cluster, in the inventory's shape,
    /// or `None` when it has none.
    LatestSnapshot { target: Target },
    /// Whether `region` answers (`reachable(region)`): `false` when it is down as a whole
    /// (`plan --down`, a capture that could not read it, or live requests that found it so).
    Reachable { region: String },
}

/// The environment a runbook runs in.
///
/// The interpreter only ever reaches AWS, the clock and the operator through this trait, so a
/// dry-run is a backend (not a flag checked at call sites) and a run can be replayed from its
/// journal. Implementations: the simulated world (`ripcord-sim`) and the live AWS backend.
pub trait Backend {
    /// The backend's current time: virtual in a dry-run (it starts at the inventory's
    /// `captured_at` and advances by each step's estimate), the wall clock live.
    fn now(&self) -> jiff::Timestamp;

    /// Seconds since the run started, on the backend's clock.
    fn elapsed_secs(&self) -> u64;

    /// Carries out one mutating call.
    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError>;

    /// Waits until the target reaches the state, or fails with a timeout.
    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError>;

    /// Runs a read-only readiness check; an unmet check is an error.
    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError>;

    /// Stops for a human; an `Err` means the operator (or the mode) refused.
    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError>;

    /// Answers a read-only query.
    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError>;

    /// Opens a parallel group. Steps until `end_parallel` belong to it, in branches.
    fn begin_parallel(&mut self) -> Result<(), BackendError>;

    /// Starts the next branch of the open parallel group (its steps run after each other,
    /// concurrently with the other branches).
    fn begin_branch(&mut self) -> Result<(), BackendError>;

    /// Closes the parallel group once every branch has finished. Returns the group's notes
    /// for the plan: the quotas that make it take longer than its longest branch (the
    /// simulation's estimate, `ripcord_core::quota`).
    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError>;

    /// A line the runbook printed.
    fn note(&mut self, _text: &str) {}

    /// Settles `call`, which an earlier process of this run journaled under `seq` and may
    /// have sent (`apply --resume`): `Ok(Some(outcome))` when its effect holds (or cannot be
    /// seen, at most once), recorded under `seq`; `Ok(None)` when it did not take effect and
    /// must be sent as a new step. A backend that sends nothing (the simulation) says `None`.
    fn settle_journaled(
        &mut self,
        _call: &Call,
        _seq: u64,
    ) -> Result<Option<Outcome>, BackendError> {
        Ok(None)
    }

    /// The whole world as the backend holds it, if it holds one (the simulation does; a live
    /// backend does not, and says `None` rather than capture behind the caller's back).
    fn world(&self) -> Option<crate::Inventory> {
        None
    }
}
