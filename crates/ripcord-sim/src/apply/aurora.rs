//! Aurora global databases: detach a secondary (RemoveFromGlobalCluster), failover, switchover.

use super::{rds::cluster_not_available, Apply, Cx};
use crate::backend::SimBackend;
use crate::estimates::Est;
use crate::suggest::{closest, did_you_mean};
use crate::world::rds_key;
use ripcord_core::inventory::GlobalCluster;
use ripcord_core::ops;
use ripcord_core::{BackendError, Change, Outcome, Target};

/// How the writer moves to another member.
#[derive(Debug, Clone, Copy)]
enum Move {
    /// FailoverGlobalCluster. Without AllowDataLoss AWS runs it as a switchover.
    Failover {
        allow_data_loss: bool,
    },
    Switchover,
}

impl Move {
    fn lossless(self) -> bool {
        !matches!(
            self,
            Move::Failover {
                allow_data_loss: true
            }
        )
    }

    fn status(self) -> &'static str {
        match self {
            Move::Failover { .. } => "failing-over",
            Move::Switchover => "switching-over",
        }
    }
}

/// `a (us-east-1, writer), b (us-west-2)`.
pub(super) fn members_list(global: &GlobalCluster) -> String {
    if global.members.is_empty() {
        return "it has no members".to_string();
    }
    let members: Vec<String> = global
        .members
        .iter()
        .map(|m| {
            let role = if m.writer { ", writer" } else { "" };
            format!("{} ({}{role})", m.cluster, m.region)
        })
        .collect();
    format!("members of {}: {}", global.id, members.join(", "))
}

pub(super) fn global_not_available(
    cx: Cx,
    global: &GlobalCluster,
    status: &str,
    remaining: Option<u64>,
) -> BackendError {
    let target = Target::GlobalCluster {
        name: global.id.clone(),
    };
    let help = match remaining {
        Some(_) => crate::errors::wait_hint(&target, "available", remaining),
        None if status == "deleting" => format!(
            "global cluster {} is being deleted: nothing leads it back to 'available' (once gone, its identifier is free again)",
            global.id
        ),
        None => format!(
            "nothing the runbook did leads {} out of '{status}'",
            global.id
        ),
    };
    cx.op
        .rejected(
            "InvalidGlobalClusterStateFault",
            format!(
                "Global cluster {} is not in available state (it is '{status}').",
                global.id
            ),
        )
        .with_help(help)
}

fn remove_from_global_cluster(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    global_cluster: &str,
    db_cluster: &str,
) -> Result<Outcome, BackendError> {
    let gi = sim.world.global_cluster(cx.op, global_cluster, cx.now)?;
    let target = Target::DbCluster {
        name: db_cluster.to_string(),
        region: region.to_string(),
    };
    let (ri, ci) = sim.world.locate(cx.op, &target, cx.now)?;
    let global = sim.world.global_clusters.at(gi);
    let cluster = sim.world.regions.at(ri).db_clusters.at(ci);
    let key = rds_key(&cluster.item.id);
    let Some(position) = global
        .item
        .members
        .iter()
        .position(|m| m.region == region && rds_key(&m.cluster) == key)
    else {
        // AWS has no dedicated code; a cluster outside the global database is in the wrong state
        // for this request.
        return Err(cx
            .op
            .rejected(
                "InvalidDBClusterStateFault",
                format!(
                    "DB cluster {} in {region} is not a member of global cluster {}.",
                    cluster.item.id, global.item.id
                ),
            )
            .with_help(members_list(&global.item)));
    };
    let status = global.status(cx.now);
    if status != "available" {
        let remaining = global.remaining(cx.now);
        return Err(global_not_available(cx, &global.item, status, remaining));
    }
    let writer = global.item.members[position].writer;
    if writer && global.item.members.len() > 1 {
        return Err(cx
            .op
            .rejected(
                "InvalidGlobalClusterStateFault",
                format!(
                    "Cannot remove the writer cluster {} from global cluster {} while it has secondary clusters.",
                    cluster.item.id, global.item.id
                ),
            )
            .with_help(format!(
                "detach the secondaries first, or move the writer with failover_global/switchover_global ({})",
                members_list(&global.item)
            )));
    }
    let cluster_status = cluster.status(cx.now);
    if cluster_status != "available" {
        let remaining = cluster.remaining(cx.now);
        return Err(cluster_not_available(
            cx,
            &target,
            &cluster.item.id,
            cluster_status,
            remaining,
            region,
        ));
    }
    let global_id = global.item.id.clone();
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::DbClusterAfterDetach));
    let global = sim.world.global_clusters.at_mut(gi);
    global.settle(cx.now);
    global.item.members.remove(position);
    let cluster = sim.world.regions.at_mut(ri).db_clusters.at_mut(ci);
    cluster.settle(cx.now);
    cluster.item.replication_lag_secs = None;
    let mut changes = vec![Change::new("GlobalClusterMember", Some(global_id), None)];
    if !writer {
        // AWS reports the detached cluster `available` at once, but it only accepts writes
        // after the promotion: `modifying` makes a runbook wait for that.
        cluster.start("modifying", until, Est::DbClusterAfterDetach);
        changes.push(Change::new(
            "Writer",
            Some("false".to_string()),
            Some("true".to_string()),
        ));
        changes.push(Change::new(
            "Status",
            Some("available".to_string()),
            Some("modifying".to_string()),
        ));
    }
    Ok(Outcome {
        changes,
        ..Outcome::default()
    })
}

/// FailoverGlobalCluster and SwitchoverGlobalCluster.
fn move_writer(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    global_cluster: &str,
    target_db_cluster: &str,
    how: Move,
) -> Result<Outcome, BackendError> {
    let gi = sim.world.global_cluster(cx.op, global_cluster, cx.now)?;
    sim.world.region_index(
        cx.op,
        &Target::DbCluster {
            name: target_db_cluster.to_string(),
            region: region.to_string(),
        },
    )?;
    // The target may be an ARN (which names its region) or an identifier; identifiers are
    // unique per region only, so a member in the request's region wins a tie.
    let arn_region = target_db_cluster
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2));
    let wanted_region = arn_region.unwrap_or(region);
    let key = rds_key(target_db_cluster);
    let global = sim.world.global_clusters.at(gi);
    let matching: Vec<usize> = global
        .item
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| rds_key(&m.cluster) == key)
        .map(|(i, _)| i)
        .collect();
    let chosen = matching
        .iter()
        .copied()
        .find(|i| global.item.members[*i].region == wanted_region)
        .or(matching.first().copied());
    let Some(position) = chosen else {
        let exists_in: Vec<&str> = sim
            .world
            .region_names()
            .into_iter()
            .zip(sim.world.regions.iter())
            .filter(|(_, r)| r.db_clusters.get(&key).is_some_and(|c| c.exists(cx.now)))
            .map(|(name, _)| name)
            .collect();
        if exists_in.is_empty() {
            let ids: Vec<&str> = global
                .item
                .members
                .iter()
                .map(|m| m.cluster.as_str())
                .collect();
            let help = did_you_mean(&closest(target_db_cluster, ids.iter().copied()))
                .map(|s| format!("{s} ({})", members_list(&global.item)))
                .unwrap_or_else(|| members_list(&global.item));
            return Err(cx
                .op
                .not_found(
                    "DBClusterNotFoundFault",
                    format!("DBCluster {target_db_cluster} not found."),
                )
                .with_help(help));
        }
        return Err(cx
            .op
            .rejected(
                "InvalidGlobalClusterStateFault",
                format!(
                    "DB cluster {target_db_cluster} ({}) is not a member of global cluster {}.",
                    exists_in.join(", "),
                    global.item.id
                ),
            )
            .with_help(members_list(&global.item)));
    };
    let member = &global.item.members[position];
    if member.writer {
        return Err(cx
            .op
            .rejected(
                "InvalidGlobalClusterStateFault",
                format!(
                    "DB cluster {} ({}) is already the writer of global cluster {}.",
                    member.cluster, member.region, global.item.id
                ),
            )
            .with_help(format!(
                "name a secondary cluster as the target ({})",
                members_list(&global.item)
            )));
    }
    let status = global.status(cx.now);
    if status != "available" {
        let remaining = global.remaining(cx.now);
        return Err(global_not_available(cx, &global.item, status, remaining));
    }
    // A lossless move needs every member healthy; a failover with data loss only the target.
    for (i, m) in global.item.members.iter().enumerate() {
        if !how.lossless() && i != position {
            continue;
        }
        let Some(cluster) = sim
            .world
            .region(&m.region)
            .and_then(|r| r.db_clusters.get(&rds_key(&m.cluster)))
        else {
            continue;
        };
        let cluster_status = cluster.status(cx.now);
        if cluster_status != "available" {
            let remaining = cluster.remaining(cx.now);
            let target = Target::DbCluster {
                name: m.cluster.clone(),
                region: m.region.clone(),
            };
            return Err(cluster_not_available(
                cx,
                &target,
                &cluster.item.id,
                cluster_status,
                remaining,
                &m.region,
            ));
        }
    }
    let mut warnings = Vec::new();
    let target_region = member.region.clone();
    let target_id = member.cluster.clone();
    if target_region != region {
        warnings.push(format!(
            "the request goes to {region} but the new writer {target_id} is in {target_region}: during an outage of the old primary's region, send it to {target_region}"
        ));
    }
    let target_key = rds_key(&target_id);
    let lag = sim
        .world
        .region(&target_region)
        .and_then(|r| r.db_clusters.get(&target_key))
        .and_then(|c| c.item.replication_lag_secs);
    if !how.lossless() {
        if let Some(lag) = lag.filter(|lag| *lag > 0) {
            warnings.push(format!(
                "{target_id} lags the writer by {lag}s: up to {lag}s of committed writes may be lost"
            ));
        }
    }
    let old_writer = global
        .item
        .members
        .iter()
        .find(|m| m.writer)
        .map(|m| m.cluster.clone());
    let until = cx
        .done
        .saturating_add(sim.estimates.get(Est::GlobalFailover));
    let global = sim.world.global_clusters.at_mut(gi);
    global.settle(cx.now);
    for (i, m) in global.item.members.iter_mut().enumerate() {
        m.writer = i == position;
    }
    global.start(how.status(), until, Est::GlobalFailover);
    if let Some(ri) = sim.world.regions.find(&target_region) {
        if let Some(ci) = sim.world.regions.at(ri).db_clusters.find(&target_key) {
            let cluster = sim.world.regions.at_mut(ri).db_clusters.at_mut(ci);
            cluster.settle(cx.now);
            cluster.item.replication_lag_secs = None;
            cluster.start("modifying", until, Est::GlobalFailover);
        }
    }
    Ok(Outcome {
        changes: vec![
            Change::new("GlobalClusterWriter", old_writer, Some(target_id)),
            Change::new(
                "Status",
                Some("available".to_string()),
                Some(how.status().to_string()),
            ),
        ],
        warnings,
        ..Outcome::default()
    })
}

impl Apply for ops::RemoveFromGlobalCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        remove_from_global_cluster(
            sim,
            cx,
            &self.region,
            &self.global_cluster,
            &self.db_cluster,
        )
    }
}

impl Apply for ops::FailoverGlobalCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        move_writer(
            sim,
            cx,
            &self.region,
            &self.global_cluster,
            &self.target_db_cluster,
            Move::Failover {
                allow_data_loss: self.allow_data_loss,
            },
        )
    }
}

impl Apply for ops::SwitchoverGlobalCluster {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        move_writer(
            sim,
            cx,
            &self.region,
            &self.global_cluster,
            &self.target_db_cluster,
            Move::Switchover,
        )
    }
}
