//! One live run of a runbook per account and run directory at a time: a lock file under
//! `RUNS_DIR/.locks/`, held with the operating system's file lock for as long as the process
//! lives (a killed process releases it), naming the run and process that hold it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another live process holds it: what its lock file says.
    Held {
        path: PathBuf,
        holder: String,
    },
    Io {
        path: PathBuf,
        message: String,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held { path, holder } => write!(
                f,
                "another live run of this runbook in this account is going on: {holder} (lock {}); wait for it to end, or stop that process",
                path.display()
            ),
            LockError::Io { path, message } => {
                write!(f, "cannot take the run lock {}: {message}", path.display())
            }
        }
    }
}

/// What a lock file holds: `run RUN_ID, process PID, since TIME`.
fn holder_text(run_id: &str) -> String {
    format!(
        "run {run_id}, process {}, since {}",
        std::process::id(),
        jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now())
    )
}

/// A file name part: letters, digits and dashes.
fn part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

impl RunLock {
    /// Takes the lock of `runbook` in `account` under `runs_dir` for `run_id`. A lock file
    /// left by a process that is gone is taken over: `Ok((lock, Some(what it said)))`, for a
    /// warning.
    pub fn acquire(
        runs_dir: &Path,
        account: &str,
        runbook: &str,
        run_id: &str,
    ) -> Result<(RunLock, Option<String>), LockError> {
        let dir = runs_dir.join(".locks");
        let path = dir.join(format!("{}-{}.lock", part(account), part(runbook)));
        let io = |err: std::io::Error| LockError::Io {
            path: path.clone(),
            message: err.to_string(),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut before = String::new();
        // A lock file that cannot be read still locks; its words only make the message.
        let _ = file.read_to_string(&mut before);
        let before = before.trim().to_string();
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = if before.is_empty() {
                    "a process that has not written its name yet".to_string()
                } else {
                    before
                };
                return Err(LockError::Held { path, holder });
            }
            Err(std::fs::TryLockError::Error(err)) => return Err(io(err)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", holder_text(run_id)).map_err(io)?;
        file.sync_data().map_err(io)?;
        let stale = (!before.is_empty()).then_some(before);
        Ok((RunLock { file, path }, stale))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The runs whose process is alive and holds a lock under `runs_dir`: what `runs list` says
/// is in progress (a run without an end record whose process is gone was killed). Read from
/// the lock files' words, not by trying the locks: a try, even a shared one, could make a run
/// starting at that moment find its lock taken.
pub fn live_runs(runs_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(runs_dir.join(".locks")) else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        // `run RUN_ID, process PID, since TIME` (holder_text).
        let Some((run, rest)) = text
            .trim()
            .strip_prefix("run ")
            .and_then(|t| t.split_once(", process "))
        else {
            continue;
        };
        let pid = rest
            .split(',')
            .next()
            .and_then(|p| p.trim().parse::<libc::pid_t>().ok());
        if pid.is_some_and(process_alive) {
            runs.push(run.to_string());
        }
    }
    runs
}

/// Whether process `pid` exists (signal 0 checks without sending anything; EPERM means it
/// exists under another user).
fn process_alive(pid: libc::pid_t) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // The lock goes with the file handle anyway; emptying the file says nobody holds it,
        // so the next run does not warn about a takeover.
        let _ = self.file.set_len(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_a_released_lock_is_free_again() {
        let dir = tempfile::tempdir().unwrap();
        let (first, stale) = RunLock::acquire(dir.path(), "123", "failover", "run-1").unwrap();
        assert!(stale.is_none());
        match RunLock::acquire(dir.path(), "123", "failover", "run-2") {
            Err(LockError::Held { holder, .. }) => {
                assert!(holder.starts_with("run run-1, process "), "{holder}")
            }
            other => panic!("not refused: {other:?}"),
        }
        // Another runbook or account is another lock.
        assert!(RunLock::acquire(dir.path(), "123", "failback", "run-3").is_ok());
        drop(first);
        let (_again, stale) = RunLock::acquire(dir.path(), "123", "failover", "run-4").unwrap();
        assert!(stale.is_none(), "a lock released cleanly is not stale");
    }

    #[test]
    fn live_runs_are_those_whose_process_holds_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        assert!(live_runs(dir.path()).is_empty());
        let (lock, _) = RunLock::acquire(dir.path(), "123", "failover", "run-1").unwrap();
        std::fs::write(
            dir.path().join(".locks/123-failback.lock"),
            "run run-0, process 999999, since 2026-12-01T00:00:00Z\n",
        )
        .unwrap();
        assert_eq!(live_runs(dir.path()), ["run-1"]);
        drop(lock);
        assert!(live_runs(dir.path()).is_empty());
    }

    #[test]
    fn a_lock_file_left_by_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".locks")).unwrap();
        std::fs::write(
            dir.path().join(".locks/123-failover.lock"),
            "run run-0, process 999999, since 2026-12-01T00:00:00Z\n",
        )
        .unwrap();
        let (lock, stale) = RunLock::acquire(dir.path(), "123", "failover", "run-1").unwrap();
        assert_eq!(
            stale.as_deref(),
            Some("run run-0, process 999999, since 2026-12-01T00:00:00Z")
        );
        let now = std::fs::read_to_string(lock.path()).unwrap();
        assert!(now.starts_with("run run-1, process "), "{now}");
    }
}
