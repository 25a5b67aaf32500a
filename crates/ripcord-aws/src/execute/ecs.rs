//! ECS: UpdateService with only the desired count (the task definition, deployment and
//! network settings are left as they are).

use super::{request_id, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use aws_sdk_ecs::operation::RequestId;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome};

impl Execute for ops::UpdateService {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // The API's count is 32-bit; say so in AWS's words rather than truncate.
        let desired = i32::try_from(self.desired_count).map_err(|_| {
            op.rejected(
                "InvalidParameterException",
                format!(
                    "desiredCount {} is out of range: it must fit in a 32-bit integer",
                    self.desired_count
                ),
            )
        })?;
        let out = ctx
            .mutations
            .ecs(&self.region)
            .update_service()
            .cluster(&self.cluster)
            .service(&self.service)
            .desired_count(desired)
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}
