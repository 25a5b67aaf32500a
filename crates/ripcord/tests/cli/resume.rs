//! Killed runs and resume (issue 10), against moto: the e-commerce failover killed with
//! SIGKILL after each step in turn (between a request and its answer too) and resumed each
//! time ends in the simulated end state with every mutation applied once and one
//! notification (none or one when a kill caught the notification's request on its way: the
//! journal then says it was not sent again, at most once); resume refuses a changed runbook and shows a hand change; a second apply of
//! the same runbook is refused while one runs; SIGTERM and SIGHUP interrupt a run with a
//! journal that says so and a resume hint.

use super::live::{capture_of, facts, inventory_of, load, plan_with_end_state};
use super::moto::{ripcord_command, ripcord_env, Moto};
use super::{stderr, stdout};
use ripcord_core::{Call, Intent};
use ripcord_testkit::FaultProxy;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const FAILOVER: &str = "runbooks/ecommerce/failover.rhai";

/// The journal of the only run under `runs`, line by line (empty before it exists). A torn
/// last line (a process killed mid-write) is left out.
fn journal(runs: &Path) -> Vec<Value> {
    let Some(dir) = run_dir(runs) else {
        return Vec::new();
    };
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn run_dir(runs: &Path) -> Option<PathBuf> {
    std::fs::read_dir(runs)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|dir| dir.join("journal.jsonl").is_file())
}

fn run_id(runs: &Path) -> String {
    run_dir(runs)
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .expect("a run directory")
}

fn count(journal: &[Value], kind: &str) -> usize {
    journal.iter().filter(|r| r["type"] == kind).count()
}

/// Spawns `ripcord ARGS` (stdout and stderr to files under `home`, so that no pipe fills).
fn spawn(args: &[&str], home: &Path, endpoint: &str, name: &str) -> Child {
    let out = std::fs::File::create(home.join(format!("{name}.out"))).unwrap();
    let err = std::fs::File::create(home.join(format!("{name}.err"))).unwrap();
    ripcord_command(args, home, &[("AWS_ENDPOINT_URL", endpoint)])
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .expect("ripcord starts")
}

fn said(home: &Path, name: &str) -> String {
    let read =
        |ext: &str| std::fs::read_to_string(home.join(format!("{name}.{ext}"))).unwrap_or_default();
    format!("--- stdout\n{}\n--- stderr\n{}", read("out"), read("err"))
}

/// Where the next kill falls, at the steps the process starts itself (new sequence numbers):
/// `InFlight` as soon as one is a call whose request has reached moto (its answer is not back
/// yet: moto's latency), `Answered` once the first of them has its result journaled. A wait,
/// check or approval is always killed after its result (killing it before would only make
/// the next process start it again, for ever).
#[derive(Debug, Clone, Copy, PartialEq)]
enum KillAt {
    InFlight,
    Answered,
}

fn seq_of(record: &Value) -> u64 {
    record["seq"].as_u64().unwrap_or(0)
}

/// Runs `child` until its kill point and kills it with SIGKILL: `Ok(what it was killed
/// at)`; `Err(exit code)` when it ended by itself first.
fn kill_when(
    child: &mut Child,
    runs: &Path,
    proxy: &FaultProxy,
    at: KillAt,
) -> Result<String, i32> {
    let known = journal(runs)
        .iter()
        .filter(|r| r["type"] == "intent")
        .map(seq_of)
        .max()
        .unwrap_or(0);
    let forwarded = || proxy.log().iter().filter(|r| r.forwarded).count();
    // Requests that had reached moto when the step's intent was first seen: one more is the
    // step's own.
    let mut at_intent: Option<usize> = None;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Err(status.code().unwrap_or(-1));
        }
        assert!(
            Instant::now() < deadline,
            "the run neither ended nor reached its kill point"
        );
        let records = journal(runs);
        // Every step this process started: in a parallel group several at once, and the
        // first of them answered is the kill point (not only the first started: the others
        // would often finish meanwhile, and the kills would skip them).
        let started: Vec<&Value> = records
            .iter()
            .filter(|r| r["type"] == "intent" && seq_of(r) > known)
            .collect();
        if !started.is_empty() {
            let answered = started.iter().find(|intent| {
                records
                    .iter()
                    .any(|r| r["type"] == "result" && r["seq"] == intent["seq"])
            });
            let call = started.iter().find(|i| i["intent"]["type"] == "call");
            let seen = *at_intent.get_or_insert_with(forwarded);
            let in_flight = match (at, call) {
                (KillAt::InFlight, Some(call)) if forwarded() > seen => Some(call),
                _ => None,
            };
            if let Some(step) = answered.or(in_flight) {
                child.kill().unwrap();
                child.wait().unwrap();
                let when = if answered.is_some() {
                    "after the result of"
                } else {
                    "a request in flight"
                };
                return Ok(format!("{when}: {}", step["intent"]));
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_failover_killed_after_each_step_resumes_with_every_mutation_once() {
    let moto = Moto::start_with(&["--latency-ms", "150"]);
    moto.seed(&inventory_of(FAILOVER));
    let queue = moto.subscribe_queue("dr-notifications");
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    // The simulated end state, planned against a capture of the world before the run.
    let capture = capture_of(&moto, FAILOVER, dir, "capture.json");
    let end_state = dir.join("end-state.json");
    let plan = plan_with_end_state(&moto, FAILOVER, &capture, &end_state, dir);
    let proxy = FaultProxy::start(&moto, 1, "[]");
    let endpoint = proxy.endpoint();
    let runs = dir.join("runs");
    let runs_arg = runs.to_str().unwrap().to_string();

    // `apply WHAT... --yes --approve-gates --runs-dir RUNS`, its output kept as `name`.
    let apply = |what: &[&str], name: &str| {
        let mut args = vec!["apply"];
        args.extend_from_slice(what);
        args.extend(["--yes", "--approve-gates", "--runs-dir", runs_arg.as_str()]);
        spawn(&args, dir, &endpoint, name)
    };
    let mut kills: Vec<String> = Vec::new();
    let mut at = KillAt::InFlight;
    let mut child = apply(&[FAILOVER], "run-0");
    let mut name = "run-0".to_string();
    let exit = loop {
        match kill_when(&mut child, &runs, &proxy, at) {
            Err(code) => break code,
            Ok(what) => kills.push(what),
        }
        // Killed after its last record: the run had completed.
        if journal(&runs)
            .last()
            .is_some_and(|r| r["status"] == "completed")
        {
            break 0;
        }
        // Calls are killed in flight and answered in turn.
        if kills.last().is_some_and(|k| k.contains(r#""type":"call""#)) {
            at = match at {
                KillAt::InFlight => KillAt::Answered,
                KillAt::Answered => KillAt::InFlight,
            };
        }
        assert!(
            kills.len() < 60,
            "the run does not end: {}",
            said(dir, &name)
        );
        name = format!("run-{}", kills.len());
        let id = run_id(&runs);
        if kills.len() == 1 {
            // A run whose process was killed says so, and how to go on.
            let list = ripcord_env(&["runs", "list", "--runs-dir", runs_arg.as_str()], dir, &[]);
            let line = stdout(&list);
            assert!(
                line.contains(&id) && line.contains("  killed  "),
                "runs list after a kill: {line}"
            );
        }
        child = apply(&["--resume", &id], &name);
    };
    assert_eq!(exit, 0, "the last resume completes: {}", said(dir, &name));
    // The approval given in the first process is not asked again, and says who gave it.
    let last = said(dir, &name);
    assert!(
        last.lines()
            .any(|l| l.contains("↺ journaled  approval") && l.contains("(--approve-gates))")),
        "{last}"
    );
    let in_flight = kills.iter().filter(|k| k.starts_with("a request")).count();
    println!(
        "killed {} times ({in_flight} with a request in flight)",
        kills.len()
    );
    assert!(
        kills.len() >= 5 && in_flight >= 1,
        "killed {} times ({in_flight} with a request in flight): {kills:#?}",
        kills.len()
    );

    // The end state is the simulated one.
    let after = capture_of(&moto, FAILOVER, dir, "after.json");
    assert_eq!(facts(&load(&end_state)), facts(&load(&after)));

    // Every mutation reached moto as often as the plan sends it, and the subscribers got one
    // notification.
    let mut planned: Vec<String> = Vec::new();
    collect_operations(&plan["items"], &mut planned);
    // A Publish whose process was killed while its request was leaving (after the journal's
    // `sending`, before the answer) is not sent again: SNS cannot tell whether it arrived
    // (at most once), and the run says so. Then none or one notification is right; else one.
    let unverified = journal(&runs).iter().any(|r| {
        r["type"] == "result" && r["outcome"]["settled"]["verified"] == Value::Bool(false)
    });
    let log = proxy.log();
    for operation in [
        "UpdateAutoScalingGroup",
        "RemoveFromGlobalCluster",
        "UpdateHealthCheck",
        "Publish",
    ] {
        let want = planned.iter().filter(|o| *o == operation).count();
        let reached = log
            .iter()
            .filter(|r| r.forwarded && r.operation == operation)
            .count();
        let allowed = if operation == "Publish" && unverified {
            0..=want
        } else {
            want..=want
        };
        assert!(
            allowed.contains(&reached),
            "{operation} reached moto {reached} times for {want} steps: {kills:#?}\nthe last process: {}\njournal: {:#?}",
            said(dir, &name),
            journal(&runs)
        );
    }
    let notified = moto.received(&queue).len();
    if unverified {
        assert!(notified <= 1, "{notified} notifications");
        let show = ripcord_env(
            &["runs", "show", &run_id(&runs), "--runs-dir", &runs_arg],
            dir,
            &[],
        );
        assert!(
            stdout(&show).contains("ok? (answer lost, not sent again)"),
            "{}",
            stdout(&show)
        );
    } else {
        assert_eq!(notified, 1, "one notification");
    }

    // The journal tells the story: one run, resumed, with settled steps.
    let id = run_id(&runs);
    let show = ripcord_env(&["runs", "show", &id, "--runs-dir", &runs_arg], dir, &[]);
    let show = stdout(&show);
    assert!(show.contains("resumed by process"), "{show}");
    assert!(show.contains("Completed after"), "{show}");
    println!("killed {} times: {kills:#?}", kills.len());
}

/// Every call's operation in a JSON plan's items, groups included.
fn collect_operations(items: &Value, out: &mut Vec<String>) {
    for item in items.as_array().into_iter().flatten() {
        if let Some(branches) = item.get("branches") {
            for branch in branches.as_array().into_iter().flatten() {
                collect_operations(branch, out);
            }
        } else if item["type"] == "call" {
            let call: Call = serde_json::from_value(item["call"].clone()).unwrap();
            out.push(call.operation().to_string());
        }
    }
}

/// A small runbook in `dir` whose approval stops a run without `--approve-gates`.
fn approval_first(dir: &Path) -> PathBuf {
    let path = dir.join("resume-me.rhai");
    std::fs::write(
        &path,
        r#"runbook(#{
    name: "resume-me",
    rto: "15m",
    accounts: ["123456789012"],
    regions: ["us-west-2"],
});
approve("Scale the DR web tier?");
scale(asg("dr-web-asg", "us-west-2"), #{ min: 3, max: 6, desired: 4 });
notify(topic("dr-notifications", "us-west-2"), "Scaled", "dr-web-asg scaled");
"#,
    )
    .unwrap();
    path
}

#[test]
fn resume_refuses_a_changed_runbook_and_shows_a_hand_change() {
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let runbook = approval_first(dir);
    let runs = dir.join("runs");
    let runs_arg = runs.to_str().unwrap().to_string();
    let live = |args: &[&str]| moto.ripcord(args, dir);

    // Refused at its approval (no terminal, no --approve-gates): nothing sent, resumable.
    let first = live(&[
        "apply",
        runbook.to_str().unwrap(),
        "--yes",
        "--runs-dir",
        &runs_arg,
    ]);
    assert_eq!(first.status.code(), Some(4), "{}", stderr(&first));
    let id = run_id(&runs);
    assert!(
        stderr(&first).contains(&format!("ripcord apply --resume {id}")),
        "a resume hint: {}",
        stderr(&first)
    );

    // A changed runbook is refused, naming what changed.
    let text = std::fs::read_to_string(&runbook).unwrap();
    std::fs::write(&runbook, format!("{text}// edited\n")).unwrap();
    let changed = live(&[
        "apply",
        "--resume",
        &id,
        "--yes",
        "--approve-gates",
        "--runs-dir",
        &runs_arg,
    ]);
    assert_eq!(changed.status.code(), Some(4), "{}", stderr(&changed));
    assert!(
        stderr(&changed).contains("changed since the run started"),
        "{}",
        stderr(&changed)
    );
    std::fs::write(&runbook, &text).unwrap();

    // Someone scales the group by hand meanwhile: the resume shows it and stops.
    moto.boto3(
        "autoscaling",
        "update_auto_scaling_group(AutoScalingGroupName='dr-web-asg', MinSize=1, MaxSize=5, DesiredCapacity=1)",
    );
    let drifted = live(&[
        "apply",
        "--resume",
        &id,
        "--yes",
        "--approve-gates",
        "--runs-dir",
        &runs_arg,
    ]);
    let err = stderr(&drifted);
    assert_eq!(drifted.status.code(), Some(4), "{err}");
    assert!(
        err.contains("The live state changed since the run was planned"),
        "{err}"
    );
    let line = err
        .lines()
        .find(|l| l.contains("UpdateAutoScalingGroup dr-web-asg") && l.contains("DesiredCapacity"))
        .unwrap_or_else(|| panic!("no line for the hand change:\n{err}"));
    assert!(
        line.contains("when the run was planned, is 1 now"),
        "{line}"
    );

    // Confirmed, it goes on from the approval and completes.
    let resumed = live(&[
        "apply",
        "--resume",
        &id,
        "--yes",
        "--approve-gates",
        "--accept-drift",
        "--runs-dir",
        &runs_arg,
    ]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let groups = moto.read(
        "us-west-2",
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg'])",
    );
    assert_eq!(
        groups["AutoScalingGroups"][0]["DesiredCapacity"], 4,
        "{groups}"
    );
    let journal = journal(&runs);
    assert_eq!(journal.last().unwrap()["status"], "completed");
    assert_eq!(
        count(&journal, "resumed"),
        1,
        "the refused resumes wrote nothing"
    );
}

/// A runbook whose wait never ends (moto's group never gets in service).
fn waits_forever(dir: &Path) -> PathBuf {
    let path = dir.join("interrupt-me.rhai");
    std::fs::write(
        &path,
        r#"runbook(#{
    name: "interrupt-me",
    rto: "15m",
    accounts: ["123456789012"],
    regions: ["us-west-2"],
});
scale(asg("dr-web-asg", "us-west-2"), #{ min: 2, max: 5, desired: 3 });
wait(asg("stuck-asg", "us-west-2"), "in_service", "10m");
"#,
    )
    .unwrap();
    path
}

/// Waits until the run under `runs` has journaled one more wait intent than `before`.
fn until_waiting(runs: &Path, child: &mut Child, home: &Path, name: &str, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if waits(runs) > before {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its wait: {}",
            said(home, name)
        );
        assert!(Instant::now() < deadline, "no wait: {}", said(home, name));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How many wait intents the journal under `runs` has.
fn waits(runs: &Path) -> usize {
    journal(runs)
        .iter()
        .filter(|r| r["type"] == "intent" && r["intent"]["type"] == "wait")
        .count()
}

pub(crate) fn signal(child: &Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn sigterm_and_sighup_interrupt_a_run_and_a_second_apply_is_refused_meanwhile() {
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    moto.stuck_asg("stuck-asg");
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let runbook = waits_forever(dir);
    let runbook = runbook.to_str().unwrap();
    let runs = dir.join("runs");
    let runs_arg = runs.to_str().unwrap().to_string();

    let mut first = spawn(
        &["apply", runbook, "--yes", "--runs-dir", &runs_arg],
        dir,
        &moto.url,
        "first",
    );
    until_waiting(&runs, &mut first, dir, "first", 0);
    let id = run_id(&runs);

    // A second apply of the runbook meanwhile is refused before it sends anything, naming
    // the run and process that hold it.
    let second = moto.ripcord(&["apply", runbook, "--yes", "--runs-dir", &runs_arg], dir);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(4), "{err}");
    assert!(
        err.contains(&format!("run {id}, process {}", first.id())),
        "{err}"
    );

    // SIGTERM ends the wait; the journal says interrupted; the message says how to go on.
    signal(&first, "TERM");
    let code = first.wait().unwrap().code();
    let text = said(dir, "first");
    assert_eq!(code, Some(5), "{text}");
    assert!(
        text.contains(&format!("ripcord apply --resume {id}")),
        "{text}"
    );
    let journal_now = journal(&runs);
    let last = journal_now.last().unwrap();
    assert_eq!(last["status"], "interrupted", "{last}");
    assert!(
        last["error"].as_str().unwrap().contains("SIGTERM"),
        "{last}"
    );

    // The resumed run does not scale again, waits again, and a closed terminal (SIGHUP)
    // interrupts it the same way, with its output gone.
    let mut resumed = spawn(
        &["apply", "--resume", &id, "--yes", "--runs-dir", &runs_arg],
        dir,
        &moto.url,
        "resumed",
    );
    until_waiting(&runs, &mut resumed, dir, "resumed", 1);
    signal(&resumed, "HUP");
    let code = resumed.wait().unwrap().code();
    assert_eq!(code, Some(5), "{}", said(dir, "resumed"));
    let journal_now = journal(&runs);
    let last = journal_now.last().unwrap();
    assert_eq!(last["status"], "interrupted", "{last}");
    assert!(last["error"].as_str().unwrap().contains("SIGHUP"), "{last}");
    let scalings = journal_now
        .iter()
        .filter(|r| r["type"] == "intent")
        .filter(|r| {
            serde_json::from_value::<Intent>(r["intent"].clone())
                .is_ok_and(|i| matches!(i, Intent::Call { .. }))
        })
        .count();
    assert_eq!(
        scalings, 1,
        "the scaling was not sent again: {journal_now:#?}"
    );
}

/// A journal of `mode` for the e-commerce failover under a new runs directory: (home, runs
/// directory, run id).
fn journal_of_mode(mode: &str) -> (tempfile::TempDir, PathBuf, String) {
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let journal = ripcord_journal::JournalWriter::create(
        &runs,
        ripcord_journal::RunHeader {
            run_id: "20261203T060000Z-ecommerce-failover".to_string(),
            mode: mode.to_string(),
            runbook_path: "runbooks/ecommerce/failover.rhai".to_string(),
            runbook_sha256: "0".repeat(64),
            meta: ripcord_core::RunbookMeta::default(),
            inventory_file: "inventory.json".to_string(),
            inventory_sha256: String::new(),
            account: Some("123456789012".to_string()),
            ripcord_version: "test".to_string(),
        },
        "{}",
    )
    .unwrap();
    let id = journal.run_id();
    (home, runs, id)
}

/// A live REPL session is not resumed by `apply --resume` (its journal holds steps typed at
/// the prompt and skips, which only the session can take back): the refusal names the REPL's
/// own resume.
#[test]
fn a_live_repl_session_is_resumed_in_the_repl_not_by_apply() {
    let (_home, runs, id) = journal_of_mode("repl");
    let out = super::ripcord(&[
        "apply",
        "--resume",
        &id,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let said = super::stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{said}");
    assert!(
        said.contains(&format!(
            "ripcord repl runbooks/ecommerce/failover.rhai --live --resume {id}"
        )),
        "{said}"
    );
}

/// `repl --live --resume` of an apply run is refused, and before anything is read from AWS
/// (no endpoint or credentials here: a capture would fail with exit 6).
#[test]
fn repl_resume_of_an_apply_run_is_refused_before_aws_is_asked() {
    let (home, runs, id) = journal_of_mode("apply");
    let out = super::moto::ripcord_env(
        &[
            "repl",
            "runbooks/ecommerce/failover.rhai",
            "--live",
            "--resume",
            &id,
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home.path(),
        &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9")],
    );
    let said = super::stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{said}");
    assert!(
        said.contains(
            "is not a live REPL session (its mode is `apply`): resume it with `ripcord apply --resume`"
        ),
        "{said}"
    );
    assert!(!said.contains("captur"), "{said}");
}
