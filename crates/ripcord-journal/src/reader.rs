//! Reading journals back: one run, or the list of runs.

use crate::record::{Entry, Observation, Record, RunHeader, RunStatus};
use crate::JournalError;
use std::path::{Path, PathBuf};

/// A journal read back.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    pub records: Vec<Record>,
}

/// One line of `ripcord runs list`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: String,
    pub started_at: String,
    pub runbook: String,
    pub mode: String,
    /// `None` while a run is going on, or when it died without a last record.
    pub status: Option<RunStatus>,
    pub steps: usize,
}

impl Run {
    pub fn header(&self) -> Option<&RunHeader> {
        self.records.iter().find_map(|r| match &r.entry {
            Entry::Started(header) => Some(header),
            _ => None,
        })
    }

    /// How the run ended: its last end record, unless a resumed process took it over
    /// after that (then it is going on, or that process died: `None`).
    pub fn status(&self) -> Option<RunStatus> {
        self.records.iter().rev().find_map(|r| match &r.entry {
            Entry::Finished { status, .. } => Some(Some(*status)),
            Entry::Resumed { .. } => Some(None),
            _ => None,
        })?
    }

    /// Every step's journaled intent with its last result (`None`: sent, no result), in
    /// sequence order; skipped steps, and steps a later process carried out again (their
    /// newer record stands for them), are left out.
    pub fn steps(&self) -> Vec<JournaledStep> {
        let mut steps: Vec<JournaledStep> = Vec::new();
        for record in &self.records {
            match &record.entry {
                Entry::Intent { seq, intent } => steps.push(JournaledStep {
                    seq: *seq,
                    intent: intent.clone(),
                    at: record.at.clone(),
                    sending: false,
                    result: None,
                    typed: false,
                }),
                Entry::Typed { seq } => {
                    if let Some(step) = steps.iter_mut().find(|s| s.seq == *seq) {
                        step.typed = true;
                    }
                }
                Entry::Sending { seq } => {
                    if let Some(step) = steps.iter_mut().find(|s| s.seq == *seq) {
                        step.sending = true;
                    }
                }
                Entry::Result { seq, .. } => {
                    if let Some(step) = steps.iter_mut().find(|s| s.seq == *seq) {
                        step.result = Some(record.entry.clone());
                    }
                }
                _ => {}
            }
        }
        steps.retain(|step| !step.superseded());
        steps
    }

    /// What the runbook read (clock, query answers), in order.
    pub fn observations(&self) -> Vec<Observation> {
        self.records
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::Observed(observation) => Some(observation.clone()),
                _ => None,
            })
            .collect()
    }
}

/// A step of a journal: its intent, when it was written, and its last result record.
#[derive(Debug, Clone, PartialEq)]
pub struct JournaledStep {
    pub seq: u64,
    pub intent: ripcord_core::Intent,
    /// When the intent was written (RFC 3339).
    pub at: String,
    /// Whether its request was about to leave (`Entry::Sending`): without it, a call was
    /// not sent.
    pub sending: bool,
    /// The last `Entry::Result` for it.
    pub result: Option<Entry>,
    /// Typed at a REPL session's prompt (`Entry::Typed`), not the runbook's.
    pub typed: bool,
}

impl JournaledStep {
    /// Whether a later process carried it out again.
    pub fn superseded(&self) -> bool {
        matches!(
            &self.result,
            Some(Entry::Result { error_code: Some(code), .. })
                if code == crate::replay::SUPERSEDED || code == "NotTakenEffect"
        )
    }

    /// The outcome it finished with, if it finished well.
    pub fn outcome(&self) -> Option<ripcord_core::Outcome> {
        match &self.result {
            Some(Entry::Result {
                ok: true, outcome, ..
            }) => Some(outcome.clone().unwrap_or_default()),
            _ => None,
        }
    }
}

/// Reads the journal of run `id` under `runs_dir`. A torn last line (a crash mid-write) is
/// ignored; any other bad line is an error naming it.
pub fn read_run(runs_dir: &Path, id: &str) -> Result<Run, JournalError> {
    let dir = runs_dir.join(id);
    let path = dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            JournalError::NoSuchRun(id.to_string())
        } else {
            JournalError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            }
        }
    })?;
    let lines: Vec<&str> = text.lines().collect();
    let mut records = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(record) => records.push(record),
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => {
                return Err(JournalError::Corrupt {
                    path: path.display().to_string(),
                    line: i + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(Run { dir, records })
}

/// Every run under `runs_dir`, oldest first.
pub fn list_runs(runs_dir: &Path) -> Result<Vec<RunSummary>, JournalError> {
    let entries = match std::fs::read_dir(runs_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(JournalError::Io {
                path: runs_dir.display().to_string(),
                message: e.to_string(),
            })
        }
    };
    let mut runs = Vec::new();
    for entry in entries.flatten() {
        if !entry.path().join("journal.jsonl").is_file() {
            continue;
        }
        let id = entry.file_name().to_string_lossy().into_owned();
        let run = read_run(runs_dir, &id)?;
        let Some(header) = run.header() else { continue };
        runs.push(RunSummary {
            run_id: id.clone(),
            started_at: run
                .records
                .first()
                .map(|r| r.at.clone())
                .unwrap_or_default(),
            runbook: header.runbook_path.clone(),
            mode: header.mode.clone(),
            status: run.status(),
            steps: run
                .records
                .iter()
                .filter(|r| matches!(r.entry, Entry::Intent { .. } | Entry::Skipped { .. }))
                .count(),
        });
    }
    runs.sort_by(|a, b| (&a.started_at, &a.run_id).cmp(&(&b.started_at, &b.run_id)));
    Ok(runs)
}
