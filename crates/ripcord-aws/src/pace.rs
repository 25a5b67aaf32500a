//! `Pacer`: client-side token buckets, one per AWS bucket (`ripcord_core::quota`), that every
//! request ripcord sends takes a token from before it leaves.
//!
//! Parallel branches so queue here instead of being throttled by AWS. The SDK offers no
//! place for it: its interceptors are synchronous, a custom HTTP client would count the
//! queueing against the attempt timeout (`--request-timeout`), and its retry strategy, the
//! one asynchronous hook before an attempt, cannot be replaced on a client. So each request
//! site calls [`Pacer::take`] right before `send()`: mutating requests in `settle.rs` (each
//! attempt), reads where they are sent. A paginated listing takes one token per request
//! started, not per page (the SDK fetches later pages by itself); its pages' throttling, if
//! any, is retried by the SDK.
//!
//! Hand-written rather than `governor`: a reservation (GCRA, "the theoretical arrival time")
//! is a dozen lines on tokio's clock, serves waiters in the order they came (governor's
//! `until_ready` polls, so a long queue has no order and a request can starve), and knows
//! how long its queue is, which the operator is told.

use ripcord_core::quota::{BucketKey, Quotas};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// A queue is worth telling the operator about once its wait is this long.
const REPORT_AFTER: Duration = Duration::from_secs(3);

/// How long the first request over [`REPORT_AFTER`] waits before the queue is measured, so
/// that the branches of a group started together have all joined it: one line, with the
/// queue's real length.
const REPORT_SETTLE: Duration = Duration::from_millis(500);

/// A bucket's queue, told once when it gets long: `route53: 995 requests queued at 5/s,
/// ~3m 19s`.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    /// The bucket, as `BucketKey` shows it (`route53`, `autoscaling in us-west-2`).
    pub bucket: String,
    /// Requests waiting for a token.
    pub requests: u64,
    /// Its rate, requests a second.
    pub rate: f64,
    /// How long the last of them waits.
    pub wait: Duration,
}

impl fmt::Display for Queued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = if self.rate.fract() == 0.0 {
            format!("{:.0}", self.rate)
        } else {
            format!("{}", self.rate)
        };
        write!(
            f,
            "{}: {} requests queued at {rate}/s, ~{}",
            self.bucket,
            self.requests,
            ripcord_core::duration::format_duration(self.wait.as_secs().max(1))
        )
    }
}

/// Who is told of a long queue (the CLI's progress display); must not block.
pub type QueueObserver = Arc<dyn Fn(&Queued) + Send + Sync>;

/// The token buckets of a run, created on first use.
#[derive(Clone)]
pub(crate) struct Pacer {
    quotas: Arc<Mutex<Quotas>>,
    buckets: Arc<Mutex<HashMap<BucketKey, Arc<Mutex<Bucket>>>>>,
    observer: Arc<Mutex<Option<QueueObserver>>>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer").finish_non_exhaustive()
    }
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer {
            quotas: Arc::new(Mutex::new(Quotas::default())),
            buckets: Arc::default(),
            observer: Arc::default(),
        }
    }
}

/// A poisoned lock only means a thread panicked holding it; the bucket's times stay valid.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// One bucket as a reservation: `tat` is when the bucket would be full again if nobody
/// asked; a request may leave `tolerance` (the burst) before it.
#[derive(Debug)]
struct Bucket {
    interval: Duration,
    tolerance: Duration,
    rate: f64,
    tat: Instant,
    /// The queue was told of since it last drained.
    reported: bool,
}

impl Bucket {
    fn new(rate: f64, burst: u32, now: Instant) -> Bucket {
        // Rates are above 0 (`Quotas` refuses others); the bound keeps a tiny one finite.
        let interval = Duration::from_secs_f64((1.0 / rate).min(86_400.0));
        Bucket {
            interval,
            tolerance: interval.saturating_mul(burst.saturating_sub(1)),
            rate,
            tat: now,
            reported: false,
        }
    }

    /// Reserves the next token: when the request may leave (`now` or later).
    fn reserve(&mut self, now: Instant) -> Instant {
        let tat = self.tat.max(now);
        let at = tat.checked_sub(self.tolerance).unwrap_or(now).max(now);
        self.tat = tat + self.interval;
        if at <= now {
            self.reported = false;
        }
        at
    }

    /// How long the last request reserved so far waits from `now`.
    fn wait(&self, now: Instant) -> Duration {
        // The last reservation moved `tat` one interval on from the time it was given.
        let last = self
            .tat
            .checked_sub(self.interval + self.tolerance)
            .unwrap_or(now);
        last.saturating_duration_since(now)
    }

    /// Requests reserved and not yet due at `now`: one per interval of the wait, the last
    /// one's included.
    fn queued(&self, now: Instant) -> u64 {
        let interval = self.interval.as_nanos().max(1);
        let wait = self.wait(now).as_nanos();
        u64::try_from(wait.div_ceil(interval)).unwrap_or(u64::MAX)
    }
}

impl Pacer {
    /// Paces by `quotas` from now on (buckets already made keep their rates: set it before
    /// the first request).
    pub(crate) fn set_quotas(&self, quotas: Quotas) {
        *lock(&self.quotas) = quotas;
        lock(&self.buckets).clear();
    }

    pub(crate) fn set_observer(&self, observer: QueueObserver) {
        *lock(&self.observer) = Some(observer);
    }

    /// Waits until a request of `operation` to `region` (`None`: a global endpoint) may
    /// leave. An operation the quota table does not name is not paced (a test holds every
    /// call of this crate to the table).
    pub(crate) async fn take(
        &self,
        service: &'static str,
        operation: &'static str,
        region: Option<&str>,
    ) {
        let Some(key) = BucketKey::of(service, operation, region) else {
            tracing::warn!(service, operation, "no quota row: request not paced");
            return;
        };
        let now = Instant::now();
        let (at, report) = {
            let bucket = self.bucket(&key, now);
            let mut bucket = lock(&bucket);
            let at = bucket.reserve(now);
            let report = at.saturating_duration_since(now) >= REPORT_AFTER && !bucket.reported;
            if report {
                bucket.reported = true;
            }
            (at, report.then(|| self.reporter(key, bucket.rate)))
        };
        if let Some(report) = report {
            tokio::spawn(report);
        }
        tokio::time::sleep_until(at).await;
    }

    fn bucket(&self, key: &BucketKey, now: Instant) -> Arc<Mutex<Bucket>> {
        let mut buckets = lock(&self.buckets);
        if let Some(bucket) = buckets.get(key) {
            return bucket.clone();
        }
        let rate = lock(&self.quotas).rate(key.bucket);
        // Every key comes from a table row, which has a rate; the fallback is never used.
        let rate = rate.unwrap_or(ripcord_core::quota::Rate {
            rate: 1.0,
            burst: 1,
        });
        let bucket = Arc::new(Mutex::new(Bucket::new(rate.rate, rate.client_burst(), now)));
        buckets.insert(key.clone(), bucket.clone());
        bucket
    }

    /// Tells the observer how long the queue of `key` is, once the requests started with
    /// this one have joined it.
    fn reporter(&self, key: BucketKey, rate: f64) -> impl std::future::Future<Output = ()> {
        let pacer = self.clone();
        async move {
            tokio::time::sleep(REPORT_SETTLE).await;
            let observer = lock(&pacer.observer).clone();
            let Some(observer) = observer else {
                return;
            };
            let now = Instant::now();
            let bucket = pacer.bucket(&key, now);
            let (requests, wait) = {
                let bucket = lock(&bucket);
                (bucket.queued(now), bucket.wait(now))
            };
            if requests > 0 {
                observer(&Queued {
                    bucket: key.to_string(),
                    requests,
                    rate,
                    wait,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_lets_the_burst_go_then_one_per_interval() {
        let now = Instant::now();
        let mut bucket = Bucket::new(10.0, 10, now);
        let times: Vec<Duration> = (0..40)
            .map(|_| bucket.reserve(now).duration_since(now))
            .collect();
        assert!(times[..10].iter().all(|t| t.is_zero()), "{times:?}");
        assert_eq!(times[10], Duration::from_millis(100));
        assert_eq!(times[39], Duration::from_millis(3000));
        assert_eq!(bucket.queued(now), 30);
        // Tokens come back with time: 2 s later 20 have left; once the queue is gone the
        // bucket is full again and a request leaves at once.
        assert_eq!(bucket.queued(now + Duration::from_secs(2)), 10);
        let later = now + Duration::from_secs(60);
        assert_eq!(bucket.reserve(later), later);
        assert_eq!(bucket.queued(later), 0);
    }

    #[test]
    fn the_queue_is_told_once_in_words() {
        let queued = Queued {
            bucket: "route53".into(),
            requests: 995,
            rate: 5.0,
            wait: Duration::from_secs(199),
        };
        assert_eq!(
            queued.to_string(),
            "route53: 995 requests queued at 5/s, ~3m 19s"
        );
    }

    /// Parallel takers of one bucket leave at its rate. Real time (tokio's paused clock needs
    /// a feature the SDK's build does not have): 40 at 100/s after a burst of 9 (AWS's 10,
    /// one kept in reserve) take 0.31 s; the bounds are generous for a loaded machine.
    #[tokio::test]
    async fn takers_queue_at_the_rate() {
        let pacer = Pacer::default();
        pacer.set_quotas(
            Quotas::from_yaml("autoscaling: {rate: 100, burst: 10}").expect("valid quotas"),
        );
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move {
                pacer
                    .take("autoscaling", "UpdateAutoScalingGroup", Some("us-west-2"))
                    .await;
                Instant::now().duration_since(start)
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.expect("no panic"));
        }
        times.sort();
        assert!(times[8] < Duration::from_millis(250), "{times:?}");
        assert!(times[39] >= Duration::from_millis(300), "{times:?}");
        assert!(times[39] < Duration::from_secs(3), "{times:?}");
        // Another region has its own bucket, full.
        let other = Instant::now();
        pacer
            .take("autoscaling", "UpdateAutoScalingGroup", Some("us-east-1"))
            .await;
        assert!(other.elapsed() < Duration::from_millis(250));
    }

    /// Every `take` of this crate names an operation of the quota table.
    #[test]
    fn every_paced_request_has_a_quota_row() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut seen = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("readable src") {
                    files.push(entry.expect("an entry").path());
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable source");
            for part in text.split(".pace(\"").skip(1) {
                let mut names = part.splitn(3, '"');
                let service = names.next().unwrap_or_default();
                let rest = names.next().unwrap_or_default();
                let operation = names
                    .next()
                    .and_then(|r| r.split('"').next())
                    .unwrap_or_default();
                assert_eq!(
                    rest.trim(),
                    ",",
                    "{}: pace(\"{service}\"...",
                    path.display()
                );
                assert!(
                    ripcord_core::quota::bucket_of(service, operation).is_some(),
                    "{}: {service} {operation} has no quota row",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} paced requests found");
    }
}
