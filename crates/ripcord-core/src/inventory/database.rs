//! Inventory shapes for RDS and Aurora: instances, clusters, global clusters, snapshots.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An RDS DB instance (standalone, Multi-AZ, read replica, or an Aurora cluster member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DbInstance {
    pub id: String,
    pub engine: String,
    #[serde(default = "default_class")]
    pub instance_class: String,
    /// `available`, `modifying`, `rebooting`, `creating`, ...
    #[serde(default = "available")]
    pub status: String,
    pub availability_zone: String,
    /// The standby's AZ of a Multi-AZ instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_availability_zone: Option<String>,
    #[serde(default)]
    pub multi_az: bool,
    /// Set on a read replica: its source instance (identifier or ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_replica_source: Option<String>,
    /// Replication lag of a read replica, seconds (CloudWatch ReplicaLag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_lag_secs: Option<i64>,
    /// The Aurora cluster this instance belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

fn default_class() -> String {
    "db.r6g.large".to_string()
}

fn available() -> String {
    "available".to_string()
}

/// An Aurora DB cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DbCluster {
    pub id: String,
    pub engine: String,
    #[serde(default = "available")]
    pub status: String,
    /// Replication lag behind the global writer, seconds (AuroraGlobalDBReplicationLag / 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_lag_secs: Option<i64>,
}

/// A member of an Aurora global database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlobalClusterMember {
    pub cluster: String,
    pub region: String,
    #[serde(default)]
    pub writer: bool,
}

/// An Aurora global database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlobalCluster {
    pub id: String,
    pub engine: String,
    #[serde(default = "available")]
    pub status: String,
    #[serde(default)]
    pub members: Vec<GlobalClusterMember>,
}

/// An RDS DB snapshot or Aurora cluster snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DbSnapshot {
    pub id: String,
    /// The DB instance (for DB snapshots) or DB cluster (for cluster snapshots) it was taken of.
    pub source: String,
    /// `available`, `creating`, `copying`.
    #[serde(default = "available")]
    pub status: String,
    #[schemars(with = "super::schema::TimestampSchema")]
    pub created_at: jiff::Timestamp,
    /// `manual` or `automated`.
    #[serde(default = "manual")]
    pub snapshot_type: String,
    /// What AWS records of the source when the snapshot is taken; copies keep it and a restore
    /// builds the new instance from it. Each is optional, so an inventory that does not say
    /// still loads (the simulation then looks at the source itself, where it can).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// DB snapshots: the source instance's class, which a restore without DBInstanceClass
    /// gets. DescribeDBSnapshots does not return it: `ripcord capture` reads it from the
    /// source instance (in `source_region` for a copy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_storage_gib: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// A copy made across regions: the region of the snapshot it was copied from (AWS's
    /// SourceRegion; for cluster snapshots, the region of SourceDBClusterSnapshotArn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_region: Option<String>,
}

fn manual() -> String {
    "manual".to_string()
}
