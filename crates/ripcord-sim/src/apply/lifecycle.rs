//! Aurora global databases made and unmade (`ripcord_core::ops::aurora`): what re-establishing
//! replication after a failover takes. A new global database from a standalone cluster
//! (CreateGlobalCluster), the old one deleted once it has no members (DeleteGlobalCluster),
//! the stale former primary deleted after a final snapshot (DeleteDBCluster), and a new
//! secondary cluster where it was (CreateDBCluster). The moves within a global database
//! (detach, failover, switchover) are in `aurora.rs`.
//!
//! A deleted cluster or global database is `deleting` until its estimate has passed, then gone
//! ([`crate::state::Tracked::ends`]): its identifier is taken until then, as in AWS.

use super::aurora::{global_not_available, members_list};
use super::ec2::created;
use super::rds::{
    add_snapshot, already_exists, check_identifier, cluster_not_available, new_snapshot,
};
use super::{resolved, Apply, Cx};
use crate::backend::SimBackend;
use crate::errors::wait_hint;
use crate::estimates::Est;
use crate::state::{ClusterSnap, Tracked};
use crate::world::{rds_key, World};
use ripcord_core::inventory::{DbCluster, GlobalCluster, GlobalClusterMember};
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
    let instances: Vec<&str> = reg
        .db_instances
        .iter()
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
                "AWS deletes a cluster only once its DB instances are gone: delete {} first (ripcord has no call for that)",
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
        replication_lag_secs: Some(0),
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
