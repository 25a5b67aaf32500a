//! One recorded step of a run: an AWS call, a wait, an approval gate, a check or a note.

use crate::call::Call;
use crate::error::BackendError;
use crate::op::Op;
use crate::target::Target;
use serde::{Deserialize, Serialize};

/// What a step does. Calls mutate AWS; everything else only reads or pauses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepKind {
    /// A mutating AWS API call.
    Call { call: Call },
    /// Poll a resource until it reaches a state, with a timeout.
    Wait { wait: WaitSpec },
    /// A read-only readiness check that fails the run when it does not hold.
    Check { check: CheckSpec },
    /// A human gate: nothing after it runs until someone approves.
    Approval { message: String },
    /// A line the runbook printed, kept in order with the calls.
    Note { text: String },
}

/// A state a `wait` polls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitState {
    /// DB instance, DB cluster, DB snapshot or cluster snapshot status `available`.
    Available,
    /// EBS snapshot state `completed`.
    Completed,
    /// As many InService instances in the Auto Scaling group as its desired capacity.
    InService,
    /// Route 53 change status `INSYNC`.
    InSync,
    /// DynamoDB table status `ACTIVE`, and every replica of the global table `ACTIVE`.
    Active,
    /// An ECS service is steady: as many running tasks as desired, its primary deployment
    /// completed (the SDK's `services_stable` waiter).
    Steady,
    /// The resource no longer exists (a DB cluster or global database being deleted frees its
    /// identifier only then).
    Deleted,
}

impl WaitState {
    /// The word a runbook uses for this state.
    pub fn as_str(&self) -> &'static str {
        match self {
            WaitState::Available => "available",
            WaitState::Completed => "completed",
            WaitState::InService => "in_service",
            WaitState::InSync => "in_sync",
            WaitState::Active => "active",
            WaitState::Steady => "steady",
            WaitState::Deleted => "deleted",
        }
    }

    /// Parses the runbook's word; `None` names no known state.
    pub fn parse(word: &str) -> Option<WaitState> {
        match word {
            "available" => Some(WaitState::Available),
            "completed" => Some(WaitState::Completed),
            "in_service" | "inservice" => Some(WaitState::InService),
            "in_sync" | "insync" => Some(WaitState::InSync),
            "active" => Some(WaitState::Active),
            "steady" | "stable" => Some(WaitState::Steady),
            "deleted" => Some(WaitState::Deleted),
            _ => None,
        }
    }
}

/// A wait: the resource, the state and how long to wait at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitSpec {
    pub target: Target,
    pub until: WaitState,
    pub timeout_secs: u64,
}

impl WaitSpec {
    /// The describe operation a live backend polls (and the plan shows).
    pub fn operation(&self) -> &'static str {
        self.target.kind().describe_operation()
    }
}

/// A readiness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum CheckSpec {
    /// s3 GetBucketReplication: an enabled rule replicates `bucket` into a bucket in `region`.
    BucketReplication { bucket: String, region: String },
    /// dynamodb DescribeTable: the global table `table`, read in `region`, has an ACTIVE
    /// replica in `replica_region` (the active/active analogue of a replicated bucket).
    TableReplica {
        table: String,
        region: String,
        replica_region: String,
    },
}

impl CheckSpec {
    /// The error of a check that does not hold, the same in both backends: `None` when there
    /// is nothing to check at all (no replication configuration), else what was read instead
    /// (one entry per rule), for the help line.
    pub fn unmet(&self, found: Option<&[String]>) -> BackendError {
        let op = Op::new(self.service(), self.operation());
        match (self, found) {
            (CheckSpec::BucketReplication { bucket, region }, None) => op
                .rejected(
                    "ReplicationConfigurationNotFoundError",
                    format!("The replication configuration was not found (bucket {bucket})."),
                )
                .with_help(format!(
                    "enable it with enable_replication(bucket(\"{bucket}\"), DESTINATION, #{{...}}) into a bucket in {region}"
                )),
            (CheckSpec::BucketReplication { bucket, region }, Some(found)) => {
                let found = if found.is_empty() {
                    "the configuration has no rules".to_string()
                } else {
                    format!("found: {}", found.join("; "))
                };
                op.rejected(
                    "ReplicationNotConfigured",
                    format!(
                        "No enabled replication rule copies bucket {bucket} into a bucket in {region}."
                    ),
                )
                .with_help(found)
            }
            (
                CheckSpec::TableReplica {
                    table,
                    region,
                    replica_region,
                },
                found,
            ) => {
                let found = match found {
                    None => format!("table {table} does not exist in {region}"),
                    Some([]) => format!("table {table} in {region} has no replicas"),
                    Some(found) => format!("replicas of {table}: {}", found.join(", ")),
                };
                op.rejected(
                    "ReplicaNotActive",
                    format!(
                        "Table {table} in {region} has no ACTIVE replica in {replica_region}."
                    ),
                )
                .with_help(format!(
                    "{found}; add one with add_replica(table(\"{table}\", \"{region}\"), \"{replica_region}\") and wait(..., \"active\")"
                ))
            }
        }
    }

    pub fn service(&self) -> &'static str {
        match self {
            CheckSpec::BucketReplication { .. } => "s3",
            CheckSpec::TableReplica { .. } => "dynamodb",
        }
    }

    pub fn operation(&self) -> &'static str {
        match self {
            CheckSpec::BucketReplication { .. } => "GetBucketReplication",
            CheckSpec::TableReplica { .. } => "DescribeTable",
        }
    }

    pub fn target(&self) -> Target {
        match self {
            CheckSpec::BucketReplication { bucket, .. } => Target::Bucket {
                name: bucket.clone(),
            },
            CheckSpec::TableReplica { table, region, .. } => Target::Table {
                name: table.clone(),
                region: region.clone(),
            },
        }
    }
}

/// One attribute that a step changes, as the plan shows it: `DesiredCapacity 2 -> 4`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The AWS attribute name (`DesiredCapacity`, `Status`, `Disabled`, ...).
    pub field: String,
    /// `None` when the attribute (or the whole resource) does not exist before.
    pub before: Option<String>,
    /// `None` when the step removes it.
    pub after: Option<String>,
}

impl Change {
    pub fn new(field: &str, before: Option<String>, after: Option<String>) -> Change {
        Change {
            field: field.to_string(),
            before,
            after,
        }
    }
}

/// Where in the runbook a step comes from (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The runbook path as given, or `stdlib/NAME.rhai` for a standard-library module.
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// When the call sits in an imported function: the runbook line that called into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Box<Origin>>,
}

/// One recorded step: what it does, where, what it changes and how long it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based, in the order the runbook issued the steps; 0 for notes, which are not steps.
    pub index: u32,
    #[serde(flatten)]
    pub kind: StepKind,
    pub service: String,
    pub operation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The resource acted on; `None` for approvals and notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The id or ARN the target resolved to, when it differs from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// A resource the step creates (a snapshot id, a change id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creates: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Seconds from the start of the run when the step starts (virtual in a dry-run).
    pub at_secs: u64,
    /// Estimated (dry-run) or measured (live) duration in seconds.
    pub duration_secs: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What a reviewer should know of the step before the day, whatever the world: a
    /// dependency on a global control plane in us-east-1 ([`Step::notes_for`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub origin: Origin,
}

impl Step {
    /// The notes every record of a step of this kind carries, dry or live: the endpoint's
    /// control-plane note (`Endpoint::control_plane_note`), and for a call that does not take
    /// effect exactly once what a lost answer does (`Effect::lost_answer_note`).
    pub fn notes_for(kind: &StepKind) -> Vec<String> {
        let lost_answer = match kind {
            StepKind::Call { call } => call.effect().lost_answer_note(),
            _ => None,
        };
        crate::Endpoint::of_step(kind)
            .and_then(|endpoint| endpoint.control_plane_note())
            .into_iter()
            .chain(lost_answer)
            .collect()
    }

    /// True for steps that change AWS state.
    pub fn is_mutating(&self) -> bool {
        matches!(self.kind, StepKind::Call { .. })
    }
}
