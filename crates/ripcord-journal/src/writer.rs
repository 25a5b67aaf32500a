//! `JournalWriter`: appends records to a run's journal, syncing intents before they are sent.

use crate::record::{Entry, Record, RunHeader, RunStatus};
use crate::JournalError;
use ripcord_core::{BackendError, Intent, Journal, Outcome};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Writes one run's journal. Shared between the interpreter thread and the live backend's
/// parallel branches, hence the mutex.
pub struct JournalWriter {
    dir: PathBuf,
    state: Mutex<WriterState>,
}

struct WriterState {
    file: File,
    next_seq: u64,
    path: String,
}

impl JournalWriter {
    /// Creates `<runs_dir>/<run_id>/` with the inventory the run planned against and a journal
    /// whose first record is the header. The run id gets a `-2`, `-3`, ... suffix if taken.
    pub fn create(
        runs_dir: &Path,
        mut header: RunHeader,
        inventory_json: &str,
    ) -> Result<JournalWriter, JournalError> {
        let io = |path: &Path, err: std::io::Error| JournalError::Io {
            path: path.display().to_string(),
            message: err.to_string(),
        };
        std::fs::create_dir_all(runs_dir).map_err(|e| io(runs_dir, e))?;
        let base = header.run_id.clone();
        let mut attempt = 1;
        let dir = loop {
            let id = if attempt == 1 {
                base.clone()
            } else {
                format!("{base}-{attempt}")
            };
            let dir = runs_dir.join(&id);
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    header.run_id = id;
                    break dir;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1
                }
                Err(e) => return Err(io(&dir, e)),
            }
        };
        let inventory = dir.join(&header.inventory_file);
        std::fs::write(&inventory, inventory_json).map_err(|e| io(&inventory, e))?;
        let path = dir.join("journal.jsonl");
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        let writer = JournalWriter {
            dir,
            state: Mutex::new(WriterState {
                file,
                next_seq: 1,
                path: path.display().to_string(),
            }),
        };
        writer.append(&Entry::Started(header), true)?;
        Ok(writer)
    }

    /// Continues the journal of run `run_id` under `runs_dir` (`apply --resume`): a torn last
    /// line (the earlier process killed mid-write) is cut off, sequence numbers go on after
    /// the highest one, and a `resumed` record with this process says so.
    pub fn reopen(runs_dir: &Path, run_id: &str) -> Result<JournalWriter, JournalError> {
        let dir = runs_dir.join(run_id);
        let path = dir.join("journal.jsonl");
        let io = |err: std::io::Error| JournalError::Io {
            path: path.display().to_string(),
            message: err.to_string(),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                JournalError::NoSuchRun(run_id.to_string())
            } else {
                io(e)
            }
        })?;
        let whole = text.rfind('\n').map_or(0, |i| i + 1);
        let run = crate::read_run(runs_dir, run_id)?;
        let next_seq = run
            .records
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::Intent { seq, .. } | Entry::Skipped { seq, .. } => Some(*seq),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            + 1;
        let file = OpenOptions::new().append(true).open(&path).map_err(io)?;
        if whole < text.len() {
            // usize fits in u64 on every platform Rust supports.
            file.set_len(whole as u64).map_err(io)?;
        }
        let writer = JournalWriter {
            dir,
            state: Mutex::new(WriterState {
                file,
                next_seq,
                path: path.display().to_string(),
            }),
        };
        writer.append(
            &Entry::Resumed {
                pid: std::process::id(),
                next_seq,
            },
            true,
        )?;
        Ok(writer)
    }

    /// Records what the runbook read (not synced: see [`Entry::Observed`]).
    pub fn observe(&self, observation: &crate::Observation) {
        // An observation that cannot be written only means a resumed run asks AWS again.
        let _ = self.append(&Entry::Observed(observation.clone()), false);
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The run id (the directory's name).
    pub fn run_id(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Appends a record; with `sync`, returns only once it is on disk.
    pub fn append(&self, entry: &Entry, sync: bool) -> Result<(), JournalError> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        write_record(&mut state, entry, sync)
    }

    /// The sequence number the next step will take (a REPL session tells from it whether a
    /// step it ran was journaled, and as which).
    pub fn next_seq(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .next_seq
    }

    /// Marks step `seq` as typed at a REPL session's prompt (`Entry::Typed`).
    pub fn typed(&self, seq: u64) -> Result<(), JournalError> {
        self.append(&Entry::Typed { seq }, true)
    }

    /// Records a step the operator skipped (REPL).
    pub fn skipped(&self, intent: &Intent) -> Result<u64, JournalError> {
        self.numbered(|seq| Entry::Skipped {
            seq,
            intent: intent.clone(),
        })
    }

    /// Appends, synced, a record that takes the next sequence number, and returns that number.
    fn numbered(&self, entry: impl FnOnce(u64) -> Entry) -> Result<u64, JournalError> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let seq = state.next_seq;
        state.next_seq += 1;
        write_record(&mut state, &entry(seq), true)?;
        Ok(seq)
    }

    /// The last record: how the run ended.
    pub fn finish(
        &self,
        status: RunStatus,
        error: Option<String>,
        total_secs: u64,
        rto_secs: Option<u64>,
    ) -> Result<(), JournalError> {
        self.append(
            &Entry::Finished {
                status,
                error,
                total_secs,
                rto_secs,
            },
            true,
        )
    }
}

fn write_record(state: &mut WriterState, entry: &Entry, sync: bool) -> Result<(), JournalError> {
    let record = Record {
        at: jiff::Timestamp::now()
            .round(jiff::Unit::Millisecond)
            .unwrap_or_else(|_| jiff::Timestamp::now())
            .to_string(),
        entry: entry.clone(),
    };
    let mut line = serde_json::to_string(&record).map_err(|e| JournalError::Io {
        path: state.path.clone(),
        message: e.to_string(),
    })?;
    line.push('\n');
    let io = |e: std::io::Error| JournalError::Io {
        path: state.path.clone(),
        message: e.to_string(),
    };
    state.file.write_all(line.as_bytes()).map_err(io)?;
    state.file.flush().map_err(io)?;
    if sync {
        state.file.sync_data().map_err(io)?;
    }
    Ok(())
}

impl Journal for JournalWriter {
    fn intent(&self, intent: &Intent) -> Result<u64, String> {
        self.numbered(|seq| Entry::Intent {
            seq,
            intent: intent.clone(),
        })
        .map_err(|e| e.to_string())
    }

    fn sending(&self, seq: u64) {
        // Synced: after a crash of the machine, a marker lost while its request left would
        // make a resumed run send a notification twice. A marker that cannot be written
        // only means the resumed run treats the request as possibly sent.
        let _ = self.append(&Entry::Sending { seq }, true);
    }

    fn finished(&self, seq: u64, result: Result<&Outcome, &BackendError>, duration_ms: u64) {
        let entry = match result {
            Ok(outcome) => Entry::Result {
                seq,
                ok: true,
                outcome: Some(outcome.clone()),
                error_code: None,
                error_message: None,
                duration_ms,
            },
            Err(err) => Entry::Result {
                seq,
                ok: false,
                outcome: None,
                error_code: Some(err.code.clone()),
                error_message: Some(err.message.clone()),
                duration_ms,
            },
        };
        // A result that cannot be written is not worth failing the run for: the intent is
        // already on disk, and `runs show` reports it as "sent, outcome unknown".
        let _ = self.append(&entry, true);
    }
}
