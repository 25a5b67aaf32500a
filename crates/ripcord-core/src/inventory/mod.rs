//! The inventory: a versioned description of the resources a runbook touches, per region.
//!
//! It is the simulated world of a dry-run and the output of `ripcord capture`. Its format is
//! documented in `docs/inventory.md`; bump [`INVENTORY_VERSION`] on any breaking change.

mod compute;
mod database;
mod load;
mod network;
mod schema;
mod storage;
mod tables;
mod unreachable;

pub use compute::{AutoScalingGroup, EbsSnapshot, EcsService, Volume};
pub use database::{DbCluster, DbInstance, DbSnapshot, GlobalCluster, GlobalClusterMember};
pub use load::InventoryError;
pub use network::{Alias, HealthCheck, HostedZone, RecordSet};
pub use schema::{inventory_schema, schema_id};
pub use storage::{Bucket, Replication, ReplicationRule, Topic};
pub use tables::{DynamoTable, TableReplica};
pub use unreachable::Unreachable;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The inventory format version this build writes. Version 2 added `unreachable`; version 3
/// DynamoDB tables, ECS services and the weights of record sets.
pub const INVENTORY_VERSION: u32 = 3;

/// The oldest version this build reads: a version 1 inventory is a version 3 one without
/// `unreachable`, tables, services and weights; a version 2 one without the last three.
pub const OLDEST_INVENTORY_VERSION: u32 = 1;

/// A description of the world: account, capture time, regional and global resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// The format version; this build reads the versions the range allows (docs/inventory.md,
    /// "Versioning").
    #[schemars(range(min = OLDEST_INVENTORY_VERSION, max = INVENTORY_VERSION))]
    pub version: u32,
    /// The AWS account the state was captured from (used to build ARNs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// When the state was captured; a dry-run's clock starts here.
    #[schemars(with = "schema::TimestampSchema")]
    pub captured_at: jiff::Timestamp,
    #[serde(default)]
    pub regions: BTreeMap<String, RegionInventory>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub global_clusters: Vec<GlobalCluster>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosted_zones: Vec<HostedZone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health_checks: Vec<HealthCheck>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<Bucket>,
    /// Overrides of the dry-run's duration estimates, seconds, by key (`docs/inventory.md`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub estimates: BTreeMap<String, u64>,
    /// What did not answer (version 2): regions, services, global control planes. Their
    /// resources are not in the inventory (a capture could not read them) or, with
    /// `plan --down`, are there but cannot be reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<Unreachable>,
}

/// The resources of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RegionInventory {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub availability_zones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    /// ECS services (version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ecs_services: Vec<EcsService>,
    /// DynamoDB tables (version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dynamodb_tables: Vec<DynamoTable>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<EbsSnapshot>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub db_instances: Vec<DbInstance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub db_clusters: Vec<DbCluster>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub db_snapshots: Vec<DbSnapshot>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub db_cluster_snapshots: Vec<DbSnapshot>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Topic>,
}

impl Inventory {
    /// An empty world at the given time (the REPL's empty session, tests).
    pub fn empty(captured_at: jiff::Timestamp) -> Inventory {
        Inventory {
            version: INVENTORY_VERSION,
            account: None,
            captured_at,
            regions: BTreeMap::new(),
            global_clusters: Vec::new(),
            hosted_zones: Vec::new(),
            health_checks: Vec::new(),
            buckets: Vec::new(),
            estimates: BTreeMap::new(),
            unreachable: Vec::new(),
        }
    }
}
