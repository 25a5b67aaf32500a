//! Auto Scaling: UpdateAutoScalingGroup, with AWS's size rules and instances launching over time.

use super::{Apply, Cx};
use crate::backend::SimBackend;
use crate::estimates::Est;
use crate::render::diff;
use crate::state::AsgPending;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome, Target};

/// The sizes a call sets; `None` leaves one as AWS would.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub desired: Option<i64>,
}

fn update(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    name: &str,
    sizes: Sizes,
) -> Result<Outcome, BackendError> {
    let target = Target::Asg {
        name: name.to_string(),
        region: region.to_string(),
    };
    for (parameter, value) in [
        ("minSize", sizes.min),
        ("maxSize", sizes.max),
        ("desiredCapacity", sizes.desired),
    ] {
        if let Some(value) = value.filter(|v| *v < 0) {
            return Err(cx
                .op
                .rejected(
                    "ValidationError",
                    format!(
                        "1 validation error detected: Value '{value}' at '{parameter}' failed to satisfy constraint: Member must have value greater than or equal to 0"
                    ),
                )
                .with_help("sizes are 0 or more"));
        }
    }
    let (ri, ai) = sim.world.locate(cx.op, &target, cx.now)?;
    let group = sim.world.regions.at(ri).asgs.at(ai);
    let current = &group.item;
    let min = sizes.min.unwrap_or(current.min_size);
    let max = sizes.max.unwrap_or(current.max_size);
    if min > max {
        return Err(cx
            .op
            .rejected(
                "ValidationError",
                format!("Max bound, {max}, must be greater than or equal to min bound, {min}"),
            )
            .with_help(format!(
                "'{name}' would have min {min} and max {max}; set both so that min <= max"
            )));
    }
    let mut warnings = Vec::new();
    let desired = match sizes.desired {
        Some(desired) if desired < min || desired > max => {
            return Err(cx
                .op
                .rejected(
                    "ValidationError",
                    format!(
                        "Desired capacity:{desired} must be between the specified min size:{min} and max size:{max}"
                    ),
                )
                .with_help(format!(
                    "valid range for '{name}': {min}..={max}; raise max (or lower min) in the same scale() call to go beyond it"
                )))
        }
        Some(desired) => desired,
        None => {
            // AWS moves DesiredCapacity into a new [min, max] when the call does not set it.
            let clamped = current.desired_capacity.clamp(min, max);
            if clamped != current.desired_capacity {
                warnings.push(format!(
                    "DesiredCapacity moves from {} to {clamped} because it is outside the new min/max (AWS does this when DesiredCapacity is not given)",
                    current.desired_capacity
                ));
            }
            clamped
        }
    };
    let in_service = group.in_service(cx.now);
    let launching_until = group.active(cx.now).map(|p| p.until);
    let mut changes = Vec::new();
    let text = |n: i64| Some(n.to_string());
    diff(&mut changes, "MinSize", text(current.min_size), text(min));
    diff(&mut changes, "MaxSize", text(current.max_size), text(max));
    diff(
        &mut changes,
        "DesiredCapacity",
        text(current.desired_capacity),
        text(desired),
    );
    // Instances already launching keep their schedule unless more are asked for.
    let until = match launching_until {
        Some(until) if desired <= current.desired_capacity => until,
        _ => cx.done.saturating_add(sim.estimates.get(Est::AsgInService)),
    };
    let group = sim.world.regions.at_mut(ri).asgs.at_mut(ai);
    group.item.min_size = min;
    group.item.max_size = max;
    group.item.desired_capacity = desired;
    // Scaling in takes instances out of service at once; scaling out waits for new ones to
    // boot and pass health checks.
    group.pending = (in_service < desired).then_some(AsgPending { until, in_service });
    Ok(Outcome {
        changes,
        warnings,
        ..Outcome::default()
    })
}

impl Apply for ops::UpdateAutoScalingGroup {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        update(
            sim,
            cx,
            &self.region,
            &self.auto_scaling_group_name,
            Sizes {
                min: self.min_size,
                max: self.max_size,
                desired: self.desired_capacity,
            },
        )
    }
}
