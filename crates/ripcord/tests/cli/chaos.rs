//! Seeded chaos (issue 10): the e-commerce failover and the pilot-light ignition, each under
//! ten seeds of the fault proxy losing 30% of all answers (moto carries the requests out:
//! reads, lookups, polls and mutations alike) and throttling 10% of the rest. Every run
//! completes, its end state is the simulated one, and no mutation took effect twice. The
//! counts are printed per seed (`cargo test -p ripcord --test cli chaos -- --nocapture`).
//!
//! Mutations are settled (`settle.rs`); reads survive because their regions keep answering
//! other requests, which makes the SDK patient with them (`liveness.rs`: 12 attempts instead
//! of 5, at which one read in 140 would fail).

use super::live::{facts, plan_and_apply_with, Faults};
use super::lost::calls;
use ripcord_core::{Call, Effect};
use std::collections::BTreeMap;

const SEEDS: u64 = 10;

/// The rules: 30% of all answers lost, then 10% of the other requests throttled.
const RULES: &str =
    r#"[{"fault": "lose", "probability": 0.3}, {"fault": "throttle", "probability": 0.1}]"#;

/// `operations`: the runbook's mutating ones, whose requests reaching moto are counted.
fn survives_chaos(runbook: &str, operations: &[(&str, &str)]) {
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 1..=SEEDS {
        let run = plan_and_apply_with(runbook, Some(Faults { seed, rules: RULES }));
        assert_eq!(
            facts(&run.simulated),
            facts(&run.live),
            "{runbook}, seed {seed}: simulated and live end states differ\n{}",
            run.said
        );
        let fault = |name: &str| {
            run.requests
                .iter()
                .filter(|r| r.fault.as_deref() == Some(name))
                .count()
        };
        let (lost, throttled) = (fault("lose"), fault("throttle"));
        let mut settled = 0;
        let mut steps: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        for (call, result) in calls(&run) {
            let entry = steps.entry(call.operation().to_string()).or_default();
            entry.0 += 1;
            entry.1 |= matches!(call.effect(), Effect::Resend { .. });
            if result["outcome"]["settled"].is_object() {
                settled += 1;
            }
        }
        // Exactly once: what reached moto is one request per step, except for steps whose
        // check is to send again (and the lost answers of those).
        for (service, operation) in operations {
            let (count, resent) = steps.get(*operation).copied().unwrap_or_default();
            let reached = run
                .requests
                .iter()
                .filter(|r| r.forwarded && r.service == *service && r.operation == *operation)
                .count();
            if resent {
                assert!(reached >= count, "{runbook}, seed {seed}: {operation}");
            } else {
                assert_eq!(
                    reached, count,
                    "{runbook}, seed {seed}: {operation} reached moto {reached} times for {count} steps\n{}",
                    run.said
                );
            }
        }
        // Every retry is told as it happens ("↻ ... throttled (Throttling), attempt 2 of
        // 12"): at most one line per failed answer, each with its attempt and the limit.
        let retries: Vec<&str> = run.said.lines().filter(|l| l.contains('↻')).collect();
        for line in &retries {
            let (_, count) = line
                .rsplit_once(", attempt ")
                .unwrap_or_else(|| panic!("a retry line without its attempt: {line}"));
            let (n, of) = count.split_once(" of ").expect("attempt N of M");
            let (n, of): (u32, u32) = (n.parse().expect("N"), of.parse().expect("M"));
            assert!(2 <= n && n <= of, "{line}");
        }
        let throttled_retries = retries.iter().filter(|l| l.contains("throttled (")).count();
        assert!(
            throttled_retries <= throttled && retries.len() <= lost + throttled,
            "{runbook} seed {seed}: {} retry lines for {lost} lost and {throttled} throttled answers\n{}",
            retries.len(),
            run.said
        );
        println!(
            "{runbook} seed {seed}: {} requests, {lost} answers lost, {throttled} throttled, {settled} steps settled, {} retry lines ({throttled_retries} throttled)",
            run.requests.len(),
            retries.len()
        );
        if let Some(first) = retries.first() {
            println!("  e.g. {}", first.trim());
        }
        *totals.entry("retry lines").or_default() += throttled_retries;
        *totals.entry("lost").or_default() += lost;
        *totals.entry("throttled").or_default() += throttled;
        *totals.entry("settled").or_default() += settled;
    }
    println!("{runbook}: {SEEDS} seeds, all completed with the simulated end state: {totals:?}");
    assert!(
        totals["lost"] > 0
            && totals["throttled"] > 0
            && totals["settled"] > 0
            && totals["retry lines"] > 0,
        "{runbook}: the chaos injected nothing: {totals:?}"
    );
}

#[test]
fn the_ecommerce_failover_survives_ten_seeds_of_chaos() {
    survives_chaos(
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
fn the_pilot_light_survives_ten_seeds_of_chaos() {
    survives_chaos(
        "runbooks/pilot-light/ignite.rhai",
        &[
            ("rds", "PromoteReadReplica"),
            ("autoscaling", "UpdateAutoScalingGroup"),
            ("route53", "ChangeResourceRecordSets"),
            ("sns", "Publish"),
        ],
    );
}

/// The operations counted are mutating ones (a typo would count nothing).
#[test]
fn the_chaos_names_mutating_operations() {
    for name in [
        "UpdateAutoScalingGroup",
        "RemoveFromGlobalCluster",
        "UpdateHealthCheck",
        "Publish",
        "PromoteReadReplica",
        "ChangeResourceRecordSets",
    ] {
        let descriptor = Call::descriptor_named(name).unwrap_or_else(|| panic!("{name}"));
        assert!(descriptor.mutates, "{name}");
    }
}
