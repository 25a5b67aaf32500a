//! Journal tests: durability order, torn lines, listing, the timeline.

use ripcord_core::ops;
use ripcord_core::{BackendError, Call, ErrorKind, Intent, Journal, Outcome};
use ripcord_journal::{
    list_runs, read_run, render_timeline, Entry, JournalWriter, RunHeader, RunStatus,
};

fn header(id: &str) -> RunHeader {
    RunHeader {
        run_id: id.to_string(),
        mode: "apply".to_string(),
        runbook_path: "runbooks/ecommerce/failover.rhai".to_string(),
        runbook_sha256: "8ba06c5a00".to_string(),
        meta: Default::default(),
        inventory_file: "inventory.json".to_string(),
        inventory_sha256: "ffee".to_string(),
        account: Some("123456789012".to_string()),
        ripcord_version: "0.1.0".to_string(),
    }
}

fn scale() -> Intent {
    Intent::Call {
        call: Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
            region: "us-west-2".into(),
            auto_scaling_group_name: "dr-web-asg".into(),
            min_size: Some(4),
            max_size: Some(10),
            desired_capacity: Some(4),
        }),
    }
}

#[test]
fn intents_are_on_disk_before_results_and_the_timeline_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let writer = JournalWriter::create(dir.path(), header("run-1"), "{}").unwrap();
    let seq = writer.intent(&scale()).unwrap();
    // The intent is readable before any result: a crash here leaves "sent, no result".
    let run = read_run(dir.path(), "run-1").unwrap();
    assert!(matches!(
        run.records.last().unwrap().entry,
        Entry::Intent { seq: 1, .. }
    ));
    let text = render_timeline(&run, jiff::Timestamp::now());
    assert!(text.contains("sent, no result recorded"), "{text}");
    assert!(text.contains("No end record"), "{text}");

    writer.finished(
        seq,
        Ok(&Outcome {
            request_id: Some("req-1".into()),
            ..Outcome::default()
        }),
        230,
    );
    let failing = writer.intent(&scale()).unwrap();
    let err = BackendError::new(
        ErrorKind::Rejected,
        "autoscaling",
        "UpdateAutoScalingGroup",
        "ValidationError",
        "bad",
    );
    writer.finished(failing, Err(&err), 100);
    writer.skipped(&scale()).unwrap();
    let settled = writer.intent(&scale()).unwrap();
    writer.finished(
        settled,
        Ok(&Outcome {
            settled: Some(ripcord_core::Settlement {
                lost: "Http503: no message".into(),
                sent: 1,
                evidence: "AWS shows dr-web-asg has desired_capacity 4".into(),
                verified: true,
            }),
            ..Outcome::default()
        }),
        80,
    );
    writer
        .finish(RunStatus::Failed, Some("bad".into()), 3, Some(900))
        .unwrap();

    let run = read_run(dir.path(), "run-1").unwrap();
    assert_eq!(run.status(), Some(RunStatus::Failed));
    let started: jiff::Timestamp = run.records[0].at.parse().unwrap();
    let later = |secs: i64| {
        started
            .checked_add(jiff::SignedDuration::from_secs(secs))
            .unwrap()
    };
    let text = render_timeline(&run, later(552));
    assert!(
        text.contains("autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2)"),
        "{text}"
    );
    assert!(text.contains("ok, request req-1"), "{text}");
    assert!(text.contains("FAILED ValidationError: bad"), "{text}");
    assert!(text.contains("skipped (not sent)"), "{text}");
    assert!(
        text.contains("ok (settled), answer lost (Http503: no message); settled: AWS shows dr-web-asg has desired_capacity 4"),
        "{text}"
    );
    // A failed run did not recover: never "within the objective", and the RTO's clock goes
    // on after the run stopped.
    assert!(!text.contains("within the objective"), "{text}");
    assert!(
        text.contains("Failed after 3s: not recovered. 2 steps done, 1 failed, 1 skipped.\n"),
        "{text}"
    );
    let start = started.strftime("%Y-%m-%d %H:%M:%S UTC").to_string();
    assert!(
        text.contains(&format!(
            "RTO 15m 00s counted from the run's start ({start}), 9m 12s ago: 5m 48s left.\n"
        )),
        "{text}"
    );
    let late = render_timeline(&run, later(1000));
    assert!(late.contains("16m 40s ago: exceeded by 1m 40s."), "{late}");
    assert!(dir.path().join("run-1/inventory.json").is_file());
}

#[test]
fn run_ids_do_not_collide_and_runs_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let a = JournalWriter::create(dir.path(), header("same"), "{}").unwrap();
    let b = JournalWriter::create(dir.path(), header("same"), "{}").unwrap();
    assert_eq!(a.run_id(), "same");
    assert_eq!(b.run_id(), "same-2");
    a.finish(RunStatus::Completed, None, 1, None).unwrap();
    let runs = list_runs(dir.path()).unwrap();
    assert_eq!(runs.len(), 2);
    let first = runs.iter().find(|r| r.run_id == "same").unwrap();
    assert_eq!(first.status, Some(RunStatus::Completed));
    assert_eq!(
        runs.iter().find(|r| r.run_id == "same-2").unwrap().status,
        None
    );
    assert!(list_runs(&dir.path().join("missing")).unwrap().is_empty());
}

#[test]
fn a_torn_last_line_is_ignored_but_corruption_elsewhere_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let writer = JournalWriter::create(dir.path(), header("torn"), "{}").unwrap();
    writer.intent(&scale()).unwrap();
    let path = dir.path().join("torn/journal.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"at\":\"2026");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(read_run(dir.path(), "torn").unwrap().records.len(), 2);
    std::fs::write(&path, format!("garbage\n{text}\n")).unwrap();
    let err = read_run(dir.path(), "torn").unwrap_err().to_string();
    assert!(err.contains("journal.jsonl:1"), "{err}");
    assert!(read_run(dir.path(), "nope")
        .unwrap_err()
        .to_string()
        .contains("no run nope"));
}
