//! ECS: UpdateService of a service's desired count, with tasks starting over time (as an Auto
//! Scaling group's instances do).

use super::{Apply, Cx};
use crate::backend::SimBackend;
use crate::estimates::Est;
use crate::render::diff;
use crate::state::EcsPending;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome, Target};

fn update_service(
    sim: &mut SimBackend,
    cx: Cx,
    req: &ops::UpdateService,
) -> Result<Outcome, BackendError> {
    // A request's parameters are validated before ECS looks the service up.
    if req.desired_count < 0 {
        return Err(cx
            .op
            .rejected(
                "InvalidParameterException",
                format!(
                    "Invalid desiredCount: {}. The desired count must be greater than or equal to 0.",
                    req.desired_count
                ),
            )
            .with_help("a desired count is 0 or more"));
    }
    let target = Target::EcsService {
        cluster: req.cluster.clone(),
        name: req.service.clone(),
        region: req.region.clone(),
    };
    let (ri, si) = sim.world.ecs_service(cx.op, &target)?;
    let service = sim.world.regions.at(ri).ecs_services.at(si);
    let current = service.item.desired_count;
    let desired = req.desired_count;
    let running = service.running(cx.now);
    let starting_until = service.active(cx.now).map(|p| p.until);
    let mut changes = Vec::new();
    diff(
        &mut changes,
        "DesiredCount",
        Some(current.to_string()),
        Some(desired.to_string()),
    );
    // Tasks already starting keep their schedule unless more are asked for.
    let until = match starting_until {
        Some(until) if desired <= current => until,
        _ => cx.done.saturating_add(sim.estimates.get(Est::EcsSteady)),
    };
    let service = sim.world.regions.at_mut(ri).ecs_services.at_mut(si);
    service.item.desired_count = desired;
    // Scaling in stops tasks at once; scaling out waits for new ones to be placed and start.
    service.pending = (running < desired).then_some(EcsPending { until, running });
    let resolved = [
        (&req.cluster, &service.item.cluster),
        (&req.service, &service.item.name),
    ]
    .into_iter()
    .any(|(given, name)| given != name)
    .then(|| format!("{}/{}", service.item.cluster, service.item.name));
    Ok(Outcome {
        resolved,
        changes,
        ..Outcome::default()
    })
}

impl Apply for ops::UpdateService {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        update_service(sim, cx, self)
    }
}
