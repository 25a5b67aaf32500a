//! RDS operations: DB snapshots, restores, replicas, reboots and Aurora global databases.

use super::regional;
use crate::asl::task::{fields_of, rds_tags, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::{ResourceKind, Target};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// rds CreateDBSnapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDbSnapshot {
    pub region: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
    #[serde(rename = "DBSnapshotIdentifier")]
    pub snapshot: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Operation for CreateDbSnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CreateDBSnapshot",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbSnapshot),
        "snapshot an RDS DB instance",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: Target::DbSnapshot {
                name: self.snapshot.to_ascii_lowercase(),
                region: self.region.clone(),
            },
            fields: vec![("source", self.db_instance.to_ascii_lowercase().into())],
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        snapshot_permissions(
            &Self::DESCRIPTOR,
            rds_arn(scope, &self.region, "db", &self.db_instance),
            rds_arn(scope, &self.region, "snapshot", &self.snapshot),
            &self.tags,
        )
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        tagged_task(self, &Self::DESCRIPTOR, &self.tags)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!("DB snapshot {} in {}", self.snapshot, self.region))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbInstance {
            name: self.db_instance.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("DBSnapshotIdentifier", self.snapshot.clone())]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.snapshot.to_ascii_lowercase())
    }
}

/// rds CreateDBClusterSnapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDbClusterSnapshot {
    pub region: String,
    #[serde(rename = "DBClusterIdentifier")]
    pub db_cluster: String,
    #[serde(rename = "DBClusterSnapshotIdentifier")]
    pub snapshot: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Operation for CreateDbClusterSnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CreateDBClusterSnapshot",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbClusterSnapshot),
        "snapshot an Aurora DB cluster",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: Target::DbClusterSnapshot {
                name: self.snapshot.to_ascii_lowercase(),
                region: self.region.clone(),
            },
            fields: vec![("source", self.db_cluster.to_ascii_lowercase().into())],
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        snapshot_permissions(
            &Self::DESCRIPTOR,
            rds_arn(scope, &self.region, "cluster", &self.db_cluster),
            rds_arn(scope, &self.region, "cluster-snapshot", &self.snapshot),
            &self.tags,
        )
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        tagged_task(self, &Self::DESCRIPTOR, &self.tags)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "DB cluster snapshot {} in {}",
            self.snapshot, self.region
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbCluster {
            name: self.db_cluster.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("DBClusterSnapshotIdentifier", self.snapshot.clone())]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.snapshot.to_ascii_lowercase())
    }
}

/// rds CopyDBSnapshot, called in the destination region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyDbSnapshot {
    pub region: String,
    pub source_region: String,
    #[serde(rename = "SourceDBSnapshotIdentifier")]
    pub source_snapshot: String,
    #[serde(rename = "TargetDBSnapshotIdentifier")]
    pub target_snapshot: String,
}

impl Operation for CopyDbSnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CopyDBSnapshot",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbSnapshot),
        "copy a DB snapshot into another region",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: Target::DbSnapshot {
                name: self.target_snapshot.to_ascii_lowercase(),
                region: self.region.clone(),
            },
            fields: Vec::new(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let source = rds_arn(
            scope,
            &self.source_region,
            "snapshot",
            &self.source_snapshot,
        );
        let target = rds_arn(scope, &self.region, "snapshot", &self.target_snapshot);
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [source, target],
        )]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        // A cross-region copy names its source by ARN in the source region, as the live
        // backend sends it; the SDK's `SourceRegion` is not a parameter of the API.
        let mut p = fields_of(self, &[]);
        p.shift_remove("SourceRegion");
        let source = ctx.resolved_or(&self.source_snapshot);
        let source = if self.source_region == self.region {
            source.to_string()
        } else {
            ctx.rds_arn(&self.source_region, "snapshot", source)
        };
        p.insert("SourceDBSnapshotIdentifier".into(), source.into());
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "DB snapshot {} in {}",
            self.target_snapshot, self.region
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbSnapshot {
            name: self.source_snapshot.clone(),
            region: self.source_region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SourceRegion", self.source_region.clone()),
            ("TargetDBSnapshotIdentifier", self.target_snapshot.clone()),
        ]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.target_snapshot.to_ascii_lowercase())
    }
}

/// rds CopyDBClusterSnapshot, called in the destination region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyDbClusterSnapshot {
    pub region: String,
    pub source_region: String,
    #[serde(rename = "SourceDBClusterSnapshotIdentifier")]
    pub source_snapshot: String,
    #[serde(rename = "TargetDBClusterSnapshotIdentifier")]
    pub target_snapshot: String,
}

impl Operation for CopyDbClusterSnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CopyDBClusterSnapshot",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbClusterSnapshot),
        "copy an Aurora cluster snapshot into another region",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: Target::DbClusterSnapshot {
                name: self.target_snapshot.to_ascii_lowercase(),
                region: self.region.clone(),
            },
            fields: Vec::new(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let source = rds_arn(
            scope,
            &self.source_region,
            "cluster-snapshot",
            &self.source_snapshot,
        );
        let target = rds_arn(
            scope,
            &self.region,
            "cluster-snapshot",
            &self.target_snapshot,
        );
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [source, target],
        )]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        // A cross-region copy names its source by ARN in the source region, as the live
        // backend sends it; the SDK's `SourceRegion` is not a parameter of the API.
        let mut p = fields_of(self, &[]);
        p.shift_remove("SourceRegion");
        let source = ctx.resolved_or(&self.source_snapshot);
        let source = if self.source_region == self.region {
            source.to_string()
        } else {
            ctx.rds_arn(&self.source_region, "cluster-snapshot", source)
        };
        p.insert("SourceDBClusterSnapshotIdentifier".into(), source.into());
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "DB cluster snapshot {} in {}",
            self.target_snapshot, self.region
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbClusterSnapshot {
            name: self.source_snapshot.clone(),
            region: self.source_region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SourceRegion", self.source_region.clone()),
            (
                "TargetDBClusterSnapshotIdentifier",
                self.target_snapshot.clone(),
            ),
        ]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.target_snapshot.to_ascii_lowercase())
    }
}

/// rds RestoreDBInstanceFromDBSnapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestoreDbInstanceFromDbSnapshot {
    pub region: String,
    #[serde(rename = "DBSnapshotIdentifier")]
    pub snapshot: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
    #[serde(
        rename = "DBInstanceClass",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_class: Option<String>,
    #[serde(rename = "MultiAZ", default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
}

impl Operation for RestoreDbInstanceFromDbSnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "RestoreDBInstanceFromDBSnapshot",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbInstance),
        "restore a DB instance from a DB snapshot",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: Target::DbInstance {
                name: self.db_instance.to_ascii_lowercase(),
                region: self.region.clone(),
            },
            fields: Vec::new(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let arn = |resource: &str| scope.arn("rds", &self.region, resource);
        // The new instance gets the default option and subnet groups, which are resources of
        // the request too.
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [
                rds_arn(scope, &self.region, "db", &self.db_instance),
                rds_arn(scope, &self.region, "snapshot", &self.snapshot),
                arn("og:*"),
                arn("subgrp:*"),
            ],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "DB instance {} in {} (delete it with a final snapshot)",
            self.db_instance, self.region
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbSnapshot {
            name: self.snapshot.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        let mut args = vec![("DBInstanceIdentifier", self.db_instance.clone())];
        if let Some(class) = &self.instance_class {
            args.push(("DBInstanceClass", class.clone()));
        }
        if let Some(multi_az) = self.multi_az {
            args.push(("MultiAZ", multi_az.to_string()));
        }
        args
    }

    fn given_id(&self) -> Option<String> {
        Some(self.db_instance.to_ascii_lowercase())
    }
}

/// rds PromoteReadReplica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PromoteReadReplica {
    pub region: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
}

impl Operation for PromoteReadReplica {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "PromoteReadReplica",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "promote a read replica to a standalone DB instance",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: Target::DbInstance {
                name: self.db_instance.clone(),
                region: self.region.clone(),
            },
            fields: vec![("read_replica_source", serde_json::Value::Null)],
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [rds_arn(scope, &self.region, "db", &self.db_instance)],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        let found = before(&self.target());
        let source = found
            .as_ref()
            .and_then(|f| f.get("read_replica_source"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_string);
        let Some(source) = source else {
            return Inverse::Irreversible(format!(
                "{} in {} was no read replica before the run",
                self.db_instance, self.region
            ));
        };
        // The source is an id in the replica's region or an ARN naming its own region.
        let primary = match crate::arn::parse_rds(&source) {
            Some((region, id)) => crate::inverse::Named { name: id, region },
            None => crate::inverse::Named {
                name: source,
                region: self.region.clone(),
            },
        };
        let multi_az = before(&Target::DbInstance {
            name: primary.name.clone(),
            region: primary.region.clone(),
        })
        .is_some_and(|p| p.get("multi_az").and_then(serde_json::Value::as_bool) == Some(true));
        Inverse::Rebuild(crate::inverse::Rebuild::ReadReplica {
            primary,
            promoted: crate::inverse::Named {
                name: self.db_instance.clone(),
                region: self.region.clone(),
            },
            multi_az,
        })
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbInstance {
            name: self.db_instance.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// rds RemoveFromGlobalCluster: detach a secondary cluster, which becomes a standalone writer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveFromGlobalCluster {
    pub region: String,
    pub global_cluster: String,
    #[serde(rename = "DbClusterIdentifier")]
    pub db_cluster: String,
}

impl Operation for RemoveFromGlobalCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "RemoveFromGlobalCluster",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "detach a secondary Aurora cluster, which becomes a standalone writer",
    );

    fn effect(&self) -> Effect {
        Effect::Membership {
            global: self.global_cluster.clone(),
            cluster: self.db_cluster.clone(),
            member: false,
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [
                scope.global_cluster_arn(&self.global_cluster),
                rds_arn(scope, &self.region, "cluster", &self.db_cluster),
            ],
        )]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        // The API takes the member cluster by ARN (an identifier only works in the region the
        // request is sent to): built from the plan's account, as the live backend does.
        let mut p = fields_of(self, &[("GlobalCluster", "GlobalClusterIdentifier")]);
        let cluster = ctx.rds_arn(&self.region, "cluster", ctx.resolved_or(&self.db_cluster));
        p.insert("DbClusterIdentifier".into(), cluster.into());
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        let found = before(&Target::GlobalCluster {
            name: self.global_cluster.clone(),
        });
        let writer = found.as_ref().and_then(|found| {
            found
                .get("members")?
                .as_array()?
                .iter()
                .find(|m| m.get("writer").and_then(serde_json::Value::as_bool) == Some(true))
                .map(|m| crate::inverse::Named {
                    name: m
                        .get("cluster")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    region: m
                        .get("region")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                })
        });
        match writer {
            Some(writer) if !writer.name.eq_ignore_ascii_case(&self.db_cluster) => {
                Inverse::Rebuild(crate::inverse::Rebuild::GlobalDatabase {
                    global: self.global_cluster.clone(),
                    detached: crate::inverse::Named {
                        name: self.db_cluster.clone(),
                        region: self.region.clone(),
                    },
                    writer,
                    // A describe does not list a cluster's instances: Inverse::with_world.
                    instances: Vec::new(),
                })
            }
            _ => Inverse::Irreversible(format!(
                "{} in {} left global database {}, which had no other writer before the run to rebuild replication toward",
                self.db_cluster, self.region, self.global_cluster
            )),
        }
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbCluster {
            name: self.db_cluster.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("GlobalCluster", self.global_cluster.clone())]
    }
}

/// rds FailoverGlobalCluster: managed failover to a secondary (may lose data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailoverGlobalCluster {
    pub region: String,
    pub global_cluster: String,
    pub target_db_cluster: String,
    pub allow_data_loss: bool,
}

impl Operation for FailoverGlobalCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "FailoverGlobalCluster",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "make a secondary cluster the global database's writer (may lose data)",
    );

    fn effect(&self) -> Effect {
        Effect::Writer {
            global: self.global_cluster.clone(),
            cluster: self.target_db_cluster.clone(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        global_writer_move(
            &Self::DESCRIPTOR,
            scope,
            &self.region,
            &self.global_cluster,
            &self.target_db_cluster,
        )
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        global_writer_task(self, &Self::DESCRIPTOR, ctx)
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        writer_back(&self.global_cluster, &self.target_db_cluster, before)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::GlobalCluster {
            name: self.global_cluster.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![
            ("TargetDbCluster", self.target_db_cluster.clone()),
            ("AllowDataLoss", self.allow_data_loss.to_string()),
        ]
    }
}

/// rds SwitchoverGlobalCluster: planned, lossless switch of the writer region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SwitchoverGlobalCluster {
    pub region: String,
    pub global_cluster: String,
    pub target_db_cluster: String,
}

impl Operation for SwitchoverGlobalCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "SwitchoverGlobalCluster",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "switch the global database's writer region without data loss",
    );

    fn effect(&self) -> Effect {
        Effect::Writer {
            global: self.global_cluster.clone(),
            cluster: self.target_db_cluster.clone(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        global_writer_move(
            &Self::DESCRIPTOR,
            scope,
            &self.region,
            &self.global_cluster,
            &self.target_db_cluster,
        )
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        global_writer_task(self, &Self::DESCRIPTOR, ctx)
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        writer_back(&self.global_cluster, &self.target_db_cluster, before)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::GlobalCluster {
            name: self.global_cluster.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("TargetDbCluster", self.target_db_cluster.clone())]
    }
}

/// rds RebootDBInstance; with ForceFailover, the Multi-AZ failover test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RebootDbInstance {
    pub region: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
    pub force_failover: bool,
}

impl Operation for RebootDbInstance {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "RebootDBInstance",
        Idempotency::StateTransition,
        Guarantee::AtLeastOnce,
        Creates::Nothing,
        "reboot a DB instance, with ForceFailover its Multi-AZ failover",
    );

    fn effect(&self) -> Effect {
        Effect::Transient {
            target: Target::DbInstance {
                name: self.db_instance.clone(),
                region: self.region.clone(),
            },
            states: &["rebooting"],
            // A forced failover moves the primary to the other zone: that shows it happened
            // (and a second one would move it back).
            moves: self.force_failover.then_some("availability_zone"),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [rds_arn(scope, &self.region, "db", &self.db_instance)],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        // A forced failover moves the writer to the standby's zone; another moves it back.
        // A plain reboot leaves nothing to undo.
        Inverse::Calls(if self.force_failover {
            vec![self.clone().into()]
        } else {
            Vec::new()
        })
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::DbInstance {
            name: self.db_instance.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("ForceFailover", self.force_failover.to_string())]
    }
}

/// A snapshot of `source` (an instance or a cluster) named `snapshot`: the action on both,
/// and tagging the snapshot when the runbook tags it.
fn snapshot_permissions(
    descriptor: &Descriptor,
    source: String,
    snapshot: String,
    tags: &BTreeMap<String, String>,
) -> Vec<Permission> {
    let mut needs = vec![Permission::on(
        Action::of(descriptor),
        [source, snapshot.clone()],
    )];
    if !tags.is_empty() {
        needs.push(Permission::on(
            Action::new("rds", "AddTagsToResource"),
            [snapshot],
        ));
    }
    needs
}

/// The Step Functions task of an operation sent as its fields, with the runbook's tags.
fn tagged_task<T: Serialize>(
    op: &T,
    descriptor: &Descriptor,
    tags: &BTreeMap<String, String>,
) -> SfnTask {
    let mut p = fields_of(op, &[]);
    rds_tags(&mut p, tags);
    SfnTask::sdk(descriptor, p)
}

/// An RDS resource's ARN (`db`, `cluster`, `snapshot`, ...) from its identifier, which RDS
/// stores in lower case; an ARN passes.
/// The switchover that makes the writer of `global` before the run its writer again, after
/// a failover or switchover to `moved_to`; nothing when it was already the writer.
fn writer_back(global: &str, moved_to: &str, before: Before<'_>) -> Inverse {
    let found = before(&Target::GlobalCluster {
        name: global.to_string(),
    });
    let writer = found.as_ref().and_then(|found| {
        found
            .get("members")?
            .as_array()?
            .iter()
            .find(|m| m.get("writer").and_then(serde_json::Value::as_bool) == Some(true))
            .map(|m| {
                (
                    m.get("cluster")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    m.get("region")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                )
            })
    });
    match writer {
        Some((cluster, _)) if cluster.eq_ignore_ascii_case(moved_to) => Inverse::Calls(Vec::new()),
        // A switchover is sent to the region of the cluster that becomes the writer.
        Some((cluster, region)) => Inverse::Calls(vec![SwitchoverGlobalCluster {
            region,
            global_cluster: global.to_string(),
            target_db_cluster: cluster,
        }
        .into()]),
        None => Inverse::Irreversible(format!(
            "global database {global} had no writer before the run that a switchover could go back to"
        )),
    }
}

pub(super) fn rds_arn(scope: &Scope, region: &str, kind: &str, id: &str) -> String {
    if id.starts_with("arn:") {
        return id.to_string();
    }
    scope.arn(
        "rds",
        region,
        &format!("{kind}:{}", id.to_ascii_lowercase()),
    )
}

/// The Step Functions task of a move of a global database's writer (failover, switchover):
/// the target cluster as the ARN the dry-run resolved.
fn global_writer_task<T: Serialize>(op: &T, descriptor: &Descriptor, ctx: &SfnContext) -> SfnTask {
    let mut p = fields_of(
        op,
        &[
            ("GlobalCluster", "GlobalClusterIdentifier"),
            ("TargetDbCluster", "TargetDbClusterIdentifier"),
        ],
    );
    if let Some(arn) = ctx.resolved {
        p.insert("TargetDbClusterIdentifier".into(), arn.into());
    }
    SfnTask::sdk(descriptor, p)
}

/// A failover or switchover of a global database: the global cluster and the member that
/// becomes its writer, which the live backend looks up among the members.
fn global_writer_move(
    descriptor: &Descriptor,
    scope: &Scope,
    region: &str,
    global_cluster: &str,
    target: &str,
) -> Vec<Permission> {
    vec![
        Permission::on(
            Action::of(descriptor),
            [
                scope.global_cluster_arn(global_cluster),
                rds_arn(scope, region, "cluster", target),
            ],
        ),
        Permission::anywhere(Action::new("rds", "DescribeGlobalClusters")),
    ]
}
