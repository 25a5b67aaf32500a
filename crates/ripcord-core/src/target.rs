//! Resource handles: what a runbook names (by name, never by account-specific id).

use crate::step::WaitState;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A resource addressed the way a runbook addresses it: by name (or Name tag) and region.
///
/// Targets are portable across accounts; a backend resolves them to ids and ARNs at the
/// moment of the call, so the same runbook plans against a captured inventory and applies
/// against the live account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// An Auto Scaling group.
    Asg { name: String, region: String },
    /// An EBS volume, by volume id (`vol-...`) or Name tag.
    Volume { name: String, region: String },
    /// An EBS snapshot, by snapshot id (`snap-...`) or Name tag.
    EbsSnapshot { name: String, region: String },
    /// An RDS DB instance, by identifier.
    DbInstance { name: String, region: String },
    /// An Aurora DB cluster, by identifier.
    DbCluster { name: String, region: String },
    /// A manual or automated RDS DB snapshot, by identifier.
    DbSnapshot { name: String, region: String },
    /// An Aurora DB cluster snapshot, by identifier.
    DbClusterSnapshot { name: String, region: String },
    /// An Aurora global database, by global cluster identifier (global: no region).
    GlobalCluster { name: String },
    /// A Route 53 public or private hosted zone, by domain name (`example.com`).
    Zone { name: String },
    /// A record set in a hosted zone; `set_id` distinguishes failover/weighted sets.
    Record {
        zone: String,
        name: String,
        #[serde(rename = "type")]
        rtype: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set_id: Option<String>,
    },
    /// A Route 53 health check, by Name tag or id.
    HealthCheck { name: String },
    /// A Route 53 change batch, by change id (returned by `flip_dns`).
    DnsChange { name: String },
    /// An SNS topic, by topic name.
    Topic { name: String, region: String },
    /// An S3 bucket, by bucket name (global namespace).
    Bucket { name: String },
}

/// The kind of a [`Target`], for messages and plan columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Asg,
    Volume,
    EbsSnapshot,
    DbInstance,
    DbCluster,
    DbSnapshot,
    DbClusterSnapshot,
    GlobalCluster,
    Zone,
    Record,
    HealthCheck,
    DnsChange,
    Topic,
    Bucket,
}

impl ResourceKind {
    /// The one state a resource of this kind can be waited for, if it has a waiter.
    pub fn wait_state(self) -> Option<WaitState> {
        match self {
            ResourceKind::Asg => Some(WaitState::InService),
            ResourceKind::EbsSnapshot => Some(WaitState::Completed),
            ResourceKind::DnsChange => Some(WaitState::InSync),
            ResourceKind::Volume
            | ResourceKind::DbInstance
            | ResourceKind::DbCluster
            | ResourceKind::DbSnapshot
            | ResourceKind::DbClusterSnapshot
            | ResourceKind::GlobalCluster => Some(WaitState::Available),
            _ => None,
        }
    }

    /// The message and help of an `UnsupportedWaitState` error, the same in both backends.
    pub fn unsupported_wait(self, state: &WaitState) -> (String, String) {
        (
            format!(
                "{} cannot be waited on until '{}'",
                self.a_noun(),
                state.as_str()
            ),
            format!("states for {}: {}", self.a_noun(), self.wait_states_help()),
        )
    }

    /// The states this kind can be waited for, for the help of a wrong one.
    pub fn wait_states_help(self) -> String {
        match self.wait_state() {
            Some(state) => format!("\"{}\"", state.as_str()),
            None => "none: only Auto Scaling groups, volumes, snapshots, RDS resources and DNS changes have waiters".to_string(),
        }
    }

    /// The noun an AWS error message would use ("Auto Scaling group", "DB cluster", ...).
    pub fn noun(self) -> &'static str {
        match self {
            ResourceKind::Asg => "Auto Scaling group",
            ResourceKind::Volume => "EBS volume",
            ResourceKind::EbsSnapshot => "EBS snapshot",
            ResourceKind::DbInstance => "DB instance",
            ResourceKind::DbCluster => "DB cluster",
            ResourceKind::DbSnapshot => "DB snapshot",
            ResourceKind::DbClusterSnapshot => "DB cluster snapshot",
            ResourceKind::GlobalCluster => "global cluster",
            ResourceKind::Zone => "hosted zone",
            ResourceKind::Record => "record set",
            ResourceKind::HealthCheck => "health check",
            ResourceKind::DnsChange => "Route 53 change",
            ResourceKind::Topic => "SNS topic",
            ResourceKind::Bucket => "S3 bucket",
        }
    }

    /// The AWS service that owns resources of this kind (`autoscaling`, `ec2`, `rds`, ...).
    pub fn service(self) -> &'static str {
        match self {
            ResourceKind::Asg => "autoscaling",
            ResourceKind::Volume | ResourceKind::EbsSnapshot => "ec2",
            ResourceKind::DbInstance
            | ResourceKind::DbCluster
            | ResourceKind::DbSnapshot
            | ResourceKind::DbClusterSnapshot
            | ResourceKind::GlobalCluster => "rds",
            ResourceKind::Zone
            | ResourceKind::Record
            | ResourceKind::HealthCheck
            | ResourceKind::DnsChange => "route53",
            ResourceKind::Topic => "sns",
            ResourceKind::Bucket => "s3",
        }
    }

    /// The read API a Describe query of this kind stands for, the same in both backends.
    pub fn describe_operation(self) -> &'static str {
        match self {
            ResourceKind::Asg => "DescribeAutoScalingGroups",
            ResourceKind::Volume => "DescribeVolumes",
            ResourceKind::EbsSnapshot => "DescribeSnapshots",
            ResourceKind::DbInstance => "DescribeDBInstances",
            ResourceKind::DbCluster => "DescribeDBClusters",
            ResourceKind::DbSnapshot => "DescribeDBSnapshots",
            ResourceKind::DbClusterSnapshot => "DescribeDBClusterSnapshots",
            ResourceKind::GlobalCluster => "DescribeGlobalClusters",
            ResourceKind::Zone => "GetHostedZone",
            ResourceKind::Record => "ListResourceRecordSets",
            ResourceKind::HealthCheck => "GetHealthCheck",
            ResourceKind::DnsChange => "GetChange",
            ResourceKind::Topic => "GetTopicAttributes",
            ResourceKind::Bucket => "GetBucketReplication",
        }
    }

    /// The noun with its article, for sentences ("an Auto Scaling group", "a DB cluster").
    pub fn a_noun(self) -> &'static str {
        match self {
            ResourceKind::Asg => "an Auto Scaling group",
            ResourceKind::Volume => "an EBS volume",
            ResourceKind::EbsSnapshot => "an EBS snapshot",
            ResourceKind::DbInstance => "a DB instance",
            ResourceKind::DbCluster => "a DB cluster",
            ResourceKind::DbSnapshot => "a DB snapshot",
            ResourceKind::DbClusterSnapshot => "a DB cluster snapshot",
            ResourceKind::GlobalCluster => "a global cluster",
            ResourceKind::Zone => "a hosted zone",
            ResourceKind::Record => "a record set",
            ResourceKind::HealthCheck => "a health check",
            ResourceKind::DnsChange => "a Route 53 change",
            ResourceKind::Topic => "an SNS topic",
            ResourceKind::Bucket => "an S3 bucket",
        }
    }

    /// The error code AWS answers with when a resource of this kind does not exist; the
    /// simulation and the live backend both report it, so a dry-run says what apply would.
    pub fn not_found_code(self) -> &'static str {
        match self {
            // Auto Scaling really reports an unknown group as a validation error.
            ResourceKind::Asg => "ValidationError",
            ResourceKind::Volume => "InvalidVolume.NotFound",
            ResourceKind::EbsSnapshot => "InvalidSnapshot.NotFound",
            ResourceKind::DbInstance => "DBInstanceNotFound",
            ResourceKind::DbCluster => "DBClusterNotFoundFault",
            ResourceKind::DbSnapshot => "DBSnapshotNotFound",
            ResourceKind::DbClusterSnapshot => "DBClusterSnapshotNotFoundFault",
            ResourceKind::GlobalCluster => "GlobalClusterNotFoundFault",
            ResourceKind::Zone => "NoSuchHostedZone",
            ResourceKind::Record => "InvalidChangeBatch",
            ResourceKind::HealthCheck => "NoSuchHealthCheck",
            ResourceKind::DnsChange => "NoSuchChange",
            ResourceKind::Topic => "NotFound",
            ResourceKind::Bucket => "NoSuchBucket",
        }
    }

    /// The name of the Rhai constructor that makes a handle of this kind.
    pub fn constructor(self) -> &'static str {
        match self {
            ResourceKind::Asg => "asg",
            ResourceKind::Volume => "volume",
            ResourceKind::EbsSnapshot => "ebs_snapshot",
            ResourceKind::DbInstance => "db_instance",
            ResourceKind::DbCluster => "db_cluster",
            ResourceKind::DbSnapshot => "db_snapshot",
            ResourceKind::DbClusterSnapshot => "db_cluster_snapshot",
            ResourceKind::GlobalCluster => "aurora_global",
            ResourceKind::Zone => "zone",
            ResourceKind::Record => "record",
            ResourceKind::HealthCheck => "health_check",
            ResourceKind::DnsChange => "dns_change",
            ResourceKind::Topic => "topic",
            ResourceKind::Bucket => "bucket",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

impl Target {
    /// The message and help of an `AmbiguousName` error: several resources of this kind carry
    /// the Name tag this target gives. Both backends say it in these words.
    pub fn ambiguous_name(&self, ids: &[&str]) -> (String, String) {
        let place = self
            .region()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default();
        (
            format!(
                "{} {} resources{place} have the Name tag '{}'",
                ids.len(),
                self.kind().noun(),
                self.name()
            ),
            format!(
                "address one by id: {}; or make the Name tags unique",
                ids.join(", ")
            ),
        )
    }

    pub fn kind(&self) -> ResourceKind {
        match self {
            Target::Asg { .. } => ResourceKind::Asg,
            Target::Volume { .. } => ResourceKind::Volume,
            Target::EbsSnapshot { .. } => ResourceKind::EbsSnapshot,
            Target::DbInstance { .. } => ResourceKind::DbInstance,
            Target::DbCluster { .. } => ResourceKind::DbCluster,
            Target::DbSnapshot { .. } => ResourceKind::DbSnapshot,
            Target::DbClusterSnapshot { .. } => ResourceKind::DbClusterSnapshot,
            Target::GlobalCluster { .. } => ResourceKind::GlobalCluster,
            Target::Zone { .. } => ResourceKind::Zone,
            Target::Record { .. } => ResourceKind::Record,
            Target::HealthCheck { .. } => ResourceKind::HealthCheck,
            Target::DnsChange { .. } => ResourceKind::DnsChange,
            Target::Topic { .. } => ResourceKind::Topic,
            Target::Bucket { .. } => ResourceKind::Bucket,
        }
    }

    /// The name the runbook used (for a record: the record name).
    pub fn name(&self) -> &str {
        match self {
            Target::Asg { name, .. }
            | Target::Volume { name, .. }
            | Target::EbsSnapshot { name, .. }
            | Target::DbInstance { name, .. }
            | Target::DbCluster { name, .. }
            | Target::DbSnapshot { name, .. }
            | Target::DbClusterSnapshot { name, .. }
            | Target::GlobalCluster { name }
            | Target::Zone { name }
            | Target::Record { name, .. }
            | Target::HealthCheck { name }
            | Target::DnsChange { name }
            | Target::Topic { name, .. }
            | Target::Bucket { name } => name,
        }
    }

    /// The region of a regional resource; `None` for global ones (Route 53, S3 names, global clusters).
    pub fn region(&self) -> Option<&str> {
        match self {
            Target::Asg { region, .. }
            | Target::Volume { region, .. }
            | Target::EbsSnapshot { region, .. }
            | Target::DbInstance { region, .. }
            | Target::DbCluster { region, .. }
            | Target::DbSnapshot { region, .. }
            | Target::DbClusterSnapshot { region, .. }
            | Target::Topic { region, .. } => Some(region),
            Target::GlobalCluster { .. }
            | Target::Zone { .. }
            | Target::Record { .. }
            | Target::HealthCheck { .. }
            | Target::DnsChange { .. }
            | Target::Bucket { .. } => None,
        }
    }
}

impl fmt::Display for Target {
    /// How a target reads in plans and messages: `dr-web-asg`, `www.example.com A (Primary)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Record {
                name,
                rtype,
                set_id,
                ..
            } => {
                write!(f, "{name} {rtype}")?;
                if let Some(set_id) = set_id {
                    write!(f, " ({set_id})")?;
                }
                Ok(())
            }
            other => f.write_str(other.name()),
        }
    }
}
