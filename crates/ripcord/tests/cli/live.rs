//! Live tests against moto: plan/apply parity for every runbook, the dry-run's silence on the
//! network, the account guard, approvals without a terminal, secrets, a failure mid-run, Ctrl-C
//! during a wait and at an approval prompt, the RPO check on a lag read from CloudWatch.

use super::moto::{ripcord_env, Moto};
use super::plan::runbooks;
use super::term::Term;
use super::{stderr, stdout, workspace};
use ripcord_core::Inventory;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The e-commerce failover applied on a pseudo-terminal (so that it asks there) against a
/// seeded moto: confirmed, and waiting at its approval prompt.
struct AtApproval {
    moto: Moto,
    home: tempfile::TempDir,
    runs: PathBuf,
    term: Term,
}

fn failover_at_its_approval() -> AtApproval {
    let moto = Moto::start();
    moto.seed(&inventory_of("runbooks/ecommerce/failover.rhai"));
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let mut term = moto.term(
        &[
            "apply",
            "runbooks/ecommerce/failover.rhai",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home.path(),
    );
    term.expect("Type yes to go on");
    term.line("yes");
    term.expect("APPROVAL NEEDED");
    AtApproval {
        moto,
        home,
        runs,
        term,
    }
}

/// `ripcord runs show` of the only run under `runs`.
fn show_only_run(runs: &Path, home: &Path) -> String {
    let id = std::fs::read_dir(runs)
        .unwrap()
        .flatten()
        .find(|entry| entry.path().join("journal.jsonl").is_file())
        .unwrap()
        .file_name();
    let show = ripcord_env(
        &[
            "runs",
            "show",
            &id.to_string_lossy(),
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home,
        &[],
    );
    stdout(&show)
}

/// The inventory beside a runbook, as `plan` finds it.
pub(crate) fn inventory_of(runbook: &str) -> PathBuf {
    let path = workspace().join(runbook);
    let dir = path.parent().unwrap();
    let stem = path.file_stem().unwrap().to_string_lossy();
    let beside = dir.join(format!("{stem}.inventory.yaml"));
    if beside.is_file() {
        beside
    } else {
        dir.join("inventory.yaml")
    }
}

pub(crate) fn regions_of(runbook: &str) -> String {
    let text = std::fs::read_to_string(workspace().join(runbook)).unwrap();
    let start = text
        .find("regions: [")
        .expect("runbooks declare their regions")
        + "regions: [".len();
    let end = start + text[start..].find(']').unwrap();
    text[start..end]
        .split(',')
        .map(|r| r.trim().trim_matches('"').to_string())
        .filter(|r| !r.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// Replaces the clock-derived parts of names and descriptions, which differ between a dry-run
/// (virtual clock) and a live run (wall clock) by design.
pub(crate) fn without_times(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits >= 8 {
            // 20261124-031500 or 2026-11-24 03:15:00 style stamps: drop the digit run and what
            // belongs to it.
            let mut j = i + digits;
            while j < chars.len() && (chars[j].is_ascii_digit() || "-: T".contains(chars[j])) {
                j += 1;
            }
            out.push_str("<time>");
            i = j;
        } else if digits == 4 && chars.get(i + 4) == Some(&'-') {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || "-: TZ".contains(chars[j])) {
                j += 1;
            }
            out.push_str("<time>");
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Replaces durations a runbook formats from its clock (`2m 03s`, `0s`): estimated in a
/// dry-run, measured live.
fn without_durations(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(first) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..first]);
        rest = &rest[first..];
        let mut end = 0;
        let mut units = 0;
        loop {
            let digits = rest[end..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let unit = rest[end + digits..].chars().next();
            let after = rest[end + digits..].chars().nth(1);
            let is_unit = digits > 0
                && matches!(unit, Some('s' | 'm' | 'h' | 'd'))
                && !after.is_some_and(|c| c.is_ascii_alphanumeric());
            if !is_unit {
                break;
            }
            end += digits + 1;
            units += 1;
            if rest[end..].starts_with(' ')
                && rest[end + 1..].starts_with(|c: char| c.is_ascii_digit())
            {
                end += 1;
            } else {
                break;
            }
        }
        if units > 0 {
            out.push_str("<duration>");
            rest = &rest[end..];
        } else {
            let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            out.push_str(&rest[..digits]);
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// A step as both sides record it: the intent JSON with created ids mapped and times masked.
fn normalize(step: &Value, ids: &BTreeMap<String, String>) -> String {
    let mut text = step.to_string();
    for (planned, live) in ids {
        text = text.replace(live.as_str(), planned.as_str());
    }
    without_durations(&without_times(&text))
}

/// The plan's steps as blocks: a top-level step, or a parallel group's branches.
pub(crate) fn plan_blocks(plan: &Value) -> Vec<Vec<Vec<Value>>> {
    let mut blocks = Vec::new();
    for item in plan["items"].as_array().unwrap() {
        let as_intent = |step: &Value| -> Option<Value> {
            let kind = step["type"].as_str()?;
            match kind {
                "call" => Some(serde_json::json!({"type": "call", "call": step["call"]})),
                "wait" => Some(serde_json::json!({"type": "wait", "wait": step["wait"]})),
                "check" => Some(serde_json::json!({"type": "check", "check": step["check"]})),
                "approval" => {
                    Some(serde_json::json!({"type": "approval", "message": step["message"]}))
                }
                _ => None,
            }
        };
        if item["item"] == "parallel" {
            let branches = item["branches"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_array().unwrap().iter().filter_map(as_intent).collect())
                .collect();
            blocks.push(branches);
        } else if let Some(intent) = as_intent(item) {
            blocks.push(vec![vec![intent]]);
        }
    }
    blocks
}

fn creates_in_plan(plan: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        if let Some(items) = v.as_array() {
            items.iter().for_each(|i| walk(i, out));
        } else if v.get("branches").is_some() {
            walk(&v["branches"], out);
        } else if let Some(created) = v.get("creates").and_then(Value::as_str) {
            out.push(created.to_string());
        }
    }
    walk(&plan["items"], &mut out);
    out
}

pub(crate) fn journal_lines(runs_dir: &Path) -> Vec<Value> {
    let run = std::fs::read_dir(runs_dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|dir| dir.join("journal.jsonl").is_file())
        .expect("apply wrote a run directory");
    std::fs::read_to_string(run.join("journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Facts about a world that a runbook's steps change, comparable between the simulation's end
/// state and a capture of moto after the apply.
pub(crate) fn facts(inventory: &Inventory) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    for (region, r) in &inventory.regions {
        for g in &r.auto_scaling_groups {
            facts.insert(format!(
                "asg {region} {} min={} max={} desired={}",
                g.name, g.min_size, g.max_size, g.desired_capacity
            ));
        }
        for d in &r.db_instances {
            facts.insert(format!(
                "db {region} {} replica={} multi_az={}",
                d.id,
                d.read_replica_source.is_some(),
                d.multi_az
            ));
        }
        for c in &r.db_clusters {
            facts.insert(format!("cluster {region} {}", c.id));
        }
        for svc in &r.ecs_services {
            facts.insert(format!(
                "ecs {region} {}/{} desired={} running={}",
                svc.cluster,
                svc.name,
                svc.desired_count,
                svc.running_count.unwrap_or(svc.desired_count)
            ));
        }
        for t in &r.dynamodb_tables {
            let mut replicas: Vec<String> = t
                .replicas
                .iter()
                .map(|x| format!("{}:{}", x.region, x.status))
                .collect();
            replicas.sort();
            facts.insert(format!(
                "table {region} {} {} stream={:?} replicas={replicas:?}",
                t.name, t.status, t.stream_view_type
            ));
        }
        facts.insert(format!("ebs-snapshots {region} {}", r.snapshots.len()));
        // Manual ones only: the simulation does not model automated backups (AWS deletes an
        // instance's with it; docs/simulation.md, "What is not modelled").
        let manual = r
            .db_snapshots
            .iter()
            .chain(&r.db_cluster_snapshots)
            .filter(|s| s.snapshot_type != "automated")
            .count();
        facts.insert(format!("db-snapshots {region} {manual}"));
    }
    for g in &inventory.global_clusters {
        for m in &g.members {
            facts.insert(format!(
                "global {} {} {} writer={}",
                g.id, m.region, m.cluster, m.writer
            ));
        }
    }
    for h in &inventory.health_checks {
        facts.insert(format!(
            "health-check {} disabled={} inverted={}",
            h.name.clone().unwrap_or_default(),
            h.disabled,
            h.inverted
        ));
    }
    for z in &inventory.hosted_zones {
        for r in &z.records {
            let target = match &r.alias {
                Some(a) => format!("alias {}", a.dns_name.trim_end_matches('.')),
                None => format!("values {:?} ttl {:?}", r.values, r.ttl),
            };
            facts.insert(format!(
                "record {} {} {} {:?} weight {:?} {target}",
                z.name.trim_end_matches('.'),
                r.name.trim_end_matches('.'),
                r.rtype,
                r.set_id,
                r.weight
            ));
        }
    }
    for b in &inventory.buckets {
        let dest: Vec<String> = b
            .replication
            .iter()
            .flat_map(|r| {
                r.rules
                    .iter()
                    .map(|rule| format!("{}:{}", rule.destination_bucket, rule.status))
            })
            .collect();
        facts.insert(format!("bucket {} replicates {:?}", b.name, dest));
    }
    facts
}

pub(crate) fn load(path: &Path) -> Inventory {
    Inventory::load(path)
        .unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()))
        .0
}

/// A capture of `runbook`'s regions in moto into `dir/name`.
pub(crate) fn capture_of(moto: &Moto, runbook: &str, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let out = moto.ripcord(
        &[
            "capture",
            "--regions",
            &regions_of(runbook),
            "-o",
            path.to_str().unwrap(),
        ],
        dir,
    );
    assert!(
        out.status.success(),
        "{runbook}: capture failed: {}",
        stderr(&out)
    );
    path
}

/// The JSON plan of `runbook` against `capture`, writing the simulated end state to
/// `end_state`.
pub(crate) fn plan_with_end_state(
    moto: &Moto,
    runbook: &str,
    capture: &Path,
    end_state: &Path,
    dir: &Path,
) -> Value {
    let plan = moto.ripcord(
        &[
            "plan",
            runbook,
            "--inventory",
            capture.to_str().unwrap(),
            "-f",
            "json",
            "--end-state",
            end_state.to_str().unwrap(),
        ],
        dir,
    );
    assert!(
        plan.status.success(),
        "{runbook}: plan against the capture failed: {}",
        stderr(&plan)
    );
    serde_json::from_slice(&plan.stdout).unwrap()
}

/// A runbook planned against a capture of moto (seeded from its inventory) and applied to
/// it: the simulated end state, a capture of moto afterwards, and the ids the run created.
pub(crate) struct Applied {
    pub simulated: Inventory,
    pub live: Inventory,
    /// Planned id -> the id moto gave the same resource, for what the run created.
    pub ids: BTreeMap<String, String>,
    /// The run's journal, line by line.
    pub journal: Vec<Value>,
    /// What the apply printed (stdout, then stderr).
    pub said: String,
    /// The requests of the apply as the fault proxy saw them (empty without faults).
    pub requests: Vec<ripcord_testkit::Request>,
}

/// Faults the apply of [`plan_and_apply_with`] goes through: the fault proxy's seed and rules
/// (tests/moto/faultproxy.py). Capture and plan do not.
pub(crate) struct Faults<'a> {
    pub seed: u64,
    pub rules: &'a str,
}

/// Plans `runbook` against a capture of a fresh moto seeded from its inventory, applies it,
/// checks that the executed steps are the planned steps (in order up to the branches of a
/// group), and captures the world after.
pub(crate) fn plan_and_apply(runbook: &str) -> Applied {
    plan_and_apply_with(runbook, None)
}

/// [`plan_and_apply`] with the apply's requests through the fault proxy with `faults`.
/// The journal's intents are the plan's steps, in order up to the branches of a group: each
/// block's steps, each branch in its own order; `ids` maps the planned ids of what the run
/// created to AWS's.
pub(crate) fn assert_executed_as_planned(
    runbook: &str,
    journal: &[Value],
    plan: &Value,
    ids: &BTreeMap<String, String>,
) {
    let intents: Vec<String> = journal
        .iter()
        .filter(|r| r["type"] == "intent")
        .map(|r| normalize(&r["intent"], ids))
        .collect();
    let mut next = 0;
    for block in plan_blocks(plan) {
        let size: usize = block.iter().map(Vec::len).sum();
        let executed = &intents[next..next + size];
        for branch in &block {
            // Each branch's steps appear in the branch's order among the group's.
            let mut at = 0;
            for step in branch {
                let wanted = normalize(step, ids);
                let found = executed[at..].iter().position(|e| *e == wanted);
                assert!(found.is_some(), "{runbook}: planned step not executed in order:\n{wanted}\nexecuted:\n{executed:#?}");
                at += found.unwrap() + 1;
            }
        }
        next += size;
    }
    assert_eq!(
        next,
        intents.len(),
        "{runbook}: more steps executed than planned"
    );
}

pub(crate) fn plan_and_apply_with(runbook: &str, faults: Option<Faults>) -> Applied {
    let moto = Moto::start();
    moto.seed(&inventory_of(runbook));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let capture = capture_of(&moto, runbook, dir, "capture.json");
    let end_state = dir.join("end-state.json");
    let plan = plan_with_end_state(&moto, runbook, &capture, &end_state, dir);

    let runs = dir.join("runs");
    let proxy = faults.map(|f| ripcord_testkit::FaultProxy::start(&moto, f.seed, f.rules));
    let endpoint = match &proxy {
        Some(proxy) => proxy.endpoint(),
        None => moto.url.clone(),
    };
    let apply = ripcord_env(
        &[
            "apply",
            runbook,
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        dir,
        &[("AWS_ENDPOINT_URL", endpoint.as_str())],
    );
    let said = format!("{}\n{}", stdout(&apply), stderr(&apply));
    assert!(apply.status.success(), "{runbook}: apply failed:\n{said}",);
    let requests = proxy.map(|p| p.log()).unwrap_or_default();

    // The executed steps are the planned steps, in order up to the branches of a group.
    let journal = journal_lines(&runs);
    let live_creates: BTreeMap<u64, String> = journal
        .iter()
        .filter(|r| r["type"] == "result")
        .filter_map(|r| {
            Some((
                r["seq"].as_u64()?,
                r["outcome"]["creates"].as_str()?.to_string(),
            ))
        })
        .collect();
    let planned_creates = creates_in_plan(&plan);
    assert_eq!(
        planned_creates.len(),
        live_creates.len(),
        "{runbook}: created resources differ"
    );
    let ids: BTreeMap<String, String> = planned_creates
        .into_iter()
        .zip(live_creates.into_values())
        .collect();
    assert_executed_as_planned(runbook, &journal, &plan, &ids);

    let after = capture_of(&moto, runbook, dir, "after.json");
    Applied {
        simulated: load(&end_state),
        live: load(&after),
        ids,
        journal,
        said,
        requests,
    }
}

#[test]
fn plan_and_apply_agree_for_every_runbook() {
    for runbook in runbooks() {
        let run = plan_and_apply(&runbook);
        assert_eq!(
            facts(&run.simulated),
            facts(&run.live),
            "{runbook}: simulated and live end states differ"
        );
    }
}

/// The ECS example is not under runbooks/: its parity is checked here, calls and end state.
#[test]
fn plan_and_apply_agree_for_the_ecs_example() {
    let run = plan_and_apply("examples/ecs-failover.rhai");
    let facts_of = |world: &Inventory| -> Vec<String> {
        facts(world)
            .into_iter()
            .filter(|f| f.starts_with("ecs ") || f.starts_with("health-check "))
            .collect()
    };
    assert_eq!(
        facts_of(&run.simulated),
        facts_of(&run.live),
        "simulated and live end states differ"
    );
    // What the runbook set, read back from moto: the standby carries the primary's 4 tasks,
    // the primary is drained.
    let live = facts_of(&run.live);
    assert!(
        live.contains(&"ecs us-west-2 dr-web-cluster/web desired=4 running=4".to_string()),
        "{live:?}"
    );
    assert!(
        live.contains(&"ecs us-east-1 web-cluster/web desired=0 running=0".to_string()),
        "{live:?}"
    );
}

#[test]
fn the_dry_run_sends_no_request() {
    // A listener that counts connections stands where AWS would be.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let home = tempfile::tempdir().unwrap();
    for runbook in runbooks() {
        let out = ripcord_env(
            &["plan", &runbook],
            home.path(),
            &[("AWS_ENDPOINT_URL", url.as_str())],
        );
        assert!(out.status.success(), "{runbook}: {}", stderr(&out));
    }
    let out = ripcord_env(
        &["check", "runbooks/ecommerce/failover.rhai"],
        home.path(),
        &[("AWS_ENDPOINT_URL", url.as_str())],
    );
    assert!(out.status.success());
    let mut connections = 0;
    while listener.accept().is_ok() {
        connections += 1;
    }
    assert_eq!(connections, 0, "plan/check connected to the endpoint");
}

#[test]
fn the_account_guard_refuses_another_account_before_any_change() {
    let moto = Moto::start_with(&["--account-id", "111122223333"]);
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let out = moto.ripcord(
        &[
            "apply",
            "runbooks/ecommerce/failover.rhai",
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("account 111122223333"), "{err}");
    assert!(err.contains("123456789012"), "{err}");
    assert!(!runs.exists(), "no journal: nothing was run");
}

#[test]
fn approvals_and_confirmation_need_a_terminal_or_explicit_flags() {
    let moto = Moto::start();
    moto.seed(&inventory_of("runbooks/ecommerce/failover.rhai"));
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let runs_arg = runs.to_str().unwrap();

    // No terminal and no --yes: refused before anything is sent.
    let out = moto.ripcord(
        &[
            "apply",
            "runbooks/ecommerce/failover.rhai",
            "--runs-dir",
            runs_arg,
        ],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert!(!runs.exists());

    // --yes but not --approve-gates: approve() still stops, and without a terminal refuses.
    let out = moto.ripcord(
        &[
            "apply",
            "runbooks/ecommerce/failover.rhai",
            "--yes",
            "--runs-dir",
            runs_arg,
        ],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("--approve-gates"), "{}", stderr(&out));
    let journal = journal_lines(&runs);
    let mutating = journal
        .iter()
        .filter(|r| r["type"] == "intent" && r["intent"]["type"] == "call")
        .count();
    assert_eq!(mutating, 0, "no change may be sent before the approval");
    assert_eq!(journal.last().unwrap()["status"], "refused");
}

#[test]
fn credentials_never_reach_plans_journals_output_or_logs() {
    let moto = Moto::start();
    moto.seed(&inventory_of("runbooks/ecommerce/failover.rhai"));
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let canary_key = "AKIACANARY0000000001";
    let canary_secret = "canary/Secret+Value/DoNotLeak0123456789";
    let env = [
        ("AWS_ENDPOINT_URL", moto.url.as_str()),
        ("AWS_ACCESS_KEY_ID", canary_key),
        ("AWS_SECRET_ACCESS_KEY", canary_secret),
        ("AWS_SESSION_TOKEN", "CanarySessionToken0123456789"),
    ];
    let capture = home.path().join("capture.json");
    let mut texts = Vec::new();
    for args in [
        // The most verbose logs: the SDK's own events, requests and signing included.
        vec![
            "capture",
            "--regions",
            "us-east-1,us-west-2",
            "-o",
            capture.to_str().unwrap(),
            "--log-level",
            "trace",
        ],
        vec![
            "plan",
            "runbooks/ecommerce/failover.rhai",
            "--inventory",
            capture.to_str().unwrap(),
            "-f",
            "json",
        ],
        vec![
            "apply",
            "runbooks/ecommerce/failover.rhai",
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--log-level",
            "debug",
        ],
        vec!["apply", "runbooks/does-not-exist.rhai", "--yes"],
    ] {
        let out = ripcord_env(&args, home.path(), &env);
        texts.push(stdout(&out));
        texts.push(stderr(&out));
    }
    for file in walk(home.path()) {
        texts.push(std::fs::read_to_string(file).unwrap_or_default());
    }
    assert!(
        texts.iter().any(|t| t.contains("journal")),
        "the runs produced output"
    );
    // The logs were on: the SDK's orchestrator and ripcord's own sends are in them.
    assert!(texts.iter().any(|t| t.contains("aws_smithy_runtime")));
    assert!(texts
        .iter()
        .any(|t| t.contains("ripcord_aws::settle") && t.contains("UpdateAutoScalingGroup")));
    for text in &texts {
        for canary in [canary_key, canary_secret, "CanarySessionToken"] {
            let leaks: Vec<&str> = text.lines().filter(|l| l.contains(canary)).collect();
            assert!(
                leaks.is_empty(),
                "a credential leaked:\n{}",
                leaks.join("\n")
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_failure_mid_run_stops_with_a_report_and_a_journal() {
    // The world changes between the plan and the change: dr-app-asg is deleted while the run
    // waits for its approval, so the plan passes and the live call fails.
    let AtApproval {
        moto,
        home,
        runs,
        mut term,
    } = failover_at_its_approval();
    moto.boto3(
        "autoscaling",
        "delete_auto_scaling_group(AutoScalingGroupName='dr-app-asg', ForceDelete=True)",
    );
    term.expect("Type yes to go on");
    term.line("yes");
    let (status, seen) = term.finish();
    assert_eq!(status.code(), Some(1), "{seen}");
    assert!(seen.contains("dr-app-asg"), "{seen}");
    assert!(
        seen.contains("Failed after"),
        "the report is printed:\n{seen}"
    );
    // A failover that stopped halfway did not recover, whatever the RTO says.
    assert!(seen.contains(": not recovered. "), "{seen}");
    let ended = seen.lines().skip_while(|l| !l.starts_with("Failed after"));
    assert!(
        ended.clone().all(|l| !l.contains("within the objective")),
        "{seen}"
    );
    assert!(
        ended
            .take(2)
            .any(|l| l.contains("counted from the run's start")),
        "{seen}"
    );
    let journal = journal_lines(&runs);
    // One step failed; a wait of another branch still running then is abandoned at its next
    // poll (docs/live.md, "A failing branch"), which depends on how fast moto answered it.
    let failed: Vec<&Value> = journal
        .iter()
        .filter(|r| r["type"] == "result" && r["ok"] == false)
        .filter(|r| r["error_code"] != "BranchAbandoned")
        .collect();
    assert_eq!(failed.len(), 1, "{journal:#?}");
    assert_eq!(journal.last().unwrap()["status"], "failed");

    // `runs list` and `runs show` render it.
    let list = ripcord_env(
        &["runs", "list", "--runs-dir", runs.to_str().unwrap()],
        home.path(),
        &[],
    );
    assert!(stdout(&list).contains("failed"), "{}", stdout(&list));
    let show = show_only_run(&runs, home.path());
    assert!(show.contains("FAILED"), "{show}");
}

#[test]
fn ctrl_c_during_a_wait_cancels_the_run_with_a_report_and_a_journal() {
    let moto = Moto::start();
    moto.seed(&inventory_of("runbooks/ecommerce/failover.rhai"));
    // A group that never gets in service: its only instance type weighs two capacity units,
    // so moto launches one instance for a desired capacity of 2, and the wait counts
    // InService instances. The dry-run sees a group still converging and plans the wait.
    moto.stuck_asg("stuck-asg");
    let home = tempfile::tempdir().unwrap();
    let runs = home.path().join("runs");
    let runbook = home.path().join("cancel-me.rhai");
    std::fs::write(
        &runbook,
        r#"runbook(#{
    name: "cancel-me",
    rto: "15m",
    accounts: ["123456789012"],
    regions: ["us-west-2"],
});
scale(asg("dr-web-asg", "us-west-2"), #{ min: 2, max: 5, desired: 3 });
wait(asg("stuck-asg", "us-west-2"), "in_service", "10m");
notify(topic("dr-notifications", "us-west-2"), "Scaled", "never sent: the run is cancelled before");
"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ripcord"))
        .args(["apply", runbook.to_str().unwrap(), "--yes", "--runs-dir"])
        .arg(&runs)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("RIPCORD_POLL_MS", "50")
        .env_remove("AWS_PROFILE")
        .env_remove("RIPCORD_RUNS_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ripcord runs");
    // stdout (the plan) is drained on its own so that a full pipe never blocks ripcord.
    let mut plan_out = child.stdout.take().unwrap();
    let plan_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = plan_out.read_to_string(&mut text);
        text
    });
    let mut progress = child.stderr.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("wait stuck-asg") {
        let n = progress.read(&mut buf).unwrap();
        assert!(n > 0, "ripcord ended before the wait started:\n{seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    // Let it poll a few times (50 ms apart) before the operator gives up.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let started = std::time::Instant::now();
    let mut rest = String::new();
    progress.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    seen.push_str(&rest);
    let plan = plan_reader.join().unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the wait stopped promptly"
    );
    assert_eq!(status.code(), Some(5), "{seen}");
    assert!(plan.contains("stuck-asg"), "the plan was shown:\n{plan}");

    // What was done and what was not.
    assert!(seen.contains("cancelling"), "{seen}");
    let done = seen
        .lines()
        .any(|l| l.contains('✓') && l.contains("UpdateAutoScalingGroup dr-web-asg"));
    assert!(done, "the scaling is reported done:\n{seen}");
    let stopped = seen
        .lines()
        .any(|l| l.contains('✗') && l.contains("stuck-asg") && l.contains("Cancelled"));
    assert!(stopped, "the wait is reported cancelled:\n{seen}");
    assert!(seen.contains("Cancelled"), "{seen}");
    assert!(
        seen.contains("Not done: 1 of the 3 planned steps were not started"),
        "{seen}"
    );

    // The journal: the scaling finished, the wait ended cancelled, nothing after it was sent,
    // and the run is recorded as cancelled.
    let journal = journal_lines(&runs);
    let intents: Vec<&Value> = journal.iter().filter(|r| r["type"] == "intent").collect();
    assert_eq!(intents.len(), 2, "{journal:#?}");
    assert_eq!(
        intents[0]["intent"]["call"]["operation"],
        "UpdateAutoScalingGroup"
    );
    assert_eq!(intents[1]["intent"]["type"], "wait");
    let results: Vec<&Value> = journal.iter().filter(|r| r["type"] == "result").collect();
    assert_eq!(results.len(), 2, "{journal:#?}");
    assert_eq!(results[0]["ok"], true);
    assert_eq!(
        (&results[1]["ok"], &results[1]["error_code"]),
        (&Value::Bool(false), &Value::from("Cancelled"))
    );
    let last = journal.last().unwrap();
    assert_eq!(
        (&last["type"], &last["status"]),
        (&Value::from("finished"), &Value::from("cancelled")),
        "{journal:#?}"
    );
    let published = journal
        .iter()
        .any(|r| r["type"] == "intent" && r["intent"]["call"]["operation"] == "Publish");
    assert!(!published, "{journal:#?}");
    // The scaling really happened; the notification really did not.
    let show = show_only_run(&runs, home.path());
    assert!(show.contains("Cancelled"), "{show}");
}

#[test]
fn ctrl_c_at_an_approval_prompt_cancels_without_waiting_for_enter() {
    // On a pseudo-terminal, the ^C written to it is turned into SIGINT by the terminal
    // itself, as when an operator presses Ctrl-C.
    // The server and the temporary home must live until the end: bound, not dropped.
    let AtApproval {
        moto: _moto,
        home: _home,
        runs,
        mut term,
    } = failover_at_its_approval();
    term.expect("Type yes to go on");
    // Nothing more is typed: the run must end on the Ctrl-C alone (a prompt still waiting
    // for Enter would not end, and `finish` fails after its deadline).
    let started = std::time::Instant::now();
    term.send(&[0x03]);
    let (status, seen) = term.finish();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{seen}"
    );
    assert_eq!(status.code(), Some(5), "{seen}");
    assert!(seen.contains("cancelling"), "{seen}");
    assert!(
        seen.contains("Not done: 8 of the 10 planned steps were not started"),
        "{seen}"
    );
    let journal = journal_lines(&runs);
    let results: Vec<&Value> = journal.iter().filter(|r| r["type"] == "result").collect();
    // The replication check ran; the approval ended cancelled, not refused; nothing followed.
    assert_eq!(results.len(), 2, "{journal:#?}");
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[1]["error_code"], "Cancelled", "{journal:#?}");
    let intents = journal.iter().filter(|r| r["type"] == "intent").count();
    assert_eq!(intents, 2, "{journal:#?}");
    assert_eq!(journal.last().unwrap()["status"], "cancelled");
}

#[test]
fn apply_refuses_a_failover_whose_standby_lags_beyond_the_rpo() {
    // The e-commerce failover's readiness check reads replica_lag(dr_db); live it comes from
    // CloudWatch's AuroraGlobalDBReplicationLag of the secondary (milliseconds). Ten minutes
    // of lag against a 5m RPO must stop the run before any change.
    let home = tempfile::tempdir().unwrap();
    let lagging = home.path().join("lagging.inventory.yaml");
    let inventory = std::fs::read_to_string(inventory_of("runbooks/ecommerce/failover.rhai"))
        .unwrap()
        .replace(
            "{ id: dr-aurora-cluster, engine: aurora-mysql, replication_lag_secs: 1 }",
            "{ id: dr-aurora-cluster, engine: aurora-mysql, replication_lag_secs: 600 }",
        );
    assert!(inventory.contains("replication_lag_secs: 600"));
    std::fs::write(&lagging, inventory).unwrap();
    let moto = Moto::start();
    // seed.py publishes the lag as CloudWatch's datapoint.
    moto.seed(&lagging);
    let runs = home.path().join("runs");
    let out = moto.ripcord(
        &[
            "apply",
            "runbooks/ecommerce/failover.rhai",
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home.path(),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    // The capture apply plans against carries the lag, so the dry-run stops first.
    assert!(
        err.contains("dr-aurora-cluster lags 10m 00s behind the primary"),
        "{err}"
    );
    assert!(err.contains("nothing was sent"), "{err}");
    let mutating = if runs.exists() {
        journal_lines(&runs)
            .iter()
            .filter(|r| r["type"] == "intent" && r["intent"]["type"] == "call")
            .count()
    } else {
        0
    };
    assert_eq!(mutating, 0, "no change may be sent");
}
