//! What the CLI passes to the live backend: profile, region, endpoint, polling of waits.

use std::time::Duration;

/// How the live backend reaches AWS (`ripcord apply --profile --region --endpoint-url`).
#[derive(Debug, Clone, Default)]
pub struct LiveConfig {
    /// A named profile of the shared config/credentials files (`--profile`); `None` uses the
    /// default credential chain (environment, `AWS_PROFILE`, SSO, instance role, ...).
    pub profile: Option<String>,
    /// The region of global services (Route 53, STS, S3 bucket lookups) and of global-cluster
    /// reads (`--region`); `us-east-1` when absent. Regional calls go to their own region.
    pub region: Option<String>,
    /// Sends every request to this endpoint instead of AWS (`--endpoint-url`, moto in tests).
    /// Without it, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are honoured by the SDK.
    pub endpoint_url: Option<String>,
    /// How waits poll.
    pub poll: PollConfig,
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
