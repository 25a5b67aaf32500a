//! `ripcord plan --inverse RUN_ID`: the plan that undoes a run, for review.
//!
//! From the run's journal and the world it captured before it started (`inventory.json` in
//! the run's directory): the world after it (the simulation adopting each journaled
//! outcome), each step's inverse from what the world held before
//! (`ripcord_core::Operation::inverse`), and the runbook of those calls
//! (`ripcord_interp::InverseRunbook`), written beside the journal as `inverse.rhai` with the
//! world after as `inverse.inventory.json`, then planned like any runbook. Nothing is sent:
//! applying it is `ripcord apply RUNS_DIR/RUN_ID/inverse.rhai`, after review.

use crate::cli::{ColorChoice, PlanArgs};
use crate::exit::Exit;
use ripcord_core::{Backend, Intent, Inventory, Query};
use ripcord_interp::{InverseRunbook, UndoneStep};
use ripcord_sim::SimBackend;
use std::cell::RefCell;
use std::path::PathBuf;

pub fn run(args: &PlanArgs, run_id: &str, color: ColorChoice) -> Exit {
    let runs = crate::runs_dir::resolve(args.runs_dir.as_deref());
    let run = match ripcord_journal::read_run(&runs, run_id) {
        Ok(run) => run,
        Err(err) => {
            eprintln!("error: {err}");
            return Exit::BadInput;
        }
    };
    let Some(header) = run.header().cloned() else {
        eprintln!("error: run {run_id} has no header record: it cannot be undone from its journal");
        return Exit::BadInput;
    };
    let captured = run.dir.join(&header.inventory_file);
    let start = match Inventory::load(&captured) {
        Ok((inventory, _)) => inventory,
        Err(err) => {
            eprintln!(
                "error: the world run {run_id} started from ({}) cannot be read: {err}",
                captured.display()
            );
            return Exit::BadInput;
        }
    };

    // The world after the run: the simulation follows each step as it was carried out.
    let mut after = SimBackend::new(start.clone());
    // Backend::query takes `&mut`; the operations read the world before through a `Fn`.
    let before = RefCell::new(SimBackend::new(start.clone()));
    let mut steps = Vec::new();
    for step in run.steps() {
        let Some(outcome) = step.outcome() else {
            continue;
        };
        match &step.intent {
            Intent::Call { call } => {
                if let Err(err) = after.adopt(call, &outcome) {
                    eprintln!(
                        "warning: the simulation cannot follow step {} ({}): {}; the world after the run may differ from AWS's",
                        step.seq,
                        call.operation(),
                        err.message
                    );
                }
                let inverse = call.inverse(&|target| {
                    before
                        .borrow_mut()
                        .query(&Query::Describe {
                            target: target.clone(),
                        })
                        .ok()
                        .flatten()
                });
                steps.push(UndoneStep {
                    label: format!("step {} {} {}", step.seq, call.operation(), call.target()),
                    inverse: inverse.with_world(&start),
                });
            }
            Intent::Wait { wait } => {
                // A wait that held live holds here; its failure would only mean the estimate
                // differs, which changes nothing to undo.
                let _ = after.adopt_wait(wait);
            }
            Intent::Check { .. } | Intent::Approval { .. } => {}
        }
    }
    let world = after.world();
    let inverse = InverseRunbook::new(run_id, &header.meta, &steps);
    let runbook = run.dir.join("inverse.rhai");
    let inventory = run.dir.join("inverse.inventory.json");
    let world = match serde_json::to_string_pretty(&world) {
        Ok(text) => text + "\n",
        Err(err) => {
            eprintln!("error: the world after the run cannot be written: {err}");
            return Exit::BadInput;
        }
    };
    for (path, text) in [(&runbook, &inverse.source), (&inventory, &world)] {
        if let Err(exit) = crate::output::write_file(path, text) {
            return exit;
        }
    }
    eprintln!(
        "inverse of run {run_id}: {} call(s), {} step(s) no call undoes; written to {} (the world after the run: {}). Review it; `ripcord apply {}` carries it out.",
        inverse.calls,
        inverse.irreversible,
        runbook.display(),
        inventory.display(),
        runbook.display()
    );
    let planned = PlanArgs {
        runbook: Some(runbook),
        inventory: Some(inventory),
        inverse: None,
        runs_dir: None,
        ..args.clone()
    };
    crate::plan::run(&planned, color)
}

/// The runbook `plan` plans: the one given, or none with `--inverse` (checked by clap).
pub fn runbook_of(args: &PlanArgs) -> PathBuf {
    args.runbook.clone().unwrap_or_default()
}
