//! The virtual clock of a dry-run, with parallel groups (branches overlap in time).

use ripcord_core::quota::{BucketKey, Quotas};
use ripcord_core::{BackendError, ErrorKind};
use std::collections::BTreeMap;

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
    /// Calls of the group per AWS token bucket: how many, and the longest round trip of
    /// them. Branches run concurrently, but the calls of one bucket cannot leave faster than
    /// its quota lets them (`ripcord_core::quota`).
    buckets: BTreeMap<BucketKey, (u64, u64)>,
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
            buckets: BTreeMap::new(),
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

    /// Counts a call of a parallel group, sent as `requests` requests, against its bucket
    /// (outside a group calls are one round trip after another, which no quota slows down).
    /// `secs` is its round trip.
    pub(crate) fn count_call(&mut self, key: Option<BucketKey>, requests: usize, secs: u64) {
        if let (Some(group), Some(key)) = (self.group.as_mut(), key) {
            let entry = group.buckets.entry(key).or_insert((0, 0));
            entry.0 += requests as u64;
            entry.1 = entry.1.max(secs);
        }
    }

    /// Closes the group at its start + its longest branch, or later when the calls of one
    /// bucket take longer at its rate: the last of them leaves when the quota lets it
    /// (`Rate::paced_secs`) and takes its round trip. Returns the plan's note for each bucket
    /// that made the group longer.
    pub(crate) fn end_parallel(&mut self, quotas: &Quotas) -> Result<Vec<String>, BackendError> {
        let group = self.group.take().ok_or_else(|| {
            misuse(
                "NoParallelGroup",
                "end_parallel without an open parallel group",
            )
        })?;
        let mut longest = group.longest.max(self.elapsed.saturating_sub(group.start));
        let mut notes = Vec::new();
        for (key, (requests, round_trip)) in &group.buckets {
            let Some(rate) = quotas.rate(key.bucket) else {
                continue;
            };
            // Whole seconds, as every estimate; a fraction of a second still takes one.
            let paced = (rate.paced_secs(*requests).ceil() as u64).saturating_add(*round_trip);
            if paced > longest {
                longest = paced;
                notes.extend(quotas.pacing_note(key, *requests));
            }
        }
        self.elapsed = group.start.saturating_add(longest);
        Ok(notes)
    }
}

fn misuse(code: &str, message: &str) -> BackendError {
    BackendError::new(ErrorKind::Rejected, "ripcord", "parallel", code, message)
}
