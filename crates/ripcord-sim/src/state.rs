//! Simulated resources with pending transitions that settle by themselves on the virtual clock.
//!
//! A transition is stored, never applied destructively: the resource's fields hold the state
//! it settles into and `Pending` holds what is observable until `until`. Every read asks "as of
//! now", so a parallel branch that rewinds the clock sees a resource mid-transition again, as
//! it would live.

use crate::estimates::{Est, Estimates};
use crate::table::Table;
use ripcord_core::inventory::{
    AutoScalingGroup, DbCluster, DbInstance, DbSnapshot, EbsSnapshot, GlobalCluster, HostedZone,
    RecordSet, Volume,
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
}

/// A resource and its transition, if any.
#[derive(Debug, Clone)]
pub(crate) struct Tracked<T> {
    pub item: T,
    pub pending: Option<Pending>,
}

impl<T: HasStatus> Tracked<T> {
    pub(crate) fn settled(item: T) -> Tracked<T> {
        Tracked {
            item,
            pending: None,
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
        }
    }

    /// A captured resource: a known transitional status is assumed to have just started (the
    /// full estimate from the capture time), which errs on the slow side.
    pub(crate) fn imported(mut item: T, estimates: &Estimates) -> Tracked<T> {
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
