//! DynamoDB: UpdateTable's replica changes (global tables version 2019.11.21), and the
//! DescribeTable readiness check of a replica.
//!
//! A global table is a table of the same name in each of its regions, each listing the others
//! in `replicas`. Adding a replica in X (the request sent to a region R that has the table):
//! AWS keeps the table in R `ACTIVE` and lists X `CREATING` until the new replica is ready;
//! the simulation shows the same in every table of the global table, and a new table in X,
//! `CREATING`, that lists every other region. Both become `ACTIVE` one
//! `wait.table_replica_active` after the call. Removing X: X is `DELETING` in every list and
//! its table is `DELETING`, then both are gone one `wait.table_replica_deleted` after the
//! call.

use super::{resolved, Apply, Cx};
use crate::backend::SimBackend;
use crate::errors::wait_hint;
use crate::estimates::Est;
use crate::render::diff;
use crate::state::{Phase, TableState};
use crate::world::Region;
use ripcord_core::arn::is_region_name;
use ripcord_core::ops::{self, ReplicaUpdate};
use ripcord_core::{BackendError, CheckSpec, Outcome, Target};

/// The stream view type a replica needs (and the one AWS turns on for the first replica).
const NEW_AND_OLD_IMAGES: &str = "NEW_AND_OLD_IMAGES";

/// DynamoDB's ValidationException for a parameter it refuses.
fn invalid(cx: Cx, message: String, help: String) -> BackendError {
    cx.op
        .rejected(
            "ValidationException",
            format!("One or more parameter values were invalid: {message}"),
        )
        .with_help(help)
}

/// `us-east-1, us-west-2`: the regions of a global table, the table's own first.
fn regions(home: &str, others: &[String]) -> String {
    std::iter::once(home)
        .chain(others.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

fn update_table(
    sim: &mut SimBackend,
    cx: Cx,
    req: &ops::UpdateTable,
) -> Result<Outcome, BackendError> {
    let update = match req.replica_updates.as_slice() {
        [one] => one,
        [] => {
            return Err(cx
                .op
                .rejected(
                    "ValidationException",
                    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
                )
                .with_help("add_replica / remove_replica send one replica change"))
        }
        _ => {
            return Err(invalid(
                cx,
                "Only one replica can be created or deleted per UpdateTable request".to_string(),
                "send one replica change per UpdateTable, and wait for the table to be \"active\" before the next".to_string(),
            ))
        }
    };
    let replica_region = update.region();
    let verb = if update.creates() { "Create" } else { "Delete" };
    if !is_region_name(replica_region) {
        return Err(invalid(
            cx,
            format!("Invalid region: {replica_region}"),
            "a region name such as us-west-2".to_string(),
        ));
    }
    let target = Target::Table {
        name: req.table_name.clone(),
        region: req.region.clone(),
    };
    let now = cx.now;
    let (ri, ti) = sim.world.table(cx.op, &target, now)?;
    let home = req.region.as_str();
    let table = sim.world.regions.at(ri).tables.at(ti);
    let name = table.name.clone();
    if replica_region == home {
        return Err(invalid(
            cx,
            format!("{verb} of a replica in the table's own region {home} is not allowed: call the operation in another replica's region"),
            format!("send the request to a region that keeps a replica of {name}"),
        ));
    }
    let listed: Vec<(String, String)> = table
        .replicas(now)
        .map(|(region, status)| (region.to_string(), status.to_string()))
        .collect();
    let listed_status = listed
        .iter()
        .find(|(region, _)| region == replica_region)
        .map(|(_, status)| status.as_str());
    let mut warnings = Vec::new();
    if update.creates() {
        if let Some(status) = listed_status {
            return Err(invalid(
                cx,
                format!("Table {name} already has a replica in region {replica_region}"),
                format!("its replica there is {status}; require_replica(...) checks for one"),
            ));
        }
        let occupied = sim
            .world
            .regions
            .get(replica_region)
            .and_then(|r| r.tables.get(&name))
            .is_some_and(|t| t.exists(now));
        if occupied {
            return Err(invalid(
                cx,
                format!("Failed to create a replica in region {replica_region}: a table named {name} already exists there"),
                format!("DynamoDB creates the replica's table itself; the table {name} in {replica_region} is not part of this global table"),
            ));
        }
        if let Some(view) = table
            .stream_view_type
            .as_deref()
            .filter(|v| *v != NEW_AND_OLD_IMAGES)
        {
            return Err(invalid(
                cx,
                format!("Table {name} has a stream of view type {view}; replicas require StreamViewType NEW_AND_OLD_IMAGES"),
                format!("change the stream of {name} to NEW_AND_OLD_IMAGES first (a table without a stream gets one)"),
            ));
        }
        if sim.world.regions.find(replica_region).is_none() {
            warnings.push(format!(
                "{replica_region} is not in the inventory: the plan assumes it has no table named {name} (AWS refuses the replica if it has one)"
            ));
        }
    } else if listed_status.is_none() {
        let have = if listed.is_empty() {
            format!("{name} in {home} has no replicas")
        } else {
            format!(
                "replicas of {name}: {}",
                listed
                    .iter()
                    .map(|(r, s)| format!("{r} ({s})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(invalid(
            cx,
            format!("Table {name} has no replica in region {replica_region}"),
            have,
        ));
    }
    // An update in progress anywhere in the global table: DynamoDB takes one at a time.
    let table_status = table.phase.status(now).unwrap_or_default();
    let busy = if table_status != "ACTIVE" {
        Some((
            format!("Table {name} in {home} is {table_status}"),
            table.phase.active(now).map(|p| p.until - now),
        ))
    } else {
        table
            .replicas
            .iter()
            .find_map(|r| match r.phase.status(now) {
                Some(status) if status != "ACTIVE" => Some((
                    format!("the replica of {name} in {} is {status}", r.region),
                    r.phase.active(now).map(|p| p.until - now),
                )),
                _ => None,
            })
    };
    if let Some((what, remaining)) = busy {
        return Err(cx
            .op
            .rejected(
                "ResourceInUseException",
                format!("Attempt to change a resource which is still in use: {what}"),
            )
            .with_help(wait_hint(&target, "active", remaining)));
    }

    let others: Vec<String> = listed.iter().map(|(r, _)| r.clone()).collect();
    let mut after = others.clone();
    let mut changes = Vec::new();
    let until = cx
        .done
        .saturating_add(sim.estimates.get(if update.creates() {
            Est::TableReplicaActive
        } else {
            Est::TableReplicaDeleted
        }));
    // The tables of the global table the world has, the request's first.
    let group: Vec<(usize, usize)> = std::iter::once((ri, ti))
        .chain(
            others
                .iter()
                .filter(|r| *r != replica_region)
                .filter_map(|region| {
                    let rj = sim.world.regions.find(region)?;
                    let tj = sim.world.regions.at(rj).tables.find(&name)?;
                    sim.world
                        .regions
                        .at(rj)
                        .tables
                        .at(tj)
                        .exists(now)
                        .then_some((rj, tj))
                }),
        )
        .collect();
    match update {
        ReplicaUpdate::Create(_) => {
            let stream = &mut sim
                .world
                .regions
                .at_mut(ri)
                .tables
                .at_mut(ti)
                .stream_view_type;
            if stream.is_none() {
                // AWS turns the stream on itself when the first replica is added to a table
                // without one (terraform-provider-aws issue 43625).
                diff(
                    &mut changes,
                    "StreamViewType",
                    None,
                    Some(NEW_AND_OLD_IMAGES.to_string()),
                );
                *stream = Some(NEW_AND_OLD_IMAGES.to_string());
            }
            let at = after
                .iter()
                .position(|r| r.as_str() > replica_region)
                .unwrap_or(after.len());
            after.insert(at, replica_region.to_string());
            let mut replica = TableState {
                name: name.clone(),
                stream_view_type: Some(NEW_AND_OLD_IMAGES.to_string()),
                phase: Phase::until_active("CREATING", until, Est::TableReplicaActive),
                replicas: Vec::new(),
            };
            for (region, status) in std::iter::once((home, "ACTIVE"))
                .chain(listed.iter().map(|(r, s)| (r.as_str(), s.as_str())))
            {
                replica.add_replica(region, Phase::settled(status), now);
            }
            for &(rj, tj) in &group {
                sim.world.regions.at_mut(rj).tables.at_mut(tj).add_replica(
                    replica_region,
                    Phase::until_active("CREATING", until, Est::TableReplicaActive),
                    now,
                );
            }
            let rx = match sim.world.regions.find(replica_region) {
                Some(rx) => rx,
                None => sim
                    .world
                    .regions
                    .upsert(replica_region.to_string(), Region::default()),
            };
            sim.world
                .regions
                .at_mut(rx)
                .tables
                .upsert(name.clone(), replica);
        }
        ReplicaUpdate::Delete(_) => {
            after.retain(|r| r != replica_region);
            for &(rj, tj) in &group {
                let table = sim.world.regions.at_mut(rj).tables.at_mut(tj);
                if let Some(entry) = table.replica_mut(replica_region, now) {
                    entry.phase = Phase::deleting(until);
                }
            }
            let doomed = sim
                .world
                .regions
                .find(replica_region)
                .and_then(|rx| Some((rx, sim.world.regions.at(rx).tables.find(&name)?)));
            if let Some((rx, tx)) = doomed {
                let table = sim.world.regions.at_mut(rx).tables.at_mut(tx);
                if table.exists(now) {
                    table.phase = Phase::deleting(until);
                }
            }
        }
    }
    diff(
        &mut changes,
        "Replicas",
        Some(regions(home, &others)),
        Some(regions(home, &after)),
    );
    Ok(Outcome {
        resolved: resolved(&req.table_name, &name),
        changes,
        warnings,
        ..Outcome::default()
    })
}

/// The table read in `region` must list `replica_region` `ACTIVE`, as the live check reads
/// DescribeTable: a missing table or replica is unmet, with the replicas found.
pub(crate) fn check_replica(
    sim: &SimBackend,
    spec: &CheckSpec,
    table: &str,
    region: &str,
    replica_region: &str,
) -> Result<Outcome, BackendError> {
    let now = sim.clock.elapsed();
    let target = Target::Table {
        name: table.to_string(),
        region: region.to_string(),
    };
    let Some((ri, ti)) = sim.world.try_table(&target, now) else {
        return Err(spec.unmet(None));
    };
    let found = sim.world.regions.at(ri).tables.at(ti);
    if found
        .replicas(now)
        .any(|(r, status)| r == replica_region && status == "ACTIVE")
    {
        return Ok(Outcome::default());
    }
    let replicas: Vec<String> = found
        .replicas(now)
        .map(|(r, status)| format!("{r} ({status})"))
        .collect();
    Err(spec.unmet(Some(&replicas)))
}

impl Apply for ops::UpdateTable {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        update_table(sim, cx, self)
    }
}
