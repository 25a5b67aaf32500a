//! `ClockRead`: a value a runbook read from the clock (`now()`, `elapsed()`), as the dry-run
//! formatted it. A message that quotes one reads differently when the plan runs: the Step
//! Functions export puts the execution's own time where the plan has the dry-run's
//! (docs/step-functions.md, "Runtime values").

use serde::{Deserialize, Serialize};

/// Which clock primitive gave the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSource {
    /// `now()`: the time, RFC 3339 in whole seconds.
    Now,
    /// `elapsed()`: seconds since the run started; `text` is its `fmt_duration` form.
    Elapsed,
}

/// One read of the clock during the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRead {
    pub source: ClockSource,
    /// The text a message would quote: the RFC 3339 time, or the duration as `fmt_duration`
    /// writes it (`2m 03s`).
    pub text: String,
    /// When it was read, seconds from the start of the run.
    pub at_secs: u64,
}
