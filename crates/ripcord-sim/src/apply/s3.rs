//! S3: PutBucketReplication, and the GetBucketReplication readiness check.

use super::{Apply, Cx};
use crate::backend::SimBackend;
use crate::errors::Op;
use crate::render::{diff, replication};
use ripcord_core::inventory::{Replication, ReplicationRule as StoredRule};
use ripcord_core::ops;
use ripcord_core::{BackendError, CheckSpec, Outcome, ReplicationRule};

/// Runbooks name buckets; S3 configurations hold ARNs. Either works here.
fn bucket_name(name: &str) -> &str {
    name.strip_prefix("arn:aws:s3:::")
        .or_else(|| name.strip_prefix("arn:aws-cn:s3:::"))
        .or_else(|| name.strip_prefix("arn:aws-us-gov:s3:::"))
        .unwrap_or(name)
}

fn put_bucket_replication(
    sim: &mut SimBackend,
    cx: Cx,
    bucket: &str,
    role: &str,
    rule: &ReplicationRule,
) -> Result<Outcome, BackendError> {
    let source = sim.world.bucket(cx.op, bucket)?;
    let source_bucket = sim.world.buckets.at(source);
    if !source_bucket.versioning {
        return Err(cx
            .op
            .rejected("InvalidRequest", "Versioning must be 'Enabled' on the bucket")
            .with_help(format!(
                "enable versioning on {bucket} before replication (it cannot be done from a runbook)"
            )));
    }
    if !role.starts_with("arn:") || !role.contains(":role/") {
        return Err(cx
            .op
            .rejected(
                "InvalidArgument",
                format!("Invalid ReplicationConfiguration Role: '{role}' is not an IAM role ARN"),
            )
            .with_help("role: \"arn:aws:iam::ACCOUNT:role/NAME\""));
    }
    if let Some(minutes) = rule.replication_time_minutes.filter(|m| *m != 15) {
        return Err(cx
            .op
            .rejected(
                "InvalidArgument",
                format!("Invalid ReplicationTime Minutes value: {minutes}"),
            )
            .with_help("Replication Time Control accepts only 15 minutes (rtc_minutes: 15), or leave it out"));
    }
    let destination = bucket_name(&rule.destination_bucket);
    if destination == source_bucket.name {
        return Err(cx
            .op
            .rejected(
                "InvalidRequest",
                "Destination bucket cannot be the same as the source bucket.",
            )
            .with_help("replicate into a bucket in the recovery region"));
    }
    let Some(dest) = sim.world.buckets.get(destination) else {
        let names: Vec<&str> = sim.world.buckets.iter().map(|b| b.name.as_str()).collect();
        return Err(cx
            .op
            .rejected("InvalidRequest", "Destination bucket must exist.")
            .with_help(crate::suggest::help_for(
                destination,
                &names,
                "S3 buckets",
                "",
            )));
    };
    if !dest.versioning {
        return Err(cx
            .op
            .rejected(
                "InvalidRequest",
                "Destination bucket must have versioning enabled.",
            )
            .with_help(format!("enable versioning on {destination} first")));
    }
    let config = Replication {
        role: role.to_string(),
        rules: vec![StoredRule {
            id: rule.id.clone(),
            status: "Enabled".to_string(),
            priority: rule.priority,
            destination_bucket: destination.to_string(),
            delete_marker_replication: rule.delete_marker_replication,
            replication_time_minutes: rule.replication_time_minutes,
        }],
    };
    let mut changes = Vec::new();
    let before = source_bucket.replication.as_ref();
    diff(
        &mut changes,
        "ReplicationConfiguration",
        before.map(replication),
        Some(replication(&config)),
    );
    diff(
        &mut changes,
        "Role",
        before.map(|r| r.role.clone()),
        Some(config.role.clone()),
    );
    sim.world.buckets.at_mut(source).replication = Some(config);
    Ok(Outcome {
        changes,
        ..Outcome::default()
    })
}

/// An enabled rule must replicate `bucket` into an existing bucket in `region`.
pub(crate) fn check_replication(
    sim: &SimBackend,
    op: Op,
    spec: &CheckSpec,
    bucket: &str,
    region: &str,
) -> Result<Outcome, BackendError> {
    let at = sim.world.bucket(op, bucket)?;
    let Some(config) = &sim.world.buckets.at(at).replication else {
        return Err(spec.unmet(None));
    };
    let mut found = Vec::new();
    for rule in &config.rules {
        let destination = bucket_name(&rule.destination_bucket);
        let dest = sim.world.buckets.get(destination);
        if rule.status == "Enabled" && dest.is_some_and(|d| d.region == region) {
            return Ok(Outcome::default());
        }
        let place = match dest {
            Some(d) => d.region.as_str(),
            None => "a bucket not in the inventory",
        };
        found.push(format!(
            "rule {} -> {destination} ({}, {place})",
            rule.id, rule.status
        ));
    }
    Err(spec.unmet(Some(&found)))
}

impl Apply for ops::PutBucketReplication {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        put_bucket_replication(sim, cx, &self.bucket, &self.role, &self.rule)
    }
}
