//! SDK answers in the inventory's shape (`docs/inventory.md`), for queries and capture.

use crate::context::{arn_region, arn_resource_id, bucket_name};
use aws_sdk_ec2::primitives::DateTime;
use ripcord_core::inventory::{
    Alias, AutoScalingGroup, Bucket, DbCluster, DbInstance, DbSnapshot, DynamoTable, EbsSnapshot,
    EcsService, GlobalCluster, GlobalClusterMember, HealthCheck, RecordSet, Replication,
    ReplicationRule, TableReplica, Volume,
};
use std::collections::BTreeMap;

/// An SDK time as a timestamp; `None` for one outside jiff's range (it is not a real time).
pub(crate) fn timestamp(time: &DateTime) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(time.secs(), i32::try_from(time.subsec_nanos()).ok()?).ok()
}

/// Now, to the second (inventory times carry no fractions).
pub(crate) fn now_seconds() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

pub(crate) fn asg(group: &aws_sdk_autoscaling::types::AutoScalingGroup) -> AutoScalingGroup {
    // Desired capacity counts units, not instances: in a group with instance weights
    // (a mixed instances policy) each instance brings its WeightedCapacity, so InService is
    // summed in the same units or a weighted group would never look settled.
    let in_service: i64 = group
        .instances()
        .iter()
        .filter(|i| {
            i.lifecycle_state() == Some(&aws_sdk_autoscaling::types::LifecycleState::InService)
        })
        .map(|i| {
            i.weighted_capacity()
                .and_then(|w| w.trim().parse::<i64>().ok())
                .unwrap_or(1)
        })
        .sum();
    AutoScalingGroup {
        name: text(group.auto_scaling_group_name()),
        min_size: group.min_size().unwrap_or_default().into(),
        max_size: group.max_size().unwrap_or_default().into(),
        desired_capacity: group.desired_capacity().unwrap_or_default().into(),
        in_service: Some(in_service),
        tags: group
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), text(t.value()))))
            .collect(),
    }
}

/// A DynamoDB table as DescribeTable in `region` answers it: its status, its stream's view
/// type when the stream is on, and the replicas of its global table in the *other* regions
/// (AWS lists only those; one naming `region` itself is dropped), sorted by region.
pub(crate) fn table(
    table: &aws_sdk_dynamodb::types::TableDescription,
    region: &str,
) -> DynamoTable {
    let stream_view_type = table
        .stream_specification()
        .filter(|s| s.stream_enabled())
        .and_then(|s| s.stream_view_type())
        .map(|v| v.as_str().to_string());
    let mut replicas: Vec<TableReplica> = table
        .replicas()
        .iter()
        .filter_map(|r| {
            let replica_region = r.region_name()?;
            (replica_region != region).then(|| TableReplica {
                region: replica_region.to_string(),
                // A replica without a status is one AWS has not reported on: it serves.
                status: r
                    .replica_status()
                    .map_or_else(|| "ACTIVE".to_string(), |s| s.as_str().to_string()),
            })
        })
        .collect();
    replicas.sort_by(|a, b| a.region.cmp(&b.region));
    DynamoTable {
        name: text(table.table_name()),
        status: text(table.table_status().map(|s| s.as_str())),
        stream_view_type,
        replicas,
    }
}

/// An ECS service. `cluster` is the cluster's name from the service's ARN (`cluster/NAME`),
/// else `asked` (the name it was described by); the task definition is its family (from
/// `arn:...:task-definition/FAMILY:REVISION`).
pub(crate) fn ecs_service(service: &aws_sdk_ecs::types::Service, asked: &str) -> EcsService {
    let cluster = service
        .cluster_arn()
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| arn_resource_id(asked));
    EcsService {
        cluster: cluster.to_string(),
        name: text(service.service_name()),
        desired_count: service.desired_count().into(),
        running_count: Some(service.running_count().into()),
        task_definition: service.task_definition().map(task_family),
    }
}

/// The family of a task definition named by ARN or `family:revision`.
fn task_family(task_definition: &str) -> String {
    let name = if task_definition.starts_with("arn:") {
        task_definition
            .rsplit('/')
            .next()
            .unwrap_or(task_definition)
    } else {
        task_definition
    };
    name.split(':').next().unwrap_or(name).to_string()
}

/// A resource's tags, without ripcord's own request tag (`ripcord_core::REQUEST_TAG`): it is
/// bookkeeping of the run that made the resource, which no plan or runbook reads.
fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|t| t.key() != Some(ripcord_core::REQUEST_TAG))
        .filter_map(|t| Some((t.key()?.to_string(), text(t.value()))))
        .collect()
}

pub(crate) fn volume(volume: &aws_sdk_ec2::types::Volume) -> Volume {
    let tags = ec2_tags(volume.tags());
    Volume {
        id: text(volume.volume_id()),
        name: tags.get("Name").cloned(),
        size_gib: volume.size().unwrap_or_default().into(),
        availability_zone: text(volume.availability_zone()),
        state: text(volume.state().map(|s| s.as_str())),
        tags,
    }
}

pub(crate) fn snapshot(snapshot: &aws_sdk_ec2::types::Snapshot) -> EbsSnapshot {
    let tags = ec2_tags(snapshot.tags());
    EbsSnapshot {
        id: text(snapshot.snapshot_id()),
        name: tags.get("Name").cloned(),
        volume_id: text(snapshot.volume_id()),
        size_gib: snapshot.volume_size().unwrap_or_default().into(),
        state: text(snapshot.state().map(|s| s.as_str())),
        start_time: snapshot
            .start_time()
            .and_then(timestamp)
            .unwrap_or_else(now_seconds),
        description: text(snapshot.description()),
        tags,
    }
}

pub(crate) fn db_instance(db: &aws_sdk_rds::types::DbInstance) -> DbInstance {
    DbInstance {
        id: text(db.db_instance_identifier()),
        engine: text(db.engine()),
        instance_class: text(db.db_instance_class()),
        status: text(db.db_instance_status()),
        availability_zone: text(db.availability_zone()),
        secondary_availability_zone: db.secondary_availability_zone().map(str::to_string),
        multi_az: db.multi_az().unwrap_or_default(),
        read_replica_source: db
            .read_replica_source_db_instance_identifier()
            .map(str::to_string),
        // CloudWatch's ReplicaLag is not part of DescribeDBInstances: `crate::lag` fills it
        // in for replicas, with a request of its own.
        replica_lag_secs: None,
        cluster: db.db_cluster_identifier().map(str::to_string),
    }
}

pub(crate) fn db_cluster(cluster: &aws_sdk_rds::types::DbCluster) -> DbCluster {
    DbCluster {
        id: text(cluster.db_cluster_identifier()),
        engine: text(cluster.engine()),
        status: text(cluster.status()),
        // Only a global secondary has one, and DescribeDBClusters does not say which cluster
        // is: the caller fills it in from CloudWatch (`crate::lag`) once membership is known.
        replication_lag_secs: None,
    }
}

/// A snapshot still being created may have no creation time yet: it counts as the newest.
fn created(primary: Option<&DateTime>, fallback: Option<&DateTime>) -> jiff::Timestamp {
    primary
        .or(fallback)
        .and_then(timestamp)
        .unwrap_or_else(now_seconds)
}

pub(crate) fn db_snapshot(snapshot: &aws_sdk_rds::types::DbSnapshot) -> DbSnapshot {
    DbSnapshot {
        id: text(snapshot.db_snapshot_identifier()),
        source: text(snapshot.db_instance_identifier()),
        status: text(snapshot.status()),
        created_at: created(
            snapshot.snapshot_create_time(),
            snapshot.original_snapshot_create_time(),
        ),
        snapshot_type: text(snapshot.snapshot_type()),
        engine: snapshot.engine().map(str::to_string),
        engine_version: snapshot.engine_version().map(str::to_string),
        // Not in DescribeDBSnapshots: `capture` reads it from the source instance.
        instance_class: None,
        allocated_storage_gib: snapshot.allocated_storage().map(i64::from),
        port: snapshot.port().map(i64::from),
        source_region: snapshot.source_region().map(str::to_string),
    }
}

pub(crate) fn db_cluster_snapshot(snapshot: &aws_sdk_rds::types::DbClusterSnapshot) -> DbSnapshot {
    DbSnapshot {
        id: text(snapshot.db_cluster_snapshot_identifier()),
        source: text(snapshot.db_cluster_identifier()),
        status: text(snapshot.status()),
        created_at: created(snapshot.snapshot_create_time(), None),
        snapshot_type: text(snapshot.snapshot_type()),
        engine: snapshot.engine().map(str::to_string),
        engine_version: snapshot.engine_version().map(str::to_string),
        instance_class: None,
        allocated_storage_gib: snapshot.allocated_storage().map(i64::from),
        port: snapshot.port().map(i64::from),
        // A cluster snapshot names its origin by ARN only.
        source_region: snapshot
            .source_db_cluster_snapshot_arn()
            .and_then(arn_region)
            .map(str::to_string),
    }
}

pub(crate) fn global_cluster(global: &aws_sdk_rds::types::GlobalCluster) -> GlobalCluster {
    let mut members: Vec<GlobalClusterMember> = global
        .global_cluster_members()
        .iter()
        .filter_map(|m| {
            let arn = m.db_cluster_arn()?;
            Some(GlobalClusterMember {
                cluster: arn_resource_id(arn).to_string(),
                region: arn_region(arn).unwrap_or_default().to_string(),
                writer: m.is_writer().unwrap_or_default(),
            })
        })
        .collect();
    members.sort_by(|a, b| (&a.region, &a.cluster).cmp(&(&b.region, &b.cluster)));
    GlobalCluster {
        id: text(global.global_cluster_identifier()),
        engine: text(global.engine()),
        status: text(global.status()),
        members,
    }
}

pub(crate) fn health_check(
    check: &aws_sdk_route53::types::HealthCheck,
    name: Option<String>,
) -> HealthCheck {
    let config = check.health_check_config();
    HealthCheck {
        id: check.id().to_string(),
        name,
        disabled: config.and_then(|c| c.disabled()).unwrap_or_default(),
        inverted: config.and_then(|c| c.inverted()).unwrap_or_default(),
        fqdn: config
            .and_then(|c| c.fully_qualified_domain_name())
            .map(str::to_string),
        check_type: config
            .map(|c| c.r#type().as_str().to_string())
            .unwrap_or_default(),
    }
}

/// A record set, or `None` for what an inventory cannot describe (traffic-policy records
/// with neither values nor an alias).
pub(crate) fn record(record: &aws_sdk_route53::types::ResourceRecordSet) -> Option<RecordSet> {
    let values: Vec<String> = record
        .resource_records()
        .iter()
        .map(|r| r.value().to_string())
        .collect();
    let alias = record.alias_target().map(|a| Alias {
        zone_id: a.hosted_zone_id().to_string(),
        dns_name: a.dns_name().to_string(),
        evaluate_target_health: a.evaluate_target_health(),
    });
    if values.is_empty() == alias.is_none() {
        return None;
    }
    Some(RecordSet {
        name: record.name().trim_end_matches('.').to_string(),
        rtype: record.r#type().as_str().to_string(),
        set_id: record.set_identifier().map(str::to_string),
        failover: record.failover().map(|f| f.as_str().to_string()),
        weight: record.weight(),
        ttl: record.ttl(),
        values,
        alias,
        health_check: record.health_check_id().map(str::to_string),
    })
}

pub(crate) fn replication(config: &aws_sdk_s3::types::ReplicationConfiguration) -> Replication {
    Replication {
        role: config.role().to_string(),
        rules: config
            .rules()
            .iter()
            .map(|rule| {
                let destination = rule.destination();
                ReplicationRule {
                    id: text(rule.id()),
                    status: rule.status().as_str().to_string(),
                    priority: rule.priority().unwrap_or_default().into(),
                    destination_bucket: bucket_name(
                        destination.map(|d| d.bucket()).unwrap_or_default(),
                    )
                    .to_string(),
                    delete_marker_replication: rule
                        .delete_marker_replication()
                        .and_then(|d| d.status())
                        .is_some_and(|s| {
                            *s == aws_sdk_s3::types::DeleteMarkerReplicationStatus::Enabled
                        }),
                    replication_time_minutes: destination
                        .and_then(|d| d.replication_time())
                        .filter(|t| {
                            *t.status() == aws_sdk_s3::types::ReplicationTimeStatus::Enabled
                        })
                        .and_then(|t| t.time())
                        .and_then(|t| t.minutes())
                        .map(i64::from),
                }
            })
            .collect(),
    }
}

/// A bucket from its parts (each read by its own S3 request).
pub(crate) fn bucket(
    name: &str,
    region: String,
    versioning: bool,
    replication: Option<Replication>,
) -> Bucket {
    Bucket {
        name: name.to_string(),
        region,
        versioning,
        replication,
    }
}

#[cfg(test)]
mod tests {
    use super::asg;
    use super::{ecs_service, table, task_family};
    use aws_sdk_autoscaling::types::{AutoScalingGroup, Instance, LifecycleState};

    fn instance(state: LifecycleState, weight: Option<&str>) -> Instance {
        Instance::builder()
            .instance_id("i-0")
            .lifecycle_state(state)
            .set_weighted_capacity(weight.map(str::to_string))
            .build()
    }

    fn group(desired: i32, instances: Vec<Instance>) -> AutoScalingGroup {
        AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .min_size(0)
            .max_size(10)
            .desired_capacity(desired)
            .set_instances(Some(instances))
            .build()
    }

    #[test]
    fn in_service_counts_instances_in_service() {
        let g = group(
            3,
            vec![
                instance(LifecycleState::InService, None),
                instance(LifecycleState::Pending, None),
                instance(LifecycleState::InService, None),
                instance(LifecycleState::Terminating, None),
            ],
        );
        assert_eq!(asg(&g).in_service, Some(2));
    }

    #[test]
    fn in_service_sums_instance_weights_in_desired_units() {
        // Desired 6 units: two InService instances of weight 2 and 4 make 6, the Pending one
        // of weight 4 does not count yet.
        let g = group(
            6,
            vec![
                instance(LifecycleState::InService, Some("2")),
                instance(LifecycleState::InService, Some("4")),
                instance(LifecycleState::Pending, Some("4")),
            ],
        );
        let converted = asg(&g);
        assert_eq!(converted.in_service, Some(6));
        assert_eq!(converted.desired_capacity, 6);
    }

    #[test]
    fn a_table_lists_the_other_regions_and_its_stream_while_on() {
        use aws_sdk_dynamodb::types::{
            ReplicaDescription, ReplicaStatus, StreamSpecification, StreamViewType,
            TableDescription, TableStatus,
        };
        let replica = |region: &str, status: Option<ReplicaStatus>| {
            ReplicaDescription::builder()
                .region_name(region)
                .set_replica_status(status)
                .build()
        };
        let stream = |enabled: bool| {
            StreamSpecification::builder()
                .stream_enabled(enabled)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .expect("stream")
        };
        let described = TableDescription::builder()
            .table_name("orders")
            .table_status(TableStatus::Updating)
            .stream_specification(stream(true))
            .replicas(replica("us-west-2", Some(ReplicaStatus::Creating)))
            .replicas(replica("us-east-1", Some(ReplicaStatus::Active)))
            .replicas(replica("eu-west-1", None))
            .build();
        let converted = table(&described, "us-east-1");
        assert_eq!(converted.name, "orders");
        assert_eq!(converted.status, "UPDATING");
        assert_eq!(
            converted.stream_view_type.as_deref(),
            Some("NEW_AND_OLD_IMAGES")
        );
        let replicas: Vec<(&str, &str)> = converted
            .replicas
            .iter()
            .map(|r| (r.region.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(
            replicas,
            vec![("eu-west-1", "ACTIVE"), ("us-west-2", "CREATING")],
            "sorted, without the described region"
        );
        let off = TableDescription::builder()
            .table_name("sessions")
            .table_status(TableStatus::Active)
            .stream_specification(stream(false))
            .build();
        let converted = table(&off, "us-east-1");
        assert_eq!(converted.stream_view_type, None);
        assert!(converted.replicas.is_empty());
    }

    #[test]
    fn a_service_names_its_cluster_and_task_family() {
        let service = aws_sdk_ecs::types::Service::builder()
            .service_name("web")
            .cluster_arn("arn:aws:ecs:us-west-2:123456789012:cluster/dr-cluster")
            .desired_count(4)
            .running_count(1)
            .task_definition("arn:aws:ecs:us-west-2:123456789012:task-definition/web-task:7")
            .build();
        let converted = ecs_service(&service, "ignored");
        assert_eq!(converted.cluster, "dr-cluster");
        assert_eq!(converted.name, "web");
        assert_eq!(
            (converted.desired_count, converted.running_count),
            (4, Some(1))
        );
        assert_eq!(converted.task_definition.as_deref(), Some("web-task"));
        // Without an ARN: the name it was asked by.
        let bare = aws_sdk_ecs::types::Service::builder()
            .service_name("api")
            .build();
        assert_eq!(
            ecs_service(&bare, "arn:aws:ecs:us-east-1:123456789012:cluster/east").cluster,
            "east"
        );
        assert_eq!(task_family("web:3"), "web");
        assert_eq!(task_family("web"), "web");
    }
}
