//! Time, which comes only from the backend (virtual in a dry-run), and durations.

use super::Res;
use crate::failure::Failure;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::duration::{format_duration, parse_duration};

/// `now()`: whole seconds, so that a message built from it reads the same from the virtual
/// clock and the wall clock, in a plan and in a journal. Recorded in the plan's `clock`.
pub fn now(st: &mut RunState) -> Res {
    let backend = st.backend()?;
    let text = backend.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let at = backend.elapsed_secs();
    st.read_clock(ripcord_core::ClockSource::Now, text.clone(), at);
    Ok(Dynamic::from(text))
}

/// `elapsed()`: seconds since the run started. Recorded in the plan's `clock` in its
/// `fmt_duration` form, the one a message quotes.
pub fn elapsed(st: &mut RunState) -> Res {
    let secs = st.backend()?.elapsed_secs();
    st.read_clock(
        ripcord_core::ClockSource::Elapsed,
        format_duration(secs),
        secs,
    );
    Ok(Dynamic::from(secs as i64))
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
