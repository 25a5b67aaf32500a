//! Mutating calls: each validates like AWS, then changes the world; a rejection changes nothing.

mod aurora;
mod autoscaling;
mod ec2;
mod rds;
mod route53;
pub(crate) mod s3;
mod sns;

use crate::backend::SimBackend;
use crate::errors::Op;
use ripcord_core::{BackendError, Call, Outcome};

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
    let outcome = match call {
        Call::CreateSnapshot {
            region,
            volume,
            description,
            tags,
        } => ec2::create_snapshot(sim, cx, region, volume, description, tags),
        Call::CopySnapshot {
            region,
            source_region,
            source_snapshot,
            description,
            tags,
        } => ec2::copy_snapshot(
            sim,
            cx,
            region,
            source_region,
            source_snapshot,
            description,
            tags,
        ),
        Call::CreateVolume {
            region,
            snapshot,
            availability_zone,
            tags,
        } => ec2::create_volume(sim, cx, region, snapshot, availability_zone, tags),
        Call::CreateDbSnapshot {
            region,
            db_instance,
            snapshot,
            tags: _,
        } => rds::create_db_snapshot(sim, cx, region, db_instance, snapshot),
        Call::CreateDbClusterSnapshot {
            region,
            db_cluster,
            snapshot,
            tags: _,
        } => rds::create_db_cluster_snapshot(sim, cx, region, db_cluster, snapshot),
        Call::CopyDbSnapshot {
            region,
            source_region,
            source_snapshot,
            target_snapshot,
        } => rds::copy_db_snapshot(
            sim,
            cx,
            region,
            source_region,
            source_snapshot,
            target_snapshot,
        ),
        Call::CopyDbClusterSnapshot {
            region,
            source_region,
            source_snapshot,
            target_snapshot,
        } => rds::copy_db_cluster_snapshot(
            sim,
            cx,
            region,
            source_region,
            source_snapshot,
            target_snapshot,
        ),
        Call::RestoreDbInstanceFromDbSnapshot {
            region,
            snapshot,
            db_instance,
            instance_class,
            multi_az,
        } => rds::restore_db_instance(
            sim,
            cx,
            region,
            snapshot,
            db_instance,
            instance_class.as_deref(),
            *multi_az,
        ),
        Call::PromoteReadReplica {
            region,
            db_instance,
        } => rds::promote_read_replica(sim, cx, region, db_instance),
        Call::RebootDbInstance {
            region,
            db_instance,
            force_failover,
        } => rds::reboot_db_instance(sim, cx, region, db_instance, *force_failover),
        Call::RemoveFromGlobalCluster {
            region,
            global_cluster,
            db_cluster,
        } => aurora::remove_from_global_cluster(sim, cx, region, global_cluster, db_cluster),
        Call::FailoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster,
            allow_data_loss,
        } => aurora::move_writer(
            sim,
            cx,
            region,
            global_cluster,
            target_db_cluster,
            aurora::Move::Failover {
                allow_data_loss: *allow_data_loss,
            },
        ),
        Call::SwitchoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster,
        } => aurora::move_writer(
            sim,
            cx,
            region,
            global_cluster,
            target_db_cluster,
            aurora::Move::Switchover,
        ),
        Call::UpdateAutoScalingGroup {
            region,
            auto_scaling_group_name,
            min_size,
            max_size,
            desired_capacity,
        } => autoscaling::update(
            sim,
            cx,
            region,
            auto_scaling_group_name,
            autoscaling::Sizes {
                min: *min_size,
                max: *max_size,
                desired: *desired_capacity,
            },
        ),
        Call::ChangeResourceRecordSets {
            hosted_zone,
            action,
            record_set,
        } => route53::change_record_sets(sim, cx, hosted_zone, action, record_set),
        Call::UpdateHealthCheck {
            health_check,
            disabled,
            inverted,
        } => route53::update_health_check(sim, cx, health_check, *disabled, *inverted),
        Call::PutBucketReplication { bucket, role, rule } => {
            s3::put_bucket_replication(sim, cx, bucket, role, rule)
        }
        Call::Publish {
            region,
            topic,
            subject,
            message,
        } => sns::publish(sim, cx, region, topic, subject, message),
    }?;
    sim.clock.advance(secs);
    Ok(Outcome {
        duration_secs: secs,
        ..outcome
    })
}

/// `Some(id)` when the runbook's name resolved to a different id or ARN.
pub(crate) fn resolved(name: &str, id: &str) -> Option<String> {
    (name != id).then(|| id.to_string())
}
