//! RDS instances and snapshots: DB and cluster snapshots and their copies, restore, promote,
//! reboot with failover.

use super::resolved;
use super::{ec2::created, Apply, Cx};
use crate::backend::SimBackend;
use crate::errors::wait_hint;
use crate::estimates::Est;
use crate::state::{ClusterSnap, DbSnap, HasStatus, SnapshotOf, Tracked};
use crate::table::Table;
use crate::world::{rds_key, Region};
use ripcord_core::inventory::{DbInstance, DbSnapshot};
use ripcord_core::ops;
use ripcord_core::{BackendError, Change, Outcome, Target};

/// What differs between DB snapshots and DB cluster snapshots.
pub(super) trait Flavor: HasStatus + Sized {
    const ID_PARAMETER: &'static str;
    const ALREADY_EXISTS: &'static str;
    const INVALID_STATE: &'static str;
    const ESTIMATE: Est;
    fn table(region: &Region) -> &Table<Tracked<Self>>;
    fn add(region: &mut Region, snapshot: Tracked<Self>) -> usize;
    fn target(name: &str, region: &str) -> Target;
    fn snapshot(&self) -> &DbSnapshot;
    fn wrap(snapshot: DbSnapshot) -> Self;
    /// Fills in what the snapshot records of its source and does not say yet, from the
    /// source as `region` (the source's region) describes it.
    fn fill_from_source(region: &Region, snapshot: &mut DbSnapshot);
}

impl Flavor for DbSnap {
    const ID_PARAMETER: &'static str = "DBSnapshotIdentifier";
    const ALREADY_EXISTS: &'static str = "DBSnapshotAlreadyExists";
    const INVALID_STATE: &'static str = "InvalidDBSnapshotState";
    const ESTIMATE: Est = Est::DbSnapshotAvailable;
    fn table(region: &Region) -> &Table<Tracked<Self>> {
        &region.db_snapshots
    }
    fn add(region: &mut Region, snapshot: Tracked<Self>) -> usize {
        region.add_db_snapshot(snapshot)
    }
    fn target(name: &str, region: &str) -> Target {
        Target::DbSnapshot {
            name: name.to_string(),
            region: region.to_string(),
        }
    }
    fn snapshot(&self) -> &DbSnapshot {
        &self.0
    }
    fn wrap(snapshot: DbSnapshot) -> Self {
        SnapshotOf(snapshot)
    }
    fn fill_from_source(region: &Region, snapshot: &mut DbSnapshot) {
        if let Some(instance) = region.db_instances.get(&rds_key(&snapshot.source)) {
            record_instance(snapshot, &instance.item);
        }
    }
}

impl Flavor for ClusterSnap {
    const ID_PARAMETER: &'static str = "DBClusterSnapshotIdentifier";
    const ALREADY_EXISTS: &'static str = "DBClusterSnapshotAlreadyExistsFault";
    const INVALID_STATE: &'static str = "InvalidDBClusterSnapshotStateFault";
    const ESTIMATE: Est = Est::DbClusterSnapshotAvailable;
    fn table(region: &Region) -> &Table<Tracked<Self>> {
        &region.db_cluster_snapshots
    }
    fn add(region: &mut Region, snapshot: Tracked<Self>) -> usize {
        region.add_db_cluster_snapshot(snapshot)
    }
    fn target(name: &str, region: &str) -> Target {
        Target::DbClusterSnapshot {
            name: name.to_string(),
            region: region.to_string(),
        }
    }
    fn snapshot(&self) -> &DbSnapshot {
        &self.0
    }
    fn wrap(snapshot: DbSnapshot) -> Self {
        SnapshotOf(snapshot)
    }
    fn fill_from_source(region: &Region, snapshot: &mut DbSnapshot) {
        if let Some(cluster) = region.db_clusters.get(&rds_key(&snapshot.source)) {
            snapshot
                .engine
                .get_or_insert_with(|| cluster.item.engine.clone());
        }
    }
}

/// What a DB snapshot records of its instance, as far as the inventory describes instances
/// (engine version, storage and port it does not: those come only from a capture).
pub(super) fn record_instance(snapshot: &mut DbSnapshot, instance: &DbInstance) {
    snapshot
        .engine
        .get_or_insert_with(|| instance.engine.clone());
    snapshot
        .instance_class
        .get_or_insert_with(|| instance.instance_class.clone());
}

/// The snapshot with what it records of its source, completed from the source itself where
/// the inventory left it out: the instance (or cluster) it was taken of, in the region it was
/// copied from, else in its own. AWS records these when the snapshot is taken; the source as
/// captured is the closest the simulation has. Copies and restores use this, so a copy in
/// another region keeps what the original knew of a source it cannot see from there.
fn recorded<F: Flavor>(sim: &SimBackend, region: &str, snapshot: &DbSnapshot) -> DbSnapshot {
    let mut snapshot = snapshot.clone();
    let home = snapshot.source_region.as_deref().unwrap_or(region);
    if let Some(home) = sim.world.region(home) {
        F::fill_from_source(home, &mut snapshot);
    }
    snapshot
}

/// A manual snapshot taken now: only what it records of its source is left to fill in.
pub(super) fn new_snapshot(id: &str, source: &str, at: jiff::Timestamp) -> DbSnapshot {
    DbSnapshot {
        id: rds_key(id),
        source: source.to_string(),
        status: "available".to_string(),
        created_at: at,
        snapshot_type: "manual".to_string(),
        engine: None,
        engine_version: None,
        instance_class: None,
        allocated_storage_gib: None,
        port: None,
        source_region: None,
    }
}

/// The class the inventory gives an instance that does not say (`docs/inventory.md`).
const DEFAULT_CLASS: &str = "db.r6g.large";

/// The zones of a new instance in `region` (its primary's, and its standby's when Multi-AZ):
/// AWS picks them; the region's first two (or the usual a/b names) stand in for them.
pub(super) fn new_instance_zones(
    reg: &Region,
    region: &str,
    multi_az: bool,
) -> (String, Option<String>) {
    let zone = |n: usize, letter: char| {
        reg.availability_zones
            .get(n)
            .cloned()
            .unwrap_or_else(|| format!("{region}{letter}"))
    };
    (zone(0, 'a'), multi_az.then(|| zone(1, 'b')))
}

/// RDS identifier rules: 1..=max ASCII letters, digits and hyphens, starting with a letter,
/// without two consecutive hyphens or a trailing hyphen.
pub(super) fn check_identifier(
    cx: Cx,
    parameter: &str,
    id: &str,
    max: usize,
) -> Result<(), BackendError> {
    let problem = if id.is_empty() {
        Some("it is empty".to_string())
    } else if id.len() > max {
        Some(format!(
            "it is {} characters long (at most {max})",
            id.len()
        ))
    } else if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some("it must start with a letter".to_string())
    } else if let Some(bad) = id.chars().find(|c| !c.is_ascii_alphanumeric() && *c != '-') {
        Some(format!("'{bad}' is not a letter, digit or hyphen"))
    } else if id.contains("--") {
        Some("it contains two consecutive hyphens".to_string())
    } else if id.ends_with('-') {
        Some("it ends with a hyphen".to_string())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(cx
            .op
            .rejected(
                "InvalidParameterValue",
                format!("The parameter {parameter} is not a valid identifier: '{id}'."),
            )
            .with_help(format!(
                "{problem}; identifiers are 1 to {max} letters, digits or hyphens, start with a letter, and have no two consecutive hyphens and no trailing hyphen"
            ))),
    }
}

pub(super) fn instance_not_available(
    cx: Cx,
    target: &Target,
    instance: &Tracked<DbInstance>,
    region: &str,
) -> BackendError {
    let status = instance.status(cx.now);
    let remaining = instance.remaining(cx.now);
    let help = match remaining {
        Some(_) => wait_hint(target, "available", remaining),
        None if status == "deleting" => format!(
            "DB instance {} is being deleted: nothing leads it back to 'available' (once gone, its identifier is free again)",
            instance.item.id
        ),
        None => format!(
            "nothing the runbook did leads DB instance {} out of '{status}'",
            instance.item.id
        ),
    };
    cx.op
        .rejected(
            "InvalidDBInstanceState",
            format!(
                "DB instance {} in {region} is not in available state (it is '{status}').",
                instance.item.id
            ),
        )
        .with_help(help)
}

/// `DBInstanceAlreadyExists` when an instance of `target`'s identifier exists in its region
/// (`reg`), one being deleted included: AWS frees the identifier once it is gone. `otherwise`
/// is the help when it is not being deleted.
pub(super) fn instance_id_free(
    cx: Cx,
    reg: &Region,
    target: &Target,
    otherwise: &str,
) -> Result<(), BackendError> {
    let Some(existing) = reg
        .db_instances
        .get(&rds_key(target.name()))
        .filter(|i| i.exists(cx.now))
    else {
        return Ok(());
    };
    let status = existing.status(cx.now);
    let help = if existing.ends {
        let left = existing.active(cx.now).map(|p| p.until - cx.now);
        format!(
            "it is being deleted; AWS frees the identifier once it is gone: {}",
            wait_hint(target, "deleted", left)
        )
    } else {
        otherwise.to_string()
    };
    Err(cx
        .op
        .rejected(
            "DBInstanceAlreadyExists",
            format!(
                "DB instance {} already exists in {} (it is '{status}').",
                existing.item.id,
                target.region().unwrap_or_default()
            ),
        )
        .with_help(help))
}

fn create_db_snapshot(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    db_instance: &str,
    snapshot: &str,
) -> Result<Outcome, BackendError> {
    check_identifier(cx, DbSnap::ID_PARAMETER, snapshot, 255)?;
    let target = Target::DbInstance {
        name: db_instance.to_string(),
        region: region.to_string(),
    };
    let (ri, ii) = sim.world.locate(cx.op, &target, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let instance = reg.db_instances.at(ii);
    if let Some(cluster) = &instance.item.cluster {
        return Err(cx
            .op
            .rejected(
                "InvalidParameterValue",
                "The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.",
            )
            .with_help(format!(
                "snapshot the cluster: snapshot(db_cluster(\"{cluster}\", \"{region}\"))"
            )));
    }
    already_exists::<DbSnap>(cx, reg, snapshot, region)?;
    if instance.status(cx.now) != "available" {
        return Err(instance_not_available(cx, &target, instance, region));
    }
    let mut recorded = new_snapshot(snapshot, &instance.item.id, cx.at);
    record_instance(&mut recorded, &instance.item);
    Ok(add_snapshot::<DbSnap>(sim, cx, ri, recorded, db_instance))
}

fn create_db_cluster_snapshot(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    db_cluster: &str,
    snapshot: &str,
) -> Result<Outcome, BackendError> {
    check_identifier(cx, ClusterSnap::ID_PARAMETER, snapshot, 255)?;
    let target = Target::DbCluster {
        name: db_cluster.to_string(),
        region: region.to_string(),
    };
    let (ri, ci) = sim.world.locate(cx.op, &target, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let cluster = reg.db_clusters.at(ci);
    already_exists::<ClusterSnap>(cx, reg, snapshot, region)?;
    let status = cluster.status(cx.now);
    if status != "available" {
        let remaining = cluster.remaining(cx.now);
        return Err(cluster_not_available(
            cx,
            &target,
            &cluster.item.id,
            status,
            remaining,
            region,
        ));
    }
    let mut recorded = new_snapshot(snapshot, &cluster.item.id, cx.at);
    recorded.engine = Some(cluster.item.engine.clone());
    Ok(add_snapshot::<ClusterSnap>(
        sim, cx, ri, recorded, db_cluster,
    ))
}

pub(super) fn cluster_not_available(
    cx: Cx,
    target: &Target,
    id: &str,
    status: &str,
    remaining: Option<u64>,
    region: &str,
) -> BackendError {
    let help = match remaining {
        Some(_) => wait_hint(target, "available", remaining),
        None if status == "deleting" => format!(
            "DB cluster {id} is being deleted: nothing leads it back to 'available' (once gone, its identifier is free again)"
        ),
        None => format!("nothing the runbook did leads DB cluster {id} out of '{status}'"),
    };
    cx.op
        .rejected(
            "InvalidDBClusterStateFault",
            format!("DB cluster {id} in {region} is not in available state (it is '{status}')."),
        )
        .with_help(help)
}

pub(super) fn already_exists<F: Flavor>(
    cx: Cx,
    region: &Region,
    id: &str,
    region_name: &str,
) -> Result<(), BackendError> {
    if F::table(region).find(&rds_key(id)).is_none() {
        return Ok(());
    }
    Err(cx
        .op
        .rejected(
            F::ALREADY_EXISTS,
            format!(
                "Cannot create the snapshot because a snapshot with the identifier {id} already exists in {region_name}."
            ),
        )
        .with_help("snapshot identifiers are unique per region: choose another id (e.g. add the date)"))
}

/// Adds a snapshot that is being created, observable as `creating` until its estimate passes.
pub(super) fn add_snapshot<F: Flavor>(
    sim: &mut SimBackend,
    cx: Cx,
    ri: usize,
    snapshot: DbSnapshot,
    name: &str,
) -> Outcome {
    let id = snapshot.id.clone();
    let source = snapshot.source.clone();
    let until = cx.done.saturating_add(sim.estimates.get(F::ESTIMATE));
    F::add(
        sim.world.regions.at_mut(ri),
        Tracked::starting(F::wrap(snapshot), "creating", until, F::ESTIMATE),
    );
    Outcome {
        resolved: resolved(name, &source),
        creates: Some(id.clone()),
        changes: created(&[(F::ID_PARAMETER, &id), ("Status", "creating")]),
        ..Outcome::default()
    }
}

fn copy<F: Flavor>(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    target_snapshot: &str,
) -> Result<Outcome, BackendError> {
    let source = F::target(source_snapshot, source_region);
    let (si, ni) = sim.world.locate(cx.op, &source, cx.now)?;
    let destination = sim
        .world
        .region_index(cx.op, &F::target(target_snapshot, region))?;
    check_identifier(
        cx,
        &format!("Target{}", F::ID_PARAMETER),
        target_snapshot,
        255,
    )?;
    let original = F::table(sim.world.regions.at(si)).at(ni);
    let status = original.status(cx.now);
    if status != "available" {
        let remaining = original.active(cx.now).map(|p| p.until - cx.now);
        return Err(cx
            .op
            .rejected(
                F::INVALID_STATE,
                format!(
                    "Snapshot {} in {source_region} is not in available state (it is '{status}').",
                    original.item.snapshot().id
                ),
            )
            .with_help(match remaining {
                Some(_) => wait_hint(&source, "available", remaining),
                None => format!("nothing the runbook did makes the snapshot leave '{status}'"),
            }));
    }
    let original = recorded::<F>(sim, source_region, original.item.snapshot());
    already_exists::<F>(
        cx,
        sim.world.regions.at(destination),
        target_snapshot,
        region,
    )?;
    let id = rds_key(target_snapshot);
    let snapshot = DbSnapshot {
        id: id.clone(),
        status: "available".to_string(),
        // AWS's SnapshotCreateTime of a copy is the copy's (OriginalSnapshotCreateTime keeps
        // the first one, which the inventory does not carry).
        created_at: cx.at,
        snapshot_type: "manual".to_string(),
        // Within a region a copy keeps the original's origin; across regions AWS records
        // where it came from.
        source_region: if source_region == region {
            original.source_region.clone()
        } else {
            Some(source_region.to_string())
        },
        // What the original recorded of its source travels with the copy.
        ..original.clone()
    };
    let until = cx.done.saturating_add(sim.estimates.get(F::ESTIMATE));
    F::add(
        sim.world.regions.at_mut(destination),
        Tracked::starting(F::wrap(snapshot), "copying", until, F::ESTIMATE),
    );
    Ok(Outcome {
        resolved: resolved(source_snapshot, &original.id),
        creates: Some(id.clone()),
        changes: created(&[(F::ID_PARAMETER, &id), ("Status", "copying")]),
        ..Outcome::default()
    })
}

fn copy_db_snapshot(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    target_snapshot: &str,
) -> Result<Outcome, BackendError> {
    copy::<DbSnap>(
        sim,
        cx,
        region,
        source_region,
        source_snapshot,
        target_snapshot,
    )
}

fn copy_db_cluster_snapshot(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    target_snapshot: &str,
) -> Result<Outcome, BackendError> {
    copy::<ClusterSnap>(
        sim,
        cx,
        region,
        source_region,
        source_snapshot,
        target_snapshot,
    )
}

fn restore_db_instance(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    snapshot: &str,
    db_instance: &str,
    instance_class: Option<&str>,
    multi_az: Option<bool>,
) -> Result<Outcome, BackendError> {
    let source = DbSnap::target(snapshot, region);
    let (ri, si) = sim.world.locate(cx.op, &source, cx.now)?;
    check_identifier(cx, "DBInstanceIdentifier", db_instance, 63)?;
    let reg = sim.world.regions.at(ri);
    let snap = reg.db_snapshots.at(si);
    let status = snap.status(cx.now);
    if status != "available" {
        let remaining = snap.active(cx.now).map(|p| p.until - cx.now);
        return Err(cx
            .op
            .rejected(
                DbSnap::INVALID_STATE,
                format!(
                    "Snapshot {} in {region} is not in available state (it is '{status}').",
                    snap.item.0.id
                ),
            )
            .with_help(match remaining {
                Some(_) => wait_hint(&source, "available", remaining),
                None => format!("nothing the runbook did makes the snapshot leave '{status}'"),
            }));
    }
    let taken = Target::DbInstance {
        name: db_instance.to_string(),
        region: region.to_string(),
    };
    instance_id_free(
        cx,
        reg,
        &taken,
        "restore to a new identifier (e.g. add a suffix), or rename the existing instance first",
    )?;
    // AWS restores what the snapshot recorded of its source: its engine and, unless the call
    // names one, its class.
    let source_facts = recorded::<DbSnap>(sim, region, &snap.item.0);
    let mut warnings = Vec::new();
    let engine = source_facts.engine.clone().unwrap_or_else(|| {
        warnings.push(format!(
            "the inventory does not say which engine snapshot {} is of: the plan shows 'unknown'",
            snap.item.0.id
        ));
        "unknown".to_string()
    });
    let class = match (instance_class, &source_facts.instance_class) {
        (Some(class), _) => class.to_string(),
        (None, Some(class)) => class.clone(),
        (None, None) => {
            warnings.push(format!(
                "the inventory does not say which class the instance of snapshot {} had (AWS restores that class): the plan assumes {DEFAULT_CLASS}; pass instance_class to be sure",
                snap.item.0.id
            ));
            DEFAULT_CLASS.to_string()
        }
    };
    let multi_az = multi_az.unwrap_or(false);
    let (availability_zone, secondary_availability_zone) =
        new_instance_zones(reg, region, multi_az);
    let id = rds_key(db_instance);
    let instance = DbInstance {
        id: id.clone(),
        engine,
        instance_class: class.clone(),
        status: "available".to_string(),
        availability_zone,
        secondary_availability_zone,
        multi_az,
        read_replica_source: None,
        replica_lag_secs: None,
        cluster: None,
    };
    let snapshot_id = snap.item.0.id.clone();
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbInstanceAfterRestore));
    sim.world
        .regions
        .at_mut(ri)
        .add_db_instance(Tracked::starting(
            instance,
            "creating",
            until,
            Est::DbInstanceAfterRestore,
        ));
    Ok(Outcome {
        resolved: resolved(snapshot, &snapshot_id),
        creates: Some(id.clone()),
        changes: created(&[
            ("DBInstanceIdentifier", &id),
            ("DBInstanceClass", &class),
            ("MultiAZ", if multi_az { "true" } else { "false" }),
            ("Status", "creating"),
        ]),
        warnings,
        ..Outcome::default()
    })
}

fn promote_read_replica(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    db_instance: &str,
) -> Result<Outcome, BackendError> {
    let target = Target::DbInstance {
        name: db_instance.to_string(),
        region: region.to_string(),
    };
    let (ri, ii) = sim.world.locate(cx.op, &target, cx.now)?;
    let instance = sim.world.regions.at(ri).db_instances.at(ii);
    let Some(source) = instance.item.read_replica_source.clone() else {
        return Err(cx
            .op
            .rejected(
                "InvalidDBInstanceState",
                format!("DB instance {} is not a read replica.", instance.item.id),
            )
            .with_help(format!(
                "{} in {region} is already a standalone instance: drop the promote, or promote its replica instead",
                instance.item.id
            )));
    };
    if instance.status(cx.now) != "available" {
        return Err(instance_not_available(cx, &target, instance, region));
    }
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbInstanceAfterPromote));
    let instance = sim.world.regions.at_mut(ri).db_instances.at_mut(ii);
    instance.settle(cx.now);
    instance.item.read_replica_source = None;
    instance.item.replica_lag_secs = None;
    instance.start("modifying", until, Est::DbInstanceAfterPromote);
    let id = instance.item.id.clone();
    Ok(Outcome {
        resolved: resolved(db_instance, &id),
        changes: vec![
            Change::new("ReadReplicaSource", Some(source), None),
            Change::new(
                "Status",
                Some("available".to_string()),
                Some("modifying".to_string()),
            ),
        ],
        ..Outcome::default()
    })
}

fn reboot_db_instance(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    db_instance: &str,
    force_failover: bool,
) -> Result<Outcome, BackendError> {
    let target = Target::DbInstance {
        name: db_instance.to_string(),
        region: region.to_string(),
    };
    let (ri, ii) = sim.world.locate(cx.op, &target, cx.now)?;
    let instance = sim.world.regions.at(ri).db_instances.at(ii);
    if instance.status(cx.now) != "available" {
        return Err(instance_not_available(cx, &target, instance, region));
    }
    if force_failover && !instance.item.multi_az {
        return Err(cx
            .op
            .rejected(
                "InvalidParameterCombination",
                format!(
                    "Cannot reboot DB instance {} with force failover: it is not a Multi-AZ instance.",
                    instance.item.id
                ),
            )
            .with_help("a forced failover needs a Multi-AZ standby; reboot without failover, or convert the instance to Multi-AZ first"));
    }
    let mut warnings = Vec::new();
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbInstanceAfterReboot));
    let instance = sim.world.regions.at_mut(ri).db_instances.at_mut(ii);
    instance.settle(cx.now);
    let mut changes = vec![Change::new(
        "Status",
        Some("available".to_string()),
        Some("rebooting".to_string()),
    )];
    if force_failover {
        match instance.item.secondary_availability_zone.clone() {
            Some(standby) => {
                let primary =
                    std::mem::replace(&mut instance.item.availability_zone, standby.clone());
                instance.item.secondary_availability_zone = Some(primary.clone());
                changes.push(Change::new(
                    "AvailabilityZone",
                    Some(primary.clone()),
                    Some(standby.clone()),
                ));
                changes.push(Change::new(
                    "SecondaryAvailabilityZone",
                    Some(standby),
                    Some(primary),
                ));
            }
            None => warnings.push(format!(
                "the inventory does not say which AZ the standby of {} is in, so the AZ swap is not shown",
                instance.item.id
            )),
        }
    }
    instance.start("rebooting", until, Est::DbInstanceAfterReboot);
    let id = instance.item.id.clone();
    Ok(Outcome {
        resolved: resolved(db_instance, &id),
        changes,
        warnings,
        ..Outcome::default()
    })
}

impl Apply for ops::CreateDbSnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_db_snapshot(sim, cx, &self.region, &self.db_instance, &self.snapshot)
    }
}

impl Apply for ops::CreateDbClusterSnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_db_cluster_snapshot(sim, cx, &self.region, &self.db_cluster, &self.snapshot)
    }
}

impl Apply for ops::CopyDbSnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        copy_db_snapshot(
            sim,
            cx,
            &self.region,
            &self.source_region,
            &self.source_snapshot,
            &self.target_snapshot,
        )
    }
}

impl Apply for ops::CopyDbClusterSnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        copy_db_cluster_snapshot(
            sim,
            cx,
            &self.region,
            &self.source_region,
            &self.source_snapshot,
            &self.target_snapshot,
        )
    }
}

impl Apply for ops::RestoreDbInstanceFromDbSnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        restore_db_instance(
            sim,
            cx,
            &self.region,
            &self.snapshot,
            &self.db_instance,
            self.instance_class.as_deref(),
            self.multi_az,
        )
    }
}

impl Apply for ops::PromoteReadReplica {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        promote_read_replica(sim, cx, &self.region, &self.db_instance)
    }
}

impl Apply for ops::RebootDbInstance {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        reboot_db_instance(
            sim,
            cx,
            &self.region,
            &self.db_instance,
            self.force_failover,
        )
    }
}
