//! Mutating calls: one SDK request per `Call` variant, after resolving names to ids and ARNs.

mod autoscaling;
mod ec2;
mod rds;
mod route53;
mod s3;
mod sns;

pub(crate) use route53::change_id;

use crate::context::Ctx;
use crate::errors::Op;
use ripcord_core::{BackendError, Call, Outcome};

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
    match call {
        Call::CreateSnapshot {
            region,
            volume,
            description,
            tags,
        } => ec2::create_snapshot(ctx, op, region, volume, description, tags).await,
        Call::CopySnapshot {
            region,
            source_region,
            source_snapshot,
            description,
            tags,
        } => {
            ec2::copy_snapshot(
                ctx,
                op,
                region,
                source_region,
                source_snapshot,
                description,
                tags,
            )
            .await
        }
        Call::CreateVolume {
            region,
            snapshot,
            availability_zone,
            tags,
        } => {
            let token = client_token(call, token_seed);
            ec2::create_volume(ctx, op, region, snapshot, availability_zone, tags, &token).await
        }
        Call::CreateDbSnapshot {
            region,
            db_instance,
            snapshot,
            tags,
        } => rds::create_db_snapshot(ctx, op, region, db_instance, snapshot, tags).await,
        Call::CreateDbClusterSnapshot {
            region,
            db_cluster,
            snapshot,
            tags,
        } => rds::create_db_cluster_snapshot(ctx, op, region, db_cluster, snapshot, tags).await,
        Call::CopyDbSnapshot {
            region,
            source_region,
            source_snapshot,
            target_snapshot,
        } => {
            rds::copy_db_snapshot(
                ctx,
                op,
                region,
                source_region,
                source_snapshot,
                target_snapshot,
            )
            .await
        }
        Call::CopyDbClusterSnapshot {
            region,
            source_region,
            source_snapshot,
            target_snapshot,
        } => {
            rds::copy_db_cluster_snapshot(
                ctx,
                op,
                region,
                source_region,
                source_snapshot,
                target_snapshot,
            )
            .await
        }
        Call::RestoreDbInstanceFromDbSnapshot {
            region,
            snapshot,
            db_instance,
            instance_class,
            multi_az,
        } => {
            rds::restore_db_instance(
                ctx,
                op,
                region,
                snapshot,
                db_instance,
                instance_class.as_deref(),
                *multi_az,
            )
            .await
        }
        Call::PromoteReadReplica {
            region,
            db_instance,
        } => rds::promote_read_replica(ctx, op, region, db_instance).await,
        Call::RemoveFromGlobalCluster {
            region,
            global_cluster,
            db_cluster,
        } => rds::remove_from_global_cluster(ctx, op, region, global_cluster, db_cluster).await,
        Call::FailoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster,
            allow_data_loss,
        } => {
            rds::failover_global_cluster(
                ctx,
                op,
                region,
                global_cluster,
                target_db_cluster,
                *allow_data_loss,
            )
            .await
        }
        Call::SwitchoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster,
        } => {
            rds::switchover_global_cluster(ctx, op, region, global_cluster, target_db_cluster).await
        }
        Call::RebootDbInstance {
            region,
            db_instance,
            force_failover,
        } => rds::reboot_db_instance(ctx, op, region, db_instance, *force_failover).await,
        Call::UpdateAutoScalingGroup {
            region,
            auto_scaling_group_name,
            min_size,
            max_size,
            desired_capacity,
        } => {
            autoscaling::update(
                ctx,
                op,
                region,
                auto_scaling_group_name,
                [*min_size, *max_size, *desired_capacity],
            )
            .await
        }
        Call::ChangeResourceRecordSets {
            hosted_zone,
            action,
            record_set,
        } => route53::change_record_sets(ctx, op, hosted_zone, action, record_set).await,
        Call::UpdateHealthCheck {
            health_check,
            disabled,
            inverted,
        } => route53::update_health_check(ctx, op, health_check, *disabled, *inverted).await,
        Call::PutBucketReplication { bucket, role, rule } => {
            s3::put_bucket_replication(ctx, op, bucket, role, rule).await
        }
        Call::Publish {
            region,
            topic,
            subject,
            message,
        } => sns::publish(ctx, op, region, topic, subject, message).await,
    }
}

/// Whether the call creates a resource whose id AWS picks (so a queued call in a parallel
/// group needs a placeholder for it).
pub(crate) fn creates_new_id(call: &Call) -> bool {
    matches!(
        call,
        Call::CreateSnapshot { .. }
            | Call::CopySnapshot { .. }
            | Call::CreateVolume { .. }
            | Call::ChangeResourceRecordSets { .. }
    )
}

/// What a call creates under an identifier the runbook chose (RDS), known before sending.
pub(crate) fn creates_given_id(call: &Call) -> Option<String> {
    match call {
        Call::CreateDbSnapshot { snapshot, .. }
        | Call::CreateDbClusterSnapshot { snapshot, .. } => Some(snapshot.to_ascii_lowercase()),
        Call::CopyDbSnapshot {
            target_snapshot, ..
        }
        | Call::CopyDbClusterSnapshot {
            target_snapshot, ..
        } => Some(target_snapshot.to_ascii_lowercase()),
        Call::RestoreDbInstanceFromDbSnapshot { db_instance, .. } => {
            Some(db_instance.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// `Some(id)` when the runbook's name resolved to a different id or ARN.
pub(crate) fn resolved(name: &str, id: &str) -> Option<String> {
    (name != id).then(|| id.to_string())
}

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

    #[test]
    fn tokens_are_stable_per_step_and_fit_ec2() {
        let call = Call::CreateVolume {
            region: "us-west-2".into(),
            snapshot: "snap-12345678".into(),
            availability_zone: "us-west-2a".into(),
            tags: Default::default(),
        };
        let a = client_token(&call, "run:journal:7");
        assert_eq!(a, client_token(&call, "run:journal:7"));
        assert_ne!(a, client_token(&call, "run:journal:8"));
        assert_eq!(a.len(), 64);
    }
}
