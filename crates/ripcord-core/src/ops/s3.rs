//! S3 operations: bucket replication.

use crate::asl::task::SfnTask;
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{Before, Inverse};
use crate::operation::{Control, Creates, Descriptor, Idempotency, Operation};
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// s3 PutBucketReplication with one rule (the source document's rule shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutBucketReplication {
    pub bucket: String,
    pub role: String,
    pub rule: ReplicationRule,
}

impl Operation for PutBucketReplication {
    const DESCRIPTOR: Descriptor = Descriptor {
        service: "s3",
        name: "PutBucketReplication",
        mutates: true,
        idempotency: Idempotency::Natural,
        guarantee: Guarantee::ExactlyOnce,
        creates: Creates::Nothing,
        control: Control::Regional,
        summary: "replace a bucket's replication configuration with one rule",
    };

    fn effect(&self) -> Effect {
        Effect::Describes {
            target: self.target(),
            fields: vec![(
                "replication",
                serde_json::json!({
                    "role": self.role,
                    "rules": [{
                        "id": self.rule.id,
                        "status": "Enabled",
                        "priority": self.rule.priority,
                        "destination_bucket": self.rule.destination_bucket,
                        "delete_marker_replication": self.rule.delete_marker_replication,
                        "replication_time_minutes": self.rule.replication_time_minutes,
                    }],
                }),
            )],
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        vec![
            // S3 authorizes PutBucketReplication as PutReplicationConfiguration.
            Permission::on(
                Action::new("s3", "PutReplicationConfiguration"),
                [scope.global_arn("s3", &self.bucket)],
            ),
            // The configuration hands S3 a role to replicate with.
            Permission::on(Action::new("iam", "PassRole"), [scope.role_arn(&self.role)]),
            // The request goes to the bucket's region.
            Permission::anywhere(Action::new("s3", "GetBucketLocation")),
        ]
    }

    fn step_functions(&self, _ctx: &SfnContext) -> SfnTask {
        // The API's nested shape: one rule replicating everything into the destination's ARN.
        let rule = &self.rule;
        let mut destination =
            serde_json::json!({ "Bucket": format!("arn:aws:s3:::{}", rule.destination_bucket) });
        if let Some(minutes) = rule.replication_time_minutes {
            destination["ReplicationTime"] =
                serde_json::json!({ "Status": "Enabled", "Time": { "Minutes": minutes } });
            destination["Metrics"] = serde_json::json!({ "Status": "Enabled", "EventThreshold": { "Minutes": minutes } });
        }
        let marker = if rule.delete_marker_replication {
            "Enabled"
        } else {
            "Disabled"
        };
        let mut p = serde_json::Map::new();
        p.insert("Bucket".into(), self.bucket.clone().into());
        p.insert(
            "ReplicationConfiguration".into(),
            serde_json::json!({
                "Role": self.role,
                "Rules": [{
                    "ID": rule.id,
                    "Priority": rule.priority,
                    "Status": "Enabled",
                    "Filter": {},
                    "DeleteMarkerReplication": { "Status": marker },
                    "Destination": destination,
                }],
            }),
        );
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        let had = before(&self.target())
            .and_then(|found| found.get("replication").cloned())
            .filter(|r| !r.is_null());
        Inverse::Irreversible(match had {
            None => format!(
                "bucket {} replicated nothing before: ripcord sends no DeleteBucketReplication; remove the configuration by hand if it is not wanted",
                self.bucket
            ),
            Some(_) => format!(
                "bucket {} had another replication configuration before: restore it by hand (ripcord writes one rule per request)",
                self.bucket
            ),
        })
    }

    fn region(&self) -> Option<&str> {
        None
    }

    fn target(&self) -> Target {
        Target::Bucket {
            name: self.bucket.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        let mut args = vec![("DestinationBucket", self.rule.destination_bucket.clone())];
        if let Some(minutes) = self.rule.replication_time_minutes {
            args.push(("ReplicationTimeMinutes", minutes.to_string()));
        }
        args
    }
}

/// One S3 replication rule (the source document's: RTC 15 minutes, delete markers, metrics).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationRule {
    #[serde(rename = "ID")]
    pub id: String,
    pub priority: i64,
    /// Destination bucket name (the API takes its ARN; the backend builds it).
    pub destination_bucket: String,
    pub delete_marker_replication: bool,
    /// Replication Time Control, in minutes (AWS accepts only 15); `None` disables RTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_time_minutes: Option<i64>,
}
