//! The virtual clock of a dry-run, with parallel groups (branches overlap in time).

use ripcord_core::{BackendError, ErrorKind};

/// Seconds since the run started; never tied to the wall clock.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    elapsed: u64,
    group: Option<Group>,
}

#[derive(Debug, Clone)]
struct Group {
    start: u64,
    /// The longest branch closed so far, seconds.
    longest: u64,
}

impl Clock {
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    pub(crate) fn advance(&mut self, secs: u64) {
        self.elapsed = self.elapsed.saturating_add(secs);
    }

    pub(crate) fn begin_parallel(&mut self) -> Result<(), BackendError> {
        if self.group.is_some() {
            return Err(misuse(
                "NestedParallel",
                "a parallel group is already open; parallel groups cannot be nested",
            ));
        }
        self.group = Some(Group {
            start: self.elapsed,
            longest: 0,
        });
        Ok(())
    }

    /// Closes the running branch (steps before the first `begin_branch` count as one) and
    /// rewinds to the group's start, since the next branch runs concurrently with it.
    pub(crate) fn begin_branch(&mut self) -> Result<(), BackendError> {
        let elapsed = self.elapsed;
        let group = self
            .group
            .as_mut()
            .ok_or_else(|| misuse("NoParallelGroup", "begin_branch outside a parallel group"))?;
        group.longest = group.longest.max(elapsed.saturating_sub(group.start));
        self.elapsed = group.start;
        Ok(())
    }

    pub(crate) fn end_parallel(&mut self) -> Result<(), BackendError> {
        let group = self.group.take().ok_or_else(|| {
            misuse(
                "NoParallelGroup",
                "end_parallel without an open parallel group",
            )
        })?;
        let longest = group.longest.max(self.elapsed.saturating_sub(group.start));
        self.elapsed = group.start.saturating_add(longest);
        Ok(())
    }
}

fn misuse(code: &str, message: &str) -> BackendError {
    BackendError::new(ErrorKind::Rejected, "ripcord", "parallel", code, message)
}
