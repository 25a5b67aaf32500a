//! Mutating calls: one SDK request per `Call` variant, after resolving names to ids and ARNs.

mod autoscaling;
mod dynamodb;
mod ec2;
mod ecs;
mod lifecycle;
mod rds;
mod route53;
mod s3;
mod sns;

pub(crate) use route53::change_id;

use crate::context::Ctx;
use crate::errors::Op;
use ripcord_core::{BackendError, Call, Outcome};

/// How the live backend sends one operation: one implementation per type in
/// `ripcord_core::ops`, beside the other operations of its service, so an operation the live
/// backend cannot send is a compile error in [`execute`].
pub(crate) trait Execute {
    /// Resolves names to ids and ARNs and sends the request. `token_seed` makes idempotency
    /// tokens unique to this step of this run.
    async fn execute(&self, ctx: &Ctx, op: Op, token_seed: &str) -> Result<Outcome, BackendError>;
}

/// Sends `call`. `token_seed` makes idempotency tokens unique to this step of this run.
///
/// The outcome has no duration (the caller measures the whole step) and no changes (the plan
/// shows them; reading state before and after is left to a later version).
pub(crate) async fn execute(
    ctx: &Ctx,
    call: &Call,
    token_seed: &str,
) -> Result<Outcome, BackendError> {
    let op = Op::new(call.service(), call.operation());
    ripcord_core::for_call!(call, o => o.execute(ctx, op, token_seed).await)
}

pub(crate) use ripcord_core::arn::resolved_id as resolved;

/// A deterministic idempotency token for one step: the call's content and the step's seed
/// (journal sequence number), so that the SDK's retries of that request carry the same token
/// while another step with the same arguments gets its own. 64 hex characters, the most EC2
/// accepts.
pub(crate) fn client_token(call: &Call, seed: &str) -> String {
    let content = serde_json::to_string(call).unwrap_or_default();
    ripcord_core::sha256_hex(format!("{seed}\u{0}{content}").as_bytes())
}

/// AWS request ids as the outcome carries them.
pub(crate) fn request_id(id: Option<&str>) -> Option<String> {
    id.filter(|id| !id.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ripcord_core::ops;

    #[test]
    fn tokens_are_stable_per_step_and_fit_ec2() {
        let call = Call::CreateVolume(ops::CreateVolume {
            region: "us-west-2".into(),
            snapshot: "snap-12345678".into(),
            availability_zone: "us-west-2a".into(),
            tags: Default::default(),
        });
        let a = client_token(&call, "run:journal:7");
        assert_eq!(a, client_token(&call, "run:journal:7"));
        assert_ne!(a, client_token(&call, "run:journal:8"));
        assert_eq!(a.len(), 64);
    }
}
