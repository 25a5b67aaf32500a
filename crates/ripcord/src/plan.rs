//! `ripcord plan`: dry-run the runbook against its inventory and render the plan.

use crate::cli::{ColorChoice, Format, PlanArgs};
use crate::exit::Exit;
use crate::output::{color_for_stdout, report};
use crate::world_file::{self, Loaded};
use crate::{outage, prepare};
use ripcord_core::render::{self, TextStyle};
use ripcord_core::{Comparison, Plan};

pub fn run(args: &PlanArgs, color: ColorChoice) -> Exit {
    if let Some(run_id) = &args.inverse {
        return crate::inverse::run(args, run_id, color);
    }
    let path = crate::inverse::runbook_of(args);
    let (mut interpreter, runbook) = match prepare::runbook(&path) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let Loaded {
        mut inventory,
        mut info,
        ..
    } = match world_file::load(&path, args.inventory.as_deref()) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    if let Err(exit) = outage::apply(&args.outage, &mut inventory, &mut info) {
        return exit;
    }

    let quotas = match crate::quotas::load(args.quotas.quotas.as_deref()) {
        Ok(quotas) => quotas,
        Err(exit) => return exit,
    };
    let sim = crate::quotas::sim(inventory, &quotas);
    let mut inventory_warnings = 0;
    for key in sim.unknown_estimate_keys() {
        inventory_warnings += 1;
        eprintln!(
            "warning: {}: `estimates.{key}` is not an estimate the simulation uses (docs/simulation.md lists them)",
            info.path
        );
    }
    let base = match args
        .compare
        .as_deref()
        .map(|path| crate::reviewed::load(path, "base plan"))
        .transpose()
    {
        Ok(base) => base,
        Err(exit) => return exit,
    };
    let result = interpreter.run(&runbook, Box::new(sim), Some(info));
    let comparison = base.map(|base| Comparison::between(&base, &result.plan));
    let rendered = match (&comparison, args.format) {
        (Some(c), Format::Text) => render::comparison_text(c),
        (Some(c), Format::Json) => render::comparison_json(c),
        (Some(c), Format::Markdown) => render::comparison_markdown(c),
        (None, format) => match format {
            Format::Text => render::text(
                &result.plan,
                &TextStyle {
                    color: args.output.is_none() && color_for_stdout(color),
                    summary_only: args.summary,
                },
            ),
            Format::Json => render::json(&result.plan),
            Format::Markdown => render::markdown(&result.plan),
        },
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, rendered).map_err(|e| (path.display().to_string(), e)),
        None => {
            print!("{rendered}");
            Ok(())
        }
    };
    if let Err((path, err)) = written {
        eprintln!("error: cannot write {path}: {err}");
        return Exit::BadInput;
    }
    if let Some(path) = &args.end_state {
        let world = result.backend.as_ref().and_then(|b| b.world());
        let text = world.map(|w| serde_json::to_string_pretty(&w));
        match text {
            Some(Ok(text)) => {
                if let Err(exit) = crate::output::write_file(path, &(text + "\n")) {
                    return exit;
                }
            }
            _ => {
                eprintln!("error: the simulated world could not be exported");
                return Exit::BadInput;
            }
        }
    }
    if let Some(err) = result.error {
        report(err);
        return Exit::RunbookFailed;
    }
    gate(&result.plan, inventory_warnings, args.fail_on_warnings)
}

/// The CI gates (README, "Exit codes"): a plan over its RTO exits 7; with
/// `--fail-on-warnings`, one with warnings exits 8.
fn gate(plan: &Plan, inventory_warnings: usize, fail_on_warnings: bool) -> Exit {
    if let Some(by) = plan.rto_exceeded_by() {
        eprintln!(
            "error: the estimated total exceeds the runbook's RTO by {} (exit 7)",
            ripcord_core::duration::format_duration(by)
        );
        return Exit::RtoExceeded;
    }
    let warnings = plan.warning_count() + inventory_warnings;
    if fail_on_warnings && warnings > 0 {
        eprintln!(
            "error: the plan has {warnings} warning(s) and --fail-on-warnings is set (exit 8)"
        );
        return Exit::Warnings;
    }
    Exit::Ok
}
