//! `LiveBackend`: the `Backend` that sends each step to AWS, journaled, on its own runtime.

use crate::clients::Clients;
use crate::config::LiveConfig;
use crate::context::Ctx;
use crate::errors::Op;
use crate::liveness::SILENT_ATTEMPTS;
use crate::parallel::{is_placeholder, ParallelGroup};
use crate::step::{substitute, Step};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use ripcord_core::{
    Backend, BackendError, Call, CheckSpec, Endpoint, ErrorKind, Intent, Inventory, Journal,
    Outcome, Query, WaitSpec,
};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a connection may take to open (less when `--request-timeout` is shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The region the SDK would use: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's
/// `region`. The instance metadata service, last in the SDK's own chain, is not asked: off
/// EC2 it costs seconds of timeouts, and on EC2 it names the instance's region, which says
/// nothing about where account-wide requests are best sent.
async fn sdk_region(profile: Option<&str>) -> Option<String> {
    let mut from_profile = aws_config::profile::region::ProfileFileRegionProvider::builder();
    if let Some(profile) = profile {
        from_profile = from_profile.profile_name(profile);
    }
    aws_config::meta::region::RegionProviderChain::first_try(
        aws_config::environment::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(from_profile.build())
    .region()
    .await
    .map(|region| region.to_string())
    .filter(|region| !region.is_empty())
}

/// Who the credentials belong to (sts GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// Asks the operator at an approval gate (the message is the runbook's); `Err(reason)` refuses.
/// `Ok(who)` approves, naming who did (journaled with the approval).
pub type Approver = Box<dyn FnMut(&str) -> Result<String, String> + Send>;

/// The live AWS backend of `ripcord apply`.
///
/// It owns a tokio runtime (two worker threads) and blocks on it in each `Backend` method, so
/// it must be used from synchronous code, not from inside another tokio runtime. SDK clients
/// are created per (service, region) on first use. Every mutating request, wait, check and
/// approval is journaled before it is sent when a journal is set. Between `begin_parallel`
/// and `end_parallel` steps are queued and run concurrently at the end (`docs/live.md`).
pub struct LiveBackend {
    runtime: tokio::runtime::Runtime,
    ctx: Arc<Ctx>,
    journal: Option<Arc<dyn Journal>>,
    approver: Option<Approver>,
    started: Instant,
    group: Option<ParallelGroup>,
    /// Placeholder -> real id of everything earlier parallel groups created.
    placeholders: HashMap<String, String>,
    next_placeholder: u64,
}

impl std::fmt::Debug for LiveBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveBackend")
            .field("account_region", &self.ctx.clients.account_region())
            .field("journal", &self.journal.is_some())
            .field("approver", &self.approver.is_some())
            .field("parallel", &self.group.is_some())
            .finish_non_exhaustive()
    }
}

fn setup_error(message: impl Into<String>) -> BackendError {
    Op::new("ripcord", "setup").transport("SetupFailed", message)
}

fn static_credentials(
    access_key_id: &str,
    secret_access_key: &str,
) -> aws_sdk_sts::config::Credentials {
    aws_sdk_sts::config::Credentials::new(
        access_key_id,
        secret_access_key,
        None,
        None,
        "ripcord-static",
    )
}

/// The SDK's standard retry mode; its own backoff unless a test asks for a shorter one. The
/// attempts are [`SILENT_ATTEMPTS`] until an endpoint has answered (`crate::liveness`).
fn retry_config(initial_backoff: Option<Duration>) -> RetryConfig {
    let standard = RetryConfig::standard().with_max_attempts(SILENT_ATTEMPTS);
    match initial_backoff {
        Some(initial) => standard.with_initial_backoff(initial),
        None => standard,
    }
}

impl LiveBackend {
    /// A backend using the default credential chain (or `config.profile`).
    pub fn new(config: LiveConfig) -> Result<LiveBackend, BackendError> {
        let initial_backoff = config.initial_backoff;
        LiveBackend::build(config, None, initial_backoff)
    }

    /// A backend with fixed credentials instead of the credential chain, whose retries first
    /// wait `initial_backoff` (then about twice as long each time) instead of the SDK's 1 s;
    /// the attempts are as many. For tests against a local endpoint (moto), so that a
    /// developer's `~/.aws` never matters; there the SDK's backoff is only waiting (a refused
    /// connection or a 500 from moto does not get better in a second).
    #[doc(hidden)]
    pub fn with_static_credentials_and_backoff(
        config: LiveConfig,
        access_key_id: &str,
        secret_access_key: &str,
        initial_backoff: Duration,
    ) -> Result<LiveBackend, BackendError> {
        let credentials = static_credentials(access_key_id, secret_access_key);
        LiveBackend::build(config, Some(credentials), Some(initial_backoff))
    }

    fn build(
        config: LiveConfig,
        credentials: Option<aws_sdk_sts::config::Credentials>,
        initial_backoff: Option<Duration>,
    ) -> Result<LiveBackend, BackendError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ripcord-aws")
            .enable_all()
            .build()
            .map_err(|err| setup_error(format!("cannot start the async runtime: {err}")))?;
        let preferred = match config.region.clone().filter(|r| !r.is_empty()) {
            Some(region) => Some(region),
            None => runtime.block_on(sdk_region(config.profile.as_deref())),
        };
        let candidates: Vec<String> = preferred
            .into_iter()
            .chain(config.fallback_regions.iter().cloned())
            .collect();
        let clients_region = candidates
            .first()
            .cloned()
            .unwrap_or_else(|| ripcord_core::GLOBAL_CONTROL_REGION.to_string());
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(clients_region))
            .retry_config(retry_config(initial_backoff))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT.min(config.request_timeout))
                    // One attempt of any request; retries get their own.
                    .operation_attempt_timeout(config.request_timeout)
                    .build(),
            );
        if let Some(profile) = &config.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &config.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(credentials) = credentials {
            loader = loader.credentials_provider(credentials);
        }
        let base = runtime.block_on(loader.load());
        let mut ctx = Ctx::new(Clients::new(base, candidates), config.poll);
        ctx.read_timeout = config.read_timeout;
        if let Some(initial) = initial_backoff {
            ctx.retry_backoff = initial;
        }
        Ok(LiveBackend {
            runtime,
            ctx: Arc::new(ctx),
            journal: None,
            approver: None,
            started: Instant::now(),
            group: None,
            placeholders: HashMap::new(),
            next_placeholder: 0,
        })
    }

    /// Step Functions in `region` (`ripcord deploy`, `apply --engine step-functions`).
    pub fn step_functions(&self, region: &str) -> crate::StepFunctions<'_> {
        crate::StepFunctions::new(&self.runtime, self.ctx.clients.base(), region)
    }

    /// IAM, for the role a deployed state machine runs as (`ripcord deploy --create-role`).
    pub fn roles(&self) -> crate::Roles<'_> {
        crate::Roles::new(
            &self.runtime,
            self.ctx.clients.base(),
            self.ctx.clients.global_region(),
        )
    }

    /// Names the run (its journal's run id): idempotency tokens and the request tags of
    /// snapshots derive from it and the step's sequence number, so that `apply --resume`
    /// finds what the earlier process of the run made.
    pub fn set_run_id(&mut self, run_id: &str) {
        self.ctx.set_run_id(run_id);
    }

    /// Every step from now on is journaled (intent before sending, outcome after).
    pub fn set_journal(&mut self, journal: Arc<dyn Journal>) {
        self.journal = Some(journal);
    }

    /// Who is told of each retry, the SDK's of reads and ripcord's own of mutating requests
    /// (the progress display's retry line).
    pub fn set_retry_observer(&mut self, observer: crate::RetryObserver) {
        self.ctx.clients.set_retry_observer(observer);
    }

    /// Paces requests by these quotas instead of AWS's default ones (an account's raised
    /// quotas, `--quotas`): set it before the first request.
    pub fn set_quotas(&mut self, quotas: ripcord_core::quota::Quotas) {
        self.ctx.pacer.set_quotas(quotas);
    }

    /// Who is told, once, that a bucket's queue got long (`route53: 995 requests queued at
    /// 5/s, ~3m 19s`).
    pub fn set_queue_observer(&mut self, observer: crate::QueueObserver) {
        self.ctx.pacer.set_observer(observer);
    }

    /// Who answers approval gates; without one, `approve()` is refused.
    pub fn set_approver(&mut self, approver: Approver) {
        self.approver = Some(approver);
    }

    /// The flag the CLI's Ctrl-C handler sets: no new step starts and waits stop polling.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.ctx.cancel.clone()
    }

    /// sts GetCallerIdentity (asked once, then cached). The first time, it is sent to every
    /// candidate account region at once and picks the first that answers within the read
    /// timeout (`docs/live.md`, "When a region does not answer"); when that is not the
    /// preferred one, a warning says so (`take_warnings`).
    pub fn caller_identity(&mut self) -> Result<CallerIdentity, BackendError> {
        let identity = self.runtime.block_on(self.ctx.identity())?;
        Ok(CallerIdentity {
            account: identity.account,
            arn: identity.arn,
        })
    }

    /// The region account-wide requests go to (STS, S3 ListBuckets and bucket lookups,
    /// global-cluster reads): after `caller_identity`, the first candidate that answered.
    pub fn account_region(&self) -> String {
        self.ctx.clients.account_region()
    }

    /// A read-only snapshot of live state in `regions` (and the global resources) in the
    /// inventory's shape. Every region, and every service of a region, is read at once and
    /// bounded by the read timeout; what does not answer is listed in the inventory's
    /// `unreachable` (and fails later requests at once) instead of failing the capture.
    pub fn capture(&mut self, regions: &[String]) -> Result<Inventory, BackendError> {
        self.runtime
            .block_on(crate::capture::capture(&self.ctx, regions))
    }

    /// Warnings of queries and captures since the last call: what they could not read but
    /// answered anyway (a replication lag CloudWatch refused is unknown, `()`). Steps carry
    /// their warnings in their `Outcome`; queries have no outcome, so the caller collects
    /// these after a run (or a capture) and shows them.
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.ctx.take_warnings()
    }

    /// HTTP requests sent to AWS so far, retries and lookups included.
    pub fn requests_sent(&self) -> u64 {
        self.ctx.clients.requests_sent()
    }

    /// The step with placeholders of earlier groups replaced; one never resolved (its group
    /// failed before creating it) is an error.
    fn resolve_placeholders(&self, step: Step) -> Result<Step, BackendError> {
        step.substitute(&self.placeholders, &is_placeholder)
            .map_err(|placeholder| unresolved(step.op(), &placeholder))
    }

    /// Runs a step now, or queues it when a parallel group is open.
    fn step(&mut self, step: Step) -> Result<Outcome, BackendError> {
        if let Some(group) = self.group.as_mut() {
            return Ok(group.queue(step, &mut self.next_placeholder));
        }
        let step = self.resolve_placeholders(step)?;
        let ctx = self.ctx.clone();
        let journal = self.journal.clone();
        self.runtime
            .block_on(async move { step.run(&ctx, journal.as_ref(), ctx.stop()).await })
    }
}

/// The request `latest_snapshot` lists snapshots with (the simulation names the same).
fn latest_snapshot_operation(target: &ripcord_core::Target) -> &'static str {
    match target.kind() {
        ripcord_core::ResourceKind::Volume => "DescribeSnapshots",
        ripcord_core::ResourceKind::DbInstance => "DescribeDBSnapshots",
        ripcord_core::ResourceKind::DbCluster => "DescribeDBClusterSnapshots",
        other => other.describe_operation(),
    }
}

fn unresolved(op: Op, placeholder: &str) -> BackendError {
    op.rejected(
        "UnresolvedPlaceholder",
        format!("{placeholder} stands for a resource a parallel branch was to create, but that step did not run"),
    )
    .with_help("the parallel group failed before creating it; see the group's error")
}

impl Backend for LiveBackend {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }

    fn elapsed_secs(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        self.step(Step::Call(call.clone()))
    }

    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        self.step(Step::Wait(spec.clone()))
    }

    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        self.step(Step::Check(spec.clone()))
    }

    fn approve(&mut self, message: &str) -> Result<Outcome, BackendError> {
        let op = Op::new("ripcord", "approve");
        if self.group.is_some() {
            return Err(op
                .rejected(
                    "ApprovalInParallel",
                    "approve() cannot be inside parallel(...)",
                )
                .with_help("ask for approval before the parallel group"));
        }
        self.ctx.stop().check(op)?;
        let Some(approver) = self.approver.as_mut() else {
            return Err(op
                .error(
                    ErrorKind::Refused,
                    "NoApprover",
                    "approval needed, but there is no way to ask an operator",
                )
                .with_help(
                    "run apply in a terminal, or approve the gates up front as the CLI allows",
                ));
        };
        let seq = match &self.journal {
            Some(journal) => Some(
                journal
                    .intent(&Intent::Approval {
                        message: message.to_string(),
                    })
                    .map_err(|reason| {
                        op.transport(
                            "JournalFailed",
                            format!("the approval could not be journaled: {reason}"),
                        )
                    })?,
            ),
            None => None,
        };
        let started = Instant::now();
        let answer = approver(message);
        let elapsed = started.elapsed();
        let cancelled = self.ctx.stop().check(op).err();
        let result = match (answer, cancelled) {
            // Ctrl-C ended the prompt: not the operator's refusal but the run's cancellation.
            (Err(_), Some(cancelled)) => Err(cancelled),
            (Ok(who), _) => Ok(Outcome {
                duration_secs: (elapsed.as_millis().saturating_add(500) / 1000)
                    .try_into()
                    .unwrap_or(u64::MAX),
                approved_by: Some(who),
                ..Outcome::default()
            }),
            (Err(reason), None) => Err(op.error(ErrorKind::Refused, "ApprovalRefused", reason)),
        };
        if let (Some(journal), Some(seq)) = (&self.journal, seq) {
            let ms = elapsed.as_millis().try_into().unwrap_or(u64::MAX);
            journal.finished(seq, result.as_ref(), ms);
        }
        result
    }

    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        // Inside a parallel group nothing has run yet: a query sees the state before the
        // group, and a placeholder of this group names nothing (hence `None`).
        let query = substitute(query, &self.placeholders, &|_| false).unwrap_or(query.clone());
        let ctx = self.ctx.clone();
        self.runtime.block_on(async move {
            let (target, operation) = match &query {
                Query::Reachable { region } => {
                    return Ok(Some(serde_json::Value::Bool(ctx.reachable(region))))
                }
                Query::Describe { target } => (target, target.kind().describe_operation()),
                Query::LatestSnapshot { target } => (target, latest_snapshot_operation(target)),
            };
            let endpoint = Endpoint::of_target(target);
            ctx.reach(Op::new(target.kind().service(), operation), &endpoint)?;
            let answer = match &query {
                Query::LatestSnapshot { target } => {
                    crate::query::latest_snapshot(&ctx, target).await
                }
                _ => crate::query::describe(&ctx, target).await,
            };
            if let Err(err) = &answer {
                ctx.note_failed_read(&endpoint, err);
            }
            answer
        })
    }

    fn settle_journaled(&mut self, call: &Call, seq: u64) -> Result<Option<Outcome>, BackendError> {
        let call = match self.resolve_placeholders(Step::Call(call.clone()))? {
            Step::Call(call) => call,
            _ => call.clone(),
        };
        let ctx = self.ctx.clone();
        let seed = ctx.token_seed(Some(seq));
        let started = Instant::now();
        let settled = self
            .runtime
            .block_on(async { crate::settle::journaled(&ctx, &call, &seed).await });
        let ms = started.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
        let journal = self.journal.as_deref();
        match settled {
            Ok(crate::settle::Journaled::Done(outcome)) => {
                if let Some(journal) = journal {
                    journal.finished(seq, Ok(&outcome), ms);
                }
                Ok(Some(outcome))
            }
            Ok(crate::settle::Journaled::NotDone(why)) => {
                if let Some(journal) = journal {
                    let err = Op::new(call.service(), call.operation()).rejected(
                        "NotTakenEffect",
                        format!("the earlier process's request did not take effect ({why}): sent again as a new step"),
                    );
                    journal.finished(seq, Err(&err), ms);
                }
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        if self.group.is_some() {
            return Err(Op::new("ripcord", "parallel")
                .rejected("NestedParallel", "parallel groups cannot be nested"));
        }
        self.group = Some(ParallelGroup::default());
        Ok(())
    }

    fn begin_branch(&mut self) -> Result<(), BackendError> {
        match self.group.as_mut() {
            Some(group) => {
                group.begin_branch();
                Ok(())
            }
            None => Err(Op::new("ripcord", "parallel")
                .rejected("NoParallelGroup", "a branch started outside parallel(...)")),
        }
    }

    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        let Some(group) = self.group.take() else {
            return Err(Op::new("ripcord", "parallel").rejected(
                "NoParallelGroup",
                "end of a parallel group that was not begun",
            ));
        };
        let ctx = self.ctx.clone();
        let journal = self.journal.clone();
        let known = self.placeholders.clone();
        let result = self.runtime.block_on(group.run(ctx, journal, known));
        self.placeholders.extend(result.created);
        match result.error {
            Some(err) => Err(err),
            // Pacing is told as it happens (the progress line), not as a note of the plan.
            None => Ok(Vec::new()),
        }
    }
}
