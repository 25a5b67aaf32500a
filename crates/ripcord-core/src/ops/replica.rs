//! RDS instances made and unmade: a read replica back toward the former primary, and a stale
//! instance out of the way (re-establishing replication after a pilot-light failover).

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

/// rds DeleteDBInstance: with a final snapshot, except for a read replica or an Aurora
/// cluster's instance (whose data is the source's or the cluster's: AWS takes no final
/// snapshot of either).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDbInstance {
    pub region: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
    #[serde(
        rename = "FinalDBSnapshotIdentifier",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub final_snapshot: Option<String>,
}

impl Operation for DeleteDbInstance {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "DeleteDBInstance",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "delete a DB instance, after a final snapshot unless it is a replica or an Aurora cluster's",
    );

    fn effect(&self) -> Effect {
        Effect::Gone {
            target: self.target(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let db = rds_arn(scope, &self.region, "db", &self.db_instance);
        let mut needs = vec![Permission::on(Action::of(&Self::DESCRIPTOR), [db.clone()])];
        if let Some(snapshot) = &self.final_snapshot {
            // The final snapshot is authorized as a snapshot of its own.
            needs.push(Permission::on(
                Action::new("rds", "CreateDBSnapshot"),
                [db, rds_arn(scope, &self.region, "snapshot", snapshot)],
            ));
        }
        needs
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        p.insert(
            "SkipFinalSnapshot".into(),
            self.final_snapshot.is_none().into(),
        );
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::Irreversible(match &self.final_snapshot {
            Some(snapshot) => format!(
                "DB instance {} is gone; its data is in the final snapshot {snapshot}, from which it can be restored (restore_db)",
                self.db_instance
            ),
            None => format!(
                "DB instance {} (a replica or an Aurora cluster's) is gone; create it again by hand (create_replica) if it is wanted",
                self.db_instance
            ),
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
        self.final_snapshot
            .iter()
            .map(|s| ("FinalDBSnapshotIdentifier", s.clone()))
            .collect()
    }
}

/// rds CreateDBInstanceReadReplica: a read replica of an instance, in this region or
/// another (the live backend passes a source in another region by its ARN, with its region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDbInstanceReadReplica {
    pub region: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance: String,
    #[serde(rename = "SourceDBInstanceIdentifier")]
    pub source_db_instance: String,
    pub source_region: String,
    #[serde(rename = "MultiAZ", default)]
    pub multi_az: bool,
    #[serde(
        rename = "DBInstanceClass",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_class: Option<String>,
}

impl Operation for CreateDbInstanceReadReplica {
    const DESCRIPTOR: Descriptor = regional(
        "rds",
        "CreateDBInstanceReadReplica",
        Idempotency::UniqueName,
        Guarantee::ExactlyOnce,
        Creates::GivenId(ResourceKind::DbInstance),
        "create a read replica of a DB instance, across regions too",
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
                rds_arn(scope, &self.source_region, "db", &self.source_db_instance),
            ],
        )]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        p.shift_remove("SourceRegion");
        let source = ctx.rds_arn(&self.source_region, "db", &self.source_db_instance);
        p.insert("SourceDBInstanceIdentifier".into(), source.into());
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "read replica {} in {} (delete it with delete_instance if it is not wanted)",
            self.db_instance, self.region
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
        let mut args = vec![
            (
                "SourceDBInstanceIdentifier",
                format!("{} ({})", self.source_db_instance, self.source_region),
            ),
            ("MultiAZ", self.multi_az.to_string()),
        ];
        if let Some(class) = &self.instance_class {
            args.push(("DBInstanceClass", class.clone()));
        }
        args
    }

    fn given_id(&self) -> Option<String> {
        Some(self.db_instance.to_ascii_lowercase())
    }
}
