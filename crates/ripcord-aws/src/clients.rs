//! SDK clients, one per (service, region), built on first use from one loaded SDK config.

use aws_sdk_ec2::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_ec2::config::{ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Counts every HTTP request the SDK transmits (retries included), for `requests_sent`.
#[derive(Debug, Clone)]
struct CountRequests(Arc<AtomicU64>);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "ripcord::CountRequests"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Clients of one service by region.
type PerRegion<C> = Mutex<HashMap<String, C>>;

/// Every SDK client the backend uses, created lazily and cached.
///
/// SDK clients are cheap handles (an `Arc` inside) and safe to share between tasks, so a
/// parallel branch clones the one it needs out of the cache.
#[derive(Debug)]
pub(crate) struct Clients {
    base: aws_config::SdkConfig,
    /// The region of global services (Route 53, STS, S3 bucket lookups).
    default_region: String,
    /// Custom endpoints (moto, LocalStack) serve buckets by path, not by virtual host.
    s3_path_style: bool,
    requests: Arc<AtomicU64>,
    ec2: PerRegion<aws_sdk_ec2::Client>,
    rds: PerRegion<aws_sdk_rds::Client>,
    autoscaling: PerRegion<aws_sdk_autoscaling::Client>,
    sns: PerRegion<aws_sdk_sns::Client>,
    s3: PerRegion<aws_sdk_s3::Client>,
    route53: PerRegion<aws_sdk_route53::Client>,
    sts: PerRegion<aws_sdk_sts::Client>,
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
                .interceptor(CountRequests(self.requests.clone()))
                .build();
            let client = $sdk::Client::from_conf(config);
            cache.insert(region.to_string(), client.clone());
            client
        }
    };
}

impl Clients {
    pub(crate) fn new(base: aws_config::SdkConfig, default_region: String) -> Clients {
        let s3_path_style = base.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty());
        Clients {
            base,
            default_region,
            s3_path_style,
            requests: Arc::new(AtomicU64::new(0)),
            ec2: Mutex::default(),
            rds: Mutex::default(),
            autoscaling: Mutex::default(),
            sns: Mutex::default(),
            s3: Mutex::default(),
            route53: Mutex::default(),
            sts: Mutex::default(),
            cloudwatch: Mutex::default(),
        }
    }

    pub(crate) fn default_region(&self) -> &str {
        &self.default_region
    }

    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    client_for!(ec2, ec2, aws_sdk_ec2);
    client_for!(rds, rds, aws_sdk_rds);
    client_for!(autoscaling, autoscaling, aws_sdk_autoscaling);
    client_for!(sns, sns, aws_sdk_sns);
    client_for!(sts_in, sts, aws_sdk_sts);
    client_for!(route53_in, route53, aws_sdk_route53);
    client_for!(cloudwatch, cloudwatch, aws_sdk_cloudwatch);

    /// Route 53 is global: one client, signed for the default region's partition.
    pub(crate) fn route53(&self) -> aws_sdk_route53::Client {
        self.route53_in(&self.default_region)
    }

    pub(crate) fn sts(&self) -> aws_sdk_sts::Client {
        self.sts_in(&self.default_region)
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
            .interceptor(CountRequests(self.requests.clone()))
            .build();
        let client = aws_sdk_s3::Client::from_conf(config);
        cache.insert(region.to_string(), client.clone());
        client
    }
}
