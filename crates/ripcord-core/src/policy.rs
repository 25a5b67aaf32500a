//! An IAM policy document (`ripcord iam-policy`): serde types, merged from permissions.

use crate::iam::Permission;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The policy language version every document carries.
pub const POLICY_VERSION: &str = "2012-10-17";

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
        let mut by_action: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for permission in permissions {
            by_action
                .entry(permission.action.to_string())
                .or_default()
                .extend(permission.resources);
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

    /// The statements that allow `action` (`service:Name`) on `resource` (an ARN; a
    /// statement's `*` or a trailing `*` of its ARN matches any).
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.statement.iter().any(|s| {
            s.action.iter().any(|a| a == action)
                && s.resource.iter().any(|r| matches_arn(r, resource))
        })
    }
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
