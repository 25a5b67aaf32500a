//! Read-only queries: Describe in the inventory's shape, and the newest snapshot of a source.

use crate::backend::SimBackend;
use crate::errors::Op;
use crate::state::record_key;
use crate::world::rds_key;
use ripcord_core::{BackendError, Endpoint, ErrorKind, ResourceKind, Target};
use serde::Serialize;
use serde_json::Value;

fn json(op: Op, value: &impl Serialize) -> Result<Value, BackendError> {
    // The inventory types serialize to JSON objects with string keys, which cannot fail; an
    // error is still reported rather than hidden.
    serde_json::to_value(value).map_err(|err| {
        BackendError::new(
            ErrorKind::Transport,
            op.service,
            op.operation,
            "SerializationFailed",
            err.to_string(),
        )
    })
}

/// `Ok(None)` for a global resource that does not exist; other errors (ambiguity) stand.
fn absent_is_none<T>(found: Result<T, BackendError>) -> Result<Option<T>, BackendError> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(err) if err.kind == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

pub(crate) fn describe(sim: &SimBackend, target: &Target) -> Result<Option<Value>, BackendError> {
    let kind = target.kind();
    let op = Op::new(kind.service(), kind.describe_operation());
    sim.reach(op.service, op.operation, &Endpoint::of_target(target))?;
    let now = sim.clock.elapsed();
    let world = &sim.world;
    let value = match target {
        Target::Asg { .. }
        | Target::Volume { .. }
        | Target::EbsSnapshot { .. }
        | Target::DbInstance { .. }
        | Target::DbCluster { .. }
        | Target::DbSnapshot { .. }
        | Target::DbClusterSnapshot { .. }
        | Target::Topic { .. } => {
            let Some((ri, at)) = world.try_locate(op, target, now)? else {
                return Ok(None);
            };
            let region = world.regions.at(ri);
            match kind {
                ResourceKind::Asg => json(op, &region.asgs.at(at).describe(now))?,
                ResourceKind::Volume => json(op, &region.volumes.at(at).view(now))?,
                ResourceKind::EbsSnapshot => json(op, &region.snapshots.at(at).view(now))?,
                ResourceKind::DbInstance => json(op, &region.db_instances.at(at).view(now))?,
                ResourceKind::DbCluster => {
                    let cluster = region.db_clusters.at(at).view(now);
                    let region_name = target.region().unwrap_or_default();
                    let mut value = json(op, &cluster)?;
                    let key = rds_key(&cluster.id);
                    let membership = world
                        .global_clusters
                        .iter()
                        .filter(|g| g.exists(now))
                        .find_map(|g| {
                            g.item
                                .members
                                .iter()
                                .find(|m| m.region == region_name && rds_key(&m.cluster) == key)
                                .map(|m| (g.item.id.clone(), m.writer))
                        });
                    if let Value::Object(map) = &mut value {
                        let (global, writer) = match membership {
                            Some((id, writer)) => (Value::String(id), writer),
                            // A standalone cluster takes writes.
                            None => (Value::Null, true),
                        };
                        map.insert("global_cluster".to_string(), global);
                        map.insert("writer".to_string(), Value::Bool(writer));
                    }
                    value
                }
                ResourceKind::DbSnapshot => json(op, &region.db_snapshots.at(at).view(now).0)?,
                ResourceKind::DbClusterSnapshot => {
                    json(op, &region.db_cluster_snapshots.at(at).view(now).0)?
                }
                _ => json(op, region.topics.at(at))?,
            }
        }
        // ECS answers an unknown cluster with an error and an unknown service with a failure
        // entry: neither is a service.
        Target::EcsService { .. } => match absent_is_none(world.ecs_service(op, target))? {
            Some((ri, at)) => json(op, &world.regions.at(ri).ecs_services.at(at).describe(now))?,
            None => return Ok(None),
        },
        Target::Table { .. } => match world
            .try_table(target, now)
            .and_then(|(ri, at)| world.regions.at(ri).tables.at(at).view(now))
        {
            Some(table) => json(op, &table)?,
            None => return Ok(None),
        },
        Target::GlobalCluster { name } => match world.try_global_cluster(name, now) {
            Some(at) => json(op, &world.global_clusters.at(at).view(now))?,
            None => return Ok(None),
        },
        Target::Zone { name } => match absent_is_none(world.zone(op, name))? {
            Some((at, _)) => json(op, &world.zones.at(at).view())?,
            None => return Ok(None),
        },
        Target::Record {
            zone,
            name,
            rtype,
            set_id,
        } => {
            let Some((at, _)) = absent_is_none(world.zone(op, zone))? else {
                return Ok(None);
            };
            match world
                .zones
                .at(at)
                .records
                .get(&record_key(name, rtype, set_id.as_deref()))
            {
                Some(record) => json(op, record)?,
                None => return Ok(None),
            }
        }
        Target::HealthCheck { name } => match absent_is_none(world.health_check(op, name))? {
            Some(at) => json(op, world.health_checks.at(at))?,
            None => return Ok(None),
        },
        Target::DnsChange { name } => match absent_is_none(world.change(op, name))? {
            Some(at) => serde_json::json!({
                "id": name.trim_start_matches("/change/"),
                "status": world.changes.at(at).status(now),
            }),
            None => return Ok(None),
        },
        Target::Bucket { name } => match world.buckets.get(name) {
            Some(bucket) => json(op, bucket)?,
            None => return Ok(None),
        },
    };
    Ok(Some(value))
}

pub(crate) fn latest_snapshot(
    sim: &SimBackend,
    target: &Target,
) -> Result<Option<Value>, BackendError> {
    let kind = target.kind();
    let now = sim.clock.elapsed();
    let world = &sim.world;
    match kind {
        ResourceKind::Volume => {
            let op = Op::new("ec2", "DescribeSnapshots");
            sim.reach(op.service, op.operation, &Endpoint::of_target(target))?;
            let (ri, at) = world.locate(op, target, now)?;
            let region = world.regions.at(ri);
            let volume_id = &region.volumes.at(at).item.id;
            match region.latest_snapshot.get(volume_id) {
                Some(&snap) => Ok(Some(json(op, &region.snapshots.at(snap).view(now))?)),
                None => Ok(None),
            }
        }
        ResourceKind::DbInstance => {
            let op = Op::new("rds", "DescribeDBSnapshots");
            sim.reach(op.service, op.operation, &Endpoint::of_target(target))?;
            let (ri, at) = world.locate(op, target, now)?;
            let region = world.regions.at(ri);
            let source = rds_key(&region.db_instances.at(at).item.id);
            match region.latest_db_snapshot.get(&source) {
                Some(&snap) => Ok(Some(json(op, &region.db_snapshots.at(snap).view(now).0)?)),
                None => Ok(None),
            }
        }
        ResourceKind::DbCluster => {
            let op = Op::new("rds", "DescribeDBClusterSnapshots");
            sim.reach(op.service, op.operation, &Endpoint::of_target(target))?;
            let (ri, at) = world.locate(op, target, now)?;
            let region = world.regions.at(ri);
            let source = rds_key(&region.db_clusters.at(at).item.id);
            match region.latest_db_cluster_snapshot.get(&source) {
                Some(&snap) => Ok(Some(json(
                    op,
                    &region.db_cluster_snapshots.at(snap).view(now).0,
                )?)),
                None => Ok(None),
            }
        }
        _ => Err(Op::new(kind.service(), kind.describe_operation())
            .rejected(
                "InvalidParameterValue",
                format!(
                    "latest_snapshot applies to a volume, DB instance or DB cluster, not to {}",
                    kind.a_noun()
                ),
            )
            .with_help("pass the handle of the snapshotted resource")),
    }
}
