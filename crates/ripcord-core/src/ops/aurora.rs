//! Aurora global databases, made and unmade: what re-establishing replication after a
//! failover takes (a new global database from the promoted cluster, the stale former primary
//! out of the way, a new secondary cluster where it was).

use super::rds::rds_arn;
use super::regional;
use crate::asl::task::{fields_of, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::{ResourceKind, Target};
use serde::{Deserialize, Serialize};

/// rds CreateGlobalCluster from an existing cluster, which becomes its writer (sent to that
/// cluster's region; the live backend passes the cluster's ARN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGlobalCluster {
    pub region: String,
    pub global_cluster_identifier: String,
    #[serde(rename = "SourceDBClusterIdentifier")]
    pub source_db_cluster: String,
}

impl Operation for CreateGlobalCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CreateGlobalCluster",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::GlobalCluster),
        "make a global database whose writer is an existing cluster",
    );

    fn effect(&self) -> Effect {
        Effect::Membership {
            global: self.global_cluster_identifier.clone(),
            cluster: self.source_db_cluster.clone(),
            member: true,
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [
                scope.global_cluster_arn(&self.global_cluster_identifier),
                rds_arn(scope, &self.region, "cluster", &self.source_db_cluster),
            ],
        )]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        let source = ctx.rds_arn(
            &self.region,
            "cluster",
            ctx.resolved_or(&self.source_db_cluster),
        );
        p.insert("SourceDBClusterIdentifier".into(), source.into());
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::Irreversible(format!(
            "global database {} stays; to remove it, detach {} (promote) and delete it (delete_global)",
            self.global_cluster_identifier, self.source_db_cluster
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::GlobalCluster {
            name: self.global_cluster_identifier.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("SourceDBClusterIdentifier", self.source_db_cluster.clone())]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.global_cluster_identifier.to_ascii_lowercase())
    }
}

/// rds DeleteGlobalCluster of a global database without members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteGlobalCluster {
    pub region: String,
    pub global_cluster_identifier: String,
}

impl Operation for DeleteGlobalCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "DeleteGlobalCluster",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "delete a global database that has no member left",
    );

    fn effect(&self) -> Effect {
        Effect::Gone {
            target: self.target(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [scope.global_cluster_arn(&self.global_cluster_identifier)],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::Irreversible(format!(
            "global database {} is gone; a new one is made from a cluster (create_global)",
            self.global_cluster_identifier
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::GlobalCluster {
            name: self.global_cluster_identifier.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// rds DeleteDBCluster, always with a final snapshot (ripcord never skips it): the stale
/// former primary out of the way of the secondary that takes its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDbCluster {
    pub region: String,
    #[serde(rename = "DBClusterIdentifier")]
    pub db_cluster: String,
    #[serde(rename = "FinalDBSnapshotIdentifier")]
    pub final_snapshot: String,
}

impl Operation for DeleteDbCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "DeleteDBCluster",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "delete a DB cluster, after a final snapshot",
    );

    fn effect(&self) -> Effect {
        Effect::Gone {
            target: self.target(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![
            Permission::on(
                Action::of(&Self::DESCRIPTOR),
                [rds_arn(scope, &self.region, "cluster", &self.db_cluster)],
            ),
            // The final snapshot is authorized as a snapshot of its own.
            Permission::on(
                Action::new("rds", "CreateDBClusterSnapshot"),
                [
                    rds_arn(scope, &self.region, "cluster", &self.db_cluster),
                    rds_arn(
                        scope,
                        &self.region,
                        "cluster-snapshot",
                        &self.final_snapshot,
                    ),
                ],
            ),
        ]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::Irreversible(format!(
            "DB cluster {} is gone; its data is in the final snapshot {}, from which it can be restored by hand",
            self.db_cluster, self.final_snapshot
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
        vec![("FinalDBSnapshotIdentifier", self.final_snapshot.clone())]
    }
}

/// rds CreateDBCluster as a secondary of a global database (sent to its region; it replicates
/// from the global database's writer). Created without instances: a headless secondary
/// replicates; readers are added separately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDbCluster {
    pub region: String,
    #[serde(rename = "DBClusterIdentifier")]
    pub db_cluster: String,
    pub global_cluster_identifier: String,
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
}

impl Operation for CreateDbCluster {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CreateDBCluster",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbCluster),
        "create a secondary cluster of a global database in another region",
    );

    fn effect(&self) -> Effect {
        Effect::Membership {
            global: self.global_cluster_identifier.clone(),
            cluster: self.db_cluster.clone(),
            member: true,
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [
                rds_arn(scope, &self.region, "cluster", &self.db_cluster),
                scope.global_cluster_arn(&self.global_cluster_identifier),
            ],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "DB cluster {} in {} (detach it and delete it with a final snapshot)",
            self.db_cluster, self.region
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
        vec![
            (
                "GlobalClusterIdentifier",
                self.global_cluster_identifier.clone(),
            ),
            ("Engine", self.engine.clone()),
        ]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.db_cluster.to_ascii_lowercase())
    }
}

/// rds CreateDBInstance of an Aurora cluster's instance (the cluster holds the data: no
/// storage, no credentials): the writer or reader a new secondary needs before it can take
/// over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDbInstance {
    pub region: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
    #[serde(rename = "DBClusterIdentifier")]
    pub db_cluster: String,
    pub engine: String,
    #[serde(rename = "DBInstanceClass")]
    pub instance_class: String,
}

impl Operation for CreateDbInstance {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CreateDBInstance",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbInstance),
        "add an instance to an Aurora DB cluster",
    );

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: self.target(),
            fields: Vec::new(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [
                rds_arn(scope, &self.region, "db", &self.db_instance),
                rds_arn(scope, &self.region, "cluster", &self.db_cluster),
            ],
        )]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "DB instance {} of cluster {} in {} (delete_instance it if it is not wanted)",
            self.db_instance, self.db_cluster, self.region
        ))
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
        vec![
            ("DBClusterIdentifier", self.db_cluster.clone()),
            ("DBInstanceClass", self.instance_class.clone()),
        ]
    }

    fn given_id(&self) -> Option<String> {
        Some(self.db_instance.to_ascii_lowercase())
    }
}
