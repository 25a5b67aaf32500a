//! The plan compiled to states: a forward pass numbers every state (its name begins with its
//! sequence number, so the document reads in plan order), a backward pass links each step to
//! the one after it.

use super::budget::{step_events, BRANCH_EVENTS, EXECUTION_EVENTS, PARALLEL_EVENTS};
use super::clock::with_runtime_values;
use super::guard::{format_literal, Guard};
use super::machine::{
    Catcher, Choice, Fail, Graph, Parallel, Pass, Retrier, Sleep, State, StateMachine, Succeed,
    Task, Transition,
};
use super::poll::Poll;
use super::resume::{self, Resume};
use super::retry::{retries, second_attempt_is_harmless};
use super::{
    ExportError, ExportOptions, Exported, SfnContext, SfnTask, Stage, APPROVAL_TOPIC_INPUT,
};
use crate::plan::{Plan, PlanItem};
use crate::step::{CheckSpec, Origin, Step, StepKind, WaitSpec, WaitState};
use crate::target::ResourceKind;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The name of the state that ends a successful execution (after every numbered state).
pub const SUCCEEDED: &str = "Succeeded";

/// ASL's limit on the length of a state name.
const MAX_NAME: usize = 80;

/// The longest suffix a step's helper states add to its name (`.8 not configured`).
const MAX_SUFFIX: usize = 18;

/// The suffix of the Pass state every step (but a note) goes through when it succeeded: its
/// `PassStateEntered` event is how a follower of the execution knows the step is done (its
/// input carries the step's result), whatever kind of states the step is made of.
pub const DONE: &str = ".0 done";

/// The first state of every machine: where a resumed execution starts (`super::resume`).
pub const RESUME: &str = "000 resume?";

/// Before it, in a plan whose messages quote `elapsed()`: whether the state has the run's
/// start, and the Pass that takes it from the execution's when not (`super::clock`).
pub const RUN_STARTED: &str = "000 run started?";
const RUN_STARTS: &str = "000 run starts";

/// A plan item with the number of its states.
#[derive(Clone)]
enum Node<'p> {
    Step(String, &'p Step),
    /// Its name, its number, where the state keeps what its branches created (`gK` of
    /// `$.groups`; `gKrJ` for region J's share of a group split by region), its branches with
    /// their number in the group (1-based: a share keeps the numbers of the whole group's).
    Parallel(String, u32, String, Vec<(usize, Vec<Node<'p>>)>),
}

/// The compilation of one plan.
pub struct Compiler<'p> {
    plan: &'p Plan,
    seq: u32,
    /// The topic approvals are published to: a topic name or ARN, or `None` for the
    /// execution input's `ApprovalTopicArn`.
    approval_topic: Option<String>,
    poll_interval_secs: u64,
    region: Option<String>,
    budget: super::Budget,
    /// What the run creates that a later step reads (its id in a request, or a wait on it).
    referenced: std::collections::BTreeSet<String>,
    /// What earlier calls created (`Step::creates`) -> where the output of the Task that
    /// created it is (`$.steps.sN`, or `$.groups.gK.sN` after a parallel group) and its kind.
    created: BTreeMap<String, (String, ResourceKind)>,
    /// A request quotes `elapsed()`: every machine keeps the run's start in its state.
    run_start: bool,
}

impl<'p> Compiler<'p> {
    pub fn new(plan: &'p Plan, options: &ExportOptions) -> Compiler<'p> {
        Compiler {
            plan,
            seq: 0,
            approval_topic: options.approval_topic.clone(),
            poll_interval_secs: options.poll_interval_secs.max(1),
            region: options.region.clone(),
            budget: options.budget,
            referenced: referenced(plan),
            created: BTreeMap::new(),
            run_start: quotes_elapsed(plan),
        }
    }

    /// The whole state machine.
    pub fn compile(mut self) -> Result<StateMachine, ExportError> {
        self.check()?;
        let nodes = self.number(&self.plan.items.iter().collect::<Vec<_>>());
        self.machine(&nodes, "")
    }

    /// The plan within the budget: one machine, or parts in order and their parent.
    pub fn compile_parts(mut self) -> Result<Exported, ExportError> {
        self.check()?;
        let nodes = self.number(&self.plan.items.iter().collect::<Vec<_>>());
        self.parts_of(&nodes, "")
    }

    /// The plan as stages by region, each within the budget.
    pub fn compile_stages(mut self) -> Result<Vec<Stage>, ExportError> {
        if let Some(failure) = &self.plan.failure {
            return Err(ExportError::PlanFailed(failure.message.clone()));
        }
        let nodes = self.number(&self.plan.items.iter().collect::<Vec<_>>());
        let staged = stages_of(nodes)?;
        let regions = self.fitted(staged.iter().map(|(r, _)| r.clone()).collect())?;
        let total = staged.len();
        let options_topic = self.approval_topic.clone();
        let mut out = Vec::new();
        for (k, ((_, nodes), region)) in staged.iter().zip(regions).enumerate() {
            let what = match (total, &region) {
                (1, _) => String::new(),
                (_, Some(region)) => format!(", stage {} of {total} ({region})", k + 1),
                (_, None) => format!(", stage {} of {total}", k + 1),
            };
            // Each stage's gates publish in its region.
            let topic = options_topic.as_deref().zip(region.as_deref());
            self.approval_topic = match (topic, total) {
                (Some((topic, region)), 2..) => Some(super::topic_in(topic, region)),
                _ => options_topic.clone(),
            };
            out.push(Stage {
                exported: self.parts_of(nodes, &what)?,
                region,
            });
        }
        Ok(out)
    }

    /// The region of each stage, in order, fitted to `--region` ([`Compiler::fitted`]).
    pub fn stage_regions(mut self) -> Result<Vec<Option<String>>, ExportError> {
        let nodes = self.number(&self.plan.items.iter().collect::<Vec<_>>());
        let regions = stages_of(nodes)?.into_iter().map(|(r, _)| r).collect();
        self.fitted(regions)
    }

    /// The stages' `regions` as `--region` (`self.region`) fits them, the one rule of export,
    /// deploy and apply: a plan whose steps name regions must include the one given (else
    /// refused, its steps named, as a plan in one region deployed elsewhere always was); a
    /// stage naming no region runs in the one given (`None` without it).
    fn fitted(&self, regions: Vec<Option<String>>) -> Result<Vec<Option<String>>, ExportError> {
        if let Some(given) = &self.region {
            let named: Vec<&String> = regions.iter().flatten().collect();
            if !named.is_empty() && !named.contains(&given) {
                self.check()?;
            }
        }
        Ok(regions
            .into_iter()
            .map(|region| region.or_else(|| self.region.clone()))
            .collect())
    }

    /// `nodes` within the budget: one machine, or parts in order and their parent; `what`
    /// ends their comments (the stage they are).
    fn parts_of(&mut self, nodes: &[Node], what: &str) -> Result<Exported, ExportError> {
        let whole = self.machine(nodes, what)?;
        let interval = self.poll_interval_secs;
        let events: Vec<u64> = nodes.iter().map(|n| node_events(n, interval)).collect();
        let budget = self.budget;
        let fits = |bytes: usize, events: u64| {
            bytes <= budget.definition_bytes && events + EXECUTION_EVENTS <= budget.events
        };
        if fits(json_len(&whole), events.iter().sum()) {
            return Ok(Exported {
                main: whole,
                parts: Vec::new(),
            });
        }
        // Each item's states measured alone, then items packed in order into parts.
        let mut chunks: Vec<Vec<usize>> = Vec::new();
        let (mut bytes, mut spent) = (0usize, 0u64);
        for (i, node) in nodes.iter().enumerate() {
            let mut alone = BTreeMap::new();
            self.emit(
                std::slice::from_ref(node),
                Some(SUCCEEDED.to_string()),
                &mut alone,
            )?;
            // With its rule in the part's resume Choice.
            let size = nested_len(&alone) + 2 * node_name(node).len() + 160;
            if !fits(size, events[i]) {
                let why = match node {
                    Node::Parallel(..) => "a parallel group is not split across executions yet",
                    Node::Step(..) => {
                        "one step is not split: a longer poll interval makes a wait's loop shorter"
                    }
                };
                return Err(ExportError::TooLarge(format!(
                    "{} alone is expected to take {} history events and {size} bytes of definition, more than one execution may (budget {} events, {} bytes): {why}",
                    node_label(node),
                    events[i],
                    budget.events,
                    budget.definition_bytes
                )));
            }
            match chunks.last_mut() {
                Some(chunk) if fits(bytes + size, spent + events[i]) => {
                    chunk.push(i);
                    bytes += size;
                    spent += events[i];
                }
                _ => {
                    chunks.push(vec![i]);
                    (bytes, spent) = (size, events[i]);
                }
            }
        }
        let total = chunks.len();
        let mut parts = Vec::new();
        for (k, chunk) in chunks.iter().enumerate() {
            let part: Vec<Node> = chunk.iter().map(|&i| nodes[i].clone()).collect();
            let machine = self.machine(&part, &format!("{what}, part {} of {total}", k + 1))?;
            // The measure above is of the items apart; the quota is of the whole document.
            let size = json_len(&machine);
            if size > super::budget::DEFINITION_MAX_BYTES {
                return Err(ExportError::TooLarge(format!(
                    "part {} of {total} is {size} bytes, over Step Functions' {} bytes",
                    k + 1,
                    super::budget::DEFINITION_MAX_BYTES
                )));
            }
            parts.push(machine);
        }
        Ok(Exported {
            main: self.parent(total, what),
            parts,
        })
    }

    /// The parent of `total` parts: each started as a child execution of the part's state
    /// machine (the parent's ARN and the part's suffix) under the parent execution's name and
    /// the suffix, given the state the part before it left, and waited for.
    fn parent(&self, total: usize, what: &str) -> StateMachine {
        let mut states = BTreeMap::new();
        states.insert(SUCCEEDED.to_string(), State::Succeed(Succeed {}));
        let name = |k: usize| format!("{k:03} part {k} of {total}");
        // A resumed execution starts at the part of its resume point (its number, not its
        // items: a rule per item would not fit the parent of a 10,000-step plan).
        let mut rules =
            vec![json!({ "Variable": resume::RESUME_PART, "IsPresent": false, "Next": name(1) })];
        for k in 1..=total {
            rules.push(
                json!({ "Variable": resume::RESUME_PART, "NumericEquals": k, "Next": name(k) }),
            );
        }
        states.insert(
            RESUME.to_string(),
            State::Choice(Choice {
                choices: rules,
                default: name(1),
            }),
        );
        for k in 1..=total {
            let suffix = super::part_suffix(k);
            let next = if k == total {
                SUCCEEDED.to_string()
            } else {
                name(k + 1)
            };
            states.insert(
                name(k),
                State::Task(Box::new(Task {
                    comment: Some(format!("runs the state machine of part {k}")),
                    resource: "arn:aws:states:::states:startExecution.sync:2".into(),
                    parameters: json!({
                        "StateMachineArn.$": format!("States.Format('{{}}{suffix}', $$.StateMachine.Id)"),
                        "Name.$": format!("States.Format('{{}}{suffix}', $$.Execution.Name)"),
                        "Input.$": "$",
                    }),
                    result_selector: None,
                    result_path: Value::String("$".into()),
                    output_path: Some("$.Output".into()),
                    timeout_seconds: None,
                    // As AWS's guide to nested workflows advises: the account's quota of
                    // executions started at once.
                    retry: vec![Retrier {
                        error_equals: vec!["StepFunctions.ExecutionLimitExceeded".into()],
                        interval_seconds: 2,
                        max_attempts: 6,
                        backoff_rate: 2.0,
                    }],
                    catch: Vec::new(),
                    transition: Transition::to(Some(&next)),
                })),
            );
        }
        StateMachine {
            comment: format!("{}{what}, the parent of its {total} parts", self.comment()),
            graph: Graph {
                start_at: RESUME.to_string(),
                states,
            },
        }
    }

    fn comment(&self) -> String {
        let runbook = &self.plan.runbook;
        let name = runbook.meta.name.as_deref().unwrap_or(&runbook.path);
        format!(
            "ripcord: {name} ({}, sha256 {}), exported from its reviewed plan",
            runbook.path, runbook.sha256
        )
    }

    /// A machine of `nodes`, ending in its own Succeeded state, starting with the Choice
    /// of a resumed execution.
    fn machine(&mut self, nodes: &[Node], what: &str) -> Result<StateMachine, ExportError> {
        let mut states = BTreeMap::new();
        states.insert(SUCCEEDED.to_string(), State::Succeed(Succeed {}));
        let start = self
            .emit(nodes, Some(SUCCEEDED.to_string()), &mut states)?
            .unwrap_or_else(|| SUCCEEDED.to_string());
        let targets: Vec<(String, String)> = nodes
            .iter()
            .map(|node| (node_name(node).to_string(), node_name(node).to_string()))
            .collect();
        states.insert(RESUME.to_string(), resume_choice(&targets, &start));
        let mut start_at = RESUME.to_string();
        if self.run_start {
            // A message quotes `elapsed()`: the run's start is in the state, from the input
            // (`apply` gives it, and each stage and part passes it on) or, in an execution
            // started otherwise, from its own start.
            states.insert(
                RUN_STARTS.to_string(),
                State::Pass(Pass {
                    comment: Some("the run starts with this execution".into()),
                    parameters: Some(json!({ "At.$": "$$.Execution.StartTime" })),
                    result: None,
                    result_path: Some("$.RunStartedAt".into()),
                    transition: Transition::to(Some(RESUME)),
                }),
            );
            states.insert(
                RUN_STARTED.to_string(),
                State::Choice(Choice {
                    choices: vec![json!({
                        "Variable": super::clock::RUN_STARTED_AT,
                        "IsPresent": false,
                        "Next": RUN_STARTS,
                    })],
                    default: RESUME.to_string(),
                }),
            );
            start_at = RUN_STARTED.to_string();
        }
        Ok(StateMachine {
            comment: format!("{}{what}", self.comment()),
            graph: Graph { start_at, states },
        })
    }

    /// A plan that stopped on a failure, or with steps outside the deploy region, is refused.
    fn check(&self) -> Result<(), ExportError> {
        if let Some(failure) = &self.plan.failure {
            return Err(ExportError::PlanFailed(failure.message.clone()));
        }
        if let Some(region) = &self.region {
            let steps: Vec<String> = self
                .plan
                .steps()
                .filter_map(|step| {
                    let theirs = step.region.as_deref()?;
                    (theirs != region).then(|| {
                        format!(
                            "step {} {} in {theirs} ({})",
                            step.index,
                            step.operation,
                            origin(&step.origin)
                        )
                    })
                })
                .collect();
            if !steps.is_empty() {
                return Err(ExportError::OtherRegion {
                    region: region.clone(),
                    steps,
                });
            }
        }
        Ok(())
    }

    fn number<'a>(&mut self, items: &[&'a PlanItem]) -> Vec<Node<'a>> {
        items
            .iter()
            .map(|item| match item {
                PlanItem::Step(step) => self.number_step(step),
                PlanItem::Parallel(group) => {
                    self.seq += 1;
                    let number = self.seq;
                    let prefix = format!("{number:03} Parallel");
                    let branches = group
                        .branches
                        .iter()
                        .enumerate()
                        .map(|(i, branch)| {
                            (i + 1, branch.iter().map(|s| self.number_step(s)).collect())
                        })
                        .collect();
                    Node::Parallel(prefix, number, format!("g{number}"), branches)
                }
            })
            .collect()
    }

    fn number_step<'a>(&mut self, step: &'a Step) -> Node<'a> {
        self.seq += 1;
        let what = match &step.kind {
            StepKind::Note { .. } => "note".to_string(),
            StepKind::Approval { .. } => "approval".to_string(),
            _ => match &step.target {
                Some(target) => format!("{} {}", step.operation, target.name()),
                None => step.operation.clone(),
            },
        };
        // Room is left for the helper states' suffixes: no state name passes ASL's limit.
        let name: String = format!("{:03} {what}", self.seq)
            .chars()
            .take(MAX_NAME - MAX_SUFFIX)
            .collect();
        Node::Step(name, step)
    }

    /// Emits `nodes` in order, the last going to `tail` (or ending its graph); returns the
    /// first state's name (`tail` when there are none).
    fn emit(
        &mut self,
        nodes: &[Node],
        tail: Option<String>,
        states: &mut BTreeMap<String, State>,
    ) -> Result<Option<String>, ExportError> {
        // What earlier steps create is known before later ones read it: record it forward
        // (a branch records its own again, inside the branch, when it is emitted).
        for node in nodes {
            self.record_created(node);
        }
        let mut next = tail;
        for node in nodes.iter().rev() {
            next = Some(match node {
                Node::Step(name, step) => self.emit_step(name, step, next, states)?,
                Node::Parallel(name, group, slot, branches) => {
                    let mut graphs = Vec::new();
                    // What the branches created, kept for the steps after the group; the rest
                    // of the branches' outputs is dropped (the next step gets the input).
                    let mut kept = serde_json::Map::new();
                    for (i, (_, branch)) in branches.iter().enumerate() {
                        for index in created_in(branch, &self.referenced) {
                            kept.insert(
                                format!("s{index}.$"),
                                format!("$[{i}].steps.s{index}").into(),
                            );
                        }
                    }
                    for (number, branch) in branches {
                        let mut inner = BTreeMap::new();
                        let start = match self.emit(branch, None, &mut inner)? {
                            Some(start) => start,
                            None => {
                                let empty = format!("{name} branch {number} (empty)");
                                inner.insert(empty.clone(), pass(None, None));
                                empty
                            }
                        };
                        // A resumed execution starts the branch at its first step not done,
                        // or ends it at once.
                        let path = resume::branch_path(&resume::branch_key(*group, *number));
                        let skipped = format!("{name}.b{number} resumed done");
                        inner.insert(skipped.clone(), pass(None, None));
                        let mut rules = vec![
                            json!({ "Variable": path, "IsPresent": false, "Next": start }),
                            json!({ "Variable": path, "StringEquals": resume::BRANCH_DONE, "Next": skipped }),
                        ];
                        for node in branch {
                            if let Node::Step(first, step) = node {
                                if !matches!(step.kind, StepKind::Note { .. }) {
                                    rules.push(json!({ "Variable": path, "StringEquals": first, "Next": first }));
                                }
                            }
                        }
                        let entry = format!("{name}.b{number} resume?");
                        inner.insert(
                            entry.clone(),
                            State::Choice(Choice {
                                choices: rules,
                                default: start,
                            }),
                        );
                        graphs.push(Graph {
                            start_at: entry,
                            states: inner,
                        });
                    }
                    states.insert(
                        name.clone(),
                        State::Parallel(Parallel {
                            branches: graphs,
                            result_path: if kept.is_empty() {
                                Value::Null
                            } else {
                                format!("$.groups.{slot}").into()
                            },
                            result_selector: (!kept.is_empty()).then_some(Value::Object(kept)),
                            catch: Vec::new(),
                            transition: Transition::to(next.as_deref()),
                        }),
                    );
                    name.clone()
                }
            });
        }
        Ok(next)
    }

    fn record_created(&mut self, node: &Node) {
        match node {
            Node::Step(_, step) => {
                if let Some((id, kind)) =
                    creation(step).filter(|(id, _)| self.referenced.contains(id))
                {
                    let at = format!("$.steps.s{}", step.index);
                    self.created.insert(id, (at, kind));
                }
            }
            Node::Parallel(_, _, slot, branches) => {
                for node in branches.iter().flat_map(|(_, branch)| branch) {
                    if let Node::Step(_, step) = node {
                        if let Some((id, kind)) =
                            creation(step).filter(|(id, _)| self.referenced.contains(id))
                        {
                            let at = format!("$.groups.{slot}.s{}", step.index);
                            self.created.insert(id, (at, kind));
                        }
                    }
                }
            }
        }
    }

    fn emit_step(
        &mut self,
        name: &str,
        step: &Step,
        next: Option<String>,
        states: &mut BTreeMap<String, State>,
    ) -> Result<String, ExportError> {
        let at = origin(&step.origin);
        if let StepKind::Note { text } = &step.kind {
            states.insert(name.to_string(), pass(Some(text.clone()), next.as_deref()));
            return Ok(name.to_string());
        }
        let done = format!("{name}{DONE}");
        states.insert(done.clone(), pass(None, next.as_deref()));
        let next = Some(done);
        match &step.kind {
            StepKind::Note { .. } => {}
            StepKind::Call { call } => {
                let ctx = SfnContext {
                    resolved: step.resolved.as_deref(),
                    account: self.account(),
                };
                let tasks = call.step_functions_requests(&ctx);
                if tasks.len() != call.request_count() {
                    return Err(ExportError::NotYet(format!(
                        "step {} ({at}) is sent as {} requests but exports as {} Tasks",
                        step.index,
                        call.request_count(),
                        tasks.len()
                    )));
                }
                // A guarded call is sent from its own state, after the guard that takes the
                // step's name.
                let guard = Guard::of(step);
                let send = match &guard {
                    Some(_) => format!("{name}.1 send"),
                    None => name.to_string(),
                };
                if let Some(guard) = &guard {
                    emit_guard(name, step, guard, &send, states);
                }
                let failed = format!("{name}.9 failed");
                states.insert(
                    failed.clone(),
                    fail(
                        "ripcord.StepFailed",
                        format!("step {} {} failed ({at})", step.index, step.operation),
                    ),
                );
                // A batch AWS takes in parts: one Task per request, in order, each result at
                // the step's slot (the last one's, as the live backend keeps it). Only what a
                // later step reads is kept: the rest of the answers would grow the state past
                // its quota in a long plan (the follower reads them from the history).
                let result_path = match &step.creates {
                    Some(id) if self.referenced.contains(id) => {
                        Value::String(format!("$.steps.s{}", step.index))
                    }
                    _ => Value::Null,
                };
                let names: Vec<String> = (0..tasks.len())
                    .map(|i| match i {
                        0 => send.clone(),
                        _ => format!("{name}.r{} send", i + 1),
                    })
                    .collect();
                for (i, task) in tasks.into_iter().enumerate() {
                    let SfnTask {
                        resource,
                        parameters,
                    } = task;
                    let parameters = self.with_created_ids(parameters);
                    let (parameters, _) = with_runtime_values(parameters, &self.plan.clock);
                    let after = names.get(i + 1).cloned().or_else(|| next.clone());
                    states.insert(
                        names[i].clone(),
                        State::Task(Box::new(Task {
                            comment: Some(if names.len() > 1 {
                                format!("{at} (request {} of {})", i + 1, names.len())
                            } else {
                                at.clone()
                            }),
                            resource,
                            parameters: Value::Object(parameters),
                            result_selector: None,
                            result_path: result_path.clone(),
                            output_path: None,
                            timeout_seconds: None,
                            retry: retries(
                                call.service(),
                                second_attempt_is_harmless(call.descriptor().idempotency),
                            ),
                            catch: vec![catch_all(&failed)],
                            transition: Transition::to(after.as_deref()),
                        })),
                    );
                }
            }
            StepKind::Wait { wait } => self.emit_wait(name, step, wait, next, states)?,
            StepKind::Check { check } => emit_check(name, step, check, next, states),
            StepKind::Approval { message } => self.emit_approval(name, step, message, next, states),
        }
        Ok(name.to_string())
    }

    /// A polling loop: describe, count (and tally), Choice (ready -> next; out of polls ->
    /// Fail; else sleep and describe again).
    fn emit_wait(
        &self,
        name: &str,
        step: &Step,
        wait: &WaitSpec,
        next: Option<String>,
        states: &mut BTreeMap<String, State>,
    ) -> Result<(), ExportError> {
        let at = origin(&step.origin);
        let slot = format!("$.waits.s{}", step.index);
        let id = self.id_of(wait);
        let interval = self.poll_interval_secs;
        // Waiting for a deletion polls the kind's describe until it answers "not found": the
        // describe of its own wait state, whose answer only says the resource is still there.
        let deleted = wait.until == WaitState::Deleted;
        let polled = match (deleted, wait.target.kind().wait_state()) {
            (true, Some(state)) => state,
            _ => wait.until,
        };
        let poll = Poll::of(&wait.target, polled, &id, &slot).ok_or_else(|| {
            ExportError::NotYet(format!(
                "step {} ({at}): no poll for {} {}",
                step.index,
                wait.target.kind().noun(),
                wait.until.as_str()
            ))
        })?;
        // The wait's timeout as a number of polls: Step Functions has no timeout on a loop.
        let polls = wait.timeout_secs.div_ceil(interval).max(1);
        let (describe, count, ready, sleep) = (
            format!("{name}.1 poll"),
            format!("{name}.2 count"),
            format!("{name}.3 ready?"),
            format!("{name}.4 sleep"),
        );
        let (timed_out, failed) = (format!("{name}.8 timed out"), format!("{name}.9 failed"));
        let gone = format!("{name}.5 gone?");
        let done = next.unwrap_or_default();
        states.insert(
            name.to_string(),
            State::Pass(Pass {
                comment: Some(format!(
                    "{at}: wait until {} {}, at most {} s ({polls} polls every {interval} s)",
                    wait.target.name(),
                    wait.until.as_str(),
                    wait.timeout_secs
                )),
                parameters: None,
                result: Some(json!({ "Polls": 0 })),
                result_path: Some(slot.clone()),
                transition: Transition::to(Some(&describe)),
            }),
        );
        states.insert(
            describe.clone(),
            State::Task(Box::new(Task {
                comment: None,
                resource: poll.resource,
                parameters: poll.parameters,
                result_selector: Some(poll.selector),
                result_path: format!("{slot}.Last").into(),
                output_path: None,
                timeout_seconds: None,
                retry: retries(wait.target.kind().service(), true),
                catch: vec![if deleted {
                    Catcher {
                        error_equals: vec!["States.ALL".into()],
                        result_path: format!("{slot}.Error"),
                        next: gone.clone(),
                    }
                } else {
                    catch_all(&failed)
                }],
                transition: Transition::to(Some(&count)),
            })),
        );
        let out_of_polls = json!({
            "Variable": format!("{slot}.Polls"),
            "NumericGreaterThanEquals": polls,
            "Next": timed_out,
        });
        let choices = if deleted {
            // Still there: only the count decides. Gone is the describe's error, read below.
            states.insert(
                gone,
                State::Choice(Choice {
                    choices: vec![json!({
                        "Variable": format!("{slot}.Error.Error"),
                        "StringMatches": "*NotFound*",
                        "Next": done,
                    })],
                    default: failed.clone(),
                }),
            );
            vec![out_of_polls]
        } else {
            let mut rule = poll.ready;
            // Indexing a JSON object inserts the key: `Poll::ready` is always a `json!({...})`.
            rule["Next"] = Value::String(done);
            vec![rule, out_of_polls]
        };
        states.insert(
            ready.clone(),
            State::Choice(Choice {
                choices,
                default: sleep.clone(),
            }),
        );
        states.insert(
            sleep,
            State::Wait(Sleep {
                seconds: interval,
                transition: Transition::to(Some(&describe)),
            }),
        );
        // The count replaces the loop's state: the last answer is carried over, with what
        // the kind tallies from it.
        let mut tally = serde_json::Map::new();
        tally.insert(
            "Polls.$".into(),
            format!("States.MathAdd({slot}.Polls, 1)").into(),
        );
        tally.insert("Last.$".into(), format!("{slot}.Last").into());
        tally.extend(poll.tally);
        states.insert(
            count,
            State::Pass(Pass {
                comment: None,
                parameters: Some(Value::Object(tally)),
                result: None,
                result_path: Some(slot.clone()),
                transition: Transition::to(Some(&ready)),
            }),
        );
        states.insert(
            timed_out,
            fail(
                "ripcord.WaitTimedOut",
                format!(
                    "{} did not reach {} within {} s ({at})",
                    wait.target.name(),
                    wait.until.as_str(),
                    wait.timeout_secs
                ),
            ),
        );
        states.insert(
            failed,
            fail(
                "ripcord.WaitFailed",
                format!("{} of {} failed ({at})", step.operation, wait.target.name()),
            ),
        );
        Ok(())
    }

    /// The plan's account: its inventory's, else the one account its runbook declares.
    fn account(&self) -> Option<&'p str> {
        let plan = self.plan;
        let declared = match plan.runbook.meta.accounts.as_slice() {
            [account] => Some(account.as_str()),
            _ => None,
        };
        plan.inventory
            .as_ref()
            .and_then(|info| info.account.as_deref())
            .or(declared)
    }

    /// The parameters with every id the dry-run simulated for something the run creates (a
    /// snapshot a later step copies) replaced by the path of the id AWS returned.
    fn with_created_ids(
        &self,
        parameters: serde_json::Map<String, Value>,
    ) -> serde_json::Map<String, Value> {
        parameters
            .into_iter()
            .map(|(key, value)| {
                let path = value.as_str().and_then(|id| self.created_path(id));
                match path {
                    Some(path) => (format!("{key}.$"), Value::String(path)),
                    None => (key, value),
                }
            })
            .collect()
    }

    /// Where the id AWS returned for `id` (as the dry-run named it) is in the execution's
    /// state, when an earlier call of the run created it.
    fn created_path(&self, id: &str) -> Option<String> {
        let (at, field) = match self.created.get(id)? {
            (at, ResourceKind::DnsChange) => (at, "ChangeInfo.Id"),
            (at, ResourceKind::EbsSnapshot) => (at, "SnapshotId"),
            (at, ResourceKind::Volume) => (at, "VolumeId"),
            // RDS identifiers are the runbook's own: the same in the dry-run and in AWS.
            _ => return None,
        };
        Some(format!("{at}.{field}"))
    }

    /// The id a wait polls: the output of the Task that created the resource, or its name.
    fn id_of(&self, wait: &WaitSpec) -> String {
        let name = wait.target.name();
        self.created_path(name).unwrap_or_else(|| name.to_string())
    }

    /// A Task that publishes the message with a task token and waits for it to be answered.
    fn emit_approval(
        &self,
        name: &str,
        step: &Step,
        message: &str,
        next: Option<String>,
        states: &mut BTreeMap<String, State>,
    ) {
        let at = origin(&step.origin);
        let declined = format!("{name}.9 declined");
        let mut parameters = serde_json::Map::new();
        match &self.approval_topic {
            Some(topic) => {
                parameters.insert("TopicArn".into(), topic.clone().into());
            }
            None => {
                parameters.insert("TopicArn.$".into(), APPROVAL_TOPIC_INPUT.into());
            }
        }
        let runbook = self.plan.runbook.meta.name.as_deref().unwrap_or("runbook");
        parameters.insert(
            "Subject".into(),
            format!("ripcord approval: {runbook} step {}", step.index).into(),
        );
        parameters.insert(
            "Message".into(),
            json!({ "Approval": message, "Step": step.index, "TaskToken.$": "$$.Task.Token" }),
        );
        states.insert(
            declined.clone(),
            fail(
                "ripcord.Declined",
                format!("approval of step {} was declined ({at})", step.index),
            ),
        );
        states.insert(
            name.to_string(),
            State::Task(Box::new(Task {
                comment: Some(at),
                resource: "arn:aws:states:::sns:publish.waitForTaskToken".into(),
                parameters: Value::Object(parameters),
                result_selector: None,
                result_path: format!("$.approvals.s{}", step.index).into(),
                output_path: None,
                timeout_seconds: None,
                retry: retries("sns", false),
                catch: vec![catch_all(&declined)],
                transition: Transition::to(next.as_deref()),
            })),
        );
    }
}

/// The guard of a call: its target read again (the Task at the step's name), and a Choice
/// that sends the call (`send`) only when every value the plan relied on is still the one
/// reviewed; else a Fail `ripcord.StalePlan` naming the value, then and now.
fn emit_guard(
    name: &str,
    step: &Step,
    guard: &Guard,
    send: &str,
    states: &mut BTreeMap<String, State>,
) {
    let at = origin(&step.origin);
    let slot = format!("$.guards.s{}", step.index);
    let target = step.target.as_ref().map(|t| t.name()).unwrap_or_default();
    let (unchanged, gone) = (format!("{name}.6 unchanged?"), format!("{name}.7 gone"));
    let mut rules = Vec::new();
    if let Some(first) = guard.presence() {
        rules.push(json!({
            "Variable": format!("{slot}.{first}"),
            "IsPresent": false,
            "Next": gone,
        }));
    }
    for (i, field) in guard.fields.iter().enumerate() {
        let stale = format!("{name}.8 stale F{i}");
        rules.push(json!({ "Not": field.unchanged(&slot), "Next": stale }));
        let text = format!(
            "stale plan: {target} {} was {} when reviewed, is {{}} now (step {}, {at}): plan and review it again",
            field.field, field.before, step.index
        );
        // The literal is escaped for States.Format but for its one placeholder.
        let literal = format_literal(&text).replace("\\{\\}", "{}");
        states.insert(
            stale,
            State::Fail(Fail {
                error: STALE_PLAN.to_string(),
                cause: None,
                cause_path: Some(format!("States.Format('{literal}', {slot}.{})", field.at)),
            }),
        );
    }
    states.insert(
        gone.clone(),
        fail(
            STALE_PLAN,
            format!(
                "stale plan: {target} was not found when its state was checked against the reviewed plan (step {}, {at}): plan and review it again",
                step.index
            ),
        ),
    );
    states.insert(
        name.to_string(),
        State::Task(Box::new(Task {
            comment: Some(format!("{at}: the state the reviewed plan relied on")),
            resource: guard.resource.clone(),
            parameters: guard.parameters.clone(),
            result_selector: Some(guard.selector.clone()),
            result_path: slot.into(),
            output_path: None,
            timeout_seconds: None,
            retry: retries(
                step.target.as_ref().map_or("", |t| t.kind().service()),
                true,
            ),
            catch: vec![catch_all(&gone)],
            transition: Transition::to(Some(&unchanged)),
        })),
    );
    states.insert(
        unchanged,
        State::Choice(Choice {
            choices: rules,
            default: send.to_string(),
        }),
    );
}

/// The error of a guard that found a value moved since the review.
pub const STALE_PLAN: &str = "ripcord.StalePlan";

/// A describe Task and a Choice that fails with the check's own message when it does not hold.
fn emit_check(
    name: &str,
    step: &Step,
    check: &CheckSpec,
    next: Option<String>,
    states: &mut BTreeMap<String, State>,
) {
    let at = origin(&step.origin);
    let slot = format!("$.checks.s{}", step.index);
    let (holds, missing, unmet) = (
        format!("{name}.2 holds?"),
        format!("{name}.8 not configured"),
        format!("{name}.9 unmet"),
    );
    let (parameters, selector, rule) = match check {
        // An enabled first rule; the destination's region is checked by the plan, not here
        // (the response names the destination bucket, not its region).
        CheckSpec::BucketReplication { bucket, .. } => (
            json!({ "Bucket": bucket }),
            None,
            json!({
                "Variable": format!("{slot}.ReplicationConfiguration.Rules[0].Status"),
                "StringEquals": "Enabled",
            }),
        ),
        // A Choice reads reference paths only (no filters): the selector, a path with a
        // filter, picks the replica's status first.
        CheckSpec::TableReplica {
            table,
            replica_region,
            ..
        } => (
            json!({ "TableName": table }),
            Some(json!({
                "Status.$": format!("$.Table.Replicas[?(@.RegionName == '{replica_region}')].ReplicaStatus"),
            })),
            json!({
                "Variable": format!("{slot}.Status[0]"),
                "StringEquals": "ACTIVE",
            }),
        ),
    };
    let done = next.unwrap_or_default();
    let mut rule = rule;
    // Indexing a JSON object inserts the key: the rule above is a `json!({...})`.
    rule["Next"] = Value::String(done);
    states.insert(
        name.to_string(),
        State::Task(Box::new(Task {
            comment: Some(at.clone()),
            resource: super::task::sdk_resource(check.service(), check.operation()),
            parameters,
            result_selector: selector,
            result_path: slot.into(),
            output_path: None,
            timeout_seconds: None,
            retry: retries(check.service(), true),
            catch: vec![catch_all(&missing)],
            transition: Transition::to(Some(&holds)),
        })),
    );
    states.insert(
        holds,
        State::Choice(Choice {
            choices: vec![rule],
            default: unmet.clone(),
        }),
    );
    for (state, found) in [(missing, None), (unmet, Some(&[][..]))] {
        let error = check.unmet(found);
        states.insert(
            state,
            fail(&error.code, format!("{} ({at})", error.message)),
        );
    }
}

/// What a call step creates under an id AWS picks, and its kind.
fn creation(step: &Step) -> Option<(String, ResourceKind)> {
    match (&step.kind, &step.creates) {
        (StepKind::Call { call }, Some(id)) => {
            Some((id.clone(), call.descriptor().creates.kind()?))
        }
        _ => None,
    }
}

/// The indexes of the steps of a branch that create something a later step reads.
fn created_in(branch: &[Node], referenced: &std::collections::BTreeSet<String>) -> Vec<u32> {
    branch
        .iter()
        .filter_map(|node| match node {
            Node::Step(_, step) => creation(step)
                .filter(|(id, _)| referenced.contains(id))
                .map(|_| step.index),
            Node::Parallel(..) => None,
        })
        .collect()
}

/// Whether a call's request quotes what `elapsed()` gave (a message "failover took 2m 03s").
fn quotes_elapsed(plan: &Plan) -> bool {
    plan.steps().any(|step| {
        let StepKind::Call { call } = &step.kind else {
            return false;
        };
        let ctx = SfnContext {
            resolved: step.resolved.as_deref(),
            account: None,
        };
        call.step_functions_requests(&ctx)
            .into_iter()
            .any(|task| with_runtime_values(task.parameters, &plan.clock).1)
    })
}

/// The ids the run creates that a later step reads: in a call's request (a snapshot copied),
/// or as the resource a wait polls (a Route 53 change).
fn referenced(plan: &Plan) -> std::collections::BTreeSet<String> {
    let mut created = std::collections::BTreeSet::new();
    let mut out = std::collections::BTreeSet::new();
    for step in plan.steps() {
        match &step.kind {
            StepKind::Call { call } => {
                let ctx = SfnContext {
                    resolved: step.resolved.as_deref(),
                    account: None,
                };
                for task in call.step_functions_requests(&ctx) {
                    for value in task.parameters.values() {
                        if let Some(id) = value.as_str().filter(|id| created.contains(*id)) {
                            out.insert(id.to_string());
                        }
                    }
                }
            }
            StepKind::Wait { wait } if created.contains(wait.target.name()) => {
                out.insert(wait.target.name().to_string());
            }
            _ => {}
        }
        if let Some((id, _)) = creation(step) {
            created.insert(id);
        }
    }
    out
}

fn origin(origin: &Origin) -> String {
    format!("{}:{}", origin.file, origin.line)
}

fn pass(comment: Option<String>, next: Option<&str>) -> State {
    State::Pass(Pass {
        comment,
        parameters: None,
        result: None,
        result_path: None,
        transition: Transition::to(next),
    })
}

fn fail(error: &str, cause: String) -> State {
    State::Fail(Fail {
        error: error.to_string(),
        cause: Some(cause),
        cause_path: None,
    })
}

/// Any error of the state goes to `next`, keeping the input and the error at `$.error`.
fn catch_all(next: &str) -> Catcher {
    Catcher {
        error_equals: vec!["States.ALL".into()],
        result_path: "$.error".into(),
        next: next.to_string(),
    }
}

/// Every step's first state -> the step's index in the plan: how a follower of an execution
/// reads its history (the step's done state is the name and [`DONE`]).
/// A stage's region (`None`: not known yet) and its nodes.
type Staged<'p> = Vec<(Option<String>, Vec<Node<'p>>)>;

/// A group's branches by region, each with its number in the group.
type Shares<'p> = Vec<(Option<String>, Vec<(usize, Vec<Node<'p>>)>)>;

/// Numbered nodes grouped into stages: consecutive nodes sent to one region; a node naming no
/// region joins the stage before it (the first stage takes the region of its first step that
/// names one). A parallel group whose branches go to different regions is split into shares,
/// one per region in the order they come, each a Parallel of its region's branches (branches
/// that name no region go with the first share): a branch runs in one machine, so one in
/// two regions is refused.
fn stages_of(nodes: Vec<Node<'_>>) -> Result<Staged<'_>, ExportError> {
    fn push<'p>(stages: &mut Staged<'p>, region: Option<String>, node: Node<'p>) {
        let joins = match (stages.last(), &region) {
            (Some(_), None) | (Some((None, _)), Some(_)) => true,
            (Some((Some(theirs), _)), Some(region)) => theirs == region,
            (None, _) => false,
        };
        match stages.last_mut() {
            Some((theirs, nodes)) if joins => {
                if theirs.is_none() {
                    *theirs = region;
                }
                nodes.push(node);
            }
            _ => stages.push((region, vec![node])),
        }
    }
    let mut stages: Staged = Vec::new();
    for node in nodes {
        match node {
            Node::Step(_, step) => {
                let region = step.region.clone();
                push(&mut stages, region, node);
            }
            Node::Parallel(name, group, slot, branches) => {
                let mut shares: Shares = Vec::new();
                let mut unplaced = Vec::new();
                for (number, branch) in branches {
                    let mut regions: Vec<&str> = Vec::new();
                    for node in &branch {
                        if let Node::Step(_, step) = node {
                            if let Some(r) = step.region.as_deref() {
                                if !regions.contains(&r) {
                                    regions.push(r);
                                }
                            }
                        }
                    }
                    match regions.as_slice() {
                        [] => unplaced.push((number, branch)),
                        [region] => {
                            let region = region.to_string();
                            match shares.iter_mut().find(|(r, _)| r.as_ref() == Some(&region)) {
                                Some((_, share)) => share.push((number, branch)),
                                None => shares.push((Some(region), vec![(number, branch)])),
                            }
                        }
                        several => {
                            return Err(ExportError::NotYet(format!(
                                "branch {number} of {name} sends steps to {}: a branch runs in one state machine, which calls one region; put each region's steps in a branch of its own",
                                several.join(" and ")
                            )))
                        }
                    }
                }
                match shares.first_mut() {
                    Some((_, first)) => {
                        first.extend(unplaced);
                        first.sort_by_key(|(number, _)| *number);
                    }
                    None => shares.push((None, unplaced)),
                }
                if shares.len() == 1 {
                    let (region, branches) = shares.remove(0);
                    push(
                        &mut stages,
                        region,
                        Node::Parallel(name, group, slot, branches),
                    );
                    continue;
                }
                for (j, (region, branches)) in shares.into_iter().enumerate() {
                    let share =
                        Node::Parallel(name.clone(), group, format!("{slot}r{}", j + 1), branches);
                    push(&mut stages, region, share);
                }
            }
        }
    }
    if stages.is_empty() {
        stages.push((None, Vec::new()));
    }
    Ok(stages)
}

pub fn step_states(plan: &Plan) -> BTreeMap<String, u32> {
    let mut compiler = Compiler::new(plan, &ExportOptions::default());
    let nodes = compiler.number(&plan.items.iter().collect::<Vec<_>>());
    let mut out = BTreeMap::new();
    for node in &nodes {
        let steps: Vec<&Node> = match node {
            Node::Step(..) => vec![node],
            Node::Parallel(_, _, _, branches) => {
                branches.iter().flat_map(|(_, branch)| branch).collect()
            }
        };
        for step in steps {
            if let Node::Step(name, step) = step {
                if !matches!(step.kind, StepKind::Note { .. }) {
                    out.insert(name.clone(), step.index);
                }
            }
        }
    }
    out
}

/// The events a node is expected to add to an execution's history.
fn node_events(node: &Node, interval: u64) -> u64 {
    match node {
        Node::Step(_, step) => step_events(step, interval),
        Node::Parallel(_, _, _, branches) => {
            PARALLEL_EVENTS
                + BRANCH_EVENTS * branches.len() as u64
                + branches
                    .iter()
                    .flat_map(|(_, branch)| branch)
                    .map(|n| node_events(n, interval))
                    .sum::<u64>()
        }
    }
}

/// A node as an error message names it.
fn node_label(node: &Node) -> String {
    match node {
        Node::Step(name, _) => format!("state {name}"),
        Node::Parallel(name, _, _, branches) => {
            format!("the parallel group {name} ({} branches)", branches.len())
        }
    }
}

/// [`json_len`] of states as they are once inside a machine's `States`: one level deeper, two
/// more spaces on each line.
fn nested_len(states: &BTreeMap<String, State>) -> usize {
    serde_json::to_vec_pretty(states).map_or(usize::MAX, |bytes| {
        bytes.len() + 2 * bytes.iter().filter(|&&b| b == b'\n').count()
    })
}

/// The length of a value's JSON as `export` writes it, indented: the larger of the two forms a
/// definition may be deployed in.
fn json_len(value: &impl serde::Serialize) -> usize {
    serde_json::to_vec_pretty(value).map_or(usize::MAX, |bytes| bytes.len())
}

/// The name of a node's first state.
fn node_name<'n>(node: &'n Node) -> &'n str {
    match node {
        Node::Step(name, _) | Node::Parallel(name, ..) => name,
    }
}

/// The Choice a machine starts with: without `$.Resume`, `start`; with it, the state its
/// resume point names goes to (`targets`: resume point -> state), else `start`.
fn resume_choice(targets: &[(String, String)], start: &str) -> State {
    let mut rules =
        vec![json!({ "Variable": resume::RESUME_FROM, "IsPresent": false, "Next": start })];
    for (point, next) in targets {
        rules.push(json!({ "Variable": resume::RESUME_FROM, "StringEquals": point, "Next": next }));
    }
    State::Choice(Choice {
        choices: rules,
        default: start.to_string(),
    })
}

/// Where a resumed execution of `plan` starts, given the first states of the steps done
/// (`done`): the first top-level item not done, and in a group each branch's first step not
/// done; `None` when every step is done.
pub fn resume_point(plan: &Plan, done: &std::collections::BTreeSet<String>) -> Option<Resume> {
    let mut compiler = Compiler::new(plan, &ExportOptions::default());
    let nodes = compiler.number(&plan.items.iter().collect::<Vec<_>>());
    // A plan whose steps are all in a known place cannot fail to stage: a node of a plan that
    // does not stage is resumed as if the plan were one stage.
    let staged = match stages_of(nodes.clone()) {
        Ok(staged) => staged,
        Err(_) => vec![(None, nodes)],
    };
    let several = staged.len() > 1;
    let pending = |node: &Node| match node {
        Node::Step(name, step) => {
            !matches!(step.kind, StepKind::Note { .. }) && !done.contains(name.as_str())
        }
        Node::Parallel(..) => false,
    };
    for (k, (_, nodes)) in staged.iter().enumerate() {
        let stage = several.then_some(k + 1);
        for node in nodes {
            match node {
                Node::Step(name, _) if pending(node) => {
                    return Some(Resume {
                        from: name.clone(),
                        branches: BTreeMap::new(),
                        part: None,
                        stage,
                    })
                }
                Node::Step(..) => {}
                Node::Parallel(name, group, _, branches) => {
                    let mut points = BTreeMap::new();
                    let mut all_done = true;
                    for (number, branch) in branches {
                        let first = branch
                            .iter()
                            .find(|n| pending(n))
                            .map(|n| node_name(n).to_string());
                        all_done &= first.is_none();
                        points.insert(
                            resume::branch_key(*group, *number),
                            first.unwrap_or_else(|| resume::BRANCH_DONE.to_string()),
                        );
                    }
                    if !all_done {
                        return Some(Resume {
                            from: name.clone(),
                            branches: points,
                            part: None,
                            stage,
                        });
                    }
                }
            }
        }
    }
    None
}

/// Where the answer of each call that creates something a later step reads is kept in the
/// state, by step index: `$.steps.sN`, and for a step of a parallel group also
/// `$.groups.gK.sN` (what the steps after the group read). A resumed execution is given them
/// for the steps done before it.
pub fn kept_answers(plan: &Plan) -> BTreeMap<u32, Vec<String>> {
    let mut compiler = Compiler::new(plan, &ExportOptions::default());
    let numbered = compiler.number(&plan.items.iter().collect::<Vec<_>>());
    // The shares of a group split by region keep their answers apart (`gKrJ`).
    let nodes: Vec<Node> = match stages_of(numbered.clone()) {
        Ok(staged) => staged.into_iter().flat_map(|(_, nodes)| nodes).collect(),
        Err(_) => numbered,
    };
    let kept =
        |step: &Step| creation(step).is_some_and(|(id, _)| compiler.referenced.contains(&id));
    let mut out = BTreeMap::new();
    for node in &nodes {
        match node {
            Node::Step(_, step) if kept(step) => {
                out.insert(step.index, vec![format!("steps.s{}", step.index)]);
            }
            Node::Step(..) => {}
            Node::Parallel(_, _, slot, branches) => {
                for node in branches.iter().flat_map(|(_, branch)| branch) {
                    if let Node::Step(_, step) = node {
                        if kept(step) {
                            out.insert(
                                step.index,
                                vec![
                                    format!("steps.s{}", step.index),
                                    format!("groups.{slot}.s{}", step.index),
                                ],
                            );
                        }
                    }
                }
            }
        }
    }
    out
}
