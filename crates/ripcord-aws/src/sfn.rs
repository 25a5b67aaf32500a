//! `StepFunctions`: a compiled plan deployed as a state machine, its executions started,
//! followed and answered (`ripcord deploy`, `apply --engine step-functions`,
//! `approve`; docs/step-functions.md).

use crate::errors::{FromSdk, Op};
use aws_sdk_sfn::types::{HistoryEvent, StateMachineType, Tag};
use ripcord_core::BackendError;
use std::collections::BTreeMap;

/// Step Functions in one region, through the live backend's runtime and SDK configuration
/// (endpoint, credentials, retries and timeouts as for every other request).
pub struct StepFunctions<'b> {
    runtime: &'b tokio::runtime::Runtime,
    client: aws_sdk_sfn::Client,
    region: String,
}

/// What `deploy` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub arn: String,
    /// Created now (else an existing state machine of that name was updated).
    pub created: bool,
}

/// An execution as `DescribeExecution` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionStatus {
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`.
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// A succeeded execution's output (JSON): the state the next stage of a plan starts with.
    pub output: Option<String>,
}

impl ExecutionStatus {
    pub fn is_running(&self) -> bool {
        matches!(self.status.as_str(), "RUNNING" | "PENDING_REDRIVE")
    }
}

/// One event of an execution's history, with what ripcord reads of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    /// The event it follows (a task's events chain back to its state's entry).
    pub previous: i64,
    /// When it happened, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// `TaskStateEntered`, `PassStateEntered`, `TaskScheduled`, `TaskFailed`, ...
    pub kind: String,
    /// The state entered or left (`*StateEntered`, `*StateExited`).
    pub state: Option<String>,
    /// A state's input (entered) or output (exited), JSON.
    pub data: Option<String>,
    /// A task's resource (`sns:publish.waitForTaskToken`; scheduled, succeeded or failed)
    /// and, scheduled, its parameters (JSON).
    pub resource: Option<String>,
    pub parameters: Option<String>,
    /// A failure's error and cause (a task's, or the execution's).
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl<'b> StepFunctions<'b> {
    pub(crate) fn new(
        runtime: &'b tokio::runtime::Runtime,
        base: &aws_config::SdkConfig,
        region: &str,
    ) -> StepFunctions<'b> {
        let config = aws_sdk_sfn::config::Builder::from(base)
            .region(aws_sdk_sfn::config::Region::new(region.to_string()))
            .build();
        StepFunctions {
            runtime,
            client: aws_sdk_sfn::Client::from_conf(config),
            region: region.to_string(),
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The ARN of the state machine named `name`, if there is one.
    pub fn find(&self, name: &str) -> Result<Option<String>, BackendError> {
        let op = Op::new("states", "ListStateMachines");
        let mut token = None;
        loop {
            let page = self
                .runtime
                .block_on(
                    self.client
                        .list_state_machines()
                        .set_next_token(token.take())
                        .send(),
                )
                .map_err(|e| op.sdk(e))?;
            if let Some(found) = page.state_machines().iter().find(|m| m.name() == name) {
                return Ok(Some(found.state_machine_arn().to_string()));
            }
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(None),
            }
        }
    }

    /// The definition of a state machine (Amazon States Language, JSON).
    pub fn definition(&self, arn: &str) -> Result<String, BackendError> {
        let op = Op::new("states", "DescribeStateMachine");
        let out = self
            .runtime
            .block_on(
                self.client
                    .describe_state_machine()
                    .state_machine_arn(arn)
                    .send(),
            )
            .map_err(|e| op.sdk(e))?;
        Ok(out.definition().to_string())
    }

    /// The tags of a state machine.
    pub fn tags(&self, arn: &str) -> Result<BTreeMap<String, String>, BackendError> {
        let op = Op::new("states", "ListTagsForResource");
        let out = self
            .runtime
            .block_on(
                self.client
                    .list_tags_for_resource()
                    .resource_arn(arn)
                    .send(),
            )
            .map_err(|e| op.sdk(e))?;
        Ok(out
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect())
    }

    /// Creates the Standard state machine `name`, or updates its definition, role and tags.
    pub fn deploy(
        &self,
        name: &str,
        definition: &str,
        role_arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Deployed, BackendError> {
        let tag_list: Vec<Tag> = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        if let Some(arn) = self.find(name)? {
            let op = Op::new("states", "UpdateStateMachine");
            self.runtime
                .block_on(
                    self.client
                        .update_state_machine()
                        .state_machine_arn(&arn)
                        .definition(definition)
                        .role_arn(role_arn)
                        .send(),
                )
                .map_err(|e| op.sdk(e))?;
            let op = Op::new("states", "TagResource");
            self.runtime
                .block_on(
                    self.client
                        .tag_resource()
                        .resource_arn(&arn)
                        .set_tags(Some(tag_list))
                        .send(),
                )
                .map_err(|e| op.sdk(e))?;
            return Ok(Deployed {
                arn,
                created: false,
            });
        }
        let op = Op::new("states", "CreateStateMachine");
        let out = self
            .runtime
            .block_on(
                self.client
                    .create_state_machine()
                    .name(name)
                    .definition(definition)
                    .role_arn(role_arn)
                    .r#type(StateMachineType::Standard)
                    .set_tags(Some(tag_list))
                    .send(),
            )
            .map_err(|e| op.sdk(e))?;
        Ok(Deployed {
            arn: out.state_machine_arn().to_string(),
            created: true,
        })
    }

    /// Starts an execution named `name` (unique per state machine for 90 days: starting the
    /// same name again with the same input returns the running execution, not a second one).
    pub fn start(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> Result<String, BackendError> {
        let op = Op::new("states", "StartExecution");
        let out = self
            .runtime
            .block_on(
                self.client
                    .start_execution()
                    .state_machine_arn(state_machine_arn)
                    .name(name)
                    .input(input)
                    .send(),
            )
            .map_err(|e| op.sdk(e))?;
        Ok(out.execution_arn().to_string())
    }

    pub fn describe(&self, execution_arn: &str) -> Result<ExecutionStatus, BackendError> {
        let op = Op::new("states", "DescribeExecution");
        let out = self
            .runtime
            .block_on(
                self.client
                    .describe_execution()
                    .execution_arn(execution_arn)
                    .send(),
            )
            .map_err(|e| op.sdk(e))?;
        Ok(ExecutionStatus {
            status: out.status().as_str().to_string(),
            error: out.error().map(str::to_string),
            cause: out.cause().map(str::to_string),
            output: out.output().map(str::to_string),
        })
    }

    /// The events of the execution's history after event `after` (0: all), oldest first.
    pub fn history(&self, execution_arn: &str, after: i64) -> Result<Vec<Event>, BackendError> {
        let op = Op::new("states", "GetExecutionHistory");
        let mut token = None;
        let mut out = Vec::new();
        loop {
            let page = self
                .runtime
                .block_on(
                    self.client
                        .get_execution_history()
                        .execution_arn(execution_arn)
                        .include_execution_data(true)
                        .set_next_token(token.take())
                        .send(),
                )
                .map_err(|e| op.sdk(e))?;
            out.extend(page.events().iter().filter(|e| e.id() > after).map(event));
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    /// Answers a task token: success continues the execution, failure ends the task with
    /// `ripcord.Declined` and `cause`.
    pub fn answer(&self, token: &str, approve: bool, cause: &str) -> Result<(), BackendError> {
        if approve {
            let op = Op::new("states", "SendTaskSuccess");
            let output = serde_json::json!({ "Approved": true, "By": cause }).to_string();
            self.runtime
                .block_on(
                    self.client
                        .send_task_success()
                        .task_token(token)
                        .output(output)
                        .send(),
                )
                .map_err(|e| op.sdk(e))?;
        } else {
            let op = Op::new("states", "SendTaskFailure");
            self.runtime
                .block_on(
                    self.client
                        .send_task_failure()
                        .task_token(token)
                        .error("ripcord.Declined")
                        .cause(cause)
                        .send(),
                )
                .map_err(|e| op.sdk(e))?;
        }
        Ok(())
    }
}

/// The parts of an SDK history event ripcord reads.
fn event(e: &HistoryEvent) -> Event {
    let at = e.timestamp();
    let mut out = Event {
        id: e.id(),
        previous: e.previous_event_id(),
        at_ms: at.secs() * 1000 + i64::from(at.subsec_nanos() / 1_000_000),
        kind: e.r#type().as_str().to_string(),
        state: None,
        data: None,
        resource: None,
        parameters: None,
        error: None,
        cause: None,
    };
    if let Some(d) = e.state_entered_event_details() {
        out.state = Some(d.name().to_string());
        out.data = d.input().map(str::to_string);
    }
    if let Some(d) = e.state_exited_event_details() {
        out.state = Some(d.name().to_string());
        out.data = d.output().map(str::to_string);
    }
    if let Some(d) = e.task_scheduled_event_details() {
        out.resource = Some(format!("{}:{}", d.resource_type(), d.resource()));
        out.parameters = Some(d.parameters().to_string());
    }
    if let Some(d) = e.task_succeeded_event_details() {
        out.resource = Some(format!("{}:{}", d.resource_type(), d.resource()));
        out.data = d.output().map(str::to_string);
    }
    if let Some(d) = e.task_failed_event_details() {
        out.resource = Some(format!("{}:{}", d.resource_type(), d.resource()));
        out.error = d.error().map(str::to_string);
        out.cause = d.cause().map(str::to_string);
    }
    if let Some(d) = e.task_timed_out_event_details() {
        out.resource = Some(format!("{}:{}", d.resource_type(), d.resource()));
        out.error = d.error().map(str::to_string);
        out.cause = d.cause().map(str::to_string);
    }
    if let Some(d) = e.execution_failed_event_details() {
        out.error = d.error().map(str::to_string);
        out.cause = d.cause().map(str::to_string);
    }
    out
}
