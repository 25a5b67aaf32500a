//! Waits: settle a pending transition by advancing the virtual clock, or say why it never would.

use crate::backend::SimBackend;
use crate::errors::Op;
use crate::estimates::Est;
use crate::state::{HasStatus, TableState, Tracked};
use crate::world::rds_key;
use ripcord_core::duration::format_duration;
use ripcord_core::{BackendError, Change, Outcome, Target, WaitSpec, WaitState};

/// What polling the target would find.
enum Probe {
    /// Already in the state: the first poll answers (0 s, a round trip being below the
    /// estimates' resolution).
    Satisfied,
    /// A transition leads there in `remaining` seconds.
    Pending {
        from: String,
        to: String,
        remaining: u64,
        estimate: Est,
    },
    /// Nothing pending leads there.
    Never { current: String },
    /// Nothing pending leads there, and the runbook can do something about it: the help.
    NeverUnless { current: String, help: String },
}

fn probe_status<T: HasStatus>(tracked: &Tracked<T>, now: u64, wanted: &str) -> Probe {
    let current = tracked.status(now);
    if current == wanted {
        return Probe::Satisfied;
    }
    match tracked.active(now) {
        // A deletion leads nowhere but out of existence.
        Some(pending) if !tracked.ends && tracked.item.status() == wanted => Probe::Pending {
            from: current.to_string(),
            to: wanted.to_string(),
            remaining: pending.until - now,
            estimate: pending.estimate,
        },
        _ => Probe::Never {
            current: current.to_string(),
        },
    }
}

/// The warning of a `deleted` wait on a resource neither the inventory nor the run had.
fn never_existed(target: &Target) -> String {
    format!(
        "{} {}{} never existed in this world: the wait holds at once (live, it is not found either); check the name",
        target.kind().noun(),
        target.name(),
        target
            .region()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default()
    )
}

/// `deleted`: holds once the resource is gone (`None`: not found at `now`); pending while
/// it is being deleted. `how` says what deletes it, for the help of a wait that would never
/// end.
fn probe_deleted<T: HasStatus>(tracked: Option<&Tracked<T>>, now: u64, how: &str) -> Probe {
    let Some(tracked) = tracked else {
        return Probe::Satisfied;
    };
    match tracked.active(now) {
        Some(pending) if tracked.ends => Probe::Pending {
            from: pending.status.clone(),
            to: "deleted".to_string(),
            remaining: pending.until - now,
            estimate: pending.estimate,
        },
        _ => Probe::NeverUnless {
            current: tracked.status(now).to_string(),
            help: format!(
                "nothing deletes it: {how} first, or drop the wait (live, it would poll until its timeout)"
            ),
        },
    }
}

/// A table is `active` when it is ACTIVE and so is every replica it lists (a replica being
/// deleted counts until it is gone), as the poll of the live wait reads DescribeTable. The
/// change reads `TableStatus CREATING -> ACTIVE` for the table itself, else
/// `ReplicaStatus eu-west-1 CREATING -> ACTIVE`.
fn probe_table(table: &TableState, now: u64) -> (Probe, &'static str) {
    let mut field = "ReplicaStatus";
    let mut from = Vec::new();
    let mut to = Vec::new();
    let mut slowest: Option<(u64, Est)> = None;
    let mut never = Vec::new();
    let phases = std::iter::once((None, &table.phase)).chain(
        table
            .replicas
            .iter()
            .map(|r| (Some(r.region.as_str()), &r.phase)),
    );
    for (region, phase) in phases {
        let Some(status) = phase.status(now) else {
            continue;
        };
        if status == "ACTIVE" {
            continue;
        }
        let label = match region {
            Some(region) => format!("{region} {status}"),
            None => {
                field = "TableStatus";
                status.to_string()
            }
        };
        // A replica's deletion leads to the table being active; the table's own does not.
        let leads = if phase.ends {
            region.is_some()
        } else {
            phase.status == "ACTIVE"
        };
        match phase.active(now) {
            Some(pending) if leads => {
                let remaining = pending.until - now;
                if slowest.is_none_or(|(secs, _)| remaining > secs) {
                    slowest = Some((remaining, pending.estimate));
                }
                to.push(match region {
                    Some(region) if phase.ends => format!("{region} gone"),
                    Some(region) => format!("{region} ACTIVE"),
                    None => "ACTIVE".to_string(),
                });
                from.push(label);
            }
            _ => never.push(label),
        }
    }
    let probe = if !never.is_empty() {
        Probe::Never {
            current: never.join(", "),
        }
    } else {
        match slowest {
            None => Probe::Satisfied,
            Some((remaining, estimate)) => Probe::Pending {
                from: from.join(", "),
                to: to.join(", "),
                remaining,
                estimate,
            },
        }
    };
    (probe, field)
}

pub(crate) fn wait(sim: &mut SimBackend, spec: &WaitSpec) -> Result<Outcome, BackendError> {
    let target = &spec.target;
    let kind = target.kind();
    let op = Op::new(kind.service(), spec.operation());
    let now = sim.clock.elapsed();
    let world = &sim.world;
    let mut warnings = Vec::new();
    let (probe, field, id) = match (target, &spec.until) {
        (Target::Asg { .. }, WaitState::InService) => {
            let (ri, at) = world.locate(op, target, now)?;
            let group = world.regions.at(ri).asgs.at(at);
            let desired = group.item.desired_capacity;
            let in_service = group.in_service(now);
            let probe = match group.active(now) {
                // At least desired, as live: instance weights can overshoot it.
                _ if in_service >= desired => Probe::Satisfied,
                Some(pending) => Probe::Pending {
                    from: in_service.to_string(),
                    to: desired.to_string(),
                    remaining: pending.until - now,
                    estimate: Est::AsgInService,
                },
                None => Probe::Never {
                    current: format!("{in_service} InService of {desired} desired"),
                },
            };
            (probe, "InService", group.item.name.clone())
        }
        (Target::EcsService { .. }, WaitState::Steady) => {
            let (ri, at) = world.ecs_service(op, target)?;
            let service = world.regions.at(ri).ecs_services.at(at);
            let desired = service.item.desired_count;
            let running = service.running(now);
            let probe = match service.active(now) {
                _ if running == desired => Probe::Satisfied,
                Some(pending) => Probe::Pending {
                    from: running.to_string(),
                    to: desired.to_string(),
                    remaining: pending.until - now,
                    estimate: Est::EcsSteady,
                },
                None => Probe::Never {
                    current: format!("{running} running of {desired} desired"),
                },
            };
            (probe, "RunningCount", service.item.name.clone())
        }
        (Target::Table { .. }, WaitState::Active) => {
            let (ri, at) = world.table(op, target, now)?;
            let table = world.regions.at(ri).tables.at(at);
            let (probe, field) = probe_table(table, now);
            (probe, field, table.name.clone())
        }
        (Target::Volume { .. }, WaitState::Available) => {
            let (ri, at) = world.locate(op, target, now)?;
            let volume = world.regions.at(ri).volumes.at(at);
            (
                probe_status(volume, now, "available"),
                "State",
                volume.item.id.clone(),
            )
        }
        (Target::EbsSnapshot { .. }, WaitState::Completed) => {
            let (ri, at) = world.locate(op, target, now)?;
            let snapshot = world.regions.at(ri).snapshots.at(at);
            (
                probe_status(snapshot, now, "completed"),
                "State",
                snapshot.item.id.clone(),
            )
        }
        (Target::DbInstance { .. }, WaitState::Available) => {
            let (ri, at) = world.locate(op, target, now)?;
            let instance = world.regions.at(ri).db_instances.at(at);
            (
                probe_status(instance, now, "available"),
                "Status",
                instance.item.id.clone(),
            )
        }
        (Target::DbCluster { .. }, WaitState::Available) => {
            let (ri, at) = world.locate(op, target, now)?;
            let cluster = world.regions.at(ri).db_clusters.at(at);
            (
                probe_status(cluster, now, "available"),
                "Status",
                cluster.item.id.clone(),
            )
        }
        (Target::DbSnapshot { .. }, WaitState::Available) => {
            let (ri, at) = world.locate(op, target, now)?;
            let snapshot = world.regions.at(ri).db_snapshots.at(at);
            (
                probe_status(snapshot, now, "available"),
                "Status",
                snapshot.item.0.id.clone(),
            )
        }
        (Target::DbClusterSnapshot { .. }, WaitState::Available) => {
            let (ri, at) = world.locate(op, target, now)?;
            let snapshot = world.regions.at(ri).db_cluster_snapshots.at(at);
            (
                probe_status(snapshot, now, "available"),
                "Status",
                snapshot.item.0.id.clone(),
            )
        }
        (Target::GlobalCluster { name }, WaitState::Available) => {
            let at = world.global_cluster(op, name, now)?;
            let global = world.global_clusters.at(at);
            (
                probe_status(global, now, "available"),
                "Status",
                rds_key(&global.item.id),
            )
        }
        // A cluster (or instance) the world never had holds at once, as live (the waiter
        // reads the not-found as gone), with a warning below: it is more likely a wrong name.
        (Target::DbCluster { .. }, WaitState::Deleted) => {
            let found = world.try_locate(op, target, now)?;
            let cluster = found.map(|(ri, at)| world.regions.at(ri).db_clusters.at(at));
            let tombstone = target
                .region()
                .and_then(|r| world.region(r))
                .and_then(|r| r.db_clusters.get(&rds_key(target.name())));
            if tombstone.is_none() {
                warnings.push(never_existed(target));
            }
            let probe = probe_deleted(
                cluster,
                now,
                "delete it (delete_cluster; its instances and its global database membership must go before)",
            );
            let id = cluster.map_or_else(|| target.name().to_string(), |c| c.item.id.clone());
            (probe, "Status", id)
        }
        (Target::DbInstance { .. }, WaitState::Deleted) => {
            let found = world.try_locate(op, target, now)?;
            let instance = found.map(|(ri, at)| world.regions.at(ri).db_instances.at(at));
            let tombstone = target
                .region()
                .and_then(|r| world.region(r))
                .and_then(|r| r.db_instances.get(&rds_key(target.name())));
            if tombstone.is_none() {
                warnings.push(never_existed(target));
            }
            let probe = probe_deleted(instance, now, "delete it (delete_instance)");
            let id = instance.map_or_else(|| target.name().to_string(), |i| i.item.id.clone());
            (probe, "Status", id)
        }
        (Target::GlobalCluster { name }, WaitState::Deleted) => {
            let global = world
                .try_global_cluster(name, now)
                .map(|at| world.global_clusters.at(at));
            if world.global_clusters.get(&rds_key(name)).is_none() {
                warnings.push(never_existed(target));
            }
            let probe = probe_deleted(
                global,
                now,
                "delete it (delete_global; its members must leave before)",
            );
            let id = global.map_or_else(|| name.clone(), |g| rds_key(&g.item.id));
            (probe, "Status", id)
        }
        (Target::DnsChange { name }, WaitState::InSync) => {
            let at = world.change(op, name)?;
            let change = world.changes.at(at);
            let probe = if change.status(now) == "INSYNC" {
                Probe::Satisfied
            } else {
                Probe::Pending {
                    from: "PENDING".to_string(),
                    to: "INSYNC".to_string(),
                    remaining: change.until - now,
                    estimate: Est::DnsInSync,
                }
            };
            (
                probe,
                "Status",
                name.trim_start_matches("/change/").to_string(),
            )
        }
        (_, state) => {
            let (message, help) = kind.unsupported_wait(state);
            return Err(op.rejected("UnsupportedWaitState", message).with_help(help));
        }
    };
    let resolved = (id != target.name()).then_some(id);
    match probe {
        Probe::Satisfied => Ok(Outcome {
            resolved,
            warnings,
            ..Outcome::default()
        }),
        Probe::Pending {
            from,
            to,
            remaining,
            estimate,
        } => {
            if remaining > spec.timeout_secs {
                return Err(timed_out(op, spec, remaining, estimate));
            }
            sim.clock.advance(remaining);
            Ok(Outcome {
                resolved,
                changes: vec![Change::new(field, Some(from), Some(to))],
                duration_secs: remaining,
                ..Outcome::default()
            })
        }
        Probe::Never { current } => Err(never(op, spec, &current).with_help(
            "the wait would poll until its timeout live: start the change that leads there first, or drop the wait",
        )),
        Probe::NeverUnless { current, help } => Err(never(op, spec, &current).with_help(help)),
    }
}

fn never(op: Op, spec: &WaitSpec, current: &str) -> BackendError {
    let target = &spec.target;
    op.rejected(
        "WaiterWouldNotFinish",
        format!(
            "{} {}{} is '{current}' and nothing pending leads to '{}'",
            target.kind().noun(),
            target.name(),
            target
                .region()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default(),
            spec.until.as_str()
        ),
    )
}

fn timed_out(op: Op, spec: &WaitSpec, remaining: u64, estimate: Est) -> BackendError {
    // Half again the estimate, in whole minutes, leaves room for a slow day.
    let suggested = remaining.saturating_add(remaining / 2).div_ceil(60).max(1);
    op.timeout(
        "WaiterTimeout",
        format!(
            "{} {} needs an estimated {} to become '{}', more than the wait's timeout of {}: the wait would likely time out live",
            spec.target.kind().noun(),
            spec.target.name(),
            format_duration(remaining),
            spec.until.as_str(),
            format_duration(spec.timeout_secs)
        ),
    )
    .with_help(format!(
        "raise the timeout (e.g. \"{suggested}m\"), or, if the estimate is pessimistic for this environment, override `{}` in the inventory's estimates",
        estimate.key()
    ))
}
