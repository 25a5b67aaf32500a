//! Lost answers (issue 10): moto carries a request out and the fault proxy replaces its answer
//! with a 503 or resets the connection. For every mutating operation of the bundled runbooks the first answer is lost;
//! each run completes, the steps are settled from AWS's state, the end state is the
//! simulated one, and each operation reached moto as often as the plan sends it: once per
//! step (a step whose check is to send again, twice for its lost answer; a reboot, at least
//! once, twice when the reboot is over by the time it is read).

use super::live::{facts, plan_and_apply_with, Applied, Faults};
use ripcord_core::{Call, Effect, Intent};
use serde_json::Value;
use std::collections::BTreeMap;

/// Every mutating call the run's journal records, with its result record.
pub(crate) fn calls(run: &Applied) -> Vec<(Call, Value)> {
    let mut calls = Vec::new();
    for record in run.journal.iter().filter(|r| r["type"] == "intent") {
        let intent: Intent = serde_json::from_value(record["intent"].clone()).unwrap();
        let Intent::Call { call } = intent else {
            continue;
        };
        let result = run
            .journal
            .iter()
            .find(|r| r["type"] == "result" && r["seq"] == record["seq"])
            .unwrap_or_else(|| panic!("an intent without its result: {record}"));
        calls.push((call, result.clone()));
    }
    calls
}

/// One `lose` rule per operation: the first request of each loses its answer, to a 503 for
/// every other operation and to a reset connection (`"status": 0`) for the rest.
/// With `region`, only requests to that region lose their answer (the proxy counts `first`
/// per region).
fn first_answers_lost(operations: &[(&str, &str)], region: Option<&str>) -> String {
    let rules: Vec<Value> = operations
        .iter()
        .enumerate()
        .map(|(i, (service, operation))| {
            let status = if i % 2 == 0 { 503 } else { 0 };
            let mut rule = serde_json::json!({"service": service, "operation": operation, "fault": "lose", "first": 1, "status": status});
            if let Some(region) = region {
                rule["region"] = region.into();
            }
            rule
        })
        .collect();
    Value::Array(rules).to_string()
}

/// Applies `runbook` with the first answer of each of `operations` lost, and checks what the
/// module promises.
fn settles_every_first_lost_answer(runbook: &str, operations: &[(&str, &str)]) {
    settles_every_first_lost_answer_in(runbook, None, operations);
}

/// [`settles_every_first_lost_answer`] for a runbook that sends an operation to several
/// regions: only the first answer in `region` is lost.
fn settles_every_first_lost_answer_in(
    runbook: &str,
    region: Option<&str>,
    operations: &[(&str, &str)],
) {
    let rules = first_answers_lost(operations, region);
    let run = plan_and_apply_with(
        runbook,
        Some(Faults {
            seed: 10,
            rules: &rules,
        }),
    );
    assert_eq!(
        facts(&run.simulated),
        facts(&run.live),
        "{runbook}: simulated and live end states differ\n{}",
        run.said
    );
    let calls = calls(&run);
    let mut planned: BTreeMap<&str, usize> = BTreeMap::new();
    for (call, _) in &calls {
        *planned.entry(call.operation()).or_default() += 1;
    }
    for (service, operation) in operations {
        let lost = run
            .requests
            .iter()
            .filter(|r| r.operation == *operation && r.fault.as_deref() == Some("lose"))
            .count();
        assert_eq!(lost, 1, "{runbook}: one answer of {operation} was lost");
        let steps = planned.get(operation).copied().unwrap_or(0);
        assert!(steps > 0, "{runbook} does not call {operation}");
        // Every step of it succeeded; one (in a parallel group, not necessarily the first
        // journaled) is the one whose answer was lost, journaled as settled.
        let of_op: Vec<&(Call, Value)> = calls
            .iter()
            .filter(|(call, _)| call.operation() == *operation)
            .collect();
        for (_, result) in &of_op {
            assert_eq!(result["ok"], true, "{runbook}: {operation}: {result}");
        }
        let settled: Vec<&(Call, Value)> = of_op
            .iter()
            .copied()
            .filter(|(_, result)| result["outcome"]["settled"].is_object())
            .collect();
        assert_eq!(
            settled.len(),
            1,
            "{runbook}: one step of {operation} is journaled as settled: {of_op:#?}"
        );
        let (call, result) = settled[0];
        let settled = &result["outcome"]["settled"];
        let resent = matches!(call.effect(), Effect::Resend { .. });
        // At least once: sent again when its effect is over by the time it is read.
        let transient = matches!(call.effect(), Effect::Transient { .. });
        let reached = run
            .requests
            .iter()
            .filter(|r| r.forwarded && r.service == *service && r.operation == *operation)
            .count();
        let expected = steps + usize::from(resent);
        let expected = if transient && reached == steps + 1 {
            reached
        } else {
            expected
        };
        assert_eq!(
            reached,
            expected,
            "{runbook}: {operation} reached moto {reached} times for {steps} step(s){}\n{}",
            if resent { " (one sent again)" } else { "" },
            run.said
        );
        if !resent && !transient {
            assert_eq!(settled["sent"], 1, "{runbook}: {operation}: {settled}");
        }
    }
    // The record of the run says so too: one note per settled step.
    let notes = run.said.matches("answer lost (").count();
    assert!(
        notes >= operations.len(),
        "{runbook}: the report shows {notes} settled steps:\n{}",
        run.said
    );
}

#[test]
fn the_ecommerce_failover_settles_every_lost_first_answer() {
    settles_every_first_lost_answer(
        "runbooks/ecommerce/failover.rhai",
        &[
            ("autoscaling", "UpdateAutoScalingGroup"),
            ("rds", "RemoveFromGlobalCluster"),
            ("route53", "UpdateHealthCheck"),
            ("sns", "Publish"),
        ],
    );
}

#[test]
fn the_pilot_light_settles_every_lost_first_answer() {
    settles_every_first_lost_answer(
        "runbooks/pilot-light/ignite.rhai",
        &[
            ("rds", "PromoteReadReplica"),
            ("autoscaling", "UpdateAutoScalingGroup"),
            ("route53", "ChangeResourceRecordSets"),
            ("sns", "Publish"),
        ],
    );
}

#[test]
fn the_failback_the_backup_and_the_reboot_settle_every_lost_first_answer() {
    settles_every_first_lost_answer(
        "runbooks/ecommerce/failback.rhai",
        &[("rds", "SwitchoverGlobalCluster")],
    );
    settles_every_first_lost_answer(
        "runbooks/backup/daily-ebs.rhai",
        &[("ec2", "CreateSnapshot"), ("ec2", "CopySnapshot")],
    );
    settles_every_first_lost_answer(
        "runbooks/rds-test/multi-az-failover.rhai",
        &[("rds", "RebootDBInstance")],
    );
}

/// The operations of issue 12: a global table's replica added and removed, ECS services
/// scaled, weights shifted (the active/active evacuation).
#[test]
fn replicas_services_and_weights_settle_every_lost_first_answer() {
    settles_every_first_lost_answer(
        "tests/parity/global-table-replicas.rhai",
        &[("dynamodb", "UpdateTable")],
    );
    settles_every_first_lost_answer_in(
        "tests/parity/ecs-scale.rhai",
        Some("us-west-2"),
        &[("ecs", "UpdateService")],
    );
    settles_every_first_lost_answer(
        "runbooks/active-active/evacuate.rhai",
        &[("route53", "ChangeResourceRecordSets"), ("sns", "Publish")],
    );
    settles_every_first_lost_answer_in(
        "runbooks/active-active/evacuate.rhai",
        Some("eu-west-1"),
        &[("autoscaling", "UpdateAutoScalingGroup")],
    );
}
