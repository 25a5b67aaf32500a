//! Inventory shapes for S3 buckets (with replication) and SNS topics.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An S3 bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// Replication requires versioning on both buckets.
    #[serde(default)]
    pub versioning: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication: Option<Replication>,
}

/// A bucket's replication configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    pub role: String,
    pub rules: Vec<ReplicationRule>,
}

/// One replication rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplicationRule {
    pub id: String,
    /// `Enabled` or `Disabled`.
    pub status: String,
    #[serde(default)]
    pub priority: i64,
    pub destination_bucket: String,
    #[serde(default)]
    pub delete_marker_replication: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_time_minutes: Option<i64>,
}

/// An SNS topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub name: String,
}
