//! `ripcord apply`: guard, capture, plan, confirm, execute with a journal, report.

use crate::cli::{ApplyArgs, ColorChoice, Engine};
use crate::execution_file::ExecutionFile;
use crate::exit::Exit;
use crate::output::{color_for_stdout, report};
use crate::progress::Progress;
use crate::run_lock::RunLock;
use crate::{guard, live, prepare, resume, reviewed, runs_dir, sfn_apply, signals};
use ripcord_core::render::{self, TextStyle};
use ripcord_core::{Inventory, RunbookMeta, StepKind};
use ripcord_interp::{HookDecision, Interpreter, Runbook};
use ripcord_journal::{
    read_run, render_timeline, JournalWriter, Replay, Resumed, RunHeader, RunStatus,
};
use ripcord_sim::SimBackend;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub fn run(args: &ApplyArgs, color: ColorChoice) -> Exit {
    if args.auto_approve {
        eprintln!(
            "error: --auto-approve is now --approve-gates: it approves every approve() gate of the runbook, more than Terraform's --auto-approve, which only skips the confirmation (ripcord's --yes). Pass --yes to skip the confirmation, --approve-gates to approve the gates, or both."
        );
        return Exit::Usage;
    }
    let runs = runs_dir::resolve(args.runs_dir.as_deref());
    // A run on Step Functions is resumed by following its execution again.
    if let Some(id) = &args.resume {
        match ExecutionFile::load(&runs.join(id)) {
            Ok(Some(file)) => return sfn_apply::resume(&runs, id, file, args),
            Ok(None) => {}
            Err(err) => {
                eprintln!("error: {err}");
                return Exit::BadInput;
            }
        }
    }
    // A resumed run: its journal, and its runbook unless the command line names it.
    let earlier = match &args.resume {
        Some(id) => match resume::resumable(&runs, id, args.runbook.as_deref()) {
            Ok(found) => Some(found),
            Err(exit) => return exit,
        },
        None => None,
    };
    let reviewed = match args
        .plan
        .as_deref()
        .map(|p| reviewed::load(p, "reviewed plan"))
    {
        Some(Ok(plan)) => Some(plan),
        Some(Err(exit)) => return exit,
        None => None,
    };
    let quotas = match crate::quotas::load(args.quotas.quotas.as_deref()) {
        Ok(quotas) => quotas,
        Err(exit) => return exit,
    };
    let runbook_path = match (&earlier, &args.runbook, &reviewed) {
        (Some((_, recorded)), _, _) => recorded.clone(),
        (None, Some(path), _) => path.clone(),
        (None, None, Some(plan)) => std::path::PathBuf::from(&plan.runbook.path),
        // clap requires one of the three.
        (None, None, None) => return Exit::BadInput,
    };
    let earlier = earlier.map(|(run, _)| run);
    let (mut interpreter, runbook) = match prepare::runbook(&runbook_path) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let meta = declared_meta(&mut interpreter, &runbook);
    if let Some(plan) = &reviewed {
        if let Err(exit) = reviewed::same_runbook(plan, &runbook.file, &runbook.sha256) {
            return exit;
        }
    }
    if let Some(run) = &earlier {
        if let Err(changed) = resume::unchanged(run, &runbook.sha256, &meta) {
            eprintln!("refused: cannot resume: {changed}. Start a new run instead (ripcord apply {}). Nothing was sent.", runbook.file);
            return Exit::Refused;
        }
    }
    let regions = if meta.regions.is_empty() {
        args.regions.clone()
    } else {
        meta.regions.clone()
    };
    if regions.is_empty() {
        eprintln!(
            "error: {} declares no regions: add `regions: [...]` to runbook(#{{...}}) or pass --regions",
            runbook.file
        );
        return Exit::BadInput;
    }

    let mut live = match live::backend(&args.live, &regions) {
        Ok(live) => live,
        Err(err) => {
            eprintln!("error: cannot set up the AWS clients: {err}");
            return Exit::Aws;
        }
    };
    live.set_quotas(quotas.clone());

    // The account guard comes before any other request; then plan against the live state,
    // exactly as `plan` would against this capture.
    let captured = match guard::guard_and_capture(&mut live, &runbook.file, &meta, &regions) {
        Ok(captured) => captured,
        Err(exit) => return exit,
    };
    let (mut inventory, inventory_json, info) = (captured.inventory, captured.json, captured.info);
    let account = captured.account;
    // The reviewed plan's clock: what a runbook formats from `now()` in the dry-run is then
    // what the reviewer read, and only a real change tells the two plans apart.
    if let Some(at) = reviewed
        .as_ref()
        .and_then(|plan| plan.inventory.as_ref())
        .and_then(|info| info.captured_at.parse().ok())
    {
        inventory.captured_at = at;
    }

    let planned = match &earlier {
        None => interpreter.run(
            &runbook,
            Box::new(crate::quotas::sim(inventory, &quotas)),
            Some(info.clone()),
        ),
        Some(run) => {
            let id = run.header().map(|h| h.run_id.as_str()).unwrap_or("?");
            eprintln!("resuming run {id}: the steps journaled as done are not sent again");
            let mut replay =
                Replay::resuming(Box::new(crate::quotas::sim(inventory, &quotas)), None, run);
            replay.set_reporter(Box::new(|event| {
                if let Resumed::Replayed(label) = event {
                    eprintln!("  ↺ done in the earlier run: {label}");
                }
            }));
            interpreter.run(&runbook, Box::new(replay), Some(info.clone()))
        }
    };
    print!(
        "{}",
        render::text(
            &planned.plan,
            &TextStyle {
                color: color_for_stdout(color),
                summary_only: false,
            },
        )
    );
    if let Some(err) = planned.error {
        // An outage is the day this tool is for: the steps before the one that cannot be
        // answered are worth running (scale the standby, promote its database), and the run
        // stops where the plan says unless the endpoint answers by then. Any other failure
        // of the dry-run would fail live too: nothing is sent.
        if err.code != ripcord_interp::codes::UNREACHABLE {
            report(err);
            eprintln!("the dry-run against the live state fails: nothing was sent");
            return Exit::RunbookFailed;
        }
        eprintln!(
            "warning: the plan stops at {}: {}\n  apply runs the steps before it and stops there, unless it answers by then.",
            err.location(),
            err.message
        );
    }
    if let Some(run) = &earlier {
        if let Err(exit) = check_drift(run, &runbook, &mut interpreter, &planned.plan, args) {
            return exit;
        }
    }
    if let (Some(plan), Some(path)) = (&reviewed, &args.plan) {
        let moved = reviewed::stale(plan, &planned.plan);
        if !moved.is_empty() {
            eprintln!(
                "refused: the reviewed plan {} is stale: the dry-run against the live state now differs from it:",
                path.display()
            );
            for line in &moved {
                eprintln!("  {line}");
            }
            eprintln!(
                "Plan and review it again (ripcord plan {} --compare {}). Nothing was sent.",
                runbook.file,
                path.display()
            );
            return Exit::StalePlan;
        }
        eprintln!(
            "the dry-run against the live state is the reviewed plan {}: same steps, arguments and state",
            path.display()
        );
    }
    let deployment = match (&args.engine, &args.plan) {
        (Some(Engine::StepFunctions), Some(path)) => match sfn_apply::deployment(&live, path, args)
        {
            Ok(deployment) => Some(deployment),
            Err(exit) => return exit,
        },
        _ => None,
    };
    let planned_steps = planned
        .plan
        .steps()
        .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
        .count();

    if !args.yes {
        if !std::io::stdin().is_terminal() {
            eprintln!("refused: no terminal to confirm on; pass --yes to apply without asking. Nothing was sent.");
            return Exit::Refused;
        }
        let question = format!(
            "Apply these {planned_steps} steps to account {}? Type yes to go on: ",
            account
        );
        if !ask(&question) {
            eprintln!("not applied. Nothing was sent.");
            return Exit::Refused;
        }
    }

    // One live run of a runbook per account and run directory at a time, taken once the
    // operator said yes (a refused plan leaves no trace) and before anything is sent.
    let run_id = match &earlier {
        Some(run) => run.header().map(|h| h.run_id.clone()).unwrap_or_default(),
        None => self::run_id(&meta, &runbook),
    };
    let lock_name = lock_name(&meta, &runbook.file);
    let _lock = match RunLock::acquire(&runs, &account, &lock_name, &run_id) {
        Ok((lock, stale)) => {
            if let Some(stale) = stale {
                eprintln!(
                    "warning: took over the run lock {} of a process that is gone ({stale})",
                    lock.path().display()
                );
            }
            lock
        }
        Err(err) => {
            eprintln!("refused: {err}. Nothing was sent.");
            return Exit::Refused;
        }
    };

    let journal = match &earlier {
        Some(_) => JournalWriter::reopen(&runs, &run_id),
        None => JournalWriter::create(
            &runs,
            RunHeader {
                run_id: run_id.clone(),
                mode: if deployment.is_some() {
                    sfn_apply::ENGINE.to_string()
                } else {
                    "apply".to_string()
                },
                runbook_path: runbook.file.clone(),
                runbook_sha256: runbook.sha256.clone(),
                meta: meta.clone(),
                inventory_file: "inventory.json".to_string(),
                inventory_sha256: info.sha256.clone(),
                account: Some(account.clone()),
                ripcord_version: env!("CARGO_PKG_VERSION").to_string(),
            },
            &inventory_json,
        ),
    };
    let journal = match journal {
        Ok(journal) => Arc::new(journal),
        Err(err) => {
            eprintln!("error: cannot write the run journal: {err}. Nothing was sent.");
            return Exit::BadInput;
        }
    };
    let run_id = journal.run_id();
    eprintln!("run {run_id} (journal {})", journal.dir().display());
    if let (Some(deployment), Some(plan), Some(path)) = (&deployment, &reviewed, &args.plan) {
        let hint = sfn_apply::resume_hint(&run_id, args.runs_dir.as_deref());
        return sfn_apply::run(&live, deployment, plan, path, journal, meta.rto_secs, &hint);
    }
    live.set_run_id(&run_id);
    live.set_journal(Arc::new(Progress::new(journal.clone())));
    let cancel = live.cancel_flag();
    let approve_gates = args.approve_gates;
    let refused = Arc::new(AtomicBool::new(false));
    let refusal = refused.clone();
    let at_prompt = cancel.clone();
    live.set_approver(Box::new(move |message: &str| {
        let answer = approve(message, approve_gates, &at_prompt);
        refusal.store(answer.is_err(), Ordering::SeqCst);
        answer
    }));

    let on_signal = cancel.clone();
    // A second handler cannot be installed in one process; apply installs it once.
    let _ = ctrlc::set_handler(move || {
        if !on_signal.swap(true, Ordering::SeqCst) {
            eprintln!(
                "\ncancelling: a running wait or approval prompt stops and no further request is sent"
            );
        }
    });
    let interrupted = signals::install(cancel.clone());
    let stop_check = cancel.clone();
    interpreter.set_step_hook(Some(Box::new(move |_| {
        if stop_check.load(Ordering::SeqCst) {
            HookDecision::Stop
        } else {
            HookDecision::Run
        }
    })));

    // The RTO clock of a resumed run keeps the run's first start.
    let first_start = earlier
        .as_ref()
        .and_then(|run| run.records.first())
        .and_then(|r| r.at.parse::<jiff::Timestamp>().ok());
    let backend = match &earlier {
        None => Replay::recording(Box::new(live), Some(journal.clone())),
        Some(run) => {
            let mut replay = Replay::resuming(Box::new(live), Some(journal.clone()), run);
            replay.set_reporter(Box::new(|event| match event {
                Resumed::Replayed(label) => eprintln!("  ↺ journaled  {label}: not sent again"),
                Resumed::Settled(label, note) => eprintln!("  ↺ settled    {label}: {note}"),
                Resumed::Again(label) => {
                    eprintln!("  ↺ again      {label}: not done by the earlier process")
                }
            }));
            replay
        }
    };
    let started = std::time::Instant::now();
    let result = interpreter.run(&runbook, Box::new(backend), None);
    let total = match first_start {
        Some(first) => (jiff::Timestamp::now().as_second() - first.as_second())
            .try_into()
            .unwrap_or(0),
        None => started.elapsed().as_secs(),
    };
    interpreter.set_step_hook(None);

    let signal = interrupted.signal();
    let (status, exit) = match &result.error {
        None => (RunStatus::Completed, Exit::Ok),
        Some(_) if signal.is_some() => (RunStatus::Interrupted, Exit::Cancelled),
        Some(_) if cancel.load(Ordering::SeqCst) => (RunStatus::Cancelled, Exit::Cancelled),
        Some(_) if refused.load(Ordering::SeqCst) => (RunStatus::Refused, Exit::Refused),
        Some(_) => (RunStatus::Failed, Exit::RunbookFailed),
    };
    let error_text = match signal {
        Some(signal) if result.error.is_some() => Some(format!("interrupted by {signal}")),
        _ => result
            .error
            .as_ref()
            .map(|e| format!("{} at {}", e.message, e.location())),
    };
    if let Err(err) = journal.finish(status, error_text, total, meta.rto_secs) {
        eprintln!("warning: cannot write the journal's last record: {err}");
    }
    if let Some(err) = result.error {
        report(err);
    }
    eprintln!();
    match read_run(&runs, &run_id) {
        Ok(run) => {
            let executed = run
                .records
                .iter()
                .filter(|r| matches!(r.entry, ripcord_journal::Entry::Intent { .. }))
                .count();
            eprint!("{}", render_timeline(&run, jiff::Timestamp::now()));
            if executed < planned_steps && status != RunStatus::Completed {
                eprintln!(
                    "Not done: {} of the {planned_steps} planned steps were not started (see the plan above).",
                    planned_steps - executed
                );
            }
        }
        Err(err) => eprintln!("warning: cannot read the journal back: {err}"),
    }
    if status != RunStatus::Completed {
        let dir = match &args.runs_dir {
            Some(dir) => format!(" --runs-dir {}", dir.display()),
            None => String::new(),
        };
        eprintln!("To go on from here: ripcord apply --resume {run_id}{dir}");
    }
    exit
}

/// The runbook's file name without `.rhai`.
pub(crate) fn runbook_stem(runbook: &Runbook) -> String {
    file_stem(&runbook.file)
}

fn file_stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".to_string())
}

/// What a run is locked under (`RunLock`): the runbook's name, else its file's stem.
pub(crate) fn lock_name(meta: &RunbookMeta, runbook_path: &str) -> String {
    meta.name.clone().unwrap_or_else(|| file_stem(runbook_path))
}

/// Refuses a resume whose remaining calls would find the world otherwise than the run's plan
/// did (a group scaled by hand meanwhile), unless the operator confirms or passed
/// `--accept-drift`.
fn check_drift(
    run: &ripcord_journal::Run,
    runbook: &Runbook,
    interpreter: &mut Interpreter,
    resumed: &ripcord_core::Plan,
    args: &ApplyArgs,
) -> Result<(), Exit> {
    let inventory_file = run
        .header()
        .map(|h| run.dir.join(&h.inventory_file))
        .unwrap_or_default();
    let original = match Inventory::load(&inventory_file) {
        Ok((inventory, _)) => interpreter.run(runbook, Box::new(SimBackend::new(inventory)), None),
        Err(err) => {
            eprintln!("warning: cannot read the run's inventory ({err}): the live state is not compared with the run's plan");
            return Ok(());
        }
    };
    let changed = resume::drift(&original.plan, resumed, run);
    if changed.is_empty() {
        return Ok(());
    }
    eprintln!("The live state changed since the run was planned, where the remaining steps act:");
    for line in &changed {
        eprintln!("  - {line}");
    }
    if args.accept_drift {
        eprintln!(
            "going on (--accept-drift): the plan above is computed on the state as it is now"
        );
        return Ok(());
    }
    if std::io::stdin().is_terminal()
        && ask("Go on with the plan above, computed on the state as it is now? Type yes to go on: ")
    {
        return Ok(());
    }
    eprintln!("refused: the live state changed since the run's plan; review it and pass --accept-drift to go on. Nothing was sent.");
    Err(Exit::Refused)
}

/// What the runbook declares, read by running its `runbook(#{...})` against an empty world
/// (the declaration comes first, so it is recorded before anything could fail).
pub(crate) fn declared_meta(interpreter: &mut Interpreter, runbook: &Runbook) -> RunbookMeta {
    let empty = Inventory::empty(jiff::Timestamp::now());
    interpreter
        .run(runbook, Box::new(SimBackend::new(empty)), None)
        .plan
        .runbook
        .meta
}

pub(crate) fn run_id(meta: &RunbookMeta, runbook: &Runbook) -> String {
    run_id_named(meta, &runbook_stem(runbook))
}

/// A run id: UTC start time and the runbook's name (`fallback` when it declares none).
pub(crate) fn run_id_named(meta: &RunbookMeta, fallback: &str) -> String {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let name = meta.name.clone().unwrap_or_else(|| fallback.to_string());
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{stamp}-{name}")
}

/// Who runs ripcord, as the journal names an approver: the login name.
pub(crate) fn operator() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "an unnamed user".to_string())
}

/// An approval: automatic with `--approve-gates`, else asked on the terminal, else refused;
/// `Ok(who)`. Ctrl-C at the prompt (`cancel` set) gives up waiting for the answer.
fn approve(message: &str, approve_gates: bool, cancel: &AtomicBool) -> Result<String, String> {
    if approve_gates {
        eprintln!("  approved automatically (--approve-gates): {message}");
        return Ok(format!("{} (--approve-gates)", operator()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "approve() needs an operator at a terminal; pass --approve-gates to approve without one"
                .to_string(),
        );
    }
    match ask_or_cancel(
        &format!("\nAPPROVAL NEEDED: {message}\nType yes to go on: "),
        cancel,
    ) {
        Some(true) => Ok(format!("{} at the terminal", operator())),
        Some(false) => Err("the operator did not approve".to_string()),
        None => Err("cancelled by the operator (Ctrl-C) at the approval prompt".to_string()),
    }
}

/// `ask`, but `None` as soon as `cancel` is set. The standard library retries a read of the
/// terminal that a signal interrupts, so Ctrl-C alone would leave the prompt waiting for
/// Enter: the line is read on a thread of its own, which stays blocked when the run is
/// cancelled (nothing reads the terminal after that, and the process ends with the run).
fn ask_or_cancel(question: &str, cancel: &AtomicBool) -> Option<bool> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let (answered, answer) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The receiver is gone only when the prompt was cancelled: the answer is moot.
        let _ = answered.send(read_yes());
    });
    loop {
        if cancel.load(Ordering::SeqCst) {
            return None;
        }
        match answer.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(yes) => return Some(yes),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Some(false),
        }
    }
}

/// Asks on stderr, reads a line from stdin; only `yes` counts.
fn ask(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    read_yes()
}

/// Reads a line from the terminal: whether it says yes (any case).
fn read_yes() -> bool {
    let mut answer = String::new();
    match std::io::stdin().lock().read_line(&mut answer) {
        Ok(_) => answer.trim().eq_ignore_ascii_case("yes"),
        Err(_) => false,
    }
}
