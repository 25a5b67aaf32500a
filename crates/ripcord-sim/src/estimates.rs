//! Duration estimates of the dry-run: one table of defaults, overridable from the inventory.

use ripcord_core::Call;
use std::collections::{BTreeMap, HashMap};

/// One estimate the simulation uses; its key is what an inventory's `estimates` map overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Est {
    Call,
    Check,
    Approve,
    EbsSnapshotPerGib,
    VolumeAvailable,
    DbSnapshotAvailable,
    DbClusterSnapshotAvailable,
    DbInstanceAfterPromote,
    DbInstanceAfterReboot,
    DbInstanceAfterRestore,
    DbInstanceAfterReplica,
    DbInstanceCreated,
    DbInstanceDeleted,
    DbClusterAfterDetach,
    DbClusterCreated,
    DbClusterDeleted,
    GlobalFailover,
    GlobalClusterDeleted,
    AsgInService,
    EcsSteady,
    TableReplicaActive,
    TableReplicaDeleted,
    DnsInSync,
}

/// Every variant once; the array of seconds is indexed by `Est as usize`.
const ALL: [Est; 23] = [
    Est::Call,
    Est::Check,
    Est::Approve,
    Est::EbsSnapshotPerGib,
    Est::VolumeAvailable,
    Est::DbSnapshotAvailable,
    Est::DbClusterSnapshotAvailable,
    Est::DbInstanceAfterPromote,
    Est::DbInstanceAfterReboot,
    Est::DbInstanceAfterRestore,
    Est::DbInstanceAfterReplica,
    Est::DbInstanceCreated,
    Est::DbInstanceDeleted,
    Est::DbClusterAfterDetach,
    Est::DbClusterCreated,
    Est::DbClusterDeleted,
    Est::GlobalFailover,
    Est::GlobalClusterDeleted,
    Est::AsgInService,
    Est::EcsSteady,
    Est::TableReplicaActive,
    Est::TableReplicaDeleted,
    Est::DnsInSync,
];

// A variant added without extending ALL would silently estimate 0s.
const _: () = assert!(ALL.len() == Est::DnsInSync as usize + 1);

impl Est {
    /// The inventory key, also used in messages that tell the reader what to override.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Est::Call => "call",
            Est::Check => "check",
            Est::Approve => "approve",
            Est::EbsSnapshotPerGib => "wait.ebs_snapshot_completed_per_gib",
            Est::VolumeAvailable => "wait.volume_available",
            Est::DbSnapshotAvailable => "wait.db_snapshot_available",
            Est::DbClusterSnapshotAvailable => "wait.db_cluster_snapshot_available",
            Est::DbInstanceAfterPromote => "wait.db_instance_available_after_promote",
            Est::DbInstanceAfterReboot => "wait.db_instance_available_after_reboot",
            Est::DbInstanceAfterRestore => "wait.db_instance_available_after_restore",
            Est::DbInstanceAfterReplica => "wait.db_instance_available_after_replica",
            Est::DbInstanceCreated => "wait.db_instance_available_after_create",
            Est::DbInstanceDeleted => "wait.db_instance_deleted",
            Est::DbClusterAfterDetach => "wait.db_cluster_available_after_detach",
            Est::DbClusterCreated => "wait.db_cluster_available_after_create",
            Est::DbClusterDeleted => "wait.db_cluster_deleted",
            Est::GlobalFailover => "wait.global_failover",
            Est::GlobalClusterDeleted => "wait.global_cluster_deleted",
            Est::AsgInService => "wait.asg_in_service",
            Est::EcsSteady => "wait.ecs_service_steady",
            Est::TableReplicaActive => "wait.table_replica_active",
            Est::TableReplicaDeleted => "wait.table_replica_deleted",
            Est::DnsInSync => "wait.dns_in_sync",
        }
    }

    fn default_secs(self) -> u64 {
        match self {
            Est::Call => 1,
            Est::Check => 1,
            Est::Approve => 0,
            Est::EbsSnapshotPerGib => 3,
            Est::VolumeAvailable => 30,
            Est::DbSnapshotAvailable => 300,
            Est::DbClusterSnapshotAvailable => 300,
            Est::DbInstanceAfterPromote => 240,
            Est::DbInstanceAfterReboot => 120,
            Est::DbInstanceAfterRestore => 900,
            // AWS builds a read replica from a snapshot of its source, restored where the
            // replica goes (copied there first across regions), then lets it catch up on
            // what the source wrote meanwhile. AWS gives no figure; a snapshot and a restore
            // (`wait.db_snapshot_available` + `wait.db_instance_available_after_restore`),
            // twenty minutes, is a small database: the data's size and, across regions, the
            // copy add to it.
            Est::DbInstanceAfterReplica => 1200,
            // An Aurora cluster's new instance copies no data: its storage is the cluster's
            // volume, so what takes the time is provisioning the compute and attaching it.
            // Neither restore estimate fits (both move data). AWS gives no figure; ten
            // minutes errs on the slow side. It is never available before its cluster is.
            Est::DbInstanceCreated => 600,
            // The final snapshot first (the instance is gone no sooner than it is
            // available: `wait.db_snapshot_available`), then the instance (and a Multi-AZ
            // standby) shut down and its storage released. AWS gives no figure; ten minutes
            // errs on the slow side.
            Est::DbInstanceDeleted => 600,
            Est::DbClusterAfterDetach => 60,
            // A secondary cluster of a global database is created without instances; what
            // takes the time is seeding its storage from the primary's volume across regions,
            // for which AWS gives no figure (it grows with the data). Fifteen minutes, as a
            // restore, is a small database: a large one needs an override.
            Est::DbClusterCreated => 900,
            // AWS deletes a cluster only without instances (they go first), so there is no
            // instance to shut down: the final snapshot, then the storage volume. AWS gives
            // no figure; five minutes errs on the slow side, and the cluster is never gone
            // before its final snapshot is available (`wait.db_cluster_snapshot_available`).
            Est::DbClusterDeleted => 300,
            Est::GlobalFailover => 120,
            // A global database is deleted only without members: no storage and no compute
            // of its own are left, only the account-wide record. AWS gives no figure; a
            // minute.
            Est::GlobalClusterDeleted => 60,
            Est::AsgInService => 180,
            // A service's new tasks start in parallel: placement, image pull and container
            // start, typically 30 s to a minute and a half on Fargate for a small image;
            // two minutes, once per scale-out, errs on the slow side. RUNNING is what
            // runningCount counts (and the SDK's services_stable waiter compares), so load
            // balancer health checks are not part of it.
            Est::EcsSteady => 120,
            // "Adding a replica might take a few minutes for an empty table, or up to several
            // hours for large tables" (CloudFormation, AWS::DynamoDB::GlobalTable, Replicas).
            // Ten minutes is the slow side of "a few minutes": a table with data needs an
            // override.
            Est::TableReplicaActive => 600,
            // AWS gives no figure for removing a replica; it drops the table in that region
            // without copying anything, so half the creation estimate.
            Est::TableReplicaDeleted => 300,
            Est::DnsInSync => 60,
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            Est::Call => "round trip of any mutating API call (override one operation with `call.<Operation>`)",
            Est::Check => "a readiness check (s3 GetBucketReplication, dynamodb DescribeTable)",
            Est::Approve => "an approval gate (human time is not estimated)",
            Est::EbsSnapshotPerGib => "EBS snapshot or copy pending -> completed, per GiB of volume size",
            Est::VolumeAvailable => "EBS volume creating -> available",
            Est::DbSnapshotAvailable => "DB snapshot (or copy) creating -> available",
            Est::DbClusterSnapshotAvailable => "DB cluster snapshot (or copy) creating -> available",
            Est::DbInstanceAfterPromote => "read replica promotion: modifying -> available",
            Est::DbInstanceAfterReboot => "reboot or Multi-AZ forced failover: rebooting -> available",
            Est::DbInstanceAfterRestore => "restore from a DB snapshot: creating -> available",
            Est::DbInstanceAfterReplica => "a new read replica: creating -> available (a small database; larger ones take longer)",
            Est::DbInstanceCreated => "a new instance of an Aurora cluster: creating -> available (no data copied; not before its cluster)",
            Est::DbInstanceDeleted => "DB instance deleting -> gone (at least until its final snapshot is available)",
            Est::DbClusterAfterDetach => "a secondary cluster detached from its global database becoming a writer",
            Est::DbClusterCreated => "a new secondary cluster of a global database: creating -> available (a small database; larger ones take longer)",
            Est::DbClusterDeleted => "DB cluster deleting -> gone (at least until its final snapshot is available)",
            Est::GlobalFailover => "global database failover or switchover until the new writer is available",
            Est::GlobalClusterDeleted => "global database (without members) deleting -> gone",
            Est::AsgInService => "scale-out until InService = desired (boot + health check, once, not per instance)",
            Est::EcsSteady => "ECS scale-out until running = desired (task placement, image pull, start; once, not per task)",
            Est::TableReplicaActive => "DynamoDB replica CREATING -> ACTIVE (a small table; larger ones take longer)",
            Est::TableReplicaDeleted => "DynamoDB replica DELETING -> gone",
            Est::DnsInSync => "Route 53 change PENDING -> INSYNC",
        }
    }
}

/// A documented default estimate (`docs/simulation.md` mirrors these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimateDefault {
    /// The key in the inventory's `estimates` map.
    pub key: &'static str,
    pub secs: u64,
    /// What the estimate covers.
    pub meaning: &'static str,
}

/// Every estimate key with its default, in the documented order. `call.<Operation>` keys
/// (e.g. `call.CreateSnapshot`) are accepted too and default to `call`.
pub fn estimate_defaults() -> impl Iterator<Item = EstimateDefault> {
    ALL.into_iter().map(|est| EstimateDefault {
        key: est.key(),
        secs: est.default_secs(),
        meaning: est.meaning(),
    })
}

/// The estimates in force: defaults with the inventory's overrides applied once, so that a
/// lookup on the hot path is an array index.
#[derive(Debug, Clone)]
pub(crate) struct Estimates {
    secs: [u64; ALL.len()],
    per_operation: HashMap<&'static str, u64>,
    unknown: Vec<String>,
}

impl Estimates {
    pub(crate) fn new(overrides: &BTreeMap<String, u64>) -> Estimates {
        let mut secs = [0; ALL.len()];
        for est in ALL {
            secs[est as usize] = overrides
                .get(est.key())
                .copied()
                .unwrap_or_else(|| est.default_secs());
        }
        let mut per_operation = HashMap::new();
        let mut unknown = Vec::new();
        for (key, value) in overrides {
            if ALL.iter().any(|est| est.key() == key) {
                continue;
            }
            let operation = key.strip_prefix("call.").and_then(Call::descriptor_named);
            match operation {
                Some(descriptor) => {
                    per_operation.insert(descriptor.name, *value);
                }
                None => unknown.push(key.clone()),
            }
        }
        Estimates {
            secs,
            per_operation,
            unknown,
        }
    }

    pub(crate) fn get(&self, est: Est) -> u64 {
        self.secs[est as usize]
    }

    /// The round trip of one call: `call.<Operation>` when the inventory sets it, else `call`.
    pub(crate) fn call(&self, operation: &str) -> u64 {
        self.per_operation
            .get(operation)
            .copied()
            .unwrap_or_else(|| self.get(Est::Call))
    }

    /// Keys of the inventory's `estimates` map that name no estimate (likely typos).
    pub(crate) fn unknown_keys(&self) -> &[String] {
        &self.unknown
    }
}
