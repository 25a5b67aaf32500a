//! Readiness checks: s3 GetBucketReplication, with the destination's region from GetBucketLocation.

use crate::context::{bucket_name, Ctx};
use crate::errors::Op;
use crate::resolve::absent_is_none;
use ripcord_core::{BackendError, CheckSpec, Outcome};

pub(crate) async fn check(ctx: &Ctx, spec: &CheckSpec) -> Result<Outcome, BackendError> {
    let op = Op::new(spec.service(), spec.operation());
    match spec {
        CheckSpec::BucketReplication { bucket, region } => {
            bucket_replication(ctx, op, spec, bucket, region).await
        }
    }
}

/// An enabled rule must replicate `bucket` into a bucket located in `region`.
async fn bucket_replication(
    ctx: &Ctx,
    op: Op,
    spec: &CheckSpec,
    bucket: &str,
    region: &str,
) -> Result<Outcome, BackendError> {
    let home = ctx.bucket_region(op, bucket).await?;
    let Some(config) = crate::query::replication(ctx, op, &home, bucket).await? else {
        return Err(spec.unmet(None));
    };
    let mut found = Vec::new();
    for rule in config.rules() {
        let destination = bucket_name(rule.destination().map(|d| d.bucket()).unwrap_or_default());
        let status = rule.status().as_str();
        let place = absent_is_none(ctx.bucket_region(op, destination).await)?;
        if status == "Enabled" && place.as_deref() == Some(region) {
            return Ok(Outcome::default());
        }
        found.push(format!(
            "rule {} -> {destination} ({status}, {})",
            rule.id().unwrap_or("(no id)"),
            place.as_deref().unwrap_or("a bucket that does not exist")
        ));
    }
    Err(spec.unmet(Some(&found)))
}
