//! `apply --plan PLAN --engine step-functions`: the reviewed plan's deployed state machine
//! started in its region and followed from here (docs/step-functions.md); `apply --resume`
//! of such a run follows its execution again.

use crate::cli::ApplyArgs;
use crate::deploy::{
    load_hashed, machine_name, stage_machine_name, TAG_APPROVAL_TOPIC, TAG_PARTS, TAG_PLAN,
};
use crate::execution_file::{execution_arn, part_arn, ExecutionFile, StageFile, PLAN_FILE};
use crate::exit::Exit;
use crate::follow::{Ended, Follower};
use crate::live::LiveBackend;
use crate::progress::{say, Progress};
use crate::signals;
use ripcord_core::Plan;
use ripcord_journal::{read_run, render_timeline, JournalWriter, RunStatus};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The engine `execution.json` names.
pub const ENGINE: &str = "step-functions";

/// The state machines a run starts executions of, checked before anything is sent.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// One per stage, in order (one for a plan in one region).
    pub stages: Vec<StageFile>,
    /// The approval topic given to `apply`, when one was.
    pub approval_topic: Option<String>,
}

impl Deployment {
    /// Stage `k`'s execution input: the state the stage before it left (`{}` for the first),
    /// with the approval topic in the stage's region when one was given.
    pub fn input(&self, k: usize, state: serde_json::Value) -> String {
        stage_input(
            self.approval_topic.as_deref(),
            &self.stages[k].region,
            state,
        )
    }
}

/// `state` (an object, else `{}`) without a resume point and with the approval topic of
/// `region`, when `topic` is given.
fn stage_input(topic: Option<&str>, region: &str, state: serde_json::Value) -> String {
    let mut input = match state {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    input.remove("Resume");
    if let Some(topic) = topic {
        input.insert(
            "ApprovalTopicArn".to_string(),
            ripcord_core::asl::topic_in(topic, region).into(),
        );
    }
    serde_json::Value::Object(input).to_string()
}

/// The regions of the plan's stages as `--region` fits them (`asl::stage_regions`: the rule
/// export and deploy follow); each must be known to find its state machine.
pub fn stage_regions(plan: &Plan, given: Option<&str>) -> Result<Vec<String>, String> {
    ripcord_core::asl::stage_regions(plan, given)
        .map_err(|err| err.to_string())?
        .into_iter()
        .collect::<Option<Vec<String>>>()
        .ok_or_else(|| {
            "no step of the plan names a region: pass --region, where the state machine was deployed".to_string()
        })
}

/// The deployed state machines of `plan_path`, one per stage: refused when one is missing, or
/// was deployed from another plan (its tag holds the plan file's hash), or when the plan has
/// approvals and no topic is known for them.
pub fn deployment(
    live: &LiveBackend,
    plan_path: &Path,
    args: &ApplyArgs,
) -> Result<Deployment, Exit> {
    let (plan, sha256) = load_hashed(plan_path)?;
    let regions = stage_regions(&plan, args.live.region.as_deref()).map_err(|err| {
        eprintln!("error: {err}. Nothing was sent.");
        Exit::Usage
    })?;
    let name = machine_name(&plan);
    let region_arg = match args.live.region.as_deref() {
        Some(region) => format!(" --region {region}"),
        None => String::new(),
    };
    let deploy_hint = format!(
        "ripcord deploy {} --engine step-functions{region_arg} --role-arn ARN",
        plan_path.display()
    );
    let total = regions.len();
    let mut stages = Vec::new();
    let mut topic_tagged = true;
    for (k, region) in regions.iter().enumerate() {
        let name = stage_machine_name(&name, k + 1, total);
        let sfn = live.step_functions(region);
        let arn = match sfn.find(&name) {
            Ok(Some(arn)) => arn,
            Ok(None) => {
                eprintln!("refused: no state machine {name} in {region}: deploy the plan first ({deploy_hint}). Nothing was sent.");
                return Err(Exit::Refused);
            }
            Err(err) => {
                eprintln!("error: cannot look up the state machine {name} in {region}: {err}");
                return Err(Exit::Aws);
            }
        };
        let tags = sfn.tags(&arn).map_err(|err| {
            eprintln!("error: cannot read the tags of {arn}: {err}");
            Exit::Aws
        })?;
        match tags.get(TAG_PLAN) {
            Some(deployed) if *deployed == sha256 => {}
            deployed => {
                eprintln!(
                    "refused: {name} in {region} was deployed from another plan (sha256 {} there, {} is {}): deploy this plan first ({deploy_hint}). Nothing was sent.",
                    deployed.map_or("(none)", |d| &d[..12.min(d.len())]),
                    plan_path.display(),
                    &sha256[..12.min(sha256.len())]
                );
                return Err(Exit::StalePlan);
            }
        }
        topic_tagged &= tags.contains_key(TAG_APPROVAL_TOPIC);
        stages.push(StageFile {
            region: region.clone(),
            state_machine_arn: arn,
            parts: tags
                .get(TAG_PARTS)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        });
    }
    let topic = args.approval_topic.clone();
    if plan.counts.approvals > 0 && topic.is_none() && !topic_tagged {
        eprintln!("refused: the plan has approval gates and {name} was deployed without an approval topic: pass --approval-topic ARN (the SNS topic their task tokens are published to). Nothing was sent.");
        return Err(Exit::Refused);
    }
    Ok(Deployment {
        stages,
        approval_topic: topic,
    })
}

/// Starts the execution (named after the run), then follows it.
pub fn run(
    live: &LiveBackend,
    deployment: &Deployment,
    plan: &Plan,
    plan_path: &Path,
    journal: Arc<JournalWriter>,
    rto_secs: Option<u64>,
    resume_hint: &str,
) -> Exit {
    let run_id = journal.run_id();
    let run_dir = journal.dir().to_path_buf();
    if let Err(err) = std::fs::copy(plan_path, run_dir.join(PLAN_FILE)) {
        eprintln!("error: cannot copy the plan into the run directory: {err}. Nothing was sent.");
        let _ = journal.finish(RunStatus::Failed, Some(err.to_string()), 0, rto_secs);
        return Exit::BadInput;
    }
    let first = &deployment.stages[0];
    // The run's start, which a message quoting `elapsed()` measures from in every stage and
    // part (`asl::RUN_STARTED_AT`).
    let started = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let input = deployment.input(0, serde_json::json!({ "RunStartedAt": { "At": started } }));
    let name = execution_name(&run_id);
    let execution_arn = execution_arn(&first.state_machine_arn, &name);
    let mut file = ExecutionFile {
        engine: ENGINE.to_string(),
        region: first.region.clone(),
        state_machine_arn: first.state_machine_arn.clone(),
        execution_arn: execution_arn.clone(),
        started: false,
        input,
        approval_topic: deployment.approval_topic.clone(),
        earlier: Vec::new(),
        parts: (1..=first.parts)
            .map(|k| part_arn(&execution_arn, k))
            .collect(),
        part: 0,
        last_event: 0,
        open: Default::default(),
        started_ms: Default::default(),
        done: Default::default(),
        stages: match deployment.stages.len() {
            1 => Vec::new(),
            _ => deployment.stages.clone(),
        },
        stage: 0,
    };
    // Written ahead of the start: whatever happens to the request or to this process, the
    // run names the execution it may have started, for `apply --resume` and `approve`.
    if let Err(err) = file.save(&run_dir) {
        eprintln!(
            "error: {err}: `approve` and `apply --resume` of this run need it. Nothing was sent."
        );
        let _ = journal.finish(RunStatus::Failed, Some(err), 0, rto_secs);
        return Exit::BadInput;
    }
    let start = match start_current(live, &mut file, &run_id, resume_hint) {
        Ok(start) => start,
        Err(err) => {
            if !in_doubt(&err) {
                let _ = journal.finish(RunStatus::Failed, Some(err.to_string()), 0, rto_secs);
            }
            return Exit::Aws;
        }
    };
    if let Err(err) = file.save(&run_dir) {
        eprintln!("warning: {err}: `apply --resume` would start the execution again, which finds it (same name, same input)");
    }
    match deployment.stages.len() {
        1 => eprintln!("{start}"),
        n => eprintln!("stage 1 of {n} ({}): {start}", first.region),
    }
    follow(live, plan, journal, file, rto_secs, resume_hint)
}

/// `apply --resume RUN_ID` of a run on Step Functions: its execution followed again from the
/// last event journaled.
pub fn resume(runs: &Path, run_id: &str, mut file: ExecutionFile, args: &ApplyArgs) -> Exit {
    let run_dir = runs.join(run_id);
    let plan = match crate::reviewed::load(&run_dir.join(PLAN_FILE), "run's plan") {
        Ok(plan) => plan,
        Err(exit) => return exit,
    };
    let earlier = match read_run(runs, run_id) {
        Ok(run) => run,
        Err(err) => {
            eprintln!("error: {err}");
            return Exit::BadInput;
        }
    };
    let failed = match earlier.status() {
        None => false,
        Some(RunStatus::Failed) => true,
        Some(status) => {
            eprintln!(
                "refused: run {run_id} has ended ({}); its execution is {}. Start a new run with apply --plan.",
                status.as_str(),
                file.execution_arn
            );
            return Exit::Refused;
        }
    };
    // One follower per run: the lock the run's apply took, taken over from a process that
    // is gone.
    let header = earlier.header();
    let account = header.and_then(|h| h.account.clone()).unwrap_or_default();
    let lock_name = header
        .map(|h| crate::apply::lock_name(&h.meta, &h.runbook_path))
        .unwrap_or_else(|| run_id.to_string());
    let _lock = match crate::run_lock::RunLock::acquire(runs, &account, &lock_name, run_id) {
        Ok((lock, _)) => lock,
        Err(err) => {
            eprintln!("refused: {err}");
            return Exit::Refused;
        }
    };
    let live_args = crate::cli::LiveArgs {
        region: Some(file.region.clone()),
        ..args.live.clone()
    };
    let live = match crate::live::backend(&live_args, std::slice::from_ref(&file.region)) {
        Ok(live) => live,
        Err(err) => {
            eprintln!("error: cannot set up the AWS clients: {err}");
            return Exit::Aws;
        }
    };
    // What the journal holds that execution.json may not (a follower killed in between).
    crate::follow::reconcile(&mut file, &plan, &earlier);
    let hint = resume_hint(run_id, args.runs_dir.as_deref());
    let unanswered = !file.started;
    if unanswered {
        if let Err(exit) = start_again(&live, &run_dir, run_id, &mut file, &hint) {
            return exit;
        }
    } else if failed {
        if let Err(exit) = resume_failed(&live, &run_dir, run_id, &plan, &mut file, &hint) {
            return exit;
        }
    }
    let journal = match JournalWriter::reopen(runs, run_id) {
        Ok(journal) => Arc::new(journal),
        Err(err) => {
            eprintln!("error: cannot write the run journal: {err}");
            return Exit::BadInput;
        }
    };
    if !failed && !unanswered {
        eprintln!(
            "following run {run_id} again: execution {} (from event {})",
            file.execution_arn, file.last_event
        );
    }
    let rto = earlier.header().and_then(|h| h.meta.rto_secs);
    follow(&live, &plan, journal, file, rto, &hint)
}

/// A failed execution resumed: a new execution of the same state machine, still this plan's,
/// given where to start (`asl::resume_point`: the first step not done, branch by branch in a
/// group) and the answers later steps read of the steps done; `file` then names it.
fn resume_failed(
    live: &LiveBackend,
    run_dir: &Path,
    run_id: &str,
    plan: &Plan,
    file: &mut ExecutionFile,
    hint: &str,
) -> Result<(), Exit> {
    let Some(mut resume) = ripcord_core::asl::resume_point(plan, &file.done) else {
        eprintln!("refused: every step of run {run_id} is done: there is nothing to resume");
        return Err(Exit::Refused);
    };
    // A plan in several regions: the stage of the resume point, whose state machine the new
    // execution is of (the current one: the stages after a failed one never started).
    if let Some(stage) = resume.stage.and_then(|k| file.stages.get(k - 1)).cloned() {
        file.stage = resume.stage.map_or(0, |k| k - 1);
        file.region = stage.region;
        file.state_machine_arn = stage.state_machine_arn;
        file.parts = (1..=stage.parts)
            .map(|k| part_arn(&file.execution_arn, k))
            .collect();
    }
    let sfn = live.step_functions(&file.region);
    // The state machine must still be the run's plan: not redeployed from another one.
    let (_, sha256) = load_hashed(&run_dir.join(PLAN_FILE))?;
    let tags = sfn.tags(&file.state_machine_arn).map_err(|err| {
        eprintln!(
            "error: cannot read the tags of {}: {err}",
            file.state_machine_arn
        );
        Exit::Aws
    })?;
    if tags.get(TAG_PLAN) != Some(&sha256) {
        eprintln!(
            "refused: {} was deployed from another plan since run {run_id} started: the run cannot be resumed on it. Nothing was sent.",
            file.state_machine_arn
        );
        return Err(Exit::StalePlan);
    }
    // A plan in parts: the part whose state machine has the resume point.
    for k in 1..=file.parts.len() {
        let arn = format!(
            "{}{}",
            file.state_machine_arn,
            ripcord_core::asl::part_suffix(k)
        );
        let definition = sfn.definition(&arn).map_err(|err| {
            eprintln!("error: cannot read the state machine {arn}: {err}");
            Exit::Aws
        })?;
        let machine: serde_json::Value = serde_json::from_str(&definition).unwrap_or_default();
        if machine["States"].get(&resume.from).is_some() {
            resume.part = Some(k);
            break;
        }
    }
    let answers = crate::follow::answers_of(live, file.all_executions()).map_err(|err| {
        eprintln!("error: cannot read the failed execution's history: {err}");
        Exit::Aws
    })?;
    let mut input: serde_json::Value =
        serde_json::from_str(&file.input).unwrap_or_else(|_| serde_json::json!({}));
    if !input.is_object() {
        input = serde_json::json!({});
    }
    let firsts = ripcord_core::asl::step_states(plan);
    for (index, paths) in ripcord_core::asl::kept_answers(plan) {
        let first = firsts.iter().find(|(_, i)| **i == index).map(|(n, _)| n);
        let answer = first
            .filter(|first| file.done.contains(*first))
            .and_then(|first| crate::follow::last_answer(&answers, first));
        if let Some(answer) = answer {
            for path in paths {
                // Indexing a JSON object by a missing key inserts it (null, then an object
                // when indexed again): the input is an object whose `steps` and `groups`
                // are only ever made here, so no level is ever a string or a number.
                let mut at = &mut input;
                for key in path.split('.') {
                    at = &mut at[key];
                }
                *at = answer.clone();
            }
        }
    }
    input["Resume"] = serde_json::to_value(&resume).unwrap_or_default();
    // The failed attempts at this state machine before this one (the earlier stages' are of
    // other machines): arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME.
    fn machine(arn: &str) -> (Option<&str>, Option<&str>) {
        let fields: Vec<&str> = arn.split(':').collect();
        (fields.get(3).copied(), fields.get(6).copied())
    }
    let this = machine(&file.state_machine_arn);
    let attempt = file
        .all_executions()
        .filter(|arn| machine(arn) == this)
        .count()
        + 1;
    let name = format!("{}-r{attempt}", execution_name(run_id));
    let parts = file.parts.len();
    file.next_execution(&name, input.to_string(), parts);
    // The parent starts at the resume point's part: the parts before it are not run.
    file.part = resume.part.map_or(0, |k| k - 1);
    file.open.clear();
    file.started_ms.clear();
    // Written ahead of the start, as the run's first execution (`run`).
    file.save(run_dir).map_err(|err| {
        eprintln!("error: {err}. Nothing was sent.");
        Exit::BadInput
    })?;
    let start = start_current(live, file, run_id, hint).map_err(|_| Exit::Aws)?;
    let branches: Vec<String> = resume
        .branches
        .iter()
        .map(|(key, at)| format!("{key} at {at}"))
        .collect();
    eprintln!(
        "resuming run {run_id} at {}{}: {start} (the steps done are not sent again)",
        resume.from,
        if branches.is_empty() {
            String::new()
        } else {
            format!(" ({})", branches.join(", "))
        }
    );
    if let Err(err) = file.save(run_dir) {
        eprintln!("warning: {err}");
    }
    Ok(())
}

/// A run whose last start AWS did not answer (`ExecutionFile::started`), resumed: the same
/// name started again with the same input, which is the execution if the first request
/// reached AWS and starts it if it did not.
fn start_again(
    live: &LiveBackend,
    run_dir: &Path,
    run_id: &str,
    file: &mut ExecutionFile,
    hint: &str,
) -> Result<(), Exit> {
    let start = start_current(live, file, run_id, hint).map_err(|_| Exit::Aws)?;
    if start.earlier {
        eprintln!("run {run_id}, whose start was not answered: {start}");
    } else {
        eprintln!(
            "run {run_id}, whose start was not answered: execution {} runs (started now, or by the request whose answer was lost: Step Functions runs one execution of a name)",
            start.arn
        );
    }
    if let Err(err) = file.save(run_dir) {
        eprintln!("warning: {err}");
    }
    Ok(())
}

/// An execution of a run, once AWS answered its start.
struct Started {
    arn: String,
    /// Started by an earlier request whose answer was lost, and ended since.
    earlier: bool,
}

impl std::fmt::Display for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.earlier {
            write!(
                f,
                "execution {} was started by an earlier request whose answer was lost, and has ended: its history is followed",
                self.arn
            )
        } else {
            write!(f, "started execution {}", self.arn)
        }
    }
}

/// Starts the execution `file` names, written ahead with `started: false` (its region's
/// machine, the name its ARN ends with, its input), and records AWS's answer in `file` (the
/// caller saves it). A failure is told the operator here (`start_failed`).
// BackendError is large but returned once, on a cold path (as in `crate::live`).
#[allow(clippy::result_large_err)]
fn start_current(
    live: &LiveBackend,
    file: &mut ExecutionFile,
    run_id: &str,
    hint: &str,
) -> Result<Started, ripcord_core::BackendError> {
    let name = name_of(&file.execution_arn).to_string();
    match start_named(
        live,
        &file.region,
        &file.state_machine_arn,
        &name,
        &file.input,
    ) {
        Ok(start) => {
            file.answered(&start.arn);
            Ok(start)
        }
        Err(err) => {
            eprintln!(
                "error: {}",
                start_failed(&err, &file.execution_arn, run_id, hint)
            );
            Err(err)
        }
    }
}

/// Starts execution `name` of `machine` in `region` with `input`, or finds it started. Every
/// name ripcord starts is its run's (the run id, a resumed attempt's suffix), so an execution
/// of that name is this run's: AWS answers a start of the same name and input with the
/// execution while it runs, and with ExecutionAlreadyExists once it ended (a standard
/// workflow's name is taken for 90 days), when it is adopted by its ARN.
// BackendError is large but returned once, on a cold path (as in `crate::live`).
#[allow(clippy::result_large_err)]
fn start_named(
    live: &LiveBackend,
    region: &str,
    machine: &str,
    name: &str,
    input: &str,
) -> Result<Started, ripcord_core::BackendError> {
    match live.step_functions(region).start(machine, name, input) {
        Ok(arn) => Ok(Started {
            arn,
            earlier: false,
        }),
        Err(err) if err.code.contains("ExecutionAlreadyExists") => Ok(Started {
            arn: execution_arn(machine, name),
            earlier: true,
        }),
        Err(err) => Err(err),
    }
}

/// Whether a failed start may still have started the execution: any error but AWS's
/// refusal (no answer, a 5xx after the SDK's retries, an answer that cannot be read).
fn in_doubt(err: &ripcord_core::BackendError) -> bool {
    !matches!(
        err.kind,
        ripcord_core::ErrorKind::Rejected
            | ripcord_core::ErrorKind::NotFound
            | ripcord_core::ErrorKind::Refused
    )
}

/// What the operator is told of a start that failed: a refusal started nothing; any other
/// error leaves the execution's fate unknown, which `apply --resume` settles.
fn start_failed(
    err: &ripcord_core::BackendError,
    arn: &str,
    run_id: &str,
    resume_hint: &str,
) -> String {
    if in_doubt(err) {
        format!(
            "cannot tell whether execution {arn} started: {err}\n  It may be running in AWS. `{resume_hint}` follows it, or starts it if it never did; `ripcord approve {run_id}` answers its gates meanwhile."
        )
    } else {
        format!(
            "cannot start execution {arn}: {err}\n  AWS refused it: nothing was started. Once the cause is fixed, `{resume_hint}` starts it."
        )
    }
}

/// An execution's name, the last field of its ARN.
fn name_of(arn: &str) -> &str {
    // arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME
    arn.rsplit(':').next().unwrap_or_default()
}

/// `ripcord apply --resume RUN_ID [--runs-dir DIR]`.
pub fn resume_hint(run_id: &str, runs_dir: Option<&Path>) -> String {
    match runs_dir {
        Some(dir) => format!(
            "ripcord apply --resume {run_id} --runs-dir {}",
            dir.display()
        ),
        None => format!("ripcord apply --resume {run_id}"),
    }
}

fn follow(
    live: &LiveBackend,
    plan: &Plan,
    journal: Arc<JournalWriter>,
    file: ExecutionFile,
    rto_secs: Option<u64>,
    resume_hint: &str,
) -> Exit {
    let run_id = journal.run_id();
    let run_dir = journal.dir().to_path_buf();
    let runs = run_dir.parent().map(Path::to_path_buf).unwrap_or_default();
    let cancel = Arc::new(AtomicBool::new(false));
    let on_signal = cancel.clone();
    // A second handler cannot be installed in one process; this is the only one.
    let _ = ctrlc::set_handler(move || on_signal.store(true, Ordering::SeqCst));
    let _interrupted = signals::install(cancel.clone());
    let progress: Arc<dyn ripcord_core::Journal> = Arc::new(Progress::new(journal.clone()));
    let mut file = file;
    // Stage after stage: each followed in its region, the next started when it succeeded.
    let ended = loop {
        let sfn = live.step_functions(&file.region);
        let mut follower = Follower::new(
            &sfn,
            plan,
            progress.clone(),
            file,
            run_dir.clone(),
            run_id.clone(),
            cancel.clone(),
        );
        let ended = follower.follow();
        file = follower.into_file();
        match ended {
            Ok(Ended::Succeeded) if file.stage + 1 < file.stages.len() => {
                if let Err(exit) = next_stage(live, &mut file, &run_dir, &run_id, resume_hint) {
                    return exit;
                }
            }
            ended => break ended,
        }
    };
    let execution_arn = file.execution_arn.clone();
    let total = read_run(&runs, &run_id)
        .ok()
        .and_then(|run| {
            run.records
                .first()
                .and_then(|r| r.at.parse::<jiff::Timestamp>().ok())
        })
        .map(|first| {
            u64::try_from(jiff::Timestamp::now().as_second() - first.as_second()).unwrap_or(0)
        })
        .unwrap_or(0);
    let (status, error, exit) = match ended {
        Ok(Ended::Succeeded) => (RunStatus::Completed, None, Exit::Ok),
        Ok(Ended::Failed { error, cause }) => (
            RunStatus::Failed,
            Some(format!("{error}: {cause}")),
            Exit::RunbookFailed,
        ),
        Ok(Ended::Stopped) => {
            eprintln!(
                "\nstopped following: the execution goes on in AWS ({execution_arn}).\n  Follow it again: {resume_hint}\n  Answer its approvals: ripcord approve {run_id}"
            );
            return Exit::Cancelled;
        }
        Err(err) => {
            eprintln!(
                "error: cannot read the execution's history: {err}\n  The execution goes on in AWS ({execution_arn}); follow it again: {resume_hint}"
            );
            return Exit::Aws;
        }
    };
    if let Err(err) = journal.finish(status, error.clone(), total, rto_secs) {
        eprintln!("warning: cannot write the journal's last record: {err}");
    }
    if let Some(error) = &error {
        eprintln!("error: the execution failed: {error}");
    }
    eprintln!();
    match read_run(&runs, &run_id) {
        Ok(run) => eprint!("{}", render_timeline(&run, jiff::Timestamp::now())),
        Err(err) => eprintln!("warning: cannot read the journal back: {err}"),
    }
    exit
}

/// The stage after the current one started in its region, given the state the current one
/// left, under the same execution name (each stage is a state machine of its own), written
/// ahead as the run's first execution is (`run`). A failure is told here; the run is left for
/// `apply --resume`.
fn next_stage(
    live: &LiveBackend,
    file: &mut ExecutionFile,
    run_dir: &Path,
    run_id: &str,
    hint: &str,
) -> Result<(), Exit> {
    let ended = live
        .step_functions(&file.region)
        .describe(&file.execution_arn)
        .map_err(|err| {
            eprintln!(
                "error: cannot read the state stage {} left: {err}\n  Its next stage is not started yet; start it: {hint}",
                file.stage + 1
            );
            Exit::Aws
        })?;
    let state = ended
        .output
        .as_deref()
        .and_then(|output| serde_json::from_str(output).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    let k = file.stage + 1;
    let stage = file.stages[k].clone();
    let input = stage_input(file.approval_topic.as_deref(), &stage.region, state);
    let name = name_of(&file.execution_arn).to_string();
    file.stage = k;
    file.region = stage.region.clone();
    file.state_machine_arn = stage.state_machine_arn.clone();
    file.next_execution(&name, input, stage.parts);
    // Written ahead of the start, as the run's first execution (`run`).
    if let Err(err) = file.save(run_dir) {
        say(&format!("  warning: {err}"));
    }
    let start = start_current(live, file, run_id, hint).map_err(|_| Exit::Aws)?;
    say(&format!(
        "  ▸         stage {} of {} ({}): {start}",
        k + 1,
        file.stages.len(),
        stage.region
    ));
    if let Err(err) = file.save(run_dir) {
        say(&format!("  warning: {err}"));
    }
    Ok(())
}

/// An execution's name: the run id in the characters Step Functions allows, at most 71 (a
/// part's suffix takes the 9 left of 80).
fn execution_name(run_id: &str) -> String {
    run_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect()
}
