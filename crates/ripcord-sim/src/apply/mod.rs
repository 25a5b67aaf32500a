//! Mutating calls: each validates like AWS, then changes the world; a rejection changes nothing.

mod aurora;
mod autoscaling;
pub(crate) mod dynamodb;
mod ec2;
mod ecs;
mod lifecycle;
mod rds;
mod route53;
pub(crate) mod s3;
mod sns;

use crate::backend::SimBackend;
use crate::errors::Op;
use ripcord_core::quota::BucketKey;
use ripcord_core::{BackendError, Call, Outcome};

/// How the simulation carries out one operation: one implementation per type in
/// `ripcord_core::ops`, beside the other operations of its service, so an operation the
/// simulation does not model is a compile error in [`execute`].
pub(crate) trait Apply {
    /// Validates like AWS, then changes the world; a rejection changes nothing.
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError>;
}

/// The moment a call is made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cx {
    pub op: Op,
    /// Elapsed seconds when the call is sent: resource states are judged as of now.
    pub now: u64,
    /// Elapsed seconds when the call returns: asynchronous work is timed from here, so that
    /// a wait right after the call takes exactly the wait estimate.
    pub done: u64,
    /// `now` as a timestamp, for creation times.
    pub at: jiff::Timestamp,
}

pub(crate) fn execute(sim: &mut SimBackend, call: &Call) -> Result<Outcome, BackendError> {
    let secs = sim.estimates.call(call.operation());
    let now = sim.clock.elapsed();
    let cx = Cx {
        op: Op::of(call),
        now,
        done: now.saturating_add(secs),
        at: sim.timestamp(now),
    };
    let outcome = ripcord_core::for_call!(call, op => op.apply(sim, cx))?;
    sim.clock.advance(secs);
    sim.clock.count_call(
        BucketKey::of(call.service(), call.operation(), call.region()),
        call.request_count(),
        secs,
    );
    Ok(Outcome {
        duration_secs: secs,
        ..outcome
    })
}

pub(crate) use ripcord_core::arn::resolved_id as resolved;
