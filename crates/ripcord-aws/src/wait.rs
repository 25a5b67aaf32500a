//! Waits: poll the describe operation of the target until its state holds, with backoff.

use crate::context::{Ctx, Stop};
use crate::errors::{missing, FromSdk, Op};
use crate::resolve::{find_snapshot, find_volume, required};
use ripcord_core::duration::format_duration;
use ripcord_core::{BackendError, ErrorKind, Outcome, Target, WaitSpec};
use std::time::Duration;

/// What one poll found.
enum Probe {
    Reached,
    /// Not there yet: the current state, for the timeout message.
    Pending(String),
    /// A state nothing leads out of (a failed restore, a snapshot in error).
    Failed(String),
}

/// States of RDS resources that `available` never follows (AWS's own waiters fail on these).
fn rds_terminal(status: &str) -> bool {
    matches!(status, "deleted" | "deleting" | "failed" | "storage-full")
        || status.starts_with("incompatible-")
        || status == "inaccessible-encryption-credentials"
}

/// Polls until the state holds, the timeout passes, or the run is cancelled.
pub(crate) async fn wait(
    ctx: &Ctx,
    spec: &WaitSpec,
    stop: Stop<'_>,
) -> Result<Outcome, BackendError> {
    let target = &spec.target;
    let kind = target.kind();
    let op = Op::new(kind.service(), spec.operation());
    let supported = kind.wait_state().as_ref() == Some(&spec.until);
    if !supported {
        let (message, help) = kind.unsupported_wait(&spec.until);
        return Err(op.rejected("UnsupportedWaitState", message).with_help(help));
    }
    // EC2 resources named by Name tag are resolved once: the id does not change while polling,
    // and a tag lookup per poll would cost more requests.
    let resolved = match target {
        Target::Volume { name, region } => Some(
            required(op, find_volume(ctx, op, region, name).await?, target)?
                .volume_id()
                .unwrap_or_default()
                .to_string(),
        ),
        Target::EbsSnapshot { name, region } => Some(
            required(op, find_snapshot(ctx, op, region, name).await?, target)?
                .snapshot_id()
                .unwrap_or_default()
                .to_string(),
        ),
        _ => None,
    };
    let id = resolved.as_deref().unwrap_or(target.name());
    let timeout = Duration::from_secs(spec.timeout_secs);
    let started = tokio::time::Instant::now();
    let deadline = started + timeout;
    let mut interval = ctx.poll.initial();
    loop {
        stop.check(op)?;
        match probe(ctx, op, target, id).await? {
            Probe::Reached => {
                return Ok(Outcome {
                    resolved: resolved.filter(|r| r != target.name()),
                    ..Outcome::default()
                })
            }
            Probe::Failed(current) => {
                return Err(op
                    .rejected(
                        "WaiterWouldNotFinish",
                        format!(
                            "{} {}{} is '{current}' and nothing leads from there to '{}'",
                            kind.noun(),
                            target.name(),
                            target
                                .region()
                                .map(|r| format!(" in {r}"))
                                .unwrap_or_default(),
                            spec.until.as_str()
                        ),
                    )
                    .with_help("look at the resource in the AWS console: it needs a person"))
            }
            Probe::Pending(current) => {
                let now = tokio::time::Instant::now();
                if now >= deadline {
                    return Err(op
                        .error(
                            ErrorKind::Timeout,
                            "WaiterTimeout",
                            format!(
                                "{} {} is still '{current}' after {}: it did not become '{}' within the wait's timeout",
                                kind.noun(),
                                target.name(),
                                format_duration(started.elapsed().as_secs()),
                                spec.until.as_str()
                            ),
                        )
                        .with_help("the change may still complete in AWS; raise the wait's timeout or check the resource before running the rest"));
                }
                stop.sleep(op, interval.min(deadline - now)).await?;
                interval = ctx.poll.next(interval);
            }
        }
    }
}

async fn probe(ctx: &Ctx, op: Op, target: &Target, id: &str) -> Result<Probe, BackendError> {
    let status = |reached: bool, current: &str, failed: bool| {
        if reached {
            Probe::Reached
        } else if failed {
            Probe::Failed(current.to_string())
        } else {
            Probe::Pending(current.to_string())
        }
    };
    Ok(match target {
        Target::Asg { name, region } => {
            let client = ctx.clients.autoscaling(region);
            let Some(group) = ctx
                .asg_polls
                .describe(&ctx.pacer, client, op, region, name)
                .await?
            else {
                return Err(missing(op, target));
            };
            let in_service = group.in_service.unwrap_or_default();
            // At least: with instance weights a group can settle above its desired capacity
            // (by up to one instance's weight).
            status(
                in_service >= group.desired_capacity,
                &format!(
                    "{in_service} InService of {} desired",
                    group.desired_capacity
                ),
                false,
            )
        }
        Target::Volume { region, .. } => {
            ctx.pace("ec2", "DescribeVolumes", Some(region)).await;
            let out = ctx
                .clients
                .ec2(region)
                .describe_volumes()
                .volume_ids(id)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(volume) = out.volumes().first() else {
                return Err(missing(op, target));
            };
            let state = volume.state().map(|s| s.as_str()).unwrap_or_default();
            status(
                state == "available",
                state,
                matches!(state, "deleted" | "deleting" | "error"),
            )
        }
        Target::EbsSnapshot { region, .. } => {
            ctx.pace("ec2", "DescribeSnapshots", Some(region)).await;
            let out = ctx
                .clients
                .ec2(region)
                .describe_snapshots()
                .snapshot_ids(id)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(snapshot) = out.snapshots().first() else {
                return Err(missing(op, target));
            };
            let state = snapshot.state().map(|s| s.as_str()).unwrap_or_default();
            status(state == "completed", state, state == "error")
        }
        Target::DbInstance { name, region } => {
            ctx.pace("rds", "DescribeDBInstances", Some(region)).await;
            let out = ctx
                .clients
                .rds(region)
                .describe_db_instances()
                .db_instance_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(db) = out.db_instances().first() else {
                return Err(missing(op, target));
            };
            let state = db.db_instance_status().unwrap_or_default();
            status(state == "available", state, rds_terminal(state))
        }
        Target::DbCluster { name, region } => {
            ctx.pace("rds", "DescribeDBClusters", Some(region)).await;
            let out = ctx
                .clients
                .rds(region)
                .describe_db_clusters()
                .db_cluster_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(cluster) = out.db_clusters().first() else {
                return Err(missing(op, target));
            };
            let state = cluster.status().unwrap_or_default();
            status(state == "available", state, rds_terminal(state))
        }
        Target::DbSnapshot { name, region } => {
            ctx.pace("rds", "DescribeDBSnapshots", Some(region)).await;
            let out = ctx
                .clients
                .rds(region)
                .describe_db_snapshots()
                .db_snapshot_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(snapshot) = out.db_snapshots().first() else {
                return Err(missing(op, target));
            };
            let state = snapshot.status().unwrap_or_default();
            status(state == "available", state, rds_terminal(state))
        }
        Target::DbClusterSnapshot { name, region } => {
            ctx.pace("rds", "DescribeDBClusterSnapshots", Some(region))
                .await;
            let out = ctx
                .clients
                .rds(region)
                .describe_db_cluster_snapshots()
                .db_cluster_snapshot_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(snapshot) = out.db_cluster_snapshots().first() else {
                return Err(missing(op, target));
            };
            let state = snapshot.status().unwrap_or_default();
            status(state == "available", state, rds_terminal(state))
        }
        Target::GlobalCluster { name } => {
            ctx.pace(
                "rds",
                "DescribeGlobalClusters",
                Some(&ctx.clients.account_region()),
            )
            .await;
            let out = ctx
                .clients
                .rds(&ctx.clients.account_region())
                .describe_global_clusters()
                .global_cluster_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let Some(global) = out.global_clusters().first() else {
                return Err(missing(op, target));
            };
            let state = global.status().unwrap_or_default();
            status(state == "available", state, rds_terminal(state))
        }
        Target::DnsChange { name } => {
            ctx.pace("route53", "GetChange", None).await;
            let out = ctx
                .clients
                .route53()
                .get_change()
                .id(crate::execute::change_id(name))
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            let state = out
                .change_info()
                .map(|c| c.status().as_str())
                .unwrap_or_default();
            status(state == "INSYNC", state, false)
        }
        // `wait` rejects every other kind before polling.
        _ => Probe::Failed("no waiter".to_string()),
    })
}
