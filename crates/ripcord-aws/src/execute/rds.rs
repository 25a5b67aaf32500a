//! RDS and Aurora: snapshots, copies, restores, promotion, reboot, global-cluster moves.

use super::{request_id, resolved, Execute};
use crate::context::{arn_region, arn_resource_id, Ctx};
use crate::errors::{FromSdk, Op};
use aws_sdk_rds::operation::RequestId;
use aws_sdk_rds::types::Tag;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome};
use std::collections::BTreeMap;

fn rds_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    })
}

/// The identifier AWS stored (lowercase), else the one the runbook gave.
pub(super) fn stored(answer: Option<&str>, given: &str) -> Option<String> {
    Some(answer.unwrap_or(given).to_string())
}

async fn create_db_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    db_instance: &str,
    snapshot: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let out = ctx
        .mutations
        .rds(region)
        .create_db_snapshot()
        .db_instance_identifier(db_instance)
        .db_snapshot_identifier(snapshot)
        .set_tags(rds_tags(tags))
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        creates: stored(
            out.db_snapshot().and_then(|s| s.db_snapshot_identifier()),
            snapshot,
        ),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn create_db_cluster_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    db_cluster: &str,
    snapshot: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let out = ctx
        .mutations
        .rds(region)
        .create_db_cluster_snapshot()
        .db_cluster_identifier(db_cluster)
        .db_cluster_snapshot_identifier(snapshot)
        .set_tags(rds_tags(tags))
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        creates: stored(
            out.db_cluster_snapshot()
                .and_then(|s| s.db_cluster_snapshot_identifier()),
            snapshot,
        ),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

/// A source in another region (of a copy, of a read replica): the identifier within a region,
/// the ARN across regions (what the copy and replica APIs require; the pre-signed URL the older
/// SDKs generated is only used in GovCloud and China now).
pub(super) async fn cross_region_source(
    ctx: &Ctx,
    region: &str,
    source_region: &str,
    kind: &str,
    id: &str,
) -> Result<String, BackendError> {
    if id.starts_with("arn:") || region == source_region {
        return Ok(id.to_string());
    }
    ctx.arn("rds", source_region, &format!("{kind}:{id}")).await
}

async fn copy_db_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    target_snapshot: &str,
) -> Result<Outcome, BackendError> {
    let source =
        cross_region_source(ctx, region, source_region, "snapshot", source_snapshot).await?;
    let out = ctx
        .mutations
        .rds(region)
        .copy_db_snapshot()
        .source_db_snapshot_identifier(&source)
        .target_db_snapshot_identifier(target_snapshot)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(source_snapshot, &source),
        creates: stored(
            out.db_snapshot().and_then(|s| s.db_snapshot_identifier()),
            target_snapshot,
        ),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn copy_db_cluster_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    target_snapshot: &str,
) -> Result<Outcome, BackendError> {
    let source = cross_region_source(
        ctx,
        region,
        source_region,
        "cluster-snapshot",
        source_snapshot,
    )
    .await?;
    let out = ctx
        .mutations
        .rds(region)
        .copy_db_cluster_snapshot()
        .source_db_cluster_snapshot_identifier(&source)
        .target_db_cluster_snapshot_identifier(target_snapshot)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(source_snapshot, &source),
        creates: stored(
            out.db_cluster_snapshot()
                .and_then(|s| s.db_cluster_snapshot_identifier()),
            target_snapshot,
        ),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn restore_db_instance(
    ctx: &Ctx,
    op: Op,
    region: &str,
    snapshot: &str,
    db_instance: &str,
    instance_class: Option<&str>,
    multi_az: Option<bool>,
) -> Result<Outcome, BackendError> {
    let out = ctx
        .mutations
        .rds(region)
        .restore_db_instance_from_db_snapshot()
        .db_snapshot_identifier(snapshot)
        .db_instance_identifier(db_instance)
        .set_db_instance_class(instance_class.map(str::to_string))
        .set_multi_az(multi_az)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        creates: stored(
            out.db_instance().and_then(|d| d.db_instance_identifier()),
            db_instance,
        ),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn promote_read_replica(
    ctx: &Ctx,
    op: Op,
    region: &str,
    db_instance: &str,
) -> Result<Outcome, BackendError> {
    let out = ctx
        .mutations
        .rds(region)
        .promote_read_replica()
        .db_instance_identifier(db_instance)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn reboot_db_instance(
    ctx: &Ctx,
    op: Op,
    region: &str,
    db_instance: &str,
    force_failover: bool,
) -> Result<Outcome, BackendError> {
    let out = ctx
        .mutations
        .rds(region)
        .reboot_db_instance()
        .db_instance_identifier(db_instance)
        .force_failover(force_failover)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn remove_from_global_cluster(
    ctx: &Ctx,
    op: Op,
    region: &str,
    global_cluster: &str,
    db_cluster: &str,
) -> Result<Outcome, BackendError> {
    // The API identifies the member by ARN (an identifier only works for a member in the
    // region the request is sent to, which is not the case during a regional failover).
    let arn = ctx.cluster_arn(region, db_cluster).await?;
    let out = ctx
        .mutations
        .rds(region)
        .remove_from_global_cluster()
        .global_cluster_identifier(global_cluster)
        .db_cluster_identifier(&arn)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(db_cluster, &arn),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

/// The target member's ARN: looked up among the global cluster's members (preferring the
/// member in the request's region, as the simulation does), else built for that region.
async fn member_arn(
    ctx: &Ctx,
    op: Op,
    region: &str,
    global_cluster: &str,
    target: &str,
) -> Result<String, BackendError> {
    if target.starts_with("arn:") {
        return Ok(target.to_string());
    }
    ctx.pace("rds", "DescribeGlobalClusters", Some(region))
        .await;
    let out = ctx
        .clients
        .rds(region)
        .describe_global_clusters()
        .global_cluster_identifier(global_cluster)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    let mut members: Vec<String> = out
        .global_clusters()
        .iter()
        .flat_map(|g| g.global_cluster_members())
        .filter_map(|m| m.db_cluster_arn())
        .filter(|arn| arn_resource_id(arn).eq_ignore_ascii_case(target))
        .map(str::to_string)
        .collect();
    members.sort_by_key(|arn| arn_region(arn) != Some(region));
    match members.into_iter().next() {
        Some(arn) => Ok(arn),
        None => ctx.cluster_arn(region, target).await,
    }
}

async fn failover_global_cluster(
    ctx: &Ctx,
    op: Op,
    region: &str,
    global_cluster: &str,
    target: &str,
    allow_data_loss: bool,
) -> Result<Outcome, BackendError> {
    let arn = member_arn(ctx, op, region, global_cluster, target).await?;
    let out = ctx
        .mutations
        .rds(region)
        .failover_global_cluster()
        .global_cluster_identifier(global_cluster)
        .target_db_cluster_identifier(&arn)
        .allow_data_loss(allow_data_loss)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(target, &arn),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn switchover_global_cluster(
    ctx: &Ctx,
    op: Op,
    region: &str,
    global_cluster: &str,
    target: &str,
) -> Result<Outcome, BackendError> {
    let arn = member_arn(ctx, op, region, global_cluster, target).await?;
    let out = ctx
        .mutations
        .rds(region)
        .switchover_global_cluster()
        .global_cluster_identifier(global_cluster)
        .target_db_cluster_identifier(&arn)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(target, &arn),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

impl Execute for ops::CreateDbSnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        create_db_snapshot(
            ctx,
            op,
            &self.region,
            &self.db_instance,
            &self.snapshot,
            &self.tags,
        )
        .await
    }
}

impl Execute for ops::CreateDbClusterSnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        create_db_cluster_snapshot(
            ctx,
            op,
            &self.region,
            &self.db_cluster,
            &self.snapshot,
            &self.tags,
        )
        .await
    }
}

impl Execute for ops::CopyDbSnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        copy_db_snapshot(
            ctx,
            op,
            &self.region,
            &self.source_region,
            &self.source_snapshot,
            &self.target_snapshot,
        )
        .await
    }
}

impl Execute for ops::CopyDbClusterSnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        copy_db_cluster_snapshot(
            ctx,
            op,
            &self.region,
            &self.source_region,
            &self.source_snapshot,
            &self.target_snapshot,
        )
        .await
    }
}

impl Execute for ops::RestoreDbInstanceFromDbSnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        restore_db_instance(
            ctx,
            op,
            &self.region,
            &self.snapshot,
            &self.db_instance,
            self.instance_class.as_deref(),
            self.multi_az,
        )
        .await
    }
}

impl Execute for ops::PromoteReadReplica {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        promote_read_replica(ctx, op, &self.region, &self.db_instance).await
    }
}

impl Execute for ops::RebootDbInstance {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        reboot_db_instance(
            ctx,
            op,
            &self.region,
            &self.db_instance,
            self.force_failover,
        )
        .await
    }
}

impl Execute for ops::RemoveFromGlobalCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        remove_from_global_cluster(
            ctx,
            op,
            &self.region,
            &self.global_cluster,
            &self.db_cluster,
        )
        .await
    }
}

impl Execute for ops::FailoverGlobalCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        failover_global_cluster(
            ctx,
            op,
            &self.region,
            &self.global_cluster,
            &self.target_db_cluster,
            self.allow_data_loss,
        )
        .await
    }
}

impl Execute for ops::SwitchoverGlobalCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        switchover_global_cluster(
            ctx,
            op,
            &self.region,
            &self.global_cluster,
            &self.target_db_cluster,
        )
        .await
    }
}
