//! Waits: poll the describe operation of the target until its state holds, with backoff.

use crate::context::{Ctx, Stop};
use crate::errors::{missing, FromSdk, Op};
use crate::resolve::{absent_is_none, find_snapshot, find_volume, required};
use ripcord_core::duration::format_duration;
use ripcord_core::{BackendError, ErrorKind, Outcome, Target, WaitSpec, WaitState};
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

/// `steady`, as the SDK's `services_stable` waiter: as many tasks running as desired, and the
/// PRIMARY deployment's rollout COMPLETED (a service without a rollout state, behind a
/// Classic Load Balancer or with another deployment controller, has no deployment but the
/// PRIMARY one left). A rollout that FAILED (the deployment circuit breaker) or a service
/// DRAINING does not get there.
fn ecs_steady(service: &aws_sdk_ecs::types::Service) -> Probe {
    let running = service.running_count();
    let desired = service.desired_count();
    let deployments = service.deployments();
    let primary = deployments.iter().find(|d| d.status() == Some("PRIMARY"));
    let rollout = primary.and_then(|d| d.rollout_state()).map(|r| r.as_str());
    let current = format!(
        "{running} running of {desired} desired, {}",
        match (primary, rollout) {
            (_, Some(rollout)) => format!("rollout {rollout}"),
            (Some(_), None) => format!("{} deployments", deployments.len()),
            (None, None) => "no deployment".to_string(),
        }
    );
    if service.status() == Some("DRAINING") || rollout == Some("FAILED") {
        return Probe::Failed(current);
    }
    let rolled_out = match rollout {
        Some(rollout) => rollout == "COMPLETED",
        None => deployments.len() <= 1,
    };
    if running == desired && rolled_out {
        Probe::Reached
    } else {
        Probe::Pending(current)
    }
}

/// `active`: the table ACTIVE and every replica of its global table ACTIVE. A table being
/// deleted or archived, or a replica that failed or lost its region or key, does not get there.
fn table_active(table: &aws_sdk_dynamodb::types::TableDescription) -> Probe {
    let status = table.table_status().map(|s| s.as_str()).unwrap_or_default();
    let replicas: Vec<(&str, &str)> = table
        .replicas()
        .iter()
        .map(|r| {
            (
                r.region_name().unwrap_or_default(),
                r.replica_status().map_or("ACTIVE", |s| s.as_str()),
            )
        })
        .collect();
    let pending: Vec<String> = replicas
        .iter()
        .filter(|(_, s)| *s != "ACTIVE")
        .map(|(region, s)| format!("replica in {region} {s}"))
        .collect();
    let current = if pending.is_empty() {
        status.to_string()
    } else {
        format!("{status}, {}", pending.join(", "))
    };
    let table_failed = matches!(
        status,
        "DELETING" | "ARCHIVING" | "ARCHIVED" | "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    );
    let replica_failed = replicas.iter().any(|(_, s)| {
        matches!(
            *s,
            "CREATION_FAILED"
                | "REGION_DISABLED"
                | "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
                | "REPLICATION_NOT_AUTHORIZED"
                | "ARCHIVED"
        )
    });
    if table_failed || replica_failed {
        Probe::Failed(current)
    } else if status == "ACTIVE" && pending.is_empty() {
        Probe::Reached
    } else {
        Probe::Pending(current)
    }
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
    let supported = kind.can_wait(&spec.until);
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
        let probed = if spec.until == WaitState::Deleted {
            probe_deleted(ctx, op, target).await?
        } else {
            probe(ctx, op, target, id).await?
        };
        match probed {
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

/// `deleted`: the describe finds nothing (its not-found fault, or an empty list). Anything
/// found is pending, `deleting` or not: a resource still `available` may be deleted by
/// someone else, and AWS has no state a deletion cannot leave.
async fn probe_deleted(ctx: &Ctx, op: Op, target: &Target) -> Result<Probe, BackendError> {
    let status = match target {
        Target::DbCluster { name, region } => {
            ctx.pace("rds", "DescribeDBClusters", Some(region)).await;
            let out = absent_is_none(
                ctx.clients
                    .rds(region)
                    .describe_db_clusters()
                    .db_cluster_identifier(name)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            out.as_ref()
                .and_then(|o| o.db_clusters().first())
                .map(|c| c.status().unwrap_or_default().to_string())
        }
        Target::DbInstance { name, region } => {
            ctx.pace("rds", "DescribeDBInstances", Some(region)).await;
            let out = absent_is_none(
                ctx.clients
                    .rds(region)
                    .describe_db_instances()
                    .db_instance_identifier(name)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            out.as_ref()
                .and_then(|o| o.db_instances().first())
                .map(|db| db.db_instance_status().unwrap_or_default().to_string())
        }
        Target::GlobalCluster { name } => {
            let region = ctx.clients.account_region();
            ctx.pace("rds", "DescribeGlobalClusters", Some(&region))
                .await;
            let out = absent_is_none(
                ctx.clients
                    .rds(&region)
                    .describe_global_clusters()
                    .global_cluster_identifier(name)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            out.as_ref()
                .and_then(|o| o.global_clusters().first())
                .map(|g| g.status().unwrap_or_default().to_string())
        }
        // `wait` rejects every other kind (`ResourceKind::can_wait`) before polling.
        _ => return Ok(Probe::Failed("no waiter".to_string())),
    };
    Ok(match status {
        None => Probe::Reached,
        Some(status) => Probe::Pending(status),
    })
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
        Target::EcsService {
            cluster,
            name,
            region,
        } => {
            let Some(service) = crate::query::ecs_service(ctx, op, region, cluster, name).await?
            else {
                return Err(missing(op, target));
            };
            ecs_steady(&service)
        }
        Target::Table { name, region } => {
            let Some(table) = crate::query::table(ctx, op, region, name).await? else {
                return Err(missing(op, target));
            };
            table_active(&table)
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{Deployment, DeploymentRolloutState, Service};

    fn service(running: i32, desired: i32, deployments: Vec<Deployment>) -> Service {
        Service::builder()
            .service_name("web")
            .status("ACTIVE")
            .running_count(running)
            .desired_count(desired)
            .set_deployments(Some(deployments))
            .build()
    }

    fn deployment(status: &str, rollout: Option<DeploymentRolloutState>) -> Deployment {
        Deployment::builder()
            .status(status)
            .set_rollout_state(rollout)
            .build()
    }

    fn outcome(probe: Probe) -> String {
        match probe {
            Probe::Reached => "reached".to_string(),
            Probe::Pending(current) => format!("pending: {current}"),
            Probe::Failed(current) => format!("failed: {current}"),
        }
    }

    #[test]
    fn a_service_is_steady_with_its_tasks_running_and_its_rollout_completed() {
        use DeploymentRolloutState::{Completed, Failed, InProgress};
        let primary = |rollout| vec![deployment("PRIMARY", Some(rollout))];
        assert_eq!(
            outcome(ecs_steady(&service(3, 3, primary(Completed)))),
            "reached"
        );
        assert_eq!(
            outcome(ecs_steady(&service(1, 3, primary(InProgress)))),
            "pending: 1 running of 3 desired, rollout IN_PROGRESS"
        );
        assert_eq!(
            outcome(ecs_steady(&service(3, 3, primary(InProgress)))),
            "pending: 3 running of 3 desired, rollout IN_PROGRESS"
        );
        assert_eq!(
            outcome(ecs_steady(&service(1, 3, primary(Failed)))),
            "failed: 1 running of 3 desired, rollout FAILED"
        );
        // No rollout state (a Classic Load Balancer, another controller): one deployment
        // left is steady, as in the SDK's services_stable waiter.
        let two = vec![deployment("PRIMARY", None), deployment("ACTIVE", None)];
        assert_eq!(
            outcome(ecs_steady(&service(2, 2, two))),
            "pending: 2 running of 2 desired, 2 deployments"
        );
        assert_eq!(
            outcome(ecs_steady(&service(
                2,
                2,
                vec![deployment("PRIMARY", None)]
            ))),
            "reached"
        );
        assert_eq!(outcome(ecs_steady(&service(0, 0, Vec::new()))), "reached");
    }

    #[test]
    fn a_table_is_active_with_every_replica_active() {
        use aws_sdk_dynamodb::types::{
            ReplicaDescription, ReplicaStatus, TableDescription, TableStatus,
        };
        let table = |status: TableStatus, replicas: &[(&str, ReplicaStatus)]| {
            let mut builder = TableDescription::builder()
                .table_name("orders")
                .table_status(status);
            for (region, status) in replicas {
                builder = builder.replicas(
                    ReplicaDescription::builder()
                        .region_name(*region)
                        .replica_status(status.clone())
                        .build(),
                );
            }
            builder.build()
        };
        assert_eq!(
            outcome(table_active(&table(TableStatus::Active, &[]))),
            "reached"
        );
        assert_eq!(
            outcome(table_active(&table(
                TableStatus::Active,
                &[("us-west-2", ReplicaStatus::Active)]
            ))),
            "reached"
        );
        assert_eq!(
            outcome(table_active(&table(
                TableStatus::Updating,
                &[("us-west-2", ReplicaStatus::Creating)]
            ))),
            "pending: UPDATING, replica in us-west-2 CREATING"
        );
        assert_eq!(
            outcome(table_active(&table(
                TableStatus::Active,
                &[("us-west-2", ReplicaStatus::Deleting)]
            ))),
            "pending: ACTIVE, replica in us-west-2 DELETING"
        );
        assert_eq!(
            outcome(table_active(&table(
                TableStatus::Active,
                &[("us-west-2", ReplicaStatus::CreationFailed)]
            ))),
            "failed: ACTIVE, replica in us-west-2 CREATION_FAILED"
        );
        assert_eq!(
            outcome(table_active(&table(TableStatus::Deleting, &[]))),
            "failed: DELETING"
        );
    }
}
