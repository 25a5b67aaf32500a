//! Read-only queries answered from live state in the inventory's shape, as `ripcord-sim` does.

use crate::context::{bucket_name, Ctx};
use crate::convert;
use crate::errors::{FromSdk, Op};
use crate::lag::{fill_replica_lag, lag_secs, Lag};
use crate::paging::AllPages;
use crate::resolve::{
    absent_is_none, dns_name, find_health_check, find_snapshot, find_volume, find_zone, required,
    topic_arn, ZoneRef,
};
use ripcord_core::inventory::{Bucket, HostedZone, RecordSet, Topic};
use ripcord_core::{BackendError, ErrorKind, ResourceKind, Target};
use serde::Serialize;
use serde_json::Value;

fn json(op: Op, value: &impl Serialize) -> Result<Value, BackendError> {
    // The inventory types serialize to JSON objects with string keys, which cannot fail; an
    // error is still reported rather than hidden.
    serde_json::to_value(value).map_err(|err| op.transport("SerializationFailed", err.to_string()))
}

/// The newest of some snapshots by `key` (their time, then id so that ties are stable), as
/// JSON.
fn newest<T: Serialize, K: Ord>(
    op: Op,
    snapshots: impl Iterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Result<Option<Value>, BackendError> {
    snapshots
        .max_by_key(|s| key(s))
        .map(|s| json(op, &s))
        .transpose()
}

/// `Describe`: the resource in the inventory's shape, or `None` when it does not exist.
pub(crate) async fn describe(ctx: &Ctx, target: &Target) -> Result<Option<Value>, BackendError> {
    let kind = target.kind();
    let op = Op::new(kind.service(), kind.describe_operation());
    let value = match target {
        Target::Asg { name, region } => match asg(ctx, op, region, name).await? {
            Some(group) => json(op, &group)?,
            None => return Ok(None),
        },
        Target::EcsService {
            cluster,
            name,
            region,
        } => match ecs_service(ctx, op, region, cluster, name).await? {
            Some(service) => json(op, &convert::ecs_service(&service, cluster))?,
            None => return Ok(None),
        },
        Target::Table { name, region } => match table(ctx, op, region, name).await? {
            Some(table) => json(op, &convert::table(&table, region))?,
            None => return Ok(None),
        },
        Target::Volume { name, region } => match find_volume(ctx, op, region, name).await? {
            Some(volume) => json(op, &convert::volume(&volume))?,
            None => return Ok(None),
        },
        Target::EbsSnapshot { name, region } => match find_snapshot(ctx, op, region, name).await? {
            Some(snapshot) => json(op, &convert::snapshot(&snapshot))?,
            None => return Ok(None),
        },
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
            match out.as_ref().and_then(|o| o.db_instances().first()) {
                Some(db) => {
                    let mut instance = convert::db_instance(db);
                    fill_replica_lag(ctx, region, &mut instance).await;
                    json(op, &instance)?
                }
                None => return Ok(None),
            }
        }
        Target::DbCluster { name, region } => match db_cluster(ctx, op, region, name).await? {
            Some(value) => value,
            None => return Ok(None),
        },
        Target::DbSnapshot { name, region } => {
            ctx.pace("rds", "DescribeDBSnapshots", Some(region)).await;
            let out = absent_is_none(
                ctx.clients
                    .rds(region)
                    .describe_db_snapshots()
                    .db_snapshot_identifier(name)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            match out.as_ref().and_then(|o| o.db_snapshots().first()) {
                Some(snapshot) => json(op, &convert::db_snapshot(snapshot))?,
                None => return Ok(None),
            }
        }
        Target::DbClusterSnapshot { name, region } => {
            ctx.pace("rds", "DescribeDBClusterSnapshots", Some(region))
                .await;
            let out = absent_is_none(
                ctx.clients
                    .rds(region)
                    .describe_db_cluster_snapshots()
                    .db_cluster_snapshot_identifier(name)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            match out.as_ref().and_then(|o| o.db_cluster_snapshots().first()) {
                Some(snapshot) => json(op, &convert::db_cluster_snapshot(snapshot))?,
                None => return Ok(None),
            }
        }
        Target::GlobalCluster { name } => {
            ctx.pace(
                "rds",
                "DescribeGlobalClusters",
                Some(&ctx.clients.account_region()),
            )
            .await;
            let out = absent_is_none(
                ctx.clients
                    .rds(&ctx.clients.account_region())
                    .describe_global_clusters()
                    .global_cluster_identifier(name)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            match out.as_ref().and_then(|o| o.global_clusters().first()) {
                Some(global) => json(op, &convert::global_cluster(global))?,
                None => return Ok(None),
            }
        }
        Target::Zone { name } => match find_zone(ctx, op, name).await? {
            Some(zone) => {
                let records = records(ctx, op, &zone).await?;
                json(
                    op,
                    &HostedZone {
                        id: zone.id,
                        name: zone.name,
                        private: zone.private,
                        records,
                    },
                )?
            }
            None => return Ok(None),
        },
        Target::Record {
            zone,
            name,
            rtype,
            set_id,
        } => {
            let Some(zone) = find_zone(ctx, op, zone).await? else {
                return Ok(None);
            };
            let wanted = dns_name(name);
            let found = records(ctx, op, &zone).await?.into_iter().find(|r| {
                dns_name(&r.name) == wanted
                    && r.rtype.eq_ignore_ascii_case(rtype)
                    && r.set_id == *set_id
            });
            match found {
                Some(record) => json(op, &record)?,
                None => return Ok(None),
            }
        }
        Target::HealthCheck { name } => match find_health_check(ctx, op, name).await? {
            Some((check, tag)) => json(op, &convert::health_check(&check, tag))?,
            None => return Ok(None),
        },
        Target::DnsChange { name } => {
            let id = crate::execute::change_id(name);
            ctx.pace("route53", "GetChange", None).await;
            let out = absent_is_none(
                ctx.clients
                    .route53()
                    .get_change()
                    .id(id)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            match out.as_ref().and_then(|o| o.change_info()) {
                Some(change) => serde_json::json!({
                    "id": crate::execute::change_id(change.id()),
                    "status": change.status().as_str(),
                }),
                None => return Ok(None),
            }
        }
        Target::Topic { name, region } => {
            let arn = topic_arn(ctx, region, name).await?;
            ctx.pace("sns", "GetTopicAttributes", Some(region)).await;
            let found = absent_is_none(
                ctx.clients
                    .sns(region)
                    .get_topic_attributes()
                    .topic_arn(&arn)
                    .send()
                    .await
                    .map_err(|err| op.sdk(err)),
            )?;
            match found {
                Some(_) => json(
                    op,
                    &Topic {
                        name: crate::context::arn_resource_id(name).to_string(),
                    },
                )?,
                None => return Ok(None),
            }
        }
        Target::Bucket { name } => match bucket(ctx, op, name).await? {
            Some(bucket) => json(op, &bucket)?,
            None => return Ok(None),
        },
    };
    Ok(Some(value))
}

/// The resource of `kind` in `region` carrying `ripcord_core::REQUEST_TAG` with `token` (what
/// an earlier attempt of a call without an idempotency token made), in the inventory's shape.
/// Only EBS snapshots are made that way.
pub(crate) async fn find_tagged(
    ctx: &Ctx,
    kind: ResourceKind,
    region: &str,
    token: &str,
) -> Result<Option<Value>, BackendError> {
    let op = Op::new(kind.service(), kind.describe_operation());
    if kind != ResourceKind::EbsSnapshot {
        return Err(op.transport(
            "UnsupportedEffectCheck",
            format!("no tag search for {}", kind.noun()),
        ));
    }
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name(format!("tag:{}", ripcord_core::REQUEST_TAG))
        .values(token)
        .build();
    ctx.pace("ec2", "DescribeSnapshots", Some(region)).await;
    let found = ctx
        .clients
        .ec2(region)
        .describe_snapshots()
        .owner_ids("self")
        .filters(filter)
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?;
    // Two would mean two attempts both took effect: the first is the step's, and the id
    // order makes that choice the same on every read.
    found
        .iter()
        .map(convert::snapshot)
        .min_by(|a, b| a.start_time.cmp(&b.start_time).then(a.id.cmp(&b.id)))
        .map(|snapshot| json(op, &snapshot))
        .transpose()
}

/// An Auto Scaling group with its InService count.
pub(crate) async fn asg(
    ctx: &Ctx,
    op: Op,
    region: &str,
    name: &str,
) -> Result<Option<ripcord_core::inventory::AutoScalingGroup>, BackendError> {
    ctx.pace("autoscaling", "DescribeAutoScalingGroups", Some(region))
        .await;
    let out = ctx
        .clients
        .autoscaling(region)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(out
        .auto_scaling_groups()
        .iter()
        .find(|g| g.auto_scaling_group_name() == Some(name))
        .map(convert::asg))
}

/// An ECS service (DescribeServices); `None` when its cluster or the service does not exist,
/// or the service is INACTIVE (deleted: ECS keeps describing it for a while).
pub(crate) async fn ecs_service(
    ctx: &Ctx,
    op: Op,
    region: &str,
    cluster: &str,
    name: &str,
) -> Result<Option<aws_sdk_ecs::types::Service>, BackendError> {
    ctx.pace("ecs", "DescribeServices", Some(region)).await;
    // An unknown cluster is ClusterNotFoundException; an unknown service is no error but a
    // failure of reason MISSING in the answer.
    let out = absent_is_none(
        ctx.clients
            .ecs(region)
            .describe_services()
            .cluster(cluster)
            .services(name)
            .send()
            .await
            .map_err(|err| op.sdk(err)),
    )?;
    let wanted = crate::context::arn_resource_id(name);
    Ok(out.and_then(|out| {
        out.services()
            .iter()
            .find(|s| s.service_name() == Some(wanted) || s.service_arn() == Some(name))
            .filter(|s| s.status() != Some("INACTIVE"))
            .cloned()
    }))
}

/// A DynamoDB table (DescribeTable) in `region`; `None` when it does not exist there
/// (ResourceNotFoundException).
pub(crate) async fn table(
    ctx: &Ctx,
    op: Op,
    region: &str,
    name: &str,
) -> Result<Option<aws_sdk_dynamodb::types::TableDescription>, BackendError> {
    ctx.pace("dynamodb", "DescribeTable", Some(region)).await;
    let out = absent_is_none(
        ctx.clients
            .dynamodb(region)
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|err| op.sdk(err)),
    )?;
    Ok(out.and_then(|out| out.table().cloned()))
}

/// A DB cluster with the simulation's two computed fields: `global_cluster` (the global
/// database it is a member of, or null) and `writer` (a standalone cluster takes writes).
async fn db_cluster(
    ctx: &Ctx,
    op: Op,
    region: &str,
    name: &str,
) -> Result<Option<Value>, BackendError> {
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
    let Some(cluster) = out.as_ref().and_then(|o| o.db_clusters().first()) else {
        return Ok(None);
    };
    let arn = cluster.db_cluster_arn().unwrap_or_default().to_string();
    ctx.pace("rds", "DescribeGlobalClusters", Some(region))
        .await;
    let globals = ctx
        .clients
        .rds(region)
        .describe_global_clusters()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?;
    let membership = globals.iter().find_map(|g| {
        g.global_cluster_members()
            .iter()
            .find(|m| {
                m.db_cluster_arn()
                    .is_some_and(|a| a.eq_ignore_ascii_case(&arn))
            })
            .map(|m| {
                (
                    g.global_cluster_identifier()
                        .unwrap_or_default()
                        .to_string(),
                    m.is_writer().unwrap_or_default(),
                )
            })
    });
    let mut converted = convert::db_cluster(cluster);
    // Only a global secondary (a member that is not the writer) has a replication lag.
    if matches!(membership, Some((_, false))) {
        converted.replication_lag_secs =
            lag_secs(ctx, region, Lag::GlobalSecondary(&converted.id)).await;
    }
    let mut value = json(op, &converted)?;
    if let Value::Object(map) = &mut value {
        let (global, writer) = match membership {
            Some((id, writer)) => (Value::String(id), writer),
            None => (Value::Null, true),
        };
        map.insert("global_cluster".to_string(), global);
        map.insert("writer".to_string(), Value::Bool(writer));
    }
    Ok(Some(value))
}

/// The zone's record sets, without the SOA and NS records Route 53 keeps at the apex.
pub(crate) async fn records(
    ctx: &Ctx,
    op: Op,
    zone: &ZoneRef,
) -> Result<Vec<RecordSet>, BackendError> {
    let op = Op::new(op.service, "ListResourceRecordSets");
    let route53 = ctx.clients.route53();
    let apex = dns_name(&zone.name);
    let mut records = Vec::new();
    let mut next: Option<(String, String, Option<String>)> = None;
    loop {
        let mut request = route53.list_resource_record_sets().hosted_zone_id(&zone.id);
        if let Some((name, rtype, id)) = next.take() {
            request = request
                .start_record_name(name)
                .start_record_type(aws_sdk_route53::types::RrType::from(rtype.as_str()))
                .set_start_record_identifier(id);
        }
        // One request per page here (not a paginator): each page takes its own token.
        ctx.pace("route53", "ListResourceRecordSets", None).await;
        let out = request.send().await.map_err(|err| op.sdk(err))?;
        for set in out.resource_record_sets() {
            let rtype = set.r#type().as_str();
            if (rtype == "SOA" || rtype == "NS") && dns_name(set.name()) == apex {
                continue;
            }
            records.extend(convert::record(set));
        }
        match (
            out.is_truncated(),
            out.next_record_name(),
            out.next_record_type(),
        ) {
            (true, Some(name), Some(rtype)) => {
                next = Some((
                    name.to_string(),
                    rtype.as_str().to_string(),
                    out.next_record_identifier().map(str::to_string),
                ));
            }
            _ => break,
        }
    }
    Ok(records)
}

/// A bucket's region, versioning and replication; `None` when it does not exist.
pub(crate) async fn bucket(ctx: &Ctx, op: Op, name: &str) -> Result<Option<Bucket>, BackendError> {
    let Some(region) = absent_is_none(ctx.bucket_region(op, name).await)? else {
        return Ok(None);
    };
    bucket_in(ctx, op, name, region).await.map(Some)
}

/// A bucket's versioning and replication, read in its region.
pub(crate) async fn bucket_in(
    ctx: &Ctx,
    op: Op,
    name: &str,
    region: String,
) -> Result<Bucket, BackendError> {
    let s3 = ctx.clients.s3(&region);
    ctx.pace("s3", "GetBucketVersioning", Some(&region)).await;
    let versioning = s3
        .get_bucket_versioning()
        .bucket(name)
        .send()
        .await
        .map_err(|err| Op::new(op.service, "GetBucketVersioning").sdk(err))?
        .status()
        .is_some_and(|s| *s == aws_sdk_s3::types::BucketVersioningStatus::Enabled);
    let replication = replication(ctx, op, &region, name).await?;
    Ok(convert::bucket(
        bucket_name(name),
        region,
        versioning,
        replication.as_ref().map(convert::replication),
    ))
}

/// GetBucketReplication; `None` when the bucket has no replication configuration.
pub(crate) async fn replication(
    ctx: &Ctx,
    op: Op,
    region: &str,
    bucket: &str,
) -> Result<Option<aws_sdk_s3::types::ReplicationConfiguration>, BackendError> {
    let op = Op::new(op.service, "GetBucketReplication");
    ctx.pace("s3", "GetBucketReplication", Some(region)).await;
    match ctx
        .clients
        .s3(region)
        .get_bucket_replication()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => Ok(out.replication_configuration().cloned()),
        Err(err) => {
            let err = op.sdk(err);
            if err.code == "ReplicationConfigurationNotFoundError" {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// `LatestSnapshot`: the newest snapshot of a volume, DB instance or DB cluster, whatever its
/// state (a pending one counts). An unknown source is a not-found error, as in the simulation.
pub(crate) async fn latest_snapshot(
    ctx: &Ctx,
    target: &Target,
) -> Result<Option<Value>, BackendError> {
    match target {
        Target::Volume { name, region } => {
            let op = Op::new("ec2", "DescribeSnapshots");
            let volume = required(op, find_volume(ctx, op, region, name).await?, target)?;
            ctx.pace("ec2", "DescribeSnapshots", Some(region)).await;
            let snapshots = ctx
                .clients
                .ec2(region)
                .describe_snapshots()
                .owner_ids("self")
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("volume-id")
                        .values(volume.volume_id().unwrap_or_default())
                        .build(),
                )
                .into_paginator()
                .items()
                .send()
                .all(op)
                .await?;
            newest(op, snapshots.iter().map(convert::snapshot), |s| {
                (s.start_time, s.id.clone())
            })
        }
        Target::DbInstance { name, region } => {
            let op = Op::new("rds", "DescribeDBSnapshots");
            let rds = ctx.clients.rds(region);
            // DescribeDBSnapshots of an unknown instance is an empty list, not an error.
            ctx.pace("rds", "DescribeDBInstances", Some(region)).await;
            rds.describe_db_instances()
                .db_instance_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            ctx.pace("rds", "DescribeDBSnapshots", Some(region)).await;
            let snapshots = rds
                .describe_db_snapshots()
                .db_instance_identifier(name)
                .into_paginator()
                .items()
                .send()
                .all(op)
                .await?;
            newest(op, snapshots.iter().map(convert::db_snapshot), |s| {
                (s.created_at, s.id.clone())
            })
        }
        Target::DbCluster { name, region } => {
            let op = Op::new("rds", "DescribeDBClusterSnapshots");
            let rds = ctx.clients.rds(region);
            ctx.pace("rds", "DescribeDBClusters", Some(region)).await;
            rds.describe_db_clusters()
                .db_cluster_identifier(name)
                .send()
                .await
                .map_err(|err| op.sdk(err))?;
            ctx.pace("rds", "DescribeDBClusterSnapshots", Some(region))
                .await;
            let snapshots = rds
                .describe_db_cluster_snapshots()
                .db_cluster_identifier(name)
                .into_paginator()
                .items()
                .send()
                .all(op)
                .await?;
            newest(
                op,
                snapshots.iter().map(convert::db_cluster_snapshot),
                |s| (s.created_at, s.id.clone()),
            )
        }
        other => {
            let kind = other.kind();
            Err(Op::new(kind.service(), kind.describe_operation())
                .error(
                    ErrorKind::Rejected,
                    "InvalidParameterValue",
                    format!(
                        "latest_snapshot applies to a volume, DB instance or DB cluster, not to {}",
                        kind.a_noun()
                    ),
                )
                .with_help("pass the handle of the snapshotted resource"))
        }
    }
}
