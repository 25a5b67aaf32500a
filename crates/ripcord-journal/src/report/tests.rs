//! The report's renderers on hand-written journals: a drill with an approval, a parallel
//! group, a lag read before the cutover, a failed and a skipped step; a killed run; a run
//! over its RTO.

use super::*;
use crate::record::{Entry, Observation, Record, RunHeader, RunStatus};
use ripcord_core::{
    Change, Intent, Origin, Outcome, ParallelGroup, Plan, PlanItem, Query, RunbookInfo,
    RunbookMeta, Step, StepKind,
};
use serde_json::{json, Value};

const T0: &str = "2026-11-24T03:00:00Z";

/// `ms` milliseconds after the run's start, as the journal writes times.
fn at(ms: u64) -> String {
    let start: jiff::Timestamp = T0.parse().unwrap();
    start
        .checked_add(jiff::SignedDuration::from_millis(ms as i64))
        .unwrap()
        .to_string()
}

fn web_scale() -> Value {
    json!({"type": "call", "call": {"operation": "UpdateAutoScalingGroup", "Region": "us-west-2", "AutoScalingGroupName": "dr-web-asg", "MinSize": 4, "MaxSize": 10, "DesiredCapacity": 4}})
}
fn app_scale() -> Value {
    json!({"type": "call", "call": {"operation": "UpdateAutoScalingGroup", "Region": "us-west-2", "AutoScalingGroupName": "dr-app-asg", "MinSize": 6, "MaxSize": 12, "DesiredCapacity": 6}})
}
fn promote() -> Value {
    json!({"type": "call", "call": {"operation": "RemoveFromGlobalCluster", "Region": "us-west-2", "GlobalCluster": "shop-global", "DbClusterIdentifier": "dr-db"}})
}
fn wait(kind: &str, name: &str, until: &str) -> Value {
    json!({"type": "wait", "wait": {"target": {"kind": kind, "name": name, "region": "us-west-2"}, "until": until, "timeout_secs": 600}})
}
fn check() -> Value {
    json!({"type": "check", "check": {"check": "bucket_replication", "bucket": "images", "region": "us-west-2"}})
}
fn approval() -> Value {
    json!({"type": "approval", "message": "us-east-1 is down: fail over to <us-west-2>?"})
}
fn health_check() -> Value {
    json!({"type": "call", "call": {"operation": "UpdateHealthCheck", "HealthCheck": "primary-hc", "Disabled": true}})
}
fn publish() -> Value {
    json!({"type": "call", "call": {"operation": "Publish", "Region": "us-west-2", "Topic": "dr-team", "Subject": "done", "Message": "failed over"}})
}

fn intent(v: Value) -> Intent {
    serde_json::from_value(v).unwrap()
}

fn record(ms: u64, entry: Entry) -> Record {
    Record { at: at(ms), entry }
}

fn header(mode: &str) -> Entry {
    Entry::Started(RunHeader {
        run_id: "20261124T030000Z-drill".to_string(),
        mode: mode.to_string(),
        runbook_path: "runbooks/drill.rhai".to_string(),
        runbook_sha256: "ab".repeat(32),
        meta: RunbookMeta {
            name: Some("drill".to_string()),
            rto_secs: Some(900),
            rpo_secs: Some(300),
            ..RunbookMeta::default()
        },
        inventory_file: "inventory.json".to_string(),
        inventory_sha256: "cd".repeat(32),
        account: Some("123456789012".to_string()),
        ripcord_version: "0.1.0".to_string(),
    })
}

fn ok(seq: u64, duration_ms: u64, outcome: Outcome) -> Entry {
    Entry::Result {
        seq,
        ok: true,
        outcome: Some(outcome),
        error_code: None,
        error_message: None,
        duration_ms,
    }
}

fn lag(secs: i64) -> Entry {
    Entry::Observed(Observation::Answer {
        query: Query::Describe {
            target: ripcord_core::Target::DbCluster {
                name: "dr-db".to_string(),
                region: "us-west-2".to_string(),
            },
        },
        answer: Some(
            json!({"id": "dr-db", "engine": "aurora-mysql", "replication_lag_secs": secs}),
        ),
    })
}

/// The drill: check, approval, three branches (scale + wait each; the app's wait fails and
/// the runbook catches it), the health check fails, the notification is skipped; completed
/// after 3m 35s, against the RTO `rto`.
fn drill_records(rto: u64, observed: bool) -> Vec<Record> {
    let mut records = vec![record(0, header("repl"))];
    if observed {
        records.push(record(50, lag(7)));
    }
    records.extend([
        record(
            100,
            Entry::Intent {
                seq: 1,
                intent: intent(check()),
            },
        ),
        record(1_100, ok(1, 1_000, Outcome::default())),
        record(
            1_200,
            Entry::Intent {
                seq: 2,
                intent: intent(approval()),
            },
        ),
        record(
            61_200,
            ok(
                2,
                60_000,
                Outcome {
                    approved_by: Some("alice at the terminal".to_string()),
                    ..Outcome::default()
                },
            ),
        ),
    ]);
    if observed {
        records.push(record(61_250, lag(12)));
    }
    records.extend([
        record(
            61_300,
            Entry::Intent {
                seq: 3,
                intent: intent(web_scale()),
            },
        ),
        record(
            61_310,
            Entry::Intent {
                seq: 4,
                intent: intent(app_scale()),
            },
        ),
        record(
            61_320,
            Entry::Intent {
                seq: 5,
                intent: intent(promote()),
            },
        ),
        record(61_330, Entry::Sending { seq: 3 }),
        record(61_340, Entry::Sending { seq: 4 }),
        record(61_350, Entry::Sending { seq: 5 }),
        record(
            62_300,
            ok(
                3,
                1_000,
                Outcome {
                    request_id: Some("req-3".to_string()),
                    ..Outcome::default()
                },
            ),
        ),
        record(62_310, ok(4, 1_000, Outcome::default())),
        record(
            62_400,
            Entry::Intent {
                seq: 6,
                intent: intent(wait("asg", "dr-web-asg", "in_service")),
            },
        ),
        record(
            62_410,
            Entry::Intent {
                seq: 7,
                intent: intent(wait("asg", "dr-app-asg", "in_service")),
            },
        ),
        record(
            63_320,
            ok(
                5,
                2_000,
                Outcome {
                    changes: vec![Change::new(
                        "Writer",
                        Some("false".into()),
                        Some("true".into()),
                    )],
                    resolved: Some("arn:aws:rds:us-west-2:123456789012:cluster:dr-db".to_string()),
                    ..Outcome::default()
                },
            ),
        ),
        record(
            63_400,
            Entry::Intent {
                seq: 8,
                intent: intent(wait("db_cluster", "dr-db", "available")),
            },
        ),
        record(93_400, ok(8, 30_000, Outcome::default())),
        record(
            182_410,
            Entry::Result {
                seq: 7,
                ok: false,
                outcome: None,
                error_code: Some("ripcord::timeout".to_string()),
                error_message: Some("dr-app-asg has 2 of 6 in service | after 2m".to_string()),
                duration_ms: 120_000,
            },
        ),
        record(212_400, ok(6, 150_000, Outcome::default())),
        record(
            212_500,
            Entry::Intent {
                seq: 9,
                intent: intent(health_check()),
            },
        ),
        record(212_600, Entry::Sending { seq: 9 }),
        record(
            214_500,
            Entry::Result {
                seq: 9,
                ok: false,
                outcome: None,
                error_code: Some("ripcord::unreachable".to_string()),
                error_message: Some("Route 53's control plane does not answer".to_string()),
                duration_ms: 2_000,
            },
        ),
        record(
            214_600,
            Entry::Skipped {
                seq: 10,
                intent: intent(publish()),
            },
        ),
        record(
            215_000,
            Entry::Finished {
                status: RunStatus::Completed,
                error: None,
                total_secs: 215,
                rto_secs: Some(rto),
            },
        ),
    ]);
    records
}

/// A run directory with the capture (`dr-db` 4 s behind at capture).
fn run_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inventory.json"),
        json!({
            "version": 3,
            "account": "123456789012",
            "captured_at": T0,
            "regions": {"us-west-2": {"db_clusters": [{"id": "dr-db", "engine": "aurora-mysql", "replication_lag_secs": 4}]}}
        })
        .to_string(),
    )
    .unwrap();
    dir
}

fn planned(index: u32, v: Value, at_secs: u64, duration_secs: u64, changes: Vec<Change>) -> Step {
    Step {
        index,
        kind: serde_json::from_value::<StepKind>(v).unwrap(),
        service: String::new(),
        operation: String::new(),
        region: None,
        target: None,
        resolved: None,
        creates: None,
        changes,
        at_secs,
        duration_secs,
        warnings: Vec::new(),
        notes: Vec::new(),
        origin: Origin {
            file: "runbooks/drill.rhai".to_string(),
            line: index,
            column: 1,
            via: None,
        },
    }
}

fn change(field: &str, before: &str, after: &str) -> Change {
    Change::new(field, Some(before.to_string()), Some(after.to_string()))
}

/// The drill's plan: 3m 04s, its branches in the runbook's order.
fn drill_plan() -> Plan {
    let mut plan = Plan::new(
        RunbookInfo {
            path: "runbooks/drill.rhai".to_string(),
            sha256: "ab".repeat(32),
            meta: RunbookMeta::default(),
        },
        None,
    );
    plan.items = vec![
        PlanItem::Step(planned(1, check(), 0, 1, vec![])),
        PlanItem::Step(planned(2, approval(), 1, 0, vec![])),
        PlanItem::Parallel(ParallelGroup {
            at_secs: 1,
            duration_secs: 181,
            notes: Vec::new(),
            branches: vec![
                vec![
                    planned(
                        3,
                        web_scale(),
                        1,
                        1,
                        vec![change("DesiredCapacity", "2", "4")],
                    ),
                    planned(4, wait("asg", "dr-web-asg", "in_service"), 2, 180, vec![]),
                ],
                vec![
                    planned(
                        5,
                        app_scale(),
                        1,
                        1,
                        vec![change("DesiredCapacity", "2", "6")],
                    ),
                    planned(6, wait("asg", "dr-app-asg", "in_service"), 2, 180, vec![]),
                ],
                vec![
                    planned(
                        7,
                        promote(),
                        1,
                        1,
                        vec![
                            change("Writer", "false", "true"),
                            change("Status", "available", "modifying"),
                        ],
                    ),
                    planned(
                        8,
                        wait("db_cluster", "dr-db", "available"),
                        2,
                        60,
                        vec![change("Status", "modifying", "available")],
                    ),
                ],
            ],
        }),
        PlanItem::Step(planned(
            9,
            health_check(),
            182,
            1,
            vec![change("Disabled", "false", "true")],
        )),
        PlanItem::Step(planned(10, publish(), 183, 1, vec![])),
    ];
    plan.total_secs = 184;
    plan
}

fn drill(rto: u64, observed: bool) -> (EvidenceReport, tempfile::TempDir) {
    let dir = run_dir();
    let run = Run {
        dir: dir.path().to_path_buf(),
        records: drill_records(rto, observed),
    };
    let estimate = Estimate::Plan {
        plan: Box::new(drill_plan()),
        note: None,
    };
    (EvidenceReport::build(&run, &estimate), dir)
}

/// The `<rect ...>` and `<line ...>` tags of the picture with a class word, as attribute maps.
fn tags(svg: &str, element: &str, class: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    svg.split(&format!("<{element} "))
        .skip(1)
        .map(|rest| {
            let end = rest.find('>').unwrap();
            let mut attrs = std::collections::BTreeMap::new();
            let mut text = &rest[..end];
            while let Some(eq) = text.find("=\"") {
                let name = text[..eq].trim().trim_end_matches('/').to_string();
                let after = &text[eq + 2..];
                let close = after.find('"').unwrap();
                attrs.insert(name, after[..close].to_string());
                text = &after[close + 1..];
            }
            attrs
        })
        .filter(|attrs| {
            attrs
                .get("class")
                .is_some_and(|c| c.split(' ').any(|w| w == class))
        })
        .collect()
}

fn num(attrs: &std::collections::BTreeMap<String, String>, name: &str) -> f64 {
    attrs[name].parse().unwrap()
}

#[test]
fn markdown_has_the_run_every_step_and_the_verdicts() {
    let (report, _dir) = drill(900, true);
    let md = render_markdown(&report);
    for line in [
        "## Evidence report: run 20261124T030000Z-drill",
        "| Runbook | drill (runbooks/drill.rhai) |",
        "| Account | 123456789012 |",
        "| Mode | repl |",
        "| Run by | not recorded",
        "| Status | completed |",
        "| RTO | ✅ **met** | Recovered in 3m 35s against an RTO of 15m 00s: met, 11m 25s to spare. |",
        "The plan estimated 3m 04s",
        "Measured 3m 35s: 31.0s over the estimate.",
        "| RPO | ✅ **met** | Achieved RPO: 12s",
        "against an RPO of 5m 00s: met.",
    ] {
        assert!(md.contains(line), "missing {line:?} in:\n{md}");
    }
    assert!(md.contains(&format!("| Started | {} |", at(0))), "{md}");
    assert!(md.contains(&format!("| Ended | {} |", at(215_000))), "{md}");
    // Every step, in journal order, with its start, duration, estimate, lane and result.
    for row in [
        "| 1 | +0.1s | 1.0s | ~1s at +0s (plan step 1) | 1 | check | check GetBucketReplication images | ok |",
        "| 2 | +1.2s | 1m 00s | ~0s at +1s (plan step 2) | 1 | approval |",
        "| 3 | +1m 01s | 1.0s | ~1s at +1s (plan step 3) | 1 | call | autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2) | ok | DesiredCapacity 2 -> 4 (as planned)<br>request req-3<br>in parallel with 4, 5 |",
        "| 4 | +1m 01s | 1.0s | ~1s at +1s (plan step 5) | 2 | call |",
        "| 5 | +1m 01s | 2.0s | ~1s at +1s (plan step 7) | 3 | call | rds RemoveFromGlobalCluster dr-db (us-west-2) | ok | Writer false -> true<br>resolved to arn:aws:rds:us-west-2:123456789012:cluster:dr-db<br>in parallel with 3, 4, 6, 7 |",
        "| 6 | +1m 02s | 2m 30s | ~3m 00s at +2s (plan step 4) | 1 | wait | wait dr-web-asg until in\\_service | ok |",
        "| 7 | +1m 02s | 2m 00s | ~3m 00s at +2s (plan step 6) | 2 | wait | wait dr-app-asg until in\\_service | ❌ error ripcord::timeout: dr-app-asg has 2 of 6 in service \\| after 2m |",
        "| 8 | +1m 03s | 30.0s | ~1m 00s at +2s (plan step 8) | 3 | wait |",
        "| 9 | +3m 33s | 2.0s | ~1s at +3m 02s (plan step 9) | 1 | call | route53 UpdateHealthCheck primary-hc | ❌ error ripcord::unreachable: Route 53's control plane does not answer |",
        "| 10 | +3m 35s | - | ~1s at +3m 03s (plan step 10) | 1 | call | sns Publish dr-team (us-west-2) | skipped (not sent) |",
    ] {
        assert!(md.contains(row), "missing row {row:?} in:\n{md}");
    }
    assert!(md.contains("lanes are inferred from the times"), "{md}");
    // The approval: who and when; its text escaped.
    assert!(
        md.contains(&format!(
            "| 2 | us-east-1 is down: fail over to &lt;us-west-2>? | alice at the terminal | {} | ok |",
            at(61_200)
        )),
        "{md}"
    );
    // The lag at cutover is the last read before the promote, not the first.
    assert!(
        md.contains(&format!(
            "| DB cluster dr-db (us-west-2) | step 5: rds RemoveFromGlobalCluster dr-db (us-west-2) | 12s | read by the runbook at +1m 01s ({}) |",
            at(61_250)
        )),
        "{md}"
    );
    // What was left changed: journaled where the journal has values, planned otherwise; the
    // failed health check changed nothing.
    for row in [
        "| Auto Scaling group dr-web-asg (us-west-2) | DesiredCapacity | 2 | 4 | 3 (as planned) |",
        "| Auto Scaling group dr-app-asg (us-west-2) | DesiredCapacity | 2 | 6 | 4 (as planned) |",
        "| DB cluster dr-db (us-west-2) | Writer | false | true | 5 |",
        "| DB cluster dr-db (us-west-2) | Status | modifying | available | 8 (as planned) |",
    ] {
        assert!(md.contains(row), "missing {row:?} in:\n{md}");
    }
    assert!(!md.contains("| Disabled |"), "{md}");
    assert!(report.not_started.is_empty(), "{:?}", report.not_started);
}

#[test]
fn the_rto_is_missed_by_the_difference() {
    let (report, _dir) = drill(120, true);
    let (verdict, text) = report.rto_verdict();
    assert_eq!(verdict, Some(Verdict::Missed));
    assert_eq!(
        text,
        "Recovered in 3m 35s against an RTO of 2m 00s: missed by 1m 35s."
    );
    assert!(render_markdown(&report).contains("| RTO | ❌ **missed** |"));
}

#[test]
fn without_a_reading_during_the_run_the_lag_is_the_captures() {
    let (report, _dir) = drill(900, false);
    assert_eq!(report.lags.len(), 1);
    assert_eq!(report.lags[0].lag_secs, Some(4));
    assert_eq!(
        report.lags[0].source,
        Some(LagSource::Captured {
            captured_at: T0.to_string()
        })
    );
    let (verdict, text) = report.rpo_verdict();
    assert_eq!(verdict, Some(Verdict::Met));
    assert!(text.starts_with("Achieved RPO: 4s"), "{text}");
}

#[test]
fn the_timeline_has_a_bar_per_step_lanes_estimates_and_one_rto_line() {
    let (report, _dir) = drill(900, true);
    let svg = timeline_svg(&report);
    let bars = tags(&svg, "rect", "step");
    assert_eq!(bars.len(), 10, "one bar per journaled step:\n{svg}");
    let seqs: Vec<&str> = bars.iter().map(|b| b["data-step"].as_str()).collect();
    assert_eq!(seqs, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    // x grows with the start, at the same scale for every bar.
    let span: f64 = svg
        .split("data-span-ms=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let x0 = num(&bars[0], "x") - num(&bars[0], "data-start-ms") * (960.0 - 300.0 - 24.0) / span;
    for bar in &bars {
        let expected = x0 + num(bar, "data-start-ms") * (960.0 - 300.0 - 24.0) / span;
        assert!((num(bar, "x") - expected).abs() < 0.01, "{bar:?}");
    }
    for pair in bars.windows(2) {
        assert!(num(&pair[0], "data-start-ms") <= num(&pair[1], "data-start-ms"));
        assert!(num(&pair[0], "x") <= num(&pair[1], "x"));
    }
    // Steps that overlapped in time are on different lanes.
    for (i, a) in bars.iter().enumerate() {
        for b in &bars[i + 1..] {
            let (a0, a1) = (
                num(a, "data-start-ms"),
                num(a, "data-start-ms") + num(a, "data-duration-ms"),
            );
            let (b0, b1) = (
                num(b, "data-start-ms"),
                num(b, "data-start-ms") + num(b, "data-duration-ms"),
            );
            if a0 < b1 && b0 < a1 && a1 > a0 && b1 > b0 {
                assert_ne!(a["data-lane"], b["data-lane"], "{a:?} and {b:?} overlap");
            }
        }
    }
    assert_eq!(bars[2]["data-lane"], "0");
    assert_eq!(bars[3]["data-lane"], "1");
    assert_eq!(bars[4]["data-lane"], "2");
    // Failed steps are marked.
    let failed: Vec<&str> = bars
        .iter()
        .filter(|b| b["class"].split(' ').any(|w| w == "failed"))
        .map(|b| b["data-step"].as_str())
        .collect();
    assert_eq!(failed, ["7", "9"]);
    assert_eq!(svg.matches("class=\"fail-mark\"").count(), 2);
    // An estimate bar per matched step, at the plan's times.
    let estimates = tags(&svg, "rect", "estimate");
    assert_eq!(estimates.len(), 10);
    let wait_web = estimates.iter().find(|e| e["data-step"] == "6").unwrap();
    assert_eq!(wait_web["data-plan-step"], "4");
    assert_eq!(wait_web["data-start-ms"], "2000");
    assert_eq!(wait_web["data-duration-ms"], "180000");
    // Exactly one RTO line, at the RTO's x, labelled.
    let rto = tags(&svg, "line", "rto");
    assert_eq!(rto.len(), 1, "{svg}");
    assert_eq!(rto[0]["data-rto-secs"], "900");
    let expected = x0 + 900_000.0 * (960.0 - 300.0 - 24.0) / span;
    assert!((num(&rto[0], "x1") - expected).abs() < 0.01);
    assert!(svg.contains(">RTO 15m</text>"), "{svg}");
    // The parallel stretch is shaded.
    assert!(
        svg.contains("class=\"parallel\" data-steps=\"3 4 5 6 7 8\""),
        "{svg}"
    );
}

#[test]
fn the_html_page_is_self_contained_and_escaped() {
    let (report, _dir) = drill(900, true);
    let page = render_html(&report);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("default-src 'none'"), "nothing is fetched");
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http"));
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""));
    assert!(page.contains("fail over to &lt;us-west-2&gt;?"));
    assert!(page.contains("<td class=\"verdict met\">met</td>"));
    assert!(page.contains("<tr class=\"failed\" data-step=\"7\">"));
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn a_killed_run_says_what_was_in_flight_and_that_it_did_not_recover() {
    let dir = run_dir();
    let run = Run {
        dir: dir.path().to_path_buf(),
        records: vec![
            record(0, header("apply")),
            record(
                100,
                Entry::Intent {
                    seq: 1,
                    intent: intent(web_scale()),
                },
            ),
            record(150, Entry::Sending { seq: 1 }),
            record(
                200,
                Entry::Intent {
                    seq: 2,
                    intent: intent(app_scale()),
                },
            ),
            record(
                5_000,
                Entry::Observed(Observation::Answer {
                    query: Query::Reachable {
                        region: "us-west-2".to_string(),
                    },
                    answer: Some(json!(true)),
                }),
            ),
        ],
    };
    let mut report = EvidenceReport::build(
        &run,
        &Estimate::Unavailable("the runbook runbooks/drill.rhai changed since the run".to_string()),
    );
    report.unfinished = Some("killed".to_string());
    let md = render_markdown(&report);
    assert!(md.contains("| Status | no end record: killed |"), "{md}");
    assert!(md.contains("| RTO | ❌ **not met** | No end record after 5.0s (killed): not recovered as far as the journal shows"), "{md}");
    assert!(md.contains("The plan's estimate is unavailable: the runbook runbooks/drill.rhai changed since the run."), "{md}");
    assert!(md.contains("| 1 | +0.1s | - | — | 1 | call | autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2) | sent, no result recorded"), "{md}");
    assert!(md.contains("| 2 | +0.2s | - | — | 2 | call | autoscaling UpdateAutoScalingGroup dr-app-asg (us-west-2) | no result recorded (the run stopped before its request left)"), "{md}");
    assert!(
        md.contains("Achieved RPO: not measured (the run cut over no database"),
        "{md}"
    );
    assert!(md.contains("The run asked for no approval."), "{md}");
    // In flight until the run's last record: drawn to it, no estimate bars, no RTO line
    // missing (the runbook declares one).
    let svg = timeline_svg(&report);
    let bars = tags(&svg, "rect", "in-flight");
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0]["data-duration-ms"], "4900");
    assert!(tags(&svg, "rect", "estimate").is_empty());
    assert_eq!(tags(&svg, "line", "rto").len(), 1);
}

#[test]
fn a_step_carried_out_again_takes_no_part_in_the_estimate() {
    let dir = run_dir();
    let run = Run {
        dir: dir.path().to_path_buf(),
        records: vec![
            record(0, header("apply")),
            record(
                100,
                Entry::Intent {
                    seq: 1,
                    intent: intent(web_scale()),
                },
            ),
            record(
                60_000,
                Entry::Resumed {
                    pid: 4242,
                    next_seq: 2,
                },
            ),
            record(
                60_100,
                Entry::Result {
                    seq: 1,
                    ok: false,
                    outcome: None,
                    error_code: Some(crate::SUPERSEDED.to_string()),
                    error_message: Some(
                        "carried out again by process 4242 (apply --resume)".to_string(),
                    ),
                    duration_ms: 0,
                },
            ),
            record(
                60_200,
                Entry::Intent {
                    seq: 2,
                    intent: intent(web_scale()),
                },
            ),
            record(61_200, ok(2, 1_000, Outcome::default())),
        ],
    };
    let report = EvidenceReport::build(
        &run,
        &Estimate::Plan {
            plan: Box::new(drill_plan()),
            note: None,
        },
    );
    assert_eq!(report.steps[0].planned, None);
    assert_eq!(report.steps[1].planned.as_ref().map(|p| p.index), Some(3));
    assert_eq!(report.resumes.len(), 1);
    let md = render_markdown(&report);
    assert!(md.contains("| 1 | +0.1s | - | — | 1 | call | autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2) | superseded: carried out again by process 4242"), "{md}");
    assert!(md.contains("Resumed at +1m 00s"), "{md}");
    assert!(md.contains("Planned but not in the journal (9)"), "{md}");
}
