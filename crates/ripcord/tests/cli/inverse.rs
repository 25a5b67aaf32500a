//! `ripcord plan --inverse RUN_ID` (issue 16): the e-commerce failover applied against moto,
//! its inverse planned from the journal, reviewed, applied, and the world read back.

use super::live::inventory_of;
use super::moto::{ripcord_env, Moto};
use super::outage::json_steps;
use super::{stderr, stdout};
use serde_json::Value;
use std::path::Path;

fn only_run(runs: &Path) -> String {
    std::fs::read_dir(runs)
        .unwrap()
        .flatten()
        .find(|entry| entry.path().join("journal.jsonl").is_file())
        .expect("one run")
        .file_name()
        .to_string_lossy()
        .into_owned()
}

/// Every call of a JSON plan, groups flattened: (operation, target name).
fn calls(plan: &Value) -> Vec<(String, String)> {
    json_steps(plan)
        .into_iter()
        .filter(|step| step["type"] == "call")
        .map(|step| {
            (
                step["operation"].as_str().unwrap_or_default().to_string(),
                step["target"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn the_failover_is_undone_by_its_inverse_plan() {
    const FAILOVER: &str = "runbooks/ecommerce/failover.rhai";
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let endpoint = [("AWS_ENDPOINT_URL", moto.url.as_str())];
    let runs = dir.join("runs");
    let runs_arg = runs.to_str().unwrap();
    let apply = ripcord_env(
        &[
            "apply",
            FAILOVER,
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs_arg,
        ],
        dir,
        &endpoint,
    );
    assert!(apply.status.success(), "{}", stderr(&apply));
    let run_id = only_run(&runs);

    // The inverse, planned: nothing is sent (no endpoint is given).
    let planned = ripcord_env(
        &[
            "plan",
            "--inverse",
            &run_id,
            "--runs-dir",
            runs_arg,
            "-f",
            "json",
        ],
        dir,
        &[],
    );
    assert!(planned.status.success(), "{}", stderr(&planned));
    let said = stderr(&planned);
    assert!(said.contains("step(s) no call undoes"), "{said}");
    let plan: Value = serde_json::from_slice(&planned.stdout).unwrap();
    let calls = calls(&plan);
    assert!(
        calls.contains(&(
            "UpdateAutoScalingGroup".to_string(),
            "dr-web-asg".to_string()
        )) && calls.contains(&(
            "UpdateAutoScalingGroup".to_string(),
            "dr-app-asg".to_string()
        )) && calls.iter().any(|(op, _)| op == "UpdateHealthCheck"),
        "{calls:?}"
    );
    // What no call undoes is in the plan, as warnings a reviewer reads.
    let text = serde_json::to_string(&plan).unwrap();
    assert!(
        text.contains("not undone") && text.contains("RemoveFromGlobalCluster"),
        "{text}"
    );
    assert!(text.contains("Publish"), "{text}");
    let runbook = runs.join(&run_id).join("inverse.rhai");
    let source = std::fs::read_to_string(&runbook).unwrap();
    println!("{source}");
    assert!(
        source.contains("scale(asg(\"dr-web-asg\", \"us-west-2\")"),
        "{source}"
    );

    // Reviewed, then applied: the DR groups and the health check are as before the failover.
    let undo = ripcord_env(
        &[
            "apply",
            runbook.to_str().unwrap(),
            "--yes",
            "--approve-gates",
            "--runs-dir",
            dir.join("undo-runs").to_str().unwrap(),
        ],
        dir,
        &endpoint,
    );
    assert!(
        undo.status.success(),
        "{}\n{}",
        stdout(&undo),
        stderr(&undo)
    );
    let groups = moto.read(
        "us-west-2",
        "autoscaling",
        "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg', 'dr-app-asg'])",
    );
    let sizes: Vec<(String, i64, i64, i64)> = groups["AutoScalingGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["AutoScalingGroupName"].as_str().unwrap().to_string(),
                g["MinSize"].as_i64().unwrap(),
                g["MaxSize"].as_i64().unwrap(),
                g["DesiredCapacity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        sizes.contains(&("dr-web-asg".to_string(), 2, 5, 2)),
        "{sizes:?}"
    );
    assert!(
        sizes.contains(&("dr-app-asg".to_string(), 2, 6, 2)),
        "{sizes:?}"
    );
    // The detached database is rebuilt: the global database has its writer back.
    let globals = moto.read("us-east-1", "rds", "describe_global_clusters()");
    let members = &globals["GlobalClusters"][0]["GlobalClusterMembers"];
    let writer = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["IsWriter"] == true)
        .unwrap_or_else(|| panic!("no writer: {globals}"));
    assert!(
        writer["DBClusterArn"]
            .as_str()
            .unwrap()
            .ends_with(":cluster:ecommerce-aurora-cluster"),
        "{globals}"
    );
    assert_eq!(members.as_array().unwrap().len(), 2, "{globals}");
    let checks = moto.read("us-east-1", "route53", "list_health_checks()");
    let check = &checks["HealthChecks"][0]["HealthCheckConfig"];
    assert_eq!(check["Disabled"], false, "{check}");
    assert_eq!(check["Inverted"], false, "{check}");
}
