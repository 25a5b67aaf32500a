//! Deterministic ids for resources the run creates: the same runbook gives the same ids.

/// Sequence counters; ids are derived from them, never from time or randomness, so that two
/// dry-runs of one runbook produce identical plans (and a forked backend continues the same
/// sequence as its parent would).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    snapshots: u64,
    volumes: u64,
    changes: u64,
    /// The id the next created resource takes instead of a generated one: what AWS gave it in
    /// a recorded outcome being adopted (`SimBackend::adopt`). Counters do not move for it.
    adopted: Option<String>,
}

impl Ids {
    /// The next resource created takes `id` (once).
    pub(crate) fn adopt(&mut self, id: String) {
        self.adopted = Some(id);
    }

    /// Forgets an adopted id the call did not use (it failed, or created nothing).
    pub(crate) fn clear_adopted(&mut self) {
        self.adopted = None;
    }

    /// The next `snap-` id that `taken` does not already use (an inventory may hold one).
    pub(crate) fn snapshot(&mut self, taken: impl Fn(&str) -> bool) -> String {
        if let Some(id) = self.adopted.take() {
            return id;
        }
        next(&mut self.snapshots, |n| format!("snap-{n:017x}"), taken)
    }

    pub(crate) fn volume(&mut self, taken: impl Fn(&str) -> bool) -> String {
        if let Some(id) = self.adopted.take() {
            return id;
        }
        next(&mut self.volumes, |n| format!("vol-{n:017x}"), taken)
    }

    /// A Route 53 change id (`C` and 16 digits, like AWS's uppercase ids).
    pub(crate) fn change(&mut self, taken: impl Fn(&str) -> bool) -> String {
        if let Some(id) = self.adopted.take() {
            return id;
        }
        next(&mut self.changes, |n| format!("C{n:016}"), taken)
    }
}

fn next(counter: &mut u64, format: impl Fn(u64) -> String, taken: impl Fn(&str) -> bool) -> String {
    loop {
        *counter += 1;
        let id = format(*counter);
        if !taken(&id) {
            return id;
        }
    }
}
