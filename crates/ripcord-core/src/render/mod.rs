//! The three renderings of a [`Plan`]: text for a terminal, Markdown for a pull-request comment
//! and JSON for tools.
//!
//! Every rendering is a pure function of the plan: no clock, no environment, no hash-map order,
//! so the same plan renders to the same bytes (the golden tests rely on it). The helpers below
//! are what the text and Markdown renderings share: how a step's operation, target, origin and
//! details read, and the RTO verdict.
//!
//! A note on `write!` into a `String`: `fmt::Write for String` never returns an error (it only
//! appends to memory), so the renderers ignore the `fmt::Result` with `let _ =`.

mod comparison;
mod json;
mod markdown;
mod text;

pub use comparison::{comparison_json, comparison_markdown, comparison_text};
pub use json::json;
pub use markdown::markdown;
pub use text::{steps_text, text, TextStyle};

use crate::duration::format_duration;
use crate::{CheckSpec, Origin, Plan, PlanCounts, PlanItem, Step, StepKind};

/// The last component of a path, for origins: `runbooks/ecommerce/failover.rhai` -> `failover.rhai`.
fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Where a step comes from: `failover.rhai:23`, or `warm_standby.rhai:12 via failover.rhai:30`.
fn origin_label(origin: &Origin) -> String {
    let mut label = format!("{}:{}", basename(&origin.file), origin.line);
    let mut via = origin.via.as_deref();
    while let Some(outer) = via {
        label.push_str(&format!(" via {}:{}", basename(&outer.file), outer.line));
        via = outer.via.as_deref();
    }
    label
}

/// The first 8 hex digits of a digest, enough to tell two runbook versions apart at a glance.
fn short_digest(sha256: &str) -> String {
    sha256.chars().take(8).collect()
}

/// `~1s`, `~1m 00s`: an estimate of a step or group.
fn estimate(secs: u64) -> String {
    format!("~{}", format_duration(secs))
}

/// The kind of a step as a word; steps of different kinds never collapse together.
fn kind_word(step: &Step) -> &'static str {
    match step.kind {
        StepKind::Call { .. } => "call",
        StepKind::Wait { .. } => "wait",
        StepKind::Check { .. } => "check",
        StepKind::Approval { .. } => "approval",
        StepKind::Note { .. } => "note",
    }
}

/// The service column: the AWS service, or `approval` / `note` for ripcord's own steps.
fn service_label(step: &Step) -> &str {
    match step.kind {
        StepKind::Approval { .. } => "approval",
        StepKind::Note { .. } => "note",
        _ => &step.service,
    }
}

/// The operation column: `UpdateAutoScalingGroup`, `wait DescribeDBClusters`,
/// `check GetBucketReplication`, the quoted approval message, or the note's text.
fn operation_label(step: &Step) -> String {
    match &step.kind {
        StepKind::Call { .. } => step.operation.clone(),
        StepKind::Wait { .. } => format!("wait {}", step.operation),
        StepKind::Check { .. } => format!("check {}", step.operation),
        StepKind::Approval { message } => format!("\"{message}\""),
        StepKind::Note { text } => text.clone(),
    }
}

/// The region column: the region a request goes to, `global` for Route 53 and S3 bucket
/// configuration, nothing for approvals and notes.
fn region_label(step: &Step) -> String {
    match (&step.region, &step.kind) {
        (Some(region), _) => region.clone(),
        (None, StepKind::Approval { .. } | StepKind::Note { .. }) => String::new(),
        (None, _) => "global".to_string(),
    }
}

/// The target as the runbook named it (`dr-web-asg`, `www.example.com A (Primary)`).
fn target_name(step: &Step) -> String {
    step.target
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// The id the target resolved to, when it is a short id that says more than the name;
/// ARNs go to a detail line instead (see [`details`]).
fn resolved_id(step: &Step) -> Option<&str> {
    let target = step.target.as_ref()?;
    let id = step.resolved.as_deref()?;
    (!id.starts_with("arn:") && id != target.name() && id != target_name(step)).then_some(id)
}

/// The target column: the name the runbook used, with the id it resolved to
/// (`ECommerce-Primary-HealthCheck (id abcd-1234)`).
fn target_label(step: &Step) -> String {
    let name = target_name(step);
    match resolved_id(step) {
        Some(id) => format!("{name} (id {id})"),
        None => name,
    }
}

/// A step in one line, for comparisons: `autoscaling UpdateAutoScalingGroup dr-web-asg
/// (us-west-2)`, `rds wait DescribeDBClusters ...`, `approval "fail over?"`.
pub(crate) fn step_label(step: &Step) -> String {
    let mut label = format!("{} {}", service_label(step), operation_label(step));
    let target = target_name(step);
    if !target.is_empty() {
        label = format!("{label} {target}");
    }
    let region = region_label(step);
    if !region.is_empty() {
        label = format!("{label} ({region})");
    }
    label
}

/// Where a step comes from, as the plan shows it (`failover.rhai:47`).
pub(crate) fn step_origin(step: &Step) -> String {
    origin_label(&step.origin)
}

/// One line under a step: a key argument, a change, what the step creates, what a wait waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Detail {
    /// `Subject  DR Failover Completed`, `creates  snap-0123`.
    Value { label: String, value: String },
    /// `DesiredCapacity  2 -> 4`; `None` reads `(none)`.
    Change {
        label: String,
        before: Option<String>,
        after: Option<String>,
    },
}

impl Detail {
    fn value(label: &str, value: impl Into<String>) -> Detail {
        Detail::Value {
            label: label.to_string(),
            value: value.into(),
        }
    }

    fn label(&self) -> &str {
        match self {
            Detail::Value { label, .. } | Detail::Change { label, .. } => label,
        }
    }

    /// The detail on one line without styling: `MinSize 2 -> 4`, `Subject DR Failover Completed`.
    fn plain(&self) -> String {
        match self {
            Detail::Value { label, value } => format!("{label} {value}"),
            Detail::Change {
                label,
                before,
                after,
            } => format!(
                "{label} {} -> {}",
                before.as_deref().unwrap_or(NONE),
                after.as_deref().unwrap_or(NONE)
            ),
        }
    }
}

/// How an absent value reads in a change.
const NONE: &str = "(none)";

/// The lines a step shows under itself, in order: what a wait or check expects, the call's key
/// arguments that the changes do not already show, the changes, what it creates, the ARN it
/// resolved to.
fn details(step: &Step) -> Vec<Detail> {
    let mut lines = Vec::new();
    match &step.kind {
        StepKind::Wait { wait } => lines.push(Detail::value(
            "until",
            format!(
                "{} (timeout {})",
                wait.until.as_str(),
                format_duration(wait.timeout_secs)
            ),
        )),
        StepKind::Check { check } => match check {
            CheckSpec::BucketReplication { region, .. } => lines.push(Detail::value(
                "expects",
                format!("an enabled replication rule into a bucket in {region}"),
            )),
            CheckSpec::TableReplica { replica_region, .. } => lines.push(Detail::value(
                "expects",
                format!("an ACTIVE replica in {replica_region}"),
            )),
        },
        StepKind::Call { call } => {
            for (label, value) in call.key_arguments() {
                if !shown_by_changes(step, label, &value) {
                    lines.push(Detail::value(label, value));
                }
            }
        }
        StepKind::Approval { .. } | StepKind::Note { .. } => {}
    }
    lines.extend(step.changes.iter().map(|change| Detail::Change {
        label: change.field.clone(),
        before: change.before.clone(),
        after: change.after.clone(),
    }));
    // A created id that a change already shows (`SnapshotId (none) -> snap-...`) is not repeated.
    if let Some(created) = &step.creates {
        if !step
            .changes
            .iter()
            .any(|change| change.after.as_deref() == Some(created))
        {
            lines.push(Detail::value("creates", created.clone()));
        }
    }
    if let Some(arn) = step.resolved.as_deref().filter(|r| r.starts_with("arn:")) {
        lines.push(Detail::value("ARN", arn));
    }
    lines
}

/// True when a change already shows the argument: same attribute name, or (for names and ids,
/// not for flags and numbers) the same value on either side of the change.
fn shown_by_changes(step: &Step, label: &str, value: &str) -> bool {
    let identifier_like =
        !matches!(value, "true" | "false") && value.parse::<f64>().is_err() && !value.is_empty();
    step.changes.iter().any(|change| {
        change.field == label
            || (identifier_like
                && (change.before.as_deref() == Some(value)
                    || change.after.as_deref() == Some(value)))
    })
}

/// How the plan's total compares with the runbook's RTO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Within {
        rto: u64,
        spare: u64,
    },
    Exceeds {
        rto: u64,
        by: u64,
    },
    NoObjective,
    /// The run stops at a failure, so the runbook does not recover within any objective.
    Stopped {
        rto: Option<u64>,
    },
}

fn verdict(plan: &Plan) -> Verdict {
    let total = plan.total_secs;
    match (plan.failure.is_some(), plan.runbook.meta.rto_secs) {
        (true, rto) => Verdict::Stopped { rto },
        (false, None) => Verdict::NoObjective,
        (false, Some(rto)) if total <= rto => Verdict::Within {
            rto,
            spare: rto - total,
        },
        (false, Some(rto)) => Verdict::Exceeds {
            rto,
            by: total - rto,
        },
    }
}

/// `1 approval`, `2 approvals`.
fn count_of(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// `9 steps: 5 AWS calls, 2 waits, 1 check, 1 approval; 3 of them in 1 parallel group.`
/// followed, when it applies, by a sentence on what the estimate leaves out.
fn counts_sentences(plan: &Plan) -> Vec<String> {
    let PlanCounts {
        steps,
        calls,
        waits,
        checks,
        approvals,
        parallel_groups,
    } = plan.counts;
    if steps == 0 {
        return vec!["No steps.".to_string()];
    }
    let kinds: Vec<String> = [
        (calls, "AWS call", "AWS calls"),
        (waits, "wait", "waits"),
        (checks, "check", "checks"),
        (approvals, "approval", "approvals"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, singular, plural)| count_of(u64::from(n), singular, plural))
    .collect();
    let mut sentence = format!(
        "{}: {}",
        count_of(u64::from(steps), "step", "steps"),
        kinds.join(", ")
    );
    if parallel_groups > 0 {
        let in_groups = steps_in_groups(plan);
        let which = if u64::from(steps) == in_groups {
            "all of them".to_string()
        } else {
            format!("{in_groups} of them")
        };
        let groups = count_of(
            u64::from(parallel_groups),
            "parallel group",
            "parallel groups",
        );
        sentence.push_str(&format!("; {which} in {groups}"));
    }
    sentence.push('.');
    let mut sentences = vec![sentence];
    if approvals > 0 && approvals_excluded(plan) {
        sentences.push(
            if approvals == 1 {
                "The estimate excludes time spent waiting for the approval."
            } else {
                "The estimate excludes time spent waiting for the approvals."
            }
            .to_string(),
        );
    }
    sentences
}

/// Steps (notes aside) inside parallel groups.
fn steps_in_groups(plan: &Plan) -> u64 {
    plan.items
        .iter()
        .filter_map(|item| match item {
            PlanItem::Parallel(group) => Some(group),
            PlanItem::Step(_) => None,
        })
        .flat_map(|group| group.branches.iter().flatten())
        .filter(|step| !matches!(step.kind, StepKind::Note { .. }))
        .count() as u64
}

/// True when no approval carries a duration: the dry-run counts none for the human.
fn approvals_excluded(plan: &Plan) -> bool {
    plan.steps()
        .filter(|step| matches!(step.kind, StepKind::Approval { .. }))
        .all(|step| step.duration_secs == 0)
}

/// The duration of one branch of a parallel group: from the group's start to its last step's end.
fn branch_secs(group_at: u64, branch: &[Step]) -> u64 {
    branch
        .iter()
        .map(|step| step.at_secs.saturating_add(step.duration_secs))
        .max()
        .unwrap_or(group_at)
        .saturating_sub(group_at)
}

/// Number of warnings over every step.
fn warning_count(plan: &Plan) -> usize {
    plan.warning_count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops;
    use crate::{AliasTarget, Call, RecordSet, ReplicationRule};
    use std::collections::BTreeMap;

    /// Every key argument's label is a parameter name of the call's JSON (nested record-set and
    /// replication-rule fields aside), so text, Markdown and JSON name things alike.
    #[test]
    fn key_argument_labels_are_json_parameter_names() {
        let region = "us-west-2".to_string();
        let calls = vec![
            Call::CreateSnapshot(ops::CreateSnapshot {
                region: region.clone(),
                volume: "web".into(),
                description: "d".into(),
                tags: BTreeMap::new(),
            }),
            Call::PromoteReadReplica(ops::PromoteReadReplica {
                region: region.clone(),
                db_instance: "replica".into(),
            }),
            Call::CopySnapshot(ops::CopySnapshot {
                region: region.clone(),
                source_region: "us-east-1".into(),
                source_snapshot: "snap-1".into(),
                description: "d".into(),
                tags: BTreeMap::new(),
            }),
            Call::CreateVolume(ops::CreateVolume {
                region: region.clone(),
                snapshot: "snap-1".into(),
                availability_zone: "us-west-2a".into(),
                tags: BTreeMap::new(),
            }),
            Call::CreateDbSnapshot(ops::CreateDbSnapshot {
                region: region.clone(),
                db_instance: "db".into(),
                snapshot: "s".into(),
                tags: BTreeMap::new(),
            }),
            Call::CreateDbClusterSnapshot(ops::CreateDbClusterSnapshot {
                region: region.clone(),
                db_cluster: "c".into(),
                snapshot: "s".into(),
                tags: BTreeMap::new(),
            }),
            Call::CopyDbSnapshot(ops::CopyDbSnapshot {
                region: region.clone(),
                source_region: "us-east-1".into(),
                source_snapshot: "a".into(),
                target_snapshot: "b".into(),
            }),
            Call::CopyDbClusterSnapshot(ops::CopyDbClusterSnapshot {
                region: region.clone(),
                source_region: "us-east-1".into(),
                source_snapshot: "a".into(),
                target_snapshot: "b".into(),
            }),
            Call::RestoreDbInstanceFromDbSnapshot(ops::RestoreDbInstanceFromDbSnapshot {
                region: region.clone(),
                snapshot: "s".into(),
                db_instance: "db".into(),
                instance_class: Some("db.r6g.large".into()),
                multi_az: Some(true),
            }),
            Call::RemoveFromGlobalCluster(ops::RemoveFromGlobalCluster {
                region: region.clone(),
                global_cluster: "g".into(),
                db_cluster: "c".into(),
            }),
            Call::FailoverGlobalCluster(ops::FailoverGlobalCluster {
                region: region.clone(),
                global_cluster: "g".into(),
                target_db_cluster: "c".into(),
                allow_data_loss: true,
            }),
            Call::SwitchoverGlobalCluster(ops::SwitchoverGlobalCluster {
                region: region.clone(),
                global_cluster: "g".into(),
                target_db_cluster: "c".into(),
            }),
            Call::RebootDbInstance(ops::RebootDbInstance {
                region: region.clone(),
                db_instance: "db".into(),
                force_failover: true,
            }),
            Call::CreateGlobalCluster(ops::CreateGlobalCluster {
                region: region.clone(),
                global_cluster_identifier: "g".into(),
                source_db_cluster: "c".into(),
            }),
            Call::DeleteGlobalCluster(ops::DeleteGlobalCluster {
                region: region.clone(),
                global_cluster_identifier: "g".into(),
            }),
            Call::DeleteDbCluster(ops::DeleteDbCluster {
                region: region.clone(),
                db_cluster: "c".into(),
                final_snapshot: "c-final".into(),
            }),
            Call::CreateDbInstance(ops::CreateDbInstance {
                region: region.clone(),
                db_instance: "db".into(),
                db_cluster: "c".into(),
                engine: "aurora-mysql".into(),
                instance_class: "db.r6g.large".into(),
            }),
            Call::DeleteDbInstance(ops::DeleteDbInstance {
                region: region.clone(),
                db_instance: "db".into(),
                final_snapshot: Some("db-final".into()),
            }),
            Call::CreateDbInstanceReadReplica(ops::CreateDbInstanceReadReplica {
                region: region.clone(),
                db_instance: "db".into(),
                source_db_instance: "src".into(),
                source_region: "us-west-2".into(),
                multi_az: true,
                instance_class: None,
            }),
            Call::CreateDbCluster(ops::CreateDbCluster {
                region: region.clone(),
                db_cluster: "c".into(),
                global_cluster_identifier: "g".into(),
                engine: "aurora-mysql".into(),
                engine_version: None,
            }),
            Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
                region: region.clone(),
                auto_scaling_group_name: "asg".into(),
                min_size: Some(1),
                max_size: Some(2),
                desired_capacity: Some(1),
            }),
            Call::UpdateService(ops::UpdateService {
                region: region.clone(),
                cluster: "c".into(),
                service: "s".into(),
                desired_count: 2,
            }),
            Call::UpdateTable(ops::UpdateTable::replica(&region, "t", true, "eu-west-1")),
            Call::UpdateHealthCheck(ops::UpdateHealthCheck {
                health_check: "hc".into(),
                disabled: Some(true),
                inverted: Some(true),
            }),
            Call::Publish(ops::Publish {
                region,
                topic: "t".into(),
                subject: "s".into(),
                message: "m".into(),
            }),
        ];
        // Every operation is checked here (the two with nested arguments below).
        let mut covered: Vec<&str> = calls.iter().map(Call::operation).collect();
        covered.extend(["ChangeResourceRecordSets", "PutBucketReplication"]);
        covered.sort_unstable();
        let mut all: Vec<&str> = Call::DESCRIPTORS.iter().map(|d| d.name).collect();
        all.sort_unstable();
        assert_eq!(covered, all, "add a call of every operation to this test");
        for call in calls {
            let json = call.arguments();
            for (label, _) in call.key_arguments() {
                assert!(
                    json.contains_key(label),
                    "{label} is not an argument of {}: {json:?}",
                    call.operation()
                );
            }
        }

        let record = Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets::one(
            "example.com",
            "UPSERT",
            RecordSet {
                name: "www.example.com".into(),
                rtype: "A".into(),
                ttl: Some(60),
                failover: Some("PRIMARY".into()),
                alias_target: Some(AliasTarget {
                    hosted_zone_id: "Z1".into(),
                    dns_name: "lb.example.com".into(),
                    evaluate_target_health: true,
                }),
                health_check: Some("hc".into()),
                ..RecordSet::default()
            },
        ));
        // One change's key arguments are its action and record set's settings.
        let change = record
            .arguments()
            .get("Changes")
            .and_then(|v| v.get(0))
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default();
        let set = change
            .get("RecordSet")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default();
        for (label, _) in record.key_arguments() {
            assert!(
                change.contains_key(label) || set.contains_key(label),
                "{label}: {change:?}"
            );
        }

        let replication = Call::PutBucketReplication(ops::PutBucketReplication {
            bucket: "b".into(),
            role: "r".into(),
            rule: ReplicationRule {
                id: "r1".into(),
                priority: 1,
                destination_bucket: "b2".into(),
                delete_marker_replication: true,
                replication_time_minutes: Some(15),
            },
        });
        let rule = replication
            .arguments()
            .get("Rule")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default();
        let labels: Vec<&str> = replication
            .key_arguments()
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert_eq!(labels, ["DestinationBucket", "ReplicationTimeMinutes"]);
        for label in labels {
            assert!(rule.contains_key(label), "{label}: {rule:?}");
        }
    }

    #[test]
    fn origins_name_the_file_and_the_calling_line() {
        let origin = Origin {
            file: "stdlib/warm_standby.rhai".into(),
            line: 12,
            column: 5,
            via: Some(Box::new(Origin {
                file: "runbooks/ecommerce/failover.rhai".into(),
                line: 30,
                column: 1,
                via: None,
            })),
        };
        assert_eq!(
            origin_label(&origin),
            "warm_standby.rhai:12 via failover.rhai:30"
        );
        assert_eq!(basename("a\\b\\c.rhai"), "c.rhai");
        assert_eq!(basename("c.rhai"), "c.rhai");
    }
}
