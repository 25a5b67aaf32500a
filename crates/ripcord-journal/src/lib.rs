//! Run journals: every live run writes one, so that a crash leaves an exact record.
//!
//! A run directory holds `journal.jsonl` (one [`Record`] per line) and `inventory.json` (the
//! world the run planned against). Intents are written and synced before the request is sent.

mod reader;
mod record;
mod replay;
mod report;
mod timeline;
mod writer;

pub use reader::{list_runs, read_run, JournaledStep, Run, RunSummary};
pub use record::{Entry, Observation, Record, RunHeader, RunStatus};
pub use replay::{same_step, Replay, ResumeReporter, Resumed, SUPERSEDED};
pub use report::{
    html_page, render_html, render_html_section, render_markdown, timeline_svg, Approval, Estimate,
    EstimateSummary, EvidenceReport, LagReading, LagSource, LeftChange, PlannedStep, ReportStep,
    Resumption, StepResult, Verdict,
};
pub use timeline::render_timeline;
pub use writer::JournalWriter;

/// Where run directories go unless `--runs-dir` or `RIPCORD_RUNS_DIR` says otherwise.
pub const DEFAULT_RUNS_DIR: &str = ".ripcord/runs";

/// Errors reading or writing a journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}:{line}: not a journal record: {message}")]
    Corrupt {
        path: String,
        line: usize,
        message: String,
    },
    #[error("no run {0} (ripcord runs list shows the runs)")]
    NoSuchRun(String),
}
