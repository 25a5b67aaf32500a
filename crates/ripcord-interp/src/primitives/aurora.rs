//! Aurora global databases: detaching a secondary cluster, managed failover and switchover,
//! and re-establishing replication (a new global database, a new secondary, the stale former
//! primary deleted behind an approval).

use super::{expect_kind, region_of, Res};
use crate::codes;
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::{ops, Call, Origin, ResourceKind};

/// `promote(global, db_cluster)`: detach the cluster from the global database.
pub fn promote_global(st: &mut RunState, origin: Origin, global: &Handle, cluster: &Handle) -> Res {
    expect_kind("promote", global, &[ResourceKind::GlobalCluster])?;
    expect_kind("promote", cluster, &[ResourceKind::DbCluster])?;
    st.execute(
        Call::RemoveFromGlobalCluster(ops::RemoveFromGlobalCluster {
            region: region_of(cluster),
            global_cluster: global.0.name().to_string(),
            db_cluster: cluster.0.name().to_string(),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `failover_global(global, db_cluster [, #{allow_data_loss}])` and `switchover_global`.
pub fn move_global_writer(
    st: &mut RunState,
    origin: Origin,
    global: &Handle,
    cluster: &Handle,
    switchover: bool,
    opts: Map,
) -> Res {
    let primitive = if switchover {
        "switchover_global"
    } else {
        "failover_global"
    };
    expect_kind(primitive, global, &[ResourceKind::GlobalCluster])?;
    expect_kind(primitive, cluster, &[ResourceKind::DbCluster])?;
    let (region, global_cluster, target) = (
        region_of(cluster),
        global.0.name().to_string(),
        cluster.0.name().to_string(),
    );
    let call = if switchover {
        Options::new(primitive, opts, &[])?;
        Call::SwitchoverGlobalCluster(ops::SwitchoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster: target,
        })
    } else {
        let opts = Options::new(primitive, opts, &["allow_data_loss"])?;
        Call::FailoverGlobalCluster(ops::FailoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster: target,
            allow_data_loss: opts.bool("allow_data_loss")?.unwrap_or(false),
        })
    };
    st.execute(call, origin)?;
    Ok(Dynamic::UNIT)
}

/// `create_global(global, db_cluster)`: a new global database whose writer is the cluster (the
/// promoted DR cluster, after a failover), sent to the cluster's region.
pub fn create_global(st: &mut RunState, origin: Origin, global: &Handle, cluster: &Handle) -> Res {
    expect_kind("create_global", global, &[ResourceKind::GlobalCluster])?;
    expect_kind("create_global", cluster, &[ResourceKind::DbCluster])?;
    st.execute(
        Call::CreateGlobalCluster(ops::CreateGlobalCluster {
            region: region_of(cluster),
            global_cluster_identifier: global.0.name().to_string(),
            source_db_cluster: cluster.0.name().to_string(),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `delete_global(global, region)`: deletes a global database with no member left, sent to
/// `region` (global databases are account-wide: any region that answers).
pub fn delete_global(st: &mut RunState, origin: Origin, global: &Handle, region: &str) -> Res {
    expect_kind("delete_global", global, &[ResourceKind::GlobalCluster])?;
    super::check_region_name(region)?;
    st.execute(
        Call::DeleteGlobalCluster(ops::DeleteGlobalCluster {
            region: region.to_string(),
            global_cluster_identifier: global.0.name().to_string(),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `delete_cluster(db_cluster, final_snapshot_id)`: deletes a DB cluster after a final snapshot
/// (ripcord never skips it), and only after an `approve` earlier in the run.
pub fn delete_cluster(
    st: &mut RunState,
    origin: Origin,
    cluster: &Handle,
    final_snapshot: &str,
) -> Res {
    expect_kind("delete_cluster", cluster, &[ResourceKind::DbCluster])?;
    if final_snapshot.trim().is_empty() {
        return Err(Failure::invalid(
            "`delete_cluster` needs the id of its final snapshot: ripcord never deletes a cluster without one",
        )
        .with_help(format!(
            "delete_cluster({cluster}, \"{}-final\")",
            cluster.0.name()
        )));
    }
    if !st.approved() {
        return Err(Failure::invalid(format!(
            "`delete_cluster` of {cluster} needs an approval earlier in the run: deleting a cluster is not undone"
        ))
        .with_code(codes::UNAPPROVED)
        .with_help(format!(
            "approve(\"Delete {} (final snapshot {final_snapshot})?\"); before it",
            cluster.0.name()
        )));
    }
    st.execute(
        Call::DeleteDbCluster(ops::DeleteDbCluster {
            region: region_of(cluster),
            db_cluster: cluster.0.name().to_string(),
            final_snapshot: final_snapshot.to_string(),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `create_secondary(global, db_cluster)`: creates the cluster, in its handle's region, as a
/// secondary of the global database, with the global database's engine (read from the world).
pub fn create_secondary(
    st: &mut RunState,
    origin: Origin,
    global: &Handle,
    cluster: &Handle,
) -> Res {
    expect_kind("create_secondary", global, &[ResourceKind::GlobalCluster])?;
    expect_kind("create_secondary", cluster, &[ResourceKind::DbCluster])?;
    let description = st.query(ripcord_core::Query::Describe {
        target: global.0.clone(),
    })?;
    let Some(description) = description else {
        return Err(Failure::invalid(format!("{global} does not exist"))
            .with_code(codes::NOT_FOUND)
            .with_help("make it first: create_global(global, writer_cluster)"));
    };
    let text = |field: &str| {
        description
            .get(field)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    let Some(engine) = text("engine") else {
        return Err(Failure::invalid(format!(
            "the description of {global} has no engine"
        )));
    };
    st.execute(
        Call::CreateDbCluster(ops::CreateDbCluster {
            region: region_of(cluster),
            db_cluster: cluster.0.name().to_string(),
            global_cluster_identifier: global.0.name().to_string(),
            engine,
            engine_version: text("engine_version"),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `add_instance(db_cluster, id [, #{instance_class}])`: an instance of the Aurora cluster,
/// with the cluster's engine (read from the world); `db.r6g.large` unless a class is given.
pub fn add_instance(
    st: &mut RunState,
    origin: Origin,
    cluster: &Handle,
    id: &str,
    opts: Map,
) -> Res {
    expect_kind("add_instance", cluster, &[ResourceKind::DbCluster])?;
    let opts = Options::new("add_instance", opts, &["instance_class"])?;
    if id.trim().is_empty() {
        return Err(Failure::invalid(
            "`add_instance` needs the new instance's id",
        ));
    }
    let description = st.query(ripcord_core::Query::Describe {
        target: cluster.0.clone(),
    })?;
    let engine = description
        .as_ref()
        .and_then(|d| d.get("engine"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let Some(engine) = engine else {
        return Err(Failure::invalid(format!("{cluster} does not exist"))
            .with_code(codes::NOT_FOUND)
            .with_help("create it first: create_secondary(global, cluster)"));
    };
    st.execute(
        Call::CreateDbInstance(ops::CreateDbInstance {
            region: region_of(cluster),
            db_instance: id.to_string(),
            db_cluster: cluster.0.name().to_string(),
            engine,
            instance_class: opts
                .string("instance_class")?
                .unwrap_or_else(|| "db.r6g.large".to_string()),
        }),
        origin,
    )?;
    Ok(Dynamic::from(crate::handle::Handle(
        ripcord_core::Target::DbInstance {
            name: id.to_string(),
            region: region_of(cluster),
        },
    )))
}
