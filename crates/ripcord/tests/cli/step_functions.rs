//! Runs on AWS Step Functions (issue 11), against moto executing the state machines
//! (`--execute-state-machines`): deploy a reviewed plan, `apply --engine step-functions`,
//! answer its gate with `ripcord approve`; the execution's steps are the plan's and the world
//! it leaves is the simulated end state. A plan in several regions runs as stages, a state
//! machine per region.

use super::live::{
    assert_executed_as_planned, capture_of, facts, inventory_of, journal_lines, load, plan_blocks,
    plan_with_end_state,
};
use super::moto::{ripcord_command, Moto};
use super::{stderr, stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "arn:aws:iam::123456789012:role/ripcord-failover";
const REGION: &str = "us-west-2";

/// A seeded moto executing state machines, a reviewed plan of `runbook` against its capture
/// (and the simulated end state), and an approval topic.
struct Deployed {
    moto: Moto,
    home: tempfile::TempDir,
    plan: PathBuf,
    end_state: PathBuf,
    topic: String,
    /// `--region` of deploy and apply: the runbook's region; `None` for a runbook in several
    /// (each region's steps deployed in that region).
    region: Option<&'static str>,
}

impl Deployed {
    fn dir(&self) -> &Path {
        self.home.path()
    }

    fn runs(&self) -> PathBuf {
        self.dir().join("runs")
    }

    fn ripcord(&self, args: &[&str]) -> Output {
        self.moto.ripcord(args, self.dir())
    }

    /// `ripcord deploy` of the plan, waits polled every second.
    fn deploy(&self) -> Output {
        let mut args = vec![
            "deploy",
            self.plan.to_str().unwrap(),
            "--engine",
            "step-functions",
            "--role-arn",
            ROLE,
            "--poll-interval",
            "1",
        ];
        if let Some(region) = self.region {
            args.extend(["--region", region]);
        }
        self.ripcord(&args)
    }

    /// `apply --plan --engine step-functions`, started and left running.
    fn start_apply(&self) -> Child {
        self.start_apply_at(&self.moto.url)
    }

    /// [`Deployed::start_apply`] talking to AWS at `endpoint` (a fault proxy in front of moto).
    fn start_apply_at(&self, endpoint: &str) -> Child {
        let runs = self.runs();
        let mut args = vec![
            "apply",
            "--plan",
            self.plan.to_str().unwrap(),
            "--engine",
            "step-functions",
            "--approval-topic",
            &self.topic,
            "--yes",
            "--runs-dir",
            runs.to_str().unwrap(),
        ];
        if let Some(region) = self.region {
            args.extend(["--region", region]);
        }
        ripcord_command(&args, self.dir(), &[("AWS_ENDPOINT_URL", endpoint)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ripcord apply starts")
    }

    /// `apply --resume RUN_ID` talking to AWS at `endpoint`, to be run.
    fn resume_at(&self, run_id: &str, endpoint: &str) -> std::process::Command {
        let runs = self.runs();
        ripcord_command(
            &[
                "apply",
                "--resume",
                run_id,
                "--runs-dir",
                runs.to_str().unwrap(),
            ],
            self.dir(),
            &[("AWS_ENDPOINT_URL", endpoint)],
        )
    }

    /// The one run's `execution.json`.
    fn execution_file(&self) -> Value {
        let path = self
            .runs()
            .join(self.run_id().unwrap())
            .join("execution.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The run id of the one run under `runs`, once its directory is there.
    fn run_id(&self) -> Option<String> {
        std::fs::read_dir(self.runs())
            .ok()?
            .flatten()
            .find(|e| e.path().join("execution.json").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
    }

    fn approve(&self, run_id: &str, extra: &[&str]) -> Output {
        let runs = self.runs();
        let mut args = vec!["approve", run_id, "--runs-dir", runs.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.ripcord(&args)
    }

    /// A run whose world is changed behind its back (`call`, boto3 in us-west-2) once its
    /// execution started, then its gate approved: the apply's output. An earlier run's
    /// directory is moved out of the way first.
    fn changed_while_the_gate_waits(&self, service: &str, call: &str) -> Output {
        if let Some(earlier) = self.run_id() {
            let aside = self
                .dir()
                .join(format!("earlier-{}", ripcord_testkit::unique("run")));
            std::fs::rename(self.runs().join(earlier), aside).unwrap();
        }
        let mut apply = self.start_apply();
        let deadline = Instant::now() + Duration::from_secs(60);
        // execution.json is written before the start, `started` once AWS answered it.
        while self.run_id().is_none() || self.execution_file()["started"] != true {
            if apply.try_wait().unwrap().is_some() {
                let out = apply.wait_with_output().unwrap();
                panic!("apply ended before its run started:\n{}", stderr(&out));
            }
            assert!(Instant::now() < deadline, "no run started");
            std::thread::sleep(Duration::from_millis(100));
        }
        self.moto.boto3(service, call);
        self.answer_until_done(apply, &[]).0
    }

    /// Answers every gate of the running apply with `approve` (+ `extra`) until it ends;
    /// its output and the number of gates answered.
    fn answer_until_done(&self, mut apply: Child, extra: &[&str]) -> (Output, usize) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut answered = 0;
        loop {
            if apply.try_wait().unwrap().is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "the run did not end in 120 s");
            if let Some(run_id) = self.run_id() {
                let out = self.approve(&run_id, extra);
                match out.status.code() {
                    Some(0) => answered += 1,
                    // No gate waits (yet, or any more).
                    Some(4) => {}
                    _ => panic!("approve failed: {}", stderr(&out)),
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        (apply.wait_with_output().unwrap(), answered)
    }
}

/// Seeds moto with `runbook`'s inventory, captures it and saves the reviewed plan, to be
/// deployed in us-west-2.
fn reviewed(runbook: &str) -> Deployed {
    reviewed_in(runbook, Some(REGION))
}

/// [`reviewed`], deployed in `region` (`None`: in the regions of its steps), with an approval
/// topic `dr-approvals` in each of the runbook's regions.
fn reviewed_in(runbook: &str, region: Option<&'static str>) -> Deployed {
    let moto = Moto::start_with(&["--execute-state-machines"]);
    moto.seed(&inventory_of(runbook));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let capture = capture_of(&moto, runbook, dir, "capture.json");
    let end_state = dir.join("end-state.json");
    let plan = plan_with_end_state(&moto, runbook, &capture, &end_state, dir);
    let plan_path = dir.join("reviewed.json");
    std::fs::write(&plan_path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let regions = super::live::regions_of(runbook);
    let mut topics = Vec::new();
    for r in regions.split(',') {
        let topic: Value =
            serde_json::from_str(&moto.boto3_json(r, "sns", "create_topic(Name='dr-approvals')"))
                .unwrap();
        topics.push((
            r.to_string(),
            topic["TopicArn"].as_str().unwrap().to_string(),
        ));
    }
    let first = region.unwrap_or_else(|| regions.split(',').next().unwrap());
    let topic = topics
        .iter()
        .find(|(r, _)| r == first)
        .map(|(_, arn)| arn.clone())
        .unwrap_or_else(|| topics[0].1.clone());
    Deployed {
        moto,
        home,
        plan: plan_path,
        end_state,
        topic,
        region,
    }
}

/// The bundled runbooks whose steps are all in the DR region (or global): each runs to the
/// end on Step Functions and leaves the world the dry-run predicted.
#[test]
fn single_region_runbooks_run_on_step_functions_as_planned() {
    for (runbook, region) in [
        ("runbooks/ecommerce/failover.rhai", "us-west-2"),
        ("runbooks/pilot-light/ignite.rhai", "us-west-2"),
        ("runbooks/rds-test/multi-az-failover.rhai", "us-east-1"),
    ] {
        runs_on_step_functions_as_planned(runbook, Some(region), 1);
    }
}

/// The bundled runbooks whose steps go to several regions run as stages, a state machine per
/// region deployed there, each started with the state the one before it left.
#[test]
fn the_backup_runs_on_step_functions_stage_by_stage() {
    runs_on_step_functions_as_planned("runbooks/backup/daily-ebs.rhai", None, 6);
}

#[test]
fn the_failbacks_run_on_step_functions_stage_by_stage() {
    runs_on_step_functions_as_planned("runbooks/ecommerce/failback.rhai", None, 2);
    // A region of the plan may be named: the same stages.
    runs_on_step_functions_as_planned("runbooks/pilot-light/failback.rhai", Some("us-west-2"), 2);
}

/// A group whose branches scale us-west-2 and eu-west-1 runs as two shares, one per region.
#[test]
fn active_active_runs_on_step_functions_stage_by_stage() {
    runs_on_step_functions_as_planned("runbooks/active-active/evacuate.rhai", None, 5);
    runs_on_step_functions_as_planned("runbooks/active-active/readmit.rhai", None, 5);
}

/// `runbook` seeded, captured, planned, deployed (`region`: `--region`) as `stages` stages and
/// applied on Step Functions, its gates answered with `ripcord approve`: the run completes,
/// its journal has the plan's steps in order, and the world ends as the dry-run said.
fn runs_on_step_functions_as_planned(runbook: &str, region: Option<&'static str>, stages: usize) {
    let run = reviewed_in(runbook, region);
    let deployed = run.deploy();
    assert!(
        deployed.status.success(),
        "{runbook}: {}",
        stderr(&deployed)
    );
    let printed = stdout(&deployed);
    let arns: Vec<&str> = printed.lines().collect();
    assert!(
        arns.iter().all(|arn| arn.starts_with("arn:aws:states:")
            && arn.contains(":123456789012:stateMachine:ripcord-")),
        "{arns:?}"
    );
    // A stage over the budget is printed with its parts.
    let mains: Vec<&&str> = arns.iter().filter(|arn| !arn.contains("-part-")).collect();
    assert_eq!(mains.len(), stages, "{runbook}: {arns:?}");
    if stages > 1 {
        // Each stage in the region of its steps.
        let plan: Value =
            serde_json::from_str(&std::fs::read_to_string(&run.plan).unwrap()).unwrap();
        let regions: std::collections::BTreeSet<&str> = plan_regions(&plan);
        for arn in &arns {
            let region = arn.split(':').nth(3).unwrap();
            assert!(
                regions.contains(region),
                "{arn} is not in a region of the plan {regions:?}"
            );
            assert!(arn.contains("-stage-"), "{arn}");
        }
    }
    let (out, answered) = run.answer_until_done(run.start_apply(), &[]);
    let said = format!("{}\n{}", stdout(&out), stderr(&out));
    assert!(
        out.status.success(),
        "{runbook}: apply on Step Functions failed:\n{said}"
    );
    if stages > 1 {
        assert!(
            said.contains(&format!("stage {stages} of {stages}")),
            "{said}"
        );
    }
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&run.plan).unwrap()).unwrap();
    assert_eq!(
        answered as u64,
        plan["counts"]["approvals"].as_u64().unwrap(),
        "{runbook}: every gate answered once"
    );
    if answered > 0 {
        assert!(said.contains("approval needed at step"), "{said}");
    }
    assert!(said.contains("Completed after"), "{said}");
    let journal = journal_lines(&run.runs());
    assert_eq!(journal[0]["mode"], "step-functions");
    assert_eq!(journal.last().unwrap()["status"], "completed", "{said}");
    assert_executed_as_planned(runbook, &journal, &plan, &BTreeMap::new());
    // What a call created is journaled under AWS's id (read from the execution's history),
    // not the dry-run's; a name the runbook gave (a DB instance) is the same in both.
    let planned: Vec<&str> = plan_steps(&plan)
        .into_iter()
        .filter_map(|step| step["creates"].as_str())
        .collect();
    let named: Vec<&str> = plan_steps(&plan)
        .into_iter()
        .filter(|step| step["creates"] == step["target"]["name"])
        .filter_map(|step| step["creates"].as_str())
        .collect();
    let live: Vec<&str> = journal
        .iter()
        .filter_map(|r| r["outcome"]["creates"].as_str())
        .collect();
    assert_eq!(planned.len(), live.len(), "{runbook}: {live:?}");
    for id in &live {
        assert!(
            named.contains(id) || !planned.contains(id),
            "{runbook}: {id} is the dry-run's id"
        );
    }
    // A notification quoting the clock carries the execution's time, not the dry-run's.
    let clock: Vec<&str> = plan["clock"]
        .as_array()
        .map(|reads| reads.iter().filter_map(|r| r["text"].as_str()).collect())
        .unwrap_or_default();
    let messages = published(&run);
    let publishes = plan_steps(&plan)
        .into_iter()
        .filter(|step| step["operation"] == "Publish")
        .count();
    assert_eq!(messages.len(), publishes, "{runbook}: {messages:?}");
    for message in messages {
        for text in &clock {
            assert!(
                !message.contains(text),
                "{runbook}: the dry-run's {text} was sent: {message}"
            );
        }
        if plan["clock"].to_string().contains("elapsed") && message.contains(" took ") {
            assert!(message.contains("the time from 20"), "{message}");
        }
    }
    // The world the executions left is the one the dry-run predicted.
    let after = capture_of(&run.moto, runbook, run.dir(), "after.json");
    assert_eq!(
        facts(&load(&run.end_state)),
        facts(&load(&after)),
        "{runbook}: simulated and Step Functions end states differ"
    );
    // `runs show` reads the journal as any other run's.
    let runs = run.runs();
    let shown = run.ripcord(&[
        "runs",
        "show",
        &run.run_id().unwrap(),
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("step-functions"),
        "{}",
        stdout(&shown)
    );
}

/// The messages the run's executions published (as the Tasks were scheduled: their
/// parameters resolved), read from each execution's history in its region.
fn published(run: &Deployed) -> Vec<String> {
    let file = run.execution_file();
    let mut executions: Vec<&str> = file["earlier"]
        .as_array()
        .map(|e| e.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    executions.extend(
        file["parts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str),
    );
    executions.push(file["execution_arn"].as_str().unwrap());
    let mut out = Vec::new();
    for arn in executions {
        let region = arn.split(':').nth(3).unwrap();
        let history: Value = serde_json::from_str(&run.moto.boto3_json(
            region,
            "stepfunctions",
            &format!("get_execution_history(executionArn='{arn}', maxResults=1000)"),
        ))
        .unwrap();
        for event in history["events"].as_array().into_iter().flatten() {
            let scheduled = &event["taskScheduledEventDetails"];
            if scheduled["resourceType"] == "sns" && scheduled["resource"] == "publish" {
                let parameters: Value =
                    serde_json::from_str(scheduled["parameters"].as_str().unwrap()).unwrap();
                out.push(
                    parameters["Message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
    }
    out
}

/// The plan's steps, those of its groups' branches included.
fn plan_steps(plan: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for item in plan["items"].as_array().unwrap() {
        match item["branches"].as_array() {
            Some(branches) => out.extend(branches.iter().flat_map(|b| b.as_array().unwrap())),
            None => out.push(item),
        }
    }
    out
}

/// The regions the plan's steps name.
fn plan_regions(plan: &Value) -> std::collections::BTreeSet<&str> {
    plan_steps(plan)
        .into_iter()
        .filter_map(|step| step["region"].as_str())
        .collect()
}

/// A plan whose steps all go to one region is deployed there: named another, deploy refuses
/// and names the steps.
#[test]
fn a_plan_deployed_to_a_region_its_steps_do_not_go_to_is_refused() {
    let run = reviewed_in("runbooks/ecommerce/failover.rhai", Some("us-east-1"));
    let out = run.deploy();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("in the state machine's region (us-east-1) only"),
        "{err}"
    );
    // Each step is named with the line that issued it.
    assert!(
        err.contains("UpdateAutoScalingGroup in us-west-2 (runbooks/ecommerce/failover.rhai:"),
        "{err}"
    );
    assert!(err.contains("leave out --region"), "{err}");
    for region in ["us-east-1", "us-west-2"] {
        let listed = run
            .moto
            .boto3_json(region, "stepfunctions", "list_state_machines()");
        assert!(!listed.contains("ripcord-"), "{listed}");
    }
}

#[test]
fn a_declined_gate_fails_the_execution_and_a_failing_call_names_its_runbook_line() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());

    // Declined: the execution fails at the gate, nothing after it is sent.
    let (out, answered) =
        run.answer_until_done(run.start_apply(), &["--decline", "--reason", "drill"]);
    assert_eq!(answered, 1);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ripcord.Declined"), "{err}");
    let desired = run.moto.read(
        REGION,
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg'])",
    );
    assert_eq!(
        desired["AutoScalingGroups"][0]["DesiredCapacity"], 2,
        "nothing scaled"
    );

    // A call that fails inside the execution: the standby cluster is detached by hand while
    // the gate waits, so that RemoveFromGlobalCluster finds it no member.
    let out = run.changed_while_the_gate_waits(
        "rds",
        "remove_from_global_cluster(GlobalClusterIdentifier='ecommerce-global', DbClusterIdentifier='arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora-cluster')",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("step 7 RemoveFromGlobalCluster failed (runbooks/ecommerce/failover.rhai:58)"),
        "{err}"
    );
    let journal = journal_lines(&run.runs());
    assert_eq!(journal.last().unwrap()["status"], "failed");
    assert!(
        journal
            .iter()
            .any(|r| r["type"] == "result" && r["ok"] == false),
        "the failed step is journaled as failed"
    );
    let run_id = run.run_id().unwrap();
    let shown = run.ripcord(&[
        "runs",
        "show",
        &run_id,
        "--runs-dir",
        run.runs().to_str().unwrap(),
    ]);
    assert!(stdout(&shown).contains("failed"), "{}", stdout(&shown));
}

#[test]
fn a_guard_stops_the_execution_when_a_value_the_plan_relied_on_moved() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());
    let desired = || -> Value {
        run.moto.read(
            REGION,
            "autoscaling",
            "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg'])",
        )["AutoScalingGroups"][0]["DesiredCapacity"]
            .clone()
    };

    // Scaled by hand after the execution started: the guard reads 3 where the plan had 2.
    let out = run.changed_while_the_gate_waits(
        "autoscaling",
        "set_desired_capacity(AutoScalingGroupName='dr-web-asg', DesiredCapacity=3)",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ripcord.StalePlan"), "{err}");
    assert!(
        err.contains("stale plan: dr-web-asg DesiredCapacity was 2 when reviewed, is 3 now (step 3, runbooks/ecommerce/failover.rhai:48)"),
        "{err}"
    );
    assert_eq!(desired(), 3, "the scaling call was not sent");
    // Only the guarded step failed; the other branches' steps are done or, stopped with the
    // execution, have no result (whether they were carried out is not known).
    let journal = journal_lines(&run.runs());
    let failed: Vec<&Value> = journal
        .iter()
        .filter(|r| r["type"] == "result" && r["ok"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["error_code"], "ripcord.StalePlan");

    // Gone: the guard finds no group, and says so. (A world of its own: the other branches
    // of the group went on in the run above, as Step Functions lets them.)
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());
    let out = run.changed_while_the_gate_waits(
        "autoscaling",
        "delete_auto_scaling_group(AutoScalingGroupName='dr-web-asg', ForceDelete=True)",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stale plan: dr-web-asg was not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn apply_refuses_a_plan_other_than_the_deployed_one() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    // Nothing deployed yet.
    let child = run.start_apply();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deploy the plan first"),
        "{}",
        stderr(&out)
    );
    assert!(run.deploy().status.success());
    // The same plan, saved again with another estimate: another file, another hash.
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(&run.plan).unwrap()).unwrap();
    plan["total_secs"] = Value::from(1);
    std::fs::write(&run.plan, serde_json::to_string(&plan).unwrap()).unwrap();
    let out = run.start_apply().wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was deployed from another plan"),
        "{}",
        stderr(&out)
    );
    assert!(!run.runs().exists(), "no run was started");
}

/// A deletion waited for on Step Functions: the describe's not-found error ends the wait (a
/// runbook of the test's own, on the RDS test's world).
#[test]
fn a_deletion_is_waited_for_until_aws_no_longer_finds_it() {
    let scratch = tempfile::tempdir().unwrap();
    let runbook = scratch.path().join("sfn-delete.rhai");
    std::fs::write(
        &runbook,
        r#"runbook(#{ name: "sfn-delete", rto: "1h", regions: ["us-east-1"] });
let db = db_instance("production-db", "us-east-1");
approve("Delete production-db after a final snapshot?");
delete_instance(db, "production-db-final");
wait(db, "deleted", "30m");
"#,
    )
    .unwrap();
    std::fs::copy(
        super::workspace().join("runbooks/rds-test/multi-az-failover.inventory.yaml"),
        scratch.path().join("sfn-delete.inventory.yaml"),
    )
    .unwrap();
    let run = reviewed_in(runbook.to_str().unwrap(), Some("us-east-1"));
    let deployed = run.deploy();
    assert!(deployed.status.success(), "{}", stderr(&deployed));
    let (out, answered) = run.answer_until_done(run.start_apply(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(answered, 1);
    let journal = journal_lines(&run.runs());
    let waited = journal
        .iter()
        .find(|r| r["type"] == "intent" && r["intent"]["type"] == "wait")
        .expect("the wait is journaled");
    assert_eq!(waited["intent"]["wait"]["until"], "deleted");
    let instances = run
        .moto
        .boto3_json("us-east-1", "rds", "describe_db_instances()");
    assert!(!instances.contains("\"production-db\""), "{instances}");
    let snapshots = run.moto.boto3_json(
        "us-east-1",
        "rds",
        "describe_db_snapshots(DBSnapshotIdentifier='production-db-final')",
    );
    assert!(snapshots.contains("production-db-final"), "{snapshots}");
}

/// The operator's machine dies while the execution waits at its gate: the execution goes on
/// in AWS, is approved from another shell, and `apply --resume` follows it again to the end,
/// journaling no step twice, even when the follower died before it saved how far it had
/// journaled (execution.json as it was before the first event: the journal is the truth).
#[test]
fn a_killed_follower_is_followed_again_by_apply_resume() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());
    let apply = run.start_apply();
    let run_id = killed_at_its_gate(&run, apply);
    let path = run.runs().join(&run_id).join("execution.json");
    let mut file = run.execution_file();
    file["last_event"] = 0.into();
    file["open"] = serde_json::json!({});
    file["started_ms"] = serde_json::json!({});
    file["done"] = serde_json::json!([]);
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let approved = run.approve(&run_id, &[]);
    assert!(approved.status.success(), "{}", stderr(&approved));

    let runs = run.runs();
    let resumed = run.ripcord(&[
        "apply",
        "--resume",
        &run_id,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let said = stderr(&resumed);
    assert!(resumed.status.success(), "{said}");
    assert!(said.contains("following run"), "{said}");
    assert!(said.contains("Completed after"), "{said}");
    let journal = journal_lines(&runs);
    let intents = journal.iter().filter(|r| r["type"] == "intent").count();
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&run.plan).unwrap()).unwrap();
    let planned: usize = plan_blocks(&plan).iter().flatten().map(Vec::len).sum();
    assert_eq!(intents, planned, "each step journaled once");
    assert!(
        journal
            .iter()
            .filter(|r| r["type"] == "result")
            .all(|r| r["ok"] == true),
        "every step done"
    );
    assert_eq!(journal.last().unwrap()["status"], "completed");
    // Ended: resuming again is refused.
    let again = run.ripcord(&[
        "apply",
        "--resume",
        &run_id,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(4), "{}", stderr(&again));
}

/// The hand-off between stages on the bad day: the follower of the e-commerce failback is
/// killed while stage 1 (us-east-1) waits at its gate; the gate is answered without it and
/// stage 1 ends in AWS. `apply --resume` starts stage 2 (us-west-2), which fails at the
/// notification (its topic deleted meanwhile); fixed, `apply --resume` again starts a new
/// execution of stage 2's machine at that step. Each step journaled once (the failed one
/// twice), and the world ends as the dry-run said.
#[test]
fn stages_are_handed_on_by_apply_resume_after_the_follower_died() {
    let runbook = "runbooks/ecommerce/failback.rhai";
    let run = reviewed_in(runbook, None);
    assert!(run.deploy().status.success());
    let apply = run.start_apply();
    let run_id = killed_at_its_gate(&run, apply);
    let topic = "arn:aws:sns:us-west-2:123456789012:dr-notifications";
    run.moto
        .boto3("sns", &format!("delete_topic(TopicArn='{topic}')"));
    let approved = run.approve(&run_id, &[]);
    assert!(approved.status.success(), "{}", stderr(&approved));
    let runs = run.runs();
    let file = || -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(runs.join(&run_id).join("execution.json")).unwrap(),
        )
        .unwrap()
    };
    // Stage 1 runs to its end in AWS with nobody following.
    let first = file()["execution_arn"].as_str().unwrap().to_string();
    assert!(first.contains(":us-east-1:"), "{first}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let described = run.moto.boto3_json(
            "us-east-1",
            "stepfunctions",
            &format!("describe_execution(executionArn='{first}')"),
        );
        if described.contains("\"SUCCEEDED\"") {
            break;
        }
        assert!(!described.contains("\"FAILED\""), "{described}");
        assert!(
            Instant::now() < deadline,
            "stage 1 did not end: {described}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let resume = || {
        run.ripcord(&[
            "apply",
            "--resume",
            &run_id,
            "--runs-dir",
            runs.to_str().unwrap(),
        ])
    };
    let handed_on = resume();
    let said = stderr(&handed_on);
    assert_eq!(handed_on.status.code(), Some(1), "{said}");
    assert!(
        said.contains("stage 2 of 2 (us-west-2): started execution"),
        "{said}"
    );
    assert!(
        said.contains("Publish failed (runbooks/ecommerce/failback.rhai:"),
        "{said}"
    );
    run.moto
        .boto3("sns", "create_topic(Name='dr-notifications')");
    let resumed = resume();
    let said = stderr(&resumed);
    assert!(resumed.status.success(), "{said}");
    assert!(said.contains("Publish dr-notifications"), "{said}");
    assert!(said.contains("Completed after"), "{said}");
    let file = file();
    assert_eq!(file["stage"], 1, "{file}");
    let now = file["execution_arn"].as_str().unwrap();
    assert!(
        now.contains(":us-west-2:") && now.contains("-stage-2:") && now.ends_with("-r2"),
        "{file}"
    );
    let journal = journal_lines(&runs);
    let intents: Vec<&Value> = journal.iter().filter(|r| r["type"] == "intent").collect();
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&run.plan).unwrap()).unwrap();
    let planned: usize = plan_blocks(&plan).iter().flatten().map(Vec::len).sum();
    assert_eq!(
        intents.len(),
        planned + 1,
        "each step once, the notification twice"
    );
    assert_eq!(journal.last().unwrap()["status"], "completed");
    let after = capture_of(&run.moto, runbook, run.dir(), "after.json");
    assert_eq!(
        facts(&load(&run.end_state)),
        facts(&load(&after)),
        "simulated and Step Functions end states differ"
    );
}

/// The run id of `apply`, once its gate is journaled as waiting (its intent written).
fn waiting_at_its_gate(run: &Deployed, apply: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the gate was never reached");
        assert!(apply.try_wait().unwrap().is_none(), "apply ended early");
        if let Some(id) = run.run_id() {
            let journal = journal_lines(&run.runs());
            if journal
                .iter()
                .any(|r| r["type"] == "intent" && r["intent"]["type"] == "approval")
            {
                return id;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The run id of `apply`, killed once its gate is waiting.
fn killed_at_its_gate(run: &Deployed, mut apply: Child) -> String {
    let run_id = waiting_at_its_gate(run, &mut apply);
    apply.kill().unwrap();
    apply.wait().unwrap();
    run_id
}

/// A runbook of five top-level steps on the e-commerce world, a gate second: three parts at
/// `--max-events 30`.
fn parts_runbook() -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().unwrap();
    let runbook = scratch.path().join("sfn-parts.rhai");
    std::fs::write(
        &runbook,
        r#"runbook(#{ name: "sfn-parts", rto: "1h", regions: ["us-west-2"] });
let web = asg("dr-web-asg", "us-west-2");
let app = asg("dr-app-asg", "us-west-2");
scale(web, #{ min: 4, max: 10, desired: 4 });
approve("Web tier scaled: scale the application tier?");
scale(app, #{ min: 6, max: 12, desired: 6 });
disable_health_check(health_check("ECommerce-Primary-HealthCheck"));
notify(topic("dr-notifications", "us-west-2"), "Parts done", "Every part ran.");
"#,
    )
    .unwrap();
    std::fs::copy(
        super::workspace().join("runbooks/ecommerce/inventory.yaml"),
        scratch.path().join("sfn-parts.inventory.yaml"),
    )
    .unwrap();
    (scratch, runbook)
}

/// A plan beyond one execution's budget runs as parts: a parent starts each part's state
/// machine in turn, the follower follows each child, a gate in a part is answered as any other,
/// and the world ends as planned. (A small `--max-events` stands in for a large plan.)
#[test]
fn a_plan_exported_as_parts_runs_part_after_part() {
    let (_scratch, runbook) = parts_runbook();
    let run = reviewed(runbook.to_str().unwrap());
    let plan = run.plan.to_str().unwrap();
    let deployed = run.ripcord(&[
        "deploy",
        plan,
        "--engine",
        "step-functions",
        "--region",
        REGION,
        "--role-arn",
        ROLE,
        "--max-events",
        "30",
    ]);
    let said = stderr(&deployed);
    assert!(deployed.status.success(), "{said}");
    assert!(
        said.contains("as ripcord-sfn-parts and its 3 parts"),
        "{said}"
    );
    let arns = stdout(&deployed);
    assert!(
        arns.lines()
            .next()
            .unwrap()
            .ends_with(":stateMachine:ripcord-sfn-parts-part-001"),
        "{arns}"
    );
    assert!(
        arns.lines()
            .last()
            .unwrap()
            .ends_with(":stateMachine:ripcord-sfn-parts"),
        "{arns}"
    );

    let (out, answered) = run.answer_until_done(run.start_apply(), &[]);
    let said = format!("{}\n{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{said}");
    assert_eq!(answered, 1);
    let journal = journal_lines(&run.runs());
    let plan_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&run.plan).unwrap()).unwrap();
    assert_executed_as_planned("sfn-parts", &journal, &plan_json, &BTreeMap::new());
    assert_eq!(journal.last().unwrap()["status"], "completed");
    let after = capture_of(
        &run.moto,
        runbook.to_str().unwrap(),
        run.dir(),
        "after.json",
    );
    assert_eq!(facts(&load(&run.end_state)), facts(&load(&after)));
    // Each part ran as a child execution of the run's own.
    let file = run.execution_file();
    assert_eq!(file["parts"].as_array().map(Vec::len), Some(3), "{file}");
    for part in file["parts"].as_array().unwrap() {
        let described = run.moto.boto3_json(
            REGION,
            "stepfunctions",
            &format!(
                "describe_execution(executionArn='{}')",
                part.as_str().unwrap()
            ),
        );
        assert!(described.contains("\"SUCCEEDED\""), "{described}");
    }
}

/// The 10,000-resource benchmark plan (bench/generate.py) exports within Step Functions'
/// documented quotas: no definition over 1 MB (1,048,576 bytes), no execution over 25,000
/// history events, every step in exactly one part of one stage.
#[test]
fn the_ten_thousand_step_benchmark_exports_within_step_functions_quotas() {
    let scratch = super::generated_bench();
    let dir = scratch.path();
    let plan = dir.join("plan.json");
    let planned = super::ripcord(&[
        "plan",
        dir.join("bench.rhai").to_str().unwrap(),
        "--inventory",
        dir.join("bench.inventory.json").to_str().unwrap(),
        "-f",
        "json",
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert!(planned.status.success(), "{}", stderr(&planned));
    let out = dir.join("bench.asl.json");
    let exported = super::ripcord(&[
        "export",
        plan.to_str().unwrap(),
        "--engine",
        "step-functions",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    // The role's policy, 10,000 resources by name, fitted to IAM's quota on a role's inline
    // policies (ripcord-core's tests hold a fitted policy to the exact one).
    let policy: ripcord_core::policy::PolicyDocument =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bench.asl.iam.json")).unwrap())
            .unwrap();
    assert!(policy.size() <= ripcord_core::policy::ROLE_INLINE_POLICY_MAX_CHARS);
    assert!(
        stderr(&exported).contains("are named by patterns"),
        "{}",
        stderr(&exported)
    );
    // Snapshots in us-east-1, copies in us-west-2: two stages, each a parent and its parts.
    assert!(!out.exists(), "a plan in two regions is written as stages");
    let mut definitions = Vec::new();
    let mut parts = 0;
    for stage in 1.. {
        let parent = dir.join(format!("bench.asl.stage-{stage}.json"));
        if !parent.is_file() {
            assert_eq!(stage, 3, "two stages");
            break;
        }
        definitions.push(std::fs::read_to_string(parent).unwrap());
        for k in 1.. {
            let path = dir.join(format!("bench.asl.stage-{stage}.part-{k:03}.json"));
            if !path.is_file() {
                break;
            }
            definitions.push(std::fs::read_to_string(path).unwrap());
            parts += 1;
        }
    }
    assert!(
        parts > 2,
        "10,000 steps are more than one execution per stage"
    );
    let mut steps = std::collections::BTreeSet::new();
    for definition in &definitions {
        assert!(
            definition.len() <= 1_048_576,
            "a definition of {} bytes",
            definition.len()
        );
        // The plan is straight-line (no wait, so no loop): each state runs at most once, and
        // a state adds at most 5 events (a Task's entered, scheduled, started, succeeded,
        // exited); plus the execution's start and end.
        let machine: Value = serde_json::from_str(definition).unwrap();
        let states = machine["States"].as_object().unwrap();
        assert!(!states.values().any(|s| s["Type"] == "Wait"));
        let events = 5 * states.len() + 2;
        assert!(events <= 25_000, "an execution of up to {events} events");
        for name in states.keys().filter(|n| n.ends_with(".0 done")) {
            assert!(steps.insert(name.clone()), "{name} in two parts");
        }
    }
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(
        steps.len() as u64,
        plan["counts"]["steps"].as_u64().unwrap(),
        "every step in one part"
    );
}

#[test]
fn deploy_creates_the_execution_role_with_the_plans_policy() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    let plan = run.plan.to_str().unwrap();
    let deploy = || {
        run.ripcord(&[
            "deploy",
            plan,
            "--engine",
            "step-functions",
            "--region",
            REGION,
            "--create-role",
            "ripcord-failover",
            "--poll-interval",
            "1",
        ])
    };
    let out = deploy();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("created role ripcord-failover"),
        "{}",
        stderr(&out)
    );
    let role = run
        .moto
        .boto3_json("us-east-1", "iam", "get_role(RoleName='ripcord-failover')");
    assert!(
        role.contains("states.amazonaws.com"),
        "the trust policy: {role}"
    );
    let policy = run.moto.boto3_json(
        "us-east-1",
        "iam",
        "get_role_policy(RoleName='ripcord-failover', PolicyName='ripcord-step-functions')",
    );
    for action in [
        "autoscaling:UpdateAutoScalingGroup",
        "rds:RemoveFromGlobalCluster",
        "route53:GetHealthCheck",
    ] {
        assert!(policy.contains(action), "{action} in {policy}");
    }
    let machine = run.moto.boto3_json(
        REGION,
        "stepfunctions",
        "describe_state_machine(stateMachineArn='arn:aws:states:us-west-2:123456789012:stateMachine:ripcord-ecommerce-failover')",
    );
    assert!(
        machine.contains("arn:aws:iam::123456789012:role/ripcord-failover"),
        "{machine}"
    );
    // Again: the role is there, its policy put again.
    let again = deploy();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("updated role ripcord-failover"),
        "{}",
        stderr(&again)
    );
    // And the execution runs.
    let (out, _) = run.answer_until_done(run.start_apply(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A failed execution resumed after the cause is fixed: `apply --resume` starts a new
/// execution of the same state machine at the step that failed (the steps done skipped) and
/// follows it to the end, in the same run.
#[test]
fn a_failed_execution_is_resumed_at_the_step_that_failed() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());
    let topic = "arn:aws:sns:us-west-2:123456789012:dr-notifications";
    // The stakeholders' topic is deleted while the gate waits: every step but the last one
    // runs, the notification fails.
    let out = run.changed_while_the_gate_waits("sns", &format!("delete_topic(TopicArn='{topic}')"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("step 10 Publish failed (runbooks/ecommerce/failover.rhai:70)"),
        "{}",
        stderr(&out)
    );
    // The cause fixed; the run resumed at the notification.
    run.moto
        .boto3("sns", "create_topic(Name='dr-notifications')");
    let run_id = run.run_id().unwrap();
    let runs = run.runs();
    let resumed = run.ripcord(&[
        "apply",
        "--resume",
        &run_id,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let said = stderr(&resumed);
    assert!(resumed.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "resuming run {run_id} at 015 Publish dr-notifications"
        )),
        "{said}"
    );
    assert!(said.contains("Completed after"), "{said}");
    let journal = journal_lines(&runs);
    let calls = |operation: &str| {
        journal
            .iter()
            .filter(|r| r["type"] == "intent" && r["intent"]["call"]["operation"] == operation)
            .count()
    };
    assert_eq!(calls("UpdateAutoScalingGroup"), 2, "each group scaled once");
    assert_eq!(calls("Publish"), 2, "the notification: failed, then sent");
    assert_eq!(journal.last().unwrap()["status"], "completed");
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(runs.join(&run_id).join("execution.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(file["earlier"].as_array().map(Vec::len), Some(1), "{file}");
    assert!(
        file["execution_arn"].as_str().unwrap().ends_with("-r2"),
        "{file}"
    );
}

/// A plan in parts whose last part fails is resumed in that part: the parent starts there,
/// the parts done are not run again.
#[test]
fn a_plan_in_parts_is_resumed_in_the_part_that_failed() {
    let (_scratch, runbook) = parts_runbook();
    let run = reviewed(runbook.to_str().unwrap());
    let plan = run.plan.to_str().unwrap();
    let deployed = run.ripcord(&[
        "deploy",
        plan,
        "--engine",
        "step-functions",
        "--region",
        REGION,
        "--role-arn",
        ROLE,
        "--max-events",
        "30",
    ]);
    assert!(deployed.status.success(), "{}", stderr(&deployed));
    let topic = "arn:aws:sns:us-west-2:123456789012:dr-notifications";
    let out = run.changed_while_the_gate_waits("sns", &format!("delete_topic(TopicArn='{topic}')"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    run.moto
        .boto3("sns", "create_topic(Name='dr-notifications')");
    let run_id = run.run_id().unwrap();
    let runs = run.runs();
    let resumed = run.ripcord(&[
        "apply",
        "--resume",
        &run_id,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    let said = stderr(&resumed);
    assert!(resumed.status.success(), "{said}");
    assert!(said.contains("Completed after"), "{said}");
    let journal = journal_lines(&runs);
    let intents: Vec<&Value> = journal.iter().filter(|r| r["type"] == "intent").collect();
    // Five steps, the notification twice.
    assert_eq!(intents.len(), 6, "{intents:#?}");
    // The resumed parent started at part 3: parts 1 and 2 ran once, in the first execution.
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(runs.join(&run_id).join("execution.json")).unwrap(),
    )
    .unwrap();
    let parts = file["parts"].as_array().unwrap();
    for k in 1..=2 {
        let listed = run.moto.read(
            REGION,
            "stepfunctions",
            &format!("list_executions(stateMachineArn='arn:aws:states:us-west-2:123456789012:stateMachine:ripcord-sfn-parts-part-{k:03}')"),
        );
        assert_eq!(
            listed["executions"].as_array().map(Vec::len),
            Some(1),
            "part {k}: {listed}"
        );
    }
    let third = run.moto.boto3_json(
        REGION,
        "stepfunctions",
        &format!(
            "describe_execution(executionArn='{}')",
            parts[2].as_str().unwrap()
        ),
    );
    assert!(third.contains("\"SUCCEEDED\""), "{third}");
}

/// SIGTERM (as Ctrl-C, or a closed terminal) stops following, not the execution: it still
/// waits at its gate in AWS, and `apply --resume` follows it to the end once it is answered.
#[test]
fn a_signal_stops_following_not_the_execution() {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());
    let mut apply = run.start_apply();
    let run_id = waiting_at_its_gate(&run, &mut apply);
    super::resume::signal(&apply, "TERM");
    let out = apply.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stopped following: the execution goes on in AWS"),
        "{}",
        stderr(&out)
    );
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(run.runs().join(&run_id).join("execution.json")).unwrap(),
    )
    .unwrap();
    let described = run.moto.read(
        REGION,
        "stepfunctions",
        &format!(
            "describe_execution(executionArn='{}')",
            file["execution_arn"].as_str().unwrap()
        ),
    );
    assert_eq!(described["status"], "RUNNING", "{described}");
    assert!(run.approve(&run_id, &[]).status.success());
    let runs = run.runs();
    let resumed = run.ripcord(&[
        "apply",
        "--resume",
        &run_id,
        "--runs-dir",
        runs.to_str().unwrap(),
    ]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(journal_lines(&runs).last().unwrap()["status"], "completed");
}

/// The day this is for: us-east-1 down (Route 53 answering) and the answer to StartExecution
/// lost. The reviewed plan is made against a capture under the outage, deployed in us-west-2;
/// apply starts exactly one execution (the name makes a second start the same execution) and
/// the run completes with the world the dry-run predicted.
#[test]
fn the_failover_runs_on_step_functions_with_us_east_1_down_and_a_start_answer_lost() {
    let runbook = "runbooks/ecommerce/failover.rhai";
    let moto = Moto::start_with(&["--execute-state-machines"]);
    moto.seed(&inventory_of(runbook));
    let mut rules: Vec<Value> = serde_json::from_str(&ripcord_testkit::FaultProxy::region_down(
        "us-east-1",
        &["route53"],
    ))
    .unwrap();
    rules.insert(
        0,
        serde_json::json!({"service": "states", "operation": "StartExecution", "fault": "lose", "first": 1}),
    );
    let proxy =
        ripcord_testkit::FaultProxy::start(&moto, 11, &serde_json::to_string(&rules).unwrap());
    let endpoint = proxy.endpoint();
    let env = [("AWS_ENDPOINT_URL", endpoint.as_str())];
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let run = |args: &[&str]| super::moto::ripcord_env(args, dir, &env);
    let capture = dir.join("capture.json");
    let out = run(&[
        "capture",
        "--regions",
        "us-east-1,us-west-2",
        "-o",
        capture.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan = dir.join("reviewed.json");
    let end_state = dir.join("end-state.json");
    let out = run(&[
        "plan",
        runbook,
        "--inventory",
        capture.to_str().unwrap(),
        "-f",
        "json",
        "-o",
        plan.to_str().unwrap(),
        "--end-state",
        end_state.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let topic: Value =
        serde_json::from_str(&moto.boto3_json(REGION, "sns", "create_topic(Name='dr-approvals')"))
            .unwrap();
    let topic = topic["TopicArn"].as_str().unwrap().to_string();
    let out = run(&[
        "deploy",
        plan.to_str().unwrap(),
        "--engine",
        "step-functions",
        "--region",
        REGION,
        "--role-arn",
        ROLE,
        "--poll-interval",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let runs = dir.join("runs");
    let mut apply = super::moto::ripcord_command(
        &[
            "apply",
            "--plan",
            plan.to_str().unwrap(),
            "--engine",
            "step-functions",
            "--region",
            REGION,
            "--approval-topic",
            &topic,
            "--yes",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        dir,
        &env,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut answered = 0;
    while apply.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the run did not end in 120 s");
        // The run's directory (beside it, `.locks`).
        let id = std::fs::read_dir(&runs).ok().and_then(|entries| {
            entries
                .flatten()
                .find(|e| e.path().join("execution.json").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
        });
        if let Some(id) = id {
            let out = run(&["approve", &id, "--runs-dir", runs.to_str().unwrap()]);
            if out.status.success() {
                answered += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let out = apply.wait_with_output().unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(answered, 1);
    assert_eq!(
        proxy.count("states", "StartExecution"),
        2,
        "the lost answer, then the start again"
    );
    let executions = moto.read(
        REGION,
        "stepfunctions",
        "list_executions(stateMachineArn='arn:aws:states:us-west-2:123456789012:stateMachine:ripcord-ecommerce-failover')",
    );
    assert_eq!(
        executions["executions"].as_array().map(Vec::len),
        Some(1),
        "{executions}"
    );
    assert_eq!(journal_lines(&runs).last().unwrap()["status"], "completed");
    // The world as the dry-run under the outage predicted (us-east-1's side is not read).
    let after = dir.join("after.json");
    let out = super::moto::ripcord_env(
        &[
            "capture",
            "--regions",
            "us-west-2",
            "-o",
            after.to_str().unwrap(),
        ],
        dir,
        &[("AWS_ENDPOINT_URL", moto.url.as_str())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let west = |world: &ripcord_core::Inventory| -> Vec<String> {
        facts(world)
            .into_iter()
            .filter(|f| f.contains("us-west-2") || f.starts_with("health-check "))
            .collect()
    };
    let live = west(&load(&after));
    assert!(
        live.iter()
            .any(|f| f.starts_with("asg us-west-2 dr-web-asg") && f.contains("desired=4")),
        "{live:?}"
    );
    assert_eq!(west(&load(&end_state)), live);
}

/// The e-commerce failover deployed, and applied through the fault proxy with `rules`, which
/// keep the answers to StartExecution from it: apply cannot tell whether the execution started
/// and says so (exit 6). The run's id (its execution.json is written before the start).
fn started_in_doubt(rules: &str) -> (Deployed, ripcord_testkit::FaultProxy, String) {
    let run = reviewed("runbooks/ecommerce/failover.rhai");
    assert!(run.deploy().status.success());
    let proxy = ripcord_testkit::FaultProxy::start(&run.moto, 3, rules);
    let out = run
        .start_apply_at(&proxy.endpoint())
        .wait_with_output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "{said}");
    assert!(said.contains("cannot tell whether execution"), "{said}");
    let run_id = run
        .run_id()
        .expect("execution.json written before the start");
    (run, proxy, run_id)
}

/// Every answer to the run's StartExecution lost: apply cannot tell whether the execution
/// started and says so, leaving the run to `apply --resume` (execution.json was written
/// before the start). The execution did start and waits at its gate; answered meanwhile with
/// `approve`, it ends; the resume's start of the same name gets ExecutionAlreadyExists and
/// adopts it: one execution, each step journaled once, the run completed.
#[test]
fn a_start_whose_answers_were_lost_is_settled_by_resume_without_a_second_execution() {
    let (run, proxy, run_id) = started_in_doubt(
        r#"[{"service": "states", "operation": "StartExecution", "fault": "lose"}]"#,
    );
    let endpoint = proxy.endpoint();
    let file = run.execution_file();
    assert_eq!(file["started"], false, "{file}");
    let sent = proxy.count("states", "StartExecution");
    assert!(sent >= 1, "{}", proxy.log_json());
    let machine = "arn:aws:states:us-west-2:123456789012:stateMachine:ripcord-ecommerce-failover";
    let executions = || {
        run.moto.read(
            REGION,
            "stepfunctions",
            &format!("list_executions(stateMachineArn='{machine}')"),
        )["executions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    // It started: its gate is answered from the run's file while nobody follows it.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = run.approve(&run_id, &[]);
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        assert!(
            Instant::now() < deadline,
            "no gate waited: {}",
            stderr(&out)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while executions()
        .first()
        .is_none_or(|e| e["status"] == "RUNNING")
    {
        assert!(Instant::now() < deadline, "{:?}", executions());
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(executions()[0]["status"], "SUCCEEDED", "{:?}", executions());
    // Step Functions answers again.
    proxy.set_rules("[]");
    let runs = run.runs();
    let resumed = run.resume_at(&run_id, &endpoint).output().unwrap();
    let said = stderr(&resumed);
    assert!(resumed.status.success(), "{said}");
    assert!(
        said.contains("was started by an earlier request whose answer was lost"),
        "{said}"
    );
    assert_eq!(proxy.count("states", "StartExecution"), sent + 1);
    assert_eq!(executions().len(), 1, "{:?}", executions());
    let journal = journal_lines(&runs);
    let intents = |operation: &str| {
        journal
            .iter()
            .filter(|r| r["type"] == "intent" && r["intent"]["call"]["operation"] == operation)
            .count()
    };
    assert_eq!(
        intents("UpdateAutoScalingGroup"),
        2,
        "each group scaled once"
    );
    assert_eq!(intents("Publish"), 1, "one notification");
    assert_eq!(journal.last().unwrap()["status"], "completed");
    assert_eq!(run.execution_file()["started"], true);
}

/// Step Functions not answering at all (503 to every StartExecution, none reaching AWS): apply
/// cannot tell and says so; `approve` finds no execution and says how to start it; once Step
/// Functions answers, `apply --resume` starts the execution under the run's name and follows
/// it to the end.
#[test]
fn a_start_that_never_reached_aws_is_started_by_resume() {
    let (run, proxy, run_id) = started_in_doubt(
        r#"[{"service": "states", "operation": "StartExecution", "fault": "status", "status": 503}]"#,
    );
    let endpoint = proxy.endpoint();
    let runs = run.runs();
    let listed = run.ripcord(&["runs", "list", "--runs-dir", runs.to_str().unwrap()]);
    let line = stdout(&listed)
        .lines()
        .find(|l| l.contains(&run_id))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(line.contains("not followed"), "{}", stdout(&listed));
    let out = run.approve(&run_id, &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("has not started (its start was not answered, and AWS does not know it)"),
        "{}",
        stderr(&out)
    );
    proxy.set_rules("[]");
    let resumed = run
        .resume_at(&run_id, &endpoint)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, answered) = run.answer_until_done(resumed, &[]);
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(answered, 1);
    assert!(
        said.contains("whose start was not answered: execution"),
        "{said}"
    );
    let reached = proxy
        .log()
        .into_iter()
        .filter(|r| r.operation == "StartExecution" && r.forwarded)
        .count();
    assert_eq!(reached, 1, "{}", proxy.log_json());
    let file = run.execution_file();
    assert_eq!(file["started"], true, "{file}");
    assert!(
        file["execution_arn"].as_str().unwrap().ends_with(&run_id),
        "{file}"
    );
    assert_eq!(journal_lines(&runs).last().unwrap()["status"], "completed");
}
