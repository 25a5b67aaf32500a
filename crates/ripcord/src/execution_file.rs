//! `execution.json` beside a run's journal: the Step Functions execution the run is, and how
//! far its follower journaled the execution's history (`apply --resume` and `approve` read it).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The file's name in the run directory; the plan run is copied beside it as [`PLAN_FILE`].
pub const FILE: &str = "execution.json";
pub const PLAN_FILE: &str = "plan.json";

/// A run on Step Functions. For a plan in several regions, the fields up to `done` are those
/// of the current stage's execution, and `stages` lists them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionFile {
    /// `step-functions`.
    pub engine: String,
    pub region: String,
    pub state_machine_arn: String,
    pub execution_arn: String,
    /// Whether AWS answered the StartExecution of `execution_arn`. The file is written with
    /// `false` before the request is sent (the ARN follows from the machine's and the name),
    /// so a follower killed in between, or a start whose every answer was lost, leaves a run
    /// that `apply --resume` settles by starting the same name again: the same execution while
    /// it runs, adopted once it ended, started if it never was. Absent in older files: `true`.
    #[serde(default = "answered")]
    pub started: bool,
    /// The execution's input (the approval topic; after a first stage, the state the stage
    /// before it left), for an execution that resumes it.
    #[serde(default)]
    pub input: String,
    /// The approval topic given to `apply` (each stage gets the topic of that name in its
    /// region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_topic: Option<String>,
    /// Executions of the run before this one: the earlier stages' (and their parts'), and
    /// those that failed and were resumed by a later one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<String>,
    /// A plan exported as parts: each part's child execution, in the order the parent starts
    /// them (`ripcord_core::asl::Exported`); empty for one state machine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// The execution being followed: a part's index, `parts.len()` for the parent (the one
    /// execution when there are no parts).
    #[serde(default)]
    pub part: usize,
    /// The last history event journaled, of the execution being followed.
    pub last_event: i64,
    /// Steps started and not finished: their first state -> the journal's sequence number.
    #[serde(default)]
    pub open: BTreeMap<String, u64>,
    /// When each open step started (ms since the epoch), for its duration.
    #[serde(default)]
    pub started_ms: BTreeMap<String, i64>,
    /// Steps done, by first state: what a resumed execution skips.
    #[serde(default)]
    pub done: BTreeSet<String>,
    /// A plan in several regions: its stages' state machines in order
    /// (`ripcord_core::asl::Stage`); empty for a plan in one region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageFile>,
    /// The current stage's index in `stages`.
    #[serde(default)]
    pub stage: usize,
}

fn answered() -> bool {
    true
}

/// One stage of a run in several regions: where its state machine is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageFile {
    pub region: String,
    pub state_machine_arn: String,
    /// How many parts it was deployed as (0: one state machine).
    #[serde(default)]
    pub parts: usize,
}

impl ExecutionFile {
    pub fn path(run_dir: &Path) -> PathBuf {
        run_dir.join(FILE)
    }

    /// The run's execution, `None` for a run that is not on Step Functions.
    pub fn load(run_dir: &Path) -> Result<Option<ExecutionFile>, String> {
        let path = ExecutionFile::path(run_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|err| format!("{} is not readable: {err}", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(format!("cannot read {}: {err}", path.display())),
        }
    }

    /// The ARN of the execution being followed.
    pub fn following(&self) -> &str {
        self.parts.get(self.part).unwrap_or(&self.execution_arn)
    }

    /// Every execution of the run: its parts', then its own.
    pub fn executions(&self) -> impl Iterator<Item = &String> {
        self.parts
            .iter()
            .chain(std::iter::once(&self.execution_arn))
    }

    /// Every execution of the run, earlier ones first (their regions are in their ARNs).
    pub fn all_executions(&self) -> impl Iterator<Item = &String> {
        self.earlier.iter().chain(self.executions())
    }

    /// The current execution and its parts become earlier ones: the next stage's, or a
    /// resumed one, follows.
    pub fn retire(&mut self) {
        let parts = std::mem::take(&mut self.parts);
        self.earlier.extend(parts);
        self.earlier.push(std::mem::take(&mut self.execution_arn));
        self.part = 0;
        self.last_event = 0;
    }

    /// The current execution and its parts become earlier ones; execution `name` of the
    /// current state machine, in `parts` parts, with `input`, is the one to start next
    /// (written ahead: `started` is false until AWS answers).
    pub fn next_execution(&mut self, name: &str, input: String, parts: usize) {
        self.retire();
        self.execution_arn = execution_arn(&self.state_machine_arn, name);
        self.started = false;
        self.input = input;
        self.parts = (1..=parts)
            .map(|k| part_arn(&self.execution_arn, k))
            .collect();
    }

    /// AWS answered the start of the current execution, `arn` (as written ahead, unless AWS
    /// says otherwise: its parts are then named after it).
    pub fn answered(&mut self, arn: &str) {
        if self.execution_arn != arn {
            self.execution_arn = arn.to_string();
            self.parts = (1..=self.parts.len()).map(|k| part_arn(arn, k)).collect();
        }
        self.started = true;
    }

    /// Written whole to a temporary file and renamed: a killed follower leaves the old
    /// version or the new one, never half of one.
    pub fn save(&self, run_dir: &Path) -> Result<(), String> {
        let path = ExecutionFile::path(run_dir);
        let temporary = run_dir.join(format!("{FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).map_err(|err| err.to_string())?;
        std::fs::write(&temporary, text + "\n")
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|err| format!("cannot write {}: {err}", path.display()))
    }
}

/// The ARN of part `k`'s execution, which the parent starts under its state machine's name
/// and its own execution's name, each with the part's suffix.
pub fn part_arn(parent: &str, k: usize) -> String {
    let suffix = ripcord_core::asl::part_suffix(k);
    // arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME
    let fields: Vec<&str> = parent.split(':').collect();
    match fields.as_slice() {
        [head @ .., machine, name] => {
            format!("{}:{machine}{suffix}:{name}{suffix}", head.join(":"))
        }
        _ => format!("{parent}{suffix}"),
    }
}

/// The ARN of execution `name` of `machine`, which AWS makes of the two (a standard
/// workflow's: arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME).
pub fn execution_arn(machine: &str, name: &str) -> String {
    format!(
        "{}:{name}",
        machine.replacen(":stateMachine:", ":execution:", 1)
    )
}
