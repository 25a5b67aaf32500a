//! Time, which comes only from the backend (virtual in a dry-run), and durations.

use super::Res;
use crate::failure::Failure;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::duration::{format_duration, parse_duration};

/// `now()`: whole seconds, so that a message built from it reads the same from the virtual
/// clock and the wall clock, in a plan and in a journal.
pub fn now(st: &mut RunState) -> Res {
    Ok(Dynamic::from(
        st.backend()?
            .now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    ))
}

/// `elapsed()`: seconds since the run started.
pub fn elapsed(st: &mut RunState) -> Res {
    Ok(Dynamic::from(st.backend()?.elapsed_secs() as i64))
}

/// `duration("15m")`: seconds.
pub fn duration(text: &str) -> Res {
    parse_duration(text)
        .map(|s| Dynamic::from(s as i64))
        .map_err(Failure::invalid)
}

/// `fmt_duration(372)`: `"6m 12s"`; negative seconds read as none.
pub fn fmt_duration(secs: i64) -> String {
    format_duration(secs.max(0) as u64)
}
