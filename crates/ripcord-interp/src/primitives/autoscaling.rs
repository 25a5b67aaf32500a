//! Auto Scaling: `scale` (of an ECS service: `ecs.rs`).

use super::{expect_kind, region_of, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::{ops, Call, Origin, ResourceKind};

/// `scale(asg, #{min, max, desired})`; `scale(ecs_service, #{desired})`.
pub fn scale(st: &mut RunState, origin: Origin, h: &Handle, opts: Map) -> Res {
    expect_kind("scale", h, &[ResourceKind::Asg, ResourceKind::EcsService])?;
    if h.kind() == ResourceKind::EcsService {
        return super::ecs::scale_service(st, origin, h, opts);
    }
    let opts = Options::new("scale", opts, &["min", "max", "desired"])?;
    let (min, max, desired) = (opts.int("min")?, opts.int("max")?, opts.int("desired")?);
    if min.is_none() && max.is_none() && desired.is_none() {
        return Err(
            Failure::invalid("`scale` needs at least one of min, max, desired")
                .with_help("e.g. scale(web, #{ min: 4, max: 10, desired: 4 })"),
        );
    }
    for (key, value) in [("min", min), ("max", max), ("desired", desired)] {
        if let Some(v) = value.filter(|v| *v < 0) {
            return Err(Failure::invalid(format!(
                "`{key}` cannot be negative ({v})"
            )));
        }
    }
    let bad = |a: Option<i64>, b: Option<i64>| matches!((a, b), (Some(a), Some(b)) if a > b);
    if bad(min, desired) || bad(desired, max) || bad(min, max) {
        return Err(Failure::invalid(format!(
            "`scale` needs min <= desired <= max, got min {}, desired {}, max {}",
            show(min),
            show(desired),
            show(max)
        ))
        .with_help("Auto Scaling rejects a desired capacity outside [min, max]"));
    }
    st.execute(
        Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
            region: region_of(h),
            auto_scaling_group_name: h.0.name().to_string(),
            min_size: min,
            max_size: max,
            desired_capacity: desired,
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

fn show(v: Option<i64>) -> String {
    v.map(|v| v.to_string())
        .unwrap_or_else(|| "(unchanged)".to_string())
}
