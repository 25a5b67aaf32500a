//! `SimBackend`: the dry-run `Backend`, a virtual clock over an indexed copy of the inventory.

use crate::clock::Clock;
use crate::errors::Op;
use crate::estimates::{Est, Estimates};
use crate::ids::Ids;
use crate::world::World;
use ripcord_core::quota::Quotas;
use ripcord_core::{
    Backend, BackendError, Call, CheckSpec, Effect, Endpoint, Inventory, Outcome, Query,
    Settlement, Verdict, WaitSpec,
};

/// The simulated world a runbook is planned against.
///
/// It never does I/O: every call is checked against and applied to an in-memory copy of the
/// inventory, with AWS's error codes for what AWS would refuse, and takes its estimated time
/// on a virtual clock that starts at the inventory's `captured_at`. Cloning forks the world
/// (the REPL plans "the rest from here" on a clone). A failed step changes nothing.
#[derive(Debug, Clone)]
pub struct SimBackend {
    pub(crate) world: World,
    pub(crate) clock: Clock,
    pub(crate) estimates: Estimates,
    pub(crate) ids: Ids,
    /// AWS's request quotas with the operator's overrides: a parallel group's calls of one
    /// bucket take at least what its rate allows.
    pub(crate) quotas: Quotas,
}

impl SimBackend {
    /// A simulation of `inventory`, its clock at `captured_at`. Resources captured in a
    /// transitional status (`creating`, `pending`, ...) are assumed to have just started it.
    pub fn new(inventory: Inventory) -> SimBackend {
        let estimates = Estimates::new(&inventory.estimates);
        SimBackend {
            world: World::new(inventory, &estimates),
            clock: Clock::default(),
            estimates,
            ids: Ids::default(),
            quotas: Quotas::default(),
        }
    }

    /// Estimates parallel groups with these quotas instead of AWS's default ones (an
    /// account's raised quotas: `--quotas`).
    pub fn set_quotas(&mut self, quotas: Quotas) {
        self.quotas = quotas;
    }

    /// The simulated state now, in inventory shape (transitions still running show their
    /// transitional status; Route 53 change batches are not part of an inventory).
    pub fn world(&self) -> Inventory {
        self.world.export(self.clock.elapsed())
    }

    /// Keys of the inventory's `estimates` map that name no estimate (likely typos), for the
    /// caller to warn about.
    pub fn unknown_estimate_keys(&self) -> &[String] {
        self.estimates.unknown_keys()
    }

    /// The backend's time `secs` after the start of the run.
    pub(crate) fn timestamp(&self, secs: u64) -> jiff::Timestamp {
        let offset = jiff::SignedDuration::from_secs(i64::try_from(secs).unwrap_or(i64::MAX));
        self.world
            .captured_at
            .checked_add(offset)
            .unwrap_or(jiff::Timestamp::MAX)
    }
}

impl Backend for SimBackend {
    fn world(&self) -> Option<Inventory> {
        Some(SimBackend::world(self))
    }

    fn now(&self) -> jiff::Timestamp {
        self.timestamp(self.clock.elapsed())
    }

    fn elapsed_secs(&self) -> u64 {
        self.clock.elapsed()
    }

    fn execute(&mut self, call: &Call) -> Result<Outcome, BackendError> {
        self.reach(call.service(), call.operation(), &Endpoint::of_call(call))?;
        crate::apply::execute(self, call)
    }

    fn wait(&mut self, spec: &WaitSpec) -> Result<Outcome, BackendError> {
        let service = spec.target.kind().service();
        self.reach(
            service,
            spec.operation(),
            &Endpoint::of_target(&spec.target),
        )?;
        crate::wait::wait(self, spec)
    }

    fn check(&mut self, spec: &CheckSpec) -> Result<Outcome, BackendError> {
        self.reach(spec.service(), spec.operation(), &Endpoint::of_check(spec))?;
        let outcome = match spec {
            CheckSpec::BucketReplication { bucket, region } => crate::apply::s3::check_replication(
                self,
                Op::new(spec.service(), spec.operation()),
                spec,
                bucket,
                region,
            )?,
            CheckSpec::TableReplica {
                table,
                region,
                replica_region,
            } => crate::apply::dynamodb::check_replica(self, spec, table, region, replica_region)?,
        };
        let secs = self.estimates.get(Est::Check);
        self.clock.advance(secs);
        Ok(Outcome {
            duration_secs: secs,
            ..outcome
        })
    }

    fn approve(&mut self, _message: &str) -> Result<Outcome, BackendError> {
        // Human time cannot be estimated; the plan's renderer points that out, not the backend.
        let secs = self.estimates.get(Est::Approve);
        self.clock.advance(secs);
        Ok(Outcome {
            duration_secs: secs,
            ..Outcome::default()
        })
    }

    fn query(&mut self, query: &Query) -> Result<Option<serde_json::Value>, BackendError> {
        match query {
            Query::Describe { target } => crate::query::describe(self, target),
            Query::LatestSnapshot { target } => crate::query::latest_snapshot(self, target),
            Query::Reachable { region } => {
                Ok(Some(serde_json::Value::Bool(self.reachable(region))))
            }
        }
    }

    /// The dry-run of `apply --resume` settles a step the earlier process sent without a
    /// journaled answer as the live backend will: by the operation's effect check, here read
    /// from the world (a capture taken after that process stopped). A snapshot found by its
    /// request tag cannot be judged without the live token: it is planned as sent.
    fn settle_journaled(
        &mut self,
        call: &Call,
        _seq: u64,
    ) -> Result<Option<Outcome>, BackendError> {
        let effect = call.effect();
        if let Effect::Unobservable { why } = effect {
            return Ok(Some(Outcome {
                warnings: vec![Settlement::journaled_warning(why)],
                settled: Some(Settlement::journaled(why.to_string(), false)),
                ..Outcome::default()
            }));
        }
        let Some(target) = effect.read_target() else {
            return Ok(None);
        };
        let found = crate::query::describe(self, &target)?;
        Ok(match effect.judge(found.as_ref()) {
            Verdict::Holds(evidence) | Verdict::Started(evidence) => Some(Outcome {
                creates: call.given_id(),
                settled: Some(Settlement::journaled(
                    format!("the world shows {evidence}"),
                    true,
                )),
                ..Outcome::default()
            }),
            Verdict::NotHeld(_) => None,
        })
    }

    fn begin_parallel(&mut self) -> Result<(), BackendError> {
        self.clock.begin_parallel()
    }

    fn begin_branch(&mut self) -> Result<(), BackendError> {
        self.clock.begin_branch()
    }

    fn end_parallel(&mut self) -> Result<Vec<String>, BackendError> {
        self.clock.end_parallel(&self.quotas)
    }
}
