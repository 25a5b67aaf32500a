//! What a wait polls in Step Functions: per resource kind, the describe request and the field
//! whose value says the resource reached its state (`ResourceKind::info`'s wait state).

use super::task::sdk_resource;
use crate::step::WaitState;
use crate::target::{ResourceKind, Target};
use serde_json::{json, Value};

/// One poll: the describe Task's integration and parameters, the `ResultSelector` that keeps
/// what the Choice reads (put at `{slot}.Last`), what the loop's counting Pass computes from
/// it beside the poll count (`{slot}.NAME`), and the Choice rule (without `Next`) that holds
/// once the resource is ready.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub resource: String,
    pub parameters: Value,
    pub selector: Value,
    /// Parameters of the counting Pass beyond the count (`InService.$`: an array's length,
    /// since a Choice cannot count).
    pub tally: serde_json::Map<String, Value>,
    pub ready: Value,
}

impl Poll {
    /// The poll of `target` for `until`; `id` is the target's id, or the JSONPath of the Task
    /// output that created it (`$.steps.s3.ChangeInfo.Id`), when it starts with `$`. The
    /// loop keeps its state at `slot`. `None` for a kind without a wait state (the
    /// interpreter only accepts waits a kind supports).
    pub fn of(target: &Target, until: WaitState, id: &str, slot: &str) -> Option<Poll> {
        let at = format!("{slot}.Last");
        let kind = target.kind();
        let info = kind.info();
        let resource = sdk_resource(info.service, info.describe_operation);
        // The id as a parameter: a JSONPath key (`Name.$`) when it comes from the execution.
        let param = |name: &str, list: bool| {
            let (key, value) = if id.starts_with('$') {
                let path = if list {
                    format!("States.Array({id})")
                } else {
                    id.to_string()
                };
                (format!("{name}.$"), Value::String(path))
            } else if list {
                (name.to_string(), json!([id]))
            } else {
                (name.to_string(), Value::String(id.to_string()))
            };
            let mut map = serde_json::Map::new();
            map.insert(key, value);
            Value::Object(map)
        };
        let status = |path: &str| json!({ "Status.$": path });
        let equals =
            |word: &str| json!({ "Variable": format!("{at}.Status"), "StringEquals": word });
        let mut tally = serde_json::Map::new();
        let (parameters, selector, ready) = match kind {
            ResourceKind::Asg => {
                // The InService instances by a JSONPath filter, counted by the Pass after.
                tally.insert(
                    "InService.$".into(),
                    format!("States.ArrayLength({at}.InService)").into(),
                );
                (
                    param("AutoScalingGroupNames", true),
                    json!({
                        "InService.$": "$.AutoScalingGroups[0].Instances[?(@.LifecycleState == 'InService')].InstanceId",
                        "Desired.$": "$.AutoScalingGroups[0].DesiredCapacity",
                    }),
                    json!({
                        "Variable": format!("{slot}.InService"),
                        "NumericGreaterThanEqualsPath": format!("{at}.Desired"),
                    }),
                )
            }
            ResourceKind::EcsService => {
                let cluster = match target {
                    Target::EcsService { cluster, .. } => cluster.clone(),
                    _ => String::new(),
                };
                let mut parameters = param("Services", true);
                parameters["Cluster"] = Value::String(cluster);
                (
                    parameters,
                    json!({
                        "Running.$": "$.Services[0].RunningCount",
                        "Desired.$": "$.Services[0].DesiredCount",
                        "Rollout.$": "$.Services[0].Deployments[?(@.Status == 'PRIMARY')].RolloutState",
                    }),
                    // The SDK's `services_stable` waiter: as many running as desired, and the
                    // primary deployment's rollout completed.
                    json!({ "And": [
                        { "Variable": format!("{at}.Running"), "NumericEqualsPath": format!("{at}.Desired") },
                        { "Variable": format!("{at}.Rollout[0]"), "StringEquals": "COMPLETED" },
                    ]}),
                )
            }
            ResourceKind::Table => {
                // The replicas not yet ACTIVE by a JSONPath filter, counted by the Pass after.
                tally.insert(
                    "Pending.$".into(),
                    format!("States.ArrayLength({at}.Pending)").into(),
                );
                (
                    param("TableName", false),
                    json!({
                        "Status.$": "$.Table.TableStatus",
                        "Pending.$": "$.Table.Replicas[?(@.ReplicaStatus != 'ACTIVE')].RegionName",
                    }),
                    json!({ "And": [
                        equals("ACTIVE"),
                        { "Variable": format!("{slot}.Pending"), "NumericEquals": 0 },
                    ]}),
                )
            }
            ResourceKind::Volume => (
                param("VolumeIds", true),
                status("$.Volumes[0].State"),
                equals("available"),
            ),
            ResourceKind::EbsSnapshot => (
                param("SnapshotIds", true),
                status("$.Snapshots[0].State"),
                equals("completed"),
            ),
            ResourceKind::DbInstance => (
                param("DBInstanceIdentifier", false),
                status("$.DBInstances[0].DBInstanceStatus"),
                equals("available"),
            ),
            ResourceKind::DbCluster => (
                param("DBClusterIdentifier", false),
                status("$.DBClusters[0].Status"),
                equals("available"),
            ),
            ResourceKind::DbSnapshot => (
                param("DBSnapshotIdentifier", false),
                status("$.DBSnapshots[0].Status"),
                equals("available"),
            ),
            ResourceKind::DbClusterSnapshot => (
                param("DBClusterSnapshotIdentifier", false),
                status("$.DBClusterSnapshots[0].Status"),
                equals("available"),
            ),
            ResourceKind::GlobalCluster => (
                param("GlobalClusterIdentifier", false),
                status("$.GlobalClusters[0].Status"),
                equals("available"),
            ),
            ResourceKind::DnsChange => (
                param("Id", false),
                status("$.ChangeInfo.Status"),
                equals("INSYNC"),
            ),
            ResourceKind::Zone
            | ResourceKind::Record
            | ResourceKind::HealthCheck
            | ResourceKind::Topic
            | ResourceKind::Bucket => return None,
        };
        // The until-state is the kind's one wait state; another would not have passed the
        // interpreter, so a mismatch means a hand-edited plan. (`deleted` polls the describe
        // of the kind's wait state for its not-found error: the compiler's.)
        if kind.wait_state() != Some(until) {
            return None;
        }
        Some(Poll {
            resource,
            parameters,
            selector,
            tally,
            ready,
        })
    }
}
