//! Inventory shapes for DynamoDB: tables and the replicas of global tables (version 3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A DynamoDB table in one region. A global table (version 2019.11.21) is a table of the same
/// name in each of its replica regions, each listing the others in `replicas`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamoTable {
    pub name: String,
    /// `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`.
    #[serde(default = "active")]
    pub status: String,
    /// The stream's view type (`NEW_AND_OLD_IMAGES`, ...); absent when streams are off.
    /// Adding a replica needs `NEW_AND_OLD_IMAGES`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_view_type: Option<String>,
    /// The other regions that hold a replica of this global table, with their status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<TableReplica>,
}

/// A replica of a global table in another region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableReplica {
    pub region: String,
    /// `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`, ...
    #[serde(default = "active")]
    pub status: String,
}

fn active() -> String {
    "ACTIVE".to_string()
}
