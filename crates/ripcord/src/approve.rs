//! `ripcord approve RUN_ID [--decline]`: answers the approval gate a run on Step Functions
//! waits at, with the task token its execution published (read back from the execution's
//! history: no message needs to reach the operator first).

use crate::apply::operator;
use crate::cli::{ApproveArgs, LiveArgs};
use crate::execution_file::ExecutionFile;
use crate::exit::Exit;
use crate::follow::{approval_of, token_of};
use crate::live::{Event, StepFunctions};
use crate::{live, runs_dir};

/// A gate waiting for its answer.
struct Pending {
    step: u64,
    message: String,
    token: String,
}

pub fn run(args: &ApproveArgs) -> Exit {
    let runs = runs_dir::resolve(args.runs_dir.as_deref());
    let file = match ExecutionFile::load(&runs.join(&args.run_id)) {
        Ok(Some(file)) => file,
        Ok(None) => {
            eprintln!(
                "error: {} is not a run on Step Functions under {} (approve answers the gates of `apply --engine step-functions`; a local apply asks at its own terminal)",
                args.run_id,
                runs.display()
            );
            return Exit::BadInput;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return Exit::BadInput;
        }
    };
    let live_args = LiveArgs {
        region: Some(file.region.clone()),
        ..args.live.clone()
    };
    let backend = match live::backend(&live_args, std::slice::from_ref(&file.region)) {
        Ok(backend) => backend,
        Err(err) => {
            eprintln!("error: cannot set up the AWS clients: {err}");
            return Exit::Aws;
        }
    };
    let sfn = backend.step_functions(&file.region);
    let status = match sfn.describe(&file.execution_arn) {
        Ok(status) => status,
        // Written ahead of a start AWS has not answered, and which did not reach it.
        Err(err) if !file.started && err.code.contains("ExecutionDoesNotExist") => {
            eprintln!(
                "refused: execution {} of run {} has not started (its start was not answered, and AWS does not know it): no gate waits. `ripcord apply --resume {}` starts it.",
                file.execution_arn, args.run_id, args.run_id
            );
            return Exit::Refused;
        }
        Err(err) => {
            eprintln!(
                "error: cannot read the execution {}: {err}",
                file.execution_arn
            );
            return Exit::Aws;
        }
    };
    if !status.is_running() {
        eprintln!(
            "refused: the execution of run {} is {}: no gate waits for an answer",
            args.run_id, status.status
        );
        return Exit::Refused;
    }
    let mut pending: Vec<Pending> = Vec::new();
    for execution in file.executions() {
        // A part not started yet, or over, has no gate waiting (the run's own execution is
        // running: read above).
        if *execution != file.execution_arn
            && !sfn
                .describe(execution)
                .is_ok_and(|status| status.is_running())
        {
            continue;
        }
        match sfn.history(execution, 0) {
            Ok(events) => pending.extend(waiting(&events)),
            Err(err) => {
                eprintln!("error: cannot read the history of {execution}: {err}");
                return Exit::Aws;
            }
        }
    }
    answer_one(args, &sfn, pending)
}

/// The gates of one execution's history still waiting for their answer, in the order asked.
fn waiting(events: &[Event]) -> Vec<Pending> {
    let mut pending: Vec<Pending> = Vec::new();
    for event in events {
        if !event
            .resource
            .as_deref()
            .is_some_and(|r| r.ends_with("waitForTaskToken"))
        {
            continue;
        }
        match event.kind.as_str() {
            "TaskScheduled" => {
                let parameters = event.parameters.as_deref().unwrap_or_default();
                if let (Some((step, message)), Some(token)) =
                    (approval_of(parameters), token_of(parameters))
                {
                    pending.push(Pending {
                        step,
                        message,
                        token,
                    });
                }
            }
            // Gates answer in the order they were asked within a branch; across branches
            // the first asked is taken as the one answered (its token is spent either way).
            "TaskSucceeded" | "TaskFailed" | "TaskTimedOut" if !pending.is_empty() => {
                pending.remove(0);
            }
            _ => {}
        }
    }
    pending
}

/// Finds the gate to answer and answers it.
fn answer_one(args: &ApproveArgs, sfn: &StepFunctions, mut pending: Vec<Pending>) -> Exit {
    if let Some(step) = args.step {
        pending.retain(|p| p.step == u64::from(step));
    }
    let gate = match pending.as_slice() {
        [] => {
            eprintln!(
                "refused: no approval gate of run {} waits for an answer now{}",
                args.run_id,
                args.step
                    .map(|s| format!(" at step {s}"))
                    .unwrap_or_default()
            );
            return Exit::Refused;
        }
        [gate] => gate,
        several => {
            eprintln!(
                "error: {} gates wait at once; say which with --step:",
                several.len()
            );
            for gate in several {
                eprintln!("  --step {}: {}", gate.step, gate.message);
            }
            return Exit::Usage;
        }
    };
    let who = operator();
    let reason = args
        .reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    let (approve, cause) = if args.decline {
        (
            false,
            format!("declined by {who} (ripcord approve --decline){reason}"),
        )
    } else {
        (true, format!("{who} (ripcord approve){reason}"))
    };
    match sfn.answer(&gate.token, approve, &cause) {
        Ok(()) => {
            let verb = if approve { "approved" } else { "declined" };
            println!(
                "{verb} step {} of run {}: {}",
                gate.step, args.run_id, gate.message
            );
            Exit::Ok
        }
        Err(err) => {
            eprintln!("error: cannot answer the gate at step {}: {err}", gate.step);
            Exit::Aws
        }
    }
}
