//! The mutating AWS calls a runbook can make, one variant per AWS API operation.

use crate::target::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One mutating AWS API call, with its arguments as the runbook resolved them.
///
/// Resource arguments hold the portable names the runbook used; the backend resolves
/// them to ids/ARNs when it executes the call and reports that in its [`crate::Outcome`].
/// Field names follow the AWS API's parameter names (PascalCase in JSON) so that a reviewer
/// who knows the API reads the plan without a glossary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all_fields = "PascalCase")]
pub enum Call {
    /// ec2 CreateSnapshot (tags applied atomically through TagSpecifications).
    CreateSnapshot {
        region: String,
        volume: String,
        description: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// ec2 CopySnapshot, called in the destination region.
    CopySnapshot {
        region: String,
        source_region: String,
        source_snapshot: String,
        description: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// ec2 CreateVolume from a snapshot.
    CreateVolume {
        region: String,
        snapshot: String,
        availability_zone: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// rds CreateDBSnapshot.
    #[serde(rename = "CreateDBSnapshot")]
    CreateDbSnapshot {
        region: String,
        #[serde(rename = "DBInstanceIdentifier")]
        db_instance: String,
        #[serde(rename = "DBSnapshotIdentifier")]
        snapshot: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// rds CreateDBClusterSnapshot.
    #[serde(rename = "CreateDBClusterSnapshot")]
    CreateDbClusterSnapshot {
        region: String,
        #[serde(rename = "DBClusterIdentifier")]
        db_cluster: String,
        #[serde(rename = "DBClusterSnapshotIdentifier")]
        snapshot: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        tags: BTreeMap<String, String>,
    },
    /// rds CopyDBSnapshot, called in the destination region.
    #[serde(rename = "CopyDBSnapshot")]
    CopyDbSnapshot {
        region: String,
        source_region: String,
        #[serde(rename = "SourceDBSnapshotIdentifier")]
        source_snapshot: String,
        #[serde(rename = "TargetDBSnapshotIdentifier")]
        target_snapshot: String,
    },
    /// rds CopyDBClusterSnapshot, called in the destination region.
    #[serde(rename = "CopyDBClusterSnapshot")]
    CopyDbClusterSnapshot {
        region: String,
        source_region: String,
        #[serde(rename = "SourceDBClusterSnapshotIdentifier")]
        source_snapshot: String,
        #[serde(rename = "TargetDBClusterSnapshotIdentifier")]
        target_snapshot: String,
    },
    /// rds RestoreDBInstanceFromDBSnapshot.
    #[serde(rename = "RestoreDBInstanceFromDBSnapshot")]
    RestoreDbInstanceFromDbSnapshot {
        region: String,
        #[serde(rename = "DBSnapshotIdentifier")]
        snapshot: String,
        #[serde(rename = "DBInstanceIdentifier")]
        db_instance: String,
        #[serde(
            rename = "DBInstanceClass",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        instance_class: Option<String>,
        #[serde(rename = "MultiAZ", default, skip_serializing_if = "Option::is_none")]
        multi_az: Option<bool>,
    },
    /// rds PromoteReadReplica.
    PromoteReadReplica {
        region: String,
        #[serde(rename = "DBInstanceIdentifier")]
        db_instance: String,
    },
    /// rds RemoveFromGlobalCluster: detach a secondary cluster, which becomes a standalone writer.
    RemoveFromGlobalCluster {
        region: String,
        global_cluster: String,
        #[serde(rename = "DbClusterIdentifier")]
        db_cluster: String,
    },
    /// rds FailoverGlobalCluster: managed failover to a secondary (may lose data).
    FailoverGlobalCluster {
        region: String,
        global_cluster: String,
        target_db_cluster: String,
        allow_data_loss: bool,
    },
    /// rds SwitchoverGlobalCluster: planned, lossless switch of the writer region.
    SwitchoverGlobalCluster {
        region: String,
        global_cluster: String,
        target_db_cluster: String,
    },
    /// rds RebootDBInstance; with ForceFailover, the Multi-AZ failover test.
    #[serde(rename = "RebootDBInstance")]
    RebootDbInstance {
        region: String,
        #[serde(rename = "DBInstanceIdentifier")]
        db_instance: String,
        force_failover: bool,
    },
    /// autoscaling UpdateAutoScalingGroup; absent sizes are left unchanged.
    UpdateAutoScalingGroup {
        region: String,
        auto_scaling_group_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_size: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_size: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        desired_capacity: Option<i64>,
    },
    /// route53 ChangeResourceRecordSets with one UPSERT.
    ChangeResourceRecordSets {
        hosted_zone: String,
        action: String,
        record_set: RecordSet,
    },
    /// route53 UpdateHealthCheck of the settings given, the others untouched. Route 53 reports
    /// a disabled check healthy (its records stay in service); an inverted one reports the
    /// opposite of what it measures (a healthy endpoint's records are failed away from).
    UpdateHealthCheck {
        health_check: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disabled: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inverted: Option<bool>,
    },
    /// s3 PutBucketReplication with one rule (the source document's rule shape).
    PutBucketReplication {
        bucket: String,
        role: String,
        rule: ReplicationRule,
    },
    /// sns Publish.
    Publish {
        region: String,
        topic: String,
        subject: String,
        message: String,
    },
}

/// A Route 53 resource record set as UPSERTed by `flip_dns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSet {
    pub name: String,
    #[serde(rename = "Type")]
    pub rtype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_identifier: Option<String>,
    /// `PRIMARY` or `SECONDARY` for failover routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<String>,
    #[serde(rename = "TTL", default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_target: Option<AliasTarget>,
    /// Health check by Name tag or id, as the runbook named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<String>,
}

/// A Route 53 alias target (an ALB, CloudFront distribution, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasTarget {
    pub hosted_zone_id: String,
    #[serde(rename = "DNSName")]
    pub dns_name: String,
    pub evaluate_target_health: bool,
}

/// One S3 replication rule (the source document's: RTC 15 minutes, delete markers, metrics).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationRule {
    #[serde(rename = "ID")]
    pub id: String,
    pub priority: i64,
    /// Destination bucket name (the API takes its ARN; the backend builds it).
    pub destination_bucket: String,
    pub delete_marker_replication: bool,
    /// Replication Time Control, in minutes (AWS accepts only 15); `None` disables RTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_time_minutes: Option<i64>,
}

impl Call {
    /// The AWS service the call goes to, as in IAM action prefixes.
    pub fn service(&self) -> &'static str {
        match self {
            Call::CreateSnapshot { .. } | Call::CopySnapshot { .. } | Call::CreateVolume { .. } => {
                "ec2"
            }
            Call::CreateDbSnapshot { .. }
            | Call::CreateDbClusterSnapshot { .. }
            | Call::CopyDbSnapshot { .. }
            | Call::CopyDbClusterSnapshot { .. }
            | Call::RestoreDbInstanceFromDbSnapshot { .. }
            | Call::PromoteReadReplica { .. }
            | Call::RemoveFromGlobalCluster { .. }
            | Call::FailoverGlobalCluster { .. }
            | Call::SwitchoverGlobalCluster { .. }
            | Call::RebootDbInstance { .. } => "rds",
            Call::UpdateAutoScalingGroup { .. } => "autoscaling",
            Call::ChangeResourceRecordSets { .. } | Call::UpdateHealthCheck { .. } => "route53",
            Call::PutBucketReplication { .. } => "s3",
            Call::Publish { .. } => "sns",
        }
    }

    /// The AWS API operation name (`UpdateAutoScalingGroup`, `CreateDBSnapshot`, ...).
    pub fn operation(&self) -> &'static str {
        match self {
            Call::CreateSnapshot { .. } => "CreateSnapshot",
            Call::CopySnapshot { .. } => "CopySnapshot",
            Call::CreateVolume { .. } => "CreateVolume",
            Call::CreateDbSnapshot { .. } => "CreateDBSnapshot",
            Call::CreateDbClusterSnapshot { .. } => "CreateDBClusterSnapshot",
            Call::CopyDbSnapshot { .. } => "CopyDBSnapshot",
            Call::CopyDbClusterSnapshot { .. } => "CopyDBClusterSnapshot",
            Call::RestoreDbInstanceFromDbSnapshot { .. } => "RestoreDBInstanceFromDBSnapshot",
            Call::PromoteReadReplica { .. } => "PromoteReadReplica",
            Call::RemoveFromGlobalCluster { .. } => "RemoveFromGlobalCluster",
            Call::FailoverGlobalCluster { .. } => "FailoverGlobalCluster",
            Call::SwitchoverGlobalCluster { .. } => "SwitchoverGlobalCluster",
            Call::RebootDbInstance { .. } => "RebootDBInstance",
            Call::UpdateAutoScalingGroup { .. } => "UpdateAutoScalingGroup",
            Call::ChangeResourceRecordSets { .. } => "ChangeResourceRecordSets",
            Call::UpdateHealthCheck { .. } => "UpdateHealthCheck",
            Call::PutBucketReplication { .. } => "PutBucketReplication",
            Call::Publish { .. } => "Publish",
        }
    }

    /// The region the request is sent to; `None` for Route 53 and S3 bucket configuration,
    /// which are global (the backend picks the partition's global endpoint).
    pub fn region(&self) -> Option<&str> {
        match self {
            Call::CreateSnapshot { region, .. }
            | Call::CopySnapshot { region, .. }
            | Call::CreateVolume { region, .. }
            | Call::CreateDbSnapshot { region, .. }
            | Call::CreateDbClusterSnapshot { region, .. }
            | Call::CopyDbSnapshot { region, .. }
            | Call::CopyDbClusterSnapshot { region, .. }
            | Call::RestoreDbInstanceFromDbSnapshot { region, .. }
            | Call::PromoteReadReplica { region, .. }
            | Call::RemoveFromGlobalCluster { region, .. }
            | Call::FailoverGlobalCluster { region, .. }
            | Call::SwitchoverGlobalCluster { region, .. }
            | Call::RebootDbInstance { region, .. }
            | Call::UpdateAutoScalingGroup { region, .. }
            | Call::Publish { region, .. } => Some(region),
            Call::ChangeResourceRecordSets { .. }
            | Call::UpdateHealthCheck { .. }
            | Call::PutBucketReplication { .. } => None,
        }
    }

    /// The resource the call acts on, for the plan's target column and for locking in the REPL.
    pub fn target(&self) -> Target {
        match self {
            Call::CreateSnapshot { region, volume, .. } => Target::Volume {
                name: volume.clone(),
                region: region.clone(),
            },
            Call::CopySnapshot {
                source_region,
                source_snapshot,
                ..
            } => Target::EbsSnapshot {
                name: source_snapshot.clone(),
                region: source_region.clone(),
            },
            Call::CreateVolume {
                region, snapshot, ..
            } => Target::EbsSnapshot {
                name: snapshot.clone(),
                region: region.clone(),
            },
            Call::CreateDbSnapshot {
                region,
                db_instance,
                ..
            }
            | Call::PromoteReadReplica {
                region,
                db_instance,
            }
            | Call::RebootDbInstance {
                region,
                db_instance,
                ..
            } => Target::DbInstance {
                name: db_instance.clone(),
                region: region.clone(),
            },
            Call::CreateDbClusterSnapshot {
                region, db_cluster, ..
            } => Target::DbCluster {
                name: db_cluster.clone(),
                region: region.clone(),
            },
            Call::CopyDbSnapshot {
                source_region,
                source_snapshot,
                ..
            } => Target::DbSnapshot {
                name: source_snapshot.clone(),
                region: source_region.clone(),
            },
            Call::CopyDbClusterSnapshot {
                source_region,
                source_snapshot,
                ..
            } => Target::DbClusterSnapshot {
                name: source_snapshot.clone(),
                region: source_region.clone(),
            },
            Call::RestoreDbInstanceFromDbSnapshot {
                region, snapshot, ..
            } => Target::DbSnapshot {
                name: snapshot.clone(),
                region: region.clone(),
            },
            Call::RemoveFromGlobalCluster {
                region, db_cluster, ..
            } => Target::DbCluster {
                name: db_cluster.clone(),
                region: region.clone(),
            },
            Call::FailoverGlobalCluster { global_cluster, .. }
            | Call::SwitchoverGlobalCluster { global_cluster, .. } => Target::GlobalCluster {
                name: global_cluster.clone(),
            },
            Call::UpdateAutoScalingGroup {
                region,
                auto_scaling_group_name,
                ..
            } => Target::Asg {
                name: auto_scaling_group_name.clone(),
                region: region.clone(),
            },
            Call::ChangeResourceRecordSets {
                hosted_zone,
                record_set,
                ..
            } => Target::Record {
                zone: hosted_zone.clone(),
                name: record_set.name.clone(),
                rtype: record_set.rtype.clone(),
                set_id: record_set.set_identifier.clone(),
            },
            Call::UpdateHealthCheck { health_check, .. } => Target::HealthCheck {
                name: health_check.clone(),
            },
            Call::PutBucketReplication { bucket, .. } => Target::Bucket {
                name: bucket.clone(),
            },
            Call::Publish { region, topic, .. } => Target::Topic {
                name: topic.clone(),
                region: region.clone(),
            },
        }
    }

    /// The call's arguments as AWS parameter names and values, without the operation tag
    /// and without the region (which has its own column).
    pub fn arguments(&self) -> serde_json::Map<String, serde_json::Value> {
        // Serializing a plain data enum with string keys cannot fail; an empty map would
        // only hide arguments, never invent them.
        let mut map = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        map.remove("operation");
        map.remove("Region");
        map
    }
}
