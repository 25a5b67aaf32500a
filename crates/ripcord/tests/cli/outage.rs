//! Failing over while the primary region is down (issue 9), against moto behind the fault
//! proxy (ripcord_testkit::FaultProxy): every request signed for us-east-1 answers 503, with
//! or without Route 53 (signed for us-east-1 too). `apply`, `repl --live` and the pilot light
//! complete; with Route 53 down the run stops where `plan --down` said; a capture records
//! what did not answer and plans like `--down`; a hanging region costs one bounded timeout.

use super::live::{inventory_of, journal_lines};
use super::moto::{ripcord_env, ripcord_without_region, term_env, Moto};
use super::repl::LIVE_PROMPT;
use super::{stderr, stdout, workspace};
use ripcord_core::Intent;
use ripcord_testkit::FaultProxy;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

const FAILOVER: &str = "runbooks/ecommerce/failover.rhai";
const PILOT_LIGHT: &str = "runbooks/pilot-light/ignite.rhai";
const EAST: &str = "us-east-1";
const DR: &str = "us-west-2";

/// The bounds of every run but the hanging region's. A region answering 503 costs no
/// waiting whatever they are, so they are generous: moto's healthy EC2 capture alone takes
/// 2 s or more on a machine busy compiling, and a part cut short would be recorded
/// unreachable as if it were down.
const TIMEOUTS: [&str; 4] = ["--read-timeout", "20s", "--request-timeout", "10s"];

/// The bounds of the run whose region hangs: what it waits for.
const SHORT_TIMEOUTS: [&str; 4] = ["--read-timeout", "3s", "--request-timeout", "3s"];

/// A runbook's world seeded in a moto of its own, with the fault proxy in front (no faults
/// yet), and a private home.
struct World {
    moto: Moto,
    proxy: FaultProxy,
    home: tempfile::TempDir,
}

impl World {
    fn of(runbook: &str) -> World {
        let moto = Moto::start();
        moto.seed(&inventory_of(runbook));
        let proxy = FaultProxy::start(&moto, 9, "[]");
        World {
            moto,
            proxy,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// `--endpoint-url PROXY --region us-west-2` and `timeouts`: the live options of `apply`,
    /// `capture` and `repl --live`, account-wide calls in the region that answers.
    fn live_args_with(&self, timeouts: &[&str]) -> Vec<String> {
        let mut args = vec![
            "--endpoint-url".to_string(),
            self.proxy.endpoint(),
            "--region".to_string(),
            DR.to_string(),
        ];
        args.extend(timeouts.iter().map(|s| s.to_string()));
        args
    }

    fn live_args(&self) -> Vec<String> {
        self.live_args_with(&TIMEOUTS)
    }

    /// `ripcord ARGS LIVE_ARGS` through the proxy.
    fn live(&self, args: &[&str]) -> Output {
        self.live_with(args, &TIMEOUTS)
    }

    fn live_with(&self, args: &[&str], timeouts: &[&str]) -> Output {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(self.live_args_with(timeouts));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        ripcord_env(&all, self.home.path(), &[])
    }

    /// `ripcord ARGS` with no endpoint at all (plan, runs).
    fn offline(&self, args: &[&str]) -> Output {
        ripcord_env(args, self.home.path(), &[])
    }

    /// A capture of both regions through the proxy with no faults, into `name`: the healthy
    /// world, everything read.
    fn healthy_capture(&self, name: &str) -> PathBuf {
        let path = self.capture(name);
        let inventory: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            inventory.get("unreachable").is_none(),
            "everything answered the healthy capture: {}",
            inventory["unreachable"]
        );
        path
    }

    /// A capture of both regions through the proxy as it is now, into `name`.
    fn capture(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        let out = self.live(&[
            "capture",
            "--regions",
            "us-east-1,us-west-2",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "capture failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        path
    }

    /// `apply RUNBOOK --yes --approve-gates` through the proxy, journaled under `runs`.
    fn apply(&self, runbook: &str, runs: &Path) -> Output {
        self.live(&[
            "apply",
            runbook,
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
        ])
    }
}

/// Everything the run said, for failure messages.
fn said(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// A step as both a plan's text and a journal's intent name it: service, operation, region
/// (`None` for global APIs), the target's name (a Route 53 change's id, planned or real, as
/// `<change>`).
type StepKey = (String, String, Option<String>, String);

fn key(service: &str, operation: &str, region: Option<&str>, target: &str) -> StepKey {
    let target = if operation == "GetChange" {
        "<change>"
    } else {
        target
    };
    (
        service.to_string(),
        operation.to_string(),
        region.map(str::to_string),
        target.to_string(),
    )
}

/// The steps of a plan in its text rendering (`apply` prints it before the run): one line per
/// step, `N  SERVICE  [wait|check] OPERATION  REGION|global  TARGET ... FILE.rhai:LINE`.
fn steps_in_text(plan: &str) -> Vec<StepKey> {
    let mut steps = Vec::new();
    for line in plan.lines() {
        let line = line.trim_start_matches(|c: char| c.is_whitespace() || "│├└┌".contains(c));
        let words: Vec<&str> = line.split_whitespace().collect();
        let is_step = words.len() >= 3
            && words[0].parse::<u32>().is_ok()
            && words.last().is_some_and(|w| w.contains(".rhai:"));
        if !is_step {
            continue;
        }
        if words[1] == "approval" {
            steps.push(key("ripcord", "approve", None, ""));
            continue;
        }
        let at = if matches!(words[2], "wait" | "check") {
            3
        } else {
            2
        };
        assert!(words.len() > at + 2, "a step line without a target: {line}");
        let region = Some(words[at + 1]).filter(|r| *r != "global");
        steps.push(key(words[1], words[at], region, words[at + 2]));
    }
    steps
}

fn intent_key(intent: &Value) -> StepKey {
    let intent: Intent = serde_json::from_value(intent.clone())
        .unwrap_or_else(|err| panic!("a journal intent ripcord_core reads: {err}\n{intent}"));
    match intent {
        Intent::Call { call } => {
            let target = call.target();
            key(
                call.service(),
                call.operation(),
                call.region(),
                target.name(),
            )
        }
        Intent::Wait { wait } => key(
            wait.target.kind().service(),
            wait.operation(),
            wait.target.region(),
            wait.target.name(),
        ),
        Intent::Check { check } => key(
            check.service(),
            check.operation(),
            check.target().region(),
            check.target().name(),
        ),
        Intent::Approval { .. } => key("ripcord", "approve", None, ""),
    }
}

/// The journal's steps by outcome: those that finished well, and those that failed (with the
/// error code), in the order they were sent.
fn journal_steps(journal: &[Value]) -> (Vec<StepKey>, Vec<(StepKey, String)>) {
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for record in journal.iter().filter(|r| r["type"] == "intent") {
        let result = journal
            .iter()
            .find(|r| r["type"] == "result" && r["seq"] == record["seq"])
            .unwrap_or_else(|| panic!("an intent without its result: {record}\n{journal:#?}"));
        let step = intent_key(&record["intent"]);
        if result["ok"] == true {
            ok.push(step);
        } else {
            failed.push((
                step,
                result["error_code"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    (ok, failed)
}

fn sorted(mut steps: Vec<StepKey>) -> Vec<StepKey> {
    steps.sort();
    steps
}

/// The plan `apply` printed lists exactly the steps the journal says were carried out (in any
/// order within parallel groups); what failed live was only what the outage made unreachable
/// and the runbook caught (the primary's readiness check): `(planned, failed)`.
fn assert_plan_is_journal(plan_text: &str, journal: &[Value]) {
    let planned = steps_in_text(plan_text);
    assert!(!planned.is_empty(), "no steps in the plan:\n{plan_text}");
    let (done, failed) = journal_steps(journal);
    assert_eq!(
        sorted(planned.clone()),
        sorted(done.clone()),
        "the plan printed and the steps executed differ\nplan:\n{plan_text}\njournal:\n{journal:#?}"
    );
    assert_eq!(
        planned.first(),
        done.first(),
        "the first step differs:\n{journal:#?}"
    );
    assert_eq!(
        planned.last(),
        done.last(),
        "the last step differs:\n{journal:#?}"
    );
    for (step, code) in &failed {
        assert!(
            step.2.as_deref() == Some(EAST) || step.0 == "s3",
            "a step outside us-east-1 failed live: {step:?} {code}\n{journal:#?}"
        );
    }
}

/// The plan's header and the capture's warning say that us-east-1 could not be read.
fn assert_says_unreachable(plan_text: &str, err: &str) {
    let header = plan_text
        .lines()
        .find(|l| l.trim_start().starts_with("! Unreachable:") && l.contains(EAST));
    assert!(
        header.is_some(),
        "the plan does not say us-east-1 was unreachable:\n{plan_text}"
    );
    let warned = err
        .lines()
        .any(|l| l.contains("warning: not captured") && l.contains(EAST));
    assert!(warned, "no `warning: not captured: us-east-1...`:\n{err}");
}

/// The e-commerce failover's end state in moto, read directly (not through the proxy): DR
/// groups scaled, the DR cluster out of the global database (a standalone cluster, its own
/// writer), the primary's health check disabled, the notification in the subscriber's queue.
fn assert_failed_over(moto: &Moto, queue: &str) {
    let groups = moto.read(
        DR,
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg', 'dr-app-asg'])",
    );
    let desired = |name: &str| {
        groups["AutoScalingGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["AutoScalingGroupName"] == name)
            .unwrap_or_else(|| panic!("{name} in {groups}"))["DesiredCapacity"]
            .as_u64()
    };
    assert_eq!(desired("dr-web-asg"), Some(4), "{groups}");
    assert_eq!(desired("dr-app-asg"), Some(6), "{groups}");

    let global = moto.read(
        DR,
        "rds",
        "describe_global_clusters(GlobalClusterIdentifier='ecommerce-global')",
    );
    let members = &global["GlobalClusters"][0]["GlobalClusterMembers"];
    assert!(
        members.as_array().is_some_and(|m| !m.is_empty()),
        "the primary's cluster is still in ecommerce-global: {global}"
    );
    assert!(
        !members.to_string().contains("dr-aurora-cluster"),
        "dr-aurora-cluster is still in ecommerce-global: {members}"
    );
    let cluster = moto.read(
        DR,
        "rds",
        "describe_db_clusters(DBClusterIdentifier='dr-aurora-cluster')",
    );
    let cluster = &cluster["DBClusters"][0];
    // Out of the global database, a standalone cluster: its own writer (moto shows no
    // writer flag outside a global cluster).
    assert!(
        cluster["GlobalClusterIdentifier"].is_null(),
        "dr-aurora-cluster is detached: {cluster}"
    );
    assert_eq!(cluster["Status"], "available", "{cluster}");
    let checks = moto.read(EAST, "route53", "list_health_checks()");
    let primary = checks["HealthChecks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["HealthCheckConfig"]["FullyQualifiedDomainName"]
                == "primary-alb.us-east-1.elb.amazonaws.com"
        })
        .unwrap_or_else(|| panic!("the primary's health check in {checks}"));
    assert_eq!(primary["HealthCheckConfig"]["Disabled"], true, "{primary}");

    let received = moto.received(queue);
    assert_eq!(
        received.len(),
        1,
        "one notification reached the subscriber: {received:#?}"
    );
    assert_eq!(received[0]["Subject"], "DR Failover Completed");
    assert!(
        received[0]["Message"]
            .as_str()
            .unwrap()
            .contains("Disaster Recovery Failover has been completed"),
        "{received:#?}"
    );
}

/// The 1-based line of the first line of `runbook` that contains `needle`.
fn line_of(runbook: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(workspace().join(runbook)).unwrap();
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} is not in {runbook}"));
    index as u64 + 1
}

/// The exit codes the README documents (its "Exit codes:" paragraph).
fn documented_exit_codes() -> Vec<i32> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let start = readme
        .find("Exit codes:")
        .expect("the README documents its exit codes");
    let paragraph = readme[start..].split("\n\n").next().unwrap();
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| code.parse().ok())
        .collect()
}

/// Every step of a JSON plan, groups flattened, as far as it does not depend on the capture's
/// time: type, service, operation, region, target, resolved id, changes, notes, and how many
/// warnings.
pub(crate) fn json_steps(plan: &Value) -> Vec<Value> {
    let mut steps = Vec::new();
    for item in plan["items"].as_array().expect("a plan's items") {
        let branch_steps: Vec<&Value> = if item["item"] == "parallel" {
            item["branches"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|b| b.as_array().unwrap().iter())
                .collect()
        } else {
            vec![item]
        };
        for step in branch_steps {
            if step["type"] == "note" {
                continue;
            }
            steps.push(serde_json::json!({
                "type": step["type"],
                "service": step["service"],
                "operation": step["operation"],
                "region": step["region"],
                "target": step["target"],
                "resolved": step["resolved"],
                "changes": step["changes"],
                "notes": step["notes"],
                "warnings": step["warnings"].as_array().map_or(0, Vec::len),
            }));
        }
    }
    steps
}

fn plan_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("the plan is not JSON ({err}):\n{}", said(out)))
}

/// `runbook`'s world with a subscriber's inbox, applied with us-east-1 down (Route 53
/// answering): the run completes, the plan says what was unreachable, and the journal holds
/// exactly the plan's steps.
fn applied_with_us_east_1_down(runbook: &str) -> (World, String) {
    let world = World::of(runbook);
    let inbox = world.moto.subscribe_queue("dr-notifications");
    world
        .proxy
        .set_rules(&FaultProxy::region_down(EAST, &["route53"]));
    let runs = world.path("runs");
    let out = world.apply(runbook, &runs);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let plan = stdout(&out);
    assert_says_unreachable(&plan, &stderr(&out));
    let journal = journal_lines(&runs);
    assert_eq!(
        journal.last().unwrap()["status"],
        "completed",
        "{journal:#?}"
    );
    assert_plan_is_journal(&plan, &journal);
    (world, inbox)
}

#[test]
fn apply_fails_over_with_us_east_1_down() {
    let (world, inbox) = applied_with_us_east_1_down(FAILOVER);
    assert_failed_over(&world.moto, &inbox);
    // Through the proxy: the notification was published once; Route 53 took the health
    // check's change.
    assert_eq!(world.proxy.count("sns", "Publish"), 1);
    let health_check_updates = world
        .proxy
        .log()
        .iter()
        .filter(|r| r.forwarded && r.service == "route53" && r.operation == "UpdateHealthCheck")
        .count();
    assert_eq!(health_check_updates, 1, "{}", world.proxy.log_json());
}

#[test]
fn repl_live_steps_the_failover_with_us_east_1_down() {
    let world = World::of(FAILOVER);
    let inbox = world.moto.subscribe_queue("dr-notifications");
    world
        .proxy
        .set_rules(&FaultProxy::region_down(EAST, &["route53"]));
    let runs = world.path("runs");
    let history = world.path("history");
    let mut args = vec![
        "repl".to_string(),
        FAILOVER.to_string(),
        "--live".to_string(),
        "--yes".to_string(),
        "--runs-dir".to_string(),
        runs.to_str().unwrap().to_string(),
        "--history".to_string(),
        history.to_str().unwrap().to_string(),
    ];
    args.extend(world.live_args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut term = term_env(&args, world.home.path(), &[]);
    let banner = term.expect("LIVE against account 123456789012");
    let mut at = term.expect(LIVE_PROMPT);
    let start = format!("{banner}{at}");
    assert!(
        start.contains("not captured") && start.contains(EAST),
        "the session says us-east-1 could not be read:\n{start}"
    );
    // `continue` to the end: approve() always pauses, and --yes asks nothing else.
    for _ in 0..10 {
        if at.contains("the runbook has run to its end") {
            break;
        }
        term.line("continue");
        at = term.expect(LIVE_PROMPT);
    }
    assert!(
        at.contains("the runbook has run to its end"),
        "{}",
        term.seen
    );
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");

    let journal = journal_lines(&runs);
    assert_eq!(journal[0]["mode"], "repl", "{journal:#?}");
    assert_eq!(
        journal.last().unwrap()["status"],
        "completed",
        "{journal:#?}"
    );
    let (done, _) = journal_steps(&journal);
    assert!(
        done.iter().any(|s| s.1 == "Publish"),
        "the notification was sent: {done:?}"
    );
    assert_failed_over(&world.moto, &inbox);
}

#[test]
fn the_pilot_light_ignites_with_us_east_1_down() {
    let (world, inbox) = applied_with_us_east_1_down(PILOT_LIGHT);

    // The replica is a standalone primary, the servers are up, www points at us-west-2, the
    // stakeholders know.
    let replica = world.moto.read(
        DR,
        "rds",
        "describe_db_instances(DBInstanceIdentifier='dr-mysql-replica')",
    );
    let replica = &replica["DBInstances"][0];
    assert!(
        replica["ReadReplicaSourceDBInstanceIdentifier"].is_null(),
        "promoted: {replica}"
    );
    let group = world.moto.read(
        DR,
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-pilot-asg'])",
    );
    assert_eq!(
        group["AutoScalingGroups"][0]["DesiredCapacity"], 4,
        "{group}"
    );
    let zones = world.moto.read(
        EAST,
        "route53",
        "list_hosted_zones_by_name(DNSName='example.com')",
    );
    let zone = zones["HostedZones"][0]["Id"].as_str().unwrap().to_string();
    let records = world.moto.read(
        EAST,
        "route53",
        &format!("list_resource_record_sets(HostedZoneId='{zone}')"),
    );
    let www = records["ResourceRecordSets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Name"] == "www.example.com." && r["Type"] == "A")
        .unwrap_or_else(|| panic!("www.example.com A in {records}"));
    assert_eq!(
        www["AliasTarget"]["DNSName"]
            .as_str()
            .unwrap()
            .trim_end_matches('.'),
        "dr-region-lb.us-west-2.elb.amazonaws.com",
        "{www}"
    );
    let received = world.moto.received(&inbox);
    assert_eq!(received.len(), 1, "{received:#?}");
    assert_eq!(received[0]["Subject"], "Pilot light ignited");
}

/// The weights of api.example.com's record sets in moto, by set identifier.
fn api_weights(moto: &Moto) -> BTreeMap<String, i64> {
    let zones = moto.read(
        EAST,
        "route53",
        "list_hosted_zones_by_name(DNSName='example.com')",
    );
    let zone = zones["HostedZones"][0]["Id"].as_str().unwrap().to_string();
    let records = moto.read(
        EAST,
        "route53",
        &format!("list_resource_record_sets(HostedZoneId='{zone}')"),
    );
    records["ResourceRecordSets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Name"] == "api.example.com.")
        .map(|r| {
            (
                r["SetIdentifier"].as_str().unwrap().to_string(),
                r["Weight"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Active/active (issue 12): us-east-1 down, Route 53 answering. The survivors' replicas are
/// checked in their own regions, us-east-1's weight goes to 0, the survivors grow.
#[test]
fn the_active_active_evacuation_runs_with_us_east_1_down() {
    const EVACUATE: &str = "runbooks/active-active/evacuate.rhai";
    let (world, inbox) = applied_with_us_east_1_down(EVACUATE);
    let weights = api_weights(&world.moto);
    assert_eq!(
        weights,
        BTreeMap::from([
            ("eu-west-1".to_string(), 100),
            ("us-east-1".to_string(), 0),
            ("us-west-2".to_string(), 100),
        ])
    );
    for region in [DR, "eu-west-1"] {
        let group = world.moto.read(
            region,
            "autoscaling",
            "describe_auto_scaling_groups(AutoScalingGroupNames=['web-asg'])",
        );
        assert_eq!(
            group["AutoScalingGroups"][0]["DesiredCapacity"], 6,
            "{region}: {group}"
        );
    }
    let received = world.moto.received(&inbox);
    assert_eq!(received.len(), 1, "{received:#?}");
    assert_eq!(received[0]["Subject"], "us-east-1 evacuated");
}

/// With Route 53's control plane down too, the weights cannot move: the run warns (the
/// weighted sets' health checks take us-east-1 out by themselves) and still grows the
/// survivors, as `plan --down us-east-1` said it would.
#[test]
fn the_active_active_evacuation_warns_when_route_53_is_down_too() {
    const EVACUATE: &str = "runbooks/active-active/evacuate.rhai";
    let world = World::of(EVACUATE);
    world.proxy.set_rules(&FaultProxy::region_down(EAST, &[]));
    let runs = world.path("runs");
    let out = world.apply(EVACUATE, &runs);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let text = said(&out);
    assert!(
        text.contains("traffic for api.example.com not moved"),
        "the run warns that the weights did not move:\n{text}"
    );
    assert_eq!(api_weights(&world.moto)["us-east-1"], 100);
    let group = world.moto.read(
        DR,
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['web-asg'])",
    );
    assert_eq!(
        group["AutoScalingGroups"][0]["DesiredCapacity"], 6,
        "{group}"
    );
}

#[test]
fn with_route_53_down_too_the_run_stops_where_the_plan_said() {
    let world = World::of(FAILOVER);
    let healthy = world.healthy_capture("healthy.json");

    // The dry-run of the outage: us-east-1 and Route 53's control plane down.
    let predicted = world.offline(&[
        "plan",
        FAILOVER,
        "--inventory",
        healthy.to_str().unwrap(),
        "--down",
        EAST,
        "--format",
        "json",
    ]);
    let predicted_plan = plan_json(&predicted);
    let failure = &predicted_plan["failure"];
    assert!(
        failure.is_object(),
        "the plan predicts a failure:\n{}",
        said(&predicted)
    );
    let line = line_of(FAILOVER, "disable_health_check(primary_check)");
    assert_eq!(
        failure["origin"]["line"], line,
        "the plan fails at disable_health_check: {failure}"
    );
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .contains("UpdateHealthCheck"),
        "{failure}"
    );
    let planned: Vec<String> = json_steps(&predicted_plan)
        .iter()
        .map(|s| s["operation"].as_str().unwrap().to_string())
        .collect();
    assert!(!planned.contains(&"Publish".to_string()), "{planned:?}");

    // The day: every request signed for us-east-1 (Route 53's too) answers 503.
    world.proxy.set_rules(&FaultProxy::region_down(EAST, &[]));
    world.proxy.clear_log();
    let runs = world.path("runs");
    let out = world.apply(FAILOVER, &runs);
    let code = out.status.code();
    assert_ne!(code, Some(0), "{}", said(&out));
    assert!(
        code.is_some_and(|c| documented_exit_codes().contains(&c)),
        "exit {code:?} is not in the README's exit codes {:?}\n{}",
        documented_exit_codes(),
        said(&out)
    );

    // It ran until the step the plan said fails, and stopped there.
    assert!(
        runs.exists(),
        "the run started (a journal): it must go as far as the plan said\n{}",
        said(&out)
    );
    let journal = journal_lines(&runs);
    let finished = journal.last().unwrap();
    assert_eq!(finished["status"], "failed", "{journal:#?}");
    assert!(
        finished["error"]
            .as_str()
            .is_some_and(|e| e.contains(&format!("failover.rhai:{line}"))),
        "the run stopped at line {line}: {finished}"
    );
    let (done, failed) = journal_steps(&journal);
    let done_operations: Vec<String> = done.iter().map(|s| s.1.clone()).collect();
    assert_eq!(
        sorted(done.clone()),
        sorted(steps_of_json_plan(&predicted_plan)),
        "the steps done are the steps the dry-run got through:\npredicted {planned:?}\ndone {done_operations:?}\n{journal:#?}"
    );
    assert!(
        failed.iter().all(|(step, _)| step.1 != "Publish"),
        "{journal:#?}"
    );
    if let Some((last_failed, code)) = failed.last() {
        assert!(
            last_failed.1 == "UpdateHealthCheck" || last_failed.0 == "s3",
            "what failed live is the step the plan said: {last_failed:?} {code}"
        );
    }

    // The report says what was done and what failed.
    let err = stderr(&out);
    let reported = |operation: &str, target: &str| {
        err.lines()
            .any(|l| l.contains('✓') && l.contains(operation) && l.contains(target))
    };
    assert!(
        reported("UpdateAutoScalingGroup", "dr-web-asg")
            && reported("UpdateAutoScalingGroup", "dr-app-asg")
            && reported("RemoveFromGlobalCluster", "dr-aurora-cluster"),
        "the report lists what was done:\n{err}"
    );
    assert!(err.contains("UpdateHealthCheck"), "{err}");

    // Nothing after it was sent: no notification, no health-check change reached moto.
    assert_eq!(world.proxy.count("sns", "Publish"), 0);
    let log = world.proxy.log();
    assert!(
        !log.iter()
            .any(|r| r.forwarded && r.operation == "UpdateHealthCheck"),
        "{}",
        world.proxy.log_json()
    );
    // The DR side did fail over as far as it went.
    let groups = world.moto.read(
        DR,
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg'])",
    );
    assert_eq!(groups["AutoScalingGroups"][0]["DesiredCapacity"], 4);
}

/// The steps of a JSON plan as [`StepKey`]s (groups flattened).
fn steps_of_json_plan(plan: &Value) -> Vec<StepKey> {
    json_steps(plan)
        .iter()
        .map(|s| {
            if s["type"] == "approval" {
                return key("ripcord", "approve", None, "");
            }
            let target = &s["target"];
            key(
                s["service"].as_str().unwrap(),
                s["operation"].as_str().unwrap(),
                s["region"].as_str(),
                target["name"]
                    .as_str()
                    .unwrap_or_else(|| panic!("a target without a name: {target}")),
            )
        })
        .collect()
}

#[test]
fn a_capture_with_us_east_1_down_plans_like_plan_down() {
    let world = World::of(FAILOVER);
    let healthy = world.healthy_capture("healthy.json");

    world
        .proxy
        .set_rules(&FaultProxy::region_down(EAST, &["route53"]));
    // No region configured at all: account-wide calls go to the first declared region that
    // answers.
    let partial = world.path("partial.json");
    let endpoint = world.proxy.endpoint();
    let mut args = vec![
        "capture",
        "--regions",
        "us-east-1,us-west-2",
        "-o",
        partial.to_str().unwrap(),
        "--endpoint-url",
        &endpoint,
    ];
    args.extend(TIMEOUTS);
    let out = ripcord_without_region(&args, world.home.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.contains("warning: not captured") && l.contains(EAST)),
        "{}",
        said(&out)
    );
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&partial).unwrap()).unwrap();
    assert_eq!(inventory["version"], 3, "{inventory}");
    let unreachable = inventory["unreachable"]
        .as_array()
        .unwrap_or_else(|| panic!("no unreachable field: {inventory}"));
    assert!(
        unreachable
            .iter()
            .any(|u| u["region"] == EAST && u["reason"].as_str().is_some_and(|r| !r.is_empty())),
        "us-east-1 is recorded unreachable, with the reason: {unreachable:#?}"
    );
    assert!(
        unreachable.iter().all(|u| u["region"] != DR),
        "us-west-2 answered: {unreachable:#?}"
    );
    assert!(
        inventory["regions"][DR]["auto_scaling_groups"]
            .as_array()
            .is_some_and(|g| g.len() == 2),
        "us-west-2 was captured: {}",
        inventory["regions"][DR]
    );

    let from_capture = world.offline(&[
        "plan",
        FAILOVER,
        "--inventory",
        partial.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let from_down = world.offline(&[
        "plan",
        FAILOVER,
        "--inventory",
        healthy.to_str().unwrap(),
        "--down",
        EAST,
        "--global-up",
        "--format",
        "json",
    ]);
    assert_eq!(
        from_capture.status.code(),
        Some(0),
        "{}",
        said(&from_capture)
    );
    assert_eq!(from_down.status.code(), Some(0), "{}", said(&from_down));
    let (captured, down) = (plan_json(&from_capture), plan_json(&from_down));
    assert!(captured.get("failure").is_none(), "{}", captured["failure"]);
    assert!(down.get("failure").is_none(), "{}", down["failure"]);
    let (captured_steps, down_steps) = (json_steps(&captured), json_steps(&down));
    assert!(
        captured_steps.iter().any(|s| s["operation"] == "Publish"),
        "{captured_steps:#?}"
    );
    assert_eq!(
        captured_steps, down_steps,
        "plan against the partial capture vs plan --down us-east-1 --global-up"
    );
    // Both say what they planned without.
    for plan in [&captured, &down] {
        let said_east = plan["inventory"]["unreachable"]
            .as_array()
            .is_some_and(|u| u.iter().any(|u| u["region"] == EAST));
        assert!(said_east, "{}", plan["inventory"]);
    }
}

#[test]
fn a_hanging_region_costs_about_one_read_timeout() {
    let world = World::of(FAILOVER);
    // us-east-1 holds every request for 60 s; the 3 s read timeout must end it.
    world.proxy.set_rules(
        r#"[{"service": "route53", "fault": "pass"},
            {"region": "us-east-1", "fault": "hang", "seconds": 60}]"#,
    );
    let started = Instant::now();
    let path = world.path("hung.json");
    let out = world.live_with(
        &[
            "capture",
            "--regions",
            "us-east-1,us-west-2",
            "-o",
            path.to_str().unwrap(),
        ],
        &SHORT_TIMEOUTS,
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    // Generous: a loaded machine captures us-west-2 in a few seconds; one request held to
    // its end would take 60.
    assert!(
        took < Duration::from_secs(25),
        "the capture took {took:?} with a 3 s read timeout"
    );
    let inventory: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let unreachable = inventory["unreachable"].to_string();
    assert!(unreachable.contains(EAST), "{inventory}");
    let hung = world
        .proxy
        .log()
        .iter()
        .filter(|r| r.fault.as_deref() == Some("hang"))
        .count();
    assert!(
        hung >= 1,
        "the capture did ask us-east-1: {}",
        world.proxy.log_json()
    );
}
