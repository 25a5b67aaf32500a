//! Aurora global databases: detaching a secondary cluster, managed failover and switchover.

use super::{expect_kind, region_of, Res};
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
