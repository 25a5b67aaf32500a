//! The Amazon States Language document, as serde types: fields in the order ASL lists them,
//! states in a `BTreeMap` whose names begin with their sequence number, so the same plan
//! always exports to the same bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A whole state machine: a comment, then its states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StateMachine {
    pub comment: String,
    #[serde(flatten)]
    pub graph: Graph,
}

/// States and where they start: the machine's top level, or one branch of a Parallel state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Graph {
    pub start_at: String,
    pub states: BTreeMap<String, State>,
}

/// One state, tagged by ASL's `Type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Type")]
pub enum State {
    Task(Box<Task>),
    Pass(Pass),
    Wait(Sleep),
    Choice(Choice),
    Parallel(Parallel),
    Fail(Fail),
    Succeed(Succeed),
}

impl State {
    /// Every state this one can go to (`Next`, choices, defaults, catchers).
    pub fn successors(&self) -> Vec<&str> {
        let transition = match self {
            State::Task(task) => Some(&task.transition),
            State::Pass(pass) => Some(&pass.transition),
            State::Wait(sleep) => Some(&sleep.transition),
            State::Parallel(parallel) => Some(&parallel.transition),
            State::Choice(_) | State::Fail(_) | State::Succeed(_) => None,
        };
        let mut out: Vec<&str> = transition
            .and_then(|t| t.next.as_deref())
            .into_iter()
            .collect();
        match self {
            State::Task(task) => out.extend(task.catch.iter().map(|c| c.next.as_str())),
            State::Parallel(p) => out.extend(p.catch.iter().map(|c| c.next.as_str())),
            State::Choice(choice) => {
                out.extend(
                    choice
                        .choices
                        .iter()
                        .filter_map(|rule| rule.get("Next").and_then(Value::as_str)),
                );
                out.push(&choice.default);
            }
            _ => {}
        }
        out
    }

    /// True for a state that ends its graph (`End`, `Fail`, `Succeed`).
    pub fn is_terminal(&self) -> bool {
        match self {
            State::Task(task) => task.transition.end,
            State::Pass(pass) => pass.transition.end,
            State::Wait(sleep) => sleep.transition.end,
            State::Parallel(parallel) => parallel.transition.end,
            State::Fail(_) | State::Succeed(_) => true,
            State::Choice(_) => false,
        }
    }
}

/// `Next: NAME` or `End: true`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end: bool,
}

impl Transition {
    /// To `next`, or the end of the graph when there is none.
    pub fn to(next: Option<&str>) -> Transition {
        Transition {
            next: next.map(str::to_string),
            end: next.is_none(),
        }
    }
}

/// A Task: one AWS request through a service integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Task {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub resource: String,
    pub parameters: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    /// Where the result goes: a path, or null to drop it and keep the input (the state stays
    /// under Step Functions' 256 KiB however long the plan).
    pub result_path: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry: Vec<Retrier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
    #[serde(flatten)]
    pub transition: Transition,
}

/// A Pass state: a note of the runbook, or bookkeeping of a polling loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pass {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_path: Option<String>,
    #[serde(flatten)]
    pub transition: Transition,
}

/// A Wait state (named `Sleep` here so as not to be read as a runbook's wait).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sleep {
    pub seconds: u64,
    #[serde(flatten)]
    pub transition: Transition,
}

/// A Choice state: its rules (ASL choice rules, as JSON) and where to go otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Choice {
    pub choices: Vec<Value>,
    pub default: String,
}

/// A Parallel state: one branch per branch of the plan's group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parallel {
    pub branches: Vec<Graph>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    pub result_path: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
    #[serde(flatten)]
    pub transition: Transition,
}

/// A Fail state: the execution stops with this error and cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Fail {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The cause computed at run time (`States.Format(...)` of the state's values): a stale
    /// value's current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_path: Option<String>,
}

/// The Succeed state that ends the machine.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Succeed {}

/// A Retry rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
}

/// A Catch rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub result_path: String,
    pub next: String,
}
