//! What makes a run wait: `wait` for AWS to reach a state, `approve` for a person.

use super::Res;
use crate::failure::Failure;
use crate::handle::Handle;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::{Origin, WaitSpec, WaitState};

/// The default `wait` timeout.
pub const DEFAULT_WAIT_TIMEOUT_SECS: u64 = 30 * 60;

/// `wait(handle, state [, timeout])`.
pub fn wait(
    st: &mut RunState,
    origin: Origin,
    h: &Handle,
    state: &str,
    timeout: Option<u64>,
) -> Res {
    let until = WaitState::parse(state).ok_or_else(|| {
        Failure::invalid(format!("`{state}` is not a state `wait` knows"))
            .with_help("states: available, completed, in_service, in_sync, active, steady, deleted")
    })?;
    // The one table of waiters (core's) decides, so that the interpreter accepts exactly the
    // waits the simulation and the live backend can carry out.
    if !h.kind().can_wait(&until) {
        return Err(
            Failure::invalid(format!("cannot wait for `{state}` on {h}")).with_help(format!(
                "states for {}: {}",
                h.kind().a_noun(),
                h.kind().wait_states_help()
            )),
        );
    }
    let timeout_secs = timeout.unwrap_or(DEFAULT_WAIT_TIMEOUT_SECS);
    if timeout_secs == 0 {
        return Err(Failure::invalid(
            "a wait timeout must be more than 0 seconds",
        ));
    }
    st.wait(
        WaitSpec {
            target: h.0.clone(),
            until,
            timeout_secs,
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `approve(message)`.
pub fn approve(st: &mut RunState, origin: Origin, message: &str) -> Res {
    if message.trim().is_empty() {
        return Err(Failure::invalid(
            "`approve` needs a message saying what is being approved",
        ));
    }
    st.approve(message.to_string(), origin)?;
    Ok(Dynamic::UNIT)
}
