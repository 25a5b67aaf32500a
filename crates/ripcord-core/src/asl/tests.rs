//! The export's shape, on the bundled runbooks' plans (the goldens of `tests/golden/`).

use super::machine::{Graph, State};
use super::*;
use crate::plan::Plan;
use serde_json::Value;
use std::collections::BTreeMap;

/// A golden plan, without its first line (the golden's header).
fn golden(name: &str) -> Plan {
    let text = match name {
        "ecommerce" => include_str!("../../../../tests/golden/ecommerce__failover.json"),
        "pilot-light" => include_str!("../../../../tests/golden/pilot-light__ignite.json"),
        "backup" => include_str!("../../../../tests/golden/backup__daily-ebs.json"),
        "dns-batch" => include_str!("../../../../tests/golden/examples__dns-batch.json"),
        "rds" => include_str!("../../../../tests/golden/rds-test__multi-az-failover.json"),
        "pilot-light-failback" => {
            include_str!("../../../../tests/golden/pilot-light__failback.json")
        }
        "evacuate" => include_str!("../../../../tests/golden/active-active__evacuate.json"),
        _ => unreachable!("no golden {name}"),
    };
    let json = text.split_once('\n').map_or(text, |(_, rest)| rest);
    serde_json::from_str(json).expect("a golden plan parses")
}

fn all() -> Vec<(&'static str, StateMachine)> {
    ["ecommerce", "pilot-light", "backup", "dns-batch", "rds"]
        .into_iter()
        .map(|name| {
            (
                name,
                compile(&golden(name), &ExportOptions::default()).expect("exports"),
            )
        })
        .collect()
}

/// Every graph of the machine, branches included.
fn graphs(graph: &Graph) -> Vec<&Graph> {
    let mut out = vec![graph];
    for state in graph.states.values() {
        if let State::Parallel(parallel) = state {
            for branch in &parallel.branches {
                out.extend(graphs(branch));
            }
        }
    }
    out
}

/// Where a graph starts when the execution is not resumed: past its resume Choice (and the
/// run's start before it, when it has one).
fn start_of(graph: &Graph) -> &str {
    let first = match graph.start_at.as_str() {
        RUN_STARTED => RESUME,
        other => other,
    };
    match &graph.states[first] {
        State::Choice(c) if c.choices[0]["IsPresent"] == false => {
            c.choices[0]["Next"].as_str().expect("a name")
        }
        _ => first,
    }
}

fn tasks(graph: &Graph) -> Vec<&machine::Task> {
    graphs(graph)
        .into_iter()
        .flat_map(|g| g.states.values())
        .filter_map(|state| match state {
            State::Task(task) => Some(task.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_next_names_a_state_of_its_graph_and_every_graph_ends() {
    for (name, machine) in all() {
        for graph in graphs(&machine.graph) {
            assert!(
                graph.states.contains_key(&graph.start_at),
                "{name}: StartAt"
            );
            for (state_name, state) in &graph.states {
                for next in state.successors() {
                    assert!(
                        graph.states.contains_key(next),
                        "{name}: {state_name} goes to {next}, not a state of its graph"
                    );
                }
                assert!(state_name.chars().count() <= 80, "{name}: {state_name}");
            }
            // Reachability from StartAt reaches a terminal state, and nothing is orphaned.
            let mut seen = std::collections::BTreeSet::new();
            let mut todo = vec![graph.start_at.as_str()];
            while let Some(state) = todo.pop() {
                if seen.insert(state) {
                    todo.extend(graph.states[state].successors());
                }
            }
            assert_eq!(seen.len(), graph.states.len(), "{name}: unreachable states");
            assert!(graph.states.values().any(State::is_terminal), "{name}");
        }
        assert!(matches!(
            machine.graph.states.get(SUCCEEDED),
            Some(State::Succeed(_))
        ));
    }
}

#[test]
fn every_task_names_a_service_integration_and_retries_only_throttling_and_server_errors() {
    let optimized = [
        "arn:aws:states:::sns:publish",
        "arn:aws:states:::sns:publish.waitForTaskToken",
    ];
    for (name, machine) in all() {
        for task in tasks(&machine.graph) {
            if !optimized.contains(&task.resource.as_str()) {
                let rest = task.resource.strip_prefix(SDK_PREFIX);
                let (service, action) = rest
                    .and_then(|r| r.split_once(':'))
                    .unwrap_or_else(|| panic!("{name}: {}", task.resource));
                assert!(service
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
                assert!(
                    action.starts_with(|c: char| c.is_ascii_lowercase()),
                    "{action}"
                );
                assert!(
                    action.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{action}"
                );
            }
            for retry in &task.retry {
                for error in &retry.error_equals {
                    assert!(!error.starts_with("States."), "{name}: retries {error}");
                }
            }
            assert!(
                !task.catch.is_empty(),
                "{name}: {} has no Catch",
                task.resource
            );
        }
    }
}

#[test]
fn each_step_kind_maps_to_its_states() {
    let plan = golden("ecommerce");
    let machine = compile(&plan, &ExportOptions::default()).expect("exports");
    let states = &machine.graph.states;
    let top: Vec<&str> = states.keys().map(String::as_str).collect();
    // The check: a describe Task, a Choice and a Fail with the check's own message.
    assert!(
        matches!(&states["001 GetBucketReplication product-images-bucket"], State::Task(t)
        if t.resource == "arn:aws:states:::aws-sdk:s3:getBucketReplication")
    );
    assert!(matches!(
        &states["001 GetBucketReplication product-images-bucket.2 holds?"],
        State::Choice(_)
    ));
    assert!(
        matches!(&states["001 GetBucketReplication product-images-bucket.9 unmet"],
        State::Fail(f) if f.error == "ReplicationNotConfigured" && f.cause.as_deref().is_some_and(|c| c.contains("product-images-bucket")))
    );
    // The approval: a task token published to SNS, the topic from the execution input.
    assert!(matches!(&states["002 approval"], State::Task(t)
        if t.resource == "arn:aws:states:::sns:publish.waitForTaskToken"
            && t.parameters["TopicArn.$"] == APPROVAL_TOPIC_INPUT
            && t.parameters["Message"]["TaskToken.$"] == "$$.Task.Token"));
    // The parallel group: one branch per plan branch, each a note, a call and a wait loop.
    let State::Parallel(group) = &states["003 Parallel"] else {
        panic!("no Parallel state in {top:?}");
    };
    assert_eq!(group.branches.len(), 3);
    let web = &group.branches[0].states;
    assert!(matches!(&web[start_of(&group.branches[0])], State::Pass(p)
        if p.comment.as_deref() == Some("Scaling up web tier...")));
    let call = web
        .values()
        .find_map(|s| match s {
            State::Task(t) if t.resource.ends_with(":updateAutoScalingGroup") => Some(t),
            _ => None,
        })
        .expect("the scaling call");
    assert_eq!(
        call.resource,
        "arn:aws:states:::aws-sdk:autoscaling:updateAutoScalingGroup"
    );
    assert_eq!(call.parameters["AutoScalingGroupName"], "dr-web-asg");
    assert_eq!(call.parameters["DesiredCapacity"], 4);
    assert!(call.parameters.get("Region").is_none());
    // The wait: its timeout (600 s) as 40 polls of 15 s, then a Fail.
    let choice = web
        .iter()
        .find_map(|(name, s)| match s {
            State::Choice(c) if name.ends_with(".3 ready?") => Some(c),
            _ => None,
        })
        .expect("the wait's Choice");
    assert_eq!(choice.choices[1]["NumericGreaterThanEquals"], 40);
    assert!(web
        .values()
        .any(|s| matches!(s, State::Wait(w) if w.seconds == POLL_INTERVAL_SECS)));
    assert!(web
        .values()
        .any(|s| matches!(s, State::Fail(f) if f.error == "ripcord.WaitTimedOut")));
    // The health check is sent by its id, resolved in the plan.
    let health = tasks(&machine.graph)
        .into_iter()
        .find(|t| t.resource == "arn:aws:states:::aws-sdk:route53:updateHealthCheck")
        .expect("the health check");
    assert_eq!(
        health.parameters["HealthCheckId"],
        "4f6c8e2a-1b3d-4c5e-8f70-9a1b2c3d4e5f"
    );
    // The global cluster's member by ARN, from the plan's account, as the live backend sends it.
    let remove = tasks(&machine.graph)
        .into_iter()
        .find(|t| t.resource == "arn:aws:states:::aws-sdk:rds:removeFromGlobalCluster")
        .expect("the removal");
    assert_eq!(
        remove.parameters["GlobalClusterIdentifier"],
        "ecommerce-global"
    );
    assert_eq!(
        remove.parameters["DbClusterIdentifier"],
        "arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora-cluster"
    );
    // The notification: the optimized SNS integration.
    assert!(tasks(&machine.graph)
        .iter()
        .any(|t| t.resource == "arn:aws:states:::sns:publish"));
}

#[test]
fn a_given_approval_topic_is_used_and_allowed() {
    let plan = golden("ecommerce");
    let topic = "arn:aws:sns:us-west-2:123456789012:dr-approvals";
    let machine = compile(
        &plan,
        &ExportOptions {
            approval_topic: Some(topic.into()),
            ..ExportOptions::default()
        },
    )
    .expect("exports");
    assert!(
        matches!(&machine.graph.states["002 approval"], State::Task(t)
        if t.parameters["TopicArn"] == topic)
    );
}

#[test]
fn a_failed_plan_is_not_exported() {
    let mut plan = golden("ecommerce");
    plan.failure = Some(crate::plan::PlanFailure {
        message: "boom".into(),
        origin: None,
    });
    assert!(matches!(
        compile(&plan, &ExportOptions::default()),
        Err(ExportError::PlanFailed(_))
    ));
}

#[test]
fn the_export_is_deterministic() {
    let plan = golden("ecommerce");
    let one = serde_json::to_string(&compile(&plan, &ExportOptions::default()).expect("exports"))
        .expect("json");
    let two = serde_json::to_string(&compile(&plan, &ExportOptions::default()).expect("exports"))
        .expect("json");
    assert_eq!(one, two);
}

#[test]
fn a_wait_on_what_the_run_created_polls_the_id_the_creating_task_returned() {
    // The snapshot ids of a dry-run are simulated: the execution reads AWS's from the output
    // of the call that created the snapshot.
    let machine = compile(&golden("backup"), &ExportOptions::default()).expect("exports");
    let polls: Vec<_> = tasks(&machine.graph)
        .into_iter()
        .filter(|t| t.resource == "arn:aws:states:::aws-sdk:ec2:describeSnapshots")
        .collect();
    assert!(!polls.is_empty());
    for poll in polls {
        let path = poll.parameters["SnapshotIds.$"]
            .as_str()
            .expect("an id from the run");
        assert!(
            path.starts_with("States.Array($.steps.s") && path.ends_with(".SnapshotId)"),
            "{path}"
        );
    }
    // A copy of a snapshot the run made reads its id the same way.
    let copy = tasks(&machine.graph)
        .into_iter()
        .find(|t| t.resource == "arn:aws:states:::aws-sdk:ec2:copySnapshot")
        .expect("a copy");
    let source = copy.parameters["SourceSnapshotId.$"]
        .as_str()
        .expect("a path");
    assert!(source.starts_with("$.steps.s"), "{source}");
}

#[test]
fn what_a_parallel_branch_created_is_kept_for_the_steps_after_the_group() {
    let mut plan = golden("backup");
    // The snapshot and its wait as the one branch of a group, the copy after it.
    plan.items.drain(..3); // its opening notes
    let branch: Vec<crate::Step> = plan
        .items
        .drain(..2)
        .map(|item| match item {
            crate::PlanItem::Step(step) => step,
            crate::PlanItem::Parallel(_) => panic!("the backup plan starts with steps"),
        })
        .collect();
    assert!(
        matches!(&branch[0].kind, crate::StepKind::Call { call } if call.operation() == "CreateSnapshot")
    );
    plan.items.insert(
        0,
        crate::PlanItem::Parallel(crate::ParallelGroup {
            at_secs: 0,
            duration_secs: 0,
            branches: vec![branch],
            notes: Vec::new(),
        }),
    );
    let machine = compile(&plan, &ExportOptions::default()).expect("exports");
    let State::Parallel(group) = &machine.graph.states[start_of(&machine.graph)] else {
        panic!("the machine starts with the group");
    };
    assert_eq!(group.result_path, "$.groups.g1");
    let selector = group.result_selector.as_ref().expect("a selector");
    assert_eq!(selector["s1.$"], "$[0].steps.s1");
    let copy = tasks(&machine.graph)
        .into_iter()
        .find(|t| t.resource == "arn:aws:states:::aws-sdk:ec2:copySnapshot")
        .expect("a copy");
    assert_eq!(
        copy.parameters["SourceSnapshotId.$"],
        "$.groups.g1.s1.SnapshotId"
    );
}

#[test]
fn a_plan_with_steps_in_another_region_is_refused_for_a_regional_deploy() {
    // Backup copies snapshots from us-east-1 to us-west-2: both regions.
    let plan = golden("backup");
    let options = ExportOptions {
        region: Some("us-west-2".into()),
        ..ExportOptions::default()
    };
    let Err(ExportError::OtherRegion { region, steps }) = compile(&plan, &options) else {
        panic!("exported a plan with steps in us-east-1 for us-west-2");
    };
    assert_eq!(region, "us-west-2");
    assert!(!steps.is_empty());
    assert!(
        steps.iter().all(|s| s.contains("in us-east-1")),
        "{steps:?}"
    );
    // The e-commerce failover is all in us-west-2 (and global services).
    assert!(compile(&golden("ecommerce"), &options).is_ok());
}

#[test]
fn the_poll_interval_sets_the_sleep_and_the_number_of_polls() {
    let options = ExportOptions {
        poll_interval_secs: 1,
        ..ExportOptions::default()
    };
    let machine = compile(&golden("ecommerce"), &options).expect("exports");
    let states: Vec<&State> = graphs(&machine.graph)
        .into_iter()
        .flat_map(|g| g.states.values())
        .collect();
    assert!(states
        .iter()
        .any(|s| matches!(s, State::Wait(w) if w.seconds == 1)));
    // The web tier's wait: 600 s as 600 polls of 1 s.
    assert!(states.iter().any(|s| matches!(s, State::Choice(c)
        if c.choices.get(1).is_some_and(|rule| rule["NumericGreaterThanEquals"] == 600))));
}

#[test]
fn every_step_but_a_note_has_a_done_state_and_every_name_fits_asl() {
    for (name, machine) in all() {
        let plan = golden(name);
        let firsts = step_states(&plan);
        let steps = plan
            .steps()
            .filter(|s| !matches!(s.kind, crate::step::StepKind::Note { .. }))
            .count();
        assert_eq!(firsts.len(), steps, "{name}: a first state per step");
        let all_states: BTreeMap<&String, &State> = graphs(&machine.graph)
            .into_iter()
            .flat_map(|g| g.states.iter())
            .collect();
        for (first, index) in &firsts {
            assert!(
                all_states.contains_key(first),
                "{name}: step {index}'s {first}"
            );
            let done = format!("{first}{DONE}");
            assert!(
                matches!(all_states.get(&done), Some(State::Pass(_))),
                "{name}: step {index} has no {done}"
            );
        }
        for state in all_states.keys() {
            assert!(
                state.chars().count() <= 80,
                "{name}: {state} is too long for ASL"
            );
        }
    }
}

#[test]
fn a_call_is_sent_only_after_its_guard_found_the_reviewed_values() {
    let machine = compile(&golden("ecommerce"), &ExportOptions::default()).expect("exports");
    let states: BTreeMap<&String, &State> = graphs(&machine.graph)
        .into_iter()
        .flat_map(|g| g.states.iter())
        .collect();
    let name = "005 UpdateAutoScalingGroup dr-web-asg".to_string();
    // The step's first state reads the group again; the call is sent from `.1 send`.
    let State::Task(read) = states[&name] else {
        panic!("the guard's read");
    };
    assert!(read.resource.ends_with(":describeAutoScalingGroups"));
    assert_eq!(
        read.transition,
        machine::Transition::to(Some(&format!("{name}.6 unchanged?")))
    );
    let State::Choice(choice) = states[&format!("{name}.6 unchanged?")] else {
        panic!("the guard's Choice");
    };
    assert_eq!(choice.default, format!("{name}.1 send"));
    // Gone, then MinSize, MaxSize and DesiredCapacity as the plan found them (2, 5, 2).
    assert_eq!(choice.choices[0]["IsPresent"], false);
    let befores: Vec<&Value> = choice.choices[1..]
        .iter()
        .map(|rule| &rule["Not"]["NumericEquals"])
        .collect();
    assert_eq!(befores, [2, 5, 2]);
    let State::Fail(stale) = states[&format!("{name}.8 stale F2")] else {
        panic!("the stale Fail");
    };
    assert_eq!(stale.error, "ripcord.StalePlan");
    assert_eq!(
        stale.cause_path.as_deref(),
        Some("States.Format('stale plan: dr-web-asg DesiredCapacity was 2 when reviewed, is {} now (step 3, runbooks/ecommerce/failover.rhai:48): plan and review it again', $.guards.s3.F2[0])")
    );
    assert!(
        matches!(states[&format!("{name}.1 send")], State::Task(t) if t.resource.ends_with(":updateAutoScalingGroup"))
    );
    // The health check's Disabled, a boolean; RemoveFromGlobalCluster relied on nothing a
    // guard compares (membership and status are what the call and its wait are about).
    assert!(states.values().any(|s| matches!(s, State::Choice(c)
        if c.choices.iter().any(|r| r["Not"]["BooleanEquals"] == false))));
    assert!(
        matches!(states[&"011 RemoveFromGlobalCluster dr-aurora-cluster".to_string()], State::Task(t) if t.resource.ends_with(":removeFromGlobalCluster"))
    );
}

#[test]
fn a_batch_route53_takes_in_parts_is_one_task_per_request_in_order() {
    // The batch example's records made 1,000 one-value UPSERTs: two requests of 500 (an
    // UPSERT counts twice against Route 53's 1,000 record elements).
    let mut plan = golden("dns-batch");
    let crate::plan::PlanItem::Step(step) = &mut plan.items[0] else {
        panic!("the batch is the first item");
    };
    let crate::step::StepKind::Call { call } = &mut step.kind else {
        panic!("the batch is a call");
    };
    let mut json = serde_json::to_value(&*call).expect("json");
    let one = json["Changes"][1].clone();
    json["Changes"] = Value::Array(
        (0..1000)
            .map(|i| {
                let mut change = one.clone();
                change["RecordSet"]["Name"] = format!("r{i}.example.com").into();
                change
            })
            .collect(),
    );
    *call = serde_json::from_value(json).expect("a call");
    assert_eq!(call.request_count(), 2);
    let machine = compile(&plan, &ExportOptions::default()).expect("exports");
    let states = &machine.graph.states;
    let first = states
        .iter()
        .find_map(|(name, state)| match state {
            State::Task(t)
                if t.resource.ends_with(":changeResourceRecordSets") && !name.contains(".r2") =>
            {
                Some((name.clone(), t))
            }
            _ => None,
        })
        .expect("the first request");
    let (first_name, first) = first;
    let second_name = format!("{}.r2 send", first_name.trim_end_matches(".1 send"));
    let State::Task(second) = &states[&second_name] else {
        panic!("no {second_name}");
    };
    assert_eq!(
        first.transition,
        machine::Transition::to(Some(&second_name))
    );
    for task in [first, second.as_ref()] {
        assert_eq!(
            task.parameters["ChangeBatch"]["Changes"]
                .as_array()
                .map(Vec::len),
            Some(500)
        );
        assert_eq!(task.result_path, "$.steps.s1");
    }
    assert_eq!(
        second.parameters["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["Name"],
        "r500.example.com"
    );
}

#[test]
fn a_wait_for_a_deletion_ends_on_the_describes_not_found_error() {
    let machine =
        compile(&golden("pilot-light-failback"), &ExportOptions::default()).expect("exports");
    let states: BTreeMap<&String, &State> = graphs(&machine.graph)
        .into_iter()
        .flat_map(|g| g.states.iter())
        .collect();
    let (gone, choice) = states
        .iter()
        .find_map(|(name, state)| match state {
            State::Choice(c) if name.ends_with(".5 gone?") => Some((name.to_string(), c)),
            _ => None,
        })
        .expect("a deleted wait's Choice");
    let wait = gone.trim_end_matches(".5 gone?");
    assert_eq!(choice.choices[0]["StringMatches"], "*NotFound*");
    assert_eq!(choice.choices[0]["Next"], format!("{wait}.0 done"));
    assert_eq!(choice.default, format!("{wait}.9 failed"));
    // The describe's error goes to that Choice; while it answers, only the count decides.
    let State::Task(poll) = states[&format!("{wait}.1 poll")] else {
        panic!("the poll");
    };
    assert_eq!(poll.catch[0].next, gone);
    let State::Choice(ready) = states[&format!("{wait}.3 ready?")] else {
        panic!("the count's Choice");
    };
    assert_eq!(ready.choices.len(), 1);
    assert!(ready.choices[0].get("NumericGreaterThanEquals").is_some());
}

#[test]
fn a_plan_over_its_budget_is_parts_run_in_order_by_a_parent() {
    let plan = golden("backup");
    let whole = compile_parts(&plan, &ExportOptions::default()).expect("exports");
    assert!(whole.parts.is_empty(), "the backup fits one execution");
    let options = ExportOptions {
        budget: Budget {
            events: 1_000,
            ..Budget::default()
        },
        ..ExportOptions::default()
    };
    let split = compile_parts(&plan, &options).expect("exports");
    let n = split.parts.len();
    assert!(n > 1, "{n} parts");
    // The parent: one startExecution.sync:2 per part, in order, each passing the state on.
    let states = &split.main.graph.states;
    assert_eq!(start_of(&split.main.graph), format!("001 part 1 of {n}"));
    for k in 1..=n {
        let State::Task(task) = &states[&format!("{k:03} part {k} of {n}")] else {
            panic!("part {k}");
        };
        assert_eq!(
            task.resource,
            "arn:aws:states:::states:startExecution.sync:2"
        );
        assert_eq!(
            task.parameters["StateMachineArn.$"],
            format!(
                "States.Format('{{}}{}', $$.StateMachine.Id)",
                part_suffix(k)
            )
        );
        assert_eq!(task.parameters["Input.$"], "$");
        assert_eq!(task.output_path.as_deref(), Some("$.Output"));
        let next = if k == n {
            SUCCEEDED.to_string()
        } else {
            format!("{:03} part {} of {n}", k + 1, k + 1)
        };
        assert_eq!(task.transition, machine::Transition::to(Some(&next)));
    }
    // Every step in exactly one part, under the name a follower knows it by.
    let firsts = step_states(&plan);
    let mut seen = 0;
    for part in &split.parts {
        for first in firsts.keys() {
            if part.graph.states.contains_key(first) {
                seen += 1;
            }
        }
    }
    assert_eq!(seen, firsts.len());
    // And an item larger than the budget by itself is said so, not cut.
    let small = ExportOptions {
        budget: Budget {
            events: 300,
            ..Budget::default()
        },
        ..ExportOptions::default()
    };
    let ecommerce = compile_parts(&golden("ecommerce"), &small);
    assert!(matches!(ecommerce, Err(ExportError::TooLarge(m)) if m.contains("003 Parallel")));
}

#[test]
fn a_resumed_execution_starts_at_the_first_step_not_done() {
    let plan = golden("ecommerce");
    let machine = compile(&plan, &ExportOptions::default()).expect("exports");
    let firsts = step_states(&plan);
    let named = |index: u32| -> String {
        firsts
            .iter()
            .find(|(_, i)| **i == index)
            .map(|(n, _)| n.clone())
            .expect("a step")
    };
    // Nothing done: the first step. The check and the gate done: the group, branch by branch.
    let none = std::collections::BTreeSet::new();
    assert_eq!(resume_point(&plan, &none).map(|r| r.from), Some(named(1)));
    let mut done: std::collections::BTreeSet<String> =
        [named(1), named(2), named(3), named(4), named(7)].into();
    let resume = resume_point(&plan, &done).expect("a resume point");
    assert_eq!(resume.from, "003 Parallel");
    assert_eq!(resume.branches["g3b1"], resume::BRANCH_DONE);
    assert_eq!(resume.branches["g3b2"], named(5));
    assert_eq!(resume.branches["g3b3"], named(8));
    // The machine's Choices lead there: the top-level one to the group, each branch's to it.
    let State::Choice(top) = &machine.graph.states[RESUME] else {
        panic!("the resume Choice");
    };
    assert!(top
        .choices
        .iter()
        .any(|r| r["StringEquals"] == "003 Parallel" && r["Next"] == "003 Parallel"));
    let State::Parallel(group) = &machine.graph.states["003 Parallel"] else {
        panic!("the group");
    };
    let State::Choice(second) = &group.branches[1].states[&group.branches[1].start_at] else {
        panic!("the branch's resume Choice");
    };
    assert!(second
        .choices
        .iter()
        .any(|r| r["Variable"] == "$.Resume.Branches.g3b2"
            && r["StringEquals"] == named(5).as_str()
            && r["Next"] == named(5).as_str()));
    // Everything done: nothing to resume.
    for index in 1..=10 {
        done.insert(named(index));
    }
    assert_eq!(resume_point(&plan, &done), None);
}

#[test]
fn a_plan_in_several_regions_is_staged_by_region_in_plan_order() {
    let regions = |plan: &Plan| -> Vec<String> {
        stage_regions(plan, None)
            .expect("stages")
            .into_iter()
            .map(|r| r.unwrap_or_default())
            .collect()
    };
    // Snapshot and wait in us-east-1, copy in us-west-2, for each volume; then the waits for
    // the copies in us-west-2.
    assert_eq!(
        regions(&golden("backup")),
        [
            "us-east-1",
            "us-west-2",
            "us-east-1",
            "us-west-2",
            "us-east-1",
            "us-west-2"
        ]
    );
    // The gates that name no region go with the steps around them.
    assert_eq!(
        regions(&golden("pilot-light-failback")),
        ["us-east-1", "us-west-2"]
    );
    assert_eq!(regions(&golden("ecommerce")), ["us-west-2"]);
    assert_eq!(
        compile_stages(&golden("backup"), &ExportOptions::default())
            .expect("stages")
            .len(),
        6
    );
}

#[test]
fn a_group_whose_branches_go_to_two_regions_is_split_into_shares() {
    let plan = golden("evacuate");
    assert_eq!(
        stage_regions(&plan, None).expect("stages"),
        [
            "us-west-2",
            "eu-west-1",
            "us-west-2",
            "eu-west-1",
            "us-west-2"
        ]
        .map(|r| Some(r.to_string()))
    );
    let stages = compile_stages(&plan, &ExportOptions::default()).expect("stages");
    // Stage 3 has the us-west-2 branch of the group, stage 4 the eu-west-1 one, each keyed by
    // its number in the whole group.
    let share = |k: usize| -> (String, Vec<String>) {
        let graph = &stages[k].exported.main.graph;
        let (name, State::Parallel(group)) = graph
            .states
            .iter()
            .find(|(_, s)| matches!(s, State::Parallel(_)))
            .expect("a group share")
        else {
            unreachable!()
        };
        let entries = group.branches.iter().map(|b| b.start_at.clone()).collect();
        (name.clone(), entries)
    };
    let (west, west_branches) = share(2);
    let (europe, europe_branches) = share(3);
    assert_eq!(west, europe, "both shares are the group's state");
    assert_eq!(west_branches, [format!("{west}.b1 resume?")]);
    assert_eq!(europe_branches, [format!("{west}.b2 resume?")]);
    for stage in &stages[2..4] {
        let comment = &stage.exported.main.comment;
        assert!(comment.contains("stage "), "{comment}");
    }
    let updates: Vec<&str> = tasks(&stages[3].exported.main.graph)
        .iter()
        .map(|t| t.resource.as_str())
        .filter(|r| r.ends_with("updateAutoScalingGroup"))
        .collect();
    assert_eq!(updates.len(), 1, "eu-west-1's share scales eu-west-1 only");
    // Resumed after the us-west-2 share: at the group, in stage 4, its second branch.
    let firsts = step_states(&plan);
    let done: std::collections::BTreeSet<String> = firsts
        .iter()
        .filter(|(_, index)| [1, 2, 3, 4, 5, 6].contains(*index))
        .map(|(name, _)| name.clone())
        .collect();
    let resume = resume_point(&plan, &done).expect("a resume point");
    assert_eq!(resume.stage, Some(4));
    assert_eq!(resume.from, west);
    let keys: Vec<&String> = resume.branches.keys().collect();
    assert_eq!(keys.len(), 1, "{resume:?}");
    assert!(keys[0].ends_with("b2"), "{resume:?}");
}

#[test]
fn a_region_that_is_not_the_plans_is_refused_and_one_of_several_is_not() {
    let options = |region: &str| ExportOptions {
        region: Some(region.into()),
        ..ExportOptions::default()
    };
    assert!(matches!(
        compile_stages(&golden("ecommerce"), &options("us-east-1")),
        Err(ExportError::OtherRegion { .. })
    ));
    assert!(compile_stages(&golden("backup"), &options("us-west-2")).is_ok());
    assert!(matches!(
        compile_stages(&golden("backup"), &options("eu-west-1")),
        Err(ExportError::OtherRegion { .. })
    ));
}

#[test]
fn each_stage_publishes_its_gates_to_the_topic_in_its_region() {
    let options = ExportOptions {
        approval_topic: Some("arn:aws:sns:us-west-2:123456789012:dr-approvals".into()),
        ..ExportOptions::default()
    };
    let stages = compile_stages(&golden("pilot-light-failback"), &options).expect("stages");
    let topics = |stage: &Stage| -> Vec<String> {
        tasks(&stage.exported.main.graph)
            .iter()
            .filter(|t| t.resource.ends_with("waitForTaskToken"))
            .map(|t| {
                t.parameters["TopicArn"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    let east = topics(&stages[0]);
    assert!(!east.is_empty());
    assert!(
        east.iter()
            .all(|t| t == "arn:aws:sns:us-east-1:123456789012:dr-approvals"),
        "{east:?}"
    );
    // The role may publish to both.
    let scope_world = crate::Inventory::empty(jiff::Timestamp::UNIX_EPOCH);
    let scope = crate::iam::Scope {
        account: "123456789012",
        world: &scope_world,
    };
    let publish: Vec<String> = role_permissions(
        &golden("pilot-light-failback"),
        &scope,
        options.approval_topic.as_deref(),
        0,
    )
    .into_iter()
    .filter(|p| p.action.to_string() == "sns:Publish")
    .flat_map(|p| p.resources.into_iter().collect::<Vec<_>>())
    .collect();
    assert!(
        publish.contains(&"arn:aws:sns:us-east-1:123456789012:dr-approvals".to_string()),
        "{publish:?}"
    );
}

#[test]
fn server_errors_are_retried_only_where_a_second_attempt_is_harmless() {
    let machine = compile(&golden("ecommerce"), &ExportOptions::default()).expect("exports");
    let retried = |resource: &str| -> Vec<String> {
        tasks(&machine.graph)
            .iter()
            .find(|t| t.resource.ends_with(resource))
            .unwrap_or_else(|| panic!("a {resource} task"))
            .retry
            .iter()
            .flat_map(|r| r.error_equals.clone())
            .collect()
    };
    // Sizes are absolute: sent twice, the group has them once.
    assert!(retried("autoscaling:updateAutoScalingGroup")
        .contains(&"AutoScaling.ServiceUnavailableException".to_string()));
    // A read.
    assert!(retried("autoscaling:describeAutoScalingGroups")
        .contains(&"AutoScaling.InternalFailureException".to_string()));
    // A detach sent again after a 5xx whose request went through is refused; a notification
    // would be sent twice: throttling only.
    for resource in ["rds:removeFromGlobalCluster", "sns:publish"] {
        let errors = retried(resource);
        assert!(!errors.is_empty(), "{resource} retries throttling");
        assert!(
            errors.iter().all(|e| e.contains("Throttl")),
            "{resource}: {errors:?}"
        );
    }
}

#[test]
fn region_given_is_fitted_to_the_stages_by_one_rule() {
    // A plan in one region, given another: refused, its steps named.
    let Err(ExportError::OtherRegion { region, steps }) =
        stage_regions(&golden("ecommerce"), Some("us-east-1"))
    else {
        panic!("a plan in us-west-2 fitted to us-east-1");
    };
    assert_eq!(region, "us-east-1");
    assert!(
        steps.iter().all(|s| s.contains("in us-west-2")),
        "{steps:?}"
    );
    // A plan in several regions including the one given: its own regions.
    let backup = stage_regions(&golden("backup"), Some("us-west-2")).expect("fits");
    assert_eq!(
        backup,
        stage_regions(&golden("backup"), None).expect("stages")
    );
    // A plan naming no region runs where it is told, and nowhere known without it.
    assert_eq!(
        stage_regions(&golden("dns-batch"), Some("eu-west-1")).expect("fits"),
        [Some("eu-west-1".to_string())]
    );
    assert_eq!(
        stage_regions(&golden("dns-batch"), None).expect("stages"),
        [None]
    );
    // compile_stages follows the same rule.
    let options = ExportOptions {
        region: Some("eu-west-1".into()),
        ..ExportOptions::default()
    };
    let stages = compile_stages(&golden("dns-batch"), &options).expect("stages");
    assert_eq!(stages[0].region.as_deref(), Some("eu-west-1"));
}
