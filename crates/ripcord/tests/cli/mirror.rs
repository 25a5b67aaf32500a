//! `ripcord repl --live`: the simulated mirror adopts what AWS created, so previews, refusals
//! and `plan` from a pause speak of the real resources (moto, through a pseudo-terminal).

use super::moto::Moto;
use super::repl::{journal, live, live_at, LIVE_PROMPT};
use super::term::Term;
use serde_json::Value;

/// A small pilot-light world of its own, away from the bundled runbooks' names and regions.
const INVENTORY: &str = r#"version: 1
account: "123456789012"
captured_at: 2026-11-30T00:00:00Z
regions:
  eu-west-1:
    availability_zones: [eu-west-1a, eu-west-1b]
    volumes:
      - { id: vol-0123456789abcdef0, name: ledger-data, size_gib: 8, availability_zone: eu-west-1a }
    db_instances:
      - { id: payments-db, engine: mysql, instance_class: db.t3.small, availability_zone: eu-west-1a }
  eu-central-1:
    availability_zones: [eu-central-1a, eu-central-1b]
"#;

const RUNBOOK: &str = r#"runbook(#{ name: "payments", accounts: ["123456789012"], regions: ["eu-west-1", "eu-central-1"] });
let snap = snapshot(volume("ledger-data", "eu-west-1"));
wait(snap, "completed", "30m");
let copy = copy_snapshot(snap, "eu-central-1");
wait(copy, "completed", "30m");
let dbsnap = snapshot(db_instance("payments-db", "eu-west-1"), #{ id: "payments-before-dr" });
wait(dbsnap, "available", "30m");
let dbcopy = copy_snapshot(dbsnap, "eu-central-1", #{ id: "payments-dr-copy" });
wait(dbcopy, "available", "30m");
let db = restore_db(dbcopy, "payments-dr");
wait(db, "available", "1h");
let vol = restore_volume(copy, "eu-central-1a");
wait(vol, "available", "30m");
"#;

/// The ids the journal's results report as created, by operation, in order.
fn created(records: &[Value], operation: &str) -> Vec<String> {
    let intents: Vec<(u64, String)> = records
        .iter()
        .filter(|r| r["type"] == "intent")
        .filter_map(|r| {
            let op = r["intent"]["call"]["operation"].as_str()?;
            Some((r["seq"].as_u64()?, op.to_string()))
        })
        .collect();
    records
        .iter()
        .filter(|r| r["type"] == "result")
        .filter(|r| {
            intents
                .iter()
                .any(|(seq, op)| Some(*seq) == r["seq"].as_u64() && op == operation)
        })
        .filter_map(|r| r["outcome"]["creates"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn live_previews_and_the_rest_of_the_plan_follow_the_ids_aws_created() {
    let (moto, home, runbook) = payments();

    let mut term = live(&runbook, home.path(), &moto);
    let first = term.expect(LIVE_PROMPT);
    assert!(first.contains("next: snapshot(...)"), "{first}");
    // `step` through the EBS snapshot, its wait and its cross-region copy.
    term.line("step");
    let at_wait = term.expect(LIVE_PROMPT);
    assert!(at_wait.contains("next: wait(...)"), "{at_wait}");
    term.line("step");
    let at_copy = term.expect(LIVE_PROMPT);
    assert!(at_copy.contains("next: copy_snapshot(...)"), "{at_copy}");
    assert!(at_copy.contains("CopySnapshot"), "{at_copy}");
    term.line("step");
    term.expect(LIVE_PROMPT);
    // `continue` to a breakpoint: the calls not shown at a pause are asked for, each with
    // its preview, which must not predict a failure.
    term.line("break restore_db");
    term.expect(LIVE_PROMPT);
    term.line("continue");
    for operation in ["CreateDBSnapshot", "CopyDBSnapshot"] {
        let asked = term.expect("[n]o, stop the runbook: ");
        assert!(asked.contains(operation), "{asked}");
        term.line("y");
    }
    let at_restore = term.expect(LIVE_PROMPT);
    assert!(at_restore.contains("next: restore_db(...)"), "{at_restore}");
    // The restored instance keeps the source instance's class, through the copy.
    assert!(at_restore.contains("db.t3.small"), "{at_restore}");
    term.line("plan");
    let rest = term.expect(LIVE_PROMPT);
    assert!(rest.contains("CreateVolume"), "{rest}");
    term.line("continue");
    let asked = term.expect("[n]o, stop the runbook: ");
    assert!(asked.contains("CreateVolume"), "{asked}");
    term.line("y");
    term.expect("the runbook has run to its end");
    term.expect(LIVE_PROMPT);
    term.line(r#"describe(db_instance("payments-dr", "eu-central-1")).instance_class"#);
    let class = term.expect(LIVE_PROMPT);
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(
        !out.contains("the dry-run says this fails"),
        "no false refusal in the whole session:\n{out}"
    );
    assert!(!out.contains("mirror cannot follow"), "{out}");

    let records = journal(home.path());
    let snapshot = created(&records, "CreateSnapshot");
    let copy = created(&records, "CopySnapshot");
    let volume = created(&records, "CreateVolume");
    assert_eq!(
        (snapshot.len(), copy.len(), volume.len()),
        (1, 1, 1),
        "{records:#?}"
    );
    // The copy was previewed and asked for with the snapshot AWS made; the rest of the plan
    // from the breakpoint restores the volume from the copy AWS made.
    assert!(at_copy.contains(&snapshot[0]), "{at_copy}");
    assert!(
        rest.contains(&copy[0]),
        "the rest names the real copy:\n{rest}"
    );
    assert!(class.contains("db.t3.small"), "{class}");
    assert_eq!(records.last().unwrap()["status"], "completed");
}

#[test]
fn a_step_the_mirror_cannot_follow_is_said_once_and_refusals_are_no_longer_predictions() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let runbook = home.path().join("late.rhai");
    std::fs::write(
        &runbook,
        r#"runbook(#{ name: "late", accounts: ["123456789012"], regions: ["us-west-2"] });
let snap = snapshot(volume("late-volume", "us-west-2"));
wait(snap, "completed", "30m");
let copy = copy_snapshot(snap, "us-west-2");
wait(copy, "completed", "30m");
"#,
    )
    .unwrap();
    let mut term = live(&runbook, home.path(), &moto);
    let first = term.expect(LIVE_PROMPT);
    // Captured before the volume exists: the mirror rightly says the snapshot would fail now.
    assert!(first.contains("the dry-run says this fails"), "{first}");
    // The world changes behind the session's back: the volume appears after the capture.
    moto.boto3(
        "ec2",
        "create_volume(AvailabilityZone='us-west-2a', Size=8, TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'Name', 'Value': 'late-volume'}]}])",
    );
    term.line("step");
    let after = term.expect(LIVE_PROMPT);
    assert!(
        after.contains("the simulated mirror cannot follow this step"),
        "{after}"
    );
    assert!(after.contains("next: wait(...)"), "{after}");
    term.line("continue");
    // The copy was not shown at a pause: it is asked for, its preview no prediction either.
    let asked = term.expect("[n]o, stop the runbook: ");
    assert!(asked.contains("CopySnapshot"), "{asked}");
    term.line("y");
    let rest = term.expect("the runbook has run to its end");
    term.expect(LIVE_PROMPT);
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");
    let warned = out.matches("the simulated mirror cannot follow").count();
    assert_eq!(warned, 1, "said once:\n{out}");
    // From the step on, a refusal of the stale mirror is no prediction.
    assert!(!after.contains("the dry-run says this fails"), "{after}");
    assert!(!asked.contains("the dry-run says this fails"), "{asked}");
    assert!(!rest.contains("the dry-run says this fails"), "{rest}");
    let records = journal(home.path());
    assert_eq!(records.last().unwrap()["status"], "completed");
}

/// The payments world seeded into a new moto: (moto, home, runbook).
fn payments() -> (Moto, tempfile::TempDir, std::path::PathBuf) {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let inventory = home.path().join("payments.inventory.yaml");
    std::fs::write(&inventory, INVENTORY).unwrap();
    moto.seed(&inventory);
    let runbook = home.path().join("payments.rhai");
    std::fs::write(&runbook, RUNBOOK).unwrap();
    (moto, home, runbook)
}

/// The session's terminal killed: the one run's id, once its process is gone (it lets go of
/// the run's lock as it dies).
fn cut_off(term: Term, moto: &Moto, home: &std::path::Path) -> String {
    term.hang_up();
    let runs = home.join("runs");
    let run_id = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .find(|e| e.path().join("journal.jsonl").is_file())
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let listed = moto.ripcord(
            &["runs", "list", "--runs-dir", runs.to_str().unwrap()],
            home,
        );
        let listed = super::stdout(&listed);
        if !listed.contains("in progress") {
            return run_id;
        }
        assert!(std::time::Instant::now() < deadline, "{listed}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// `continue`, every call asked for sent, to the runbook's end; then `quit`: the output.
fn to_the_end(mut term: Term) -> String {
    term.line("continue");
    loop {
        let said = term.expect_any(&["[n]o, stop the runbook: ", "the runbook has run to its end"]);
        if said.contains("the runbook has run to its end") {
            break;
        }
        term.line("y");
    }
    term.expect(LIVE_PROMPT);
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");
    out
}

/// The day the SSH session drops: a live session cut off after its first two steps (and a
/// DB snapshot typed at the prompt) is resumed with `repl --live --resume RUN_ID`. The steps
/// it did are given back, not sent again, and not paused at; the typed one is not the
/// runbook's (its own DB snapshot, of another name, is still asked for); the session pauses
/// at the first step it did not do, and the journal, one run, ends completed with each call
/// of the runbook sent once.
#[test]
fn a_live_session_cut_off_is_resumed_without_sending_its_steps_again() {
    let (moto, home, runbook) = payments();
    let mut term = live_at(&runbook, home.path(), &moto.url, &[]);
    term.expect(LIVE_PROMPT);
    term.line("step");
    term.expect(LIVE_PROMPT);
    term.line("step");
    let at_copy = term.expect(LIVE_PROMPT);
    assert!(at_copy.contains("next: copy_snapshot(...)"), "{at_copy}");
    term.line(r#"snapshot(db_instance("payments-db", "eu-west-1"), #{ id: "by-hand" })"#);
    term.expect("[n]o, stop the runbook: ");
    term.line("y");
    term.expect(LIVE_PROMPT);
    let run_id = cut_off(term, &moto, home.path());
    assert!(
        journal(home.path()).iter().any(|r| r["type"] == "typed"),
        "the typed step is marked"
    );

    let mut term = live_at(&runbook, home.path(), &moto.url, &["--resume", &run_id]);
    let first = term.expect(LIVE_PROMPT);
    assert!(
        first.contains("done in the earlier session, not sent again: ec2 CreateSnapshot"),
        "{first}"
    );
    assert!(first.contains("next: copy_snapshot(...)"), "{first}");
    let out = to_the_end(term);
    assert!(!out.contains("mirror cannot follow"), "{out}");
    assert!(
        out.contains("CreateDBSnapshot") && out.contains("payments-before-dr"),
        "the runbook's own DB snapshot is asked for: {out}"
    );
    let records = journal(home.path());
    // The one typed at the prompt, and the runbook's.
    assert_eq!(
        created(&records, "CreateDBSnapshot").len(),
        2,
        "{records:#?}"
    );
    for operation in ["CreateSnapshot", "CopySnapshot", "CreateVolume"] {
        assert_eq!(
            created(&records, operation).len(),
            1,
            "{operation}: {records:#?}"
        );
    }
    assert!(
        records.iter().any(|r| r["type"] == "resumed"),
        "{records:#?}"
    );
    assert_eq!(records.last().unwrap()["status"], "completed");
}

/// Cut off while a request is in flight: the fault proxy holds the session's CreateSnapshot
/// (it never reaches AWS) and the terminal is killed. Resumed, the session pauses at that call
/// again (it was not done), and once sent it is settled first: the held request did not take
/// effect, so it is sent now, once; the journal keeps the earlier attempt as superseded.
#[test]
fn a_session_cut_off_with_a_request_in_flight_is_resumed_and_sends_it_once() {
    let (moto, home, runbook) = payments();
    let proxy = ripcord_testkit::FaultProxy::start(
        &moto,
        9,
        r#"[{"service": "ec2", "operation": "CreateSnapshot", "fault": "hang", "seconds": 20}]"#,
    );
    let endpoint = proxy.endpoint();
    let mut term = live_at(&runbook, home.path(), &endpoint, &[]);
    term.expect(LIVE_PROMPT);
    term.line("step");
    // Held by the proxy: journaled as sent, no answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !proxy
        .log()
        .iter()
        .any(|r| r.operation == "CreateSnapshot" && r.fault.as_deref() == Some("hang"))
    {
        assert!(std::time::Instant::now() < deadline, "{}", proxy.log_json());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let run_id = cut_off(term, &moto, home.path());

    proxy.set_rules("[]");
    let mut term = live_at(&runbook, home.path(), &endpoint, &["--resume", &run_id]);
    let first = term.expect(LIVE_PROMPT);
    assert!(first.contains("next: snapshot(...)"), "{first}");
    let out = to_the_end(term);
    assert!(
        out.contains("not done by the earlier session, sent now: ec2 CreateSnapshot"),
        "{out}"
    );
    let reached = proxy
        .log()
        .into_iter()
        .filter(|r| r.operation == "CreateSnapshot" && r.forwarded)
        .count();
    assert_eq!(reached, 1, "{}", proxy.log_json());
    let records = journal(home.path());
    assert_eq!(created(&records, "CreateSnapshot").len(), 1, "{records:#?}");
    assert!(
        records
            .iter()
            .any(|r| r["error_code"] == "Superseded" || r["error_code"] == "NotTakenEffect"),
        "{records:#?}"
    );
    assert_eq!(records.last().unwrap()["status"], "completed");
}
