//! `Resume`: where a new execution of a plan's state machine starts when an earlier one failed
//! (`apply --resume` of a run on Step Functions): the first item of the plan not done, and in a
//! parallel group each branch's first step not done. Every exported machine, part and branch
//! begins with a Choice that reads it from the execution's input (`$.Resume`), and starts as
//! usual without it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of `$.Resume` in a resumed execution's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resume {
    /// The first state of the top-level item to start at (a step, or a parallel group).
    pub from: String,
    /// In that group, by branch (`g{group}b{branch}`): the first state of the branch's first
    /// step not done, or [`BRANCH_DONE`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub branches: BTreeMap<String, String>,
    /// For a plan exported as parts: the part `from` is in (1-based), where the parent starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<usize>,
    /// For a plan in several regions: the stage `from` is in (1-based), whose state machine
    /// the resumed execution is of ([`super::Stage`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<usize>,
}

/// A branch every step of which is done: it ends at once.
pub const BRANCH_DONE: &str = "done";

/// The input path of the resume point.
pub const RESUME_FROM: &str = "$.Resume.From";

/// The input path of the resume point's part.
pub const RESUME_PART: &str = "$.Resume.Part";

/// The input path of a branch's resume point.
pub fn branch_path(key: &str) -> String {
    format!("$.Resume.Branches.{key}")
}

/// A branch's key: `g3b1` for branch 1 of the group numbered 3.
pub fn branch_key(group: u32, branch: usize) -> String {
    format!("g{group}b{branch}")
}
