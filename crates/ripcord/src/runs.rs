//! `ripcord runs list`, `ripcord runs show RUN_ID` and `ripcord runs report RUN_ID`.

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
                    let status = match run.status {
                        Some(status) => status.as_str(),
                        None => unfinished(&live, &run.run_id, &run.mode),
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
        RunsCommand::Report {
            run_id,
            format,
            output,
        } => match read_run(&dir, run_id) {
            Ok(run) => {
                let unfinished = match run.status() {
                    Some(_) => None,
                    None => {
                        let mode = run.header().map(|h| h.mode.clone()).unwrap_or_default();
                        let live = crate::run_lock::live_runs(&dir);
                        Some(unfinished(&live, run_id, &mode).to_string())
                    }
                };
                crate::report::write(&run, unfinished, *format, output.as_deref())
            }
            Err(err) => {
                eprintln!("error: {err}");
                Exit::BadInput
            }
        },
    }
}

/// The status of a run without an end record: still going (its process holds the run lock),
/// or its process was killed (`apply --resume` goes on with it); a run on Step Functions
/// whose follower is gone goes on in AWS, unfollowed (`apply --resume` follows it).
fn unfinished(live: &[String], run_id: &str, mode: &str) -> &'static str {
    if live.iter().any(|id| id == run_id) {
        "in progress"
    } else if matches!(mode, "apply" | "repl") {
        "killed"
    } else if mode == crate::sfn_apply::ENGINE {
        "not followed"
    } else {
        "no end record"
    }
}
