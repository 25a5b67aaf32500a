//! `drill.json`: a drill's phases and their runs, written before each phase starts and after
//! it ends, so that `drill --resume DRILL_ID` knows where an interrupted drill stood.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file's name in the drill's directory (`RUNS_DIR/drills/DRILL_ID`).
pub const FILE: &str = "drill.json";

/// A drill: its phases in order, and where its evidence goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub drill_id: String,
    pub started_at: String,
    /// When the evidence was last written (a resumed drill's end); `None` while it runs.
    #[serde(default)]
    pub finished_at: Option<String>,
    pub completed: bool,
    /// `--report-dir` when given: a resumed drill writes its evidence there too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_dir: Option<PathBuf>,
    pub phases: Vec<PhaseRecord>,
}

/// One phase: its runbook's `apply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseRecord {
    /// `failover`, `verify` or `failback`.
    pub phase: String,
    pub runbook: String,
    /// The run the phase's `apply` journaled; none when it stopped before journaling, or
    /// while it runs.
    pub run_id: Option<String>,
    /// `completed`, `failed (exit N)`, `running` (started, and not known to have ended: the
    /// drill was interrupted), or `not run`.
    pub outcome: String,
    /// When the phase's `apply` started: a resumed drill finds the run of a phase it was
    /// interrupted in among the runs of its runbook started since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
}

pub const COMPLETED: &str = "completed";
pub const RUNNING: &str = "running";
pub const NOT_RUN: &str = "not run";

impl DrillRecord {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(FILE)
    }

    pub fn load(dir: &Path) -> Result<DrillRecord, String> {
        let path = DrillRecord::path(dir);
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|err| format!("{} is not readable: {err}", path.display()))
    }

    /// The record as JSON, ending with a newline.
    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string_pretty(self)
            .map(|text| text + "\n")
            .map_err(|err| err.to_string())
    }

    /// Written whole to a temporary file and renamed: an interrupted drill leaves the old
    /// record or the new one.
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let path = DrillRecord::path(dir);
        let temporary = dir.join(format!("{FILE}.tmp"));
        std::fs::create_dir_all(dir)
            .and_then(|()| {
                std::fs::write(&temporary, self.to_json().map_err(std::io::Error::other)?)
            })
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|err| format!("cannot write {}: {err}", path.display()))
    }
}
