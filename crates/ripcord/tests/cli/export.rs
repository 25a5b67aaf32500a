//! `ripcord export PLAN.json --engine step-functions`: the e-commerce failover's state
//! machine against its golden, the policy written beside it, and inputs it refuses.

use super::plan::golden;
use super::{ripcord, stderr, stdout};
use ripcord_core::policy::PolicyDocument;

/// The e-commerce failover planned to a file in `dir`, as a reviewer would save it.
fn saved_plan(dir: &std::path::Path) -> String {
    let plan = dir.join("reviewed.json");
    let plan = plan.to_str().unwrap().to_string();
    let out = ripcord(&[
        "plan",
        "runbooks/ecommerce/failover.rhai",
        "-f",
        "json",
        "-o",
        &plan,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    plan
}

#[test]
fn the_ecommerce_failover_exports_to_its_golden_state_machine() {
    let dir = tempfile::tempdir().unwrap();
    let plan = saved_plan(dir.path());
    let out = ripcord(&["export", &plan, "--engine", "step-functions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    golden("ecommerce__failover.asl.json", &stdout(&out));
}

#[test]
fn export_writes_the_roles_policy_beside_the_state_machine() {
    let dir = tempfile::tempdir().unwrap();
    let plan = saved_plan(dir.path());
    let asl = dir.path().join("failover.asl.json");
    let out = ripcord(&[
        "export",
        &plan,
        "--engine",
        "step-functions",
        "-o",
        asl.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let machine: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&asl).unwrap()).unwrap();
    assert!(machine["States"].is_object());
    let policy = std::fs::read_to_string(dir.path().join("failover.asl.iam.json")).unwrap();
    let policy: PolicyDocument = serde_json::from_str(&policy).unwrap();
    // The calls' own permissions, scoped like `iam-policy`'s, and the approval's publish.
    assert!(policy.allows(
        "autoscaling:UpdateAutoScalingGroup",
        "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:x:autoScalingGroupName/dr-web-asg"
    ));
    assert!(policy.allows(
        "route53:UpdateHealthCheck",
        "arn:aws:route53:::healthcheck/4f6c8e2a-1b3d-4c5e-8f70-9a1b2c3d4e5f"
    ));
    assert!(policy.allows(
        "sns:Publish",
        "arn:aws:sns:us-west-2:123456789012:dr-notifications"
    ));
    // The execution does not capture: none of the capture's listing reads.
    assert!(!policy.allows("ec2:DescribeAvailabilityZones", "*"));
}

#[test]
fn export_refuses_what_is_not_a_plan() {
    let out = ripcord(&[
        "export",
        "runbooks/ecommerce/failover.rhai",
        "--engine",
        "step-functions",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a plan in JSON"),
        "{}",
        stderr(&out)
    );
}
