//! `ripcord runs list` and `ripcord runs show RUN_ID`.

use crate::cli::{RunsArgs, RunsCommand};
use crate::exit::Exit;
use crate::runs_dir;
use ripcord_journal::{list_runs, read_run, render_timeline, RunStatus};

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
                for run in runs {
                    let status = run.status.map(RunStatus::as_str).unwrap_or("no end record");
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
