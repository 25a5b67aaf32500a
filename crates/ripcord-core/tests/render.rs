//! The three renderings of a plan (text, Markdown, JSON), on plans built by hand.

use ripcord_core::ops;
use ripcord_core::render::{self, TextStyle};
use ripcord_core::{
    Call, Change, CheckSpec, InventoryInfo, Origin, ParallelGroup, Plan, PlanFailure, PlanItem,
    RunbookInfo, RunbookMeta, Step, StepKind, Target, WaitSpec, WaitState,
};
use std::collections::BTreeMap;

const RUNBOOK: &str = "runbooks/ecommerce/failover.rhai";

fn origin(line: u32) -> Origin {
    Origin {
        file: RUNBOOK.to_string(),
        line,
        column: 5,
        via: None,
    }
}

fn change(field: &str, before: Option<&str>, after: Option<&str>) -> Change {
    Change::new(field, before.map(str::to_string), after.map(str::to_string))
}

/// A step as the interpreter records it, with no changes, warnings or resolution yet.
fn step(index: u32, kind: StepKind, at_secs: u64, duration_secs: u64, line: u32) -> Step {
    let (service, operation, region, target) = match &kind {
        StepKind::Call { call } => (
            call.service().to_string(),
            call.operation().to_string(),
            call.region().map(str::to_string),
            Some(call.target()),
        ),
        StepKind::Wait { wait } => (
            match wait.target {
                Target::Asg { .. } => "autoscaling",
                Target::DnsChange { .. } => "route53",
                Target::Volume { .. } | Target::EbsSnapshot { .. } => "ec2",
                _ => "rds",
            }
            .to_string(),
            wait.operation().to_string(),
            wait.target.region().map(str::to_string),
            Some(wait.target.clone()),
        ),
        StepKind::Check { check } => (
            check.service().to_string(),
            check.operation().to_string(),
            None,
            Some(check.target()),
        ),
        StepKind::Approval { .. } => ("ripcord".to_string(), "approve".to_string(), None, None),
        StepKind::Note { .. } => ("ripcord".to_string(), "print".to_string(), None, None),
    };
    Step {
        index,
        kind,
        service,
        operation,
        region,
        target,
        resolved: None,
        creates: None,
        changes: Vec::new(),
        at_secs,
        duration_secs,
        warnings: Vec::new(),
        notes: Vec::new(),
        origin: origin(line),
    }
}

/// `scale(asg(name, "us-west-2"), #{min, max, desired})` with its before -> after changes.
fn scale(index: u32, name: &str, sizes: [(i64, i64); 3], at_secs: u64, line: u32) -> Step {
    let call = Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
        region: "us-west-2".to_string(),
        auto_scaling_group_name: name.to_string(),
        min_size: Some(sizes[0].1),
        max_size: Some(sizes[1].1),
        desired_capacity: Some(sizes[2].1),
    });
    let mut step = step(index, StepKind::Call { call }, at_secs, 1, line);
    for (field, (before, after)) in ["MinSize", "MaxSize", "DesiredCapacity"].iter().zip(sizes) {
        step.changes.push(change(
            field,
            Some(&before.to_string()),
            Some(&after.to_string()),
        ));
    }
    step
}

fn wait(index: u32, target: Target, until: WaitState, at: u64, secs: u64, line: u32) -> Step {
    let wait = WaitSpec {
        target,
        until,
        timeout_secs: 1800,
    };
    step(index, StepKind::Wait { wait }, at, secs, line)
}

fn approval(index: u32, message: &str, at: u64, line: u32) -> Step {
    let kind = StepKind::Approval {
        message: message.to_string(),
    };
    step(index, kind, at, 0, line)
}

fn note(index: u32, text: &str, at: u64, line: u32) -> Step {
    let kind = StepKind::Note {
        text: text.to_string(),
    };
    step(index, kind, at, 0, line)
}

fn asg(name: &str) -> Target {
    Target::Asg {
        name: name.to_string(),
        region: "us-west-2".to_string(),
    }
}

fn plan_of(items: Vec<PlanItem>, rto: Option<&str>, total_secs: u64) -> Plan {
    let runbook = RunbookInfo {
        path: RUNBOOK.to_string(),
        sha256: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b".to_string(),
        meta: RunbookMeta {
            name: Some("ecommerce-failover".to_string()),
            description: Some("Warm standby failover from us-east-1 to us-west-2".to_string()),
            rto_secs: rto.map(|r| ripcord_core::duration::parse_duration(r).unwrap()),
            rpo_secs: Some(300),
            accounts: vec!["123456789012".to_string()],
            regions: vec!["us-east-1".to_string(), "us-west-2".to_string()],
        },
    };
    let inventory = InventoryInfo {
        path: "runbooks/ecommerce/inventory.yaml".to_string(),
        sha256: "ffee".to_string(),
        account: Some("123456789012".to_string()),
        captured_at: "2026-11-24T03:00:00Z".to_string(),
        unreachable: Vec::new(),
    };
    let mut plan = Plan::new(runbook, Some(inventory));
    plan.items = items;
    plan.total_secs = total_secs;
    plan.recount();
    plan
}

/// The failover of the brief: a note, a scale, a parallel group, an approval, a promotion
/// through the standard library, a wait, a check and a notification.
fn failover(rto: Option<&str>) -> Plan {
    let mut health = step(
        5,
        StepKind::Call {
            call: Call::UpdateHealthCheck(ops::UpdateHealthCheck {
                health_check: "ECommerce-Primary-HealthCheck".to_string(),
                disabled: Some(true),
                inverted: None,
            }),
        },
        1,
        1,
        27,
    );
    health.resolved = Some("abcd-1234".to_string());
    health.changes = vec![change("Disabled", Some("false"), Some("true"))];

    let mut promote = step(
        7,
        StepKind::Call {
            call: Call::RemoveFromGlobalCluster(ops::RemoveFromGlobalCluster {
                region: "us-west-2".to_string(),
                global_cluster: "ecommerce-global".to_string(),
                db_cluster: "dr-aurora-cluster".to_string(),
            }),
        },
        181,
        1,
        12,
    );
    promote.origin = Origin {
        file: "stdlib/warm_standby.rhai".to_string(),
        line: 12,
        column: 9,
        via: Some(Box::new(origin(40))),
    };
    promote.changes = vec![change(
        "GlobalClusterMember",
        Some("ecommerce-global"),
        None,
    )];
    promote.warnings = vec!["the cluster stops replicating from us-east-1".to_string()];

    let cluster = Target::DbCluster {
        name: "dr-aurora-cluster".to_string(),
        region: "us-west-2".to_string(),
    };
    let check = step(
        9,
        StepKind::Check {
            check: CheckSpec::BucketReplication {
                bucket: "ecommerce-assets".to_string(),
                region: "us-west-2".to_string(),
            },
        },
        242,
        1,
        50,
    );
    let publish = step(
        10,
        StepKind::Call {
            call: Call::Publish(ops::Publish {
                region: "us-west-2".to_string(),
                topic: "dr-notifications".to_string(),
                subject: "DR Failover Completed".to_string(),
                message: "The failover to us-west-2 is complete.".to_string(),
            }),
        },
        243,
        1,
        60,
    );

    let items = vec![
        PlanItem::Step(note(1, "Scaling up web tier...", 0, 22)),
        PlanItem::Step(scale(2, "dr-web-asg", [(2, 4), (5, 10), (2, 4)], 0, 23)),
        PlanItem::Parallel(ParallelGroup {
            at_secs: 1,
            duration_secs: 180,
            notes: Vec::new(),
            branches: vec![
                vec![
                    scale(3, "dr-api-asg", [(1, 2), (3, 6), (1, 2)], 1, 25),
                    wait(4, asg("dr-api-asg"), WaitState::InService, 2, 179, 26),
                ],
                vec![health],
            ],
        }),
        PlanItem::Step(approval(6, "Promote the DR database?", 181, 30)),
        PlanItem::Step(promote),
        PlanItem::Step(wait(8, cluster, WaitState::Available, 182, 60, 41)),
        PlanItem::Step(check),
        PlanItem::Step(publish),
    ];
    plan_of(items, rto, 244)
}

const PLAIN: TextStyle = TextStyle {
    color: false,
    summary_only: false,
};

const COLOR: TextStyle = TextStyle {
    color: true,
    summary_only: false,
};

fn snapshot(index: u32, n: u32, at_secs: u64) -> Step {
    let call = Call::CreateSnapshot(ops::CreateSnapshot {
        region: "us-east-1".to_string(),
        volume: format!("vol-{n:05}"),
        description: "nightly".to_string(),
        tags: BTreeMap::from([("team".to_string(), "dr".to_string())]),
    });
    let mut step = step(index, StepKind::Call { call }, at_secs, 1, 5);
    step.origin.file = "bench/bench.rhai".to_string();
    step.creates = Some(format!("snap-{n:05}"));
    step.changes = vec![change("State", None, Some("pending"))];
    step
}

fn publish(index: u32, subject: &str, at_secs: u64) -> Step {
    let call = Call::Publish(ops::Publish {
        region: "us-west-2".to_string(),
        topic: "dr-notifications".to_string(),
        subject: subject.to_string(),
        message: "m".to_string(),
    });
    step(index, StepKind::Call { call }, at_secs, 1, 60)
}

fn health_check(index: u32, disabled: bool, at_secs: u64) -> Step {
    let call = Call::UpdateHealthCheck(ops::UpdateHealthCheck {
        health_check: "ECommerce-Primary-HealthCheck".to_string(),
        disabled: Some(disabled),
        inverted: None,
    });
    step(index, StepKind::Call { call }, at_secs, 1, 70)
}

/// 10,000 steps: 11 scales, 8,000 snapshots in a row, then 1,989 steps that never repeat
/// their neighbour's operation.
fn bench_plan() -> Plan {
    let mut items = Vec::new();
    let mut index = 0;
    for _ in 0..11 {
        index += 1;
        items.push(PlanItem::Step(scale(
            index,
            "dr-web-asg",
            [(2, 4), (5, 10), (2, 4)],
            u64::from(index),
            3,
        )));
    }
    for n in 1..=8000 {
        index += 1;
        items.push(PlanItem::Step(snapshot(index, n, u64::from(index))));
    }
    while index < 10_000 {
        index += 1;
        let at = u64::from(index);
        items.push(PlanItem::Step(if index % 2 == 0 {
            publish(index, &format!("progress {index}"), at)
        } else {
            health_check(index, index % 4 == 1, at)
        }));
    }
    plan_of(items, Some("1h"), 10_000)
}

/// Removes the renderer's ANSI sequences (`ESC [ ... m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            for next in chars.by_ref() {
                if next == 'm' {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// `|` that delimit cells: not escaped by an odd number of backslashes.
fn cell_delimiters(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for ch in line.chars() {
        match ch {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                count += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    count
}

/// The step table's rows (after its header and separator).
fn step_table_rows(markdown: &str) -> Vec<&str> {
    markdown
        .lines()
        .skip_while(|line| !line.starts_with("| # |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect()
}

#[test]
fn text_shows_every_step_aligned() {
    let expected = concat!(
        "Plan for ecommerce-failover  (runbooks/ecommerce/failover.rhai, sha256 1a2b3c4d)\n",
        "Against inventory runbooks/ecommerce/inventory.yaml  (account 123456789012, captured 2026-11-24T03:00:00Z)\n",
        "\n",
        "        · Scaling up web tier...\n",
        "     2  autoscaling  UpdateAutoScalingGroup          us-west-2  dr-web-asg                                        ~1s  failover.rhai:23\n",
        "          MinSize          2 -> 4\n",
        "          MaxSize          5 -> 10\n",
        "          DesiredCapacity  2 -> 4\n",
        "  ┌ parallel: 2 branches, ~3m 00s\n",
        "  ├ branch 1, ~3m 00s\n",
        "  │  3  autoscaling  UpdateAutoScalingGroup          us-west-2  dr-api-asg                                        ~1s  failover.rhai:25\n",
        "  │       MinSize          1 -> 2\n",
        "  │       MaxSize          3 -> 6\n",
        "  │       DesiredCapacity  1 -> 2\n",
        "  │  4  autoscaling  wait DescribeAutoScalingGroups  us-west-2  dr-api-asg                                    ~2m 59s  failover.rhai:26\n",
        "  │       until  in_service (timeout 30m 00s)\n",
        "  ├ branch 2, ~1s\n",
        "  │  5  route53      UpdateHealthCheck               global     ECommerce-Primary-HealthCheck (id abcd-1234)      ~1s  failover.rhai:27\n",
        "  │       Disabled  false -> true\n",
        "  └\n",
        "     6  approval     \"Promote the DR database?\"                                                                        failover.rhai:30\n",
        "     7  rds          RemoveFromGlobalCluster         us-west-2  dr-aurora-cluster                                 ~1s  warm_standby.rhai:12 via failover.rhai:40\n",
        "          GlobalClusterMember  ecommerce-global -> (none)\n",
        "          ! the cluster stops replicating from us-east-1\n",
        "     8  rds          wait DescribeDBClusters         us-west-2  dr-aurora-cluster                             ~1m 00s  failover.rhai:41\n",
        "          until  available (timeout 30m 00s)\n",
        "     9  s3           check GetBucketReplication      global     ecommerce-assets                                  ~1s  failover.rhai:50\n",
        "          expects  an enabled replication rule into a bucket in us-west-2\n",
        "    10  sns          Publish                         us-west-2  dr-notifications                                  ~1s  failover.rhai:60\n",
        "          Subject  DR Failover Completed\n",
        "\n",
        "Estimated total 4m 04s against RTO 15m 00s: within the objective (10m 56s to spare).\n",
        "  9 steps: 5 AWS calls, 2 waits, 1 check, 1 approval; 3 of them in 1 parallel group.\n",
        "  The estimate excludes time spent waiting for the approval.\n",
        "  ! 1 warning: see the step marked ! above.\n",
    );
    assert_eq!(render::text(&failover(Some("15m")), &PLAIN), expected);
}

#[test]
fn text_columns_line_up_from_the_data() {
    let text = render::text(&failover(Some("15m")), &PLAIN);
    // Every step line (numbered) puts its origin at the same column, in or out of a group.
    let origin_columns: Vec<usize> = text
        .lines()
        .take_while(|line| !line.starts_with("Estimated"))
        .filter(|line| {
            let rest = line.trim_start_matches([' ', '│']);
            rest.starts_with(|c: char| c.is_ascii_digit())
        })
        .map(|line| {
            let at = line.find(".rhai:").expect("an origin");
            let start = line[..at].rfind(' ').expect("a column before the origin");
            line[..start].chars().count()
        })
        .collect();
    assert_eq!(origin_columns.len(), 9);
    assert!(
        origin_columns.iter().all(|c| *c == origin_columns[0]),
        "{origin_columns:?}"
    );
    assert!(
        !text.lines().any(|line| line.ends_with(' ')),
        "trailing spaces"
    );

    // Shorter data, narrower columns: no padding left over from a longer target.
    let plan = plan_of(
        vec![PlanItem::Step(scale(
            1,
            "web",
            [(1, 2), (1, 2), (1, 2)],
            0,
            3,
        ))],
        None,
        1,
    );
    let text = render::text(&plan, &PLAIN);
    assert!(
        text.contains(
            "\n  1  autoscaling  UpdateAutoScalingGroup  us-west-2  web  ~1s  failover.rhai:3\n"
        ),
        "{text}"
    );
}

#[test]
fn text_without_color_has_no_escape_byte_even_from_the_data() {
    let mut plan = failover(Some("15m"));
    plan.items.push(PlanItem::Step(note(
        11,
        "\u{1b}[2Jcleared\nsecond line",
        244,
        70,
    )));
    plan.items.push(PlanItem::Step(publish(
        12,
        "red \u{1b}[31malert\u{202e}",
        244,
    )));
    plan.recount();
    let text = render::text(&plan, &PLAIN);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains('\u{202e}'), "{text}");
    assert!(
        text.contains("        · \\u{1b}[2Jcleared\n          second line\n"),
        "{text}"
    );
    assert!(
        text.contains("Subject  red \\u{1b}[31malert\\u{202e}\n"),
        "{text}"
    );

    let summary = render::text(
        &plan,
        &TextStyle {
            color: false,
            summary_only: true,
        },
    );
    assert!(!summary.contains('\u{1b}'), "{summary}");
}

#[test]
fn text_with_color_is_the_plain_text_painted() {
    for plan in [failover(Some("15m")), failover(Some("3m")), failover(None)] {
        let colored = render::text(&plan, &COLOR);
        assert!(colored.contains("\u{1b}["), "{colored}");
        assert_eq!(strip_ansi(&colored), render::text(&plan, &PLAIN));
    }
    let within = render::text(&failover(Some("15m")), &COLOR);
    assert!(within.contains("\u{1b}[32mwithin the objective (10m 56s to spare).\u{1b}[0m"));
    assert!(within.contains("\u{1b}[33m! the cluster stops replicating from us-east-1\u{1b}[0m"));
    assert!(within.contains("\u{1b}[1mPlan for ecommerce-failover\u{1b}[0m"));
    let over = render::text(&failover(Some("3m")), &COLOR);
    assert!(
        over.contains("\u{1b}[1m\u{1b}[31mexceeds the objective by 1m 04s.\u{1b}[0m"),
        "{over}"
    );
}

#[test]
fn text_total_line_compares_with_the_rto() {
    let line = |plan: &Plan| {
        render::text(plan, &PLAIN)
            .lines()
            .find(|line| line.starts_with("Estimated"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert_eq!(
        line(&failover(Some("15m"))),
        "Estimated total 4m 04s against RTO 15m 00s: within the objective (10m 56s to spare)."
    );
    assert_eq!(
        line(&failover(Some("4m 04s"))),
        "Estimated total 4m 04s against RTO 4m 04s: within the objective (0s to spare)."
    );
    assert_eq!(
        line(&failover(Some("3m"))),
        "Estimated total 4m 04s against RTO 3m 00s: exceeds the objective by 1m 04s."
    );
    assert_eq!(
        line(&failover(None)),
        "Estimated total 4m 04s (no RTO objective declared)."
    );
}

#[test]
fn text_shows_where_a_failed_run_stops() {
    let mut plan = failover(Some("15m"));
    plan.failure = Some(PlanFailure {
        message: "DB cluster dr-aurora-cluster is not available\nafter 30m 00s".to_string(),
        origin: Some(origin(41)),
    });
    let text = render::text(&plan, &PLAIN);
    assert!(
        text.contains(concat!(
            "          Subject  DR Failover Completed\n",
            "  ✗ stopped: DB cluster dr-aurora-cluster is not available\n",
            "    after 30m 00s at failover.rhai:41\n",
            "\n",
            "Estimated time until the failure 4m 04s: the run stops there, so it does not meet the RTO of 15m 00s.\n",
        )),
        "{text}"
    );
    let colored = render::text(&plan, &COLOR);
    assert!(
        colored.contains("\u{1b}[1m\u{1b}[31m✗ stopped: DB cluster"),
        "{colored}"
    );

    plan.runbook.meta.rto_secs = None;
    plan.failure = Some(PlanFailure {
        message: "stopped by the operator".to_string(),
        origin: None,
    });
    let text = render::text(&plan, &PLAIN);
    assert!(
        text.contains("\n  ✗ stopped: stopped by the operator\n"),
        "{text}"
    );
    assert!(text.contains("\nEstimated time until the failure 4m 04s: the run stops there.\n"));
}

#[test]
fn text_summary_fits_one_screen() {
    let mut items: Vec<PlanItem> = (1..=1000)
        .map(|i| {
            PlanItem::Step(scale(
                i,
                &format!("asg-{i}"),
                [(1, 2), (1, 2), (1, 2)],
                u64::from(i),
                4,
            ))
        })
        .collect();
    items.push(PlanItem::Step(approval(1001, "Go?", 1000, 9)));
    items.push(PlanItem::Step(wait(
        1002,
        asg("asg-1"),
        WaitState::InService,
        1000,
        120,
        10,
    )));
    let plan = plan_of(items, Some("15m"), 1120);
    let summary = render::text(
        &plan,
        &TextStyle {
            color: false,
            summary_only: true,
        },
    );
    assert_eq!(
        summary,
        concat!(
            "Plan for ecommerce-failover  (runbooks/ecommerce/failover.rhai, sha256 1a2b3c4d)\n",
            "Against inventory runbooks/ecommerce/inventory.yaml  (account 123456789012, captured 2026-11-24T03:00:00Z)\n",
            "\n",
            "  autoscaling  UpdateAutoScalingGroup          ×1000\n",
            "  approval                                        ×1\n",
            "  autoscaling  wait DescribeAutoScalingGroups     ×1\n",
            "\n",
            "Estimated total 18m 40s against RTO 15m 00s: exceeds the objective by 3m 40s.\n",
            "  1002 steps: 1000 AWS calls, 1 wait, 1 approval.\n",
            "  The estimate excludes time spent waiting for the approval.\n",
        )
    );
}

#[test]
fn text_of_an_empty_plan_says_so() {
    let plan = plan_of(Vec::new(), Some("15m"), 0);
    let text = render::text(&plan, &PLAIN);
    assert!(
        text.contains("\n\n  (no steps)\n\nEstimated total 0s against RTO 15m 00s"),
        "{text}"
    );
    assert!(text.ends_with("\n  No steps.\n"), "{text}");
}

#[test]
fn markdown_summarizes_first() {
    let markdown = render::markdown(&failover(Some("15m")));
    assert!(markdown.starts_with(concat!(
        "### Plan for ecommerce-failover\n",
        "\n",
        "Runbook runbooks/ecommerce/failover.rhai, sha256 1a2b3c4d. Inventory runbooks/ecommerce/inventory.yaml, account 123456789012, captured 2026-11-24T03:00:00Z.\n",
        "\n",
        "| Steps | AWS calls | Waits | Checks | Approvals | Estimated total | RTO |\n",
        "|---:|---:|---:|---:|---:|---:|---|\n",
        "| 9 | 5 | 2 | 1 | 1 | 4m 04s | ✅ 15m 00s, 10m 56s to spare |\n",
    )), "{markdown}");
    assert!(markdown.contains("\n- step 7: the cluster stops replicating from us-east-1\n"));
    assert!(markdown.contains(
        "\n| 2 | autoscaling | UpdateAutoScalingGroup | us-west-2 | dr-web-asg | MinSize 2 -> 4<br>MaxSize 5 -> 10<br>DesiredCapacity 2 -> 4 | ~1s | failover.rhai:23 |\n"
    ), "{markdown}");
    assert!(markdown.contains("\n| ∥ 5 | route53 | UpdateHealthCheck | global | ECommerce-Primary-HealthCheck (id abcd-1234) | Disabled false -> true | ~1s | failover.rhai:27 |\n"));
    assert!(markdown.contains(
        "\n| 6 | approval | \"Promote the DR database?\" | | | | | failover.rhai:30 |\n"
    ));
    // Nine steps: the table is not folded.
    assert!(!markdown.contains("<details>"));
    // Every row of the step table has its eight cells.
    let rows = step_table_rows(&markdown);
    assert_eq!(rows.len(), 13);
    assert!(
        rows.iter().all(|row| cell_delimiters(row) == 9),
        "{rows:#?}"
    );

    let over = render::markdown(&failover(Some("3m")));
    assert!(
        over.contains("| 4m 04s | ⚠️ 3m 00s, exceeded by 1m 04s |"),
        "{over}"
    );
    let none = render::markdown(&failover(None));
    assert!(none.contains("| 4m 04s | none declared |"), "{none}");
    let mut failed = failover(Some("15m"));
    failed.failure = Some(PlanFailure {
        message: "DB cluster dr-aurora-cluster is not available".to_string(),
        origin: Some(origin(41)),
    });
    let failed = render::markdown(&failed);
    assert!(failed.contains("| 4m 04s until the failure | ❌ 15m 00s, not met: the run stops |"));
    assert!(failed.contains(
        "\n❌ **Stopped:** DB cluster dr-aurora-cluster is not available at failover.rhai:41\n"
    ));
}

#[test]
fn markdown_of_ten_thousand_steps_collapses_and_stays_small() {
    let plan = bench_plan();
    assert_eq!(plan.counts.steps, 10_000);
    let markdown = render::markdown(&plan);
    assert!(
        markdown.chars().count() < 60_000,
        "{} chars",
        markdown.chars().count()
    );
    assert!(markdown.len() < 60_000, "{} bytes", markdown.len());
    assert!(markdown.contains("<details><summary>All 10000 steps</summary>\n\n| # |"));
    assert!(
        markdown.ends_with("|\n\n</details>\n"),
        "{}",
        &markdown[markdown.len() - 300..]
    );
    assert!(markdown.contains(
        "\n| 12–8011 | ec2 | CreateSnapshot ×8000 | us-east-1 | vol-00001 … vol-08000 | State (none) -> pending<br>creates snap-00001 … snap-08000 | ~2h 13m total | bench.rhai:5 |\n"
    ), "{markdown}");
    // Eleven identical scales collapse too.
    assert!(markdown.contains("\n| 1–11 | autoscaling | UpdateAutoScalingGroup ×11 | us-west-2 | dr-web-asg | MinSize 2 -> 4<br>MaxSize 5 -> 10<br>DesiredCapacity 2 -> 4 | ~11s total | failover.rhai:3 |\n"));

    // The alternating tail does not collapse, so the table stops and says how much it left out.
    let rows = step_table_rows(&markdown);
    let last = rows.last().expect("rows");
    let shown_singles = rows
        .iter()
        .filter(|row| row[2..].starts_with(|c: char| c.is_ascii_digit()) && !row.contains('–'))
        .count();
    assert!(shown_singles > 10, "{shown_singles}");
    let hidden = 10_000 - 11 - 8000 - shown_singles;
    assert_eq!(
        *last,
        format!("| … | | **{hidden} more steps not shown**: use `--format json` for all of them | | | | | |")
    );
    assert!(rows.iter().all(|row| cell_delimiters(row) == 9));
}

#[test]
fn markdown_runs_absorb_the_notes_printed_between_steps() {
    let mut items = Vec::new();
    let mut index = 0;
    for n in 1..=5 {
        index += 1;
        items.push(PlanItem::Step(note(
            index,
            &format!("snapshotting vol-{n:05}"),
            0,
            4,
        )));
        index += 1;
        items.push(PlanItem::Step(snapshot(index, n, 0)));
    }
    // Three in a row stay three rows.
    index += 1;
    items.push(PlanItem::Step(publish(index, "progress", 0)));
    for n in 6..=8 {
        index += 1;
        items.push(PlanItem::Step(snapshot(index, n, 0)));
        index += 1;
        items.push(PlanItem::Step(publish(index, "progress", 0)));
    }
    let plan = plan_of(items, None, 5);
    let markdown = render::markdown(&plan);
    let rows = step_table_rows(&markdown);
    assert_eq!(
        rows[..2],
        [
            "| | note | snapshotting vol-00001 | | | | | failover.rhai:4 |",
            "| 2–10 | ec2 | CreateSnapshot ×5 (4 notes not shown) | us-east-1 | vol-00001 … vol-00005 | State (none) -> pending<br>creates snap-00001 … snap-00005 | ~5s total | bench.rhai:5 |",
        ]
    );
    assert_eq!(rows.len(), 2 + 1 + 6);
}

#[test]
fn markdown_escapes_what_would_break_the_table() {
    let items = vec![
        PlanItem::Step(note(
            1,
            "a | b\nc <details> @oncall `x` *y* [z](u) $m$",
            0,
            2,
        )),
        PlanItem::Step(publish(2, "DR | done\nreally", 0)),
        PlanItem::Step(approval(3, "Go | no-go?", 1, 3)),
    ];
    let plan = plan_of(items, Some("15m"), 1);
    let markdown = render::markdown(&plan);
    let rows = step_table_rows(&markdown);
    assert_eq!(
        rows,
        [
            "| | note | a \\| b<br>c &lt;details> \\@oncall \\`x\\` \\*y\\* \\[z\\](u) \\$m\\$ | | | | | failover.rhai:2 |",
            "| 2 | sns | Publish | us-west-2 | dr-notifications | Subject DR \\| done<br>really | ~1s | failover.rhai:60 |",
            "| 3 | approval | \"Go \\| no-go?\" | | | | | failover.rhai:3 |",
        ]
    );
    assert!(rows.iter().all(|row| cell_delimiters(row) == 9));
}

#[test]
fn markdown_cuts_long_texts() {
    let long = "x".repeat(70_000);
    let mut plan = plan_of(
        vec![
            PlanItem::Step(publish(1, &long, 0)),
            PlanItem::Step(note(2, &long, 1, 2)),
        ],
        Some("15m"),
        1,
    );
    plan.runbook.meta.name = Some(long.clone());
    plan.failure = Some(PlanFailure {
        message: long.clone(),
        origin: None,
    });
    let markdown = render::markdown(&plan);
    assert!(markdown.len() < 60_000, "{}", markdown.len());
    assert!(markdown.contains("xxx…"));
}

#[test]
fn json_round_trips() {
    let mut plan = failover(Some("15m"));
    plan.failure = Some(PlanFailure {
        message: "DB cluster dr-aurora-cluster is not available".to_string(),
        origin: Some(origin(41)),
    });
    for plan in [
        plan,
        failover(None),
        bench_plan(),
        plan_of(Vec::new(), None, 0),
    ] {
        let json = render::json(&plan);
        assert!(json.ends_with("}\n"));
        let back: Plan = serde_json::from_str(&json).expect("the plan's JSON reads back");
        assert_eq!(back, plan);
        assert_eq!(render::json(&back), json);
    }
}

#[test]
fn json_has_the_documented_shape() {
    let json = render::json(&failover(Some("15m")));
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["runbook"]["name"], "ecommerce-failover");
    assert_eq!(value["runbook"]["rto_secs"], 900);
    let items = value["items"].as_array().expect("items");
    assert_eq!(items[1]["item"], "step");
    assert_eq!(items[1]["type"], "call");
    assert_eq!(items[1]["call"]["operation"], "UpdateAutoScalingGroup");
    assert_eq!(items[1]["call"]["AutoScalingGroupName"], "dr-web-asg");
    assert_eq!(items[1]["call"]["DesiredCapacity"], 4);
    assert_eq!(items[1]["target"]["kind"], "asg");
    assert_eq!(items[1]["changes"][2]["before"], "2");
    assert_eq!(items[2]["item"], "parallel");
    assert_eq!(items[2]["branches"][0][1]["type"], "wait");
    assert_eq!(items[2]["branches"][0][1]["wait"]["until"], "in_service");
    assert_eq!(items[3]["type"], "approval");
    assert_eq!(items[3]["message"], "Promote the DR database?");
    assert_eq!(items[4]["origin"]["via"]["line"], 40);
    assert_eq!(
        items[4]["changes"][0].get("after"),
        Some(&serde_json::Value::Null)
    );
    assert_eq!(value["counts"]["parallel_groups"], 1);
    // Keys come out in the order of the types' fields.
    let keys: Vec<&str> = value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema_version",
            "runbook",
            "inventory",
            "items",
            "counts",
            "total_secs"
        ]
    );
}

#[test]
fn the_schema_document_example_is_what_render_json_writes() {
    let doc = include_str!("../../../docs/plan-schema.md");
    let start = doc.find("```json\n").expect("an example") + "```json\n".len();
    let end = start + doc[start..].find("```").expect("the end of the example");
    let example = &doc[start..end];
    let plan: Plan = serde_json::from_str(example).expect("the example is a plan");
    assert_eq!(plan.schema_version, ripcord_core::PLAN_SCHEMA_VERSION);
    assert_eq!(render::json(&plan), example);
}

#[test]
fn text_moves_a_long_resolved_id_under_the_step_and_never_repeats_a_created_id() {
    let mut hc = health_check(1, true, 0);
    hc.resolved = Some("4f6c8e2a-1b3d-4c5e-8f70-9a1b2c3d4e5f".to_string());
    hc.changes = vec![change("Disabled", Some("false"), Some("true"))];
    let mut shown = snapshot(2, 1, 1);
    shown.resolved = Some("vol-0a1b2c3d4e5f60001".to_string());
    let mut repeated = snapshot(3, 2, 2);
    repeated
        .changes
        .insert(0, change("SnapshotId", None, Some("snap-00002")));
    let plan = plan_of(
        vec![
            PlanItem::Step(hc),
            PlanItem::Step(shown),
            PlanItem::Step(repeated),
        ],
        None,
        3,
    );
    let text = render::text(&plan, &PLAIN);
    assert!(
        text.contains(concat!(
            "  1  route53  UpdateHealthCheck  global     ECommerce-Primary-HealthCheck         ~1s  failover.rhai:70\n",
            "       Disabled  false -> true\n",
            "       id        4f6c8e2a-1b3d-4c5e-8f70-9a1b2c3d4e5f\n",
            "  2  ec2      CreateSnapshot     us-east-1  vol-00001 (id vol-0a1b2c3d4e5f60001)  ~1s  bench.rhai:5\n",
            "       State    (none) -> pending\n",
            "       creates  snap-00001\n",
            "  3  ec2      CreateSnapshot     us-east-1  vol-00002                             ~1s  bench.rhai:5\n",
            "       SnapshotId  (none) -> snap-00002\n",
            "       State       (none) -> pending\n",
            "\n",
        )),
        "{text}"
    );
    // Markdown has room for the id beside the name.
    let markdown = render::markdown(&plan);
    assert!(markdown.contains(
        "| 1 | route53 | UpdateHealthCheck | global | ECommerce-Primary-HealthCheck (id 4f6c8e2a-1b3d-4c5e-8f70-9a1b2c3d4e5f) | Disabled false -> true |"
    ), "{markdown}");
}
