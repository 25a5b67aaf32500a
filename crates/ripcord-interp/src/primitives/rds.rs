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
