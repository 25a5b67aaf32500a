//! What every step shares, in the main thread and in parallel branches: clients, caches, flags.

use crate::batch::AsgPolls;
use crate::clients::Clients;
use crate::config::PollConfig;
use crate::errors::{FromSdk, Op};
use crate::resolve::{find_zone, health_check_id, ZoneRef};
use ripcord_core::{BackendError, ErrorKind};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    pub poll: PollConfig,
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
    /// Distinguishes this run's idempotency tokens from another run's.
    run_nonce: String,
    steps: AtomicU64,
    /// What did not stop the run but the operator should know (a replication lag CloudWatch
    /// would not tell), in order, each once.
    warnings: Mutex<Vec<String>>,
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
            clients,
            poll,
            cancel: Arc::new(AtomicBool::new(false)),
            identity: tokio::sync::OnceCell::new(),
            bucket_regions: Mutex::new(HashMap::new()),
            zones: Mutex::new(HashMap::new()),
            health_check_ids: Mutex::new(HashMap::new()),
            asg_polls: AsgPolls::default(),
            run_nonce: format!("{}-{started}", std::process::id()),
            steps: AtomicU64::new(0),
            warnings: Mutex::new(Vec::new()),
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

    /// The stop conditions of a step outside any parallel group.
    pub(crate) fn stop(&self) -> Stop<'_> {
        Stop {
            cancel: &self.cancel,
            abort: None,
        }
    }

    /// The caller's account and ARN, asked once.
    pub(crate) async fn identity(&self) -> Result<Identity, BackendError> {
        let op = Op::new("sts", "GetCallerIdentity");
        let identity = self
            .identity
            .get_or_try_init(|| async {
                let out = self
                    .clients
                    .sts()
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|err| op.sdk(err))?;
                Ok::<_, BackendError>(Identity {
                    account: out.account().unwrap_or_default().to_string(),
                    arn: out.arn().unwrap_or_default().to_string(),
                })
            })
            .await?;
        Ok(identity.clone())
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
            ripcord_core::arn::partition(self.clients.default_region())
        )
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
        // GetBucketLocation answers for a bucket of any region from the default region.
        let answer = self
            .clients
            .s3(self.clients.default_region())
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
    pub(crate) fn token_seed(&self, journal_seq: Option<u64>) -> String {
        match journal_seq {
            Some(seq) => format!("{}:journal:{seq}", self.run_nonce),
            None => format!(
                "{}:step:{}",
                self.run_nonce,
                self.steps.fetch_add(1, Ordering::Relaxed)
            ),
        }
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
