//! The reviewed-plan lock (issue 11): `apply --plan REVIEWED.json` runs only when a fresh
//! dry-run against the live state is the reviewed plan; otherwise it refuses (exit 9) and says
//! what moved, value by value, and sends nothing.

use super::live::{capture_of, inventory_of};
use super::moto::Moto;
use super::stderr;
use serde_json::Value;

const FAILOVER: &str = "runbooks/ecommerce/failover.rhai";

#[test]
fn apply_runs_exactly_the_reviewed_plan_or_says_what_moved() {
    let moto = Moto::start();
    moto.seed(&inventory_of(FAILOVER));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let capture = capture_of(&moto, FAILOVER, dir, "captured.json");
    let reviewed = dir.join("reviewed.json");
    let planned = moto.ripcord(
        &[
            "plan",
            FAILOVER,
            "--inventory",
            capture.to_str().unwrap(),
            "-f",
            "json",
            "-o",
            reviewed.to_str().unwrap(),
        ],
        dir,
    );
    assert!(planned.status.success(), "{}", stderr(&planned));
    let runs = dir.join("runs");
    let apply = |plan: &std::path::Path| {
        moto.ripcord(
            &[
                "apply",
                "--plan",
                plan.to_str().unwrap(),
                "--yes",
                "--approve-gates",
                "--runs-dir",
                runs.to_str().unwrap(),
            ],
            dir,
        )
    };
    let desired = || -> Value {
        let groups = moto.read(
            "us-west-2",
            "autoscaling",
            "describe_auto_scaling_groups(AutoScalingGroupNames=['dr-web-asg'])",
        );
        groups["AutoScalingGroups"][0]["DesiredCapacity"].clone()
    };

    // Someone scales the group by hand after the review: refused, saying what moved.
    moto.boto3(
        "autoscaling",
        "update_auto_scaling_group(AutoScalingGroupName='dr-web-asg', DesiredCapacity=3)",
    );
    let stale = apply(&reviewed);
    let err = stderr(&stale);
    assert_eq!(stale.status.code(), Some(9), "{err}");
    assert!(
        err.contains(
            "autoscaling UpdateAutoScalingGroup dr-web-asg (us-west-2): DesiredCapacity was 2 when reviewed, is 3 now"
        ),
        "{err}"
    );
    assert!(err.contains("Nothing was sent."), "{err}");
    assert_eq!(desired(), 3, "nothing was sent");

    // A runbook whose text is not the reviewed one is refused by its hash, before any request.
    let mut tampered: Value =
        serde_json::from_str(&std::fs::read_to_string(&reviewed).unwrap()).unwrap();
    tampered["runbook"]["sha256"] = Value::from("0".repeat(64));
    let other = dir.join("other.json");
    std::fs::write(&other, tampered.to_string()).unwrap();
    let refused = apply(&other);
    assert_eq!(refused.status.code(), Some(9), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("changed since the plan was reviewed (sha256 000000000000 then,"),
        "{}",
        stderr(&refused)
    );

    // Back as reviewed: exactly those steps run. The Publish message the runbook formats
    // from now() matches too: the dry-run keeps the reviewed plan's clock.
    moto.boto3(
        "autoscaling",
        "update_auto_scaling_group(AutoScalingGroupName='dr-web-asg', DesiredCapacity=2)",
    );
    let done = apply(&reviewed);
    let err = stderr(&done);
    assert!(done.status.success(), "{err}");
    assert!(err.contains("is the reviewed plan"), "{err}");
    assert_eq!(desired(), 4, "the reviewed plan scales dr-web-asg to 4");
}
