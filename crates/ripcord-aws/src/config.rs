//! What the CLI passes to the live backend: profile, regions, endpoint, timeouts, polling of waits.

use std::time::Duration;

/// How the live backend reaches AWS (`ripcord apply --profile --region --endpoint-url
/// --read-timeout --request-timeout`).
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// A named profile of the shared config/credentials files (`--profile`); `None` uses the
    /// default credential chain (environment, `AWS_PROFILE`, SSO, instance role, ...).
    pub profile: Option<String>,
    /// The preferred account region (`--region`): where STS, S3 bucket lookups and
    /// global-cluster reads go. Without it, the SDK's region (`AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, the profile's `region`) is preferred; then `fallback_regions`.
    /// The first of them that answers STS is used (docs/live.md, "When a region does not
    /// answer"). Regional calls go to their own region whatever this is.
    pub region: Option<String>,
    /// Where account-wide requests may go when the preferred region does not answer, in
    /// order: the runbook's declared regions (or `--regions`). `us-east-1` when there is no
    /// candidate at all.
    pub fallback_regions: Vec<String>,
    /// Sends every request to this endpoint instead of AWS (`--endpoint-url`, moto in tests).
    /// Without it, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are honoured by the SDK.
    pub endpoint_url: Option<String>,
    /// How waits poll.
    pub poll: PollConfig,
    /// The bound of each part of a capture and of the STS probe of the account region
    /// (`--read-timeout`): a part not read within it counts as not answering.
    pub read_timeout: Duration,
    /// The SDK's timeout of one attempt of any request (`--request-timeout`); each retry gets
    /// its own.
    pub request_timeout: Duration,
    /// The first pause before a retry (the SDK's of reads, ripcord's own of mutating
    /// requests), about doubling each time; `None`: the SDK's 1 s. Shorter for emulator tests
    /// (`RIPCORD_RETRY_MS`), where a pause is only waiting.
    pub initial_backoff: Option<Duration>,
}

/// `--read-timeout`'s default: long enough for a large account's listing over a slow link,
/// short enough that a dead region costs half a minute, not the SDK's retries of a minute each.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// `--request-timeout`'s default: one attempt of the slowest request ripcord sends.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for LiveConfig {
    fn default() -> LiveConfig {
        LiveConfig {
            profile: None,
            region: None,
            fallback_regions: Vec::new(),
            endpoint_url: None,
            poll: PollConfig::default(),
            read_timeout: DEFAULT_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            initial_backoff: None,
        }
    }
}

/// How a wait polls: the first interval, growing by `factor` after each poll up to `max_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct PollConfig {
    pub initial_ms: u64,
    pub max_ms: u64,
    pub factor: f64,
}

impl Default for PollConfig {
    /// 5 s, growing by half up to 30 s: quick enough for a snapshot of a small volume, gentle
    /// on API rate limits during a long restore.
    fn default() -> PollConfig {
        PollConfig {
            initial_ms: 5_000,
            max_ms: 30_000,
            factor: 1.5,
        }
    }
}

impl PollConfig {
    /// The interval after `current`: multiplied by the factor, capped at the maximum, and
    /// never below 1 ms (a factor below 1 or a zero interval would otherwise spin).
    pub(crate) fn next(&self, current: Duration) -> Duration {
        let factor = if self.factor.is_finite() && self.factor >= 1.0 {
            self.factor
        } else {
            1.0
        };
        let next = current.as_secs_f64() * factor;
        let max = Duration::from_millis(self.max_ms.max(1));
        Duration::from_secs_f64(next.min(max.as_secs_f64())).max(Duration::from_millis(1))
    }

    pub(crate) fn initial(&self) -> Duration {
        Duration::from_millis(self.initial_ms.clamp(1, self.max_ms.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_to_the_maximum() {
        let poll = PollConfig::default();
        let mut at = poll.initial();
        assert_eq!(at, Duration::from_secs(5));
        at = poll.next(at);
        assert_eq!(at, Duration::from_millis(7_500));
        for _ in 0..10 {
            at = poll.next(at);
        }
        assert_eq!(at, Duration::from_secs(30));
    }

    #[test]
    fn odd_factors_do_not_spin_or_shrink() {
        let poll = PollConfig {
            initial_ms: 0,
            max_ms: 0,
            factor: f64::NAN,
        };
        assert_eq!(poll.initial(), Duration::from_millis(1));
        assert_eq!(poll.next(poll.initial()), Duration::from_millis(1));
    }
}
