//! Aurora global databases made and unmade (`ripcord_core::ops::aurora`): what re-establishing
//! replication after a failover takes. A new global database from a standalone cluster
//! (CreateGlobalCluster), the old one deleted once it has no members (DeleteGlobalCluster),
//! the stale former primary deleted after a final snapshot (DeleteDBCluster), and a new
//! secondary cluster where it was (CreateDBCluster). The moves within a global database
//! (detach, failover, switchover) are in `aurora.rs`.
//!
//! RDS instances made and unmade (`ripcord_core::ops::replica`), for re-establishing
//! replication after a pilot-light failover: the stale former primary deleted after a final
//! snapshot (DeleteDBInstance), and a read replica where it was, across regions too
//! (CreateDBInstanceReadReplica); an instance of an Aurora cluster, the compute a new
//! secondary cluster needs (CreateDBInstance).
//!
//! A deleted instance, cluster or global database is `deleting` until its estimate has passed,
//! then gone ([`crate::state::Tracked::ends`]): its identifier is taken until then, as in AWS.

use super::aurora::{global_not_available, members_list};
use super::ec2::created;
use super::rds::{
    add_snapshot, already_exists, check_identifier, cluster_not_available, instance_id_free,
    instance_not_available, new_instance_zones, new_snapshot, record_instance,
};
use super::{resolved, Apply, Cx};
use crate::backend::SimBackend;
use crate::errors::wait_hint;
use crate::estimates::Est;
use crate::state::{ClusterSnap, DbSnap, Tracked};
use crate::world::{rds_key, World};
use ripcord_core::inventory::{DbCluster, DbInstance, GlobalCluster, GlobalClusterMember};
use ripcord_core::ops;
use ripcord_core::{BackendError, Change, Outcome, Target};

/// The global cluster (id) that `cluster` in `region` is a member of at `now`, if any.
fn membership(world: &World, region: &str, cluster: &str, now: u64) -> Option<String> {
    let key = rds_key(cluster);
    world
        .global_clusters
        .iter()
        .filter(|g| g.exists(now))
        .find(|g| {
            g.item
                .members
                .iter()
                .any(|m| m.region == region && rds_key(&m.cluster) == key)
        })
        .map(|g| g.item.id.clone())
}

/// AWS's pattern for GlobalClusterIdentifier: 1 to 255 characters, a letter first, then
/// letters, digits, `-`, `:`, `.` or `_` (looser than a cluster's identifier).
fn check_global_identifier(cx: Cx, id: &str) -> Result<(), BackendError> {
    let problem = if id.is_empty() {
        Some("it is empty".to_string())
    } else if id.len() > 255 {
        Some(format!("it is {} characters long (at most 255)", id.len()))
    } else if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some("it must start with a letter".to_string())
    } else {
        id.chars()
            .find(|c| !c.is_ascii_alphanumeric() && !matches!(c, '-' | ':' | '.' | '_'))
            .map(|bad| format!("'{bad}' is not a letter, digit, '-', ':', '.' or '_'"))
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(cx
            .op
            .rejected(
                "InvalidParameterValue",
                format!("The parameter GlobalClusterIdentifier is not a valid identifier: '{id}'."),
            )
            .with_help(format!(
                "{problem}; global cluster identifiers are 1 to 255 characters, a letter first"
            ))),
    }
}

fn create_global_cluster(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    global_cluster: &str,
    source: &str,
) -> Result<Outcome, BackendError> {
    check_global_identifier(cx, global_cluster)?;
    let id = rds_key(global_cluster);
    if let Some(gi) = sim.world.global_clusters.find(&id) {
        let existing = sim.world.global_clusters.at(gi);
        if existing.exists(cx.now) {
            let status = existing.status(cx.now);
            let help = if status == "deleting" {
                let left = existing.active(cx.now).map(|p| p.until - cx.now);
                let target = Target::GlobalCluster {
                    name: global_cluster.to_string(),
                };
                format!(
                    "it is being deleted; AWS frees the identifier once it is gone: {}",
                    wait_hint(&target, "deleted", left)
                )
            } else {
                format!(
                    "global cluster identifiers are unique in the account: delete it first (delete_global), or choose another ({})",
                    members_list(&existing.item)
                )
            };
            return Err(cx
                .op
                .rejected(
                    "GlobalClusterAlreadyExistsFault",
                    format!(
                        "Global cluster {} already exists (it is '{status}').",
                        existing.item.id
                    ),
                )
                .with_help(help));
        }
    }
    let target = Target::DbCluster {
        name: source.to_string(),
        region: region.to_string(),
    };
    let (ri, ci) = sim.world.locate(cx.op, &target, cx.now)?;
    let cluster = sim.world.regions.at(ri).db_clusters.at(ci);
    if let Some(member_of) = membership(&sim.world, region, &cluster.item.id, cx.now) {
        return Err(cx
            .op
            .rejected(
                "InvalidDBClusterStateFault",
                format!(
                    "DB cluster {} in {region} is already a member of global cluster {member_of}.",
                    cluster.item.id
                ),
            )
            .with_help(format!(
                "a cluster belongs to one global database at most: detach it from {member_of} first (promote), or make the global database from another cluster"
            )));
    }
    let status = cluster.status(cx.now);
    if status != "available" {
        return Err(cluster_not_available(
            cx,
            &target,
            &cluster.item.id,
            status,
            cluster.remaining(cx.now),
            region,
        ));
    }
    let writer = cluster.item.id.clone();
    let engine = cluster.item.engine.clone();
    // AWS reports a global database made from a cluster `creating` for a few seconds (the
    // storage is the source's own); the simulation makes it available at once, as it moves
    // a writer at once.
    let global = GlobalCluster {
        id: id.clone(),
        engine: engine.clone(),
        status: "available".to_string(),
        members: vec![GlobalClusterMember {
            cluster: writer.clone(),
            region: region.to_string(),
            writer: true,
        }],
    };
    // A gone global database of that identifier leaves its tombstone to the new one.
    sim.world
        .global_clusters
        .upsert(id.clone(), Tracked::settled(global));
    Ok(Outcome {
        resolved: resolved(source, &writer),
        creates: Some(id.clone()),
        changes: created(&[
            ("GlobalClusterIdentifier", &id),
            ("Engine", &engine),
            ("GlobalClusterWriter", &writer),
            ("Status", "available"),
        ]),
        ..Outcome::default()
    })
}

fn delete_global_cluster(
    sim: &mut SimBackend,
    cx: Cx,
    global_cluster: &str,
) -> Result<Outcome, BackendError> {
    let gi = sim.world.global_cluster(cx.op, global_cluster, cx.now)?;
    let global = sim.world.global_clusters.at(gi);
    if !global.item.members.is_empty() {
        return Err(cx
            .op
            .rejected(
                "InvalidGlobalClusterStateFault",
                format!("The global cluster {} is not empty.", global.item.id),
            )
            .with_help(format!(
                "detach every member first (promote), the secondaries before the writer ({})",
                members_list(&global.item)
            )));
    }
    let status = global.status(cx.now);
    if status != "available" {
        return Err(global_not_available(
            cx,
            &global.item,
            status,
            global.remaining(cx.now),
        ));
    }
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::GlobalClusterDeleted));
    sim.world
        .global_clusters
        .at_mut(gi)
        .delete(cx.now, until, Est::GlobalClusterDeleted);
    Ok(Outcome {
        changes: vec![Change::new(
            "Status",
            Some("available".to_string()),
            Some("deleting".to_string()),
        )],
        ..Outcome::default()
    })
}

fn delete_db_cluster(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    db_cluster: &str,
    final_snapshot: &str,
) -> Result<Outcome, BackendError> {
    check_identifier(cx, "FinalDBSnapshotIdentifier", final_snapshot, 255)?;
    let target = Target::DbCluster {
        name: db_cluster.to_string(),
        region: region.to_string(),
    };
    let (ri, ci) = sim.world.locate(cx.op, &target, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let cluster = reg.db_clusters.at(ci);
    let id = cluster.item.id.clone();
    if let Some(member_of) = membership(&sim.world, region, &id, cx.now) {
        return Err(cx
            .op
            .rejected(
                "InvalidDBClusterStateFault",
                format!(
                    "DB cluster {id} in {region} is a member of global cluster {member_of}: remove it from the global cluster first."
                ),
            )
            .with_help(format!(
                "detach it first: promote(aurora_global(\"{member_of}\"), db_cluster(\"{id}\", \"{region}\"))"
            )));
    }
    let key = rds_key(&id);
    // Instances being deleted do not hold the cluster back ("non-deleting state").
    let instances: Vec<&str> = reg
        .db_instances
        .iter()
        .filter(|i| i.exists(cx.now) && !i.ends)
        .filter(|i| i.item.cluster.as_deref().map(rds_key).as_deref() == Some(key.as_str()))
        .map(|i| i.item.id.as_str())
        .collect();
    if !instances.is_empty() {
        return Err(cx
            .op
            .rejected(
                "InvalidDBClusterStateFault",
                format!(
                    "DB cluster {id} in {region} cannot be deleted: it still contains DB instances in non-deleting state."
                ),
            )
            .with_help(format!(
                "AWS deletes a cluster only once its DB instances are gone: delete {} first (delete_instance)",
                instances.join(", ")
            )));
    }
    let status = cluster.status(cx.now);
    if status != "available" {
        return Err(cluster_not_available(
            cx,
            &target,
            &id,
            status,
            cluster.remaining(cx.now),
            region,
        ));
    }
    already_exists::<ClusterSnap>(cx, reg, final_snapshot, region)?;
    let mut snapshot = new_snapshot(final_snapshot, &id, cx.at);
    snapshot.engine = Some(cluster.item.engine.clone());
    let snapshot_id = snapshot.id.clone();
    // AWS takes the final snapshot before it deletes the cluster: it is gone no sooner than
    // the snapshot is available.
    let (secs, estimate) = [Est::DbClusterDeleted, Est::DbClusterSnapshotAvailable]
        .into_iter()
        .map(|est| (sim.estimates.get(est), est))
        .fold((0, Est::DbClusterDeleted), |longest, this| {
            if this.0 > longest.0 {
                this
            } else {
                longest
            }
        });
    add_snapshot::<ClusterSnap>(sim, cx, ri, snapshot, db_cluster);
    let until = cx.done.saturating_add(secs);
    sim.world
        .regions
        .at_mut(ri)
        .db_clusters
        .at_mut(ci)
        .delete(cx.now, until, estimate);
    Ok(Outcome {
        resolved: resolved(db_cluster, &id),
        changes: vec![
            Change::new("FinalDBSnapshotIdentifier", None, Some(snapshot_id)),
            Change::new(
                "Status",
                Some("available".to_string()),
                Some("deleting".to_string()),
            ),
        ],
        ..Outcome::default()
    })
}

/// CreateDBCluster as a secondary of a global database, without instances.
fn create_db_cluster(
    sim: &mut SimBackend,
    cx: Cx,
    op: &ops::CreateDbCluster,
) -> Result<Outcome, BackendError> {
    let region = op.region.as_str();
    check_identifier(cx, "DBClusterIdentifier", &op.db_cluster, 63)?;
    let target = Target::DbCluster {
        name: op.db_cluster.clone(),
        region: region.to_string(),
    };
    let ri = sim.world.region_index(cx.op, &target)?;
    let key = rds_key(&op.db_cluster);
    if let Some(existing) = sim
        .world
        .regions
        .at(ri)
        .db_clusters
        .get(&key)
        .filter(|c| c.exists(cx.now))
    {
        let status = existing.status(cx.now);
        let help = if status == "deleting" {
            let left = existing.active(cx.now).map(|p| p.until - cx.now);
            format!(
                "it is being deleted; AWS frees the identifier once it is gone: {}",
                wait_hint(&target, "deleted", left)
            )
        } else {
            "DB cluster identifiers are unique per region: choose another, or delete the existing cluster first (delete_cluster)".to_string()
        };
        return Err(cx
            .op
            .rejected(
                "DBClusterAlreadyExistsFault",
                format!(
                    "DB cluster {} already exists in {region} (it is '{status}').",
                    existing.item.id
                ),
            )
            .with_help(help));
    }
    let gi = sim
        .world
        .global_cluster(cx.op, &op.global_cluster_identifier, cx.now)?;
    let global = sim.world.global_clusters.at(gi);
    let status = global.status(cx.now);
    if status != "available" {
        return Err(global_not_available(
            cx,
            &global.item,
            status,
            global.remaining(cx.now),
        ));
    }
    if !global.item.members.iter().any(|m| m.writer) {
        return Err(cx
            .op
            .rejected(
                "InvalidGlobalClusterStateFault",
                format!(
                    "Global cluster {} has no primary cluster for a secondary to replicate from.",
                    global.item.id
                ),
            )
            .with_help(
                "make the global database from a cluster first (create_global): it becomes the writer",
            ));
    }
    if !op.engine.eq_ignore_ascii_case(&global.item.engine) {
        return Err(cx
            .op
            .rejected(
                "InvalidParameterCombination",
                format!(
                    "The engine {} does not match the engine {} of global cluster {}.",
                    op.engine, global.item.engine, global.item.id
                ),
            )
            .with_help(format!(
                "a secondary cluster has its global database's engine: pass '{}'",
                global.item.engine
            )));
    }
    if let Some(there) = global.item.members.iter().find(|m| m.region == region) {
        // AWS documents no code for this; the request names a region the global database
        // cannot take, an invalid value for it.
        let (message, help) = if there.writer {
            (
                format!(
                    "Global cluster {} has its primary cluster {} in {region}: a secondary cluster must be in another region.",
                    global.item.id, there.cluster
                ),
                format!(
                    "send the request to another region than the writer's ({})",
                    members_list(&global.item)
                ),
            )
        } else {
            (
                format!(
                    "Global cluster {} already has a secondary cluster in {region} ({}).",
                    global.item.id, there.cluster
                ),
                format!(
                    "a global database has one cluster per region ({})",
                    members_list(&global.item)
                ),
            )
        };
        return Err(cx
            .op
            .rejected("InvalidParameterValue", message)
            .with_help(help));
    }
    let global_id = global.item.id.clone();
    let engine = global.item.engine.clone();
    let mut warnings = Vec::new();
    if let Some(version) = &op.engine_version {
        warnings.push(format!(
            "the inventory does not record engine versions: that {version} matches global cluster {global_id}'s version is not checked (AWS requires it)"
        ));
    }
    let cluster = DbCluster {
        id: key.clone(),
        engine: engine.clone(),
        status: "available".to_string(),
        // CloudWatch has no AuroraGlobalDBReplicationLag of a new secondary yet: the lag is
        // unknown, as a live read right after the creation finds it.
        replication_lag_secs: None,
    };
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbClusterCreated));
    // A gone cluster of that identifier leaves its tombstone to the new one.
    sim.world.regions.at_mut(ri).db_clusters.upsert(
        key.clone(),
        Tracked::starting(cluster, "creating", until, Est::DbClusterCreated),
    );
    let global = sim.world.global_clusters.at_mut(gi);
    global.settle(cx.now);
    global.item.members.push(GlobalClusterMember {
        cluster: key.clone(),
        region: region.to_string(),
        writer: false,
    });
    Ok(Outcome {
        creates: Some(key.clone()),
        changes: created(&[
            ("DBClusterIdentifier", &key),
            ("GlobalClusterIdentifier", &global_id),
            ("Engine", &engine),
            ("Status", "creating"),
        ]),
        warnings,
        ..Outcome::default()
    })
}

impl Apply for ops::CreateGlobalCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_global_cluster(
            sim,
            cx,
            &self.region,
            &self.global_cluster_identifier,
            &self.source_db_cluster,
        )
    }
}

impl Apply for ops::DeleteGlobalCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        delete_global_cluster(sim, cx, &self.global_cluster_identifier)
    }
}

impl Apply for ops::DeleteDbCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        delete_db_cluster(
            sim,
            cx,
            &self.region,
            &self.db_cluster,
            &self.final_snapshot,
        )
    }
}

impl Apply for ops::CreateDbCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_db_cluster(sim, cx, self)
    }
}

/// Whether `source`, the `read_replica_source` of an instance in `region`, names the instance
/// `key` (lower case) of `source_region`: by identifier within a region, by ARN across.
fn replicates_from(source: &str, region: &str, source_region: &str, key: &str) -> bool {
    let in_source_region = if source.starts_with("arn:") {
        source.split(':').nth(3) == Some(source_region)
    } else {
        region == source_region
    };
    in_source_region && rds_key(source) == key
}

/// The read replicas at `now` (not being deleted) of instance `key` of `source_region`, in
/// any region: (region index, instance index).
fn replicas_of(world: &World, source_region: &str, key: &str, now: u64) -> Vec<(usize, usize)> {
    let names = world.region_names();
    let mut found = Vec::new();
    for (ri, region) in world.regions.iter().enumerate() {
        for (ii, instance) in region.db_instances.iter().enumerate() {
            let replicates = instance
                .item
                .read_replica_source
                .as_deref()
                .is_some_and(|s| replicates_from(s, names[ri], source_region, key));
            if replicates && instance.exists(now) && !instance.ends {
                found.push((ri, ii));
            }
        }
    }
    found
}

/// DeleteDBInstance's rules for the final snapshot: none for an Aurora cluster's instance
/// (its data is the cluster's) nor for a read replica (AWS's words); always one otherwise
/// (ripcord never sends SkipFinalSnapshot for an instance whose data is its own).
fn check_final_snapshot(
    cx: Cx,
    instance: &DbInstance,
    region: &str,
    final_snapshot: Option<&str>,
) -> Result<(), BackendError> {
    let id = &instance.id;
    let (message, help) = match (&instance.cluster, &instance.read_replica_source, final_snapshot) {
        (Some(cluster), _, Some(_)) => (
            format!(
                "DB instance {id} is an instance of DB cluster {cluster}: FinalDBSnapshotIdentifier can not be specified for it."
            ),
            format!(
                "its data is the cluster's, which gets its own final snapshot when the cluster is deleted: drop the final snapshot, or snapshot the cluster first (snapshot(db_cluster(\"{cluster}\", \"{region}\")))"
            ),
        ),
        (None, Some(source), Some(_)) => (
            "FinalDBSnapshotIdentifier can not be specified when deleting a replica instance."
                .to_string(),
            format!(
                "a read replica is deleted without a final snapshot (SkipFinalSnapshot), its data being its source's ({source}); promote it first to keep it"
            ),
        ),
        (None, None, None) => (
            format!(
                "DB instance {id} in {region} is deleted without a final snapshot: FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is set."
            ),
            "ripcord deletes an instance with data of its own (neither a read replica nor an Aurora cluster's) only after a final snapshot: name one".to_string(),
        ),
        _ => return Ok(()),
    };
    Err(cx
        .op
        .rejected("InvalidParameterCombination", message)
        .with_help(help))
}

fn delete_db_instance(
    sim: &mut SimBackend,
    cx: Cx,
    op: &ops::DeleteDbInstance,
) -> Result<Outcome, BackendError> {
    let region = op.region.as_str();
    if let Some(snapshot) = &op.final_snapshot {
        check_identifier(cx, "FinalDBSnapshotIdentifier", snapshot, 255)?;
    }
    let target = Target::DbInstance {
        name: op.db_instance.clone(),
        region: region.to_string(),
    };
    let (ri, ii) = sim.world.locate(cx.op, &target, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let instance = reg.db_instances.at(ii);
    check_final_snapshot(cx, &instance.item, region, op.final_snapshot.as_deref())?;
    // AWS deletes a stopped instance too (its final snapshot is taken all the same).
    let status = instance.status(cx.now).to_string();
    if !matches!(status.as_str(), "available" | "stopped") {
        return Err(instance_not_available(cx, &target, instance, region));
    }
    if let Some(snapshot) = &op.final_snapshot {
        already_exists::<DbSnap>(cx, reg, snapshot, region)?;
    }
    let item = instance.item.clone();
    let mut changes = Vec::new();
    // AWS takes the final snapshot before it deletes the instance: it is gone no sooner than
    // the snapshot is available.
    let mut estimate = Est::DbInstanceDeleted;
    if let Some(snapshot) = &op.final_snapshot {
        let mut recorded = new_snapshot(snapshot, &item.id, cx.at);
        record_instance(&mut recorded, &item);
        changes.push(Change::new(
            "FinalDBSnapshotIdentifier",
            None,
            Some(recorded.id.clone()),
        ));
        add_snapshot::<DbSnap>(sim, cx, ri, recorded, &op.db_instance);
        if sim.estimates.get(Est::DbSnapshotAvailable) > sim.estimates.get(estimate) {
            estimate = Est::DbSnapshotAvailable;
        }
    }
    // AWS promotes the read replicas of a deleted source to standalone instances, as
    // PromoteReadReplica does.
    let mut warnings = Vec::new();
    let names: Vec<String> = sim
        .world
        .region_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let promoted = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbInstanceAfterPromote));
    for (rri, rii) in replicas_of(&sim.world, region, &rds_key(&item.id), cx.now) {
        let replica = sim.world.regions.at_mut(rri).db_instances.at_mut(rii);
        replica.settle(cx.now);
        let until = replica
            .active(cx.now)
            .map_or(promoted, |p| p.until.max(promoted));
        replica.item.read_replica_source = None;
        replica.item.replica_lag_secs = None;
        replica.start("modifying", until, Est::DbInstanceAfterPromote);
        let replica_target = Target::DbInstance {
            name: replica.item.id.clone(),
            region: names[rri].clone(),
        };
        warnings.push(format!(
            "read replica {} in {} is promoted to a standalone instance, as AWS promotes the replicas of a deleted source: {}",
            replica.item.id,
            names[rri],
            wait_hint(&replica_target, "available", Some(until - cx.now))
        ));
    }
    let until = cx.done.saturating_add(sim.estimates.get(estimate));
    sim.world
        .regions
        .at_mut(ri)
        .db_instances
        .at_mut(ii)
        .delete(cx.now, until, estimate);
    changes.push(Change::new(
        "Status",
        Some(status),
        Some("deleting".to_string()),
    ));
    Ok(Outcome {
        resolved: resolved(&op.db_instance, &item.id),
        changes,
        warnings,
        ..Outcome::default()
    })
}

/// The region index where a DB instance `id` is about to be created, once its identifier is
/// valid and free there (an instance still being deleted holds it).
fn new_instance_region(
    sim: &SimBackend,
    cx: Cx,
    region: &str,
    id: &str,
) -> Result<usize, BackendError> {
    check_identifier(cx, "DBInstanceIdentifier", id, 63)?;
    let target = Target::DbInstance {
        name: id.to_string(),
        region: region.to_string(),
    };
    let ri = sim.world.region_index(cx.op, &target)?;
    instance_id_free(
        cx,
        sim.world.regions.at(ri),
        &target,
        "DB instance identifiers are unique per region: choose another, or delete the existing instance first (delete_instance)",
    )?;
    Ok(ri)
}

fn create_read_replica(
    sim: &mut SimBackend,
    cx: Cx,
    op: &ops::CreateDbInstanceReadReplica,
) -> Result<Outcome, BackendError> {
    let region = op.region.as_str();
    let ri = new_instance_region(sim, cx, region, &op.db_instance)?;
    let source_region = op.source_region.as_str();
    let source_target = Target::DbInstance {
        name: op.source_db_instance.clone(),
        region: source_region.to_string(),
    };
    let (si, sii) = sim.world.locate(cx.op, &source_target, cx.now)?;
    let source = sim.world.regions.at(si).db_instances.at(sii);
    let source_id = source.item.id.clone();
    if let Some(cluster) = &source.item.cluster {
        // AWS documents no code: an invalid source, as CreateDBSnapshot's of a cluster member.
        return Err(cx
            .op
            .rejected(
                "InvalidParameterValue",
                format!(
                    "DB instance {source_id} is an instance of Aurora DB cluster {cluster}: Aurora does not support read replicas of an instance."
                ),
            )
            .with_help(
                "an Aurora cluster replicates across regions as a global database (create_global, create_secondary)",
            ));
    }
    if let Some(upstream) = &source.item.read_replica_source {
        // MySQL and MariaDB (and PostgreSQL 14.1 on) allow a replica of a replica, within
        // limits; the simulation keeps to replicas of a primary.
        return Err(cx
            .op
            .rejected(
                "InvalidDBInstanceState",
                format!(
                    "DB instance {source_id} in {source_region} is itself a read replica (of {upstream}): ripcord creates read replicas of a primary only."
                ),
            )
            .with_help(format!(
                "replicate from its source ({upstream}), or promote {source_id} first (promote)"
            )));
    }
    if source.status(cx.now) != "available" {
        return Err(instance_not_available(
            cx,
            &source_target,
            source,
            source_region,
        ));
    }
    let engine = source.item.engine.clone();
    let class = op
        .instance_class
        .clone()
        .unwrap_or_else(|| source.item.instance_class.clone());
    // Within a region AWS names the source by identifier, across regions by ARN (as a
    // capture reads ReadReplicaSourceDBInstanceIdentifier).
    let read_replica_source = if source_region == region {
        source_id.clone()
    } else {
        sim.world
            .arn("rds", source_region, &format!("db:{source_id}"))
    };
    let (availability_zone, secondary_availability_zone) =
        new_instance_zones(sim.world.regions.at(ri), region, op.multi_az);
    let key = rds_key(&op.db_instance);
    let replica = DbInstance {
        id: key.clone(),
        engine,
        instance_class: class.clone(),
        status: "available".to_string(),
        availability_zone,
        secondary_availability_zone,
        multi_az: op.multi_az,
        read_replica_source: Some(read_replica_source.clone()),
        // CloudWatch has no ReplicaLag of a new replica yet: unknown, as live right after.
        replica_lag_secs: None,
        cluster: None,
    };
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbInstanceAfterReplica));
    // A gone instance of that identifier leaves its tombstone to the new one.
    sim.world
        .regions
        .at_mut(ri)
        .add_db_instance(Tracked::starting(
            replica,
            "creating",
            until,
            Est::DbInstanceAfterReplica,
        ));
    Ok(Outcome {
        resolved: resolved(&op.source_db_instance, &source_id),
        creates: Some(key.clone()),
        changes: created(&[
            ("DBInstanceIdentifier", &key),
            ("ReadReplicaSource", &read_replica_source),
            ("DBInstanceClass", &class),
            ("MultiAZ", if op.multi_az { "true" } else { "false" }),
            ("Status", "creating"),
        ]),
        ..Outcome::default()
    })
}

impl Apply for ops::DeleteDbInstance {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        delete_db_instance(sim, cx, self)
    }
}

impl Apply for ops::CreateDbInstanceReadReplica {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_read_replica(sim, cx, self)
    }
}

/// CreateDBInstance of an Aurora cluster's instance: compute attached to the cluster's storage.
fn create_cluster_instance(
    sim: &mut SimBackend,
    cx: Cx,
    op: &ops::CreateDbInstance,
) -> Result<Outcome, BackendError> {
    let region = op.region.as_str();
    let ri = new_instance_region(sim, cx, region, &op.db_instance)?;
    let cluster_target = Target::DbCluster {
        name: op.db_cluster.clone(),
        region: region.to_string(),
    };
    let (_, ci) = sim.world.locate(cx.op, &cluster_target, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let cluster = reg.db_clusters.at(ci);
    let cluster_id = cluster.item.id.clone();
    // AWS adds instances to a cluster still `creating` (a new secondary needs one), not to
    // one being deleted.
    let status = cluster.status(cx.now);
    if status == "deleting" {
        return Err(cluster_not_available(
            cx,
            &cluster_target,
            &cluster_id,
            status,
            None,
            region,
        ));
    }
    if !op.engine.eq_ignore_ascii_case(&cluster.item.engine) {
        return Err(cx
            .op
            .rejected(
                "InvalidParameterCombination",
                format!(
                    "The engine {} does not match the engine {} of DB cluster {cluster_id}.",
                    op.engine, cluster.item.engine
                ),
            )
            .with_help(format!(
                "an instance of an Aurora cluster has the cluster's engine: pass '{}'",
                cluster.item.engine
            )));
    }
    // The instance serves the cluster's storage: it is available no sooner than the cluster.
    let cluster_ready = cluster.active(cx.now).map_or(0, |p| p.until);
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbInstanceCreated))
        .max(cluster_ready);
    let (availability_zone, secondary_availability_zone) = new_instance_zones(reg, region, false);
    let key = rds_key(&op.db_instance);
    let instance = DbInstance {
        id: key.clone(),
        engine: op.engine.clone(),
        instance_class: op.instance_class.clone(),
        status: "available".to_string(),
        availability_zone,
        secondary_availability_zone,
        multi_az: false,
        read_replica_source: None,
        replica_lag_secs: None,
        cluster: Some(cluster_id.clone()),
    };
    // A gone instance of that identifier leaves its tombstone to the new one.
    sim.world
        .regions
        .at_mut(ri)
        .add_db_instance(Tracked::starting(
            instance,
            "creating",
            until,
            Est::DbInstanceCreated,
        ));
    Ok(Outcome {
        resolved: resolved(&op.db_cluster, &cluster_id),
        creates: Some(key.clone()),
        changes: created(&[
            ("DBInstanceIdentifier", &key),
            ("DBClusterIdentifier", &cluster_id),
            ("Engine", &op.engine),
            ("DBInstanceClass", &op.instance_class),
            ("Status", "creating"),
        ]),
        ..Outcome::default()
    })
}

impl Apply for ops::CreateDbInstance {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_cluster_instance(sim, cx, self)
    }
}
