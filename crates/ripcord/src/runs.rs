//! `ripcord runs list` and `ripcord runs show RUN_ID`.

use crate::cli::{RunsArgs, RunsCommand};
use crate::exit::Exit;
use crate::runs_dir;
use ripcord_journal::{list_runs, read_run, render_timeline};

pub fn run(args: &RunsArgs) -> Exit {
    let dir = runs_dir::resolve(args.runs_dir.as_deref());
    match &args.command {
        RunsCommand::List => match list_runs(&dir) {
            Ok(runs) if runs.is_empty() => {
                println!("no runs in {}", dir.display());
                Exit::Ok
            }
            Ok(runs) => {
                let width = runs.iter().map(|r| r.run_id.len()).max().unwrap_or(0);
                let live = crate::run_lock::live_runs(&dir);
                for run in runs {
                    // Without an end record a run is still going (its process holds the run
                    // lock), or its process was killed: `apply --resume` goes on with it.
                    let status = match run.status {
                        Some(status) => status.as_str(),
                        None if live.contains(&run.run_id) => "in progress",
                        None if matches!(run.mode.as_str(), "apply" | "repl") => "killed",
                        None => "no end record",
                    };
                    println!(
                        "{:<width$}  {}  {:<5}  {:<13}  {:>3} steps  {}",
                        run.run_id, run.started_at, run.mode, status, run.steps, run.runbook
                    );
                }
                Exit::Ok
            }
            Err(err) => {
                eprintln!("error: {err}");
                Exit::BadInput
            }
        },
        RunsCommand::Show { run_id } => match read_run(&dir, run_id) {
            Ok(run) => {
                print!("{}", render_timeline(&run, jiff::Timestamp::now()));
                Exit::Ok
            }
            Err(err) => {
                eprintln!("error: {err}");
                Exit::BadInput
            }
        },
    }
}
