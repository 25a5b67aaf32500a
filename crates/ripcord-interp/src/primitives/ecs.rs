//! ECS: a service's desired count (`scale` of an `ecs_service` handle).

use super::{expect_kind, region_of, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::{ops, Call, Origin, ResourceKind, Target};

/// `scale(ecs_service, #{ desired })`: UpdateService of the desired count. A service has no
/// minimum or maximum of its own (those belong to Application Auto Scaling).
pub fn scale_service(st: &mut RunState, origin: Origin, h: &Handle, opts: Map) -> Res {
    expect_kind("scale", h, &[ResourceKind::EcsService])?;
    let opts = Options::new("scale", opts, &["min", "max", "desired"])?;
    if opts.int("min")?.is_some() || opts.int("max")?.is_some() {
        return Err(Failure::invalid(
            "an ECS service has only a desired count: `min` and `max` are for Auto Scaling groups",
        )
        .with_help("scale(svc, #{ desired: 4 })"));
    }
    let Some(desired) = opts.int("desired")? else {
        return Err(
            Failure::invalid("`scale` of an ECS service needs `desired`")
                .with_help("scale(svc, #{ desired: 4 })"),
        );
    };
    if desired < 0 {
        return Err(Failure::invalid(format!(
            "`desired` cannot be negative ({desired})"
        )));
    }
    let Target::EcsService { cluster, name, .. } = &h.0 else {
        return Err(Failure::invalid("`scale` takes an ecs_service handle"));
    };
    st.execute(
        Call::UpdateService(ops::UpdateService {
            region: region_of(h),
            cluster: cluster.clone(),
            service: name.clone(),
            desired_count: desired,
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}
