//! Route 53 operations: record sets and health checks (control plane in us-east-1).

use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::operation::{Control, Creates, Descriptor, Idempotency, Operation};
use crate::target::{ResourceKind, Target};
use serde::{Deserialize, Serialize};

/// route53 ChangeResourceRecordSets with one change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeResourceRecordSets {
    pub hosted_zone: String,
    pub action: String,
    pub record_set: RecordSet,
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
        summary: "UPSERT a record set (values or alias, failover role, health check)",
    };

    fn effect(&self) -> Effect {
        Effect::Resend {
            why: "an UPSERT of the same record leaves it as it is, and its answer is the change id the runbook waits on",
        }
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
        if self.record_set.health_check.is_some() {
            // The record's health check, named by its Name tag, is resolved to its id.
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

    fn region(&self) -> Option<&str> {
        None
    }

    fn target(&self) -> Target {
        Target::Record {
            zone: self.hosted_zone.clone(),
            name: self.record_set.name.clone(),
            rtype: self.record_set.rtype.clone(),
            set_id: self.record_set.set_identifier.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        let record = &self.record_set;
        let mut args = vec![("Action", self.action.clone())];
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
