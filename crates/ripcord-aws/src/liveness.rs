//! Which regions have answered lately: a read is retried patiently while its region answers
//! other requests (lost answers, throttling), and given up after the usual attempts when the
//! region is silent (a region down must still be found down fast).
//!
//! By region, not by service: a read of a service nothing has answered yet (the first
//! request after a cold start) is as likely lost as failing for good, and other services of
//! the region answering show its network up. Route 53 is global, kept apart: it answering
//! (signed for us-east-1) says nothing of us-east-1's regional services.
//!
//! The same interceptor tells the operator of every retry the SDK is about to make
//! ([`crate::Retry`]).

use crate::retry::{answer_failure, Retry, RetryObserver};
use aws_config::retry::RetryConfig;
use aws_sdk_ec2::config::interceptors::FinalizerInterceptorContextMut;
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Attempts of a read (the first included) in a region nothing answered within [`LIVELY`]:
/// a region that is down fails its reads after as many as it always did.
pub(crate) const SILENT_ATTEMPTS: u32 = 5;

/// Attempts of a read in a region that answered within [`LIVELY`]: lost answers and
/// throttling during an incident, or one service of the region failing (found so after a
/// longer while). At 37% of attempts failing (30% lost, 10% of the rest throttled),
/// five attempts leave one read in 140 failing and a failover reads a few hundred times;
/// twelve leave one in 150,000.
pub(crate) const PATIENT_ATTEMPTS: u32 = 12;

/// How recent an answer keeps a region lively: longer than the SDK's pauses between
/// attempts (at most 20 s), short enough that a region dying mid-run is given up on within
/// about a minute.
const LIVELY: Duration = Duration::from_secs(60);

/// When each region (or Route 53) last answered, shared by every client of a run, and who is
/// told of retries.
#[derive(Clone, Default)]
pub(crate) struct Liveness {
    heard: Arc<Mutex<HashMap<String, Instant>>>,
    /// Attempts of each service of each scope that got no answer (none, or a 5xx) since the
    /// service last answered: what lets a capture cut short the parts of a silent region
    /// that are already failing (`crate::capture`), and only those.
    unanswered: Arc<Mutex<HashMap<(String, String), u32>>>,
    /// Woken on every unanswered attempt.
    changed: Arc<tokio::sync::Notify>,
    observer: Arc<RwLock<Option<RetryObserver>>>,
}

impl std::fmt::Debug for Liveness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Liveness")
            .field("heard", &self.heard)
            .finish_non_exhaustive()
    }
}

impl Liveness {
    /// The interceptor of the client of `service` in `region`. `patient`: it also sets the
    /// attempts of each of its requests (not on single-attempt clients, which must stay so).
    pub(crate) fn listener(&self, service: &str, region: &str, patient: bool) -> Listen {
        let global = service == "route53";
        let scope = if global {
            "route53 (global)".to_string()
        } else {
            region.to_string()
        };
        Listen {
            liveness: self.clone(),
            scope,
            service: service.to_string(),
            region: if global {
                String::new()
            } else {
                region.to_string()
            },
            patient,
        }
    }

    /// Tells `observer` of every retry from now on.
    pub(crate) fn set_observer(&self, observer: RetryObserver) {
        *self
            .observer
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(observer);
    }

    /// Tells the observer, if any, of `retry`.
    pub(crate) fn retrying(&self, retry: &Retry) {
        let observer = self
            .observer
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if let Some(observer) = observer {
            observer(retry);
        }
    }

    fn heard(&self, scope: &str, service: &str) {
        self.table().insert(scope.to_string(), Instant::now());
        locked(&self.unanswered).remove(&(scope.to_string(), service.to_string()));
    }

    fn unanswered(&self, scope: &str, service: &str) {
        *locked(&self.unanswered)
            .entry((scope.to_string(), service.to_string()))
            .or_default() += 1;
        self.changed.notify_waiters();
    }

    /// Whether `region` (Route 53's scope for `route53`) answered anything within [`LIVELY`].
    pub(crate) fn lively(&self, scope: &str) -> bool {
        self.table()
            .get(scope)
            .is_some_and(|at| at.elapsed() < LIVELY)
    }

    /// Whether an attempt of `service` in `region` got no answer since the service last
    /// answered there.
    pub(crate) fn failing(&self, region: &str, service: &str) -> bool {
        locked(&self.unanswered).contains_key(&(region.to_string(), service.to_string()))
    }

    /// Resolves after the next unanswered attempt anywhere. Create it before checking
    /// [`Liveness::failing`], so that an attempt in between is not missed.
    pub(crate) fn next_unanswered(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        locked(&self.heard)
    }
}

/// A poisoned lock only means another thread panicked while updating a time or a count; the
/// table is still valid.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Notes every answer of one client's region and, on patient clients, gives the request
/// [`PATIENT_ATTEMPTS`] or [`SILENT_ATTEMPTS`] after each attempt.
#[derive(Debug, Clone)]
pub(crate) struct Listen {
    liveness: Liveness,
    /// The region, or Route 53's own scope.
    scope: String,
    /// The client's service as IAM and the plan name it (`autoscaling`, not the SDK's
    /// "Auto Scaling"), for the retry line.
    service: String,
    /// The client's region, as the retry line names it (empty for Route 53's global one).
    region: String,
    patient: bool,
}

impl Intercept for Listen {
    fn name(&self) -> &'static str {
        "ripcord::Listen"
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Any answer of the service itself (an error or throttling included) shows the
        // region alive; a 5xx may come from a load balancer in front of a dead service.
        if context
            .response()
            .is_some_and(|response| response.status().as_u16() < 500)
        {
            self.liveness.heard(&self.scope, &self.service);
        } else {
            self.liveness.unanswered(&self.scope, &self.service);
        }
        if self.patient {
            // The standard retry strategy reads the retry config from the bag after this
            // hook, on every attempt: this sets how many attempts this request may have.
            let attempts = if self.liveness.lively(&self.scope) {
                PATIENT_ATTEMPTS
            } else {
                SILENT_ATTEMPTS
            };
            let config = cfg
                .load::<RetryConfig>()
                .cloned()
                .unwrap_or_else(RetryConfig::standard)
                .with_max_attempts(attempts);
            cfg.interceptor_state().store_put(config);
            self.tell_retry(context, cfg, attempts);
        }
        Ok(())
    }
}

impl Listen {
    /// After a failed attempt that the SDK retries (throttling, a 5xx, no answer) and that
    /// has attempts left, tells the observer which attempt comes next. Said before the
    /// SDK's pause, so the line shows while it waits.
    fn tell_retry(&self, context: &FinalizerInterceptorContextMut<'_>, cfg: &ConfigBag, of: u32) {
        let attempt = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        if attempt >= of {
            return;
        }
        let reason = match context.response() {
            Some(response) => {
                let body = response.body().bytes().unwrap_or_default();
                answer_failure(response.status().as_u16(), body)
            }
            None => match context.output_or_error() {
                Some(Err(err)) if err.is_timeout_error() => Some("no answer (timed out)".into()),
                Some(Err(err)) => match err.as_connector_error() {
                    Some(conn) if conn.is_timeout() => Some("no answer (timed out)".into()),
                    Some(conn) if conn.is_io() => Some("no answer (connection failed)".into()),
                    Some(_) => Some("no answer (connection lost)".into()),
                    None => None,
                },
                _ => None,
            },
        };
        let Some(reason) = reason else {
            return;
        };
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        self.liveness.retrying(&Retry {
            service: self.service.clone(),
            operation,
            region: self.region.clone(),
            reason,
            attempt: attempt + 1,
            of,
        });
    }
}
