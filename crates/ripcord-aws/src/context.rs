//! What every step shares, in the main thread and in parallel branches: clients, caches, flags.

use crate::batch::AsgPolls;
use crate::clients::Clients;
use crate::config::PollConfig;
use crate::errors::{FromSdk, Op};
use crate::resolve::{find_zone, health_check_id, ZoneRef};
use ripcord_core::inventory::Unreachable;
use ripcord_core::{unreachable_error, BackendError, Endpoint, ErrorKind, Outage};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Who the credentials belong to (sts GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub account: String,
    pub arn: String,
}

/// The state shared by all steps of a run; branches of a parallel group hold it in an `Arc`.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub clients: Clients,
    /// The same clients without the SDK's retries, for mutating requests
    /// ([`Clients::single_attempt`]): `crate::settle` retries them itself.
    pub mutations: Clients,
    /// The first pause of ripcord's own retries of a mutating request (then about twice as
    /// long each time, with jitter): the SDK's initial backoff, shorter in tests.
    pub retry_backoff: Duration,
    pub poll: PollConfig,
    /// The bound of each part of a capture and of the STS probe (`--read-timeout`).
    pub read_timeout: Duration,
    /// Set by the CLI's Ctrl-C handler; checked before every step and between polls.
    pub cancel: Arc<AtomicBool>,
    /// Fetched once: ARNs need the account, and it does not change during a run.
    identity: tokio::sync::OnceCell<Identity>,
    /// Bucket name -> region (GetBucketLocation); buckets do not move.
    bucket_regions: Mutex<HashMap<String, String>>,
    /// Hosted zone name -> the zone (ListHostedZonesByName), one lookup per name however
    /// many steps change records in it at once: no primitive creates or deletes zones, so
    /// the answer holds for the run.
    zones: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<ZoneRef>>>>,
    /// Health check Name tag or id -> its id, looked up once per run (finding a check by its
    /// Name tag lists every check and its tags: one request per 10 checks, against Route 53's
    /// 5 requests a second). No primitive creates or deletes health checks.
    health_check_ids: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<String>>>>,
    /// Polls of Auto Scaling groups in flight, shared between overlapping waits.
    pub asg_polls: AsgPolls,
    /// AWS's request quotas as client-side token buckets: every request takes a token
    /// ([`Ctx::pace`]) before it is sent.
    pub pacer: crate::pace::Pacer,
    /// Distinguishes this run's idempotency tokens from another run's.
    run_nonce: std::sync::RwLock<String>,
    steps: AtomicU64,
    /// What did not stop the run but the operator should know (a replication lag CloudWatch
    /// would not tell), in order, each once.
    warnings: Mutex<Vec<String>>,
    /// Regions, services and control planes found not answering (at capture, or by a request
    /// of the run): `reachable(region)` answers from it.
    unreachable: Mutex<Vec<Unreachable>>,
}

/// Stops a polling loop: the operator's Ctrl-C, or another branch of the group failing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stop<'a> {
    pub cancel: &'a AtomicBool,
    pub abort: Option<&'a AtomicBool>,
}

impl Stop<'_> {
    /// `Err` when the step must not go on.
    pub(crate) fn check(&self, op: Op) -> Result<(), BackendError> {
        if self.cancel.load(Ordering::SeqCst) {
            return Err(op
                .error(
                    ErrorKind::Cancelled,
                    "Cancelled",
                    "cancelled by the operator",
                )
                .with_help("steps already sent keep running in AWS; the journal lists them"));
        }
        if self.abort.is_some_and(|abort| abort.load(Ordering::SeqCst)) {
            return Err(op.error(
                ErrorKind::Cancelled,
                "BranchAbandoned",
                "stopped because another branch of the parallel group failed",
            ));
        }
        Ok(())
    }

    /// Waits for `wait` (a place in a queue: `Ctx::pace`), giving up as a sleep does when the
    /// step must stop.
    pub(crate) async fn until(
        &self,
        op: Op,
        wait: impl std::future::Future<Output = ()>,
    ) -> Result<(), BackendError> {
        let slice = std::time::Duration::from_millis(250);
        tokio::pin!(wait);
        loop {
            self.check(op)?;
            tokio::select! {
                () = &mut wait => return Ok(()),
                () = tokio::time::sleep(slice) => {}
            }
        }
    }

    /// Sleeps `total`, waking every quarter second to honour Ctrl-C promptly during long
    /// poll intervals.
    pub(crate) async fn sleep(
        &self,
        op: Op,
        total: std::time::Duration,
    ) -> Result<(), BackendError> {
        let slice = std::time::Duration::from_millis(250);
        let deadline = tokio::time::Instant::now() + total;
        loop {
            self.check(op)?;
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(());
            }
            tokio::time::sleep((deadline - now).min(slice)).await;
        }
    }
}

impl Ctx {
    pub(crate) fn new(clients: Clients, poll: PollConfig) -> Ctx {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Ctx {
            mutations: clients.single_attempt(),
            clients,
            retry_backoff: Duration::from_secs(1),
            poll,
            read_timeout: crate::config::DEFAULT_READ_TIMEOUT,
            cancel: Arc::new(AtomicBool::new(false)),
            identity: tokio::sync::OnceCell::new(),
            bucket_regions: Mutex::new(HashMap::new()),
            zones: Mutex::new(HashMap::new()),
            health_check_ids: Mutex::new(HashMap::new()),
            asg_polls: AsgPolls::default(),
            pacer: crate::pace::Pacer::default(),
            run_nonce: std::sync::RwLock::new(format!("{}-{started}", std::process::id())),
            steps: AtomicU64::new(0),
            warnings: Mutex::new(Vec::new()),
            unreachable: Mutex::new(Vec::new()),
        }
    }

    /// Keeps a warning for `LiveBackend::take_warnings`; a repeated one is kept once (a
    /// runbook may ask the same question many times).
    pub(crate) fn warn(&self, warning: String) {
        // A poisoned lock only means another thread panicked while pushing; the list is
        // still valid.
        let mut warnings = self
            .warnings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }

    /// The warnings kept so far, emptying the list.
    pub(crate) fn take_warnings(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .warnings
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Remembers that something does not answer (once per region, service and plane).
    pub(crate) fn mark_unreachable(&self, entry: Unreachable) {
        let mut list = self
            .unreachable
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A service of a region already down as a whole says nothing more.
        let known = list.iter().any(|e| {
            e.region == entry.region && (e.service == entry.service || e.service.is_none())
        });
        if !known {
            list.push(entry);
        }
    }

    /// What was found not answering so far.
    pub(crate) fn unreachable(&self) -> Vec<Unreachable> {
        self.unreachable
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// `reachable(region)`: the region was not found down as a whole.
    pub(crate) fn reachable(&self, region: &str) -> bool {
        let list = self.unreachable();
        Outage::new(&list).region_down(region).is_none()
    }

    /// `Err` at once, without a request, when `endpoint` is one the capture (or an earlier
    /// read of the run) found not answering: the same error the dry-run predicted. A bucket
    /// whose region is not known yet is not looked up for this; it is not blocked.
    pub(crate) fn reach(&self, op: Op, endpoint: &Endpoint) -> Result<(), BackendError> {
        let entries = self.unreachable();
        if entries.is_empty() {
            return Ok(());
        }
        // Account-wide reads go to the account region, which answered STS.
        let account = self.clients.account_region();
        match Outage::new(&entries).blocking(
            endpoint,
            |bucket| self.cached_bucket_region(bucket),
            [account.as_str()],
        ) {
            Some(entry) => Err(unreachable_error(op.service, op.operation, entry)),
            None => Ok(()),
        }
    }

    /// Remembers what a failed read of `endpoint` found not answering, so that later
    /// requests there fail at once and `reachable()` says so. No connection at all (refused,
    /// timed out) takes the region; an error answer (5xx) only the service. Only reads come
    /// here: a mutating call that did not answer may still have been carried out.
    pub(crate) fn note_failed_read(&self, endpoint: &Endpoint, err: &BackendError) {
        // An error of `reach` (or of an entry already known) adds nothing.
        if err.kind != ErrorKind::Unreachable
            || matches!(
                err.code.as_str(),
                "RegionUnreachable" | "ControlPlaneUnreachable"
            )
        {
            return;
        }
        let reason = format!("{}: {}", err.code, err.message);
        let no_connection = matches!(
            err.code.as_str(),
            "DispatchFailure" | "RequestTimeout" | "ReadTimeout"
        );
        let in_region = |service: &str, region: &str| {
            if no_connection {
                Unreachable::region(region, reason.clone())
            } else {
                Unreachable::service_in(region, service, reason.clone())
            }
        };
        let entry = match endpoint {
            Endpoint::Regional { service, region } => in_region(service, region),
            Endpoint::Bucket { bucket } => match self.cached_bucket_region(bucket) {
                Some(region) => in_region("s3", &region),
                None => return,
            },
            Endpoint::ControlPlane { service } => Unreachable::control_plane(service, reason),
            Endpoint::AnyRegion { service } => in_region(service, &self.clients.account_region()),
        };
        self.mark_unreachable(entry);
    }

    /// Waits for a token of the bucket `operation` of `service` draws from in `region`
    /// (`None`: a global endpoint, Route 53): call it right before the request's `send()`,
    /// once per request (`crate::pace`).
    pub(crate) async fn pace(
        &self,
        service: &'static str,
        operation: &'static str,
        region: Option<&str>,
    ) {
        self.pacer.take(service, operation, region).await;
    }

    /// The stop conditions of a step outside any parallel group.
    pub(crate) fn stop(&self) -> Stop<'_> {
        Stop {
            cancel: &self.cancel,
            abort: None,
        }
    }

    /// The caller's account and ARN, asked once; the first time, it also picks the account
    /// region (`account_region`).
    pub(crate) async fn identity(&self) -> Result<Identity, BackendError> {
        let identity = self
            .identity
            .get_or_try_init(|| self.probe_account_region())
            .await?;
        Ok(identity.clone())
    }

    /// sts GetCallerIdentity sent to every candidate account region at once, each bounded by
    /// the read timeout; the first candidate (in order) that answers becomes the account
    /// region. A dead preferred region so costs one bounded wait, not the SDK's retries
    /// followed by another region's. An answer that is an error (bad credentials) is the
    /// answer: every region would give it.
    async fn probe_account_region(&self) -> Result<Identity, BackendError> {
        let op = Op::new("sts", "GetCallerIdentity");
        let bound = self.read_timeout;
        let candidates = self.clients.account_candidates().to_vec();
        let mut probes = Vec::new();
        for region in &candidates {
            let client = self.clients.sts_probe(region);
            probes.push(tokio::spawn(async move {
                match tokio::time::timeout(bound, client.get_caller_identity().send()).await {
                    Ok(Ok(out)) => Ok(Identity {
                        account: out.account().unwrap_or_default().to_string(),
                        arn: out.arn().unwrap_or_default().to_string(),
                    }),
                    Ok(Err(err)) => Err(op.sdk(err)),
                    Err(_) => Err(read_timeout_error(op, bound)),
                }
            }));
        }
        let mut silent: Vec<(String, BackendError)> = Vec::new();
        let mut outcome = None;
        for (region, probe) in candidates.iter().zip(probes.iter_mut()) {
            let answer = probe.await.unwrap_or_else(|join| {
                Err(op.transport(
                    "ProbeLost",
                    format!("the STS request to {region} stopped: {join}"),
                ))
            });
            match answer {
                Err(err) if err.kind == ErrorKind::Unreachable => {
                    silent.push((region.clone(), err))
                }
                answer => {
                    outcome = Some((region.clone(), answer));
                    break;
                }
            }
        }
        // The requests still out are not needed any more.
        for probe in &probes {
            probe.abort();
        }
        match outcome {
            Some((region, Ok(identity))) => {
                if let Some((first, err)) = silent.first() {
                    self.clients.set_account_region(&region);
                    self.warn(format!(
                        "{first} did not answer sts GetCallerIdentity ({}: {}); account-wide requests (STS, S3 bucket lookups, global-cluster reads) go to {region}",
                        err.code, err.message
                    ));
                }
                Ok(identity)
            }
            Some((_, Err(err))) => Err(err),
            None => {
                let tried = candidates.join(", ");
                let (_, err) = silent
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| (String::new(), read_timeout_error(op, bound)));
                Err(err.with_help(format!(
                    "no region answered sts GetCallerIdentity (tried {tried}, each for up to {}): check the network, or name a region that answers with --region",
                    bound_text(bound)
                )))
            }
        }
    }

    pub(crate) async fn account(&self) -> Result<String, BackendError> {
        Ok(self.identity().await?.account)
    }

    /// `arn:{partition}:{service}:{region}:{account}:{resource}` with the caller's account.
    pub(crate) async fn arn(
        &self,
        service: &str,
        region: &str,
        resource: &str,
    ) -> Result<String, BackendError> {
        let account = self.account().await?;
        Ok(ripcord_core::arn::arn(service, region, &account, resource))
    }

    /// An RDS cluster identifier as the global-cluster APIs need it: its ARN (an ARN passes).
    pub(crate) async fn cluster_arn(&self, region: &str, id: &str) -> Result<String, BackendError> {
        if id.starts_with("arn:") {
            return Ok(id.to_string());
        }
        self.arn("rds", region, &format!("cluster:{id}")).await
    }

    /// `arn:aws:s3:::{bucket}` in the default region's partition.
    pub(crate) fn bucket_arn(&self, bucket: &str) -> String {
        if bucket.starts_with("arn:") {
            return bucket.to_string();
        }
        format!(
            "arn:{}:s3:::{bucket}",
            ripcord_core::arn::partition(&self.clients.account_region())
        )
    }

    /// The region of a bucket when it has been looked up already; no request.
    pub(crate) fn cached_bucket_region(&self, bucket: &str) -> Option<String> {
        let cache = self
            .bucket_regions
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache
            .get(bucket)
            .or_else(|| cache.get(bucket_name(bucket)))
            .cloned()
    }

    /// Remembers a bucket's region found otherwise (a capture's lookup).
    pub(crate) fn remember_bucket_region(&self, bucket: &str, region: &str) {
        self.bucket_regions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(bucket.to_string(), region.to_string());
    }

    /// The region a bucket lives in (GetBucketLocation, cached). `NoSuchBucket` is not found.
    pub(crate) async fn bucket_region(&self, op: Op, bucket: &str) -> Result<String, BackendError> {
        if let Some(region) = self
            .bucket_regions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(bucket)
        {
            return Ok(region.clone());
        }
        // GetBucketLocation answers for a bucket of any region from the account region.
        self.pace(
            "s3",
            "GetBucketLocation",
            Some(&self.clients.account_region()),
        )
        .await;
        let answer = self
            .clients
            .s3(&self.clients.account_region())
            .get_bucket_location()
            .bucket(bucket)
            .send()
            .await;
        let region = match answer {
            Ok(out) => match out.location_constraint().map(|c| c.as_str()) {
                // Buckets in us-east-1 report no constraint; `EU` is the legacy name of
                // eu-west-1.
                None | Some("") => "us-east-1".to_string(),
                Some("EU") => "eu-west-1".to_string(),
                Some(region) => region.to_string(),
            },
            Err(err) => {
                // A regional endpoint may redirect instead of answering; S3 still names the
                // bucket's region in a header of that redirect.
                let header = err
                    .raw_response()
                    .and_then(|r| r.headers().get("x-amz-bucket-region"))
                    .map(str::to_string);
                match header {
                    Some(region) if !region.is_empty() => region,
                    _ => return Err(op.sdk(err)),
                }
            }
        };
        self.bucket_regions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(bucket.to_string(), region.clone());
        Ok(region)
    }

    /// A hosted zone by name or id (`find_zone`), looked up once per run. Concurrent steps
    /// naming the same zone share the one lookup; a zone not found, or a failed lookup, is
    /// not remembered, so the next step asks again.
    pub(crate) async fn zone(&self, op: Op, name: &str) -> Result<Option<ZoneRef>, BackendError> {
        let cell = once_per_run(&self.zones, name);
        let found = cell
            .get_or_try_init(|| async {
                match find_zone(self, op, name).await {
                    Ok(Some(zone)) => Ok(zone),
                    Ok(None) => Err(None),
                    Err(err) => Err(Some(err)),
                }
            })
            .await;
        match found {
            Ok(zone) => Ok(Some(zone.clone())),
            Err(None) => Ok(None),
            Err(Some(err)) => Err(err),
        }
    }

    /// A health check's id from its Name tag or id (`resolve::health_check_id`), looked up
    /// once per run as zones are; a check not found, or a failed lookup, is asked again.
    pub(crate) async fn health_check_id(&self, op: Op, name: &str) -> Result<String, BackendError> {
        once_per_run(&self.health_check_ids, name)
            .get_or_try_init(|| health_check_id(self, op, name))
            .await
            .cloned()
    }

    /// A seed for idempotency tokens unique to one step of this run: the journal's sequence
    /// number when there is a journal, else a counter.
    /// Names the run the tokens belong to: the journal's run id, so that a resumed process
    /// derives the same token for a step as the process that sent it.
    pub(crate) fn set_run_id(&self, run_id: &str) {
        *self
            .run_nonce
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = run_id.to_string();
    }

    pub(crate) fn token_seed(&self, journal_seq: Option<u64>) -> String {
        let nonce = self
            .run_nonce
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        match journal_seq {
            Some(seq) => format!("{nonce}:journal:{seq}"),
            None => format!(
                "{nonce}:step:{}",
                self.steps.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }
}

/// The error of a read that got no answer within the read timeout: the endpoint does not
/// answer, as far as ripcord can wait for it.
pub(crate) fn read_timeout_error(op: Op, bound: Duration) -> BackendError {
    op.unreachable(
        "ReadTimeout",
        format!("no answer within {} (--read-timeout)", bound_text(bound)),
    )
}

/// A timeout as people read it: `30s`, `2m 30s`, or milliseconds below a second.
pub(crate) fn bound_text(bound: Duration) -> String {
    if bound.subsec_millis() != 0 && bound < Duration::from_secs(10) {
        format!("{} ms", bound.as_millis())
    } else {
        ripcord_core::duration::format_duration(bound.as_secs())
    }
}

/// The last part of an ARN (`cluster:ID` -> `ID`), or the string itself.
pub(crate) fn arn_resource_id(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.rsplit([':', '/']).next().unwrap_or(arn)
    } else {
        arn
    }
}

/// The region field of an ARN (`arn:aws:rds:REGION:...`).
pub(crate) fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// A bucket name from an S3 ARN (or the name itself).
pub(crate) fn bucket_name(name: &str) -> &str {
    name.strip_prefix("arn:aws:s3:::")
        .or_else(|| name.strip_prefix("arn:aws-cn:s3:::"))
        .or_else(|| name.strip_prefix("arn:aws-us-gov:s3:::"))
        .unwrap_or(name)
}

/// The cell of `name` in a per-run cache: callers asking for the same name at once share one
/// lookup through it.
fn once_per_run<T>(
    cache: &Mutex<HashMap<String, Arc<tokio::sync::OnceCell<T>>>>,
    name: &str,
) -> Arc<tokio::sync::OnceCell<T>> {
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(name.to_string())
        .or_default()
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts() {
        let arn = "arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora";
        assert_eq!(arn_resource_id(arn), "dr-aurora");
        assert_eq!(arn_region(arn), Some("us-west-2"));
        assert_eq!(arn_resource_id("plain"), "plain");
        assert_eq!(bucket_name("arn:aws:s3:::dr-bucket"), "dr-bucket");
    }
}
