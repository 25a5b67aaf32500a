//! RDS: DB and cluster snapshots and their copies, restores, read replica promotion, the
//! Multi-AZ failover test.

use super::{expect_kind, region_of, Res};
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::{ops, Call, Origin, ResourceKind, Target};

/// `snapshot(db_instance | db_cluster [, #{id, tags}])`; `snapshots.rs` checked the handle.
pub(super) fn snapshot_db(
    st: &mut RunState,
    origin: Origin,
    kind: ResourceKind,
    region: String,
    name: String,
    compact: &str,
    opts: Map,
) -> Res {
    let opts = Options::new("snapshot", opts, &["id", "tags"])?;
    let id = opts
        .string("id")?
        .unwrap_or_else(|| format!("{name}-{compact}"));
    let tags = opts.string_map("tags")?;
    let (call, target) = if kind == ResourceKind::DbInstance {
        (
            Call::CreateDbSnapshot(ops::CreateDbSnapshot {
                region: region.clone(),
                db_instance: name,
                snapshot: id.clone(),
                tags,
            }),
            Target::DbSnapshot { name: id, region },
        )
    } else {
        (
            Call::CreateDbClusterSnapshot(ops::CreateDbClusterSnapshot {
                region: region.clone(),
                db_cluster: name,
                snapshot: id.clone(),
                tags,
            }),
            Target::DbClusterSnapshot { name: id, region },
        )
    };
    st.execute(call, origin)?;
    Ok(Dynamic::from(Handle(target)))
}

/// `copy_snapshot(db_snapshot | db_cluster_snapshot, region [, #{id}])`; `snapshots.rs`
/// checked the handle and the region.
pub(super) fn copy_db_snapshot(
    st: &mut RunState,
    origin: Origin,
    kind: ResourceKind,
    from: String,
    source: String,
    to: &str,
    opts: Map,
) -> Res {
    let opts = Options::new("copy_snapshot", opts, &["id"])?;
    let id = opts
        .string("id")?
        .unwrap_or_else(|| format!("{source}-{to}"));
    let (call, target) = if kind == ResourceKind::DbSnapshot {
        (
            Call::CopyDbSnapshot(ops::CopyDbSnapshot {
                region: to.to_string(),
                source_region: from,
                source_snapshot: source,
                target_snapshot: id.clone(),
            }),
            Target::DbSnapshot {
                name: id,
                region: to.to_string(),
            },
        )
    } else {
        (
            Call::CopyDbClusterSnapshot(ops::CopyDbClusterSnapshot {
                region: to.to_string(),
                source_region: from,
                source_snapshot: source,
                target_snapshot: id.clone(),
            }),
            Target::DbClusterSnapshot {
                name: id,
                region: to.to_string(),
            },
        )
    };
    st.execute(call, origin)?;
    Ok(Dynamic::from(Handle(target)))
}

/// `restore_db(db_snapshot, new_id [, opts])`.
pub fn restore_db(st: &mut RunState, origin: Origin, h: &Handle, new_id: &str, opts: Map) -> Res {
    expect_kind("restore_db", h, &[ResourceKind::DbSnapshot])?;
    let opts = Options::new("restore_db", opts, &["instance_class", "multi_az"])?;
    let region = region_of(h);
    let call = Call::RestoreDbInstanceFromDbSnapshot(ops::RestoreDbInstanceFromDbSnapshot {
        region: region.clone(),
        snapshot: h.0.name().to_string(),
        db_instance: new_id.to_string(),
        instance_class: opts.string("instance_class")?,
        multi_az: opts.bool("multi_az")?,
    });
    st.execute(call, origin)?;
    Ok(Dynamic::from(Handle(Target::DbInstance {
        name: new_id.to_string(),
        region,
    })))
}

/// `promote(db_instance)`: a read replica becomes a standalone instance.
pub fn promote_replica(st: &mut RunState, origin: Origin, h: &Handle) -> Res {
    expect_kind("promote", h, &[ResourceKind::DbInstance])?;
    st.execute(
        Call::PromoteReadReplica(ops::PromoteReadReplica {
            region: region_of(h),
            db_instance: h.0.name().to_string(),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `force_failover(db_instance)`: the Multi-AZ failover test.
pub fn force_failover(st: &mut RunState, origin: Origin, h: &Handle) -> Res {
    expect_kind("force_failover", h, &[ResourceKind::DbInstance])?;
    st.execute(
        Call::RebootDbInstance(ops::RebootDbInstance {
            region: region_of(h),
            db_instance: h.0.name().to_string(),
            force_failover: true,
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `delete_instance(db_instance, final_snapshot_id)`, or `delete_instance(db_instance)` for an
/// Aurora cluster's instance or a read replica (whose data is the cluster's or the source's:
/// AWS takes no final snapshot of either); only after an `approve` earlier in the run.
pub fn delete_instance(
    st: &mut RunState,
    origin: Origin,
    h: &Handle,
    final_snapshot: Option<&str>,
) -> Res {
    expect_kind("delete_instance", h, &[ResourceKind::DbInstance])?;
    if final_snapshot.is_some_and(|s| s.trim().is_empty()) {
        return Err(crate::failure::Failure::invalid(
            "`delete_instance` needs a non-empty final snapshot id",
        ));
    }
    if final_snapshot.is_none() {
        // Only an Aurora cluster's instance or a read replica goes without one: read what it is.
        let description = st.query(ripcord_core::Query::Describe {
            target: h.0.clone(),
        })?;
        let set = |field: &str| {
            description
                .as_ref()
                .and_then(|d| d.get(field))
                .is_some_and(|v| !v.is_null())
        };
        if !set("cluster") && !set("read_replica_source") {
            return Err(crate::failure::Failure::invalid(format!(
                "`delete_instance` of {h} needs the id of its final snapshot: ripcord deletes an instance's data only with one"
            ))
            .with_help(format!("delete_instance({h}, \"{}-final\")", h.0.name())));
        }
    }
    if !st.approved() {
        return Err(crate::failure::Failure::invalid(format!(
            "`delete_instance` of {h} needs an approval earlier in the run: deleting an instance is not undone"
        ))
        .with_code(crate::codes::UNAPPROVED)
        .with_help(format!("approve(\"Delete {}?\"); before it", h.0.name())));
    }
    st.execute(
        Call::DeleteDbInstance(ops::DeleteDbInstance {
            region: region_of(h),
            db_instance: h.0.name().to_string(),
            final_snapshot: final_snapshot.map(str::to_string),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `create_replica(db_instance, source_db_instance [, #{multi_az, instance_class}])`: creates
/// the first handle's instance, in its region, as a read replica of the second (in its own
/// region: across regions too).
pub fn create_replica(
    st: &mut RunState,
    origin: Origin,
    h: &Handle,
    source: &Handle,
    opts: Map,
) -> Res {
    expect_kind("create_replica", h, &[ResourceKind::DbInstance])?;
    expect_kind("create_replica", source, &[ResourceKind::DbInstance])?;
    let opts = Options::new("create_replica", opts, &["multi_az", "instance_class"])?;
    st.execute(
        Call::CreateDbInstanceReadReplica(ops::CreateDbInstanceReadReplica {
            region: region_of(h),
            db_instance: h.0.name().to_string(),
            source_db_instance: source.0.name().to_string(),
            source_region: region_of(source),
            multi_az: opts.bool("multi_az")?.unwrap_or(false),
            instance_class: opts.string("instance_class")?,
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}
