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
    /// An ECS service, by cluster and service name.
    EcsService {
        cluster: String,
        name: String,
        region: String,
    },
    /// A DynamoDB table in one region (a global table has one per replica region).
    Table { name: String, region: String },
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
    EcsService,
    Table,
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

/// Everything core knows about one kind of resource: one row of [`ResourceKind::info`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The noun an AWS error message would use ("Auto Scaling group", "DB cluster", ...).
    pub noun: &'static str,
    /// The noun with its article, for sentences ("an Auto Scaling group").
    pub a_noun: &'static str,
    /// The name of the Rhai constructor that makes a handle of this kind.
    pub constructor: &'static str,
    /// The AWS service that owns resources of this kind (`autoscaling`, `ec2`, `rds`, ...).
    pub service: &'static str,
    /// The read API a Describe query (and a wait) of this kind stands for, in both backends.
    pub describe_operation: &'static str,
    /// The error code AWS answers with when a resource of this kind does not exist; the
    /// simulation and the live backend both report it, so a dry-run says what apply would.
    pub not_found_code: &'static str,
    /// The one state a resource of this kind can be waited for, if it has a waiter.
    pub wait_state: Option<WaitState>,
    /// Whether its handles carry a region.
    pub regional: bool,
    /// Where its reads (describe, waits) are answered, for outages.
    pub reads: Reads,
    /// Whether a runbook can wait until one is gone (`WaitState::Deleted`): the kinds ripcord
    /// deletes, whose identifier is free only then.
    pub waits_deleted: bool,
}

impl KindInfo {
    /// The row of a kind ripcord deletes: it can also be waited for until `deleted`.
    const fn deletable(self) -> KindInfo {
        KindInfo {
            waits_deleted: true,
            ..self
        }
    }
}

/// Where the read APIs of a resource kind are answered ([`crate::Endpoint::of_target`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// The regional endpoint of the resource's region.
    InRegion,
    /// S3's bucket APIs: the bucket's own region.
    InBucketRegion,
    /// A global service's control plane, in us-east-1 (Route 53's read APIs too).
    ControlPlane,
    /// Account-wide reads (global clusters): any region that answers.
    AnyRegion,
}

// Positional, so that the table below keeps one line per kind.
#[allow(clippy::too_many_arguments)]
const fn row(
    noun: &'static str,
    a_noun: &'static str,
    constructor: &'static str,
    service: &'static str,
    describe_operation: &'static str,
    not_found_code: &'static str,
    wait_state: Option<WaitState>,
    regional: bool,
    reads: Reads,
) -> KindInfo {
    KindInfo {
        noun,
        a_noun,
        constructor,
        service,
        describe_operation,
        not_found_code,
        wait_state,
        regional,
        reads,
        waits_deleted: false,
    }
}

use Reads::{AnyRegion, ControlPlane, InBucketRegion, InRegion};
use WaitState::{Active, Available, Completed, InService, InSync, Steady};

#[rustfmt::skip]
const ASG: KindInfo = row("Auto Scaling group", "an Auto Scaling group", "asg", "autoscaling", "DescribeAutoScalingGroups",
    // Auto Scaling really reports an unknown group as a validation error.
    "ValidationError", Some(InService), true, InRegion);
#[rustfmt::skip]
const ECS_SERVICE: KindInfo = row("ECS service", "an ECS service", "ecs_service", "ecs", "DescribeServices", "ServiceNotFoundException", Some(Steady), true, InRegion);
#[rustfmt::skip]
const TABLE: KindInfo = row("DynamoDB table", "a DynamoDB table", "table", "dynamodb", "DescribeTable", "ResourceNotFoundException", Some(Active), true, InRegion);
#[rustfmt::skip]
const VOLUME: KindInfo = row("EBS volume", "an EBS volume", "volume", "ec2", "DescribeVolumes", "InvalidVolume.NotFound", Some(Available), true, InRegion);
#[rustfmt::skip]
const EBS_SNAPSHOT: KindInfo = row("EBS snapshot", "an EBS snapshot", "ebs_snapshot", "ec2", "DescribeSnapshots", "InvalidSnapshot.NotFound", Some(Completed), true, InRegion);
#[rustfmt::skip]
const DB_INSTANCE: KindInfo = row("DB instance", "a DB instance", "db_instance", "rds", "DescribeDBInstances", "DBInstanceNotFound", Some(Available), true, InRegion).deletable();
#[rustfmt::skip]
const DB_CLUSTER: KindInfo = row("DB cluster", "a DB cluster", "db_cluster", "rds", "DescribeDBClusters", "DBClusterNotFoundFault", Some(Available), true, InRegion).deletable();
#[rustfmt::skip]
const DB_SNAPSHOT: KindInfo = row("DB snapshot", "a DB snapshot", "db_snapshot", "rds", "DescribeDBSnapshots", "DBSnapshotNotFound", Some(Available), true, InRegion);
#[rustfmt::skip]
const DB_CLUSTER_SNAPSHOT: KindInfo = row("DB cluster snapshot", "a DB cluster snapshot", "db_cluster_snapshot", "rds", "DescribeDBClusterSnapshots", "DBClusterSnapshotNotFoundFault", Some(Available), true, InRegion);
#[rustfmt::skip]
const GLOBAL_CLUSTER: KindInfo = row("global cluster", "a global cluster", "aurora_global", "rds", "DescribeGlobalClusters", "GlobalClusterNotFoundFault", Some(Available), false, AnyRegion).deletable();
#[rustfmt::skip]
const ZONE: KindInfo = row("hosted zone", "a hosted zone", "zone", "route53", "GetHostedZone", "NoSuchHostedZone", None, false, ControlPlane);
#[rustfmt::skip]
const RECORD: KindInfo = row("record set", "a record set", "record", "route53", "ListResourceRecordSets", "InvalidChangeBatch", None, false, ControlPlane);
#[rustfmt::skip]
const HEALTH_CHECK: KindInfo = row("health check", "a health check", "health_check", "route53", "GetHealthCheck", "NoSuchHealthCheck", None, false, ControlPlane);
#[rustfmt::skip]
const DNS_CHANGE: KindInfo = row("Route 53 change", "a Route 53 change", "dns_change", "route53", "GetChange", "NoSuchChange", Some(InSync), false, ControlPlane);
#[rustfmt::skip]
const TOPIC: KindInfo = row("SNS topic", "an SNS topic", "topic", "sns", "GetTopicAttributes", "NotFound", None, true, InRegion);
#[rustfmt::skip]
const BUCKET: KindInfo = row("S3 bucket", "an S3 bucket", "bucket", "s3", "GetBucketReplication", "NoSuchBucket", None, false, InBucketRegion);

impl ResourceKind {
    /// Every kind, in declaration order.
    pub const ALL: [ResourceKind; 16] = [
        ResourceKind::Asg,
        ResourceKind::EcsService,
        ResourceKind::Table,
        ResourceKind::Volume,
        ResourceKind::EbsSnapshot,
        ResourceKind::DbInstance,
        ResourceKind::DbCluster,
        ResourceKind::DbSnapshot,
        ResourceKind::DbClusterSnapshot,
        ResourceKind::GlobalCluster,
        ResourceKind::Zone,
        ResourceKind::Record,
        ResourceKind::HealthCheck,
        ResourceKind::DnsChange,
        ResourceKind::Topic,
        ResourceKind::Bucket,
    ];

    /// The kind's row of facts: the one table both backends and the interpreter read.
    pub const fn info(self) -> &'static KindInfo {
        match self {
            ResourceKind::Asg => &ASG,
            ResourceKind::EcsService => &ECS_SERVICE,
            ResourceKind::Table => &TABLE,
            ResourceKind::Volume => &VOLUME,
            ResourceKind::EbsSnapshot => &EBS_SNAPSHOT,
            ResourceKind::DbInstance => &DB_INSTANCE,
            ResourceKind::DbCluster => &DB_CLUSTER,
            ResourceKind::DbSnapshot => &DB_SNAPSHOT,
            ResourceKind::DbClusterSnapshot => &DB_CLUSTER_SNAPSHOT,
            ResourceKind::GlobalCluster => &GLOBAL_CLUSTER,
            ResourceKind::Zone => &ZONE,
            ResourceKind::Record => &RECORD,
            ResourceKind::HealthCheck => &HEALTH_CHECK,
            ResourceKind::DnsChange => &DNS_CHANGE,
            ResourceKind::Topic => &TOPIC,
            ResourceKind::Bucket => &BUCKET,
        }
    }

    /// The one state a resource of this kind can be waited for, if it has a waiter.
    pub fn wait_state(self) -> Option<WaitState> {
        self.info().wait_state
    }

    /// Whether a resource of this kind can be waited for until `state`: its wait state, or
    /// `deleted` for the kinds ripcord deletes. The interpreter, both backends and the Step
    /// Functions export accept exactly these.
    pub fn can_wait(self, state: &WaitState) -> bool {
        self.wait_state().as_ref() == Some(state)
            || (*state == WaitState::Deleted && self.info().waits_deleted)
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
            Some(state) if self.info().waits_deleted => {
                format!("\"{}\" or \"deleted\"", state.as_str())
            }
            Some(state) => format!("\"{}\"", state.as_str()),
            None => "none: only Auto Scaling groups, ECS services, DynamoDB tables, volumes, snapshots, RDS resources and DNS changes have waiters".to_string(),
        }
    }

    /// The noun an AWS error message would use ("Auto Scaling group", "DB cluster", ...).
    pub fn noun(self) -> &'static str {
        self.info().noun
    }

    /// The AWS service that owns resources of this kind (`autoscaling`, `ec2`, `rds`, ...).
    pub fn service(self) -> &'static str {
        self.info().service
    }

    /// The read API a Describe query or a wait of this kind stands for, in both backends.
    pub fn describe_operation(self) -> &'static str {
        self.info().describe_operation
    }

    /// The noun with its article, for sentences ("an Auto Scaling group", "a DB cluster").
    pub fn a_noun(self) -> &'static str {
        self.info().a_noun
    }

    /// The error code AWS answers with when a resource of this kind does not exist.
    pub fn not_found_code(self) -> &'static str {
        self.info().not_found_code
    }

    /// The name of the Rhai constructor that makes a handle of this kind.
    pub fn constructor(self) -> &'static str {
        self.info().constructor
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

impl Target {
    /// The handle of a resource addressed by kind, name and region (the region is ignored for
    /// global kinds). `None` for a record set, whose address also needs a zone and a type
    /// ([`Target::Record`]), and for an ECS service, whose address also needs its cluster.
    pub fn new(kind: ResourceKind, name: &str, region: Option<&str>) -> Option<Target> {
        let name = name.to_string();
        let region = region.unwrap_or_default().to_string();
        Some(match kind {
            ResourceKind::Asg => Target::Asg { name, region },
            ResourceKind::EcsService => return None,
            ResourceKind::Table => Target::Table { name, region },
            ResourceKind::Volume => Target::Volume { name, region },
            ResourceKind::EbsSnapshot => Target::EbsSnapshot { name, region },
            ResourceKind::DbInstance => Target::DbInstance { name, region },
            ResourceKind::DbCluster => Target::DbCluster { name, region },
            ResourceKind::DbSnapshot => Target::DbSnapshot { name, region },
            ResourceKind::DbClusterSnapshot => Target::DbClusterSnapshot { name, region },
            ResourceKind::GlobalCluster => Target::GlobalCluster { name },
            ResourceKind::Zone => Target::Zone { name },
            ResourceKind::Record => return None,
            ResourceKind::HealthCheck => Target::HealthCheck { name },
            ResourceKind::DnsChange => Target::DnsChange { name },
            ResourceKind::Topic => Target::Topic { name, region },
            ResourceKind::Bucket => Target::Bucket { name },
        })
    }

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

    /// AWS's wording for "this resource does not exist" (with the region for regional
    /// resources, which AWS leaves implicit): both backends say it in these words.
    pub fn not_found_message(&self) -> String {
        let name = self.name();
        let kind = self.kind();
        match (kind, self.region()) {
            (ResourceKind::Asg, Some(region)) => format!(
                "AutoScalingGroup name not found - AutoScalingGroup '{name}' not found in {region}"
            ),
            (ResourceKind::EcsService, Some(region)) => {
                format!("Service not found: {name} in {region}.")
            }
            (ResourceKind::Table, Some(region)) => {
                format!("Requested resource not found: Table: {name} not found in {region}")
            }
            (ResourceKind::Volume, Some(region)) => {
                format!("The volume '{name}' does not exist in {region}.")
            }
            (ResourceKind::EbsSnapshot, Some(region)) => {
                format!("The snapshot '{name}' does not exist in {region}.")
            }
            (ResourceKind::DbInstance, Some(region)) => {
                format!("DBInstance {name} not found in {region}.")
            }
            (ResourceKind::DbCluster, Some(region)) => {
                format!("DBCluster {name} not found in {region}.")
            }
            (ResourceKind::DbSnapshot, Some(region)) => {
                format!("DBSnapshot {name} not found in {region}.")
            }
            (ResourceKind::DbClusterSnapshot, Some(region)) => {
                format!("DBClusterSnapshot {name} not found in {region}.")
            }
            (ResourceKind::Topic, Some(region)) => {
                format!("Topic does not exist: {name} in {region}")
            }
            (ResourceKind::GlobalCluster, _) => format!("GlobalCluster {name} not found."),
            (ResourceKind::Zone, _) => format!("No hosted zone found with name or ID: {name}"),
            (ResourceKind::HealthCheck, _) => {
                format!("A health check with id or Name tag '{name}' does not exist.")
            }
            (ResourceKind::DnsChange, _) => {
                format!("A change with the specified change ID does not exist: {name}")
            }
            (ResourceKind::Bucket, _) => format!("The specified bucket does not exist: {name}"),
            (other, Some(region)) => {
                format!("{} '{name}' does not exist in {region}", other.noun())
            }
            (other, None) => format!("{} '{name}' does not exist", other.noun()),
        }
    }

    pub fn kind(&self) -> ResourceKind {
        match self {
            Target::Asg { .. } => ResourceKind::Asg,
            Target::EcsService { .. } => ResourceKind::EcsService,
            Target::Table { .. } => ResourceKind::Table,
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
            | Target::EcsService { name, .. }
            | Target::Table { name, .. }
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
            | Target::EcsService { region, .. }
            | Target::Table { region, .. }
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
    /// How a target reads in plans and messages: `dr-web-asg`, `www.example.com A (Primary)`,
    /// `web-cluster/web` (an ECS service, as in its ARN).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::EcsService { cluster, name, .. } => write!(f, "{cluster}/{name}"),
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
