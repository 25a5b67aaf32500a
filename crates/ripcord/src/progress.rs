//! `Progress`: the journal as `apply` and the live REPL use it, telling the operator on stderr
//! what is happening: a line when a wait starts, a spinner while waits run, a line per step.

use ripcord_core::{BackendError, Intent, Journal, Outcome};
use ripcord_journal::JournalWriter;
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// Writes to the run journal and reports each step on stderr.
pub struct Progress {
    journal: Arc<JournalWriter>,
    state: Arc<Mutex<State>>,
    /// A spinner only on a terminal: in a log it would be noise.
    spinner: bool,
}

#[derive(Default)]
struct State {
    labels: HashMap<u64, String>,
    /// Waits in flight, by sequence number: what, and since when.
    waits: BTreeMap<u64, (String, Instant)>,
    /// The spinner's line is on screen and must be cleared before any other line.
    shown: bool,
    ticking: bool,
    frame: usize,
}

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

impl State {
    /// Clears the spinner line, so that the next line starts at the left edge.
    fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
            self.shown = false;
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Progress {
    pub fn new(journal: Arc<JournalWriter>) -> Progress {
        Progress {
            journal,
            state: Arc::new(Mutex::new(State::default())),
            spinner: std::io::stderr().is_terminal(),
        }
    }

    /// Starts the thread that redraws the spinner; it ends with the `Progress`.
    fn tick(&self, state: &mut State) {
        if !self.spinner || state.ticking {
            return;
        }
        state.ticking = true;
        let weak: Weak<Mutex<State>> = Arc::downgrade(&self.state);
        std::thread::spawn(move || {
            while let Some(state) = weak.upgrade() {
                {
                    let mut state = lock(&state);
                    let first = state.waits.values().next().cloned();
                    match first {
                        Some((label, since)) => {
                            state.frame = (state.frame + 1) % FRAMES.len();
                            let more = state.waits.len() - 1;
                            eprint!(
                                "\r\x1b[K  {} {:>6.0}s  {label}{}",
                                FRAMES[state.frame],
                                since.elapsed().as_secs_f64(),
                                if more > 0 {
                                    format!(" (and {more} more)")
                                } else {
                                    String::new()
                                }
                            );
                            let _ = std::io::stderr().flush();
                            state.shown = true;
                        }
                        None => state.clear(),
                    }
                }
                std::thread::sleep(Duration::from_millis(120));
            }
        });
    }
}

impl Journal for Progress {
    fn intent(&self, intent: &Intent) -> Result<u64, String> {
        let seq = self.journal.intent(intent)?;
        let text = intent.label();
        let mut state = lock(&self.state);
        if matches!(intent, Intent::Wait { .. }) {
            state.clear();
            eprintln!("  …         {text}");
            state.waits.insert(seq, (text.clone(), Instant::now()));
            self.tick(&mut state);
        }
        state.labels.insert(seq, text);
        Ok(seq)
    }

    fn sending(&self, seq: u64) {
        self.journal.sending(seq);
    }

    fn finished(&self, seq: u64, result: Result<&Outcome, &BackendError>, duration_ms: u64) {
        self.journal.finished(seq, result, duration_ms);
        let mut state = lock(&self.state);
        state.waits.remove(&seq);
        // A step of an earlier process settled on resume has no label here: the resume's
        // own line tells it.
        let Some(text) = state.labels.remove(&seq) else {
            return;
        };
        state.clear();
        let secs = duration_ms as f64 / 1000.0;
        match result {
            Ok(outcome) => {
                eprintln!("  ✓ {secs:>6.1}s  {text}");
                // A lost answer is news the operator should see as it happens, not only in
                // the report: what was settled, and how.
                if let Some(settled) = &outcome.settled {
                    eprintln!("             {}", settled.note());
                }
                for warning in &outcome.warnings {
                    eprintln!("             ! {warning}");
                }
            }
            Err(err) => eprintln!("  ✗ {secs:>6.1}s  {text}: {}: {}", err.code, err.message),
        }
    }
}
