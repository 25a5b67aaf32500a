//! The inverse runbook (`ripcord plan --inverse`): the e-commerce failover, undone, puts back
//! every size, flag and record it changed, and lists what no call undoes.

use ripcord_core::{Backend, Inventory, Query, StepKind};
use ripcord_interp::{Interpreter, InverseRunbook, UndoneStep};
use ripcord_sim::SimBackend;
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `source` against `world`; the plan's calls and the world after.
fn run(name: &str, source: &str, world: Inventory) -> (Vec<String>, Inventory, Vec<String>) {
    let mut interp = Interpreter::new(name);
    let runbook = interp
        .compile(source)
        .unwrap_or_else(|e| panic!("{e}: {}\n{source}", e.location()));
    let sim = SimBackend::new(world);
    let result = interp.run(&runbook, Box::new(sim), None);
    if let Some(err) = &result.error {
        panic!(
            "{} {} at {}\n{source}",
            err.code,
            err.message,
            err.location()
        );
    }
    let operations = result
        .plan
        .steps()
        .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
        .map(|s| s.operation.clone())
        .collect();
    let warnings = result
        .plan
        .steps()
        .flat_map(|s| s.warnings.clone())
        .collect();
    let world = result
        .backend
        .as_ref()
        .and_then(|b| b.world())
        .expect("the run's end world");
    (operations, world, warnings)
}

#[test]
fn the_failover_undone_restores_what_it_changed_and_lists_the_rest() {
    let path = workspace().join("runbooks/ecommerce/failover.rhai");
    let source = std::fs::read_to_string(&path).unwrap();
    let start = Inventory::load(&workspace().join("runbooks/ecommerce/inventory.yaml"))
        .unwrap()
        .0;
    let mut interp = Interpreter::new("failover.rhai");
    let runbook = interp.compile(&source).unwrap();
    let result = interp.run(&runbook, Box::new(SimBackend::new(start.clone())), None);
    assert!(result.error.is_none(), "{:?}", result.error);
    let end = result
        .backend
        .as_ref()
        .and_then(|b| b.world())
        .expect("the failover's end world");

    // Backend::query takes `&mut`; the operations read the world through a `Fn`.
    let before = std::cell::RefCell::new(SimBackend::new(start.clone()));
    let steps: Vec<UndoneStep> = result
        .plan
        .steps()
        .filter_map(|s| match &s.kind {
            StepKind::Call { call } => Some((s.index, call.clone())),
            _ => None,
        })
        .map(|(index, call)| {
            let inverse = call.inverse(&|target| {
                before
                    .borrow_mut()
                    .query(&Query::Describe {
                        target: target.clone(),
                    })
                    .ok()
                    .flatten()
            });
            UndoneStep {
                label: format!("step {index} {} {}", call.operation(), call.target()),
                inverse: inverse.with_world(&start),
            }
        })
        .collect();
    let inverse = InverseRunbook::new(
        "20261202T000000Z-failover",
        &result.plan.runbook.meta,
        &steps,
    );
    // Sizes and the health check come back, the detached database is rebuilt (its global
    // database made anew, the old writer again); the notification is not taken back.
    assert_eq!(inverse.irreversible, 1, "{}", inverse.source);
    let (operations, back, warnings) = run("inverse.rhai", &inverse.source, end);
    for operation in [
        "UpdateAutoScalingGroup",
        "UpdateHealthCheck",
        "CreateGlobalCluster",
        "CreateDBCluster",
        "SwitchoverGlobalCluster",
    ] {
        assert!(
            operations.iter().any(|o| o == operation),
            "{operation}: {operations:?}\n{}",
            inverse.source
        );
    }
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("Publish")));
    let members = |world: &Inventory| -> Vec<(String, String, bool)> {
        let mut m: Vec<_> = world
            .global_clusters
            .iter()
            .flat_map(|g| {
                g.members
                    .iter()
                    .map(|m| (m.cluster.clone(), m.region.clone(), m.writer))
            })
            .collect();
        m.sort();
        m
    };
    assert_eq!(members(&back), members(&start), "{}", inverse.source);
    for region in ["us-east-1", "us-west-2"] {
        assert_eq!(
            back.regions[region].auto_scaling_groups, start.regions[region].auto_scaling_groups,
            "{region}"
        );
    }
    assert_eq!(back.health_checks, start.health_checks);
}
