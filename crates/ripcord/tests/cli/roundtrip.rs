//! The round trips (issue 16): the e-commerce failover and the pilot-light ignition, each
//! followed by its failback right after it, against moto. The failback re-establishes replication from us-west-2 (a new global
//! database of the old name, the stale primary deleted after a final snapshot and created
//! again as the secondary), switches back, and the world ends as it started, but for the final
//! snapshot. The dry-run says the same beforehand: the failback planned against the
//! failover's end state is a golden.

use super::live::{capture_of, facts, inventory_of};
use super::moto::{ripcord_env, Moto};
use super::plan::golden;
use super::{stderr, stdout};
use ripcord_core::Inventory;
use std::collections::BTreeSet;

const FAILOVER: &str = "runbooks/ecommerce/failover.rhai";
const FAILBACK: &str = "runbooks/ecommerce/failback.rhai";
const IGNITE: &str = "runbooks/pilot-light/ignite.rhai";
const PILOT_FAILBACK: &str = "runbooks/pilot-light/failback.rhai";

/// The facts of a world, without its snapshot counts (the round trip leaves a final snapshot,
/// and moto takes automated ones of what it creates).
fn facts_without_snapshots(world: &Inventory) -> BTreeSet<String> {
    facts(world)
        .into_iter()
        .filter(|f| !f.starts_with("db-snapshots ") && !f.starts_with("ebs-snapshots "))
        .collect()
}

fn load(path: &std::path::Path) -> Inventory {
    Inventory::load(path).unwrap().0
}

/// `failback` planned against the simulated end state of `failover`: it plans `operations`,
/// and matches its golden `golden`.
fn planned_after(failover: &str, failback: &str, operations: &[&str], golden_name: &str) {
    let home = tempfile::tempdir().unwrap();
    let end = home.path().join("after-failover.json");
    let out = ripcord_env(
        &["plan", failover, "--end-state", end.to_str().unwrap()],
        home.path(),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let planned = ripcord_env(
        &[
            "plan",
            failback,
            "-i",
            end.to_str().unwrap(),
            "--color",
            "never",
        ],
        home.path(),
        &[],
    );
    assert!(planned.status.success(), "{}", stderr(&planned));
    let text = stdout(&planned);
    for operation in operations {
        assert!(
            text.contains(operation),
            "{operation} is not planned:\n{text}"
        );
    }
    // The inventory path is a temporary file: the golden names it by its file name only.
    let text = text.replace(end.to_str().unwrap(), "after-failover.json");
    golden(golden_name, &text);
}

#[test]
fn the_failback_after_the_failover_is_planned_first() {
    planned_after(
        FAILOVER,
        FAILBACK,
        &[
            "RemoveFromGlobalCluster",
            "DeleteGlobalCluster",
            "DeleteDBCluster",
            "CreateGlobalCluster",
            "CreateDBCluster",
            "SwitchoverGlobalCluster",
        ],
        "ecommerce__failback.after-failover.txt",
    );
    planned_after(
        IGNITE,
        PILOT_FAILBACK,
        &[
            "DeleteDBInstance",
            "CreateDBInstanceReadReplica",
            "PromoteReadReplica",
            "ChangeResourceRecordSets",
        ],
        "pilot-light__failback.after-ignite.txt",
    );
}

/// Applies `failover` then `failback` against moto seeded with the failover's world: the
/// world ends as it started, but for the final snapshots, which are listed.
fn round_trip(failover: &str, failback: &str, finals: &[(&str, &str)]) {
    let moto = Moto::start();
    moto.seed(&inventory_of(failover));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let start = load(&capture_of(&moto, failover, dir, "start.json"));
    let endpoint = [("AWS_ENDPOINT_URL", moto.url.as_str())];
    for runbook in [failover, failback] {
        let runs = dir.join(format!("runs-{}", runbook.replace('/', "-")));
        let out = ripcord_env(
            &[
                "apply",
                runbook,
                "--yes",
                "--approve-gates",
                "--runs-dir",
                runs.to_str().unwrap(),
            ],
            dir,
            &endpoint,
        );
        assert!(
            out.status.success(),
            "{runbook}:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }
    let end = load(&capture_of(&moto, failover, dir, "end.json"));
    assert_eq!(
        facts_without_snapshots(&start),
        facts_without_snapshots(&end),
        "{failover} then {failback} changed the world"
    );
    // What cannot return: the final snapshots stay, by design.
    for (region, id) in finals {
        let r = &end.regions[*region];
        let found = r
            .db_cluster_snapshots
            .iter()
            .chain(&r.db_snapshots)
            .any(|s| s.id == *id);
        assert!(found, "no final snapshot {id} in {region}");
    }
}

#[test]
fn the_failover_and_the_failback_leave_the_world_as_it_was() {
    round_trip(
        FAILOVER,
        FAILBACK,
        &[("us-east-1", "ecommerce-aurora-cluster-before-failback")],
    );
}

#[test]
fn the_ignition_and_the_pilot_light_failback_leave_the_world_as_it_was() {
    round_trip(
        IGNITE,
        PILOT_FAILBACK,
        &[
            ("us-east-1", "production-mysql-before-failback"),
            ("us-west-2", "dr-mysql-replica-before-relight"),
        ],
    );
}

/// `ripcord drill`: the failover and the failback as one exercise against moto, and its
/// evidence in both formats.
#[test]
fn a_drill_runs_the_round_trip_and_writes_its_evidence() {
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let runs = dir.join("runs");
    let evidence = dir.join("evidence");
    let out = ripcord_env(
        &[
            "drill",
            FAILOVER,
            "--failback",
            FAILBACK,
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--report-dir",
            evidence.to_str().unwrap(),
        ],
        dir,
        &[("AWS_ENDPOINT_URL", moto.url.as_str())],
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(evidence.join("drill.json")).unwrap())
            .unwrap();
    assert_eq!(record["completed"], true, "{record}");
    let phases = record["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 2, "{record}");
    let run_ids: Vec<&str> = phases
        .iter()
        .map(|p| {
            assert_eq!(p["outcome"], "completed", "{p}");
            p["run_id"].as_str().unwrap()
        })
        .collect();
    assert!(run_ids[0].contains("ecommerce-failover") && run_ids[1].contains("ecommerce-failback"));

    let markdown = std::fs::read_to_string(evidence.join("evidence.md")).unwrap();
    assert!(markdown.starts_with("# DR drill "), "{markdown}");
    for id in &run_ids {
        assert!(
            markdown.contains(id),
            "{id} is not in the report:\n{markdown}"
        );
    }
    for operation in [
        "RemoveFromGlobalCluster",
        "CreateGlobalCluster",
        "SwitchoverGlobalCluster",
    ] {
        assert!(markdown.contains(operation), "{operation}:\n{markdown}");
    }
    let html = std::fs::read_to_string(evidence.join("evidence.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert_eq!(html.matches("<svg").count(), 2, "one timeline per phase");
    assert_eq!(
        html.matches("<line class=\"rto\"").count(),
        2,
        "one RTO line per phase"
    );
    assert_eq!(html.matches("<section class=\"phase\"").count(), 2);
    assert!(!html.contains("<script"), "self-contained, no script");
}

/// The day a drill is interrupted: its process killed while the failover's scaling requests
/// hang (the fault proxy holds them), then `drill --resume`: the failover's own run is found
/// and resumed (the requests that never reached AWS sent again, no second failover run), then
/// the failback runs, and the drill's evidence covers both.
#[test]
fn an_interrupted_drill_is_resumed_where_it_stopped() {
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    let proxy = ripcord_testkit::FaultProxy::start(
        &moto,
        7,
        r#"[{"service": "autoscaling", "operation": "UpdateAutoScalingGroup", "fault": "hang", "seconds": 20}]"#,
    );
    let endpoint = proxy.endpoint();
    let env = [("AWS_ENDPOINT_URL", endpoint.as_str())];
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let runs = dir.join("runs");
    let runs_dir = runs.to_str().unwrap();
    fn drill<'a>(extra: &[&'a str], runs_dir: &'a str) -> Vec<&'a str> {
        let mut args = vec!["drill"];
        args.extend_from_slice(extra);
        args.extend(["--yes", "--approve-gates", "--runs-dir", runs_dir]);
        args
    }
    let mut child = super::moto::ripcord_command(
        &drill(&[FAILOVER, "--failback", FAILBACK], runs_dir),
        dir,
        &env,
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Killed once a scaling request is journaled (and held by the proxy).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the drill ended before it was killed"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "no scaling request in 60 s"
        );
        let journaled = std::fs::read_dir(&runs).ok().is_some_and(|entries| {
            entries.flatten().any(|e| {
                std::fs::read_to_string(e.path().join("journal.jsonl"))
                    .is_ok_and(|j| j.contains("\"UpdateAutoScalingGroup\""))
            })
        });
        let held = proxy
            .log()
            .iter()
            .any(|r| r.operation == "UpdateAutoScalingGroup" && r.fault.as_deref() == Some("hang"));
        if journaled && held {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let drills = runs.join("drills");
    let drill_id = std::fs::read_dir(&drills)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    let record = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let state = record(&drills.join(&drill_id).join("drill.json"));
    assert_eq!(state["phases"][0]["outcome"], "running", "{state}");
    assert_eq!(state["phases"][1]["outcome"], "not run", "{state}");

    proxy.set_rules("[]");
    let out = ripcord_env(&drill(&["--resume", &drill_id], runs_dir), dir, &env);
    let said = stderr(&out);
    assert!(out.status.success(), "{}\n{said}", stdout(&out));
    assert!(said.contains(": failover: resuming run "), "{said}");
    let done = record(&drills.join(&drill_id).join("drill.json"));
    assert_eq!(done["completed"], true, "{done}");
    let run_ids: Vec<&str> = done["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["outcome"], "completed", "{p}");
            p["run_id"].as_str().unwrap()
        })
        .collect();
    // One run per phase: the failover's was resumed, not run again.
    let journals: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("journal.jsonl").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(journals.len(), 2, "{journals:?}");
    for id in &run_ids {
        assert!(journals.iter().any(|j| j == id), "{id} in {journals:?}");
    }
    let markdown = std::fs::read_to_string(drills.join(&drill_id).join("evidence.md")).unwrap();
    for id in &run_ids {
        assert!(markdown.contains(id), "{id}:\n{markdown}");
    }
    // The held requests never reached AWS; the resumed run sent each group's once.
    let reached = proxy
        .log()
        .into_iter()
        .filter(|r| r.operation == "UpdateAutoScalingGroup" && r.forwarded)
        .count();
    assert!(reached >= 2, "{}", proxy.log_json());
    let out = ripcord_env(&drill(&["--resume", &drill_id], runs_dir), dir, &env);
    assert_eq!(
        out.status.code(),
        Some(4),
        "a completed drill: {}",
        stderr(&out)
    );
}
