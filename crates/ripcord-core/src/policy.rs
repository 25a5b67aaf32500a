//! An IAM policy document (`ripcord iam-policy`): serde types, merged from permissions.

use crate::iam::Permission;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The policy language version every document carries.
pub const POLICY_VERSION: &str = "2012-10-17";

/// IAM's quota on a managed policy's size, in characters without whitespace (IAM User Guide,
/// "IAM and AWS STS quotas"): what `ripcord iam-policy` fits its document to by default.
pub const MANAGED_POLICY_MAX_CHARS: usize = 6_144;

/// IAM's quota on the inline policies of a role together, in characters without whitespace
/// (same page): what `deploy --create-role` fits the execution role's policy to.
pub const ROLE_INLINE_POLICY_MAX_CHARS: usize = 10_240;

/// Resources a fitted policy names by one pattern instead of one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widened {
    /// The actions of the statement whose resources were widened.
    pub actions: Vec<String>,
    /// The pattern that stands for them (`*` matches any run of characters).
    pub pattern: String,
    /// How many ARNs of the exact document it stands for.
    pub resources: usize,
}

/// How far resources are widened, least first: to the common prefix of the ARNs of one
/// resource type in one region (`db:fleet-*`), to the region (`arn:aws:rds:us-west-2:1:*`),
/// to the service (`arn:aws:rds:*`), to anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breadth {
    Prefix,
    Region,
    Service,
    Anything,
}

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: String,
    pub statement: Vec<Statement>,
}

/// One Allow statement: actions on resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub effect: String,
    pub action: Vec<String>,
    pub resource: Vec<String>,
}

impl PolicyDocument {
    /// The document allowing `permissions`, merged: each action's resources are collected
    /// (`*` absorbs any ARN), and actions with the same resources share a statement. The
    /// statement on `*` comes first, then the others by their first action; actions and
    /// resources are sorted, so the same plan always gives the same bytes.
    pub fn allowing(permissions: impl IntoIterator<Item = Permission>) -> PolicyDocument {
        PolicyDocument::merged(
            permissions
                .into_iter()
                .map(|p| (p.action.to_string(), p.resources)),
        )
    }

    /// [`PolicyDocument::allowing`] of actions already named (`service:Name`).
    fn merged(permissions: impl IntoIterator<Item = (String, Vec<String>)>) -> PolicyDocument {
        let mut by_action: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (action, resources) in permissions {
            by_action.entry(action).or_default().extend(resources);
        }
        let mut by_resources: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for (action, resources) in by_action {
            let resources: Vec<String> = if resources.contains("*") {
                vec!["*".to_string()]
            } else {
                resources.into_iter().collect()
            };
            by_resources.entry(resources).or_default().push(action);
        }
        let mut statement: Vec<Statement> = by_resources
            .into_iter()
            .map(|(resource, action)| Statement {
                effect: "Allow".to_string(),
                action,
                resource,
            })
            .collect();
        statement.sort_by(|a, b| {
            let everywhere = |s: &Statement| s.resource != ["*"];
            (everywhere(a), &a.action).cmp(&(everywhere(b), &b.action))
        });
        PolicyDocument {
            version: POLICY_VERSION.to_string(),
            statement,
        }
    }

    /// The characters IAM counts against its quotas: the document's JSON without whitespace.
    pub fn size(&self) -> usize {
        // Plain strings and vectors: serializing cannot fail; an impossible failure counts as
        // too big rather than passing for small.
        serde_json::to_string(self)
            .map(|text| text.chars().filter(|c| !c.is_whitespace()).count())
            .unwrap_or(usize::MAX)
    }

    /// The document within `max` characters (`size`): itself when it fits, else with the
    /// resources of each statement widened to patterns, as little as fits (`Breadth`), and
    /// what was widened. Least privilege gives way to the quota, and the caller says so.
    pub fn fitted(&self, max: usize) -> (PolicyDocument, Vec<Widened>) {
        if self.size() <= max {
            return (self.clone(), Vec::new());
        }
        let mut last = (self.clone(), Vec::new());
        for breadth in [
            Breadth::Prefix,
            Breadth::Region,
            Breadth::Service,
            Breadth::Anything,
        ] {
            last = self.widened(breadth);
            if last.0.size() <= max {
                break;
            }
        }
        last
    }

    /// Every statement's resources widened to `breadth`: ARNs that share a key (their type,
    /// region or service) become one pattern; an ARN alone under its key stays as it is.
    fn widened(&self, breadth: Breadth) -> (PolicyDocument, Vec<Widened>) {
        let mut permissions = Vec::new();
        let mut widened = Vec::new();
        for statement in &self.statement {
            let mut groups: BTreeMap<String, Vec<&String>> = BTreeMap::new();
            for arn in &statement.resource {
                groups.entry(key(arn, breadth)).or_default().push(arn);
            }
            let mut resources = Vec::new();
            for (key, arns) in groups {
                if arns.len() < 2 && breadth != Breadth::Anything {
                    resources.extend(arns.into_iter().cloned());
                    continue;
                }
                let pattern = match breadth {
                    Breadth::Prefix => format!("{}*", common_prefix(&arns)),
                    Breadth::Region | Breadth::Service => format!("{key}*"),
                    Breadth::Anything => "*".to_string(),
                };
                if arns.len() > 1 || arns.first().is_some_and(|arn| **arn != pattern) {
                    widened.push(Widened {
                        actions: statement.action.clone(),
                        pattern: pattern.clone(),
                        resources: arns.len(),
                    });
                }
                resources.push(pattern);
            }
            for action in &statement.action {
                permissions.push((action.clone(), resources.clone()));
            }
        }
        (PolicyDocument::merged(permissions), widened)
    }

    /// The statements that allow `action` (`service:Name`) on `resource` (an ARN; a
    /// statement's `*` or a trailing `*` of its ARN matches any).
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.statement.iter().any(|s| {
            s.action.iter().any(|a| a == action)
                && s.resource.iter().any(|r| matches_arn(r, resource))
        })
    }
}

/// What ARNs are grouped by at `breadth`: `arn:PARTITION:SERVICE:REGION:ACCOUNT:` and the
/// resource's type (up to its last `/` or `:`), the same without the type, the
/// partition and service, nothing.
fn key(arn: &str, breadth: Breadth) -> String {
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, RESOURCE possibly with `:` and `/`.
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = fields.as_slice() else {
        // Not an ARN (`*`): only ever grouped with its equals.
        return arn.to_string();
    };
    match breadth {
        Breadth::Prefix => {
            let kind = resource.rfind(['/', ':']).map_or("", |at| &resource[..=at]);
            format!("arn:{partition}:{service}:{region}:{account}:{kind}")
        }
        Breadth::Region => format!("arn:{partition}:{service}:{region}:{account}:"),
        Breadth::Service => format!("arn:{partition}:{service}:"),
        Breadth::Anything => String::new(),
    }
}

/// The longest prefix all of `arns` share (at least their key's, which they share).
fn common_prefix(arns: &[&String]) -> String {
    let Some((first, rest)) = arns.split_first() else {
        return String::new();
    };
    let mut len = first.len();
    for arn in rest {
        len = first
            .char_indices()
            .zip(arn.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((at, a), _)| at + a.len_utf8())
            .min(len);
    }
    first[..len].to_string()
}

/// Whether an IAM resource pattern matches `arn`: `*` anywhere matches any run of characters.
pub fn matches_arn(pattern: &str, arn: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == arn;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !arn.starts_with(first) || arn.len() < first.len() + last.len() || !arn.ends_with(last) {
        return false;
    }
    let mut rest = &arn[first.len()..arn.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::Action;

    #[test]
    fn the_document_is_merged_and_ordered() {
        let a = Action::new("rds", "RebootDBInstance");
        let b = Action::new("rds", "PromoteReadReplica");
        let read = Action::new("rds", "DescribeDBInstances");
        let policy = PolicyDocument::allowing([
            Permission::on(a, ["arn:db:2".to_string()]),
            Permission::on(b, ["arn:db:1".to_string()]),
            Permission::on(a, ["arn:db:1".to_string()]),
            Permission::on(b, ["arn:db:2".to_string()]),
            Permission::anywhere(read),
            Permission::on(read, ["arn:db:1".to_string()]),
        ]);
        let json = serde_json::to_value(&policy).expect("plain data");
        assert_eq!(
            json,
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["rds:DescribeDBInstances"], "Resource": ["*"]},
                    {"Effect": "Allow", "Action": ["rds:PromoteReadReplica", "rds:RebootDBInstance"],
                     "Resource": ["arn:db:1", "arn:db:2"]},
                ]
            })
        );
    }

    /// Every action on every resource the exact document allows, the fitted one allows.
    fn assert_covers(fitted: &PolicyDocument, exact: &PolicyDocument) {
        for statement in &exact.statement {
            for action in &statement.action {
                for resource in &statement.resource {
                    assert!(
                        fitted.allows(action, resource),
                        "{action} on {resource} lost"
                    );
                }
            }
        }
    }

    fn fleet(count: usize, name: impl Fn(usize) -> String) -> Vec<String> {
        (0..count)
            .map(|k| format!("arn:aws:rds:us-west-2:123456789012:db:{}", name(k)))
            .collect()
    }

    #[test]
    fn a_policy_within_the_quota_is_kept_exact() {
        let exact = PolicyDocument::allowing([Permission::on(
            Action::new("rds", "RebootDBInstance"),
            fleet(3, |k| format!("db-{k}")),
        )]);
        assert!(exact.size() < MANAGED_POLICY_MAX_CHARS);
        assert_eq!(
            exact.fitted(MANAGED_POLICY_MAX_CHARS),
            (exact.clone(), Vec::new())
        );
    }

    #[test]
    fn resources_over_the_quota_are_widened_to_their_common_prefix_first() {
        let reboot = Action::new("rds", "RebootDBInstance");
        let topic = "arn:aws:sns:us-west-2:123456789012:dr-notifications".to_string();
        let exact = PolicyDocument::allowing([
            Permission::on(reboot, fleet(2_000, |k| format!("fleet-db-{k:04}"))),
            Permission::on(Action::new("sns", "Publish"), [topic.clone()]),
        ]);
        assert!(exact.size() > 100_000);
        let (fitted, widened) = exact.fitted(MANAGED_POLICY_MAX_CHARS);
        assert!(fitted.size() <= MANAGED_POLICY_MAX_CHARS);
        assert_covers(&fitted, &exact);
        assert_eq!(
            widened,
            vec![Widened {
                actions: vec!["rds:RebootDBInstance".to_string()],
                pattern: "arn:aws:rds:us-west-2:123456789012:db:fleet-db-*".to_string(),
                resources: 2_000,
            }]
        );
        // The topic, alone of its kind, is still named.
        assert!(fitted
            .statement
            .iter()
            .any(|s| s.resource == [topic.clone()]));
    }

    #[test]
    fn names_sharing_nothing_are_widened_to_their_region_then_further() {
        let reboot = Action::new("rds", "RebootDBInstance");
        let stop = Action::new("rds", "StopDBCluster");
        let mut clusters = Vec::new();
        for region in ["us-west-2", "eu-west-1"] {
            for k in 0..300 {
                clusters.push(format!("arn:aws:rds:{region}:123456789012:cluster:c{k}"));
            }
        }
        let exact = PolicyDocument::allowing([
            Permission::on(
                reboot,
                fleet(300, |k| format!("{}x{k}", (b'a' + (k % 26) as u8) as char)),
            ),
            Permission::on(stop, clusters),
        ]);
        let (fitted, widened) = exact.fitted(MANAGED_POLICY_MAX_CHARS);
        assert!(
            fitted.size() <= MANAGED_POLICY_MAX_CHARS,
            "{}",
            fitted.size()
        );
        assert_covers(&fitted, &exact);
        // The instances have no prefix in common: their type in the region is the pattern;
        // the clusters of each region share `c`.
        let patterns: BTreeSet<&str> = widened.iter().map(|w| w.pattern.as_str()).collect();
        assert_eq!(
            patterns,
            BTreeSet::from([
                "arn:aws:rds:eu-west-1:123456789012:cluster:c*",
                "arn:aws:rds:us-west-2:123456789012:cluster:c*",
                "arn:aws:rds:us-west-2:123456789012:db:*",
            ])
        );
        // Squeezed harder: past one pattern per region, one per service.
        let (fitted, widened) = exact.fitted(150);
        assert!(fitted.size() <= 150, "{}", fitted.size());
        assert_covers(&fitted, &exact);
        assert!(
            widened.iter().all(|w| w.pattern == "arn:aws:rds:*"),
            "{widened:?}"
        );
    }

    #[test]
    fn arn_patterns() {
        assert!(matches_arn("*", "arn:aws:s3:::b"));
        assert!(matches_arn("arn:aws:s3:::b", "arn:aws:s3:::b"));
        assert!(!matches_arn("arn:aws:s3:::b", "arn:aws:s3:::bb"));
        assert!(matches_arn(
            "arn:aws:autoscaling:r:1:autoScalingGroup:*:autoScalingGroupName/web",
            "arn:aws:autoscaling:r:1:autoScalingGroup:uuid-1:autoScalingGroupName/web"
        ));
        assert!(matches_arn(
            "arn:aws:ec2:r::snapshot/*",
            "arn:aws:ec2:r::snapshot/snap-1"
        ));
        assert!(!matches_arn(
            "arn:aws:ec2:r::snapshot/*",
            "arn:aws:ec2:r::volume/vol-1"
        ));
    }
}
