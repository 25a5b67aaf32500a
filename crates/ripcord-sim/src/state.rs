//! Simulated resources with pending transitions that settle by themselves on the virtual clock.
//!
//! A transition is stored, never applied destructively: the resource's fields hold the state
//! it settles into and `Pending` holds what is observable until `until`. Every read asks "as of
//! now", so a parallel branch that rewinds the clock sees a resource mid-transition again, as
//! it would live.

use crate::estimates::{Est, Estimates};
use crate::table::Table;
use ripcord_core::inventory::{
    AutoScalingGroup, DbCluster, DbInstance, DbSnapshot, DynamoTable, EbsSnapshot, EcsService,
    GlobalCluster, HostedZone, RecordSet, TableReplica, Volume,
};

/// An asynchronous change in progress.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// Elapsed seconds at which it completes.
    pub until: u64,
    /// The status observable until then (`pending`, `creating`, `modifying`, ...).
    pub status: String,
    /// The estimate that produced `until`, named in timeout messages.
    pub estimate: Est,
}

/// Resources that have one status string AWS reports and waiters poll.
pub(crate) trait HasStatus: Clone {
    fn status(&self) -> &str;
    fn set_status(&mut self, status: String);
    /// For a status captured mid-transition: the status it settles into, the estimate of how
    /// long that takes from the capture, and a multiplier (GiB for EBS snapshots).
    fn transition(&self) -> Option<(&'static str, Est, u64)>;
    /// For a status captured mid-deletion (`deleting`) of a kind the simulation deletes: the
    /// estimate of how long until it is gone, from the capture.
    fn deletion(&self) -> Option<Est> {
        None
    }
}

/// A resource and its transition, if any.
#[derive(Debug, Clone)]
pub(crate) struct Tracked<T> {
    pub item: T,
    pub pending: Option<Pending>,
    /// `pending` is a deletion: the resource is `deleting` until it ends, then gone. Tables
    /// only grow, so a deleted resource stays as a tombstone that lookups skip once it is
    /// gone ([`Tracked::exists`]); a rewound parallel branch still sees it `deleting`.
    pub ends: bool,
}

impl<T: HasStatus> Tracked<T> {
    pub(crate) fn settled(item: T) -> Tracked<T> {
        Tracked {
            item,
            pending: None,
            ends: false,
        }
    }

    /// A resource the run creates: observable as `status` until `until`, then as `item`.
    pub(crate) fn starting(item: T, status: &str, until: u64, estimate: Est) -> Tracked<T> {
        Tracked {
            item,
            pending: Some(Pending {
                until,
                status: status.to_string(),
                estimate,
            }),
            ends: false,
        }
    }

    /// A captured resource: a known transitional status is assumed to have just started (the
    /// full estimate from the capture time), which errs on the slow side; so is a deletion.
    pub(crate) fn imported(mut item: T, estimates: &Estimates) -> Tracked<T> {
        if let Some(est) = item.deletion() {
            let mut tracked = Tracked::settled(item);
            tracked.delete(0, estimates.get(est), est);
            return tracked;
        }
        let Some((settled, est, times)) = item.transition() else {
            return Tracked::settled(item);
        };
        let status = item.status().to_string();
        item.set_status(settled.to_string());
        Tracked::starting(item, &status, estimates.get(est).saturating_mul(times), est)
    }

    /// The transition still running at `now`, if any.
    pub(crate) fn active(&self, now: u64) -> Option<&Pending> {
        self.pending.as_ref().filter(|p| now < p.until)
    }

    /// Seconds until a transition running at `now` settles the resource, for "wait first"
    /// hints; `None` when nothing is running, or when what runs is its deletion.
    pub(crate) fn remaining(&self, now: u64) -> Option<u64> {
        self.active(now)
            .filter(|_| !self.ends)
            .map(|p| p.until - now)
    }

    /// Whether the resource exists at `now`: anything but a deletion that has ended.
    pub(crate) fn exists(&self, now: u64) -> bool {
        !self.ends || self.active(now).is_some()
    }

    pub(crate) fn status(&self, now: u64) -> &str {
        match self.active(now) {
            Some(pending) => &pending.status,
            None => self.item.status(),
        }
    }

    /// The resource as AWS would describe it at `now`.
    pub(crate) fn view(&self, now: u64) -> T {
        let mut item = self.item.clone();
        if let Some(pending) = self.active(now) {
            item.set_status(pending.status.clone());
        }
        item
    }

    /// Starts a transition from the current (settled) state.
    pub(crate) fn start(&mut self, status: &str, until: u64, estimate: Est) {
        self.pending = Some(Pending {
            until,
            status: status.to_string(),
            estimate,
        });
    }

    /// Starts its deletion at `now`: `deleting` until `until`, then gone.
    pub(crate) fn delete(&mut self, now: u64, until: u64, estimate: Est) {
        self.settle(now);
        self.start("deleting", until, estimate);
        self.ends = true;
    }

    /// Drops a transition that has completed, before the resource is changed again.
    pub(crate) fn settle(&mut self, now: u64) {
        if self.active(now).is_none() {
            self.pending = None;
        }
    }
}

impl HasStatus for Volume {
    fn status(&self) -> &str {
        &self.state
    }
    fn set_status(&mut self, status: String) {
        self.state = status;
    }
    fn transition(&self) -> Option<(&'static str, Est, u64)> {
        (self.state == "creating").then_some(("available", Est::VolumeAvailable, 1))
    }
}

impl HasStatus for EbsSnapshot {
    fn status(&self) -> &str {
        &self.state
    }
    fn set_status(&mut self, status: String) {
        self.state = status;
    }
    fn transition(&self) -> Option<(&'static str, Est, u64)> {
        (self.state == "pending").then_some((
            "completed",
            Est::EbsSnapshotPerGib,
            gib(self.size_gib),
        ))
    }
}

/// Sizes are at least 1 GiB in AWS; a zero or negative size in an inventory still takes time.
pub(crate) fn gib(size_gib: i64) -> u64 {
    u64::try_from(size_gib).unwrap_or(0).max(1)
}

impl HasStatus for DbInstance {
    fn status(&self) -> &str {
        &self.status
    }
    fn set_status(&mut self, status: String) {
        self.status = status;
    }
    fn transition(&self) -> Option<(&'static str, Est, u64)> {
        let est = match self.status.as_str() {
            "creating" => Est::DbInstanceAfterRestore,
            "rebooting" | "starting" => Est::DbInstanceAfterReboot,
            "backing-up" => Est::DbSnapshotAvailable,
            "modifying" | "upgrading" | "renaming" | "maintenance" => Est::DbInstanceAfterPromote,
            _ => return None,
        };
        Some(("available", est, 1))
    }
    fn deletion(&self) -> Option<Est> {
        (self.status == "deleting").then_some(Est::DbInstanceDeleted)
    }
}

impl HasStatus for DbCluster {
    fn status(&self) -> &str {
        &self.status
    }
    fn set_status(&mut self, status: String) {
        self.status = status;
    }
    fn transition(&self) -> Option<(&'static str, Est, u64)> {
        let est = match self.status.as_str() {
            "creating" => Est::DbInstanceAfterRestore,
            "rebooting" | "starting" => Est::DbInstanceAfterReboot,
            "backing-up" => Est::DbClusterSnapshotAvailable,
            "failing-over" => Est::GlobalFailover,
            "modifying" | "promoting" | "upgrading" | "renaming" | "maintenance" => {
                Est::DbClusterAfterDetach
            }
            _ => return None,
        };
        Some(("available", est, 1))
    }
    fn deletion(&self) -> Option<Est> {
        (self.status == "deleting").then_some(Est::DbClusterDeleted)
    }
}

/// DB snapshots and cluster snapshots share the shape; the estimate differs by list.
#[derive(Debug, Clone)]
pub(crate) struct SnapshotOf<const CLUSTER: bool>(pub DbSnapshot);

impl<const CLUSTER: bool> HasStatus for SnapshotOf<CLUSTER> {
    fn status(&self) -> &str {
        &self.0.status
    }
    fn set_status(&mut self, status: String) {
        self.0.status = status;
    }
    fn transition(&self) -> Option<(&'static str, Est, u64)> {
        let est = if CLUSTER {
            Est::DbClusterSnapshotAvailable
        } else {
            Est::DbSnapshotAvailable
        };
        matches!(self.0.status.as_str(), "creating" | "copying" | "pending").then_some((
            "available",
            est,
            1,
        ))
    }
}

pub(crate) type DbSnap = SnapshotOf<false>;
pub(crate) type ClusterSnap = SnapshotOf<true>;

impl HasStatus for GlobalCluster {
    fn status(&self) -> &str {
        &self.status
    }
    fn set_status(&mut self, status: String) {
        self.status = status;
    }
    fn transition(&self) -> Option<(&'static str, Est, u64)> {
        matches!(
            self.status.as_str(),
            "failing-over" | "switching-over" | "modifying" | "upgrading" | "creating"
        )
        .then_some(("available", Est::GlobalFailover, 1))
    }
    fn deletion(&self) -> Option<Est> {
        (self.status == "deleting").then_some(Est::GlobalClusterDeleted)
    }
}

/// An Auto Scaling group; `item.in_service` is kept `None` (settled means InService = desired,
/// anything else is in `pending`).
#[derive(Debug, Clone)]
pub(crate) struct AsgState {
    pub item: AutoScalingGroup,
    pub pending: Option<AsgPending>,
    /// The inventory gave `in_service`; exports keep it so that an untouched world exports
    /// exactly the inventory it was built from.
    pub explicit_in_service: bool,
}

/// Instances still launching: `in_service` are InService until `until`.
#[derive(Debug, Clone)]
pub(crate) struct AsgPending {
    pub until: u64,
    pub in_service: i64,
}

impl AsgState {
    /// A captured group whose InService count differs from desired is converging: it gets
    /// there one `wait.asg_in_service` after the capture.
    pub(crate) fn imported(mut item: AutoScalingGroup, estimates: &Estimates) -> AsgState {
        let explicit_in_service = item.in_service.is_some();
        let pending = item
            .in_service
            .take()
            .filter(|n| *n != item.desired_capacity)
            .map(|in_service| AsgPending {
                until: estimates.get(Est::AsgInService),
                in_service,
            });
        AsgState {
            item,
            pending,
            explicit_in_service,
        }
    }

    pub(crate) fn active(&self, now: u64) -> Option<&AsgPending> {
        self.pending.as_ref().filter(|p| now < p.until)
    }

    pub(crate) fn in_service(&self, now: u64) -> i64 {
        self.active(now)
            .map_or(self.item.desired_capacity, |p| p.in_service)
    }

    /// The group as exported at `now`: `in_service` while it differs from desired, or when
    /// the inventory gave it.
    pub(crate) fn view(&self, now: u64) -> AutoScalingGroup {
        let mut item = self.item.clone();
        let launching = self.active(now).is_some();
        item.in_service = (launching || self.explicit_in_service).then(|| self.in_service(now));
        item
    }

    /// The group as Describe answers: `in_service` always present, as AWS counts it.
    pub(crate) fn describe(&self, now: u64) -> AutoScalingGroup {
        let mut item = self.item.clone();
        item.in_service = Some(self.in_service(now));
        item
    }
}

/// An ECS service; `item.running_count` is kept `None` (settled means running = desired,
/// anything else is in `pending`), as an Auto Scaling group's InService count.
#[derive(Debug, Clone)]
pub(crate) struct EcsState {
    pub item: EcsService,
    pub pending: Option<EcsPending>,
    /// The inventory gave `running_count`; exports keep it so that an untouched world exports
    /// exactly the inventory it was built from.
    pub explicit_running: bool,
}

/// Tasks still starting: `running` run until `until`.
#[derive(Debug, Clone)]
pub(crate) struct EcsPending {
    pub until: u64,
    pub running: i64,
}

impl EcsState {
    /// A captured service whose running count differs from desired is converging: it gets
    /// there one `wait.ecs_service_steady` after the capture.
    pub(crate) fn imported(mut item: EcsService, estimates: &Estimates) -> EcsState {
        let explicit_running = item.running_count.is_some();
        let pending = item
            .running_count
            .take()
            .filter(|n| *n != item.desired_count)
            .map(|running| EcsPending {
                until: estimates.get(Est::EcsSteady),
                running,
            });
        EcsState {
            item,
            pending,
            explicit_running,
        }
    }

    pub(crate) fn active(&self, now: u64) -> Option<&EcsPending> {
        self.pending.as_ref().filter(|p| now < p.until)
    }

    pub(crate) fn running(&self, now: u64) -> i64 {
        self.active(now)
            .map_or(self.item.desired_count, |p| p.running)
    }

    /// The service as exported at `now`: `running_count` while it differs from desired, or
    /// when the inventory gave it.
    pub(crate) fn view(&self, now: u64) -> EcsService {
        let mut item = self.item.clone();
        let starting = self.active(now).is_some();
        item.running_count = (starting || self.explicit_running).then(|| self.running(now));
        item
    }

    /// The service as DescribeServices answers: `running_count` always present.
    pub(crate) fn describe(&self, now: u64) -> EcsService {
        let mut item = self.item.clone();
        item.running_count = Some(self.running(now));
        item
    }
}

/// The lifecycle of a DynamoDB table or of one replica in a table's list: a settled status,
/// and a transition that leads to it or, when `ends`, out of existence (DELETING -> gone).
#[derive(Debug, Clone)]
pub(crate) struct Phase {
    /// The status once `pending` is over (unused when `ends`).
    pub status: String,
    pub pending: Option<Pending>,
    /// The transition ends with the table (or the replica entry) gone.
    pub ends: bool,
}

impl Phase {
    pub(crate) fn settled(status: &str) -> Phase {
        Phase {
            status: status.to_string(),
            pending: None,
            ends: false,
        }
    }

    /// `status` until `until`, then `ACTIVE`.
    pub(crate) fn until_active(status: &str, until: u64, estimate: Est) -> Phase {
        Phase {
            status: "ACTIVE".to_string(),
            pending: Some(Pending {
                until,
                status: status.to_string(),
                estimate,
            }),
            ends: false,
        }
    }

    /// `DELETING` until `until`, then gone.
    pub(crate) fn deleting(until: u64) -> Phase {
        Phase {
            status: "DELETING".to_string(),
            pending: Some(Pending {
                until,
                status: "DELETING".to_string(),
                estimate: Est::TableReplicaDeleted,
            }),
            ends: true,
        }
    }

    /// A captured status: `CREATING`/`UPDATING` are assumed to have just started and become
    /// `ACTIVE` one `wait.table_replica_active` after the capture, `DELETING` is gone one
    /// `wait.table_replica_deleted` after it; any other status is permanent.
    fn imported(status: &str, estimates: &Estimates) -> Phase {
        match status {
            "CREATING" | "UPDATING" => Phase::until_active(
                status,
                estimates.get(Est::TableReplicaActive),
                Est::TableReplicaActive,
            ),
            "DELETING" => Phase::deleting(estimates.get(Est::TableReplicaDeleted)),
            _ => Phase::settled(status),
        }
    }

    /// The transition still running at `now`, if any.
    pub(crate) fn active(&self, now: u64) -> Option<&Pending> {
        self.pending.as_ref().filter(|p| now < p.until)
    }

    /// The status at `now`; `None` once a deletion is over.
    pub(crate) fn status(&self, now: u64) -> Option<&str> {
        match self.active(now) {
            Some(pending) => Some(&pending.status),
            None if self.ends => None,
            None => Some(&self.status),
        }
    }
}

/// One entry of a table's `replicas`: another region of its global table.
#[derive(Debug, Clone)]
pub(crate) struct ReplicaState {
    pub region: String,
    pub phase: Phase,
}

/// A DynamoDB table in one region. A deleted replica's table stays as a tombstone (its phase
/// `ends`): the world's tables only grow, and reads as of an earlier time (a rewound parallel
/// branch) still see it DELETING.
#[derive(Debug, Clone)]
pub(crate) struct TableState {
    pub name: String,
    pub stream_view_type: Option<String>,
    pub phase: Phase,
    /// In the inventory's order; the run adds new ones in region order (as a capture lists
    /// them).
    pub replicas: Vec<ReplicaState>,
}

impl TableState {
    pub(crate) fn imported(table: DynamoTable, estimates: &Estimates) -> TableState {
        let replicas = table
            .replicas
            .into_iter()
            .map(|r| ReplicaState {
                phase: Phase::imported(&r.status, estimates),
                region: r.region,
            })
            .collect();
        TableState {
            name: table.name,
            stream_view_type: table.stream_view_type,
            phase: Phase::imported(&table.status, estimates),
            replicas,
        }
    }

    /// Whether the table exists at `now` (a deleted one is DELETING until it is gone).
    pub(crate) fn exists(&self, now: u64) -> bool {
        self.phase.status(now).is_some()
    }

    /// The replicas listed at `now`: (region, status).
    pub(crate) fn replicas(&self, now: u64) -> impl Iterator<Item = (&str, &str)> {
        self.replicas
            .iter()
            .filter_map(move |r| Some((r.region.as_str(), r.phase.status(now)?)))
    }

    /// The entry of `region` if it is listed at `now`.
    pub(crate) fn replica_mut(&mut self, region: &str, now: u64) -> Option<&mut ReplicaState> {
        self.replicas
            .iter_mut()
            .find(|r| r.region == region && r.phase.status(now).is_some())
    }

    /// Lists `region` with `phase` before the first region that sorts after it, replacing a
    /// gone entry of it.
    pub(crate) fn add_replica(&mut self, region: &str, phase: Phase, now: u64) {
        self.replicas
            .retain(|r| r.region != region || r.phase.status(now).is_some());
        let at = self
            .replicas
            .iter()
            .position(|r| r.region.as_str() > region)
            .unwrap_or(self.replicas.len());
        self.replicas.insert(
            at,
            ReplicaState {
                region: region.to_string(),
                phase,
            },
        );
    }

    /// The table as DescribeTable answers at `now`, or `None` once it is gone.
    pub(crate) fn view(&self, now: u64) -> Option<DynamoTable> {
        Some(DynamoTable {
            name: self.name.clone(),
            status: self.phase.status(now)?.to_string(),
            stream_view_type: self.stream_view_type.clone(),
            replicas: self
                .replicas(now)
                .map(|(region, status)| TableReplica {
                    region: region.to_string(),
                    status: status.to_string(),
                })
                .collect(),
        })
    }
}

/// A Route 53 change batch: PENDING until `until`, then INSYNC.
#[derive(Debug, Clone)]
pub(crate) struct DnsChange {
    pub until: u64,
}

impl DnsChange {
    pub(crate) fn status(&self, now: u64) -> &'static str {
        if now < self.until {
            "PENDING"
        } else {
            "INSYNC"
        }
    }
}

/// A hosted zone with its records indexed by (name, type, set identifier).
#[derive(Debug, Clone)]
pub(crate) struct ZoneState {
    pub id: String,
    pub name: String,
    pub private: bool,
    pub records: Table<RecordSet>,
}

impl ZoneState {
    pub(crate) fn new(zone: HostedZone) -> ZoneState {
        let mut records = Table::default();
        for record in zone.records {
            let key = record_key(&record.name, &record.rtype, record.set_id.as_deref());
            records.upsert(key, record);
        }
        ZoneState {
            id: zone.id,
            name: zone.name,
            private: zone.private,
            records,
        }
    }

    pub(crate) fn view(&self) -> HostedZone {
        HostedZone {
            id: self.id.clone(),
            name: self.name.clone(),
            private: self.private,
            records: self.records.iter().cloned().collect(),
        }
    }
}

/// DNS names compare case-insensitively and with or without the trailing dot.
pub(crate) fn dns_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The identity of a record set within its zone.
pub(crate) fn record_key(name: &str, rtype: &str, set_id: Option<&str>) -> String {
    format!(
        "{}\u{0}{}\u{0}{}",
        dns_name(name),
        rtype.to_ascii_uppercase(),
        set_id.unwrap_or("")
    )
}
