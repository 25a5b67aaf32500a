//! The journal's records: one JSON object per line, tagged by `type`.

use ripcord_core::{Intent, Outcome, Query, RunbookMeta};
use serde::{Deserialize, Serialize};

/// The first record of every journal: what is being run, by whom, against what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    pub run_id: String,
    /// `apply` or `repl`.
    pub mode: String,
    pub runbook_path: String,
    pub runbook_sha256: String,
    #[serde(default)]
    pub meta: RunbookMeta,
    /// The inventory the plan was computed against, stored beside the journal.
    pub inventory_file: String,
    pub inventory_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub ripcord_version: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Completed,
    Failed,
    Cancelled,
    Refused,
    /// Stopped by SIGTERM or SIGHUP (a closed terminal): `apply --resume` goes on with it.
    Interrupted,
}

impl RunStatus {
    /// The word `runs list` and `runs show` use.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Refused => "refused",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// What the runbook read from AWS, recorded so that a resumed run takes the path the earlier
/// process took (the answers to its queries: a replica's lag, a group's size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "read", rename_all = "snake_case")]
pub enum Observation {
    /// A query and its answer.
    Answer {
        query: Query,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<serde_json::Value>,
    },
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Started(RunHeader),
    /// About to send: written and synced before the request leaves.
    Intent {
        seq: u64,
        intent: Intent,
    },
    /// The call's request is about to leave (`Journal::sending`).
    Sending {
        seq: u64,
    },
    /// The request finished (successfully or not).
    Result {
        seq: u64,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_code: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_message: Option<String>,
        duration_ms: u64,
    },
    /// A read of the environment (not synced: losing the last ones only means a resumed run
    /// asks AWS again).
    Observed(Observation),
    /// A later process took the run over (`apply --resume`): who, and from which step.
    Resumed {
        pid: u32,
        /// The first sequence number the resumed process gives.
        next_seq: u64,
    },
    /// The step `seq` was typed at a REPL session's prompt, not the runbook's: a resumed
    /// session does not take it for the runbook's step of the same operation and target.
    Typed {
        seq: u64,
    },
    /// The operator chose not to send this step (REPL `skip`).
    Skipped {
        seq: u64,
        intent: Intent,
    },
    Finished {
        status: RunStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        total_secs: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rto_secs: Option<u64>,
    },
}

/// A journal line: when, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Wall-clock time the record was written, RFC 3339 with milliseconds.
    pub at: String,
    #[serde(flatten)]
    pub entry: Entry,
}
