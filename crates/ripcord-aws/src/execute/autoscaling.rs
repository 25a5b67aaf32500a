//! Auto Scaling: UpdateAutoScalingGroup with only the sizes the runbook set.

use super::{request_id, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use aws_sdk_autoscaling::operation::RequestId;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome};

/// `sizes` = [min, max, desired]; absent ones are left unchanged by AWS.
async fn update(
    ctx: &Ctx,
    op: Op,
    region: &str,
    name: &str,
    sizes: [Option<i64>; 3],
) -> Result<Outcome, BackendError> {
    let [min, max, desired] = sizes.map(|size| size.map(i32::try_from));
    let size = |value: Option<Result<i32, _>>, field: &str| {
        match value {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(v)),
        // The API's sizes are 32-bit; say so in AWS's words rather than truncate.
        Some(Err(_)) => Err(op.rejected(
            "ValidationError",
            format!("Value at '{field}' failed to satisfy constraint: Member must fit in a 32-bit integer"),
        )),
    }
    };
    let out = ctx
        .mutations
        .autoscaling(region)
        .update_auto_scaling_group()
        .auto_scaling_group_name(name)
        .set_min_size(size(min, "minSize")?)
        .set_max_size(size(max, "maxSize")?)
        .set_desired_capacity(size(desired, "desiredCapacity")?)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

impl Execute for ops::UpdateAutoScalingGroup {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        update(
            ctx,
            op,
            &self.region,
            &self.auto_scaling_group_name,
            [self.min_size, self.max_size, self.desired_capacity],
        )
        .await
    }
}
