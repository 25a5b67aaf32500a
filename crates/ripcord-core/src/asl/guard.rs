//! Stale-plan guards: before a call is sent, what the reviewed plan found of its target is
//! read again and compared; a value that moved since the review fails the execution
//! (`ripcord.StalePlan`) and says which, before anything is sent.

use super::task::sdk_resource;
use crate::step::{Step, StepKind};
use crate::target::{ResourceKind, Target};
use serde_json::{json, Value};

/// The guard of one call: the read, and each attribute the plan relied on.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    pub resource: String,
    pub parameters: Value,
    /// Keeps each attribute's value at `F0`, `F1`, ... (a list for list answers).
    pub selector: Value,
    pub fields: Vec<GuardedField>,
}

/// One attribute a guard compares.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardedField {
    /// The attribute as the plan names it (`DesiredCapacity`).
    pub field: String,
    /// The value the plan found, as the plan writes it (`2`, `false`).
    pub before: String,
    /// Where the value is in the guard's slot: `F0[0]` (a list answer) or `F0`.
    pub at: String,
}

impl GuardedField {
    /// The Choice rule that holds when the value is still the reviewed one, on the value at
    /// `{slot}.{at}`.
    pub fn unchanged(&self, slot: &str) -> Value {
        let variable = format!("{slot}.{}", self.at);
        if let Ok(number) = self.before.parse::<i64>() {
            json!({ "Variable": variable, "NumericEquals": number })
        } else if let Ok(flag) = self.before.parse::<bool>() {
            json!({ "Variable": variable, "BooleanEquals": flag })
        } else {
            json!({ "Variable": variable, "StringEquals": self.before })
        }
    }
}

/// How a kind is read for its guard, and where each guarded attribute is in the answer.
/// Lifecycle states (`Status`) are not guarded: they move on their own, and the run's waits
/// are what looks at them.
struct Reading {
    /// The answer is a list of resources (`AutoScalingGroups`): their values are selected
    /// with `[*]`, so that a resource gone since the review gives an empty list rather than
    /// a path error, which no Catch could take.
    list: Option<&'static str>,
    fields: &'static [(&'static str, &'static str)],
}

fn reading(kind: ResourceKind) -> Option<Reading> {
    Some(match kind {
        ResourceKind::Asg => Reading {
            list: Some("AutoScalingGroups"),
            fields: &[
                ("MinSize", "MinSize"),
                ("MaxSize", "MaxSize"),
                ("DesiredCapacity", "DesiredCapacity"),
            ],
        },
        ResourceKind::EcsService => Reading {
            list: Some("Services"),
            fields: &[("DesiredCount", "DesiredCount")],
        },
        ResourceKind::DbInstance => Reading {
            list: Some("DBInstances"),
            fields: &[
                ("MultiAZ", "MultiAZ"),
                ("DBInstanceClass", "DBInstanceClass"),
            ],
        },
        ResourceKind::HealthCheck => Reading {
            list: None,
            fields: &[
                ("Disabled", "HealthCheck.HealthCheckConfig.Disabled"),
                ("Inverted", "HealthCheck.HealthCheckConfig.Inverted"),
            ],
        },
        ResourceKind::Table
        | ResourceKind::Volume
        | ResourceKind::EbsSnapshot
        | ResourceKind::DbCluster
        | ResourceKind::DbSnapshot
        | ResourceKind::DbClusterSnapshot
        | ResourceKind::GlobalCluster
        | ResourceKind::Zone
        | ResourceKind::Record
        | ResourceKind::DnsChange
        | ResourceKind::Topic
        | ResourceKind::Bucket => return None,
    })
}

/// Every attribute guards compare, by kind, with where it is read (the docs' table).
pub fn guarded_fields() -> Vec<(ResourceKind, &'static str, String)> {
    let mut out = Vec::new();
    for kind in &ResourceKind::ALL {
        let Some(reading) = reading(*kind) else {
            continue;
        };
        let info = kind.info();
        for (field, path) in reading.fields {
            let at = match reading.list {
                Some(list) => format!("{}: {list}[0].{path}", info.describe_operation),
                None => format!("{}: {path}", info.describe_operation),
            };
            out.push((*kind, *field, at));
        }
    }
    out
}

impl Guard {
    /// The guard of a call step: `None` when it relied on nothing a guard compares.
    pub fn of(step: &Step) -> Option<Guard> {
        if !matches!(step.kind, StepKind::Call { .. }) {
            return None;
        }
        let target = step.target.as_ref()?;
        let kind = target.kind();
        let reading = reading(kind)?;
        let mut selector = serde_json::Map::new();
        let mut fields = Vec::new();
        for change in &step.changes {
            let Some(before) = &change.before else {
                continue;
            };
            let Some((_, path)) = reading
                .fields
                .iter()
                .find(|(name, _)| *name == change.field)
            else {
                continue;
            };
            if fields
                .iter()
                .any(|f: &GuardedField| f.field == change.field)
            {
                continue;
            }
            let key = format!("F{}", fields.len());
            let (select, at) = match reading.list {
                Some(list) => (format!("$.{list}[*].{path}"), format!("{key}[0]")),
                None => (format!("$.{path}"), key.clone()),
            };
            selector.insert(format!("{key}.$"), Value::String(select));
            fields.push(GuardedField {
                field: change.field.clone(),
                before: before.clone(),
                at,
            });
        }
        if fields.is_empty() {
            return None;
        }
        let info = kind.info();
        let name = target.name();
        let parameters = match target {
            Target::Asg { .. } => json!({ "AutoScalingGroupNames": [name] }),
            Target::EcsService { cluster, .. } => json!({ "Cluster": cluster, "Services": [name] }),
            Target::DbInstance { .. } => json!({ "DBInstanceIdentifier": name }),
            Target::HealthCheck { .. } => {
                json!({ "HealthCheckId": step.resolved.as_deref().unwrap_or(name) })
            }
            _ => return None,
        };
        Some(Guard {
            resource: sdk_resource(info.service, info.describe_operation),
            parameters,
            selector: Value::Object(selector),
            fields,
        })
    }

    /// The list a guard's first field is in, when the answer is a list: its absence means
    /// the resource is gone.
    pub fn presence(&self) -> Option<String> {
        self.fields
            .first()
            .filter(|f| f.at.ends_with("[0]"))
            .map(|f| f.at.clone())
    }
}

/// Text for `States.Format`: its special characters escaped.
pub fn format_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\'' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
