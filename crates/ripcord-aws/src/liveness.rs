//! Which regions have answered lately: a read is retried patiently while its region answers
//! other requests (lost answers, throttling), and given up after the usual attempts when the
//! region is silent (a region down must still be found down fast).
//!
//! By region, not by service: a read of a service nothing has answered yet (the first
//! request after a cold start) is as likely lost as failing for good, and other services of
//! the region answering show its network up. Route 53 is global, kept apart: it answering
//! (signed for us-east-1) says nothing of us-east-1's regional services.

use aws_config::retry::RetryConfig;
use aws_sdk_ec2::config::interceptors::FinalizerInterceptorContextMut;
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

/// When each region (or Route 53) last answered, shared by every client of a run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Liveness(Arc<Mutex<HashMap<String, Instant>>>);

impl Liveness {
    /// The interceptor of the client of `service` in `region`. `patient`: it also sets the
    /// attempts of each of its requests (not on single-attempt clients, which must stay so).
    pub(crate) fn listener(&self, service: &str, region: &str, patient: bool) -> Listen {
        let scope = if service == "route53" {
            "route53 (global)".to_string()
        } else {
            region.to_string()
        };
        Listen {
            liveness: self.clone(),
            scope,
            patient,
        }
    }

    fn heard(&self, scope: &str) {
        self.table().insert(scope.to_string(), Instant::now());
    }

    fn lively(&self, scope: &str) -> bool {
        self.table()
            .get(scope)
            .is_some_and(|at| at.elapsed() < LIVELY)
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // A poisoned lock only means another thread panicked while inserting a time; the
        // table is still valid.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Notes every answer of one client's region and, on patient clients, gives the request
/// [`PATIENT_ATTEMPTS`] or [`SILENT_ATTEMPTS`] after each attempt.
#[derive(Debug, Clone)]
pub(crate) struct Listen {
    liveness: Liveness,
    /// The region, or Route 53's own scope.
    scope: String,
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
            self.liveness.heard(&self.scope);
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
        }
        Ok(())
    }
}
