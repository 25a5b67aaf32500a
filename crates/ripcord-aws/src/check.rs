//! Readiness checks: s3 GetBucketReplication, with the destination's region from
//! GetBucketLocation; dynamodb DescribeTable for the replicas of a global table.

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
        CheckSpec::TableReplica {
            table,
            region,
            replica_region,
        } => table_replica(ctx, op, spec, table, region, replica_region).await,
    }
}

/// The table `table`, described in `region`, must list an ACTIVE replica in
/// `replica_region`.
async fn table_replica(
    ctx: &Ctx,
    op: Op,
    spec: &CheckSpec,
    table: &str,
    region: &str,
    replica_region: &str,
) -> Result<Outcome, BackendError> {
    let Some(found) = crate::query::table(ctx, op, region, table).await? else {
        return Err(spec.unmet(None));
    };
    let found = crate::convert::table(&found, region);
    if found
        .replicas
        .iter()
        .any(|r| r.region == replica_region && r.status == "ACTIVE")
    {
        return Ok(Outcome::default());
    }
    let replicas: Vec<String> = found
        .replicas
        .iter()
        .map(|r| format!("{} ({})", r.region, r.status))
        .collect();
    Err(spec.unmet(Some(&replicas)))
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
