//! SDK clients, one per (service, region), built on first use from one loaded SDK config.

use crate::liveness::Liveness;
use aws_sdk_ec2::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_ec2::config::{ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use ripcord_core::GLOBAL_CONTROL_REGION;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// On every HTTP request the SDK transmits (retries included): counts it for
/// `requests_sent` and, with `mark` (the mutating clients, [`Clients::single_attempt`]), marks
/// the call being sent in the journal just before it leaves (`crate::step::TRANSMITTING`).
#[derive(Debug, Clone)]
struct Transmitted {
    requests: Arc<AtomicU64>,
    mark: bool,
}

impl Intercept for Transmitted {
    fn name(&self) -> &'static str {
        "ripcord::Transmitted"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if self.mark {
            // Outside a journaled step (no task-local) there is nothing to mark.
            let _ = crate::step::TRANSMITTING.try_with(|transmit| transmit.mark());
        }
        Ok(())
    }
}

/// Attempts of each STS probe of a candidate account region (the first one included).
const PROBE_ATTEMPTS: u32 = 2;

/// Clients of one service by region.
type PerRegion<C> = Mutex<HashMap<String, C>>;

/// Every SDK client the backend uses, created lazily and cached.
///
/// SDK clients are cheap handles (an `Arc` inside) and safe to share between tasks, so a
/// parallel branch clones the one it needs out of the cache.
#[derive(Debug)]
pub(crate) struct Clients {
    base: aws_config::SdkConfig,
    /// Where account-wide requests may go (STS, S3 ListBuckets and bucket lookups,
    /// global-cluster reads), preferred first; never empty.
    candidates: Vec<String>,
    /// The candidate in use: the first until `Ctx::identity` has found which one answers.
    account_region: Arc<RwLock<String>>,
    /// The region Route 53 is signed for: its partition's global region, as the SDK's own
    /// endpoint rules sign it, whichever region answers account-wide requests.
    route53_region: String,
    /// Custom endpoints (moto, LocalStack) serve buckets by path, not by virtual host.
    s3_path_style: bool,
    requests: Arc<AtomicU64>,
    /// When each endpoint last answered, for how patiently reads are retried.
    liveness: Liveness,
    /// Requests are sent once and marked in the journal as they leave ([`Transmitted`]):
    /// the mutating clients ([`Clients::single_attempt`]).
    single_attempt: bool,
    ec2: PerRegion<aws_sdk_ec2::Client>,
    rds: PerRegion<aws_sdk_rds::Client>,
    autoscaling: PerRegion<aws_sdk_autoscaling::Client>,
    sns: PerRegion<aws_sdk_sns::Client>,
    dynamodb: PerRegion<aws_sdk_dynamodb::Client>,
    ecs: PerRegion<aws_sdk_ecs::Client>,
    s3: PerRegion<aws_sdk_s3::Client>,
    route53: PerRegion<aws_sdk_route53::Client>,
    cloudwatch: PerRegion<aws_sdk_cloudwatch::Client>,
}

/// A poisoned lock only means another thread panicked while inserting a client; the map is
/// still a valid cache.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

macro_rules! client_for {
    ($fn_name:ident, $field:ident, $sdk:ident) => {
        pub(crate) fn $fn_name(&self, region: &str) -> $sdk::Client {
            let mut cache = lock(&self.$field);
            if let Some(client) = cache.get(region) {
                return client.clone();
            }
            let config = $sdk::config::Builder::from(&self.base)
                .region(Region::new(region.to_string()))
                .interceptor(self.transmitted())
                .interceptor(self.liveness.listener(
                    stringify!($field),
                    region,
                    !self.single_attempt,
                ))
                .build();
            let client = $sdk::Client::from_conf(config);
            cache.insert(region.to_string(), client.clone());
            client
        }
    };
}

impl Clients {
    /// Clients sending account-wide requests to the first of `candidates` (`us-east-1` when
    /// there is none) until [`Clients::set_account_region`] picks another.
    pub(crate) fn new(base: aws_config::SdkConfig, candidates: Vec<String>) -> Clients {
        let s3_path_style = base.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty());
        let mut unique: Vec<String> = Vec::new();
        for region in candidates {
            if !region.is_empty() && !unique.contains(&region) {
                unique.push(region);
            }
        }
        if unique.is_empty() {
            unique.push(GLOBAL_CONTROL_REGION.to_string());
        }
        let first = unique[0].clone();
        Clients {
            base,
            route53_region: global_region(&first).to_string(),
            account_region: Arc::new(RwLock::new(first)),
            candidates: unique,
            s3_path_style,
            requests: Arc::new(AtomicU64::new(0)),
            liveness: Liveness::default(),
            single_attempt: false,
            ec2: Mutex::default(),
            rds: Mutex::default(),
            autoscaling: Mutex::default(),
            sns: Mutex::default(),
            dynamodb: Mutex::default(),
            ecs: Mutex::default(),
            s3: Mutex::default(),
            route53: Mutex::default(),
            cloudwatch: Mutex::default(),
        }
    }

    /// Clients like these whose requests are sent once: the SDK does not retry them. For
    /// mutating requests, which ripcord retries itself (`crate::settle`), so that the
    /// outcome of a request whose answer was lost is read from AWS before anything is sent
    /// again. They share the request count, the account region and what answered lately.
    pub(crate) fn single_attempt(&self) -> Clients {
        let mut base = self.base.to_builder();
        base.set_retry_config(Some(aws_config::retry::RetryConfig::disabled()));
        Clients {
            base: base.build(),
            candidates: self.candidates.clone(),
            account_region: self.account_region.clone(),
            route53_region: self.route53_region.clone(),
            s3_path_style: self.s3_path_style,
            requests: self.requests.clone(),
            liveness: self.liveness.clone(),
            single_attempt: true,
            ec2: Mutex::default(),
            rds: Mutex::default(),
            autoscaling: Mutex::default(),
            sns: Mutex::default(),
            dynamodb: Mutex::default(),
            ecs: Mutex::default(),
            s3: Mutex::default(),
            route53: Mutex::default(),
            cloudwatch: Mutex::default(),
        }
    }

    /// The region account-wide requests go to.
    pub(crate) fn account_region(&self) -> String {
        self.account_region
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Where account-wide requests may go, preferred first.
    pub(crate) fn account_candidates(&self) -> &[String] {
        &self.candidates
    }

    /// Sends account-wide requests to `region` from now on.
    pub(crate) fn set_account_region(&self, region: &str) {
        *self
            .account_region
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = region.to_string();
    }

    /// Which regions answered lately, shared by every client of the run.
    pub(crate) fn liveness(&self) -> &Liveness {
        &self.liveness
    }

    /// Tells `observer` of every retry of every client sharing this one's liveness.
    pub(crate) fn set_retry_observer(&self, observer: crate::RetryObserver) {
        self.liveness.set_observer(observer);
    }

    /// Tells the retry observer of ripcord's own retry of a mutating request.
    pub(crate) fn retrying(&self, retry: &crate::Retry) {
        self.liveness.retrying(retry);
    }

    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    client_for!(ec2, ec2, aws_sdk_ec2);
    client_for!(rds, rds, aws_sdk_rds);
    client_for!(autoscaling, autoscaling, aws_sdk_autoscaling);
    client_for!(sns, sns, aws_sdk_sns);
    client_for!(dynamodb, dynamodb, aws_sdk_dynamodb);
    client_for!(ecs, ecs, aws_sdk_ecs);
    client_for!(route53_in, route53, aws_sdk_route53);
    client_for!(cloudwatch, cloudwatch, aws_sdk_cloudwatch);

    /// The interceptor that counts (and on mutating clients marks) each transmission.
    fn transmitted(&self) -> Transmitted {
        Transmitted {
            requests: self.requests.clone(),
            mark: self.single_attempt,
        }
    }

    /// The region global services (Route 53, IAM) are signed for in the partition.
    pub(crate) fn global_region(&self) -> &str {
        &self.route53_region
    }

    /// The loaded SDK configuration every client is built from.
    pub(crate) fn base(&self) -> &aws_config::SdkConfig {
        &self.base
    }

    /// Route 53 is global: one client, signed for its partition's global region.
    pub(crate) fn route53(&self) -> aws_sdk_route53::Client {
        self.route53_in(&self.route53_region)
    }

    /// STS in `region` for the probe of the account region (`Ctx::identity`): at most
    /// [`PROBE_ATTEMPTS`] attempts. A region that refuses connections is then passed over
    /// at once instead of after the SDK's four backoffs (seconds each), while one lost
    /// connection is still retried; the identity is asked once per run, so the client is
    /// not cached.
    pub(crate) fn sts_probe(&self, region: &str) -> aws_sdk_sts::Client {
        let retry = self
            .base
            .retry_config()
            .cloned()
            .unwrap_or_else(aws_config::retry::RetryConfig::standard)
            .with_max_attempts(PROBE_ATTEMPTS);
        let config = aws_sdk_sts::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()))
            .retry_config(retry)
            .interceptor(self.transmitted())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// S3 in a bucket's region (requests for a bucket must be sent to its region).
    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut cache = lock(&self.s3);
        if let Some(client) = cache.get(region) {
            return client.clone();
        }
        let config = aws_sdk_s3::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()))
            .force_path_style(self.s3_path_style)
            .interceptor(self.transmitted())
            .interceptor(self.liveness.listener("s3", region, !self.single_attempt))
            .build();
        let client = aws_sdk_s3::Client::from_conf(config);
        cache.insert(region.to_string(), client.clone());
        client
    }
}

/// The region a partition's global services (Route 53) are signed for.
fn global_region(region: &str) -> &'static str {
    match ripcord_core::arn::partition(region) {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => GLOBAL_CONTROL_REGION,
    }
}
