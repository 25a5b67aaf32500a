//! Inventory shapes for EC2, Auto Scaling and ECS: groups, services, EBS volumes and snapshots.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoScalingGroup {
    pub name: String,
    pub min_size: i64,
    pub max_size: i64,
    pub desired_capacity: i64,
    /// Capacity InService now, in the units of `desired_capacity`: instances, or the sum of
    /// their weights in a group with instance weights. Defaults to `desired_capacity` (settled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_service: Option<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// An ECS service (version 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcsService {
    /// The cluster's name.
    pub cluster: String,
    /// The service's name.
    pub name: String,
    pub desired_count: i64,
    /// Tasks running now. Defaults to `desired_count` (steady).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_count: Option<i64>,
    /// The task definition family (seeding needs one; the simulation does not read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
}

/// An EBS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// `vol-...`
    pub id: String,
    /// The Name tag, by which runbooks usually address it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub size_gib: i64,
    pub availability_zone: String,
    /// `available`, `in-use`, `creating`, ...
    #[serde(default = "in_use")]
    pub state: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

fn in_use() -> String {
    "in-use".to_string()
}

/// An EBS snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsSnapshot {
    /// `snap-...`
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub volume_id: String,
    pub size_gib: i64,
    /// `pending`, `completed`, `error`.
    #[serde(default = "completed")]
    pub state: String,
    #[schemars(with = "super::schema::TimestampSchema")]
    pub start_time: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

fn completed() -> String {
    "completed".to_string()
}
