//! DynamoDB operations: the replicas of a global table (version 2019.11.21).

use super::regional;
use crate::asl::task::{fields_of, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// dynamodb UpdateTable with `ReplicaUpdates`: adds a replica of a global table in another
/// region, or removes one. Sent to a region that holds the table; AWS takes one replica change
/// per request and per table at a time, and needs the table's stream on with
/// `NEW_AND_OLD_IMAGES` to add one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTable {
    pub region: String,
    pub table_name: String,
    pub replica_updates: Vec<ReplicaUpdate>,
}

/// One replica change of [`UpdateTable`], in the API's shape: `{"Create": {"RegionName": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaUpdate {
    Create(ReplicaRegion),
    Delete(ReplicaRegion),
}

/// The region of a replica change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaRegion {
    pub region_name: String,
}

impl ReplicaUpdate {
    /// The replica region the change is about.
    pub fn region(&self) -> &str {
        match self {
            ReplicaUpdate::Create(r) | ReplicaUpdate::Delete(r) => &r.region_name,
        }
    }

    /// Whether the change adds the replica (`Create`) rather than removing it.
    pub fn creates(&self) -> bool {
        matches!(self, ReplicaUpdate::Create(_))
    }

    /// `Create us-west-2`: how the change reads in a plan.
    pub fn label(&self) -> String {
        let verb = if self.creates() { "Create" } else { "Delete" };
        format!("{verb} {}", self.region())
    }
}

impl UpdateTable {
    /// A request of one replica change, the only kind AWS takes.
    pub fn replica(region: &str, table: &str, create: bool, replica_region: &str) -> UpdateTable {
        let r = ReplicaRegion {
            region_name: replica_region.to_string(),
        };
        UpdateTable {
            region: region.to_string(),
            table_name: table.to_string(),
            replica_updates: vec![if create {
                ReplicaUpdate::Create(r)
            } else {
                ReplicaUpdate::Delete(r)
            }],
        }
    }
}

impl Operation for UpdateTable {
    const DESCRIPTOR: Descriptor = regional(
        "dynamodb",
        "UpdateTable",
        Idempotency::StateTransition,
        Guarantee::ExactlyOnce,
        Creates::Nothing,
        "add or remove a replica region of a DynamoDB global table",
    );

    fn effect(&self) -> Effect {
        // One change per request (the simulation refuses more, as AWS does); an empty list
        // is refused too, so the first change is the request's effect.
        match self.replica_updates.first() {
            Some(update) => Effect::Replica {
                table: self.target(),
                replica_region: update.region().to_string(),
                present: update.creates(),
            },
            None => Effect::Unobservable {
                why: "an UpdateTable without replica changes changes nothing ripcord reads",
            },
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let table =
            |region: &str| scope.arn("dynamodb", region, &format!("table/{}", self.table_name));
        let mut permissions = vec![Permission::on(
            Action::of(&Self::DESCRIPTOR),
            [table(&self.region)],
        )];
        // Global tables, "Using IAM with global tables": the caller also needs the replica
        // actions on the table and, in the replica's region, the table and item actions
        // DynamoDB performs on its behalf, and the service-linked role for replication.
        for update in &self.replica_updates {
            let replica = table(update.region());
            let (replica_action, table_action) = if update.creates() {
                ("CreateTableReplica", "CreateTable")
            } else {
                ("DeleteTableReplica", "DeleteTable")
            };
            permissions.push(Permission::on(
                Action::new("dynamodb", replica_action),
                [table(&self.region), replica.clone()],
            ));
            permissions.push(Permission::on(
                Action::new("dynamodb", table_action),
                [replica.clone()],
            ));
            if update.creates() {
                for action in [
                    "DescribeTable",
                    "Scan",
                    "Query",
                    "GetItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                    "BatchWriteItem",
                ] {
                    permissions.push(Permission::on(
                        Action::new("dynamodb", action),
                        [replica.clone()],
                    ));
                }
                permissions.push(Permission::on(
                    Action::new("iam", "CreateServiceLinkedRole"),
                    [scope.global_arn(
                        "iam",
                        "role/aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication",
                    )],
                ));
            }
        }
        permissions
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        SfnTask::sdk(&Self::DESCRIPTOR, fields_of(self, &[]))
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        // A removed replica comes back by copying the table from the others; an added one
        // goes with its data, which the others hold too.
        Inverse::Calls(
            self.replica_updates
                .iter()
                .map(|update| {
                    UpdateTable::replica(
                        &self.region,
                        &self.table_name,
                        !update.creates(),
                        update.region(),
                    )
                    .into()
                })
                .collect(),
        )
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::Table {
            name: self.table_name.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![(
            "ReplicaUpdates",
            self.replica_updates
                .iter()
                .map(ReplicaUpdate::label)
                .collect::<Vec<_>>()
                .join(", "),
        )]
    }
}
