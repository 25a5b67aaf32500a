//! `ripcord runs report`: the evidence report of the e-commerce failover applied against
//! moto, in Markdown (every journaled step, the approval, the verdicts, the plan's estimate)
//! and in HTML (the timeline picture's structure); the estimate unavailable when the runbook
//! changed or is gone.

use super::live::{inventory_of, journal_lines};
use super::moto::{ripcord_env, Moto};
use super::{stderr, stdout};
use ripcord_core::duration::format_duration;
use ripcord_core::Intent;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RUNBOOK: &str = "runbooks/ecommerce/failover.rhai";

/// The failover applied against a seeded moto: the home, the runs directory and the run id.
fn applied_failover() -> (tempfile::TempDir, PathBuf, String) {
    let moto = Moto::start();
    moto.seed(&inventory_of(RUNBOOK));
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let apply = ripcord_env(
        &[
            "apply",
            RUNBOOK,
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home.path(),
        &[("AWS_ENDPOINT_URL", moto.url.as_str())],
    );
    assert!(apply.status.success(), "apply failed:\n{}", stderr(&apply));
    let id = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .find(|entry| entry.path().join("journal.jsonl").is_file())
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    (home, runs, id)
}

fn report(runs: &Path, id: &str, home: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["runs", "report", id, "--runs-dir", runs.to_str().unwrap()];
    args.extend_from_slice(extra);
    ripcord_env(&args, home, &[])
}

/// The `<TAG ...>` elements of `svg` whose class has `class`, as attribute maps.
fn elements(svg: &str, tag: &str, class: &str) -> Vec<BTreeMap<String, String>> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .map(|rest| {
            let mut attrs = BTreeMap::new();
            let mut text = &rest[..rest.find('>').unwrap()];
            while let Some(eq) = text.find("=\"") {
                let name = text[..eq].trim().to_string();
                let after = &text[eq + 2..];
                let close = after.find('"').unwrap();
                attrs.insert(name, after[..close].to_string());
                text = &after[close + 1..];
            }
            attrs
        })
        .filter(|a| {
            a.get("class")
                .is_some_and(|c| c.split(' ').any(|w| w == class))
        })
        .collect()
}

fn num(attrs: &BTreeMap<String, String>, name: &str) -> f64 {
    attrs[name]
        .parse()
        .unwrap_or_else(|_| panic!("{name} of {attrs:?}"))
}

#[test]
fn the_evidence_report_of_an_applied_failover() {
    let (home, runs, id) = applied_failover();
    let journal = journal_lines(&runs);
    let started = journal.iter().find(|r| r["type"] == "started").unwrap();
    let intents: Vec<(u64, Intent)> = journal
        .iter()
        .filter(|r| r["type"] == "intent")
        .map(|r| {
            (
                r["seq"].as_u64().unwrap(),
                serde_json::from_value(r["intent"].clone()).unwrap(),
            )
        })
        .collect();
    let results: BTreeMap<u64, &Value> = journal
        .iter()
        .filter(|r| r["type"] == "result")
        .map(|r| (r["seq"].as_u64().unwrap(), r))
        .collect();
    assert!(intents.len() >= 10, "the failover journals its steps");

    // The plan against the run's own capture: the estimate the report must state.
    let inventory = runs.join(&id).join("inventory.json");
    let plan = ripcord_env(
        &[
            "plan",
            RUNBOOK,
            "--inventory",
            inventory.to_str().unwrap(),
            "-f",
            "json",
        ],
        home.path(),
        &[],
    );
    let plan: Value = serde_json::from_str(&stdout(&plan)).unwrap();
    let estimate = format_duration(plan["total_secs"].as_u64().unwrap());

    let out = report(&runs, &id, home.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = stdout(&out);
    for line in [
        format!("## Evidence report: run {id}"),
        format!("| Run | {id} |"),
        format!(
            "| Runbook SHA-256 | {} |",
            started["runbook_sha256"].as_str().unwrap()
        ),
        "| Runbook | ecommerce-failover (runbooks/ecommerce/failover.rhai) |".to_string(),
        "| Account | 123456789012 |".to_string(),
        "| Mode | apply |".to_string(),
        "| Run by | not recorded".to_string(),
        "| Status | completed |".to_string(),
        format!("| Started | {} |", journal[0]["at"].as_str().unwrap()),
        format!(
            "| Ended | {} |",
            journal.last().unwrap()["at"].as_str().unwrap()
        ),
        "| RTO | ✅ **met** | Recovered in ".to_string(),
        "against an RTO of 15m 00s: met, ".to_string(),
        format!("The plan estimated {estimate} (recomputed: runbooks/ecommerce/failover.rhai at the journaled SHA-256"),
    ] {
        assert!(md.contains(&line), "missing {line:?} in:\n{md}");
    }
    // Every journaled step, with its result and the planned step it was matched with.
    for (seq, intent) in &intents {
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| {seq} | +")))
            .unwrap_or_else(|| panic!("no row for step {seq}:\n{md}"));
        let label = intent.label().replace('_', "\\_");
        assert!(row.contains(&label), "step {seq} is {label}: {row}");
        assert!(row.contains("| ok |"), "step {seq}: {row}");
        assert!(
            row.contains("(plan step "),
            "step {seq} has its estimate: {row}"
        );
    }
    // The approval: the question, who approved it and when.
    let (approval_seq, message) = intents
        .iter()
        .find_map(|(seq, i)| match i {
            Intent::Approval { message } => Some((*seq, message.clone())),
            _ => None,
        })
        .expect("the failover asks for an approval");
    let result = results[&approval_seq];
    let approver = result["outcome"]["approved_by"].as_str().unwrap();
    assert!(approver.ends_with("(--approve-gates)"), "{approver}");
    let row = format!(
        "| {approval_seq} | {message} | {approver} | {} | ok |",
        result["at"].as_str().unwrap()
    );
    assert!(md.contains(&row), "missing {row:?} in:\n{md}");
    // The RPO: the lag the runbook read before removing the cluster from the global
    // database, against the 5m RPO.
    let cutover = intents
        .iter()
        .find(|(_, i)| matches!(i, Intent::Call { call } if call.operation() == "RemoveFromGlobalCluster"))
        .unwrap()
        .0;
    let lag = journal
        .iter()
        .take_while(|r| !(r["type"] == "intent" && r["seq"] == cutover))
        .filter(|r| r["type"] == "observed")
        .filter_map(|r| r["answer"]["replication_lag_secs"].as_i64())
        .last()
        .expect("the runbook reads the standby's lag before the cutover");
    assert!(
        md.contains(&format!(
            "| RPO | ✅ **met** | Achieved RPO: {}",
            format_duration(lag as u64)
        )),
        "{md}"
    );
    assert!(md.contains(&format!("| DB cluster dr-aurora-cluster (us-west-2) | step {cutover}: rds RemoveFromGlobalCluster dr-aurora-cluster (us-west-2) | {lag}s | read by the runbook at +")), "{md}");
    // What the run left changed.
    for row in [
        "| Auto Scaling group dr-web-asg (us-west-2) | DesiredCapacity | 2 | 4 |",
        "| Auto Scaling group dr-app-asg (us-west-2) | DesiredCapacity | 2 | 6 |",
        "| health check ECommerce-Primary-HealthCheck | Disabled | false | true |",
    ] {
        assert!(md.contains(row), "missing {row:?} in:\n{md}");
    }

    // The HTML page, written to a file: its timeline picture.
    let page = home.path().join("evidence.html");
    let out = report(
        &runs,
        &id,
        home.path(),
        &["--format", "html", "-o", page.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "the page goes to the file");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no script");
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let span: f64 = svg
        .split("data-span-ms=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let per_ms = (960.0 - 300.0 - 24.0) / span;
    let bars = elements(svg, "rect", "step");
    let seqs: Vec<u64> = bars.iter().map(|b| num(b, "data-step") as u64).collect();
    let journaled: Vec<u64> = intents.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, journaled, "one bar per journaled step, in order");
    let x0 = 300.0;
    for pair in bars.windows(2) {
        assert!(num(&pair[0], "data-start-ms") <= num(&pair[1], "data-start-ms"));
        assert!(num(&pair[0], "x") <= num(&pair[1], "x"), "{pair:?}");
    }
    for bar in &bars {
        let expected = x0 + num(bar, "data-start-ms") * per_ms;
        assert!((num(bar, "x") - expected).abs() < 0.01, "{bar:?}");
        assert!(bar["class"].split(' ').any(|w| w == "ok"), "{bar:?}");
    }
    // The parallel group's steps overlap in time, and overlapping bars are on different
    // lanes.
    let mut overlapping = 0;
    for (i, a) in bars.iter().enumerate() {
        for b in &bars[i + 1..] {
            let (a0, b0) = (num(a, "data-start-ms"), num(b, "data-start-ms"));
            let (a1, b1) = (
                a0 + num(a, "data-duration-ms"),
                b0 + num(b, "data-duration-ms"),
            );
            if a0 < b1 && b0 < a1 && a1 > a0 && b1 > b0 {
                overlapping += 1;
                assert_ne!(a["data-lane"], b["data-lane"], "{a:?} and {b:?} overlap");
            }
        }
    }
    assert!(
        overlapping >= 2,
        "the parallel group's steps overlap:\n{svg}"
    );
    // An estimate bar per matched step (all of them), at the plan's times.
    let estimates = elements(svg, "rect", "estimate");
    assert_eq!(estimates.len(), bars.len());
    for e in &estimates {
        let expected = x0 + num(e, "data-start-ms") * per_ms;
        assert!((num(e, "x") - expected).abs() < 0.01, "{e:?}");
    }
    // Exactly one RTO line, at 15 minutes, labelled.
    let rto = elements(svg, "line", "rto");
    assert_eq!(rto.len(), 1, "{svg}");
    assert_eq!(rto[0]["data-rto-secs"], "900");
    assert!((num(&rto[0], "x1") - (x0 + 900_000.0 * per_ms)).abs() < 0.01);
    assert!(svg.contains(">RTO 15m</text>"));

    // The runbook changed since the run, or is gone: no estimate, and the report says why.
    for (field, value, why) in [
        (
            "runbook_sha256",
            "0".repeat(64),
            "The plan's estimate is unavailable: the runbook runbooks/ecommerce/failover.rhai changed since the run (SHA-256 000000000000 then,",
        ),
        (
            "runbook_path",
            "runbooks/ecommerce/gone.rhai".to_string(),
            "The plan's estimate is unavailable: the runbook runbooks/ecommerce/gone.rhai cannot be read from",
        ),
    ] {
        let other = home.path().join(format!("runs-{field}"));
        std::fs::create_dir_all(other.join(&id)).unwrap();
        std::fs::copy(&inventory, other.join(&id).join("inventory.json")).unwrap();
        let text = std::fs::read_to_string(runs.join(&id).join("journal.jsonl")).unwrap();
        let mut lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        lines[0][field] = Value::String(value);
        let edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        std::fs::write(other.join(&id).join("journal.jsonl"), edited.join("\n") + "\n").unwrap();
        let out = report(&other, &id, home.path(), &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let md = stdout(&out);
        assert!(md.contains(why), "missing {why:?} in:\n{md}");
        assert!(!md.contains("(plan step "), "{md}");
        assert!(md.contains("| RTO | ✅ **met** |"), "the verdict needs no plan:\n{md}");
        let out = report(&other, &id, home.path(), &["-f", "html"]);
        assert!(elements(&stdout(&out), "rect", "estimate").is_empty());
        assert_eq!(elements(&stdout(&out), "rect", "step").len(), intents.len());
    }

    // An unknown run is an input error, as for `runs show`.
    let out = report(&runs, "no-such-run", home.path(), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no run no-such-run"),
        "{}",
        stderr(&out)
    );
}
