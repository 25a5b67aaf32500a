//! The round trip (issue 16): the e-commerce failover, then the failback right after it,
//! against moto. The failback re-establishes replication from us-west-2 (a new global
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

#[test]
fn the_failback_after_the_failover_is_planned_first() {
    let home = tempfile::tempdir().unwrap();
    let end = home.path().join("after-failover.json");
    let failover = ripcord_env(
        &["plan", FAILOVER, "--end-state", end.to_str().unwrap()],
        home.path(),
        &[],
    );
    assert!(failover.status.success(), "{}", stderr(&failover));
    let failback = ripcord_env(
        &[
            "plan",
            FAILBACK,
            "-i",
            end.to_str().unwrap(),
            "--color",
            "never",
        ],
        home.path(),
        &[],
    );
    assert!(failback.status.success(), "{}", stderr(&failback));
    let text = stdout(&failback);
    for operation in [
        "RemoveFromGlobalCluster",
        "DeleteGlobalCluster",
        "DeleteDBCluster",
        "CreateGlobalCluster",
        "CreateDBCluster",
        "SwitchoverGlobalCluster",
    ] {
        assert!(
            text.contains(operation),
            "{operation} is not planned:\n{text}"
        );
    }
    // The inventory path is a temporary file: the golden names it by its file name only.
    let text = text.replace(end.to_str().unwrap(), "after-failover.json");
    golden("ecommerce__failback.after-failover.txt", &text);
}

#[test]
fn the_failover_and_the_failback_leave_the_world_as_it_was() {
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let start = load(&capture_of(&moto, FAILOVER, dir, "start.json"));
    let endpoint = [("AWS_ENDPOINT_URL", moto.url.as_str())];
    for runbook in [FAILOVER, FAILBACK] {
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
    let end = load(&capture_of(&moto, FAILOVER, dir, "end.json"));
    assert_eq!(
        facts_without_snapshots(&start),
        facts_without_snapshots(&end),
        "the round trip changed the world"
    );
    // What cannot return: the stale primary's final snapshot stays, by design.
    let finals: Vec<&str> = end.regions["us-east-1"]
        .db_cluster_snapshots
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert!(
        finals.contains(&"ecommerce-aurora-cluster-before-failback"),
        "{finals:?}"
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
