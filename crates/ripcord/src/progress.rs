//! `Progress`: the journal as `apply` uses it, printing one line per finished step.

use ripcord_core::{BackendError, Intent, Journal, Outcome};
use ripcord_journal::JournalWriter;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Writes to the run journal and tells the operator on stderr what is happening: waits when
/// they start (they take long), every step when it ends.
pub struct Progress {
    journal: Arc<JournalWriter>,
    labels: Mutex<HashMap<u64, String>>,
}

impl Progress {
    pub fn new(journal: Arc<JournalWriter>) -> Progress {
        Progress {
            journal,
            labels: Mutex::new(HashMap::new()),
        }
    }
}

impl Journal for Progress {
    fn intent(&self, intent: &Intent) -> Result<u64, String> {
        let seq = self.journal.intent(intent)?;
        let text = intent.label();
        if matches!(intent, Intent::Wait { .. }) {
            eprintln!("  …         {text}");
        }
        self.labels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(seq, text);
        Ok(seq)
    }

    fn finished(&self, seq: u64, result: Result<&Outcome, &BackendError>, duration_ms: u64) {
        self.journal.finished(seq, result, duration_ms);
        let text = self
            .labels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&seq)
            .unwrap_or_default();
        let secs = duration_ms as f64 / 1000.0;
        match result {
            Ok(_) => eprintln!("  ✓ {secs:>6.1}s  {text}"),
            Err(err) => eprintln!("  ✗ {secs:>6.1}s  {text}: {}: {}", err.code, err.message),
        }
    }
}
