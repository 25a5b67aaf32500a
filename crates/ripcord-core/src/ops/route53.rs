//! Route 53 operations: record sets and health checks (control plane in us-east-1).

use crate::asl::task::{fields_of, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{flag, Before, Inverse};
use crate::operation::{Control, Creates, Descriptor, Idempotency, Operation};
use crate::target::{ResourceKind, Target};
use serde::{Deserialize, Serialize};

/// route53 ChangeResourceRecordSets: one change batch of one hosted zone, which Route 53
/// applies atomically (all its changes or none) and answers with one change id. `flip_dns`
/// makes a batch of one change, `flip_dns_batch` one of many. A batch above Route 53's limits
/// per request ([`ChangeResourceRecordSets::requests`]) goes out as several requests, each
/// atomic on its own.
///
/// In JSON the changes are a list, `"Changes": [{"Action": ..., "RecordSet": ...}]`; the shape
/// of one change before batches (`"Action"` and `"RecordSet"` beside `"HostedZone"`) is still
/// read, so older plans and journals load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", from = "ChangeBatchWire")]
pub struct ChangeResourceRecordSets {
    pub hosted_zone: String,
    pub changes: Vec<RecordChange>,
}

/// One change of a batch: its action (`UPSERT`, `CREATE` or `DELETE`) and the record set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordChange {
    pub action: String,
    pub record_set: RecordSet,
}

/// What `ChangeResourceRecordSets` is read from: the list, or the one change of older plans.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChangeBatchWire {
    hosted_zone: String,
    #[serde(default)]
    changes: Vec<RecordChange>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    record_set: Option<RecordSet>,
}

impl From<ChangeBatchWire> for ChangeResourceRecordSets {
    fn from(wire: ChangeBatchWire) -> Self {
        let mut changes = wire.changes;
        if let Some(record_set) = wire.record_set {
            changes.push(RecordChange {
                action: wire.action.unwrap_or_else(|| "UPSERT".to_string()),
                record_set,
            });
        }
        ChangeResourceRecordSets {
            hosted_zone: wire.hosted_zone,
            changes,
        }
    }
}

/// Route 53's limits on one ChangeResourceRecordSets request ("Maximums on API requests",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html>): at most
/// 1,000 `ResourceRecord` elements (the values of its record sets) ...
pub const MAX_RECORD_ELEMENTS: usize = 1_000;
/// ... and at most 32,000 characters in all `Value` elements. An UPSERT's elements and
/// characters count twice toward both ([`RecordChange::weight`]).
pub const MAX_VALUE_CHARS: usize = 32_000;
/// ripcord's own bound on the changes of one request, so that a batch of alias records (which
/// have no `ResourceRecord` element and so are not bounded by the limits above) stays a
/// request of a size AWS and its SDKs handle routinely.
pub const MAX_CHANGES: usize = 1_000;

impl RecordChange {
    /// How many times its elements and characters count toward a request's limits: twice for
    /// an UPSERT (AWS's quota page says so), once for a CREATE or DELETE.
    pub fn weight(&self) -> usize {
        if self.action.eq_ignore_ascii_case("UPSERT") {
            2
        } else {
            1
        }
    }

    /// Its `ResourceRecord` elements as counted toward [`MAX_RECORD_ELEMENTS`].
    pub fn record_elements(&self) -> usize {
        self.record_set.values.len() * self.weight()
    }

    /// The characters of its `Value` elements as counted toward [`MAX_VALUE_CHARS`].
    pub fn value_chars(&self) -> usize {
        let chars: usize = self
            .record_set
            .values
            .iter()
            .map(|v| v.chars().count())
            .sum();
        chars * self.weight()
    }

    /// `UPSERT www.example.com A`, with the set identifier when there is one: how a change is
    /// named in the plan's before -> after lines of a batch.
    pub fn label(&self) -> String {
        let record = &self.record_set;
        match &record.set_identifier {
            Some(set) => format!("{} {} ({set})", record.name, record.rtype),
            None => format!("{} {}", record.name, record.rtype),
        }
    }
}

/// Why one request of changes is over Route 53's limits, in the words of its
/// `InvalidChangeBatch` answer; `None` within them.
pub fn over_request_limits(changes: &[RecordChange]) -> Option<String> {
    let elements: usize = changes.iter().map(RecordChange::record_elements).sum();
    let chars: usize = changes.iter().map(RecordChange::value_chars).sum();
    if elements > MAX_RECORD_ELEMENTS {
        // Route 53's own message (moto answers the same).
        Some(format!(
            "Number of records limit of {MAX_RECORD_ELEMENTS} exceeded."
        ))
    } else if chars > MAX_VALUE_CHARS {
        Some(format!(
            "Number of characters limit of {MAX_VALUE_CHARS} exceeded ({chars} counted, an UPSERT's twice)."
        ))
    } else if changes.len() > MAX_CHANGES {
        Some(format!(
            "Number of changes limit of {MAX_CHANGES} exceeded."
        ))
    } else {
        None
    }
}

impl ChangeResourceRecordSets {
    /// A batch of one change (what `flip_dns` sends).
    pub fn one(hosted_zone: &str, action: &str, record_set: RecordSet) -> Self {
        ChangeResourceRecordSets {
            hosted_zone: hosted_zone.to_string(),
            changes: vec![RecordChange {
                action: action.to_string(),
                record_set,
            }],
        }
    }

    /// The requests the batch goes out as, in order: consecutive runs of its changes, each as
    /// large as Route 53's limits per request allow ([`MAX_RECORD_ELEMENTS`],
    /// [`MAX_VALUE_CHARS`], [`MAX_CHANGES`]). Both backends split here, so the plan says how
    /// many requests the live run sends. A change over the limits by itself gets a request of
    /// its own, which Route 53 rejects ([`over_request_limits`]; the simulation rejects it
    /// first). Never empty: an empty batch is one (rejected) request.
    pub fn requests(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let (mut start, mut elements, mut chars) = (0, 0, 0);
        for (i, change) in self.changes.iter().enumerate() {
            let (e, c) = (change.record_elements(), change.value_chars());
            let full = i - start >= MAX_CHANGES
                || elements + e > MAX_RECORD_ELEMENTS
                || chars + c > MAX_VALUE_CHARS;
            if i > start && full {
                out.push(start..i);
                (start, elements, chars) = (i, 0, 0);
            }
            elements += e;
            chars += c;
        }
        out.push(start..self.changes.len());
        out
    }
}

/// Counts of actions, `3 UPSERT` or `2 UPSERT, 1 DELETE`, in the order they first appear.
fn action_counts(changes: &[RecordChange]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for change in changes {
        let action = change.action.to_ascii_uppercase();
        match counts.iter_mut().find(|(a, _)| *a == action) {
            Some((_, n)) => *n += 1,
            None => counts.push((action, 1)),
        }
    }
    counts
        .iter()
        .map(|(action, n)| format!("{n} {action}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Operation for ChangeResourceRecordSets {
    const DESCRIPTOR: Descriptor = Descriptor {
        service: "route53",
        name: "ChangeResourceRecordSets",
        mutates: true,
        idempotency: Idempotency::Natural,
        guarantee: Guarantee::ExactlyOnce,
        creates: Creates::NewId(ResourceKind::DnsChange),
        control: Control::GlobalInUsEast1,
        summary: "UPSERT record sets of one zone in one batch (values or alias, failover role, health check)",
    };

    fn effect(&self) -> Effect {
        Effect::Resend {
            why: "an UPSERT of the same records leaves them as they are, so the whole batch (every record in it) is sent again, and its answer is the change id the runbook waits on",
        }
    }

    fn request_count(&self) -> usize {
        self.requests().len()
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let zone = format!("hostedzone/{}", scope.zone_id(&self.hosted_zone));
        let mut needs = vec![
            Permission::on(
                Action::of(&Self::DESCRIPTOR),
                [scope.global_arn("route53", &zone)],
            ),
            Permission::anywhere(Action::new("route53", "ListHostedZonesByName")),
        ];
        if looks_like_zone_id(&self.hosted_zone) {
            needs.push(Permission::anywhere(Action::new(
                "route53",
                "GetHostedZone",
            )));
        }
        if self
            .changes
            .iter()
            .any(|c| c.record_set.health_check.is_some())
        {
            // The records' health checks, named by their Name tags, are resolved to ids.
            needs.push(Permission::anywhere(Action::new(
                "route53",
                "ListHealthChecks",
            )));
            needs.push(Permission::anywhere(Action::new(
                "route53",
                "ListTagsForResources",
            )));
        }
        needs
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        // Route 53 takes the zone by id (resolved from its name in the plan) and record values
        // as `ResourceRecords`; a batch above one request's limits is one Task per request.
        let changes: Vec<serde_json::Value> = self
            .changes
            .iter()
            .map(|change| {
                let mut set = fields_of(&change.record_set, &[("HealthCheck", "HealthCheckId")]);
                if let Some(serde_json::Value::Array(values)) = set.shift_remove("Values") {
                    let records: Vec<_> = values
                        .into_iter()
                        .map(|value| serde_json::json!({ "Value": value }))
                        .collect();
                    set.insert("ResourceRecords".into(), records.into());
                }
                serde_json::json!({ "Action": change.action, "ResourceRecordSet": set })
            })
            .collect();
        let mut p = serde_json::Map::new();
        p.insert(
            "HostedZoneId".into(),
            ctx.resolved_or(&self.hosted_zone).into(),
        );
        p.insert(
            "ChangeBatch".into(),
            serde_json::json!({ "Changes": changes }),
        );
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    /// One Task per request of [`ChangeResourceRecordSets::requests`], as the live backend
    /// sends them: the batch's changes cut where Route 53's per-request limits cut them.
    fn step_functions_requests(&self, ctx: &SfnContext) -> Vec<SfnTask> {
        let whole = self.step_functions(ctx);
        let changes = match whole.parameters["ChangeBatch"]["Changes"].as_array() {
            Some(changes) => changes.clone(),
            None => return vec![whole],
        };
        self.requests()
            .into_iter()
            .map(|range| {
                let mut task = whole.clone();
                let part: Vec<serde_json::Value> = changes
                    .get(range)
                    .map(<[serde_json::Value]>::to_vec)
                    .unwrap_or_default();
                task.parameters
                    .insert("ChangeBatch".into(), serde_json::json!({ "Changes": part }));
                task
            })
            .collect()
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        let mut changes = Vec::new();
        for change in &self.changes {
            let record = &change.record_set;
            let target = Target::Record {
                zone: self.hosted_zone.clone(),
                name: record.name.clone(),
                rtype: record.rtype.clone(),
                set_id: record.set_identifier.clone(),
            };
            let Some(found) = before(&target) else {
                return Inverse::Irreversible(format!(
                    "record set {} did not exist before the run: ripcord sends no DELETE of a record set; delete it by hand if it is not wanted",
                    change.label()
                ));
            };
            match serde_json::from_value::<crate::inventory::RecordSet>(found) {
                Ok(was) => changes.push(RecordChange {
                    action: "UPSERT".to_string(),
                    record_set: RecordSet::from_inventory(was),
                }),
                Err(err) => {
                    return Inverse::Irreversible(format!(
                        "record set {} before the run cannot be read: {err}",
                        change.label()
                    ))
                }
            }
        }
        Inverse::Calls(vec![ChangeResourceRecordSets {
            hosted_zone: self.hosted_zone.clone(),
            changes,
        }
        .into()])
    }

    fn region(&self) -> Option<&str> {
        None
    }

    /// The record of a batch of one change (as `flip_dns` always had); the zone of a larger
    /// batch.
    fn target(&self) -> Target {
        match self.changes.as_slice() {
            [change] => {
                let record = &change.record_set;
                Target::Record {
                    zone: self.hosted_zone.clone(),
                    name: record.name.clone(),
                    rtype: record.rtype.clone(),
                    set_id: record.set_identifier.clone(),
                }
            }
            _ => Target::Zone {
                name: self.hosted_zone.clone(),
            },
        }
    }

    /// One change: its action and record set's settings, as `flip_dns` always showed. A
    /// larger batch: how many changes of which action, and how many requests it goes out as
    /// when Route 53's limits split it; each record's before -> after is in the step's changes.
    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        let [change] = self.changes.as_slice() else {
            let mut summary = action_counts(&self.changes);
            let requests = self.requests().len();
            if requests > 1 {
                summary.push_str(&format!(
                    ", in {requests} requests (Route 53 takes at most {MAX_RECORD_ELEMENTS} values and {MAX_VALUE_CHARS} characters per request, an UPSERT's counted twice; each request is atomic)"
                ));
            }
            return vec![("Changes", summary)];
        };
        let record = &change.record_set;
        let mut args = vec![("Action", change.action.clone())];
        if !record.values.is_empty() {
            args.push(("Values", record.values.join(", ")));
        }
        if let Some(alias) = &record.alias_target {
            args.push(("AliasTarget", alias.dns_name.clone()));
        }
        if let Some(ttl) = record.ttl {
            args.push(("TTL", ttl.to_string()));
        }
        if let Some(failover) = &record.failover {
            args.push(("Failover", failover.clone()));
        }
        if let Some(weight) = record.weight {
            args.push(("Weight", weight.to_string()));
        }
        if let Some(health_check) = &record.health_check {
            args.push(("HealthCheck", health_check.clone()));
        }
        args
    }
}

/// Whether a hosted zone reference has the shape of a zone id (`Z1EXAMPLE`, or
/// `/hostedzone/Z1EXAMPLE`): the live backend then looks it up by id (GetHostedZone) when no
/// zone has it as its domain name.
pub fn looks_like_zone_id(name: &str) -> bool {
    let id = name.trim_start_matches("/hostedzone/");
    (1..=32).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A Route 53 resource record set as UPSERTed by `flip_dns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSet {
    pub name: String,
    #[serde(rename = "Type")]
    pub rtype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_identifier: Option<String>,
    /// `PRIMARY` or `SECONDARY` for failover routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<String>,
    /// 0 to 255 for weighted routing: the share of answers is the set's weight over the sum
    /// of the weights of the name's sets (all 0: equal shares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    #[serde(rename = "TTL", default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_target: Option<AliasTarget>,
    /// Health check by Name tag or id, as the runbook named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<String>,
}

impl RecordSet {
    /// The record set as an inventory describes it (`docs/inventory.md`), for a change that
    /// writes it back.
    pub fn from_inventory(was: crate::inventory::RecordSet) -> RecordSet {
        RecordSet {
            name: was.name,
            rtype: was.rtype,
            set_identifier: was.set_id,
            failover: was.failover,
            weight: was.weight,
            ttl: was.ttl,
            values: was.values,
            alias_target: was.alias.map(|a| AliasTarget {
                hosted_zone_id: a.zone_id,
                dns_name: a.dns_name,
                evaluate_target_health: a.evaluate_target_health,
            }),
            health_check: was.health_check,
        }
    }
}

/// A Route 53 alias target (an ALB, CloudFront distribution, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasTarget {
    pub hosted_zone_id: String,
    #[serde(rename = "DNSName")]
    pub dns_name: String,
    pub evaluate_target_health: bool,
}

/// route53 UpdateHealthCheck of the settings given, the others untouched. Route 53 reports
/// a disabled check healthy (its records stay in service); an inverted one reports the
/// opposite of what it measures (a healthy endpoint's records are failed away from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateHealthCheck {
    pub health_check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverted: Option<bool>,
}

impl Operation for UpdateHealthCheck {
    const DESCRIPTOR: Descriptor = Descriptor {
        service: "route53",
        name: "UpdateHealthCheck",
        mutates: true,
        idempotency: Idempotency::Natural,
        guarantee: Guarantee::ExactlyOnce,
        creates: Creates::Nothing,
        control: Control::GlobalInUsEast1,
        summary: "disable, enable or invert a health check",
    };

    fn effect(&self) -> Effect {
        let settings = [("disabled", self.disabled), ("inverted", self.inverted)];
        Effect::Describes {
            target: self.target(),
            fields: settings
                .into_iter()
                .filter_map(|(field, value)| Some((field, value?.into())))
                .collect(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let check = format!("healthcheck/{}", scope.health_check_id(&self.health_check));
        vec![
            Permission::on(
                Action::of(&Self::DESCRIPTOR),
                [scope.global_arn("route53", &check)],
            ),
            // The check, named by its Name tag, is resolved to its id.
            Permission::anywhere(Action::new("route53", "ListHealthChecks")),
            Permission::anywhere(Action::new("route53", "ListTagsForResources")),
        ]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        p.shift_remove("HealthCheck");
        p.insert(
            "HealthCheckId".into(),
            ctx.resolved_or(&self.health_check).into(),
        );
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, before: Before<'_>) -> Inverse {
        let Some(found) = before(&self.target()) else {
            return Inverse::Irreversible(format!(
                "health check {} was not in the world before the run",
                self.health_check
            ));
        };
        Inverse::Calls(vec![UpdateHealthCheck {
            health_check: self.health_check.clone(),
            disabled: self.disabled.map(|_| flag(&found, "disabled")),
            inverted: self.inverted.map(|_| flag(&found, "inverted")),
        }
        .into()])
    }

    fn region(&self) -> Option<&str> {
        None
    }

    fn target(&self) -> Target {
        Target::HealthCheck {
            name: self.health_check.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        [("Disabled", self.disabled), ("Inverted", self.inverted)]
            .into_iter()
            .filter_map(|(label, flag)| flag.map(|flag| (label, flag.to_string())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert(i: usize, values: &[&str]) -> RecordChange {
        RecordChange {
            action: "UPSERT".into(),
            record_set: RecordSet {
                name: format!("r{i}.example.com"),
                rtype: "A".into(),
                ttl: Some(60),
                values: values.iter().map(|v| v.to_string()).collect(),
                ..RecordSet::default()
            },
        }
    }

    fn batch(changes: Vec<RecordChange>) -> ChangeResourceRecordSets {
        ChangeResourceRecordSets {
            hosted_zone: "example.com".into(),
            changes,
        }
    }

    #[test]
    fn an_upsert_counts_its_values_twice_toward_the_request_limits() {
        // 500 one-value UPSERTs are 1,000 elements: exactly one request.
        let at_limit = batch((0..500).map(|i| upsert(i, &["10.0.0.1"])).collect());
        assert_eq!(at_limit.requests(), vec![0..500]);
        assert_eq!(over_request_limits(&at_limit.changes), None);
        // 1,000 of them are two requests of 500.
        let thousand = batch((0..1000).map(|i| upsert(i, &["10.0.0.1"])).collect());
        assert_eq!(thousand.requests(), vec![0..500, 500..1000]);
        assert_eq!(
            over_request_limits(&thousand.changes).as_deref(),
            Some("Number of records limit of 1000 exceeded.")
        );
        // A CREATE counts once.
        let creates = batch(
            (0..1000)
                .map(|i| RecordChange {
                    action: "CREATE".into(),
                    ..upsert(i, &["10.0.0.1"])
                })
                .collect(),
        );
        assert_eq!(creates.requests(), vec![0..1000]);
    }

    #[test]
    fn characters_and_changes_also_split_a_batch() {
        // 100 characters per value, counted twice: 160 values fill 32,000 characters.
        let long = "x".repeat(100);
        let wide = batch((0..200).map(|i| upsert(i, &[&long])).collect());
        assert_eq!(wide.requests(), vec![0..160, 160..200]);
        // Alias records have no values: only the bound on changes splits them.
        let aliases = batch(
            (0..1001)
                .map(|i| RecordChange {
                    action: "UPSERT".into(),
                    record_set: RecordSet {
                        name: format!("r{i}.example.com"),
                        rtype: "A".into(),
                        alias_target: Some(AliasTarget {
                            hosted_zone_id: "Z2".into(),
                            dns_name: "lb.example.com".into(),
                            evaluate_target_health: true,
                        }),
                        ..RecordSet::default()
                    },
                })
                .collect(),
        );
        assert_eq!(aliases.requests(), vec![0..1000, 1000..1001]);
        // A change over the limits by itself is a request of its own (rejected by AWS).
        let values: Vec<String> = (0..501)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let huge = batch(vec![
            upsert(0, &["10.0.0.1"]),
            upsert(1, &refs),
            upsert(2, &["10.0.0.2"]),
        ]);
        assert_eq!(huge.requests(), vec![0..1, 1..2, 2..3]);
        assert!(over_request_limits(&huge.changes[1..2]).is_some());
        assert_eq!(batch(Vec::new()).requests(), vec![0..0]);
    }

    #[test]
    fn one_change_reads_as_flip_dns_always_did_and_a_batch_as_one_call() {
        let one = batch(vec![upsert(0, &["10.0.0.1"])]);
        assert!(matches!(one.target(), Target::Record { .. }));
        let labels: Vec<&str> = one.key_arguments().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Action", "Values", "TTL"]);

        let many = batch((0..1000).map(|i| upsert(i, &["10.0.0.1"])).collect());
        assert_eq!(
            many.target(),
            Target::Zone {
                name: "example.com".into()
            }
        );
        let args = many.key_arguments();
        assert_eq!(args.len(), 1);
        assert_eq!(args[0].0, "Changes");
        assert!(
            args[0].1.starts_with("1000 UPSERT, in 2 requests"),
            "{}",
            args[0].1
        );
        let few = batch((0..3).map(|i| upsert(i, &["10.0.0.1"])).collect());
        assert_eq!(
            few.key_arguments(),
            vec![("Changes", "3 UPSERT".to_string())]
        );
    }

    #[test]
    fn the_json_is_a_list_of_changes_and_the_shape_of_one_change_still_loads() {
        let one = batch(vec![upsert(0, &["10.0.0.1"])]);
        let json = serde_json::to_value(&one).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "HostedZone": "example.com",
                "Changes": [{"Action": "UPSERT", "RecordSet": {
                    "Name": "r0.example.com", "Type": "A", "TTL": 60, "Values": ["10.0.0.1"]
                }}]
            })
        );
        let back: ChangeResourceRecordSets = serde_json::from_value(json).unwrap();
        assert_eq!(back, one);
        let legacy: ChangeResourceRecordSets = serde_json::from_value(serde_json::json!({
            "HostedZone": "example.com", "Action": "UPSERT",
            "RecordSet": {"Name": "r0.example.com", "Type": "A", "TTL": 60, "Values": ["10.0.0.1"]}
        }))
        .unwrap();
        assert_eq!(legacy, one);
    }
}
