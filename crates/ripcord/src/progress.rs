//! `Progress`: the journal as `apply` and the live REPL use it, telling the operator on stderr
//! what is happening: a line when a wait starts, a spinner per wait while it runs, a line per
//! step, and a line for every retry of a request.

use crate::live::{QueueObserver, Queued, Retry, RetryObserver};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ripcord_core::{BackendError, Intent, Journal, Outcome};
use ripcord_journal::JournalWriter;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// Writes to the run journal and reports each step on stderr.
pub struct Progress {
    journal: Arc<JournalWriter>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    labels: HashMap<u64, String>,
    /// The spinners of waits in flight, by sequence number.
    waits: HashMap<u64, ProgressBar>,
}

/// The spinners of the process, and the lines printed above them: one instance, so that
/// retry lines from the SDK's tasks and step lines never tear a spinner's line. Hidden (no
/// spinners, no redraws) when stderr is not a terminal: a log gets the lines only.
fn bars() -> &'static MultiProgress {
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    BARS.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

/// Prints one line on stderr above the spinners (and on a log, as it is).
pub fn say(line: &str) {
    bars().suspend(|| eprintln!("{line}"));
}

/// Tells the operator of every retry: "throttled (Throttling), attempt 3 of 12".
pub fn retry_observer() -> RetryObserver {
    Arc::new(|retry: &Retry| say(&format!("  ↻         {retry}")))
}

/// Tells the operator, once per queue, that requests wait for an AWS quota (`crate::live`
/// sets it): `  ⧗         route53: 995 requests queued at 5/s, ~3m 19s`.
pub fn queue_observer() -> QueueObserver {
    Arc::new(|queued: &Queued| say(&format!("  ⧗         {queued}")))
}

/// A wait's spinner: its time so far and its label, cut to the terminal's width.
fn spinner_style() -> ProgressStyle {
    // The template is a constant that parses (the progress tests draw it); the fallback only
    // keeps a typo here from stopping a failover.
    ProgressStyle::with_template("  {spinner} {secs}  {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key(
            "secs",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:>6.0}s", state.elapsed().as_secs_f64());
            },
        )
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Progress {
    pub fn new(journal: Arc<JournalWriter>) -> Progress {
        Progress {
            journal,
            state: Mutex::new(State::default()),
        }
    }
}

impl Journal for Progress {
    fn intent(&self, intent: &Intent) -> Result<u64, String> {
        let seq = self.journal.intent(intent)?;
        let text = intent.label();
        let mut state = lock(&self.state);
        if matches!(intent, Intent::Wait { .. }) {
            say(&format!("  …         {text}"));
            let bar = bars().add(ProgressBar::new_spinner());
            bar.set_style(spinner_style());
            bar.set_message(text.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            state.waits.insert(seq, bar);
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
        if let Some(bar) = state.waits.remove(&seq) {
            bar.finish_and_clear();
            bars().remove(&bar);
        }
        // A step of an earlier process settled on resume has no label here: the resume's
        // own line tells it.
        let Some(text) = state.labels.remove(&seq) else {
            return;
        };
        drop(state);
        let secs = duration_ms as f64 / 1000.0;
        match result {
            Ok(outcome) => {
                say(&format!("  ✓ {secs:>6.1}s  {text}"));
                // A lost answer is news the operator should see as it happens, not only in
                // the report: what was settled, and how.
                if let Some(settled) = &outcome.settled {
                    say(&format!("             {}", settled.note()));
                }
                for warning in &outcome.warnings {
                    say(&format!("             ! {warning}"));
                }
            }
            Err(err) => say(&format!(
                "  ✗ {secs:>6.1}s  {text}: {}: {}",
                err.code, err.message
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::sync::Mutex;

    /// A terminal of a given width that keeps the lines drawn on it.
    #[derive(Debug, Default)]
    struct Screen {
        width: u16,
        lines: Mutex<Vec<String>>,
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if !s.is_empty() {
                self.lines.lock().unwrap().push(s.to_string());
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn drawn(width: u16, label: &str) -> String {
        let screen = Arc::new(Screen {
            width,
            ..Screen::default()
        });
        // Styled while hidden, then drawn once.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(spinner_style());
        bar.set_message(label.to_string());
        bar.set_draw_target(ProgressDrawTarget::term_like(Box::new(ScreenRef(
            screen.clone(),
        ))));
        bar.tick();
        // The line as drawn: indicatif writes it in pieces, then pads to the width.
        let lines = screen.lines.lock().unwrap();
        lines.concat().trim_end().to_string()
    }

    /// `TermLike` is taken by value; the test keeps the screen to read it.
    #[derive(Debug)]
    struct ScreenRef(Arc<Screen>);

    impl TermLike for ScreenRef {
        fn width(&self) -> u16 {
            self.0.width()
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_up(n)
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_down(n)
        }
        fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_right(n)
        }
        fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
            self.0.move_cursor_left(n)
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.0.write_line(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.write_str(s)
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.clear_line()
        }
        fn flush(&self) -> std::io::Result<()> {
            self.0.flush()
        }
    }

    #[test]
    fn a_wait_shows_its_seconds_and_label_cut_to_the_width() {
        let label = "wait DescribeAutoScalingGroups us-west-2 dr-web-asg InService";
        let wide = drawn(120, label);
        assert!(wide.ends_with(&format!("     0s  {label}")), "{wide:?}");
        let narrow = drawn(40, label);
        assert!(narrow.chars().count() <= 40, "{narrow:?}");
        assert!(narrow.contains("     0s  wait DescribeAuto"), "{narrow:?}");
    }
}
