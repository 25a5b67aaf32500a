//! What a change to a runbook (or to its world) does to the failover: the steps added,
//! removed and changed between a base plan and a new one, value by value, and the estimate
//! against the RTO before and after (`ripcord plan --compare BASE.json`).

use crate::{Plan, Step, StepKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One side of a comparison: which plan, how long, against which RTO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub runbook: String,
    pub sha256: String,
    pub steps: usize,
    pub total_secs: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_secs: Option<u64>,
    /// Why the plan stops short, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stops: Option<String>,
}

/// A value that differs between the two plans' versions of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// An argument (`DesiredCapacity`, `Changes.RecordSet.TTL`), `before DesiredCapacity` (the
    /// state the step found), `estimate` or `warning`.
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

/// What became of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum StepChange {
    Added {
        step: String,
        origin: String,
    },
    Removed {
        step: String,
        origin: String,
    },
    Changed {
        step: String,
        origin: String,
        differences: Vec<Difference>,
    },
}

/// The base plan against the new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub base: Side,
    pub head: Side,
    /// In the new plan's order, a removed step where it was.
    pub changes: Vec<StepChange>,
    /// Steps the same in both (operation, target, arguments, the state they found, estimate).
    pub unchanged: usize,
}

impl Comparison {
    /// Matches the steps of both plans by kind, operation, region and target (in order: the
    /// longest common sequence), then compares each pair value by value.
    pub fn between(base: &Plan, head: &Plan) -> Comparison {
        let old: Vec<&Step> = steps(base);
        let new: Vec<&Step> = steps(head);
        let (old_keys, new_keys): (Vec<String>, Vec<String>) = (
            old.iter().map(|s| identity(s)).collect(),
            new.iter().map(|s| identity(s)).collect(),
        );
        let pairs = common_sequence(&old_keys, &new_keys);
        let mut changes = Vec::new();
        let mut unchanged = 0;
        let (mut i, mut j) = (0, 0);
        for (pi, pj) in pairs.into_iter().chain([(old.len(), new.len())]) {
            while i < pi {
                changes.push(StepChange::Removed {
                    step: crate::render::step_label(old[i]),
                    origin: crate::render::step_origin(old[i]),
                });
                i += 1;
            }
            while j < pj {
                changes.push(StepChange::Added {
                    step: crate::render::step_label(new[j]),
                    origin: crate::render::step_origin(new[j]),
                });
                j += 1;
            }
            if pi < old.len() && pj < new.len() {
                let differences = differences(old[pi], new[pj]);
                if differences.is_empty() {
                    unchanged += 1;
                } else {
                    changes.push(StepChange::Changed {
                        step: crate::render::step_label(new[pj]),
                        origin: crate::render::step_origin(new[pj]),
                        differences,
                    });
                }
                i = pi + 1;
                j = pj + 1;
            }
        }
        Comparison {
            base: side(base),
            head: side(head),
            changes,
            unchanged,
        }
    }
}

fn side(plan: &Plan) -> Side {
    Side {
        runbook: plan.runbook.path.clone(),
        sha256: plan.runbook.sha256.clone(),
        steps: steps(plan).len(),
        total_secs: plan.total_secs,
        rto_secs: plan.runbook.meta.rto_secs,
        stops: plan.failure.as_ref().map(|f| f.message.clone()),
    }
}

/// The plan's steps, notes left out (they change nothing in AWS).
fn steps(plan: &Plan) -> Vec<&Step> {
    plan.steps()
        .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
        .collect()
}

/// What makes two versions of a step the same step: kind, operation, region, target.
fn identity(step: &Step) -> String {
    let target = serde_json::to_string(&step.target).unwrap_or_default();
    let region = step.region.as_deref().unwrap_or("");
    let kind = match &step.kind {
        // An approval is known by its question.
        StepKind::Approval { message } => format!("approval {message}"),
        _ => step.operation.clone(),
    };
    format!("{} {kind} {region} {target}", step.service)
}

/// Index pairs of the longest common subsequence of two key lists, in order.
fn common_sequence(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lengths = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i][j] = if a[i] == b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lengths[i + 1][j] >= lengths[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// The arguments, the state found, the estimate and the warnings that differ.
fn differences(old: &Step, new: &Step) -> Vec<Difference> {
    let mut out = Vec::new();
    let (a, b) = (arguments(old), arguments(new));
    let fields: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for field in fields {
        let (x, y) = (a.get(field), b.get(field));
        match (x, y) {
            _ if x == y => {}
            // A message of several lines differs line by line, not as a whole.
            (Some(x), Some(y)) if x.contains('\n') || y.contains('\n') => {
                let (xs, ys): (Vec<&str>, Vec<&str>) = (x.lines().collect(), y.lines().collect());
                for n in 0..xs.len().max(ys.len()) {
                    let (p, q) = (xs.get(n), ys.get(n));
                    if p != q {
                        out.push(Difference {
                            field: format!("{field}, line {}", n + 1),
                            base: p.map(|l| l.to_string()),
                            head: q.map(|l| l.to_string()),
                        });
                    }
                }
            }
            _ => out.push(Difference {
                field: field.clone(),
                base: x.cloned(),
                head: y.cloned(),
            }),
        }
    }
    let before = |step: &Step| -> BTreeMap<String, Option<String>> {
        step.changes
            .iter()
            .map(|c| (c.field.clone(), c.before.clone()))
            .collect()
    };
    let (x, y) = (before(old), before(new));
    for (field, was) in &x {
        if let Some(is) = y.get(field) {
            if was != is {
                out.push(Difference {
                    field: format!("before {field}"),
                    base: was.clone(),
                    head: is.clone(),
                });
            }
        }
    }
    if old.duration_secs != new.duration_secs {
        out.push(Difference {
            field: "estimate".to_string(),
            base: Some(crate::duration::format_duration(old.duration_secs)),
            head: Some(crate::duration::format_duration(new.duration_secs)),
        });
    }
    for warning in &old.warnings {
        if !new.warnings.contains(warning) {
            out.push(Difference {
                field: "warning".to_string(),
                base: Some(warning.clone()),
                head: None,
            });
        }
    }
    for warning in &new.warnings {
        if !old.warnings.contains(warning) {
            out.push(Difference {
                field: "warning".to_string(),
                base: None,
                head: Some(warning.clone()),
            });
        }
    }
    out
}

/// A step's arguments as dotted paths to values (`Changes.RecordSet.TTL` -> `60`), from its JSON.
fn arguments(step: &Step) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&step.kind) {
        for (key, value) in map {
            // The kind's tag is the same by identity; the payload is what varies.
            if key == "type" {
                continue;
            }
            flatten(&mut out, None, &value);
        }
    }
    out
}

fn flatten(out: &mut BTreeMap<String, String>, prefix: Option<&str>, value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                // `operation` repeats the step's; the identity already compared it.
                if prefix.is_none() && key == "operation" {
                    continue;
                }
                let path = match prefix {
                    Some(prefix) => format!("{prefix}.{key}"),
                    None => key.clone(),
                };
                flatten(out, Some(&path), value);
            }
        }
        // The changes of a Route 53 batch: item by item (`Changes[2].RecordSet.TTL`), so a
        // difference names the record; a batch of one reads as its one change
        // (`Changes.RecordSet.TTL`). Arrays of plain values (`Values`) stay one value.
        serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_object) => {
            let path = prefix.unwrap_or("value");
            match items.as_slice() {
                [only] => flatten(out, Some(path), only),
                _ => {
                    for (i, item) in items.iter().enumerate() {
                        flatten(out, Some(&format!("{path}[{i}]")), item);
                    }
                }
            }
        }
        serde_json::Value::String(text) => {
            out.insert(prefix.unwrap_or("value").to_string(), text.clone());
        }
        other => {
            out.insert(prefix.unwrap_or("value").to_string(), other.to_string());
        }
    }
}
