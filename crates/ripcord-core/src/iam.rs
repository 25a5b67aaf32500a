//! Least privilege: the IAM policy a live run of a plan needs (`ripcord iam-policy`).
//!
//! What a run sends is known before it starts: the account guard, the capture of the
//! declared regions, then per step its call (the operation's own [`crate::Operation::iam`]),
//! the reads that wait for it or check it, and the reads the live backend makes on its own
//! (names resolved to ids, effect checks that settle lost answers, bucket regions, replication
//! lags). Reads are `*`: the capture lists whole regions and every bucket, zone and health
//! check of the account, so a read scoped to the runbook's resources would fail it.

use crate::arn;
use crate::backend::Query;
use crate::effect::Effect;
use crate::inventory::Inventory;
use crate::operation::Descriptor;
use crate::plan::Plan;
use crate::step::{CheckSpec, StepKind};
use crate::target::{ResourceKind, Target};
use std::fmt;

/// An IAM action: the service prefix and the action's name (not always the API's name:
/// S3's GetBucketReplication is authorized by `s3:GetReplicationConfiguration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Action {
    pub service: &'static str,
    pub name: &'static str,
}

impl Action {
    pub const fn new(service: &'static str, name: &'static str) -> Action {
        Action { service, name }
    }

    /// The action named like the operation (most of them).
    pub const fn of(descriptor: &Descriptor) -> Action {
        Action::new(descriptor.service, descriptor.name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service, self.name)
    }
}

/// One action allowed on some resources (ARNs, or `*`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permission {
    pub action: Action,
    pub resources: Vec<String>,
}

impl Permission {
    /// `action` on these ARNs.
    pub fn on(action: Action, resources: impl IntoIterator<Item = String>) -> Permission {
        Permission {
            action,
            resources: resources.into_iter().collect(),
        }
    }

    /// `action` on `*`: AWS supports no resource-level permission for it, or (reads) the
    /// capture needs it on every resource.
    pub fn anywhere(action: Action) -> Permission {
        Permission::on(action, ["*".to_string()])
    }
}

/// What ARNs are built from: the account and the world the plan ran in (ids of resources a
/// runbook names by Name tag or domain name).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub account: &'a str,
    pub world: &'a Inventory,
}

impl Scope<'_> {
    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        arn::arn(service, region, self.account, resource)
    }

    /// An ARN without region or account (Route 53, S3 buckets, EC2 snapshots' region only
    /// aside), in the world's partition.
    pub fn global_arn(&self, service: &str, resource: &str) -> String {
        format!("arn:{}:{service}:::{resource}", self.partition())
    }

    /// The partition of the world's regions (`aws` when it has none).
    pub fn partition(&self) -> &'static str {
        self.world
            .regions
            .keys()
            .next()
            .map(|region| arn::partition(region))
            .unwrap_or("aws")
    }

    /// An RDS global cluster's ARN: global, so without a region.
    pub fn global_cluster_arn(&self, name: &str) -> String {
        format!(
            "arn:{}:rds::{}:global-cluster:{name}",
            self.partition(),
            self.account
        )
    }

    /// An EBS snapshot's ARN: EC2 leaves the account out of snapshot ARNs.
    pub fn snapshot_arn(&self, region: &str, id: &str) -> String {
        format!("arn:{}:ec2:{region}::snapshot/{id}", self.partition())
    }

    /// An IAM role given by name or ARN, as an ARN.
    pub fn role_arn(&self, role: &str) -> String {
        if role.starts_with("arn:") {
            return role.to_string();
        }
        format!("arn:{}:iam::{}:role/{role}", self.partition(), self.account)
    }

    /// A health check's id from its Name tag or id; `*` when the world does not know it.
    pub fn health_check_id(&self, name: &str) -> String {
        let checks = &self.world.health_checks;
        checks
            .iter()
            .find(|c| c.id == name)
            .or_else(|| checks.iter().find(|c| c.name.as_deref() == Some(name)))
            .map_or_else(|| "*".to_string(), |c| c.id.clone())
    }

    /// A hosted zone's id from its domain name or id; `*` when the world does not know it.
    pub fn zone_id(&self, name: &str) -> String {
        let wanted = name.trim_end_matches('.').to_ascii_lowercase();
        let zones = &self.world.hosted_zones;
        zones
            .iter()
            .find(|z| z.id == name)
            .or_else(|| {
                zones.iter().find(|z| {
                    !z.private && z.name.trim_end_matches('.').to_ascii_lowercase() == wanted
                })
            })
            .or_else(|| {
                zones
                    .iter()
                    .find(|z| z.name.trim_end_matches('.').to_ascii_lowercase() == wanted)
            })
            .map_or_else(|| "*".to_string(), |z| z.id.clone())
    }

    /// An EBS volume's id from its Name tag or id; `*` when the world does not know it.
    pub fn volume_id(&self, region: &str, name: &str) -> String {
        let volumes = self.world.regions.get(region).map(|r| &r.volumes);
        volumes
            .and_then(|v| {
                v.iter()
                    .find(|v| v.id == name || v.name.as_deref() == Some(name))
            })
            .map_or_else(|| "*".to_string(), |v| v.id.clone())
    }

    /// An EBS snapshot's id from its Name tag or id; `*` when the world does not know it.
    pub fn snapshot_id(&self, region: &str, name: &str) -> String {
        let snapshots = self.world.regions.get(region).map(|r| &r.snapshots);
        snapshots
            .and_then(|s| {
                s.iter()
                    .find(|s| s.id == name || s.name.as_deref() == Some(name))
            })
            .map_or_else(|| "*".to_string(), |s| s.id.clone())
    }
}

/// What the capture `apply` starts with reads, per declared region and account-wide
/// (`ripcord-aws/src/capture.rs`). STS GetCallerIdentity, the account guard's request, is not
/// listed: it needs no permission, and an explicit deny does not stop it.
pub const CAPTURE_READS: &[Action] = &[
    Action::new("ec2", "DescribeAvailabilityZones"),
    Action::new("ec2", "DescribeVolumes"),
    Action::new("ec2", "DescribeSnapshots"),
    Action::new("autoscaling", "DescribeAutoScalingGroups"),
    // ECS: the clusters, their services, each service's description.
    Action::new("ecs", "ListClusters"),
    Action::new("ecs", "ListServices"),
    Action::new("ecs", "DescribeServices"),
    // DynamoDB: the tables and each table's description (stream, replicas).
    Action::new("dynamodb", "ListTables"),
    Action::new("dynamodb", "DescribeTable"),
    Action::new("rds", "DescribeDBInstances"),
    Action::new("rds", "DescribeDBClusters"),
    Action::new("rds", "DescribeDBSnapshots"),
    Action::new("rds", "DescribeDBClusterSnapshots"),
    Action::new("rds", "DescribeGlobalClusters"),
    Action::new("sns", "ListTopics"),
    Action::new("route53", "ListHostedZones"),
    Action::new("route53", "ListResourceRecordSets"),
    Action::new("route53", "ListHealthChecks"),
    Action::new("route53", "ListTagsForResources"),
    // ListBuckets, then each bucket's region, versioning and replication.
    Action::new("s3", "ListAllMyBuckets"),
    Action::new("s3", "GetBucketLocation"),
    Action::new("s3", "GetBucketVersioning"),
    Action::new("s3", "GetReplicationConfiguration"),
    // The lags of read replicas and global secondaries.
    Action::new("cloudwatch", "GetMetricStatistics"),
];

/// What the live backend reads to find, describe or wait for a resource of `kind`: name
/// lookups, the describe call (and what a description adds: a cluster's global membership, a
/// replica's lag), a waiter's polls. Every kind has its row: a new kind does not compile
/// without one.
pub fn kind_reads(kind: ResourceKind) -> &'static [Action] {
    const ASG: &[Action] = &[Action::new("autoscaling", "DescribeAutoScalingGroups")];
    const ECS_SERVICE: &[Action] = &[Action::new("ecs", "DescribeServices")];
    const TABLE: &[Action] = &[Action::new("dynamodb", "DescribeTable")];
    const VOLUME: &[Action] = &[Action::new("ec2", "DescribeVolumes")];
    const EBS_SNAPSHOT: &[Action] = &[Action::new("ec2", "DescribeSnapshots")];
    const DB_INSTANCE: &[Action] = &[
        Action::new("rds", "DescribeDBInstances"),
        Action::new("cloudwatch", "GetMetricStatistics"),
    ];
    const DB_CLUSTER: &[Action] = &[
        Action::new("rds", "DescribeDBClusters"),
        Action::new("rds", "DescribeGlobalClusters"),
        Action::new("cloudwatch", "GetMetricStatistics"),
    ];
    const DB_SNAPSHOT: &[Action] = &[Action::new("rds", "DescribeDBSnapshots")];
    const DB_CLUSTER_SNAPSHOT: &[Action] = &[Action::new("rds", "DescribeDBClusterSnapshots")];
    const GLOBAL_CLUSTER: &[Action] = &[Action::new("rds", "DescribeGlobalClusters")];
    const ZONE: &[Action] = &[
        Action::new("route53", "ListHostedZonesByName"),
        Action::new("route53", "GetHostedZone"),
        Action::new("route53", "ListResourceRecordSets"),
    ];
    const HEALTH_CHECK: &[Action] = &[
        Action::new("route53", "ListHealthChecks"),
        Action::new("route53", "ListTagsForResources"),
    ];
    const DNS_CHANGE: &[Action] = &[Action::new("route53", "GetChange")];
    const TOPIC: &[Action] = &[Action::new("sns", "GetTopicAttributes")];
    const BUCKET: &[Action] = &[
        Action::new("s3", "GetBucketLocation"),
        Action::new("s3", "GetBucketVersioning"),
        Action::new("s3", "GetReplicationConfiguration"),
    ];
    match kind {
        ResourceKind::Asg => ASG,
        ResourceKind::EcsService => ECS_SERVICE,
        ResourceKind::Table => TABLE,
        ResourceKind::Volume => VOLUME,
        ResourceKind::EbsSnapshot => EBS_SNAPSHOT,
        ResourceKind::DbInstance => DB_INSTANCE,
        ResourceKind::DbCluster => DB_CLUSTER,
        ResourceKind::DbSnapshot => DB_SNAPSHOT,
        ResourceKind::DbClusterSnapshot => DB_CLUSTER_SNAPSHOT,
        ResourceKind::GlobalCluster => GLOBAL_CLUSTER,
        ResourceKind::Zone | ResourceKind::Record => ZONE,
        ResourceKind::HealthCheck => HEALTH_CHECK,
        ResourceKind::DnsChange => DNS_CHANGE,
        ResourceKind::Topic => TOPIC,
        ResourceKind::Bucket => BUCKET,
    }
}

/// The kind of snapshot `latest_snapshot` lists for a resource of `kind`, if it has any.
fn snapshot_kind(kind: ResourceKind) -> Option<ResourceKind> {
    match kind {
        ResourceKind::Volume => Some(ResourceKind::EbsSnapshot),
        ResourceKind::DbInstance => Some(ResourceKind::DbSnapshot),
        ResourceKind::DbCluster => Some(ResourceKind::DbClusterSnapshot),
        ResourceKind::Asg
        | ResourceKind::EcsService
        | ResourceKind::Table
        | ResourceKind::EbsSnapshot
        | ResourceKind::DbSnapshot
        | ResourceKind::DbClusterSnapshot
        | ResourceKind::GlobalCluster
        | ResourceKind::Zone
        | ResourceKind::Record
        | ResourceKind::HealthCheck
        | ResourceKind::DnsChange
        | ResourceKind::Topic
        | ResourceKind::Bucket => None,
    }
}

fn reads_of(kind: ResourceKind) -> impl Iterator<Item = Permission> {
    kind_reads(kind).iter().map(|a| Permission::anywhere(*a))
}

/// Why a permission is in the policy, for reviewers and for the live test's oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// The capture `apply` starts with.
    Capture,
    /// A call of the plan (its request, its lookups, what it reads before it is sent).
    Call,
    /// A wait's polls, a check, a query of the runbook.
    Read,
    /// Only sent to settle a call whose answer was lost (its effect check).
    EffectCheck,
}

/// The permissions a live run of `plan` needs, with why: the capture of `regions`, then per
/// step and per query of the runbook (`queries`: what the dry-run asked its backend) what the
/// live backend sends.
pub fn needs(plan: &Plan, queries: &[Query], scope: &Scope) -> Vec<(Permission, Reason)> {
    let mut out: Vec<(Permission, Reason)> = CAPTURE_READS
        .iter()
        .map(|a| (Permission::anywhere(*a), Reason::Capture))
        .collect();
    for step in plan.steps() {
        match &step.kind {
            StepKind::Call { call } => {
                out.extend(call.iam(scope).into_iter().map(|p| (p, Reason::Call)));
                let effect = call.effect();
                if effect.needs_before() {
                    out.extend(effect_reads(&effect).map(|p| (p, Reason::Call)));
                }
                out.extend(effect_reads(&effect).map(|p| (p, Reason::EffectCheck)));
            }
            StepKind::Wait { wait } => {
                out.extend(reads_of(wait.target.kind()).map(|p| (p, Reason::Read)));
            }
            StepKind::Check { check } => {
                out.extend(check_reads(check).map(|p| (p, Reason::Read)));
            }
            StepKind::Approval { .. } | StepKind::Note { .. } => {}
        }
    }
    for query in queries {
        out.extend(query_reads(query).into_iter().map(|p| (p, Reason::Read)));
    }
    out
}

/// What an effect check reads ([`Effect::read_target`], or the tag search of
/// [`Effect::Tagged`]).
fn effect_reads(effect: &Effect) -> impl Iterator<Item = Permission> {
    let kind = match effect {
        Effect::Tagged { kind, .. } => Some(*kind),
        other => other.read_target().map(|t: Target| t.kind()),
    };
    kind.into_iter().flat_map(reads_of)
}

fn check_reads(check: &CheckSpec) -> impl Iterator<Item = Permission> {
    match check {
        // The bucket's region and replication, and each destination's region.
        CheckSpec::BucketReplication { .. } => reads_of(ResourceKind::Bucket),
        CheckSpec::TableReplica { .. } => reads_of(ResourceKind::Table),
    }
}

fn query_reads(query: &Query) -> Vec<Permission> {
    match query {
        Query::Describe { target } => reads_of(target.kind()).collect(),
        Query::LatestSnapshot { target } => {
            let kind = target.kind();
            reads_of(kind)
                .chain(snapshot_kind(kind).into_iter().flat_map(reads_of))
                .collect()
        }
        // Answered from what the backend has heard, without a request.
        Query::Reachable { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Call;
    use crate::ops;
    use crate::plan::{PlanItem, RunbookInfo, RunbookMeta};
    use crate::policy::PolicyDocument;
    use crate::step::{Origin, Step, WaitSpec, WaitState};
    use std::collections::BTreeSet;

    fn world() -> Inventory {
        let yaml = r#"
version: 1
account: "123456789012"
captured_at: 2026-11-24T03:00:00Z
regions:
  us-west-2:
    auto_scaling_groups:
      - { name: web, min_size: 1, max_size: 2, desired_capacity: 1 }
health_checks:
  - { id: hc-1, name: Primary }
"#;
        serde_yaml::from_str(yaml).expect("a valid inventory")
    }

    fn step(kind: StepKind) -> PlanItem {
        PlanItem::Step(Step {
            index: 1,
            kind,
            service: String::new(),
            operation: String::new(),
            region: None,
            target: None,
            resolved: None,
            creates: None,
            changes: Vec::new(),
            at_secs: 0,
            duration_secs: 0,
            warnings: Vec::new(),
            notes: Vec::new(),
            origin: Origin {
                file: "r.rhai".into(),
                line: 1,
                column: 1,
                via: None,
            },
        })
    }

    fn plan(items: Vec<PlanItem>) -> Plan {
        let mut plan = Plan::new(
            RunbookInfo {
                path: "r.rhai".into(),
                sha256: String::new(),
                meta: RunbookMeta::default(),
            },
            None,
        );
        plan.items = items;
        plan
    }

    #[test]
    fn calls_are_scoped_to_their_resources_and_reads_are_everywhere() {
        let world = world();
        let scope = Scope {
            account: "123456789012",
            world: &world,
        };
        let scale = Call::from(ops::UpdateAutoScalingGroup {
            region: "us-west-2".into(),
            auto_scaling_group_name: "web".into(),
            min_size: Some(2),
            max_size: None,
            desired_capacity: None,
        });
        let check = Call::from(ops::UpdateHealthCheck {
            health_check: "Primary".into(),
            disabled: Some(true),
            inverted: None,
        });
        let wait = StepKind::Wait {
            wait: WaitSpec {
                target: Target::Asg {
                    name: "web".into(),
                    region: "us-west-2".into(),
                },
                until: WaitState::InService,
                timeout_secs: 60,
            },
        };
        let plan = plan(vec![
            step(StepKind::Call { call: scale }),
            step(StepKind::Call { call: check }),
            step(wait),
        ]);
        let needs = needs(&plan, &[], &scope);
        let policy = PolicyDocument::allowing(needs.iter().map(|(p, _)| p.clone()));
        assert_eq!(policy.version, "2012-10-17");
        assert_eq!(policy.statement[0].resource, ["*"]);
        assert!(policy.allows(
            "autoscaling:UpdateAutoScalingGroup",
            "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:0f1e:autoScalingGroupName/web"
        ));
        assert!(!policy.allows(
            "autoscaling:UpdateAutoScalingGroup",
            "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:0f1e:autoScalingGroupName/app"
        ));
        assert!(policy.allows(
            "route53:UpdateHealthCheck",
            "arn:aws:route53:::healthcheck/hc-1"
        ));
        assert!(policy.allows("autoscaling:DescribeAutoScalingGroups", "anything"));
        // The health check's Name tag is resolved by listing the checks and their tags.
        assert!(policy.allows("route53:ListTagsForResources", "*"));
        // Nothing of the account guard.
        assert!(!policy
            .statement
            .iter()
            .any(|s| s.action.iter().any(|a| a.starts_with("sts:"))));
        let effect_checks: Vec<String> = needs
            .iter()
            .filter(|(_, r)| *r == Reason::EffectCheck)
            .map(|(p, _)| p.action.to_string())
            .collect();
        assert!(effect_checks.contains(&"autoscaling:DescribeAutoScalingGroups".to_string()));
    }

    #[test]
    fn every_kind_has_reads_and_the_capture_reads_are_unique() {
        for kind in ResourceKind::ALL {
            assert!(!kind_reads(kind).is_empty(), "{kind:?}");
        }
        let unique: BTreeSet<&Action> = CAPTURE_READS.iter().collect();
        assert_eq!(unique.len(), CAPTURE_READS.len());
    }
}
