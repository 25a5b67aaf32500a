//! Building the live backend from the command line's AWS options.

use crate::cli::LiveArgs;
pub use ripcord_aws::{
    Event, LiveBackend, QueueObserver, Queued, Retry, RetryObserver, StepFunctions, POLICY_NAME,
};
use ripcord_aws::{LiveConfig, PollConfig};

/// The live backend of `args`; `regions` (the runbook's, or `--regions`) are where
/// account-wide requests may go when the preferred region does not answer.
// BackendError is large but built once, on a cold path (the allowance of the library crates).
#[allow(clippy::result_large_err)]
pub fn backend(
    args: &LiveArgs,
    regions: &[String],
) -> Result<LiveBackend, ripcord_core::BackendError> {
    let mut backend = LiveBackend::new(LiveConfig {
        profile: args.profile.clone(),
        region: args.region.clone(),
        fallback_regions: regions.to_vec(),
        endpoint_url: args.endpoint_url.clone(),
        poll: poll_config(),
        read_timeout: args.read_timeout,
        request_timeout: args.request_timeout,
        initial_backoff: retry_backoff(),
    })?;
    // From the first request on: the capture's retries are news too, and so is a long
    // queue for a quota.
    backend.set_retry_observer(crate::progress::retry_observer());
    backend.set_queue_observer(crate::progress::queue_observer());
    Ok(backend)
}

/// The first pause before a retry; `RIPCORD_RETRY_MS` shortens it for emulator tests (a
/// pause before asking moto again is only waiting).
fn retry_backoff() -> Option<std::time::Duration> {
    std::env::var("RIPCORD_RETRY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_millis)
}

/// `RIPCORD_POLL_MS`: how often to poll, shortened for emulator tests (moto settles at once).
pub fn poll_ms() -> Option<u64> {
    std::env::var("RIPCORD_POLL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
}

/// Wait polling; [`poll_ms`] shortens it.
fn poll_config() -> PollConfig {
    match poll_ms() {
        Some(ms) => PollConfig {
            initial_ms: ms,
            max_ms: ms.saturating_mul(4),
            factor: 1.5,
        },
        None => PollConfig::default(),
    }
}
