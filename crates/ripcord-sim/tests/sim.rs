//! Tests of the simulated world through its public API: the `Backend` trait and `world()`.

// The `Backend` trait's error type is `BackendError`; helpers return it as the trait does.
#![allow(clippy::result_large_err)]

use ripcord_core::inventory::AutoScalingGroup;
use ripcord_core::ops;
use ripcord_core::{
    AliasTarget, Backend, BackendError, Call, CheckSpec, ErrorKind, Inventory, Outcome, Query,
    RecordSet, ReplicationRule, Target, WaitSpec, WaitState,
};
use ripcord_sim::{estimate_defaults, SimBackend};
use serde_json::Value;
use std::collections::BTreeMap;

const INVENTORY: &str = r#"
version: 3
account: "123456789012"
captured_at: 2025-01-01T00:00:00Z
regions:
  us-east-1:
    availability_zones: [us-east-1a, us-east-1b]
    auto_scaling_groups:
      - { name: web-asg, min_size: 2, max_size: 10, desired_capacity: 2 }
    volumes:
      - { id: vol-0aaa, name: data, size_gib: 100, availability_zone: us-east-1a }
      - { id: vol-0bbb, name: twin, size_gib: 10, availability_zone: us-east-1a }
      - { id: vol-0ccc, name: twin, size_gib: 10, availability_zone: us-east-1b }
    snapshots:
      - { id: snap-0old, name: data-nightly, volume_id: vol-0aaa, size_gib: 100, start_time: 2024-12-31T00:00:00Z }
    db_instances:
      - { id: orders-db, engine: postgres, availability_zone: us-east-1a, secondary_availability_zone: us-east-1b, multi_az: true }
      - { id: single-db, engine: mysql, availability_zone: us-east-1a }
      - { id: stopped-db, engine: mysql, availability_zone: us-east-1a, status: stopped }
      - { id: app-east-1, engine: aurora-postgresql, availability_zone: us-east-1a, cluster: app-east }
    db_clusters:
      - { id: app-east, engine: aurora-postgresql }
    db_snapshots:
      - { id: orders-nightly, source: orders-db, created_at: 2024-12-31T03:00:00Z, snapshot_type: automated, engine: postgres }
    db_cluster_snapshots:
      - { id: app-east-nightly, source: app-east, created_at: 2024-12-31T03:00:00Z, engine: aurora-postgresql }
    topics:
      - { name: dr-alerts }
  us-west-2:
    availability_zones: [us-west-2a, us-west-2b, us-west-2c]
    auto_scaling_groups:
      - { name: dr-web-asg, min_size: 0, max_size: 10, desired_capacity: 0 }
    db_instances:
      - { id: orders-replica, engine: postgres, availability_zone: us-west-2a, read_replica_source: "arn:aws:rds:us-east-1:123456789012:db:orders-db", replica_lag_secs: 4 }
    db_clusters:
      - { id: app-west, engine: aurora-postgresql, replication_lag_secs: 2 }
      - { id: app-west-stopped, engine: aurora-postgresql, status: stopped }
    topics:
      - { name: dr-alerts }
global_clusters:
  - id: app-global
    engine: aurora-postgresql
    members:
      - { cluster: app-east, region: us-east-1, writer: true }
      - { cluster: app-west, region: us-west-2 }
hosted_zones:
  - id: Z1EXAMPLE
    name: example.com
    records:
      - { name: www.example.com, type: A, set_id: primary, failover: PRIMARY, health_check: hc-1111, alias: { zone_id: Z35SXDOTRQ7X7K, dns_name: east-alb.example.com, evaluate_target_health: true } }
      - { name: api.example.com, type: CNAME, ttl: 60, values: [east.api.example.com] }
health_checks:
  - { id: hc-1111, name: east-web }
  - { id: hc-2222, name: west-web }
buckets:
  - { name: assets-east, region: us-east-1, versioning: true }
  - { name: assets-west, region: us-west-2, versioning: true }
  - { name: logs-east, region: us-east-1 }
  - { name: logs-west, region: us-west-2 }
  - name: replicated-east
    region: us-east-1
    versioning: true
    replication:
      role: arn:aws:iam::123456789012:role/replication
      rules:
        - { id: to-west, status: Enabled, priority: 1, destination_bucket: assets-west }
  - name: paused-east
    region: us-east-1
    versioning: true
    replication:
      role: arn:aws:iam::123456789012:role/replication
      rules:
        - { id: to-west, status: Disabled, destination_bucket: assets-west }
"#;

fn inventory() -> Inventory {
    Inventory::parse(INVENTORY, "test.yaml").expect("the test inventory parses")
}

fn sim() -> SimBackend {
    SimBackend::new(inventory())
}

fn sim_with(estimates: &[(&str, u64)]) -> SimBackend {
    let mut inventory = inventory();
    inventory.estimates = estimates.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    SimBackend::new(inventory)
}

fn ok(sim: &mut SimBackend, call: Call) -> Outcome {
    match sim.execute(&call) {
        Ok(outcome) => outcome,
        Err(err) => panic!("{call:?} failed: {err} (help: {:?})", err.help),
    }
}

fn fails(sim: &mut SimBackend, call: Call) -> BackendError {
    let before = sim.elapsed_secs();
    let world = sim.world();
    match sim.execute(&call) {
        Ok(outcome) => panic!("{call:?} succeeded: {outcome:?}"),
        Err(err) => {
            assert_eq!(sim.elapsed_secs(), before, "a rejected call takes no time");
            assert_eq!(sim.world(), world, "a rejected call changes nothing");
            err
        }
    }
}

fn assert_error(err: &BackendError, kind: ErrorKind, code: &str) {
    assert_eq!(
        (err.kind, err.code.as_str()),
        (kind, code),
        "unexpected error: {err} (help: {:?})",
        err.help
    );
}

fn help(err: &BackendError) -> &str {
    err.help.as_deref().unwrap_or_default()
}

fn describe(sim: &mut SimBackend, target: Target) -> Value {
    match sim.query(&Query::Describe {
        target: target.clone(),
    }) {
        Ok(Some(value)) => value,
        other => panic!("describe {target:?}: {other:?}"),
    }
}

fn wait(sim: &mut SimBackend, target: Target, until: WaitState) -> Result<Outcome, BackendError> {
    sim.wait(&WaitSpec {
        target,
        until,
        timeout_secs: 3600,
    })
}

fn waited(sim: &mut SimBackend, target: Target, until: WaitState) -> u64 {
    match wait(sim, target.clone(), until) {
        Ok(outcome) => outcome.duration_secs,
        Err(err) => panic!("wait {target:?}: {err}"),
    }
}

fn volume(name: &str, region: &str) -> Target {
    Target::Volume {
        name: name.into(),
        region: region.into(),
    }
}

fn ebs_snapshot(name: &str, region: &str) -> Target {
    Target::EbsSnapshot {
        name: name.into(),
        region: region.into(),
    }
}

fn db_instance(name: &str, region: &str) -> Target {
    Target::DbInstance {
        name: name.into(),
        region: region.into(),
    }
}

fn db_cluster(name: &str, region: &str) -> Target {
    Target::DbCluster {
        name: name.into(),
        region: region.into(),
    }
}

fn db_snapshot(name: &str, region: &str) -> Target {
    Target::DbSnapshot {
        name: name.into(),
        region: region.into(),
    }
}

fn db_cluster_snapshot(name: &str, region: &str) -> Target {
    Target::DbClusterSnapshot {
        name: name.into(),
        region: region.into(),
    }
}

fn asg(name: &str, region: &str) -> Target {
    Target::Asg {
        name: name.into(),
        region: region.into(),
    }
}

fn global(name: &str) -> Target {
    Target::GlobalCluster { name: name.into() }
}

fn create_snapshot(volume: &str) -> Call {
    Call::CreateSnapshot(ops::CreateSnapshot {
        region: "us-east-1".into(),
        volume: volume.into(),
        description: "before failover".into(),
        tags: BTreeMap::from([("Name".to_string(), "pre-failover".to_string())]),
    })
}

fn create_volume(snapshot: &str, az: &str) -> Call {
    Call::CreateVolume(ops::CreateVolume {
        region: "us-east-1".into(),
        snapshot: snapshot.into(),
        availability_zone: az.into(),
        tags: BTreeMap::from([("Name".to_string(), "restored".to_string())]),
    })
}

fn db_snapshot_call(instance: &str, id: &str) -> Call {
    Call::CreateDbSnapshot(ops::CreateDbSnapshot {
        region: "us-east-1".into(),
        db_instance: instance.into(),
        snapshot: id.into(),
        tags: BTreeMap::new(),
    })
}

fn scale(name: &str, min: Option<i64>, max: Option<i64>, desired: Option<i64>) -> Call {
    Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
        region: "us-east-1".into(),
        auto_scaling_group_name: name.into(),
        min_size: min,
        max_size: max,
        desired_capacity: desired,
    })
}

fn upsert(zone: &str, record: RecordSet) -> Call {
    Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets::one(zone, "UPSERT", record))
}

fn a_record(name: &str, values: &[&str]) -> RecordSet {
    RecordSet {
        name: name.into(),
        rtype: "A".into(),
        ttl: Some(60),
        values: values.iter().map(|v| v.to_string()).collect(),
        ..RecordSet::default()
    }
}

fn replication(bucket: &str, destination: &str, rtc: Option<i64>) -> Call {
    Call::PutBucketReplication(ops::PutBucketReplication {
        bucket: bucket.into(),
        role: "arn:aws:iam::123456789012:role/replication".into(),
        rule: ReplicationRule {
            id: "dr".into(),
            priority: 1,
            destination_bucket: destination.into(),
            delete_marker_replication: true,
            replication_time_minutes: rtc,
        },
    })
}

fn change(field: &str, before: Option<&str>, after: Option<&str>) -> ripcord_core::Change {
    ripcord_core::Change::new(field, before.map(str::to_string), after.map(str::to_string))
}

// --- world, clock, ids ------------------------------------------------------------------

#[test]
fn an_untouched_world_exports_the_inventory_it_was_built_from() {
    let sim = sim();
    assert_eq!(sim.world(), inventory());
    assert_eq!(sim.elapsed_secs(), 0);
    assert_eq!(sim.now(), inventory().captured_at);
}

#[test]
fn the_clock_advances_by_each_steps_estimate() {
    let mut sim = sim();
    let outcome = ok(&mut sim, create_snapshot("data"));
    assert_eq!(outcome.duration_secs, 1);
    assert_eq!(sim.elapsed_secs(), 1);
    let outcome = sim.approve("go?").unwrap();
    assert_eq!(outcome.duration_secs, 0);
    sim.note("a note takes no time");
    let outcome = sim
        .check(&CheckSpec::BucketReplication {
            bucket: "replicated-east".into(),
            region: "us-west-2".into(),
        })
        .unwrap();
    assert_eq!(outcome.duration_secs, 1);
    assert_eq!(sim.elapsed_secs(), 2);
    let expected = inventory()
        .captured_at
        .checked_add(jiff::SignedDuration::from_secs(2))
        .unwrap();
    assert_eq!(sim.now(), expected);
}

#[test]
fn ids_are_deterministic_across_runs() {
    let run = || {
        let mut sim = sim();
        let snap = ok(&mut sim, create_snapshot("data")).creates.unwrap();
        let copy = ok(
            &mut sim,
            Call::CopySnapshot(ops::CopySnapshot {
                region: "us-west-2".into(),
                source_region: "us-east-1".into(),
                source_snapshot: "snap-0old".into(),
                description: "dr copy".into(),
                tags: BTreeMap::new(),
            }),
        )
        .creates
        .unwrap();
        let vol = ok(&mut sim, create_volume("snap-0old", "us-east-1b"))
            .creates
            .unwrap();
        let change = ok(
            &mut sim,
            upsert("example.com", a_record("x.example.com", &["192.0.2.1"])),
        )
        .creates
        .unwrap();
        (snap, copy, vol, change, sim.world())
    };
    let first = run();
    assert_eq!(first.0, "snap-00000000000000001");
    assert_eq!(first.1, "snap-00000000000000002");
    assert_eq!(first.2, "vol-00000000000000001");
    assert_eq!(first.3, "C0000000000000001");
    assert_eq!(first, run());
}

#[test]
fn generated_ids_skip_ids_the_inventory_already_uses() {
    let mut inventory = inventory();
    let region = inventory.regions.get_mut("us-east-1").unwrap();
    let mut taken = region.snapshots[0].clone();
    taken.id = "snap-00000000000000001".into();
    taken.name = None;
    region.snapshots.push(taken);
    let mut sim = SimBackend::new(inventory);
    let outcome = ok(&mut sim, create_snapshot("data"));
    assert_eq!(outcome.creates.as_deref(), Some("snap-00000000000000002"));
}

#[test]
fn a_clone_is_an_independent_fork() {
    let mut original = sim();
    ok(&mut original, scale("web-asg", None, None, Some(4)));
    let mut fork = original.clone();
    ok(&mut fork, scale("web-asg", None, None, Some(8)));
    waited(&mut fork, asg("web-asg", "us-east-1"), WaitState::InService);
    assert_eq!(
        describe(&mut original, asg("web-asg", "us-east-1"))["desired_capacity"],
        4
    );
    assert_eq!(
        describe(&mut fork, asg("web-asg", "us-east-1"))["desired_capacity"],
        8
    );
    assert_eq!(original.elapsed_secs(), 1);
    assert_eq!(fork.elapsed_secs(), 2 + 180);
    // The fork continues the id sequence on its own.
    let a = ok(&mut original, create_snapshot("data")).creates;
    let b = ok(&mut fork, create_snapshot("data")).creates;
    assert_eq!(a, b);
    assert_ne!(original.world(), fork.world());
}

#[test]
fn parallel_groups_take_the_longest_branch() {
    let mut sim = sim();
    ok(&mut sim, scale("web-asg", None, None, Some(3))); // t = 1
    sim.begin_parallel().unwrap();
    sim.begin_branch().unwrap();
    ok(&mut sim, create_snapshot("data")); // 1s + 300s for 100 GiB
    waited(
        &mut sim,
        ebs_snapshot("pre-failover", "us-east-1"),
        WaitState::Completed,
    );
    assert_eq!(sim.elapsed_secs(), 302);
    sim.begin_branch().unwrap();
    assert_eq!(
        sim.elapsed_secs(),
        1,
        "each branch starts at the group's start"
    );
    waited(&mut sim, asg("web-asg", "us-east-1"), WaitState::InService);
    assert_eq!(sim.elapsed_secs(), 181);
    sim.end_parallel().unwrap();
    assert_eq!(sim.elapsed_secs(), 302);
}

#[test]
fn a_rewound_branch_sees_resources_mid_transition_again() {
    let mut sim = sim();
    sim.begin_parallel().unwrap();
    sim.begin_branch().unwrap();
    ok(&mut sim, db_snapshot_call("orders-db", "orders-pre"));
    waited(
        &mut sim,
        db_snapshot("orders-pre", "us-east-1"),
        WaitState::Available,
    );
    sim.begin_branch().unwrap();
    let snap = describe(&mut sim, db_snapshot("orders-pre", "us-east-1"));
    assert_eq!(snap["status"], "creating");
    sim.end_parallel().unwrap();
    let snap = describe(&mut sim, db_snapshot("orders-pre", "us-east-1"));
    assert_eq!(snap["status"], "available");
}

/// Branches run concurrently, but the calls of one AWS token bucket leave no faster than its
/// quota (`ripcord_core::quota`): the group says so in a note.
#[test]
fn a_parallel_group_is_no_faster_than_the_quota_of_its_calls() {
    let scale = Call::from(ops::UpdateAutoScalingGroup {
        region: "us-east-1".into(),
        auto_scaling_group_name: "web-asg".into(),
        min_size: None,
        max_size: Some(10),
        desired_capacity: None,
    });
    let group = |sim: &mut SimBackend| {
        sim.begin_parallel().unwrap();
        for _ in 0..40 {
            sim.begin_branch().unwrap();
            ok(sim, scale.clone());
        }
        sim.end_parallel().unwrap()
    };
    let mut paced = sim();
    let notes = group(&mut paced);
    // 40 calls at 10 a second after a burst of 9 (AWS's 10, one in reserve): 3.1 s, a
    // whole 4 s, and the last one's 1 s round trip.
    assert_eq!(paced.elapsed_secs(), 5);
    assert_eq!(
        notes,
        ["paced by autoscaling in us-east-1: 10 requests/s, burst 10 (AWS's quota); 40 requests take at least 4s"]
    );

    // A raised quota: the longest branch again, and nothing to say.
    let mut raised = sim();
    raised.set_quotas(
        ripcord_core::quota::Quotas::from_yaml("autoscaling: {rate: 100, burst: 100}").unwrap(),
    );
    assert!(group(&mut raised).is_empty());
    assert_eq!(raised.elapsed_secs(), 1);
}

#[test]
fn parallel_misuse_is_an_error() {
    let mut sim = sim();
    let err = sim.begin_branch().unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "NoParallelGroup");
    let err = sim.end_parallel().unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "NoParallelGroup");
    sim.begin_parallel().unwrap();
    let err = sim.begin_parallel().unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "NestedParallel");
    sim.end_parallel().unwrap();
    assert_eq!(sim.elapsed_secs(), 0);
}

#[test]
fn estimates_come_from_the_inventory_when_it_overrides_them() {
    let mut sim = sim_with(&[
        ("call", 2),
        ("call.Publish", 5),
        ("wait.dns_in_sync", 10),
        ("wait.ebs_snapshot_completed_per_gib", 1),
        ("approve", 7),
        ("wait.dns_insync", 99),
    ]);
    assert_eq!(sim.unknown_estimate_keys(), ["wait.dns_insync".to_string()]);
    assert_eq!(ok(&mut sim, create_snapshot("data")).duration_secs, 2);
    let publish = Call::Publish(ops::Publish {
        region: "us-east-1".into(),
        topic: "dr-alerts".into(),
        subject: "DR".into(),
        message: "failing over".into(),
    });
    assert_eq!(ok(&mut sim, publish).duration_secs, 5);
    assert_eq!(
        waited(
            &mut sim,
            ebs_snapshot("pre-failover", "us-east-1"),
            WaitState::Completed
        ),
        100 - 5,
        "100 GiB at 1 s/GiB, counted from the end of the call; 5s passed since"
    );
    let change = ok(
        &mut sim,
        upsert("example.com", a_record("x.example.com", &["192.0.2.1"])),
    );
    let id = change.creates.unwrap();
    assert_eq!(
        waited(&mut sim, Target::DnsChange { name: id }, WaitState::InSync),
        10
    );
    assert_eq!(sim.approve("ok?").unwrap().duration_secs, 7);
}

#[test]
fn the_defaults_table_lists_every_key_once() {
    let defaults: Vec<_> = estimate_defaults().collect();
    let keys: std::collections::BTreeSet<_> = defaults.iter().map(|d| d.key).collect();
    assert_eq!(keys.len(), defaults.len());
    let get = |key: &str| defaults.iter().find(|d| d.key == key).map(|d| d.secs);
    assert_eq!(get("call"), Some(1));
    assert_eq!(get("approve"), Some(0));
    assert_eq!(get("wait.db_instance_available_after_restore"), Some(900));
    assert_eq!(get("wait.asg_in_service"), Some(180));
}

// --- EC2 ----------------------------------------------------------------------------------

#[test]
fn create_snapshot_by_name_tag_starts_a_pending_snapshot() {
    let mut sim = sim();
    let outcome = ok(&mut sim, create_snapshot("data"));
    assert_eq!(outcome.resolved.as_deref(), Some("vol-0aaa"));
    assert_eq!(outcome.creates.as_deref(), Some("snap-00000000000000001"));
    assert_eq!(
        outcome.changes,
        vec![
            change("SnapshotId", None, Some("snap-00000000000000001")),
            change("State", None, Some("pending")),
        ]
    );
    let snap = describe(
        &mut sim,
        ebs_snapshot("snap-00000000000000001", "us-east-1"),
    );
    assert_eq!(snap["state"], "pending");
    assert_eq!(snap["volume_id"], "vol-0aaa");
    assert_eq!(snap["name"], "pre-failover");
    assert_eq!(snap["start_time"], "2025-01-01T00:00:00Z");
    let world = sim.world();
    let snaps = &world.regions["us-east-1"].snapshots;
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[1].state, "pending");
    assert_eq!(snaps[1].description, "before failover");

    let outcome = wait(
        &mut sim,
        ebs_snapshot("pre-failover", "us-east-1"),
        WaitState::Completed,
    )
    .unwrap();
    assert_eq!(outcome.duration_secs, 300);
    assert_eq!(outcome.resolved.as_deref(), Some("snap-00000000000000001"));
    assert_eq!(
        outcome.changes,
        vec![change("State", Some("pending"), Some("completed"))]
    );
    assert_eq!(sim.elapsed_secs(), 301);
    assert_eq!(
        sim.world().regions["us-east-1"].snapshots[1].state,
        "completed"
    );
    // Waiting again finds it done at once.
    assert_eq!(
        waited(
            &mut sim,
            ebs_snapshot("pre-failover", "us-east-1"),
            WaitState::Completed
        ),
        0
    );
}

#[test]
fn create_snapshot_needs_a_usable_volume() {
    let mut sim = sim();
    let created = ok(&mut sim, create_volume("snap-0old", "us-east-1a"))
        .creates
        .unwrap();
    let err = fails(&mut sim, create_snapshot(&created));
    assert_error(&err, ErrorKind::Rejected, "IncorrectState");
    assert!(err.message.contains("'creating'"), "{}", err.message);
    assert!(help(&err).contains("wait(volume("), "{}", help(&err));
}

#[test]
fn unknown_volumes_get_a_did_you_mean() {
    let mut sim = sim();
    let err = fails(&mut sim, create_snapshot("dta"));
    assert_error(&err, ErrorKind::NotFound, "InvalidVolume.NotFound");
    assert!(
        err.message.contains("'dta'") && err.message.contains("us-east-1"),
        "{}",
        err.message
    );
    assert_eq!(help(&err), "did you mean 'data'?");
}

#[test]
fn a_shared_name_tag_is_ambiguous() {
    let mut sim = sim();
    let err = fails(&mut sim, create_snapshot("twin"));
    assert_error(&err, ErrorKind::Rejected, "AmbiguousName");
    assert_eq!(
        err.message,
        "2 EBS volume resources in us-east-1 have the Name tag 'twin'"
    );
    assert!(help(&err).contains("vol-0bbb") && help(&err).contains("vol-0ccc"));
    // By id it works.
    ok(&mut sim, create_snapshot("vol-0bbb"));
}

#[test]
fn an_unknown_region_is_not_found_with_the_known_regions() {
    let mut sim = sim();
    let err = fails(
        &mut sim,
        Call::CreateSnapshot(ops::CreateSnapshot {
            region: "us-west-3".into(),
            volume: "data".into(),
            description: String::new(),
            tags: BTreeMap::new(),
        }),
    );
    assert_error(&err, ErrorKind::NotFound, "InvalidVolume.NotFound");
    assert!(err.message.contains("us-west-3"));
    assert!(
        help(&err).contains("did you mean 'us-west-2'?"),
        "{}",
        help(&err)
    );
    assert!(
        help(&err).contains("us-east-1, us-west-2"),
        "{}",
        help(&err)
    );
}

#[test]
fn a_name_in_another_region_is_pointed_out() {
    let mut sim = sim();
    let err = fails(&mut sim, scale("dr-web-asg", None, None, Some(2)));
    assert_error(&err, ErrorKind::NotFound, "ValidationError");
    assert!(
        err.message
            .starts_with("AutoScalingGroup name not found - "),
        "{}",
        err.message
    );
    assert!(
        help(&err).contains("us-west-2 has one named 'dr-web-asg'"),
        "{}",
        help(&err)
    );
}

#[test]
fn copy_snapshot_copies_completed_snapshots_across_regions() {
    let mut sim = sim();
    let copy = |source: &str| {
        Call::CopySnapshot(ops::CopySnapshot {
            region: "us-west-2".into(),
            source_region: "us-east-1".into(),
            source_snapshot: source.into(),
            description: "dr copy".into(),
            tags: BTreeMap::from([("Name".to_string(), "data-dr".to_string())]),
        })
    };
    let outcome = ok(&mut sim, copy("data-nightly"));
    assert_eq!(outcome.resolved.as_deref(), Some("snap-0old"));
    let id = outcome.creates.unwrap();
    let snap = describe(&mut sim, ebs_snapshot("data-dr", "us-west-2"));
    assert_eq!(snap["id"], id.as_str());
    assert_eq!(snap["state"], "pending");
    assert_eq!(snap["volume_id"], "vol-ffffffff");
    assert_eq!(snap["size_gib"], 100);
    assert_eq!(sim.world().regions["us-west-2"].snapshots.len(), 1);

    // A pending snapshot cannot be copied.
    let new = ok(&mut sim, create_snapshot("data")).creates.unwrap();
    let err = fails(&mut sim, copy(&new));
    assert_error(&err, ErrorKind::Rejected, "IncorrectState");
    assert!(help(&err).contains("\"completed\""), "{}", help(&err));
    waited(
        &mut sim,
        ebs_snapshot(&new, "us-east-1"),
        WaitState::Completed,
    );
    ok(&mut sim, copy(&new));

    let err = fails(
        &mut sim,
        Call::CopySnapshot(ops::CopySnapshot {
            region: "us-west-2".into(),
            source_region: "eu-west-1".into(),
            source_snapshot: "snap-0old".into(),
            description: String::new(),
            tags: BTreeMap::new(),
        }),
    );
    assert_error(&err, ErrorKind::NotFound, "InvalidSnapshot.NotFound");
    let err = fails(&mut sim, copy("snap-0ld"));
    assert_error(&err, ErrorKind::NotFound, "InvalidSnapshot.NotFound");
    assert_eq!(help(&err), "did you mean 'snap-0old'?");
}

#[test]
fn create_volume_restores_a_completed_snapshot_into_a_known_zone() {
    let mut sim = sim();
    let outcome = ok(&mut sim, create_volume("data-nightly", "us-east-1b"));
    assert_eq!(outcome.resolved.as_deref(), Some("snap-0old"));
    let id = outcome.creates.clone().unwrap();
    assert_eq!(
        outcome.changes,
        vec![
            change("VolumeId", None, Some(&id)),
            change("AvailabilityZone", None, Some("us-east-1b")),
            change("State", None, Some("creating")),
        ]
    );
    let vol = describe(&mut sim, volume("restored", "us-east-1"));
    assert_eq!(vol["state"], "creating");
    assert_eq!(vol["size_gib"], 100);
    assert_eq!(
        waited(
            &mut sim,
            volume("restored", "us-east-1"),
            WaitState::Available
        ),
        30
    );
    assert_eq!(
        sim.world().regions["us-east-1"].volumes[3].state,
        "available"
    );

    let err = fails(&mut sim, create_volume("snap-0old", "us-east-1d"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        help(&err).starts_with("did you mean 'us-east-1a' or 'us-east-1b'?"),
        "{}",
        help(&err)
    );

    let pending = ok(&mut sim, create_snapshot("data")).creates.unwrap();
    let err = fails(&mut sim, create_volume(&pending, "us-east-1a"));
    assert_error(&err, ErrorKind::Rejected, "IncorrectState");
}

#[test]
fn a_second_volume_with_the_same_name_tag_is_warned_about() {
    let mut sim = sim();
    assert!(ok(&mut sim, create_volume("snap-0old", "us-east-1a"))
        .warnings
        .is_empty());
    let outcome = ok(&mut sim, create_volume("snap-0old", "us-east-1a"));
    assert!(
        outcome.warnings[0].contains("ambiguous"),
        "{:?}",
        outcome.warnings
    );
}

// --- RDS ----------------------------------------------------------------------------------

#[test]
fn create_db_snapshot_and_latest_snapshot() {
    let mut sim = sim();
    let outcome = ok(
        &mut sim,
        db_snapshot_call("orders-db", "orders-pre-failover"),
    );
    assert_eq!(outcome.creates.as_deref(), Some("orders-pre-failover"));
    assert_eq!(
        outcome.changes,
        vec![
            change("DBSnapshotIdentifier", None, Some("orders-pre-failover")),
            change("Status", None, Some("creating")),
        ]
    );
    let latest = sim
        .query(&Query::LatestSnapshot {
            target: db_instance("orders-db", "us-east-1"),
        })
        .unwrap()
        .unwrap();
    assert_eq!(latest["id"], "orders-pre-failover");
    assert_eq!(latest["status"], "creating");
    assert_eq!(
        waited(
            &mut sim,
            db_snapshot("orders-pre-failover", "us-east-1"),
            WaitState::Available
        ),
        300
    );
    let world = sim.world();
    assert_eq!(
        world.regions["us-east-1"].db_snapshots[1].status,
        "available"
    );
    assert_eq!(
        world.regions["us-east-1"].db_snapshots[1].engine.as_deref(),
        Some("postgres")
    );

    let err = fails(
        &mut sim,
        db_snapshot_call("orders-db", "orders-pre-failover"),
    );
    assert_error(&err, ErrorKind::Rejected, "DBSnapshotAlreadyExists");
    let err = fails(&mut sim, db_snapshot_call("stopped-db", "stopped-snap"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(err.message.contains("'stopped'"), "{}", err.message);
    let err = fails(&mut sim, db_snapshot_call("app-east-1", "member-snap"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        help(&err).contains("db_cluster(\"app-east\""),
        "{}",
        help(&err)
    );
    let err = fails(&mut sim, db_snapshot_call("orders", "x"));
    assert_error(&err, ErrorKind::NotFound, "DBInstanceNotFound");
    assert_eq!(help(&err), "did you mean 'orders-db'?");
}

#[test]
fn snapshot_identifiers_follow_aws_rules() {
    let mut sim = sim();
    for (bad, problem) in [
        ("1nightly", "start with a letter"),
        ("pre--failover", "two consecutive hyphens"),
        ("pre-failover-", "ends with a hyphen"),
        ("pre_failover", "'_'"),
        ("", "empty"),
    ] {
        let err = fails(&mut sim, db_snapshot_call("orders-db", bad));
        assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
        assert!(help(&err).contains(problem), "{bad}: {}", help(&err));
    }
    let long = format!("a{}", "b".repeat(255));
    let err = fails(&mut sim, db_snapshot_call("orders-db", &long));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
}

#[test]
fn rds_identifiers_are_case_insensitive() {
    let mut sim = sim();
    let outcome = ok(&mut sim, db_snapshot_call("Orders-DB", "Orders-Snap"));
    assert_eq!(outcome.resolved.as_deref(), Some("orders-db"));
    assert_eq!(outcome.creates.as_deref(), Some("orders-snap"));
    let err = fails(&mut sim, db_snapshot_call("orders-db", "ORDERS-SNAP"));
    assert_error(&err, ErrorKind::Rejected, "DBSnapshotAlreadyExists");
}

#[test]
fn create_db_cluster_snapshot_checks_state_and_duplicates() {
    let mut sim = sim();
    let call = |cluster: &str, region: &str, id: &str| {
        Call::CreateDbClusterSnapshot(ops::CreateDbClusterSnapshot {
            region: region.into(),
            db_cluster: cluster.into(),
            snapshot: id.into(),
            tags: BTreeMap::new(),
        })
    };
    let outcome = ok(&mut sim, call("app-east", "us-east-1", "app-pre"));
    assert_eq!(
        outcome.changes[0],
        change("DBClusterSnapshotIdentifier", None, Some("app-pre"))
    );
    assert_eq!(
        describe(&mut sim, db_cluster_snapshot("app-pre", "us-east-1"))["status"],
        "creating"
    );
    let latest = sim
        .query(&Query::LatestSnapshot {
            target: db_cluster("app-east", "us-east-1"),
        })
        .unwrap()
        .unwrap();
    assert_eq!(latest["id"], "app-pre");
    assert_eq!(
        waited(
            &mut sim,
            db_cluster_snapshot("app-pre", "us-east-1"),
            WaitState::Available
        ),
        300
    );
    let err = fails(&mut sim, call("app-east", "us-east-1", "app-east-nightly"));
    assert_error(
        &err,
        ErrorKind::Rejected,
        "DBClusterSnapshotAlreadyExistsFault",
    );
    let err = fails(&mut sim, call("app-west-stopped", "us-west-2", "x"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    let err = fails(&mut sim, call("app-wst", "us-west-2", "x"));
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    assert_eq!(help(&err), "did you mean 'app-west'?");
}

#[test]
fn copy_db_snapshots_need_available_sources_and_new_ids() {
    let mut sim = sim();
    let copy = |source: &str, target: &str| {
        Call::CopyDbSnapshot(ops::CopyDbSnapshot {
            region: "us-west-2".into(),
            source_region: "us-east-1".into(),
            source_snapshot: source.into(),
            target_snapshot: target.into(),
        })
    };
    ok(&mut sim, db_snapshot_call("orders-db", "orders-pre"));
    let err = fails(&mut sim, copy("orders-pre", "orders-pre-west"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBSnapshotState");
    assert!(help(&err).contains("about 5m 00s left"), "{}", help(&err));
    waited(
        &mut sim,
        db_snapshot("orders-pre", "us-east-1"),
        WaitState::Available,
    );
    let outcome = ok(&mut sim, copy("orders-pre", "orders-pre-west"));
    assert_eq!(outcome.creates.as_deref(), Some("orders-pre-west"));
    let snap = describe(&mut sim, db_snapshot("orders-pre-west", "us-west-2"));
    assert_eq!(snap["status"], "copying");
    assert_eq!(snap["source"], "orders-db");
    let err = fails(&mut sim, copy("orders-nightly", "orders-pre-west"));
    assert_error(&err, ErrorKind::Rejected, "DBSnapshotAlreadyExists");
    let err = fails(&mut sim, copy("orders-nightlyy", "x"));
    assert_error(&err, ErrorKind::NotFound, "DBSnapshotNotFound");
    assert_eq!(help(&err), "did you mean 'orders-nightly'?");
}

#[test]
fn copy_db_cluster_snapshots_need_available_sources_and_new_ids() {
    let mut sim = sim();
    let copy = |source: &str, target: &str| {
        Call::CopyDbClusterSnapshot(ops::CopyDbClusterSnapshot {
            region: "us-west-2".into(),
            source_region: "us-east-1".into(),
            source_snapshot: source.into(),
            target_snapshot: target.into(),
        })
    };
    let outcome = ok(&mut sim, copy("app-east-nightly", "app-west-copy"));
    assert_eq!(outcome.creates.as_deref(), Some("app-west-copy"));
    assert_eq!(
        waited(
            &mut sim,
            db_cluster_snapshot("app-west-copy", "us-west-2"),
            WaitState::Available
        ),
        300
    );
    let err = fails(&mut sim, copy("app-east-nightly", "app-west-copy"));
    assert_error(
        &err,
        ErrorKind::Rejected,
        "DBClusterSnapshotAlreadyExistsFault",
    );
    ok(
        &mut sim,
        Call::CreateDbClusterSnapshot(ops::CreateDbClusterSnapshot {
            region: "us-east-1".into(),
            db_cluster: "app-east".into(),
            snapshot: "fresh".into(),
            tags: BTreeMap::new(),
        }),
    );
    let err = fails(&mut sim, copy("fresh", "fresh-west"));
    assert_error(
        &err,
        ErrorKind::Rejected,
        "InvalidDBClusterSnapshotStateFault",
    );
    let err = fails(&mut sim, copy("nope", "x"));
    assert_error(&err, ErrorKind::NotFound, "DBClusterSnapshotNotFoundFault");
}

#[test]
fn restore_creates_an_instance_that_takes_long_to_become_available() {
    let mut sim = sim();
    let restore = |snapshot: &str, id: &str| {
        Call::RestoreDbInstanceFromDbSnapshot(ops::RestoreDbInstanceFromDbSnapshot {
            region: "us-east-1".into(),
            snapshot: snapshot.into(),
            db_instance: id.into(),
            instance_class: None,
            multi_az: Some(true),
        })
    };
    let outcome = ok(&mut sim, restore("orders-nightly", "orders-restored"));
    assert_eq!(outcome.creates.as_deref(), Some("orders-restored"));
    assert!(outcome
        .changes
        .contains(&change("Status", None, Some("creating"))));
    let db = describe(&mut sim, db_instance("orders-restored", "us-east-1"));
    assert_eq!(db["status"], "creating");
    assert_eq!(db["engine"], "postgres");
    assert_eq!(db["multi_az"], true);
    assert_eq!(db["availability_zone"], "us-east-1a");
    assert_eq!(db["secondary_availability_zone"], "us-east-1b");
    // The default 30 minutes is enough for the 15-minute estimate, 10 minutes is not.
    let err = sim
        .wait(&WaitSpec {
            target: db_instance("orders-restored", "us-east-1"),
            until: WaitState::Available,
            timeout_secs: 600,
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        err.message.contains("15m 00s") && err.message.contains("10m 00s"),
        "{}",
        err.message
    );
    assert!(
        help(&err).contains("wait.db_instance_available_after_restore"),
        "{}",
        help(&err)
    );
    assert_eq!(sim.elapsed_secs(), 1, "a failed wait takes no time");
    assert_eq!(
        waited(
            &mut sim,
            db_instance("orders-restored", "us-east-1"),
            WaitState::Available
        ),
        900
    );

    let err = fails(&mut sim, restore("orders-nightly", "orders-db"));
    assert_error(&err, ErrorKind::Rejected, "DBInstanceAlreadyExists");
    ok(&mut sim, db_snapshot_call("orders-db", "orders-fresh"));
    let err = fails(&mut sim, restore("orders-fresh", "orders-2"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBSnapshotState");
    let err = fails(&mut sim, restore("orders-nigthly", "orders-3"));
    assert_error(&err, ErrorKind::NotFound, "DBSnapshotNotFound");
    assert_eq!(help(&err), "did you mean 'orders-nightly'?");
    let err = fails(&mut sim, restore("orders-nightly", "orders_3"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
}

#[test]
fn promote_read_replica_makes_a_standalone_instance() {
    let mut sim = sim();
    let promote = |id: &str| {
        Call::PromoteReadReplica(ops::PromoteReadReplica {
            region: "us-west-2".into(),
            db_instance: id.into(),
        })
    };
    let outcome = ok(&mut sim, promote("orders-replica"));
    assert_eq!(
        outcome.changes,
        vec![
            change(
                "ReadReplicaSource",
                Some("arn:aws:rds:us-east-1:123456789012:db:orders-db"),
                None
            ),
            change("Status", Some("available"), Some("modifying")),
        ]
    );
    let db = describe(&mut sim, db_instance("orders-replica", "us-west-2"));
    assert_eq!(db["status"], "modifying");
    assert!(db.get("read_replica_source").is_none());
    assert!(db.get("replica_lag_secs").is_none());
    assert_eq!(
        waited(
            &mut sim,
            db_instance("orders-replica", "us-west-2"),
            WaitState::Available
        ),
        240
    );
    let err = fails(&mut sim, promote("orders-replica"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert_eq!(
        err.message,
        "DB instance orders-replica is not a read replica."
    );
}

#[test]
fn promote_needs_an_available_replica() {
    let mut inventory = inventory();
    inventory.regions.get_mut("us-west-2").unwrap().db_instances[0].status = "stopped".into();
    let mut sim = SimBackend::new(inventory);
    let err = fails(
        &mut sim,
        Call::PromoteReadReplica(ops::PromoteReadReplica {
            region: "us-west-2".into(),
            db_instance: "orders-replica".into(),
        }),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
}

#[test]
fn forced_failover_swaps_the_zones_of_a_multi_az_instance() {
    let mut sim = sim();
    let reboot = |id: &str, force: bool| {
        Call::RebootDbInstance(ops::RebootDbInstance {
            region: "us-east-1".into(),
            db_instance: id.into(),
            force_failover: force,
        })
    };
    let outcome = ok(&mut sim, reboot("orders-db", true));
    assert_eq!(
        outcome.changes,
        vec![
            change("Status", Some("available"), Some("rebooting")),
            change("AvailabilityZone", Some("us-east-1a"), Some("us-east-1b")),
            change(
                "SecondaryAvailabilityZone",
                Some("us-east-1b"),
                Some("us-east-1a")
            ),
        ]
    );
    let db = describe(&mut sim, db_instance("orders-db", "us-east-1"));
    assert_eq!(db["status"], "rebooting");
    assert_eq!(db["availability_zone"], "us-east-1b");
    let err = fails(&mut sim, reboot("orders-db", true));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(help(&err).contains("about 2m 00s left"), "{}", help(&err));
    assert_eq!(
        waited(
            &mut sim,
            db_instance("orders-db", "us-east-1"),
            WaitState::Available
        ),
        120
    );
    let world = sim.world();
    assert_eq!(
        world.regions["us-east-1"].db_instances[0].availability_zone,
        "us-east-1b"
    );

    let err = fails(&mut sim, reboot("single-db", true));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterCombination");
    assert!(err.message.contains("not a Multi-AZ instance"));
    let outcome = ok(&mut sim, reboot("single-db", false));
    assert_eq!(outcome.changes.len(), 1);
}

// --- Aurora global databases ----------------------------------------------------------------

fn detach(cluster: &str, region: &str, global: &str) -> Call {
    Call::RemoveFromGlobalCluster(ops::RemoveFromGlobalCluster {
        region: region.into(),
        global_cluster: global.into(),
        db_cluster: cluster.into(),
    })
}

#[test]
fn detaching_a_secondary_makes_it_a_standalone_writer() {
    let mut sim = sim();
    let before = describe(&mut sim, db_cluster("app-west", "us-west-2"));
    assert_eq!(before["global_cluster"], "app-global");
    assert_eq!(before["writer"], false);
    let outcome = ok(&mut sim, detach("app-west", "us-west-2", "app-global"));
    assert_eq!(
        outcome.changes,
        vec![
            change("GlobalClusterMember", Some("app-global"), None),
            change("Writer", Some("false"), Some("true")),
            change("Status", Some("available"), Some("modifying")),
        ]
    );
    let after = describe(&mut sim, db_cluster("app-west", "us-west-2"));
    assert_eq!(after["global_cluster"], Value::Null);
    assert_eq!(after["writer"], true);
    assert_eq!(after["status"], "modifying");
    assert!(after.get("replication_lag_secs").is_none());
    assert_eq!(
        waited(
            &mut sim,
            db_cluster("app-west", "us-west-2"),
            WaitState::Available
        ),
        60
    );
    let members = &sim.world().global_clusters[0].members;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].cluster, "app-east");
}

#[test]
fn detach_rejections() {
    let mut sim = sim();
    let err = fails(
        &mut sim,
        detach("app-west-stopped", "us-west-2", "app-global"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(
        help(&err).contains("app-east (us-east-1, writer), app-west (us-west-2)"),
        "{}",
        help(&err)
    );
    let err = fails(&mut sim, detach("app-east", "us-east-1", "app-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    let err = fails(&mut sim, detach("app-west", "us-west-2", "app-globl"));
    assert_error(&err, ErrorKind::NotFound, "GlobalClusterNotFoundFault");
    assert_eq!(help(&err), "did you mean 'app-global'?");
    // Once alone, the writer may leave.
    ok(&mut sim, detach("app-west", "us-west-2", "app-global"));
    let outcome = ok(&mut sim, detach("app-east", "us-east-1", "app-global"));
    assert_eq!(
        outcome.changes,
        vec![change("GlobalClusterMember", Some("app-global"), None)]
    );
}

fn failover(target: &str, region: &str, allow_data_loss: bool) -> Call {
    Call::FailoverGlobalCluster(ops::FailoverGlobalCluster {
        region: region.into(),
        global_cluster: "app-global".into(),
        target_db_cluster: target.into(),
        allow_data_loss,
    })
}

fn switchover(target: &str, region: &str) -> Call {
    Call::SwitchoverGlobalCluster(ops::SwitchoverGlobalCluster {
        region: region.into(),
        global_cluster: "app-global".into(),
        target_db_cluster: target.into(),
    })
}

#[test]
fn failover_moves_the_writer_and_warns_about_lag() {
    let mut sim = sim();
    let outcome = ok(&mut sim, failover("app-west", "us-west-2", true));
    assert_eq!(
        outcome.changes,
        vec![
            change("GlobalClusterWriter", Some("app-east"), Some("app-west")),
            change("Status", Some("available"), Some("failing-over")),
        ]
    );
    assert!(
        outcome.warnings[0].contains("2s of committed writes"),
        "{:?}",
        outcome.warnings
    );
    let g = describe(&mut sim, global("app-global"));
    assert_eq!(g["status"], "failing-over");
    assert_eq!(g["members"][1]["writer"], true);
    assert_eq!(g["members"][0]["writer"], false);
    assert_eq!(
        describe(&mut sim, db_cluster("app-west", "us-west-2"))["writer"],
        true
    );
    assert_eq!(
        describe(&mut sim, db_cluster("app-east", "us-east-1"))["writer"],
        false
    );
    // The global database is busy until the failover ends.
    let err = fails(&mut sim, switchover("app-east", "us-east-1"));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert_eq!(
        waited(&mut sim, global("app-global"), WaitState::Available),
        120
    );
    assert_eq!(
        waited(
            &mut sim,
            db_cluster("app-west", "us-west-2"),
            WaitState::Available
        ),
        0
    );
    let err = fails(&mut sim, failover("app-west", "us-west-2", true));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert!(err.message.contains("already the writer"));
}

#[test]
fn switchover_needs_every_member_available() {
    let mut sim = sim();
    // The old writer down (as in a regional outage).
    let mut inventory = inventory();
    inventory.regions.get_mut("us-east-1").unwrap().db_clusters[0].status = "stopped".into();
    let mut busy = SimBackend::new(inventory);
    let err = fails(&mut busy, switchover("app-west", "us-west-2"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(err.message.contains("app-east"));
    // Without AllowDataLoss a failover is a switchover, with the same rule.
    let err = fails(&mut busy, failover("app-west", "us-west-2", false));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    // With data loss, only the target must be available: that is what it is for.
    let outcome = ok(&mut busy, failover("app-west", "us-west-2", true));
    assert_eq!(outcome.changes[0].after.as_deref(), Some("app-west"));

    let outcome = ok(&mut sim, switchover("app-west", "us-west-2"));
    assert_eq!(
        outcome.changes[1],
        change("Status", Some("available"), Some("switching-over"))
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
}

#[test]
fn failover_target_rejections() {
    let mut sim = sim();
    let err = fails(&mut sim, failover("app-west-stopped", "us-west-2", true));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert!(err.message.contains("not a member"));
    let err = fails(&mut sim, failover("app-wset", "us-west-2", true));
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    assert!(
        help(&err).starts_with("did you mean 'app-west'?"),
        "{}",
        help(&err)
    );
    let err = fails(
        &mut sim,
        Call::FailoverGlobalCluster(ops::FailoverGlobalCluster {
            region: "us-west-2".into(),
            global_cluster: "nope".into(),
            target_db_cluster: "app-west".into(),
            allow_data_loss: true,
        }),
    );
    assert_error(&err, ErrorKind::NotFound, "GlobalClusterNotFoundFault");
    // Sent to the old primary's region: allowed, but worth a warning.
    let outcome = ok(&mut sim, failover("app-west", "us-east-1", false));
    assert!(
        outcome.warnings[0].contains("send it to us-west-2"),
        "{:?}",
        outcome.warnings
    );
}

// --- Auto Scaling ------------------------------------------------------------------------

#[test]
fn scaling_out_waits_for_instances_scaling_in_does_not() {
    let mut sim = sim();
    let outcome = ok(&mut sim, scale("web-asg", None, Some(12), Some(6)));
    assert_eq!(
        outcome.changes,
        vec![
            change("MaxSize", Some("10"), Some("12")),
            change("DesiredCapacity", Some("2"), Some("6")),
        ]
    );
    let group = describe(&mut sim, asg("web-asg", "us-east-1"));
    assert_eq!(group["desired_capacity"], 6);
    assert_eq!(group["in_service"], 2);
    assert_eq!(
        sim.world().regions["us-east-1"].auto_scaling_groups[0].in_service,
        Some(2)
    );
    let outcome = wait(&mut sim, asg("web-asg", "us-east-1"), WaitState::InService).unwrap();
    assert_eq!(outcome.duration_secs, 180);
    assert_eq!(
        outcome.changes,
        vec![change("InService", Some("2"), Some("6"))]
    );
    assert_eq!(
        describe(&mut sim, asg("web-asg", "us-east-1"))["in_service"],
        6
    );
    assert_eq!(
        sim.world().regions["us-east-1"].auto_scaling_groups[0].in_service,
        None
    );

    ok(&mut sim, scale("web-asg", None, None, Some(3)));
    assert_eq!(
        describe(&mut sim, asg("web-asg", "us-east-1"))["in_service"],
        3
    );
    assert_eq!(
        waited(&mut sim, asg("web-asg", "us-east-1"), WaitState::InService),
        0
    );
    // Nothing to change: no changes listed.
    assert!(ok(&mut sim, scale("web-asg", Some(2), None, Some(3)))
        .changes
        .is_empty());
}

#[test]
fn scaling_rejections_use_aws_wording() {
    let mut sim = sim();
    let err = fails(&mut sim, scale("web-asg", Some(4), None, Some(12)));
    assert_error(&err, ErrorKind::Rejected, "ValidationError");
    assert_eq!(
        err.message,
        "Desired capacity:12 must be between the specified min size:4 and max size:10"
    );
    assert!(help(&err).contains("4..=10"), "{}", help(&err));
    let err = fails(&mut sim, scale("web-asg", Some(11), None, None));
    assert_error(&err, ErrorKind::Rejected, "ValidationError");
    assert_eq!(
        err.message,
        "Max bound, 10, must be greater than or equal to min bound, 11"
    );
    let err = fails(&mut sim, scale("web-asg", Some(-1), None, None));
    assert_error(&err, ErrorKind::Rejected, "ValidationError");
    assert!(err.message.contains("'minSize'"));
    let err = fails(&mut sim, scale("web-asgg", None, None, Some(3)));
    assert_error(&err, ErrorKind::NotFound, "ValidationError");
    assert_eq!(help(&err), "did you mean 'web-asg'?");
}

#[test]
fn raising_min_without_desired_raises_desired_like_aws() {
    let mut sim = sim();
    let outcome = ok(&mut sim, scale("web-asg", Some(4), None, None));
    assert_eq!(
        outcome.changes,
        vec![
            change("MinSize", Some("2"), Some("4")),
            change("DesiredCapacity", Some("2"), Some("4")),
        ]
    );
    assert!(outcome.warnings[0].contains("DesiredCapacity moves from 2 to 4"));
}

#[test]
fn waiting_for_an_empty_group_is_immediate() {
    let mut sim = sim();
    assert_eq!(
        waited(
            &mut sim,
            asg("dr-web-asg", "us-west-2"),
            WaitState::InService
        ),
        0
    );
    assert_eq!(sim.elapsed_secs(), 0);
}

// --- Route 53 ------------------------------------------------------------------------------

#[test]
fn upserting_a_new_record_creates_it_and_a_pending_change() {
    let mut sim = sim();
    let outcome = ok(
        &mut sim,
        upsert(
            "example.com.",
            a_record("new.example.com", &["192.0.2.1", "192.0.2.2"]),
        ),
    );
    assert_eq!(outcome.resolved.as_deref(), Some("Z1EXAMPLE"));
    assert_eq!(outcome.creates.as_deref(), Some("C0000000000000001"));
    assert_eq!(
        outcome.changes,
        vec![
            change("Values", None, Some("192.0.2.1, 192.0.2.2")),
            change("TTL", None, Some("60")),
        ]
    );
    let record = describe(
        &mut sim,
        Target::Record {
            zone: "example.com".into(),
            name: "NEW.example.com.".into(),
            rtype: "a".into(),
            set_id: None,
        },
    );
    assert_eq!(record["values"][1], "192.0.2.2");
    let change_target = Target::DnsChange {
        name: "C0000000000000001".into(),
    };
    let status = describe(&mut sim, change_target.clone());
    assert_eq!(
        status,
        serde_json::json!({"id": "C0000000000000001", "status": "PENDING"})
    );
    let outcome = wait(&mut sim, change_target.clone(), WaitState::InSync).unwrap();
    assert_eq!(outcome.duration_secs, 60);
    assert_eq!(describe(&mut sim, change_target)["status"], "INSYNC");
    assert_eq!(sim.world().hosted_zones[0].records.len(), 3);
}

#[test]
fn upserting_an_existing_record_lists_only_what_changes() {
    let mut sim = sim();
    let record = RecordSet {
        name: "www.example.com".into(),
        rtype: "A".into(),
        set_identifier: Some("primary".into()),
        failover: Some("PRIMARY".into()),
        alias_target: Some(AliasTarget {
            hosted_zone_id: "Z1H1FL5HABSF5".into(),
            dns_name: "west-alb.example.com".into(),
            evaluate_target_health: true,
        }),
        health_check: Some("west-web".into()),
        ..RecordSet::default()
    };
    let outcome = ok(&mut sim, upsert("example.com", record));
    assert_eq!(
        outcome.changes,
        vec![
            change(
                "AliasTarget",
                Some("east-alb.example.com (zone Z35SXDOTRQ7X7K, evaluate target health)"),
                Some("west-alb.example.com (zone Z1H1FL5HABSF5, evaluate target health)")
            ),
            change("HealthCheckId", Some("hc-1111"), Some("hc-2222")),
        ]
    );
    let world = sim.world();
    assert_eq!(world.hosted_zones[0].records.len(), 2);
    assert_eq!(
        world.hosted_zones[0].records[0].health_check.as_deref(),
        Some("hc-2222")
    );
    let cname = RecordSet {
        name: "api.example.com".into(),
        rtype: "CNAME".into(),
        ttl: Some(60),
        values: vec!["west.api.example.com".into()],
        ..RecordSet::default()
    };
    let outcome = ok(&mut sim, upsert("example.com", cname));
    assert_eq!(
        outcome.changes,
        vec![change(
            "Values",
            Some("east.api.example.com"),
            Some("west.api.example.com")
        )]
    );
}

#[test]
fn record_change_rejections() {
    let mut sim = sim();
    let err = fails(
        &mut sim,
        upsert("exmaple.com", a_record("www.example.com", &["192.0.2.1"])),
    );
    assert_error(&err, ErrorKind::NotFound, "NoSuchHostedZone");
    assert_eq!(help(&err), "did you mean 'example.com'?");

    let err = fails(
        &mut sim,
        upsert("example.com", a_record("www.example.org", &["192.0.2.1"])),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert!(err.message.contains("is not permitted in zone example.com"));

    let mut with_check = a_record("www.example.com", &["192.0.2.1"]);
    with_check.health_check = Some("west-wbe".into());
    let err = fails(&mut sim, upsert("example.com", with_check));
    assert_error(&err, ErrorKind::NotFound, "NoSuchHealthCheck");
    assert_eq!(help(&err), "did you mean 'west-web'?");

    let mut no_set_id = a_record("www.example.com", &["192.0.2.1"]);
    no_set_id.failover = Some("SECONDARY".into());
    let err = fails(&mut sim, upsert("example.com", no_set_id));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    assert!(err.message.contains("Missing field 'SetIdentifier'"));

    let mut both = a_record("www.example.com", &["192.0.2.1"]);
    both.alias_target = Some(AliasTarget {
        hosted_zone_id: "Z1".into(),
        dns_name: "alb.example.com".into(),
        evaluate_target_health: false,
    });
    let err = fails(&mut sim, upsert("example.com", both));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    assert!(err.message.contains("found more than one"));

    let neither = RecordSet {
        name: "www.example.com".into(),
        rtype: "A".into(),
        ..RecordSet::default()
    };
    let err = fails(&mut sim, upsert("example.com", neither));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    assert!(err.message.contains("found none"));

    let mut no_ttl = a_record("www.example.com", &["192.0.2.1"]);
    no_ttl.ttl = None;
    let err = fails(&mut sim, upsert("example.com", no_ttl));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    assert_eq!(help(&err), "a record with values needs a ttl");

    let mut apex = a_record("example.com", &["other.example.net"]);
    apex.rtype = "CNAME".into();
    let err = fails(&mut sim, upsert("example.com", apex));
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");

    let mut create = upsert("example.com", a_record("api.example.com", &["192.0.2.1"]));
    if let Call::ChangeResourceRecordSets(batch) = &mut create {
        batch.changes[0].action = "CREATE".into();
        batch.changes[0].record_set.rtype = "CNAME".into();
    }
    let err = fails(&mut sim, create);
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert!(err.message.contains("already exists"));

    let err = wait(
        &mut sim,
        Target::DnsChange {
            name: "C999".into(),
        },
        WaitState::InSync,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "NoSuchChange");
}

#[test]
fn disabling_a_health_check_by_name() {
    let mut sim = sim();
    let update = |name: &str, disabled: bool| {
        Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: name.into(),
            disabled: Some(disabled),
            inverted: None,
        })
    };
    let outcome = ok(&mut sim, update("east-web", true));
    assert_eq!(outcome.resolved.as_deref(), Some("hc-1111"));
    assert_eq!(
        outcome.changes,
        vec![change("Disabled", Some("false"), Some("true"))]
    );
    let hc = describe(
        &mut sim,
        Target::HealthCheck {
            name: "hc-1111".into(),
        },
    );
    assert_eq!(hc["disabled"], true);
    assert!(sim.world().health_checks[0].disabled);
    assert!(ok(&mut sim, update("hc-1111", true)).changes.is_empty());
    let err = fails(&mut sim, update("east-wbe", true));
    assert_error(&err, ErrorKind::NotFound, "NoSuchHealthCheck");
    assert_eq!(help(&err), "did you mean 'east-web'?");
}

#[test]
fn disabling_a_primary_check_warns_unless_it_is_inverted() {
    let mut sim = sim();
    let update = |disabled: Option<bool>, inverted: Option<bool>| {
        Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: "east-web".into(),
            disabled,
            inverted,
        })
    };
    // east-web guards the PRIMARY www.example.com A: disabled, Route 53 calls it healthy.
    let outcome = ok(&mut sim.clone(), update(Some(true), None));
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert!(
        outcome.warnings[0].contains("the PRIMARY record www.example.com A stays in service"),
        "{:?}",
        outcome.warnings
    );
    assert!(outcome.warnings[0].contains("invert_health_check"));
    // Inverting changes only Inverted; a disabled inverted check no longer keeps the primary.
    let outcome = ok(&mut sim, update(None, Some(true)));
    assert_eq!(
        outcome.changes,
        vec![change("Inverted", Some("false"), Some("true"))]
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let outcome = ok(&mut sim, update(Some(true), None));
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let check = &sim.world().health_checks[0];
    assert!(check.inverted && check.disabled);
    // Both at once, back to normal.
    let outcome = ok(&mut sim, update(Some(false), Some(false)));
    assert_eq!(
        outcome.changes,
        vec![
            change("Disabled", Some("true"), Some("false")),
            change("Inverted", Some("true"), Some("false"))
        ]
    );
}

// --- S3 and SNS ----------------------------------------------------------------------------

#[test]
fn put_bucket_replication_replaces_the_configuration() {
    let mut sim = sim();
    let outcome = ok(
        &mut sim,
        replication("assets-east", "assets-west", Some(15)),
    );
    assert_eq!(
        outcome.changes,
        vec![
            change(
                "ReplicationConfiguration",
                None,
                Some("rule dr -> assets-west (Enabled, priority 1, RTC 15m, delete markers)")
            ),
            change(
                "Role",
                None,
                Some("arn:aws:iam::123456789012:role/replication")
            ),
        ]
    );
    let bucket = describe(
        &mut sim,
        Target::Bucket {
            name: "assets-east".into(),
        },
    );
    assert_eq!(bucket["replication"]["rules"][0]["status"], "Enabled");
    let outcome = ok(
        &mut sim,
        replication("replicated-east", "assets-west", None),
    );
    assert_eq!(outcome.changes.len(), 1, "same role: {:?}", outcome.changes);
    let world = sim.world();
    let config = world.buckets[4].replication.as_ref().unwrap();
    assert_eq!(config.rules.len(), 1);
    assert_eq!(config.rules[0].id, "dr");
}

#[test]
fn put_bucket_replication_rejections() {
    let mut sim = sim();
    let err = fails(&mut sim, replication("logs-east", "assets-west", None));
    assert_error(&err, ErrorKind::Rejected, "InvalidRequest");
    assert_eq!(err.message, "Versioning must be 'Enabled' on the bucket");
    let err = fails(&mut sim, replication("assets-east", "logs-west", None));
    assert_error(&err, ErrorKind::Rejected, "InvalidRequest");
    assert!(err.message.contains("versioning"));
    let err = fails(&mut sim, replication("assets-east", "assets-wset", None));
    assert_error(&err, ErrorKind::Rejected, "InvalidRequest");
    assert_eq!(help(&err), "did you mean 'assets-west'?");
    let err = fails(
        &mut sim,
        replication("assets-east", "assets-west", Some(10)),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidArgument");
    let err = fails(&mut sim, replication("assets-eats", "assets-west", None));
    assert_error(&err, ErrorKind::NotFound, "NoSuchBucket");
    assert_eq!(help(&err), "did you mean 'assets-east'?");
}

#[test]
fn replication_checks() {
    let mut sim = sim();
    let check = |bucket: &str, region: &str| CheckSpec::BucketReplication {
        bucket: bucket.into(),
        region: region.into(),
    };
    assert!(sim.check(&check("replicated-east", "us-west-2")).is_ok());
    let err = sim.check(&check("assets-east", "us-west-2")).unwrap_err();
    assert_error(
        &err,
        ErrorKind::Rejected,
        "ReplicationConfigurationNotFoundError",
    );
    let err = sim
        .check(&check("replicated-east", "eu-west-1"))
        .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "ReplicationNotConfigured");
    assert!(
        help(&err).contains("rule to-west -> assets-west (Enabled, us-west-2)"),
        "{}",
        help(&err)
    );
    let err = sim.check(&check("paused-east", "us-west-2")).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "ReplicationNotConfigured");
    assert!(help(&err).contains("Disabled"));
    let err = sim.check(&check("nope", "us-west-2")).unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "NoSuchBucket");
    ok(&mut sim, replication("assets-east", "assets-west", None));
    assert!(sim.check(&check("assets-east", "us-west-2")).is_ok());
}

#[test]
fn publish_resolves_the_topic_arn_and_changes_nothing() {
    let mut sim = sim();
    let publish = |region: &str, topic: &str, subject: &str| {
        Call::Publish(ops::Publish {
            region: region.into(),
            topic: topic.into(),
            subject: subject.into(),
            message: "failing over to us-west-2".into(),
        })
    };
    let outcome = ok(&mut sim, publish("us-west-2", "dr-alerts", "DR started"));
    assert_eq!(
        outcome.resolved.as_deref(),
        Some("arn:aws:sns:us-west-2:123456789012:dr-alerts")
    );
    assert!(outcome.changes.is_empty());
    assert_eq!(sim.world(), inventory());
    let err = fails(&mut sim, publish("us-west-2", "dr-alert", "x"));
    assert_error(&err, ErrorKind::NotFound, "NotFound");
    assert_eq!(help(&err), "did you mean 'dr-alerts'?");
    let err = fails(&mut sim, publish("us-west-2", "dr-alerts", "two\nlines"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameter");
}

// --- waits, lazy settling, queries -----------------------------------------------------------

#[test]
fn waits_that_can_never_finish_are_rejected() {
    let mut sim = sim();
    let err = wait(
        &mut sim,
        db_instance("stopped-db", "us-east-1"),
        WaitState::Available,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    assert!(
        err.message.contains("'stopped'") && err.message.contains("nothing pending"),
        "{}",
        err.message
    );
    let err = wait(
        &mut sim,
        db_cluster("app-west-stopped", "us-west-2"),
        WaitState::Available,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    let err = wait(&mut sim, volume("data", "us-east-1"), WaitState::Available).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    let err = wait(
        &mut sim,
        db_instance("nope", "us-east-1"),
        WaitState::Available,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "DBInstanceNotFound");
    let err = wait(
        &mut sim,
        db_instance("orders-db", "us-east-1"),
        WaitState::InSync,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "UnsupportedWaitState");
    assert!(help(&err).contains("\"available\""));
    assert_eq!(
        waited(
            &mut sim,
            db_instance("orders-db", "us-east-1"),
            WaitState::Available
        ),
        0
    );
    assert_eq!(sim.elapsed_secs(), 0);
}

#[test]
fn transitions_complete_by_themselves_as_the_clock_passes() {
    let mut sim = sim_with(&[("wait.asg_in_service", 400)]);
    ok(&mut sim, create_snapshot("data")); // completes at 1 + 300
    ok(&mut sim, scale("web-asg", None, None, Some(4)));
    assert_eq!(
        describe(&mut sim, ebs_snapshot("pre-failover", "us-east-1"))["state"],
        "pending"
    );
    assert_eq!(
        waited(&mut sim, asg("web-asg", "us-east-1"), WaitState::InService),
        400
    );
    assert_eq!(sim.elapsed_secs(), 402);
    assert_eq!(
        describe(&mut sim, ebs_snapshot("pre-failover", "us-east-1"))["state"],
        "completed"
    );
    assert_eq!(
        waited(
            &mut sim,
            ebs_snapshot("pre-failover", "us-east-1"),
            WaitState::Completed
        ),
        0
    );
    // Copying needs no wait once the time has passed.
    ok(
        &mut sim,
        Call::CopySnapshot(ops::CopySnapshot {
            region: "us-west-2".into(),
            source_region: "us-east-1".into(),
            source_snapshot: "pre-failover".into(),
            description: String::new(),
            tags: BTreeMap::new(),
        }),
    );
}

#[test]
fn captured_transitions_finish_one_estimate_after_the_capture() {
    let mut inventory = inventory();
    let east = inventory.regions.get_mut("us-east-1").unwrap();
    east.snapshots[0].state = "pending".into();
    east.db_instances[1].status = "modifying".into();
    east.auto_scaling_groups[0].in_service = Some(1);
    east.auto_scaling_groups.push(AutoScalingGroup {
        name: "settled".into(),
        min_size: 1,
        max_size: 1,
        desired_capacity: 1,
        in_service: Some(1),
        tags: BTreeMap::new(),
    });
    // Instance weights can leave a group above its desired capacity: settled, as live.
    east.auto_scaling_groups.push(AutoScalingGroup {
        name: "weighted".into(),
        min_size: 0,
        max_size: 8,
        desired_capacity: 4,
        in_service: Some(6),
        tags: BTreeMap::new(),
    });
    let mut sim = SimBackend::new(inventory.clone());
    assert_eq!(sim.world(), inventory);
    assert_eq!(
        describe(&mut sim, asg("web-asg", "us-east-1"))["in_service"],
        1
    );
    assert_eq!(
        waited(&mut sim, asg("weighted", "us-east-1"), WaitState::InService),
        0
    );
    assert_eq!(
        waited(
            &mut sim,
            ebs_snapshot("snap-0old", "us-east-1"),
            WaitState::Completed
        ),
        300
    );
    assert_eq!(
        waited(
            &mut sim,
            db_instance("single-db", "us-east-1"),
            WaitState::Available
        ),
        0
    );
    assert_eq!(
        waited(&mut sim, asg("web-asg", "us-east-1"), WaitState::InService),
        0
    );
}

#[test]
fn describe_answers_in_inventory_shape_or_none() {
    let mut sim = sim();
    let group = describe(&mut sim, asg("web-asg", "us-east-1"));
    assert_eq!(group["in_service"], 2, "InService is always present");
    let cluster = describe(&mut sim, db_cluster("app-east", "us-east-1"));
    assert_eq!(cluster["global_cluster"], "app-global");
    assert_eq!(cluster["writer"], true);
    let zone = describe(
        &mut sim,
        Target::Zone {
            name: "EXAMPLE.com.".into(),
        },
    );
    assert_eq!(zone["id"], "Z1EXAMPLE");
    let topic = describe(
        &mut sim,
        Target::Topic {
            name: "dr-alerts".into(),
            region: "us-east-1".into(),
        },
    );
    assert_eq!(topic["name"], "dr-alerts");
    let vol = describe(&mut sim, volume("vol-0aaa", "us-east-1"));
    assert_eq!(vol["name"], "data");
    let replica = describe(&mut sim, db_instance("orders-replica", "us-west-2"));
    assert_eq!(replica["replica_lag_secs"], 4);
    for missing in [
        asg("nope", "us-east-1"),
        asg("web-asg", "mars-1"),
        global("nope"),
        Target::Zone {
            name: "example.org".into(),
        },
        Target::Record {
            zone: "example.com".into(),
            name: "www.example.com".into(),
            rtype: "A".into(),
            set_id: None,
        },
        Target::HealthCheck {
            name: "nope".into(),
        },
        Target::DnsChange { name: "C1".into() },
        Target::Bucket {
            name: "nope".into(),
        },
    ] {
        let answer = sim
            .query(&Query::Describe {
                target: missing.clone(),
            })
            .unwrap();
        assert_eq!(answer, None, "{missing:?}");
    }
    let err = sim
        .query(&Query::Describe {
            target: volume("twin", "us-east-1"),
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "AmbiguousName");
}

#[test]
fn latest_snapshot_queries() {
    let mut sim = sim();
    let latest =
        |sim: &mut SimBackend, target: Target| sim.query(&Query::LatestSnapshot { target });
    let snap = latest(&mut sim, volume("data", "us-east-1"))
        .unwrap()
        .unwrap();
    assert_eq!(snap["id"], "snap-0old");
    ok(&mut sim, create_snapshot("data"));
    let snap = latest(&mut sim, volume("data", "us-east-1"))
        .unwrap()
        .unwrap();
    assert_eq!(snap["id"], "snap-00000000000000001");
    assert_eq!(
        latest(&mut sim, volume("vol-0bbb", "us-east-1")).unwrap(),
        None
    );
    let snap = latest(&mut sim, db_instance("orders-db", "us-east-1"))
        .unwrap()
        .unwrap();
    assert_eq!(snap["id"], "orders-nightly");
    assert_eq!(
        latest(&mut sim, db_instance("single-db", "us-east-1")).unwrap(),
        None
    );
    let snap = latest(&mut sim, db_cluster("app-east", "us-east-1"))
        .unwrap()
        .unwrap();
    assert_eq!(snap["id"], "app-east-nightly");
    let err = latest(&mut sim, volume("nope", "us-east-1")).unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "InvalidVolume.NotFound");
    let err = latest(&mut sim, asg("web-asg", "us-east-1")).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
}

// --- scale ------------------------------------------------------------------------------------

#[test]
fn ten_thousand_steps_plan_quickly() {
    let mut inventory = inventory();
    let east = inventory.regions.get_mut("us-east-1").unwrap();
    let template = east.volumes[0].clone();
    let asg_template = east.auto_scaling_groups[0].clone();
    for i in 0..8_000 {
        let mut v = template.clone();
        v.id = format!("vol-{i:017x}");
        v.name = Some(format!("bulk-{i}"));
        v.size_gib = 8;
        east.volumes.push(v);
    }
    for i in 0..1_000 {
        let mut g = asg_template.clone();
        g.name = format!("asg-{i}");
        east.auto_scaling_groups.push(g);
    }
    let mut sim = SimBackend::new(inventory);
    let started = std::time::Instant::now();
    for i in 0..8_000 {
        ok(&mut sim, create_snapshot(&format!("bulk-{i}")));
    }
    for i in 0..1_000 {
        ok(&mut sim, scale(&format!("asg-{i}"), None, None, Some(6)));
    }
    for i in 0..1_000 {
        ok(
            &mut sim,
            upsert(
                "example.com",
                a_record(&format!("h{i}.example.com"), &["192.0.2.1"]),
            ),
        );
    }
    let took = started.elapsed();
    assert_eq!(sim.elapsed_secs(), 10_000);
    let world = sim.world();
    assert_eq!(world.regions["us-east-1"].snapshots.len(), 8_001);
    assert_eq!(world.hosted_zones[0].records.len(), 1_002);
    // Generous for unoptimized test builds; release builds take a few milliseconds.
    assert!(took.as_secs_f64() < 5.0, "10,000 steps took {took:?}");
}

/// A MySQL instance in eu-west-1 with last night's snapshot, and a copy of an earlier one in
/// eu-central-1 that says where it came from but nothing of its instance.
const SNAPSHOT_CHAIN: &str = r#"
version: 3
account: "123456789012"
captured_at: 2025-01-01T00:00:00Z
regions:
  eu-west-1:
    availability_zones: [eu-west-1a, eu-west-1b]
    db_instances:
      - { id: shop-db, engine: mysql, instance_class: db.t3.small, availability_zone: eu-west-1a,
          secondary_availability_zone: eu-west-1b, multi_az: true }
    db_snapshots:
      - { id: shop-db-nightly, source: shop-db, created_at: 2024-12-31T03:00:00Z }
  eu-central-1:
    availability_zones: [eu-central-1a, eu-central-1b]
    db_snapshots:
      - { id: shop-db-weekly-dr, source: shop-db, source_region: eu-west-1,
          created_at: 2024-12-29T03:00:00Z }
      - { id: orphan-dr, source: gone-db, source_region: eu-west-1,
          created_at: 2024-12-29T03:00:00Z }
"#;

fn chain_sim() -> SimBackend {
    SimBackend::new(Inventory::parse(SNAPSHOT_CHAIN, "chain.yaml").expect("the chain parses"))
}

fn copy_to_central(source: &str, target: &str) -> Call {
    Call::CopyDbSnapshot(ops::CopyDbSnapshot {
        region: "eu-central-1".into(),
        source_region: "eu-west-1".into(),
        source_snapshot: source.into(),
        target_snapshot: target.into(),
    })
}

fn restore_in_central(snapshot: &str, id: &str) -> Call {
    Call::RestoreDbInstanceFromDbSnapshot(ops::RestoreDbInstanceFromDbSnapshot {
        region: "eu-central-1".into(),
        snapshot: snapshot.into(),
        db_instance: id.into(),
        instance_class: None,
        multi_az: None,
    })
}

/// Restores `snapshot` in eu-central-1 without a class: the restored instance as described,
/// and the restore's warnings.
fn restored_in_central(sim: &mut SimBackend, snapshot: &str, id: &str) -> (Value, Vec<String>) {
    let outcome = ok(sim, restore_in_central(snapshot, id));
    assert!(outcome
        .changes
        .contains(&change("DBInstanceIdentifier", None, Some(id))));
    (
        describe(sim, db_instance(id, "eu-central-1")),
        outcome.warnings,
    )
}

#[test]
fn a_snapshot_copied_across_regions_restores_with_its_source_class() {
    // The issue's chain: snapshot a db.t3.small in eu-west-1, copy it to eu-central-1, restore
    // it there without instance_class. The original instance is not in eu-central-1: the
    // snapshot carries what AWS recorded of it.
    let mut sim = chain_sim();
    ok(
        &mut sim,
        Call::CreateDbSnapshot(ops::CreateDbSnapshot {
            region: "eu-west-1".into(),
            db_instance: "shop-db".into(),
            snapshot: "shop-db-dr".into(),
            tags: BTreeMap::new(),
        }),
    );
    let snap = describe(&mut sim, db_snapshot("shop-db-dr", "eu-west-1"));
    assert_eq!(
        (
            &snap["engine"],
            &snap["instance_class"],
            &snap["source_region"]
        ),
        (
            &Value::from("mysql"),
            &Value::from("db.t3.small"),
            &Value::Null
        )
    );
    waited(
        &mut sim,
        db_snapshot("shop-db-dr", "eu-west-1"),
        WaitState::Available,
    );
    ok(&mut sim, copy_to_central("shop-db-dr", "shop-db-dr-copy"));
    let copy = describe(&mut sim, db_snapshot("shop-db-dr-copy", "eu-central-1"));
    assert_eq!(copy["source"], "shop-db");
    assert_eq!(copy["source_region"], "eu-west-1");
    assert_eq!(copy["engine"], "mysql");
    assert_eq!(copy["instance_class"], "db.t3.small");
    waited(
        &mut sim,
        db_snapshot("shop-db-dr-copy", "eu-central-1"),
        WaitState::Available,
    );
    let outcome = ok(
        &mut sim,
        restore_in_central("shop-db-dr-copy", "shop-db-restored"),
    );
    assert!(outcome
        .changes
        .contains(&change("DBInstanceClass", None, Some("db.t3.small"))));
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let db = describe(&mut sim, db_instance("shop-db-restored", "eu-central-1"));
    assert_eq!(db["instance_class"], "db.t3.small");
    assert_eq!(db["engine"], "mysql");
    // The source is Multi-AZ; a restore is Single-AZ unless the call says otherwise.
    assert_eq!(db["multi_az"], false);
    assert_eq!(db["availability_zone"], "eu-central-1a");

    // A class given in the call wins.
    let outcome = ok(
        &mut sim,
        Call::RestoreDbInstanceFromDbSnapshot(ops::RestoreDbInstanceFromDbSnapshot {
            region: "eu-central-1".into(),
            snapshot: "shop-db-dr-copy".into(),
            db_instance: "shop-db-large".into(),
            instance_class: Some("db.r6g.xlarge".into()),
            multi_az: Some(true),
        }),
    );
    assert!(outcome
        .changes
        .contains(&change("DBInstanceClass", None, Some("db.r6g.xlarge"))));
}

#[test]
fn an_inventory_snapshot_keeps_its_source_class_through_a_copy() {
    // shop-db-nightly says nothing of its instance: the copy records it from the instance in
    // the snapshot's region, so the restore in eu-central-1 still gets db.t3.small.
    let mut sim = chain_sim();
    ok(
        &mut sim,
        copy_to_central("shop-db-nightly", "shop-db-nightly-dr"),
    );
    let copy = describe(&mut sim, db_snapshot("shop-db-nightly-dr", "eu-central-1"));
    assert_eq!(copy["instance_class"], "db.t3.small");
    assert_eq!(copy["source_region"], "eu-west-1");
    waited(
        &mut sim,
        db_snapshot("shop-db-nightly-dr", "eu-central-1"),
        WaitState::Available,
    );
    let (db, warnings) = restored_in_central(&mut sim, "shop-db-nightly-dr", "shop-db-dr");
    assert_eq!(
        (&db["instance_class"], &db["engine"]),
        (&Value::from("db.t3.small"), &Value::from("mysql"))
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    // Copying the copy within eu-central-1 keeps where it came from.
    ok(
        &mut sim,
        Call::CopyDbSnapshot(ops::CopyDbSnapshot {
            region: "eu-central-1".into(),
            source_region: "eu-central-1".into(),
            source_snapshot: "shop-db-nightly-dr".into(),
            target_snapshot: "shop-db-nightly-dr-2".into(),
        }),
    );
    let again = describe(
        &mut sim,
        db_snapshot("shop-db-nightly-dr-2", "eu-central-1"),
    );
    assert_eq!(again["source_region"], "eu-west-1");
    assert_eq!(again["instance_class"], "db.t3.small");
}

#[test]
fn an_inventory_copy_finds_its_source_in_the_region_it_came_from() {
    let mut sim = chain_sim();
    let (db, warnings) = restored_in_central(&mut sim, "shop-db-weekly-dr", "shop-db-dr");
    assert_eq!(db["instance_class"], "db.t3.small");
    assert_eq!(db["engine"], "mysql");
    assert!(warnings.is_empty(), "{warnings:?}");
    // What the inventory does say of the source wins over the source's current state.
    let mut inventory = Inventory::parse(SNAPSHOT_CHAIN, "chain.yaml").unwrap();
    let central = inventory.regions.get_mut("eu-central-1").unwrap();
    central.db_snapshots[0].instance_class = Some("db.m5.large".into());
    let mut sim = SimBackend::new(inventory);
    let (db, _) = restored_in_central(&mut sim, "shop-db-weekly-dr", "shop-db-dr");
    assert_eq!(db["instance_class"], "db.m5.large");
}

#[test]
fn a_restore_that_cannot_know_the_source_class_says_so() {
    let mut sim = chain_sim();
    let (db, warnings) = restored_in_central(&mut sim, "orphan-dr", "orphan-restored");
    assert_eq!(db["instance_class"], "db.r6g.large");
    assert_eq!(db["engine"], "unknown");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("does not say which class")
                && w.contains("orphan-dr")
                && w.contains("pass instance_class")),
        "{warnings:?}"
    );
}

#[test]
fn what_a_snapshot_records_of_its_source_round_trips_through_the_inventory() {
    let text = SNAPSHOT_CHAIN.replace(
        "{ id: shop-db-nightly, source: shop-db, created_at: 2024-12-31T03:00:00Z }",
        "{ id: shop-db-nightly, source: shop-db, created_at: 2024-12-31T03:00:00Z, engine: mysql, engine_version: '8.0.39', instance_class: db.t3.small, allocated_storage_gib: 20, port: 3306 }",
    );
    let inventory = Inventory::parse(&text, "chain.yaml").unwrap();
    let snapshot = &inventory.regions["eu-west-1"].db_snapshots[0];
    assert_eq!(snapshot.engine_version.as_deref(), Some("8.0.39"));
    assert_eq!(
        (snapshot.allocated_storage_gib, snapshot.port),
        (Some(20), Some(3306))
    );
    let mut sim = SimBackend::new(inventory.clone());
    assert_eq!(
        sim.world(),
        inventory,
        "an untouched world exports it as it was"
    );
    // A copy keeps it all.
    ok(
        &mut sim,
        copy_to_central("shop-db-nightly", "shop-db-nightly-dr"),
    );
    let copy = describe(&mut sim, db_snapshot("shop-db-nightly-dr", "eu-central-1"));
    assert_eq!(copy["engine_version"], "8.0.39");
    assert_eq!(copy["allocated_storage_gib"], 20);
    assert_eq!(copy["port"], 3306);
}

#[test]
fn a_volume_restored_from_a_copied_snapshot_has_the_source_size() {
    let mut sim = sim();
    let copy = ok(
        &mut sim,
        Call::CopySnapshot(ops::CopySnapshot {
            region: "us-west-2".into(),
            source_region: "us-east-1".into(),
            source_snapshot: "data-nightly".into(),
            description: "dr copy".into(),
            tags: BTreeMap::new(),
        }),
    )
    .creates
    .unwrap();
    waited(
        &mut sim,
        ebs_snapshot(&copy, "us-west-2"),
        WaitState::Completed,
    );
    let volume_id = ok(
        &mut sim,
        Call::CreateVolume(ops::CreateVolume {
            region: "us-west-2".into(),
            snapshot: copy,
            availability_zone: "us-west-2a".into(),
            tags: BTreeMap::new(),
        }),
    )
    .creates
    .unwrap();
    let restored = describe(&mut sim, volume(&volume_id, "us-west-2"));
    assert_eq!(restored["size_gib"], 100);
}

fn batch(zone: &str, changes: Vec<(&str, RecordSet)>) -> Call {
    Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets {
        hosted_zone: zone.into(),
        changes: changes
            .into_iter()
            .map(|(action, record_set)| ops::RecordChange {
                action: action.into(),
                record_set,
            })
            .collect(),
    })
}

#[test]
fn a_batch_applies_every_change_with_one_change_id_and_labels_each_record() {
    let mut sim = sim();
    let mut api = a_record("api.example.com", &["west.api.example.com"]);
    api.rtype = "CNAME".into();
    let outcome = ok(
        &mut sim,
        batch(
            "example.com",
            vec![
                ("UPSERT", a_record("new.example.com", &["192.0.2.1"])),
                ("UPSERT", api),
            ],
        ),
    );
    assert_eq!(outcome.creates.as_deref(), Some("C0000000000000001"));
    assert_eq!(
        outcome.changes,
        vec![
            change("new.example.com A Values", None, Some("192.0.2.1")),
            change("new.example.com A TTL", None, Some("60")),
            change(
                "api.example.com CNAME Values",
                Some("east.api.example.com"),
                Some("west.api.example.com")
            ),
        ]
    );
    assert_eq!(sim.world().hosted_zones[0].records.len(), 3);
    // One change id, in sync after one propagation.
    let waited = waited(
        &mut sim,
        Target::DnsChange {
            name: "C0000000000000001".into(),
        },
        WaitState::InSync,
    );
    assert_eq!(waited, 60);
}

#[test]
fn one_bad_change_rejects_the_whole_batch_with_route53s_codes() {
    let mut sim = sim();
    let good = || ("UPSERT", a_record("new.example.com", &["192.0.2.1"]));
    // `fails` also checks that nothing of the batch was applied.
    let err = fails(
        &mut sim,
        batch(
            "example.com",
            vec![
                good(),
                ("UPSERT", a_record("www.example.org", &["192.0.2.1"])),
            ],
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert!(err.message.contains("is not permitted in zone example.com"));

    // Two changes of the same record set in one batch.
    let err = fails(
        &mut sim,
        batch(
            "example.com",
            vec![
                good(),
                ("UPSERT", a_record("other.example.com", &["192.0.2.9"])),
                ("UPSERT", a_record("NEW.example.com.", &["192.0.2.2"])),
            ],
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert_eq!(
        err.message,
        "[The request contains an invalid set of changes for a resource record set 'A new.example.com.']"
    );

    // A DELETE of a record set that does not exist, and of one with other values.
    let err = fails(
        &mut sim,
        batch(
            "example.com",
            vec![
                good(),
                ("DELETE", a_record("gone.example.com", &["192.0.2.1"])),
            ],
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert!(
        err.message.contains("but it was not found"),
        "{}",
        err.message
    );
    let mut api = a_record("api.example.com", &["elsewhere.example.com"]);
    api.rtype = "CNAME".into();
    let err = fails(
        &mut sim,
        batch("example.com", vec![good(), ("DELETE", api)]),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert!(err.message.contains("do not match the current values"));

    // An action Route 53 does not have, and an empty batch.
    let err = fails(
        &mut sim,
        batch(
            "example.com",
            vec![
                good(),
                ("REPLACE", a_record("x.example.com", &["192.0.2.1"])),
            ],
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    let err = fails(&mut sim, batch("example.com", Vec::new()));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
}

/// A change batch split into several requests draws a token of Route 53's quota for each
/// of them in the estimate, as the live run's pacing does.
#[test]
fn a_split_batch_counts_each_of_its_requests_against_the_quota() {
    let mut sim = sim();
    sim.begin_parallel().unwrap();
    for branch in 0..4 {
        sim.begin_branch().unwrap();
        let records: Vec<(&str, RecordSet)> = (0..1200)
            .map(|i| {
                (
                    "UPSERT",
                    a_record(&format!("b{branch}-r{i}.example.com"), &["192.0.2.1"]),
                )
            })
            .collect();
        ok(&mut sim, batch("example.com", records));
    }
    let notes = sim.end_parallel().unwrap();
    // Four calls, three requests each.
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("12 requests"), "{notes:?}");
}

#[test]
fn the_batch_limits_are_checked_per_request_and_a_large_batch_is_split() {
    let mut sim = sim();
    // 1,200 one-value UPSERTs: over the limits of one request, so three requests (the plan
    // says so), applied together in the simulation.
    let records: Vec<(&str, RecordSet)> = (0..1200)
        .map(|i| {
            (
                "UPSERT",
                a_record(&format!("r{i}.example.com"), &["192.0.2.1"]),
            )
        })
        .collect();
    let call = batch("example.com", records);
    let Call::ChangeResourceRecordSets(op) = &call else {
        unreachable!()
    };
    assert_eq!(op.requests().len(), 3);
    let outcome = ok(&mut sim, call.clone());
    assert_eq!(outcome.changes.len(), 2400);
    assert_eq!(sim.world().hosted_zones[0].records.len(), 1202);

    // One record set over the limits by itself: Route 53 rejects its request, so the whole
    // batch is rejected before anything is applied.
    let values: Vec<String> = (0..501)
        .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let err = fails(
        &mut sim,
        batch(
            "example.com",
            vec![
                ("UPSERT", a_record("ok.example.com", &["192.0.2.1"])),
                ("UPSERT", a_record("wide.example.com", &refs)),
            ],
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert_eq!(err.message, "[Number of records limit of 1000 exceeded.]");
}

// --- DynamoDB global tables, ECS services, weighted records (issue 12) ----------------------

const GLOBAL_INVENTORY: &str = r#"
version: 3
account: "123456789012"
captured_at: 2025-01-01T00:00:00Z
regions:
  us-east-1:
    ecs_services:
      - { cluster: web, name: api, desired_count: 2, task_definition: api }
      - { cluster: web, name: worker, desired_count: 1, running_count: 0 }
    dynamodb_tables:
      - { name: orders, stream_view_type: NEW_AND_OLD_IMAGES, replicas: [{ region: us-west-2 }] }
      - { name: sessions }
      - { name: audit, stream_view_type: KEYS_ONLY }
      - name: carts
        stream_view_type: NEW_AND_OLD_IMAGES
        replicas: [{ region: us-west-2, status: CREATING }]
      - { name: locked, status: INACCESSIBLE_ENCRYPTION_CREDENTIALS }
  us-west-2:
    ecs_services:
      - { cluster: web-west, name: api, desired_count: 0 }
    dynamodb_tables:
      - { name: orders, stream_view_type: NEW_AND_OLD_IMAGES, replicas: [{ region: us-east-1 }] }
      - name: carts
        status: CREATING
        stream_view_type: NEW_AND_OLD_IMAGES
        replicas: [{ region: us-east-1 }]
  eu-west-1:
    dynamodb_tables:
      - { name: sessions }
hosted_zones:
  - id: Z1EXAMPLE
    name: example.com
    records:
      - { name: app.example.com, type: A, set_id: blue, weight: 100, ttl: 60, values: [192.0.2.10] }
      - { name: app.example.com, type: A, set_id: green, weight: 0, ttl: 60, values: [192.0.2.20] }
      - { name: www.example.com, type: A, set_id: primary, failover: PRIMARY, ttl: 60, values: [192.0.2.1] }
      - { name: api.example.com, type: A, ttl: 60, values: [192.0.2.30] }
"#;

fn global_inventory() -> Inventory {
    Inventory::parse(GLOBAL_INVENTORY, "global.yaml").expect("the global inventory parses")
}

fn global_sim() -> SimBackend {
    SimBackend::new(global_inventory())
}

fn table(name: &str, region: &str) -> Target {
    Target::Table {
        name: name.into(),
        region: region.into(),
    }
}

fn service(cluster: &str, name: &str, region: &str) -> Target {
    Target::EcsService {
        cluster: cluster.into(),
        name: name.into(),
        region: region.into(),
    }
}

fn replica(region: &str, table: &str, create: bool, replica_region: &str) -> Call {
    Call::UpdateTable(ops::UpdateTable::replica(
        region,
        table,
        create,
        replica_region,
    ))
}

fn scale_service(cluster: &str, name: &str, region: &str, desired: i64) -> Call {
    Call::UpdateService(ops::UpdateService {
        region: region.into(),
        cluster: cluster.into(),
        service: name.into(),
        desired_count: desired,
    })
}

/// `["us-west-2 ACTIVE", ...]`: a table description's replicas.
fn replicas_of(table: &Value) -> Vec<String> {
    table["replicas"]
        .as_array()
        .map(|replicas| {
            replicas
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r["region"].as_str().unwrap(),
                        r["status"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn table_replica_check(table: &str, region: &str, replica_region: &str) -> CheckSpec {
    CheckSpec::TableReplica {
        table: table.into(),
        region: region.into(),
        replica_region: replica_region.into(),
    }
}

fn weighted(name: &str, set_id: &str, weight: i64, value: &str) -> RecordSet {
    RecordSet {
        set_identifier: Some(set_id.into()),
        weight: Some(weight),
        ..a_record(name, &[value])
    }
}

#[test]
fn tables_services_and_weights_round_trip_and_describe_in_inventory_shape() {
    let mut sim = global_sim();
    assert_eq!(sim.world(), global_inventory());

    let orders = describe(&mut sim, table("orders", "us-east-1"));
    assert_eq!(orders["name"], "orders");
    assert_eq!(orders["status"], "ACTIVE");
    assert_eq!(orders["stream_view_type"], "NEW_AND_OLD_IMAGES");
    assert_eq!(replicas_of(&orders), ["us-west-2 ACTIVE"]);
    // A table captured CREATING is CREATING at the capture.
    assert_eq!(
        describe(&mut sim, table("carts", "us-west-2"))["status"],
        "CREATING"
    );

    let api = describe(&mut sim, service("web", "api", "us-east-1"));
    assert_eq!(api["cluster"], "web");
    assert_eq!(api["desired_count"], 2);
    assert_eq!(api["running_count"], 2, "Describe always has running_count");
    assert_eq!(api["task_definition"], "api");
    // By ARN, as ECS takes them.
    let by_arn = service(
        "arn:aws:ecs:us-east-1:123456789012:cluster/web",
        "arn:aws:ecs:us-east-1:123456789012:service/web/api",
        "us-east-1",
    );
    assert_eq!(describe(&mut sim, by_arn)["name"], "api");

    let blue = describe(
        &mut sim,
        Target::Record {
            zone: "example.com".into(),
            name: "app.example.com".into(),
            rtype: "A".into(),
            set_id: Some("blue".into()),
        },
    );
    assert_eq!(blue["weight"], 100);

    for absent in [
        table("ordres", "us-east-1"),
        table("orders", "eu-west-1"),
        table("orders", "ap-south-1"),
        service("web", "nope", "us-east-1"),
        service("nope", "api", "us-east-1"),
    ] {
        assert_eq!(
            sim.query(&Query::Describe {
                target: absent.clone()
            })
            .unwrap(),
            None,
            "{absent:?}"
        );
    }
}

#[test]
fn adding_a_replica_lists_it_creating_everywhere_until_the_estimate() {
    let mut sim = global_sim();
    let call = replica("us-east-1", "orders", true, "eu-west-1");
    let outcome = ok(&mut sim, call.clone());
    assert_eq!(
        outcome.changes,
        vec![change(
            "Replicas",
            Some("us-east-1, us-west-2"),
            Some("us-east-1, eu-west-1, us-west-2")
        )]
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    // AWS keeps the table ACTIVE and lists the new replica CREATING.
    let east = describe(&mut sim, table("orders", "us-east-1"));
    assert_eq!(east["status"], "ACTIVE");
    assert_eq!(
        replicas_of(&east),
        ["eu-west-1 CREATING", "us-west-2 ACTIVE"]
    );
    assert!(matches!(
        call.effect().judge(Some(&east)),
        ripcord_core::Verdict::Holds(_)
    ));
    let west = describe(&mut sim, table("orders", "us-west-2"));
    assert_eq!(
        replicas_of(&west),
        ["eu-west-1 CREATING", "us-east-1 ACTIVE"]
    );
    let new = describe(&mut sim, table("orders", "eu-west-1"));
    assert_eq!(new["status"], "CREATING");
    assert_eq!(new["stream_view_type"], "NEW_AND_OLD_IMAGES");
    assert_eq!(replicas_of(&new), ["us-east-1 ACTIVE", "us-west-2 ACTIVE"]);

    // Not ACTIVE yet: the check fails with the replicas it found.
    let err = sim
        .check(&table_replica_check("orders", "us-east-1", "eu-west-1"))
        .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "ReplicaNotActive");
    assert!(
        help(&err).contains("eu-west-1 (CREATING), us-west-2 (ACTIVE)"),
        "{}",
        help(&err)
    );
    // One replica change at a time: the next waits.
    let err = fails(&mut sim, replica("us-east-1", "orders", true, "ap-south-1"));
    assert_error(&err, ErrorKind::Rejected, "ResourceInUseException");
    assert!(
        err.message.contains("eu-west-1 is CREATING"),
        "{}",
        err.message
    );
    assert!(
        help(&err).contains("wait(table(\"orders\", \"us-east-1\"), \"active\")"),
        "{}",
        help(&err)
    );

    // A branch that waits, and one that starts when the first did.
    sim.begin_parallel().unwrap();
    sim.begin_branch().unwrap();
    let outcome = wait(&mut sim, table("orders", "us-east-1"), WaitState::Active).unwrap();
    assert_eq!(outcome.duration_secs, 600);
    assert_eq!(
        outcome.changes,
        vec![change(
            "ReplicaStatus",
            Some("eu-west-1 CREATING"),
            Some("eu-west-1 ACTIVE")
        )]
    );
    sim.begin_branch().unwrap();
    let east = describe(&mut sim, table("orders", "us-east-1"));
    assert_eq!(
        replicas_of(&east),
        ["eu-west-1 CREATING", "us-west-2 ACTIVE"]
    );
    sim.end_parallel().unwrap();

    assert_eq!(
        waited(&mut sim, table("orders", "eu-west-1"), WaitState::Active),
        0
    );
    assert_eq!(
        describe(&mut sim, table("orders", "eu-west-1"))["status"],
        "ACTIVE"
    );
    assert!(sim
        .check(&table_replica_check("orders", "us-east-1", "eu-west-1"))
        .is_ok());
    assert!(sim
        .check(&table_replica_check("orders", "eu-west-1", "us-west-2"))
        .is_ok());
    let exported = &sim.world().regions["eu-west-1"].dynamodb_tables;
    assert_eq!(
        exported.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["sessions", "orders"]
    );
    // The next change goes through once everything is ACTIVE.
    ok(&mut sim, replica("eu-west-1", "orders", true, "ap-south-1"));
}

#[test]
fn a_replica_in_a_region_the_inventory_lacks_is_created_with_a_warning() {
    let mut sim = global_sim();
    let outcome = ok(&mut sim, replica("us-east-1", "orders", true, "ap-south-1"));
    assert_eq!(outcome.warnings.len(), 1);
    assert!(outcome.warnings[0].contains("ap-south-1 is not in the inventory"));
    assert_eq!(
        describe(&mut sim, table("orders", "ap-south-1"))["status"],
        "CREATING"
    );
    assert!(sim.world().regions.contains_key("ap-south-1"));
}

#[test]
fn the_first_replica_turns_the_stream_on() {
    let mut sim = global_sim();
    let outcome = ok(
        &mut sim,
        replica("us-east-1", "sessions", true, "us-west-2"),
    );
    assert_eq!(
        outcome.changes,
        vec![
            change("StreamViewType", None, Some("NEW_AND_OLD_IMAGES")),
            change("Replicas", Some("us-east-1"), Some("us-east-1, us-west-2")),
        ]
    );
    let sessions = describe(&mut sim, table("sessions", "us-east-1"));
    assert_eq!(sessions["stream_view_type"], "NEW_AND_OLD_IMAGES");
    assert_eq!(replicas_of(&sessions), ["us-west-2 CREATING"]);
}

#[test]
fn removing_a_replica_deletes_it_after_the_estimate() {
    let mut sim = sim_global_with(&[("wait.table_replica_deleted", 200)]);
    let call = replica("us-east-1", "orders", false, "us-west-2");
    let outcome = ok(&mut sim, call.clone());
    assert_eq!(
        outcome.changes,
        vec![change(
            "Replicas",
            Some("us-east-1, us-west-2"),
            Some("us-east-1")
        )]
    );
    let east = describe(&mut sim, table("orders", "us-east-1"));
    assert_eq!(replicas_of(&east), ["us-west-2 DELETING"]);
    assert!(matches!(
        call.effect().judge(Some(&east)),
        ripcord_core::Verdict::Started(_)
    ));
    assert_eq!(
        describe(&mut sim, table("orders", "us-west-2"))["status"],
        "DELETING"
    );
    // Removing it again while it goes: it is still listed, so the refusal is "in use".
    let err = fails(&mut sim, replica("us-east-1", "orders", false, "us-west-2"));
    assert_error(&err, ErrorKind::Rejected, "ResourceInUseException");

    let outcome = wait(&mut sim, table("orders", "us-east-1"), WaitState::Active).unwrap();
    assert_eq!(outcome.duration_secs, 200);
    assert_eq!(
        outcome.changes,
        vec![change(
            "ReplicaStatus",
            Some("us-west-2 DELETING"),
            Some("us-west-2 gone")
        )]
    );
    let east = describe(&mut sim, table("orders", "us-east-1"));
    assert_eq!(replicas_of(&east), Vec::<String>::new());
    assert!(matches!(
        call.effect().judge(Some(&east)),
        ripcord_core::Verdict::Holds(_)
    ));
    assert_eq!(
        sim.query(&Query::Describe {
            target: table("orders", "us-west-2")
        })
        .unwrap(),
        None
    );
    assert!(sim.world().regions["us-west-2"]
        .dynamodb_tables
        .iter()
        .all(|t| t.name != "orders"));
    let err = fails(&mut sim, replica("us-west-2", "orders", true, "eu-west-1"));
    assert_error(&err, ErrorKind::NotFound, "ResourceNotFoundException");
    let err = sim
        .check(&table_replica_check("orders", "us-east-1", "us-west-2"))
        .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "ReplicaNotActive");
    assert!(help(&err).contains("has no replicas"), "{}", help(&err));
    // And back: a new replica where the old one was.
    ok(&mut sim, replica("us-east-1", "orders", true, "us-west-2"));
    assert_eq!(
        describe(&mut sim, table("orders", "us-west-2"))["status"],
        "CREATING"
    );
}

fn sim_global_with(estimates: &[(&str, u64)]) -> SimBackend {
    let mut inventory = global_inventory();
    inventory.estimates = estimates.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    SimBackend::new(inventory)
}

#[test]
fn update_table_rejections_use_dynamodbs_codes() {
    let mut sim = global_sim();
    let err = fails(&mut sim, replica("us-east-1", "ordres", true, "eu-west-1"));
    assert_error(&err, ErrorKind::NotFound, "ResourceNotFoundException");
    assert_eq!(help(&err), "did you mean 'orders'?");
    let err = fails(&mut sim, replica("eu-west-1", "orders", true, "ap-south-1"));
    assert_error(&err, ErrorKind::NotFound, "ResourceNotFoundException");
    assert!(
        help(&err).contains("us-east-1, us-west-2 has one named 'orders'"),
        "{}",
        help(&err)
    );

    let mut two = ops::UpdateTable::replica("us-east-1", "orders", true, "eu-west-1");
    two.replica_updates
        .push(ops::ReplicaUpdate::Create(ops::ReplicaRegion {
            region_name: "ap-south-1".into(),
        }));
    let err = fails(&mut sim, Call::UpdateTable(two.clone()));
    assert_error(&err, ErrorKind::Rejected, "ValidationException");
    assert!(err.message.contains("Only one replica"), "{}", err.message);
    two.replica_updates.clear();
    let err = fails(&mut sim, Call::UpdateTable(two));
    assert_error(&err, ErrorKind::Rejected, "ValidationException");

    let cases = [
        // Its own region.
        (
            replica("us-east-1", "orders", true, "us-east-1"),
            "own region us-east-1",
        ),
        (
            replica("us-east-1", "orders", false, "us-east-1"),
            "own region us-east-1",
        ),
        // Already a replica there.
        (
            replica("us-east-1", "orders", true, "us-west-2"),
            "already has a replica in region us-west-2",
        ),
        // Another table of that name there.
        (
            replica("us-east-1", "sessions", true, "eu-west-1"),
            "a table named sessions already exists there",
        ),
        // A stream of another view type.
        (
            replica("us-east-1", "audit", true, "us-west-2"),
            "view type KEYS_ONLY",
        ),
        // Not a replica.
        (
            replica("us-east-1", "orders", false, "eu-west-1"),
            "has no replica in region eu-west-1",
        ),
        (
            replica("us-east-1", "orders", true, "uswest2"),
            "Invalid region: uswest2",
        ),
    ];
    for (call, says) in cases {
        let err = fails(&mut sim, call.clone());
        assert_error(&err, ErrorKind::Rejected, "ValidationException");
        assert!(
            err.message
                .starts_with("One or more parameter values were invalid: "),
            "{}",
            err.message
        );
        assert!(err.message.contains(says), "{call:?}: {}", err.message);
    }

    // An update in progress: a replica CREATING, the table itself CREATING, or stuck.
    for (call, says) in [
        (
            replica("us-east-1", "carts", true, "eu-west-1"),
            "the replica of carts in us-west-2 is CREATING",
        ),
        (
            replica("us-west-2", "carts", true, "eu-west-1"),
            "Table carts in us-west-2 is CREATING",
        ),
        (
            replica("us-east-1", "locked", true, "eu-west-1"),
            "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        ),
    ] {
        let err = fails(&mut sim, call);
        assert_error(&err, ErrorKind::Rejected, "ResourceInUseException");
        assert!(err.message.contains(says), "{}", err.message);
    }
}

#[test]
fn table_waits_follow_the_table_and_every_replica() {
    let mut sim = global_sim();
    // Captured CREATING: ACTIVE one estimate after the capture, in both regions.
    let outcome = wait(&mut sim, table("carts", "us-west-2"), WaitState::Active).unwrap();
    assert_eq!(outcome.duration_secs, 600);
    assert_eq!(
        outcome.changes,
        vec![change("TableStatus", Some("CREATING"), Some("ACTIVE"))]
    );
    assert_eq!(
        waited(&mut sim, table("carts", "us-east-1"), WaitState::Active),
        0
    );
    ok(&mut sim, replica("us-east-1", "carts", true, "eu-west-1"));

    let err = sim
        .wait(&WaitSpec {
            target: table("carts", "us-east-1"),
            until: WaitState::Active,
            timeout_secs: 60,
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        help(&err).contains("wait.table_replica_active"),
        "{}",
        help(&err)
    );

    let err = wait(&mut sim, table("locked", "us-east-1"), WaitState::Active).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    assert!(
        err.message.contains("INACCESSIBLE_ENCRYPTION_CREDENTIALS"),
        "{}",
        err.message
    );
    let err = wait(&mut sim, table("nope", "us-east-1"), WaitState::Active).unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "ResourceNotFoundException");
    let err = wait(&mut sim, table("orders", "us-east-1"), WaitState::Available).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "UnsupportedWaitState");
}

#[test]
fn ecs_scale_out_waits_for_tasks_and_scale_in_does_not() {
    let mut sim = global_sim();
    let outcome = ok(&mut sim, scale_service("web", "api", "us-east-1", 6));
    assert_eq!(
        outcome.changes,
        vec![change("DesiredCount", Some("2"), Some("6"))]
    );
    let api = describe(&mut sim, service("web", "api", "us-east-1"));
    assert_eq!(
        (api["desired_count"].clone(), api["running_count"].clone()),
        (6.into(), 2.into())
    );
    assert!(matches!(
        Call::from(ops::UpdateService {
            region: "us-east-1".into(),
            cluster: "web".into(),
            service: "api".into(),
            desired_count: 6,
        })
        .effect()
        .judge(Some(&api)),
        ripcord_core::Verdict::Holds(_)
    ));
    assert_eq!(
        sim.world().regions["us-east-1"].ecs_services[0].running_count,
        Some(2)
    );

    let outcome = wait(
        &mut sim,
        service("web", "api", "us-east-1"),
        WaitState::Steady,
    )
    .unwrap();
    assert_eq!(outcome.duration_secs, 120);
    assert_eq!(
        outcome.changes,
        vec![change("RunningCount", Some("2"), Some("6"))]
    );
    assert_eq!(
        describe(&mut sim, service("web", "api", "us-east-1"))["running_count"],
        6
    );
    assert_eq!(
        sim.world().regions["us-east-1"].ecs_services[0].running_count,
        None
    );

    // Scaling in stops tasks at once.
    let outcome = ok(&mut sim, scale_service("web", "api", "us-east-1", 1));
    assert_eq!(
        outcome.changes,
        vec![change("DesiredCount", Some("6"), Some("1"))]
    );
    assert_eq!(
        waited(
            &mut sim,
            service("web", "api", "us-east-1"),
            WaitState::Steady
        ),
        0
    );
    // The same count again changes nothing.
    assert!(ok(&mut sim, scale_service("web", "api", "us-east-1", 1))
        .changes
        .is_empty());
}

#[test]
fn a_captured_service_short_of_tasks_converges_one_estimate_after_the_capture() {
    let mut sim = sim_global_with(&[("wait.ecs_service_steady", 45)]);
    assert_eq!(
        describe(&mut sim, service("web", "worker", "us-east-1"))["running_count"],
        0
    );
    let outcome = wait(
        &mut sim,
        service("web", "worker", "us-east-1"),
        WaitState::Steady,
    )
    .unwrap();
    assert_eq!(outcome.duration_secs, 45);
    let err = sim
        .wait(&WaitSpec {
            target: service("web", "api", "us-east-1"),
            until: WaitState::Steady,
            timeout_secs: 10,
        })
        .map(|o| o.duration_secs);
    assert_eq!(err.unwrap(), 0, "a steady service needs no time");
    ok(&mut sim, scale_service("web", "api", "us-east-1", 3));
    let err = sim
        .wait(&WaitSpec {
            target: service("web", "api", "us-east-1"),
            until: WaitState::Steady,
            timeout_secs: 10,
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        help(&err).contains("wait.ecs_service_steady"),
        "{}",
        help(&err)
    );
}

#[test]
fn update_service_rejections_use_ecs_codes() {
    let mut sim = global_sim();
    let err = fails(&mut sim, scale_service("web", "api", "us-east-1", -1));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterException");

    let err = fails(&mut sim, scale_service("wbe", "api", "us-east-1", 3));
    assert_error(&err, ErrorKind::NotFound, "ClusterNotFoundException");
    assert_eq!(help(&err), "did you mean 'web'?");

    let err = fails(&mut sim, scale_service("web", "apj", "us-east-1", 3));
    assert_error(&err, ErrorKind::NotFound, "ServiceNotFoundException");
    assert_eq!(help(&err), "did you mean 'api'?");

    // The service exists, in another cluster and another region.
    let err = fails(&mut sim, scale_service("web", "api", "us-west-2", 3));
    assert_error(&err, ErrorKind::NotFound, "ClusterNotFoundException");
    let err = fails(
        &mut sim,
        scale_service("web-west", "worker", "us-west-2", 3),
    );
    assert_error(&err, ErrorKind::NotFound, "ServiceNotFoundException");
    assert!(
        help(&err).contains("services in cluster web-west: api"),
        "{}",
        help(&err)
    );

    let err = fails(&mut sim, scale_service("web", "api", "eu-central-1", 3));
    assert_error(&err, ErrorKind::NotFound, "ServiceNotFoundException");
    assert!(
        help(&err).contains("regions in the inventory"),
        "{}",
        help(&err)
    );

    let err = wait(
        &mut sim,
        service("web", "nope", "us-east-1"),
        WaitState::Steady,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "ServiceNotFoundException");
    let err = wait(
        &mut sim,
        service("web", "api", "us-east-1"),
        WaitState::InService,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "UnsupportedWaitState");
}

#[test]
fn weighted_records_change_their_weight_and_keep_one_routing_policy() {
    let mut sim = global_sim();
    let outcome = ok(
        &mut sim,
        upsert(
            "example.com",
            weighted("app.example.com", "blue", 0, "192.0.2.10"),
        ),
    );
    assert_eq!(
        outcome.changes,
        vec![change("Weight", Some("100"), Some("0"))]
    );
    let outcome = ok(
        &mut sim,
        upsert(
            "example.com",
            weighted("app.example.com", "canary", 10, "192.0.2.40"),
        ),
    );
    assert!(outcome
        .changes
        .contains(&change("Weight", None, Some("10"))));
    // A new name of weighted sets, created together.
    ok(
        &mut sim,
        batch(
            "example.com",
            vec![
                ("UPSERT", weighted("new.example.com", "a", 1, "192.0.2.1")),
                ("UPSERT", weighted("new.example.com", "b", 1, "192.0.2.2")),
            ],
        ),
    );
    let records = &sim.world().hosted_zones[0].records;
    assert_eq!(
        records.iter().filter(|r| r.weight.is_some()).count(),
        5,
        "{records:?}"
    );
}

#[test]
fn weighted_record_rejections_use_route53s_words() {
    let mut sim = global_sim();
    for (weight, facet) in [(256, "maxInclusive '255'"), (-1, "minInclusive '0'")] {
        let err = fails(
            &mut sim,
            upsert(
                "example.com",
                weighted("app.example.com", "blue", weight, "192.0.2.10"),
            ),
        );
        assert_error(&err, ErrorKind::Rejected, "InvalidInput");
        assert!(err.message.contains(facet), "{}", err.message);
        assert!(
            err.message.contains("ResourceRecordSetWeight"),
            "{}",
            err.message
        );
    }

    let mut no_set_id = weighted("app.example.com", "x", 5, "192.0.2.10");
    no_set_id.set_identifier = None;
    let err = fails(&mut sim, upsert("example.com", no_set_id));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    assert!(err.message.contains("Missing field 'SetIdentifier'"));
    assert!(help(&err).starts_with("weighted records"), "{}", help(&err));

    let mut both = weighted("app.example.com", "blue", 5, "192.0.2.10");
    both.failover = Some("PRIMARY".into());
    let err = fails(&mut sim, upsert("example.com", both));
    assert_error(&err, ErrorKind::Rejected, "InvalidInput");
    assert!(
        err.message.contains("found more than one"),
        "{}",
        err.message
    );

    // A weighted set beside a simple record, and beside a failover set.
    let err = fails(
        &mut sim,
        upsert(
            "example.com",
            weighted("api.example.com", "blue", 5, "192.0.2.10"),
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert_eq!(
        err.message,
        "[RRSet with DNS name api.example.com., type A, SetIdentifier blue cannot be created as a non-weighted set exists with the same name and type.]"
    );
    let err = fails(
        &mut sim,
        upsert(
            "example.com",
            weighted("www.example.com", "blue", 5, "192.0.2.10"),
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    // A simple record beside weighted sets, and a failover set.
    let err = fails(
        &mut sim,
        upsert("example.com", a_record("app.example.com", &["192.0.2.9"])),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert_eq!(
        err.message,
        "[RRSet with DNS name app.example.com., type A cannot be created as weighted sets exist with the same name and type.]"
    );
    let mut failover = a_record("app.example.com", &["192.0.2.9"]);
    failover.set_identifier = Some("primary".into());
    failover.failover = Some("PRIMARY".into());
    let err = fails(&mut sim, upsert("example.com", failover));
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert!(
        err.message.contains("non-failover set exists"),
        "{}",
        err.message
    );
    // Within one batch, each change meets the earlier ones; every conflict is named.
    let err = fails(
        &mut sim,
        batch(
            "example.com",
            vec![
                ("UPSERT", weighted("fresh.example.com", "a", 1, "192.0.2.1")),
                ("UPSERT", a_record("fresh.example.com", &["192.0.2.2"])),
                ("UPSERT", a_record("app.example.com", &["192.0.2.3"])),
            ],
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidChangeBatch");
    assert_eq!(
        err.message.matches("cannot be created").count(),
        2,
        "{}",
        err.message
    );
    // Another type of the same name is another record set.
    let mut aaaa = a_record("api.example.com", &["2001:db8::1"]);
    aaaa.rtype = "AAAA".into();
    ok(
        &mut sim,
        upsert(
            "example.com",
            RecordSet {
                set_identifier: Some("v6".into()),
                weight: Some(1),
                ..aaaa
            },
        ),
    );
}

#[test]
fn calls_and_reads_of_tables_and_services_in_a_down_region_are_unreachable() {
    let mut inventory = global_inventory();
    inventory
        .unreachable
        .push(ripcord_core::inventory::Unreachable::region(
            "us-west-2",
            "--down us-west-2",
        ));
    let mut sim = SimBackend::new(inventory);
    for call in [
        replica("us-west-2", "orders", true, "eu-west-1"),
        scale_service("web-west", "api", "us-west-2", 2),
    ] {
        let err = fails(&mut sim, call);
        assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    }
    for target in [
        table("orders", "us-west-2"),
        service("web-west", "api", "us-west-2"),
    ] {
        let err = sim
            .query(&Query::Describe {
                target: target.clone(),
            })
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
        let until = if matches!(target, Target::Table { .. }) {
            WaitState::Active
        } else {
            WaitState::Steady
        };
        assert_eq!(
            wait(&mut sim, target, until).unwrap_err().kind,
            ErrorKind::Unreachable
        );
    }
    let err = sim
        .check(&table_replica_check("orders", "us-west-2", "us-east-1"))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable);
    // The survivor drops the replica in the region that is down.
    ok(&mut sim, replica("us-east-1", "orders", false, "us-west-2"));
    assert!(sim
        .check(&table_replica_check("orders", "us-east-1", "us-west-2"))
        .is_err());
    // A service down alone (DynamoDB in us-east-1) leaves the others.
    let mut inventory = global_inventory();
    inventory
        .unreachable
        .push(ripcord_core::inventory::Unreachable::service_in(
            "us-east-1",
            "dynamodb",
            "capture",
        ));
    let mut sim = SimBackend::new(inventory);
    let err = fails(&mut sim, replica("us-east-1", "orders", true, "eu-west-1"));
    assert_eq!(err.kind, ErrorKind::Unreachable);
    ok(&mut sim, scale_service("web", "api", "us-east-1", 3));
}

#[test]
fn the_new_estimates_are_listed_with_their_defaults() {
    let defaults: BTreeMap<&str, u64> = estimate_defaults().map(|d| (d.key, d.secs)).collect();
    assert_eq!(defaults.get("wait.table_replica_active"), Some(&600));
    assert_eq!(defaults.get("wait.table_replica_deleted"), Some(&300));
    assert_eq!(defaults.get("wait.ecs_service_steady"), Some(&120));
}

// --- Re-establishing a global database (issue 16) ------------------------------------------

const LIFECYCLE: &str = r#"
version: 3
account: "123456789012"
captured_at: 2025-01-01T00:00:00Z
regions:
  us-east-1:
    db_instances:
      - { id: reports-1, engine: aurora-mysql, availability_zone: us-east-1a, cluster: reports }
    db_clusters:
      - { id: shop-primary, engine: aurora-mysql }
      - { id: reports, engine: aurora-mysql }
      - { id: loner, engine: aurora-mysql }
      - { id: paused, engine: aurora-mysql, status: stopped }
    db_cluster_snapshots:
      - { id: shop-primary-nightly, source: shop-primary, created_at: 2024-12-31T03:00:00Z, engine: aurora-mysql }
  us-west-2:
    db_clusters:
      - { id: shop-dr, engine: aurora-mysql, replication_lag_secs: 1 }
  eu-west-1:
    availability_zones: [eu-west-1a]
global_clusters:
  - id: shop-global
    engine: aurora-mysql
    members:
      - { cluster: shop-primary, region: us-east-1, writer: true }
      - { cluster: shop-dr, region: us-west-2 }
  - { id: empty-global, engine: aurora-mysql, members: [] }
"#;

fn lifecycle_inventory() -> Inventory {
    Inventory::parse(LIFECYCLE, "lifecycle.yaml").expect("the lifecycle inventory parses")
}

fn lifecycle_sim() -> SimBackend {
    SimBackend::new(lifecycle_inventory())
}

fn create_global(region: &str, id: &str, source: &str) -> Call {
    Call::CreateGlobalCluster(ops::CreateGlobalCluster {
        region: region.into(),
        global_cluster_identifier: id.into(),
        source_db_cluster: source.into(),
    })
}

fn delete_global(id: &str) -> Call {
    Call::DeleteGlobalCluster(ops::DeleteGlobalCluster {
        region: "us-west-2".into(),
        global_cluster_identifier: id.into(),
    })
}

fn delete_cluster(cluster: &str, region: &str, final_snapshot: &str) -> Call {
    Call::DeleteDbCluster(ops::DeleteDbCluster {
        region: region.into(),
        db_cluster: cluster.into(),
        final_snapshot: final_snapshot.into(),
    })
}

fn create_secondary(cluster: &str, region: &str, global: &str, engine: &str) -> Call {
    Call::CreateDbCluster(ops::CreateDbCluster {
        region: region.into(),
        db_cluster: cluster.into(),
        global_cluster_identifier: global.into(),
        engine: engine.into(),
        engine_version: None,
    })
}

/// The call's effect check (`ripcord_core::Effect`) as the live backend reads it after a lost
/// answer: it must hold, or have started, in the simulation right after the call.
fn effect_verdict(sim: &mut SimBackend, call: &Call) -> ripcord_core::Verdict {
    let effect = call.effect();
    let target = effect.read_target().expect("the effect reads a target");
    let found = sim
        .query(&Query::Describe { target })
        .expect("the effect's target is described");
    effect.judge(found.as_ref())
}

/// Runs `call` and checks its effect holds or has started.
fn ok_with_effect(sim: &mut SimBackend, call: Call) -> Outcome {
    let outcome = ok(sim, call.clone());
    match effect_verdict(sim, &call) {
        ripcord_core::Verdict::Holds(_) | ripcord_core::Verdict::Started(_) => outcome,
        ripcord_core::Verdict::NotHeld(why) => {
            panic!("{} does not hold after it: {why}", call.operation())
        }
    }
}

fn exists(sim: &mut SimBackend, target: Target) -> bool {
    sim.query(&Query::Describe { target })
        .expect("describe answers")
        .is_some()
}

/// A global database as `(id, engine, status, members (region, cluster, writer) sorted)`.
fn global_shape(
    inventory: &Inventory,
    id: &str,
) -> (String, String, String, Vec<(String, String, bool)>) {
    let global = inventory
        .global_clusters
        .iter()
        .find(|g| g.id == id)
        .unwrap_or_else(|| panic!("global cluster {id} in the world"));
    let mut members: Vec<(String, String, bool)> = global
        .members
        .iter()
        .map(|m| (m.region.clone(), m.cluster.clone(), m.writer))
        .collect();
    members.sort();
    (
        global.id.clone(),
        global.engine.clone(),
        global.status.clone(),
        members,
    )
}

#[test]
fn the_lifecycle_inventory_round_trips() {
    let sim = lifecycle_sim();
    assert_eq!(sim.world(), lifecycle_inventory());
}

#[test]
fn replication_is_re_established_under_the_old_names_after_a_failover() {
    let mut sim = lifecycle_sim();
    let start = global_shape(&sim.world(), "shop-global");
    let primary = || db_cluster("shop-primary", "us-east-1");

    // The failover: the DR cluster leaves the global database and takes writes.
    ok_with_effect(&mut sim, detach("shop-dr", "us-west-2", "shop-global"));
    assert_eq!(
        waited(
            &mut sim,
            db_cluster("shop-dr", "us-west-2"),
            WaitState::Available
        ),
        60
    );

    // The stale primary leaves the old global database, which is deleted.
    ok_with_effect(&mut sim, detach("shop-primary", "us-east-1", "shop-global"));
    let outcome = ok_with_effect(&mut sim, delete_global("shop-global"));
    assert_eq!(
        outcome.changes,
        vec![change("Status", Some("available"), Some("deleting"))]
    );
    assert!(matches!(
        effect_verdict(&mut sim, &delete_global("shop-global")),
        ripcord_core::Verdict::Started(_)
    ));
    assert_eq!(
        describe(&mut sim, global("shop-global"))["status"],
        "deleting"
    );
    // Its identifier is taken until it is gone.
    let err = fails(
        &mut sim,
        create_global("us-west-2", "shop-global", "shop-dr"),
    );
    assert_error(&err, ErrorKind::Rejected, "GlobalClusterAlreadyExistsFault");
    assert!(
        help(&err).contains(
            "wait(aurora_global(\"shop-global\"), \"deleted\") first (about 1m 00s left)"
        ),
        "{}",
        help(&err)
    );
    let outcome = wait(&mut sim, global("shop-global"), WaitState::Deleted).unwrap();
    assert_eq!(outcome.duration_secs, 60);
    assert_eq!(
        outcome.changes,
        vec![change("Status", Some("deleting"), Some("deleted"))]
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert!(!exists(&mut sim, global("shop-global")));
    assert!(matches!(
        effect_verdict(&mut sim, &delete_global("shop-global")),
        ripcord_core::Verdict::Holds(_)
    ));
    // Once gone, it stays gone: a second wait holds at once.
    assert_eq!(
        waited(&mut sim, global("shop-global"), WaitState::Deleted),
        0
    );

    // The stale primary goes after a final snapshot.
    let outcome = ok_with_effect(
        &mut sim,
        delete_cluster("shop-primary", "us-east-1", "shop-primary-final"),
    );
    assert_eq!(
        outcome.changes,
        vec![
            change(
                "FinalDBSnapshotIdentifier",
                None,
                Some("shop-primary-final")
            ),
            change("Status", Some("available"), Some("deleting")),
        ]
    );
    assert_eq!(describe(&mut sim, primary())["status"], "deleting");
    let final_snapshot = describe(
        &mut sim,
        db_cluster_snapshot("shop-primary-final", "us-east-1"),
    );
    assert_eq!(final_snapshot["status"], "creating");
    assert_eq!(final_snapshot["source"], "shop-primary");
    // Its identifier is taken until it is gone.
    let err = fails(
        &mut sim,
        create_secondary("shop-primary", "us-east-1", "shop-global", "aurora-mysql"),
    );
    assert_error(&err, ErrorKind::Rejected, "DBClusterAlreadyExistsFault");
    assert!(
        help(&err).contains("wait(db_cluster(\"shop-primary\", \"us-east-1\"), \"deleted\")"),
        "{}",
        help(&err)
    );
    assert_eq!(waited(&mut sim, primary(), WaitState::Deleted), 300);
    assert!(!exists(&mut sim, primary()));
    assert!(matches!(
        effect_verdict(
            &mut sim,
            &delete_cluster("shop-primary", "us-east-1", "shop-primary-final")
        ),
        ripcord_core::Verdict::Holds(_)
    ));
    assert_eq!(
        describe(
            &mut sim,
            db_cluster_snapshot("shop-primary-final", "us-east-1")
        )["status"],
        "available"
    );

    // A new global database of the old name from the DR cluster, its writer.
    let outcome = ok_with_effect(
        &mut sim,
        create_global("us-west-2", "shop-global", "shop-dr"),
    );
    assert_eq!(outcome.creates.as_deref(), Some("shop-global"));
    assert_eq!(
        outcome.changes,
        vec![
            change("GlobalClusterIdentifier", None, Some("shop-global")),
            change("Engine", None, Some("aurora-mysql")),
            change("GlobalClusterWriter", None, Some("shop-dr")),
            change("Status", None, Some("available")),
        ]
    );
    assert_eq!(
        waited(&mut sim, global("shop-global"), WaitState::Available),
        0
    );
    let dr = describe(&mut sim, db_cluster("shop-dr", "us-west-2"));
    assert_eq!(dr["global_cluster"], "shop-global");
    assert_eq!(dr["writer"], true);

    // The primary cluster again, as its secondary.
    let outcome = ok_with_effect(
        &mut sim,
        create_secondary("shop-primary", "us-east-1", "shop-global", "aurora-mysql"),
    );
    assert_eq!(outcome.creates.as_deref(), Some("shop-primary"));
    assert_eq!(
        outcome.changes,
        vec![
            change("DBClusterIdentifier", None, Some("shop-primary")),
            change("GlobalClusterIdentifier", None, Some("shop-global")),
            change("Engine", None, Some("aurora-mysql")),
            change("Status", None, Some("creating")),
        ]
    );
    let created = describe(&mut sim, primary());
    assert_eq!(created["status"], "creating");
    assert_eq!(created["global_cluster"], "shop-global");
    assert_eq!(created["writer"], false);
    // A switchover needs every member available.
    let back = Call::SwitchoverGlobalCluster(ops::SwitchoverGlobalCluster {
        region: "us-east-1".into(),
        global_cluster: "shop-global".into(),
        target_db_cluster: "shop-primary".into(),
    });
    let err = fails(&mut sim, back.clone());
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    let outcome = wait(&mut sim, primary(), WaitState::Available).unwrap();
    assert_eq!(outcome.duration_secs, 900);
    assert_eq!(
        outcome.changes,
        vec![change("Status", Some("creating"), Some("available"))]
    );
    // A new secondary's lag is unknown until CloudWatch reports it.
    assert!(describe(&mut sim, primary())["replication_lag_secs"].is_null());

    // The writer back where it was.
    ok_with_effect(&mut sim, back);
    assert_eq!(
        waited(&mut sim, global("shop-global"), WaitState::Available),
        120
    );
    let end = sim.world();
    assert_eq!(global_shape(&end, "shop-global"), start);
    let snapshot = end.regions["us-east-1"]
        .db_cluster_snapshots
        .iter()
        .find(|s| s.id == "shop-primary-final")
        .expect("the final snapshot stays");
    assert_eq!(
        (
            snapshot.source.as_str(),
            snapshot.status.as_str(),
            snapshot.engine.as_deref()
        ),
        ("shop-primary", "available", Some("aurora-mysql"))
    );
    // The new secondary is the latest snapshot's source no more: the final one is of the old.
    let latest = sim
        .query(&Query::LatestSnapshot { target: primary() })
        .unwrap()
        .expect("a latest snapshot of shop-primary");
    assert_eq!(latest["id"], "shop-primary-final");
    // The whole run: 1 s per call (7 calls) and the waits.
    assert_eq!(sim.elapsed_secs(), 7 + 60 + 60 + 300 + 900 + 120);
}

#[test]
fn create_global_cluster_rejections() {
    let mut sim = lifecycle_sim();
    let err = fails(&mut sim, create_global("us-east-1", "1-global", "loner"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        help(&err).starts_with("it must start with a letter"),
        "{}",
        help(&err)
    );
    let err = fails(&mut sim, create_global("us-east-1", "Shop-Global", "loner"));
    assert_error(&err, ErrorKind::Rejected, "GlobalClusterAlreadyExistsFault");
    assert!(help(&err).contains("delete_global"), "{}", help(&err));
    let err = fails(
        &mut sim,
        create_global("us-east-1", "new-global", "shop-dr"),
    );
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    assert!(
        help(&err).contains("us-west-2 has one named 'shop-dr'"),
        "{}",
        help(&err)
    );
    let err = fails(
        &mut sim,
        create_global("us-east-1", "new-global", "shop-primary"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(
        err.message
            .contains("already a member of global cluster shop-global"),
        "{}",
        err.message
    );
    let err = fails(&mut sim, create_global("us-east-1", "new-global", "paused"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(err.message.contains("'stopped'"), "{}", err.message);
    // AWS stores the identifier in lower case.
    let outcome = ok_with_effect(&mut sim, create_global("us-east-1", "New-Global", "loner"));
    assert_eq!(outcome.creates.as_deref(), Some("new-global"));
    let created = describe(&mut sim, global("new-global"));
    assert_eq!(created["id"], "new-global");
    assert_eq!(created["engine"], "aurora-mysql");
    assert_eq!(created["status"], "available");
    assert_eq!(created["members"][0]["cluster"], "loner");
    assert_eq!(created["members"][0]["writer"], true);
}

#[test]
fn delete_global_cluster_rejections_and_waits() {
    let mut sim = lifecycle_sim();
    let err = fails(&mut sim, delete_global("shop-globl"));
    assert_error(&err, ErrorKind::NotFound, "GlobalClusterNotFoundFault");
    assert_eq!(help(&err), "did you mean 'shop-global'?");
    let err = fails(&mut sim, delete_global("shop-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert_eq!(err.message, "The global cluster shop-global is not empty.");
    assert!(
        help(&err).contains("shop-primary (us-east-1, writer), shop-dr (us-west-2)"),
        "{}",
        help(&err)
    );
    // A global database nothing deletes never gets there.
    let err = wait(&mut sim, global("shop-global"), WaitState::Deleted).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    assert!(help(&err).contains("delete_global"), "{}", help(&err));

    ok_with_effect(&mut sim, delete_global("empty-global"));
    let err = fails(&mut sim, delete_global("empty-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert!(help(&err).contains("being deleted"), "{}", help(&err));
    let err = wait(&mut sim, global("empty-global"), WaitState::Available).unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    let err = sim
        .wait(&WaitSpec {
            target: global("empty-global"),
            until: WaitState::Deleted,
            timeout_secs: 30,
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        help(&err).contains("wait.global_cluster_deleted"),
        "{}",
        help(&err)
    );
    assert_eq!(
        waited(&mut sim, global("empty-global"), WaitState::Deleted),
        60
    );
    assert!(sim
        .world()
        .global_clusters
        .iter()
        .all(|g| g.id != "empty-global"));
    // Gone: not found, and not suggested.
    let err = fails(&mut sim, delete_global("empty-global"));
    assert_error(&err, ErrorKind::NotFound, "GlobalClusterNotFoundFault");
    assert!(!help(&err).contains("empty-global"), "{}", help(&err));
    // A name the world never had: the wait holds, with a warning.
    let outcome = wait(&mut sim, global("no-such-global"), WaitState::Deleted).unwrap();
    assert_eq!(outcome.duration_secs, 0);
    assert!(
        outcome.warnings[0].contains("never existed"),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn delete_db_cluster_rejections() {
    let mut sim = lifecycle_sim();
    let err = fails(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner--final"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        err.message.contains("FinalDBSnapshotIdentifier"),
        "{}",
        err.message
    );
    let err = fails(&mut sim, delete_cluster("lonr", "us-east-1", "loner-final"));
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    assert_eq!(help(&err), "did you mean 'loner'?");
    let err = fails(&mut sim, delete_cluster("shop-dr", "us-west-2", "dr-final"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(
        err.message.contains("member of global cluster shop-global"),
        "{}",
        err.message
    );
    assert!(help(&err).contains("promote("), "{}", help(&err));
    let err = fails(
        &mut sim,
        delete_cluster("reports", "us-east-1", "reports-final"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(
        err.message.contains("still contains DB instances"),
        "{}",
        err.message
    );
    assert!(help(&err).contains("reports-1"), "{}", help(&err));
    let err = fails(
        &mut sim,
        delete_cluster("paused", "us-east-1", "paused-final"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    let err = fails(
        &mut sim,
        delete_cluster("loner", "us-east-1", "Shop-Primary-Nightly"),
    );
    assert_error(
        &err,
        ErrorKind::Rejected,
        "DBClusterSnapshotAlreadyExistsFault",
    );

    // A cluster nothing deletes never gets there.
    let err = wait(
        &mut sim,
        db_cluster("loner", "us-east-1"),
        WaitState::Deleted,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    assert!(help(&err).contains("delete_cluster"), "{}", help(&err));

    ok_with_effect(
        &mut sim,
        delete_cluster("Loner", "us-east-1", "loner-final"),
    );
    // Being deleted: nothing else is done to it, and it is never available again.
    let err = fails(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final-2"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(help(&err).contains("being deleted"), "{}", help(&err));
    let err = fails(
        &mut sim,
        Call::CreateDbClusterSnapshot(ops::CreateDbClusterSnapshot {
            region: "us-east-1".into(),
            db_cluster: "loner".into(),
            snapshot: "loner-late".into(),
            tags: BTreeMap::new(),
        }),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    let err = wait(
        &mut sim,
        db_cluster("loner", "us-east-1"),
        WaitState::Available,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    assert_eq!(
        waited(
            &mut sim,
            db_cluster("loner", "us-east-1"),
            WaitState::Deleted
        ),
        300
    );
    // Gone: not found, not exported, not suggested.
    let err = fails(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final-3"),
    );
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    assert!(!help(&err).contains("'loner'"), "{}", help(&err));
    assert!(sim.world().regions["us-east-1"]
        .db_clusters
        .iter()
        .all(|c| c.id != "loner"));
    let err = wait(
        &mut sim,
        db_cluster("loner", "us-east-1"),
        WaitState::Available,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    // The final snapshot stays, and restores nothing by itself.
    assert_eq!(
        describe(&mut sim, db_cluster_snapshot("loner-final", "us-east-1"))["status"],
        "available"
    );
}

#[test]
fn a_cluster_is_gone_no_sooner_than_its_final_snapshot() {
    let mut inventory = lifecycle_inventory();
    inventory.estimates =
        BTreeMap::from([("wait.db_cluster_snapshot_available".to_string(), 1200)]);
    let mut sim = SimBackend::new(inventory);
    ok(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final"),
    );
    let err = sim
        .wait(&WaitSpec {
            target: db_cluster("loner", "us-east-1"),
            until: WaitState::Deleted,
            timeout_secs: 1000,
        })
        .expect_err("the snapshot takes 20 minutes");
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        help(&err).contains("wait.db_cluster_snapshot_available"),
        "{}",
        help(&err)
    );
    let mut inventory = lifecycle_inventory();
    inventory.estimates = BTreeMap::from([("wait.db_cluster_deleted".to_string(), 420)]);
    let mut sim = SimBackend::new(inventory);
    ok(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final"),
    );
    assert_eq!(
        waited(
            &mut sim,
            db_cluster("loner", "us-east-1"),
            WaitState::Deleted
        ),
        420
    );
}

#[test]
fn create_db_cluster_rejections() {
    let mut sim = lifecycle_sim();
    let create = |cluster: &str, region: &str, global: &str| {
        create_secondary(cluster, region, global, "aurora-mysql")
    };
    let err = fails(&mut sim, create("shop-eu-", "eu-west-1", "shop-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        err.message.contains("DBClusterIdentifier"),
        "{}",
        err.message
    );
    let err = fails(&mut sim, create("Shop-DR", "us-west-2", "shop-global"));
    assert_error(&err, ErrorKind::Rejected, "DBClusterAlreadyExistsFault");
    assert!(help(&err).contains("delete_cluster"), "{}", help(&err));
    let err = fails(&mut sim, create("shop-eu", "eu-west-1", "shop-globl"));
    assert_error(&err, ErrorKind::NotFound, "GlobalClusterNotFoundFault");
    let err = fails(&mut sim, create("shop-eu", "eu-west-1", "empty-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert!(help(&err).contains("create_global"), "{}", help(&err));
    let err = fails(
        &mut sim,
        create_secondary("shop-eu", "eu-west-1", "shop-global", "aurora-postgresql"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterCombination");
    assert!(help(&err).contains("'aurora-mysql'"), "{}", help(&err));
    // A secondary goes to another region than the writer's, one per region.
    let err = fails(&mut sim, create("shop-east", "us-east-1", "shop-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        err.message.contains("primary cluster shop-primary"),
        "{}",
        err.message
    );
    let err = fails(&mut sim, create("shop-west", "us-west-2", "shop-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(err.message.contains("(shop-dr)"), "{}", err.message);
    let err = fails(&mut sim, create("shop-ap", "ap-south-1", "shop-global"));
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    // A global database in the middle of a failover takes no new member.
    let mut busy = lifecycle_sim();
    ok(
        &mut busy,
        Call::FailoverGlobalCluster(ops::FailoverGlobalCluster {
            region: "us-west-2".into(),
            global_cluster: "shop-global".into(),
            target_db_cluster: "shop-dr".into(),
            allow_data_loss: true,
        }),
    );
    let err = fails(&mut busy, create("shop-eu", "eu-west-1", "shop-global"));
    assert_error(&err, ErrorKind::Rejected, "InvalidGlobalClusterStateFault");
    assert!(help(&err).contains("wait(aurora_global(\"shop-global\"), \"available\")"));

    let outcome = ok_with_effect(&mut sim, create("shop-eu", "eu-west-1", "shop-global"));
    assert_eq!(outcome.creates.as_deref(), Some("shop-eu"));
    let members = &describe(&mut sim, global("shop-global"))["members"];
    assert_eq!(members[2]["cluster"], "shop-eu");
    assert_eq!(members[2]["region"], "eu-west-1");
    assert_eq!(members[2]["writer"], false);
}

#[test]
fn captured_deletions_finish_one_estimate_after_the_capture() {
    let mut inventory = lifecycle_inventory();
    inventory.regions.get_mut("us-east-1").unwrap().db_clusters[2].status = "deleting".into();
    inventory.global_clusters[1].status = "deleting".into();
    let mut sim = SimBackend::new(inventory.clone());
    assert_eq!(sim.world(), inventory);
    assert_eq!(
        describe(&mut sim, db_cluster("loner", "us-east-1"))["status"],
        "deleting"
    );
    assert_eq!(
        waited(&mut sim, global("empty-global"), WaitState::Deleted),
        60
    );
    assert_eq!(
        waited(
            &mut sim,
            db_cluster("loner", "us-east-1"),
            WaitState::Deleted
        ),
        240
    );
    assert!(!exists(&mut sim, db_cluster("loner", "us-east-1")));
}

#[test]
fn a_rewound_branch_sees_a_deleted_cluster_deleting_again() {
    let mut sim = lifecycle_sim();
    sim.begin_parallel().unwrap();
    ok(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final"),
    );
    waited(
        &mut sim,
        db_cluster("loner", "us-east-1"),
        WaitState::Deleted,
    );
    assert!(!exists(&mut sim, db_cluster("loner", "us-east-1")));
    sim.begin_branch().unwrap();
    assert_eq!(
        describe(&mut sim, db_cluster("loner", "us-east-1"))["status"],
        "deleting"
    );
    sim.end_parallel().unwrap();
    assert!(!exists(&mut sim, db_cluster("loner", "us-east-1")));
}

#[test]
fn the_lifecycle_estimates_are_listed_with_their_defaults() {
    let defaults: BTreeMap<&str, u64> = estimate_defaults().map(|d| (d.key, d.secs)).collect();
    assert_eq!(defaults.get("wait.db_cluster_deleted"), Some(&300));
    assert_eq!(defaults.get("wait.global_cluster_deleted"), Some(&60));
    assert_eq!(
        defaults.get("wait.db_cluster_available_after_create"),
        Some(&900)
    );
}

fn create_instance(instance: &str, region: &str, cluster: &str, engine: &str) -> Call {
    Call::CreateDbInstance(ops::CreateDbInstance {
        region: region.into(),
        db_instance: instance.into(),
        db_cluster: cluster.into(),
        engine: engine.into(),
        instance_class: "db.r6g.large".into(),
    })
}

#[test]
fn a_new_secondary_gets_its_instance() {
    let mut sim = lifecycle_sim();
    ok_with_effect(
        &mut sim,
        create_secondary("shop-eu", "eu-west-1", "shop-global", "aurora-mysql"),
    );
    // The cluster is still `creating`: AWS takes its instances all the same.
    let outcome = ok_with_effect(
        &mut sim,
        create_instance("Shop-EU-1", "eu-west-1", "SHOP-EU", "aurora-mysql"),
    );
    assert_eq!(outcome.creates.as_deref(), Some("shop-eu-1"));
    let instance = describe(&mut sim, db_instance("shop-eu-1", "eu-west-1"));
    assert_eq!(instance["status"], "creating");
    assert_eq!(instance["cluster"], "shop-eu");
    assert_eq!(instance["engine"], "aurora-mysql");
    assert_eq!(instance["instance_class"], "db.r6g.large");
    assert_eq!(instance["availability_zone"], "eu-west-1a");
    assert_ne!(instance["multi_az"], true);
    assert!(instance
        .get("read_replica_source")
        .is_none_or(Value::is_null));
    // Not available before its cluster: the cluster's 900 s outlast the instance's 600 s.
    let secs = waited(
        &mut sim,
        db_instance("shop-eu-1", "eu-west-1"),
        WaitState::Available,
    );
    assert!((600..=900).contains(&secs), "{secs}");
    assert_eq!(
        describe(&mut sim, db_cluster("shop-eu", "eu-west-1"))["status"],
        "available"
    );
    let instance = describe(&mut sim, db_instance("shop-eu-1", "eu-west-1"));
    assert_eq!(instance["status"], "available");
    assert_eq!(instance["cluster"], "shop-eu");
}

#[test]
fn a_cluster_instance_holds_its_cluster_until_it_is_deleted() {
    let mut sim = lifecycle_sim();
    ok_with_effect(
        &mut sim,
        create_instance("loner-1", "us-east-1", "loner", "aurora-mysql"),
    );
    let err = fails(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(
        err.message.contains("still contains DB instances"),
        "{}",
        err.message
    );
    assert!(help(&err).contains("loner-1"), "{}", help(&err));
    assert_eq!(
        waited(
            &mut sim,
            db_instance("loner-1", "us-east-1"),
            WaitState::Available
        ),
        600
    );
    ok_with_effect(&mut sim, delete_instance("loner-1", "us-east-1", None));
    ok_with_effect(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final"),
    );
}

#[test]
fn create_db_instance_rejections() {
    let mut sim = lifecycle_sim();
    let create = |instance: &str, region: &str, cluster: &str| {
        create_instance(instance, region, cluster, "aurora-mysql")
    };
    let err = fails(&mut sim, create("loner-", "us-east-1", "loner"));
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        err.message.contains("DBInstanceIdentifier"),
        "{}",
        err.message
    );
    let err = fails(&mut sim, create("Reports-1", "us-east-1", "loner"));
    assert_error(&err, ErrorKind::Rejected, "DBInstanceAlreadyExists");
    assert!(help(&err).contains("delete_instance"), "{}", help(&err));
    let err = fails(&mut sim, create("shop-dr-1", "us-east-1", "shop-dr"));
    assert_error(&err, ErrorKind::NotFound, "DBClusterNotFoundFault");
    let err = fails(
        &mut sim,
        create_instance("loner-1", "us-east-1", "loner", "aurora-postgresql"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterCombination");
    assert!(help(&err).contains("'aurora-mysql'"), "{}", help(&err));

    // An identifier being deleted is taken until it is gone.
    ok(&mut sim, delete_instance("reports-1", "us-east-1", None));
    let err = fails(&mut sim, create("reports-1", "us-east-1", "reports"));
    assert_error(&err, ErrorKind::Rejected, "DBInstanceAlreadyExists");
    assert!(help(&err).contains("being deleted"), "{}", help(&err));
    // A cluster being deleted takes no instance.
    ok(
        &mut sim,
        delete_cluster("loner", "us-east-1", "loner-final"),
    );
    let err = fails(&mut sim, create("loner-1", "us-east-1", "loner"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBClusterStateFault");
    assert!(err.message.contains("'deleting'"), "{}", err.message);
    // Once gone, the instance's identifier is free again (its tombstone gives way).
    waited(
        &mut sim,
        db_instance("reports-1", "us-east-1"),
        WaitState::Deleted,
    );
    ok_with_effect(&mut sim, create("reports-1", "us-east-1", "reports"));
}

#[test]
fn the_instance_creation_estimate_is_listed_with_its_default() {
    let defaults: BTreeMap<&str, u64> = estimate_defaults().map(|d| (d.key, d.secs)).collect();
    assert_eq!(
        defaults.get("wait.db_instance_available_after_create"),
        Some(&600)
    );
}

// --- Re-establishing a pilot light's replication (issue 16) --------------------------------

/// The pilot light before its ignition: the bundled world of `ignite.rhai`.
const PILOT_BEFORE_IGNITION: &str =
    include_str!("../../../runbooks/pilot-light/ignite.inventory.yaml");

/// The pilot light after its ignition: the replica in us-west-2 promoted to a standalone
/// primary, the former primary in us-east-1 back but stale.
const PILOT_AFTER_IGNITION: &str = r#"
version: 3
account: "123456789012"
captured_at: 2026-11-24T06:00:00Z
regions:
  us-east-1:
    db_instances:
      - { id: production-mysql, engine: mysql, availability_zone: us-east-1a, secondary_availability_zone: us-east-1b, multi_az: true }
  us-west-2:
    availability_zones: [us-west-2a, us-west-2b, us-west-2c]
    db_instances:
      - { id: dr-mysql-replica, engine: mysql, availability_zone: us-west-2a }
"#;

/// A world with an instance of every kind the two operations treat apart.
const REPLICAS: &str = r#"
version: 3
account: "123456789012"
captured_at: 2026-11-24T06:00:00Z
regions:
  us-east-1:
    db_instances:
      - { id: production-mysql, engine: mysql, instance_class: db.r6g.xlarge, availability_zone: us-east-1a, secondary_availability_zone: us-east-1b, multi_az: true }
      - { id: local-replica, engine: mysql, instance_class: db.r6g.xlarge, availability_zone: us-east-1b, read_replica_source: production-mysql, replica_lag_secs: 1 }
      - { id: reports-1, engine: aurora-mysql, availability_zone: us-east-1a, cluster: reports }
      - { id: busy-mysql, engine: mysql, availability_zone: us-east-1a, status: backing-up }
      - { id: paused-mysql, engine: mysql, instance_class: db.t3.small, availability_zone: us-east-1a, status: stopped }
    db_clusters:
      - { id: reports, engine: aurora-mysql }
    db_snapshots:
      - { id: production-mysql-nightly, source: production-mysql, created_at: 2026-11-24T03:00:00Z, snapshot_type: automated, engine: mysql }
  us-west-2:
    availability_zones: [us-west-2a, us-west-2b, us-west-2c]
    db_instances:
      - { id: dr-mysql-replica, engine: mysql, instance_class: db.r6g.xlarge, availability_zone: us-west-2a, read_replica_source: "arn:aws:rds:us-east-1:123456789012:db:production-mysql", replica_lag_secs: 4 }
"#;

fn replicas_sim() -> SimBackend {
    SimBackend::new(Inventory::parse(REPLICAS, "replicas.yaml").expect("the replica world parses"))
}

fn delete_instance(instance: &str, region: &str, final_snapshot: Option<&str>) -> Call {
    Call::DeleteDbInstance(ops::DeleteDbInstance {
        region: region.into(),
        db_instance: instance.into(),
        final_snapshot: final_snapshot.map(str::to_string),
    })
}

fn create_replica(
    instance: &str,
    region: &str,
    source: &str,
    source_region: &str,
    multi_az: bool,
) -> Call {
    Call::CreateDbInstanceReadReplica(ops::CreateDbInstanceReadReplica {
        region: region.into(),
        db_instance: instance.into(),
        source_db_instance: source.into(),
        source_region: source_region.into(),
        multi_az,
        instance_class: None,
    })
}

fn promote_instance(instance: &str, region: &str) -> Call {
    Call::PromoteReadReplica(ops::PromoteReadReplica {
        region: region.into(),
        db_instance: instance.into(),
    })
}

/// An instance as the world exports it, but for its replication lag (a measure, not a shape).
fn instance_shape(
    inventory: &Inventory,
    region: &str,
    id: &str,
) -> ripcord_core::inventory::DbInstance {
    let mut instance = inventory.regions[region]
        .db_instances
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("DB instance {id} in {region}"))
        .clone();
    instance.replica_lag_secs = None;
    instance
}

fn db_snapshot_in(
    inventory: &Inventory,
    region: &str,
    id: &str,
) -> ripcord_core::inventory::DbSnapshot {
    inventory.regions[region]
        .db_snapshots
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("DB snapshot {id} in {region}"))
        .clone()
}

fn verdict_is(sim: &mut SimBackend, call: &Call, holds: bool) -> bool {
    match effect_verdict(sim, call) {
        ripcord_core::Verdict::Holds(_) => holds,
        ripcord_core::Verdict::Started(_) => !holds,
        ripcord_core::Verdict::NotHeld(_) => false,
    }
}

#[test]
fn the_pilot_light_fails_back_and_is_relit_under_the_old_names() {
    let before = Inventory::parse(PILOT_BEFORE_IGNITION, "ignite.inventory.yaml")
        .expect("the bundled pilot light parses");
    let mut sim = SimBackend::new(
        Inventory::parse(PILOT_AFTER_IGNITION, "after.yaml").expect("the ignited world parses"),
    );
    let primary = || db_instance("production-mysql", "us-east-1");
    let dr = || db_instance("dr-mysql-replica", "us-west-2");

    // The stale former primary goes, after a final snapshot.
    let delete_primary = delete_instance(
        "production-mysql",
        "us-east-1",
        Some("production-mysql-final"),
    );
    let outcome = ok_with_effect(&mut sim, delete_primary.clone());
    assert_eq!(
        outcome.changes,
        vec![
            change(
                "FinalDBSnapshotIdentifier",
                None,
                Some("production-mysql-final")
            ),
            change("Status", Some("available"), Some("deleting")),
        ]
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert!(verdict_is(&mut sim, &delete_primary, false), "started");
    assert_eq!(describe(&mut sim, primary())["status"], "deleting");
    let snapshot = describe(&mut sim, db_snapshot("production-mysql-final", "us-east-1"));
    assert_eq!(snapshot["status"], "creating");
    assert_eq!(snapshot["source"], "production-mysql");
    assert_eq!(snapshot["snapshot_type"], "manual");
    assert_eq!(snapshot["engine"], "mysql");
    assert_eq!(snapshot["instance_class"], "db.r6g.large");
    // Its identifier is taken until it is gone.
    let again = create_replica(
        "production-mysql",
        "us-east-1",
        "dr-mysql-replica",
        "us-west-2",
        true,
    );
    let err = fails(&mut sim, again.clone());
    assert_error(&err, ErrorKind::Rejected, "DBInstanceAlreadyExists");
    assert!(
        help(&err).contains(
            "wait(db_instance(\"production-mysql\", \"us-east-1\"), \"deleted\") first (about 10m 00s left)"
        ),
        "{}",
        help(&err)
    );
    let outcome = wait(&mut sim, primary(), WaitState::Deleted).unwrap();
    assert_eq!(outcome.duration_secs, 600);
    assert_eq!(
        outcome.changes,
        vec![change("Status", Some("deleting"), Some("deleted"))]
    );
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert!(!exists(&mut sim, primary()));
    assert!(verdict_is(&mut sim, &delete_primary, true), "holds");
    assert_eq!(waited(&mut sim, primary(), WaitState::Deleted), 0);

    // The primary again, as a Multi-AZ read replica of the promoted DR instance.
    let outcome = ok_with_effect(&mut sim, again);
    assert_eq!(outcome.creates.as_deref(), Some("production-mysql"));
    let dr_arn = "arn:aws:rds:us-west-2:123456789012:db:dr-mysql-replica";
    assert_eq!(
        outcome.changes,
        vec![
            change("DBInstanceIdentifier", None, Some("production-mysql")),
            change("ReadReplicaSource", None, Some(dr_arn)),
            change("DBInstanceClass", None, Some("db.r6g.large")),
            change("MultiAZ", None, Some("true")),
            change("Status", None, Some("creating")),
        ]
    );
    let created = describe(&mut sim, primary());
    assert_eq!(created["status"], "creating");
    assert_eq!(created["read_replica_source"], dr_arn);
    assert_eq!(created["engine"], "mysql");
    assert_eq!(created["multi_az"], true);
    assert_eq!(created["availability_zone"], "us-east-1a");
    assert_eq!(created["secondary_availability_zone"], "us-east-1b");
    let outcome = wait(&mut sim, primary(), WaitState::Available).unwrap();
    assert_eq!(outcome.duration_secs, 1200);
    assert_eq!(
        outcome.changes,
        vec![change("Status", Some("creating"), Some("available"))]
    );
    // A new replica's lag is unknown until CloudWatch reports it.
    assert!(describe(&mut sim, primary())["replica_lag_secs"].is_null());

    // In the window, us-east-1 takes over again.
    ok_with_effect(&mut sim, promote_instance("production-mysql", "us-east-1"));
    assert_eq!(waited(&mut sim, primary(), WaitState::Available), 240);

    // The DR instance goes, after a final snapshot, and comes back as a read replica.
    let delete_dr = delete_instance(
        "dr-mysql-replica",
        "us-west-2",
        Some("dr-mysql-replica-final"),
    );
    let outcome = ok_with_effect(&mut sim, delete_dr.clone());
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(waited(&mut sim, dr(), WaitState::Deleted), 600);
    assert!(verdict_is(&mut sim, &delete_dr, true), "holds");
    let outcome = ok_with_effect(
        &mut sim,
        create_replica(
            "dr-mysql-replica",
            "us-west-2",
            "production-mysql",
            "us-east-1",
            false,
        ),
    );
    assert_eq!(outcome.creates.as_deref(), Some("dr-mysql-replica"));
    assert_eq!(describe(&mut sim, dr())["status"], "creating");
    assert_eq!(waited(&mut sim, dr(), WaitState::Available), 1200);

    // The pilot light as it was before the ignition, plus the two final snapshots.
    let end = sim.world();
    for (region, id) in [
        ("us-east-1", "production-mysql"),
        ("us-west-2", "dr-mysql-replica"),
    ] {
        assert_eq!(
            instance_shape(&end, region, id),
            instance_shape(&before, region, id),
            "{id} in {region}"
        );
        assert_eq!(end.regions[region].db_instances.len(), 1);
        let snapshot = db_snapshot_in(&end, region, &format!("{id}-final"));
        assert_eq!(
            (
                snapshot.source.as_str(),
                snapshot.status.as_str(),
                snapshot.engine.as_deref(),
                snapshot.instance_class.as_deref()
            ),
            (id, "available", Some("mysql"), Some("db.r6g.large"))
        );
    }
    assert_eq!(
        instance_shape(&end, "us-west-2", "dr-mysql-replica").read_replica_source,
        Some("arn:aws:rds:us-east-1:123456789012:db:production-mysql".to_string()),
        "as the bundled inventory writes it"
    );
    assert_eq!(
        end.regions["us-west-2"].db_instances[0].replica_lag_secs, None,
        "unknown until CloudWatch reports it"
    );
    // The whole run: 1 s per call (5 calls) and the waits.
    assert_eq!(sim.elapsed_secs(), 5 + 600 + 1200 + 240 + 600 + 1200);
}

#[test]
fn delete_db_instance_rejections() {
    let mut sim = replicas_sim();
    let err = fails(
        &mut sim,
        delete_instance("production-mysql", "us-east-1", Some("final--1")),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        err.message.contains("FinalDBSnapshotIdentifier"),
        "{}",
        err.message
    );
    let err = fails(
        &mut sim,
        delete_instance("production-mysq", "us-east-1", Some("final-1")),
    );
    assert_error(&err, ErrorKind::NotFound, "DBInstanceNotFound");
    assert_eq!(help(&err), "did you mean 'production-mysql'?");
    // An Aurora cluster's instance has no final snapshot of its own.
    let err = fails(
        &mut sim,
        delete_instance("reports-1", "us-east-1", Some("reports-1-final")),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterCombination");
    assert!(
        help(&err).contains("snapshot(db_cluster(\"reports\", \"us-east-1\"))"),
        "{}",
        help(&err)
    );
    // Nor has a read replica (AWS's words).
    let err = fails(
        &mut sim,
        delete_instance("dr-mysql-replica", "us-west-2", Some("dr-final")),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterCombination");
    assert_eq!(
        err.message,
        "FinalDBSnapshotIdentifier can not be specified when deleting a replica instance."
    );
    // Any other instance has one.
    let err = fails(
        &mut sim,
        delete_instance("production-mysql", "us-east-1", None),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterCombination");
    assert!(
        err.message
            .contains("FinalDBSnapshotIdentifier is required"),
        "{}",
        err.message
    );
    let err = fails(
        &mut sim,
        delete_instance("busy-mysql", "us-east-1", Some("busy-final")),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(
        help(&err).contains("wait(db_instance(\"busy-mysql\", \"us-east-1\"), \"available\")"),
        "{}",
        help(&err)
    );
    let err = fails(
        &mut sim,
        delete_instance(
            "production-mysql",
            "us-east-1",
            Some("Production-MySQL-Nightly"),
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "DBSnapshotAlreadyExists");

    // An instance nothing deletes never gets there; a name never known holds, with a warning.
    let err = wait(
        &mut sim,
        db_instance("paused-mysql", "us-east-1"),
        WaitState::Deleted,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    assert!(help(&err).contains("delete_instance"), "{}", help(&err));
    let outcome = wait(
        &mut sim,
        db_instance("no-such-db", "us-east-1"),
        WaitState::Deleted,
    )
    .unwrap();
    assert_eq!(outcome.duration_secs, 0);
    assert!(
        outcome.warnings[0].contains("never existed"),
        "{:?}",
        outcome.warnings
    );

    // A stopped instance is deleted, after its final snapshot.
    let outcome = ok_with_effect(
        &mut sim,
        delete_instance("Paused-MySQL", "us-east-1", Some("paused-final")),
    );
    assert_eq!(outcome.resolved.as_deref(), Some("paused-mysql"));
    assert_eq!(
        outcome.changes[1],
        change("Status", Some("stopped"), Some("deleting"))
    );
    assert_eq!(
        describe(&mut sim, db_snapshot("paused-final", "us-east-1"))["instance_class"],
        "db.t3.small"
    );
    // Being deleted: nothing else is done to it, and it is never available again.
    let err = fails(
        &mut sim,
        delete_instance("paused-mysql", "us-east-1", Some("paused-final-2")),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(help(&err).contains("being deleted"), "{}", help(&err));
    let err = fails(&mut sim, db_snapshot_call("paused-mysql", "paused-late"));
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    let err = wait(
        &mut sim,
        db_instance("paused-mysql", "us-east-1"),
        WaitState::Available,
    )
    .unwrap_err();
    assert_error(&err, ErrorKind::Rejected, "WaiterWouldNotFinish");
    let err = sim
        .wait(&WaitSpec {
            target: db_instance("paused-mysql", "us-east-1"),
            until: WaitState::Deleted,
            timeout_secs: 60,
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        help(&err).contains("wait.db_instance_deleted"),
        "{}",
        help(&err)
    );
    assert_eq!(
        waited(
            &mut sim,
            db_instance("paused-mysql", "us-east-1"),
            WaitState::Deleted
        ),
        600
    );
    // Gone: not found, not exported, not suggested.
    let err = fails(
        &mut sim,
        delete_instance("paused-mysql", "us-east-1", Some("paused-final-3")),
    );
    assert_error(&err, ErrorKind::NotFound, "DBInstanceNotFound");
    assert!(!help(&err).contains("paused-mysql"), "{}", help(&err));
    assert!(sim.world().regions["us-east-1"]
        .db_instances
        .iter()
        .all(|i| i.id != "paused-mysql"));
    // The final snapshot stays.
    assert_eq!(
        describe(&mut sim, db_snapshot("paused-final", "us-east-1"))["status"],
        "available"
    );

    // An Aurora cluster's instance goes without one, and being deleted it no longer holds its
    // cluster back ("DB instances in non-deleting state").
    let outcome = ok_with_effect(&mut sim, delete_instance("reports-1", "us-east-1", None));
    assert_eq!(
        outcome.changes,
        vec![change("Status", Some("available"), Some("deleting"))]
    );
    ok_with_effect(
        &mut sim,
        delete_cluster("reports", "us-east-1", "reports-final"),
    );
    // A read replica goes without one.
    ok_with_effect(
        &mut sim,
        delete_instance("dr-mysql-replica", "us-west-2", None),
    );
    assert_eq!(
        waited(
            &mut sim,
            db_instance("dr-mysql-replica", "us-west-2"),
            WaitState::Deleted
        ),
        600
    );
}

#[test]
fn deleting_a_source_promotes_its_read_replicas() {
    let mut sim = replicas_sim();
    let outcome = ok_with_effect(
        &mut sim,
        delete_instance("production-mysql", "us-east-1", Some("production-final")),
    );
    assert_eq!(outcome.warnings.len(), 2, "{:?}", outcome.warnings);
    assert!(
        outcome.warnings[0].starts_with("read replica local-replica in us-east-1 is promoted"),
        "{:?}",
        outcome.warnings
    );
    assert!(
        outcome.warnings[1].contains("dr-mysql-replica in us-west-2")
            && outcome.warnings[1].contains(
                "wait(db_instance(\"dr-mysql-replica\", \"us-west-2\"), \"available\") first"
            ),
        "{:?}",
        outcome.warnings
    );
    for (id, region) in [
        ("local-replica", "us-east-1"),
        ("dr-mysql-replica", "us-west-2"),
    ] {
        let replica = describe(&mut sim, db_instance(id, region));
        assert_eq!(replica["status"], "modifying", "{id}");
        assert!(replica["read_replica_source"].is_null(), "{id}");
        assert!(replica["replica_lag_secs"].is_null(), "{id}");
        // As PromoteReadReplica's effect reads it.
        assert!(verdict_is(&mut sim, &promote_instance(id, region), true));
    }
    assert_eq!(
        waited(
            &mut sim,
            db_instance("dr-mysql-replica", "us-west-2"),
            WaitState::Available
        ),
        240
    );
    // Standalone now: a new replica may be made of it.
    ok_with_effect(
        &mut sim,
        create_replica(
            "east-replica",
            "us-east-1",
            "dr-mysql-replica",
            "us-west-2",
            false,
        ),
    );
}

#[test]
fn create_read_replica_rejections() {
    let mut sim = replicas_sim();
    let replica = |id: &str, region: &str, source: &str, source_region: &str| {
        create_replica(id, region, source, source_region, false)
    };
    let err = fails(
        &mut sim,
        replica("eu--replica", "us-west-2", "production-mysql", "us-east-1"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(
        err.message.contains("DBInstanceIdentifier"),
        "{}",
        err.message
    );
    let err = fails(
        &mut sim,
        replica(
            "DR-MySQL-Replica",
            "us-west-2",
            "production-mysql",
            "us-east-1",
        ),
    );
    assert_error(&err, ErrorKind::Rejected, "DBInstanceAlreadyExists");
    assert!(help(&err).contains("delete_instance"), "{}", help(&err));
    let err = fails(
        &mut sim,
        replica("ap-replica", "ap-south-1", "production-mysql", "us-east-1"),
    );
    assert_error(&err, ErrorKind::NotFound, "DBInstanceNotFound");
    let err = fails(
        &mut sim,
        replica("west-2", "us-west-2", "production-mysql", "us-west-2"),
    );
    assert_error(&err, ErrorKind::NotFound, "DBInstanceNotFound");
    assert!(
        help(&err).contains("us-east-1 has one named 'production-mysql'"),
        "{}",
        help(&err)
    );
    let err = fails(
        &mut sim,
        replica("reports-ro", "us-west-2", "reports-1", "us-east-1"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidParameterValue");
    assert!(help(&err).contains("create_global"), "{}", help(&err));
    // No replica of a replica.
    let err = fails(
        &mut sim,
        replica("cascade", "us-east-1", "dr-mysql-replica", "us-west-2"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(
        err.message.contains("itself a read replica"),
        "{}",
        err.message
    );
    let err = fails(
        &mut sim,
        replica("busy-ro", "us-west-2", "busy-mysql", "us-east-1"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(
        help(&err).contains("wait(db_instance(\"busy-mysql\", \"us-east-1\"), \"available\")"),
        "{}",
        help(&err)
    );
    let err = fails(
        &mut sim,
        replica("paused-ro", "us-west-2", "paused-mysql", "us-east-1"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
    assert!(err.message.contains("'stopped'"), "{}", err.message);

    // Within a region the source is named by its identifier; the class may be another.
    let outcome = ok_with_effect(
        &mut sim,
        Call::CreateDbInstanceReadReplica(ops::CreateDbInstanceReadReplica {
            region: "us-east-1".into(),
            db_instance: "Production-RO".into(),
            source_db_instance: "PRODUCTION-MYSQL".into(),
            source_region: "us-east-1".into(),
            multi_az: false,
            instance_class: Some("db.r6g.2xlarge".into()),
        }),
    );
    assert_eq!(outcome.creates.as_deref(), Some("production-ro"));
    assert_eq!(outcome.resolved.as_deref(), Some("production-mysql"));
    let created = describe(&mut sim, db_instance("production-ro", "us-east-1"));
    assert_eq!(created["read_replica_source"], "production-mysql");
    assert_eq!(created["instance_class"], "db.r6g.2xlarge");
    assert_eq!(created["engine"], "mysql");
    assert_eq!(created["multi_az"], false);
    assert!(created["secondary_availability_zone"].is_null());
    // Across regions by ARN, the class the source's; Multi-AZ in the region's zones.
    ok_with_effect(
        &mut sim,
        replica("west-ro", "us-west-2", "production-mysql", "us-east-1"),
    );
    let created = describe(&mut sim, db_instance("west-ro", "us-west-2"));
    assert_eq!(
        created["read_replica_source"],
        "arn:aws:rds:us-east-1:123456789012:db:production-mysql"
    );
    assert_eq!(created["instance_class"], "db.r6g.xlarge");
    assert_eq!(created["availability_zone"], "us-west-2a");
    ok_with_effect(
        &mut sim,
        create_replica(
            "west-ro-2",
            "us-west-2",
            "production-mysql",
            "us-east-1",
            true,
        ),
    );
    let created = describe(&mut sim, db_instance("west-ro-2", "us-west-2"));
    assert_eq!(created["secondary_availability_zone"], "us-west-2b");
    // A replica being created is no source yet.
    let err = fails(
        &mut sim,
        replica("west-ro-3", "us-west-2", "west-ro", "us-west-2"),
    );
    assert_error(&err, ErrorKind::Rejected, "InvalidDBInstanceState");
}

#[test]
fn an_instance_is_gone_no_sooner_than_its_final_snapshot() {
    let mut inventory = Inventory::parse(REPLICAS, "replicas.yaml").unwrap();
    inventory.estimates = BTreeMap::from([("wait.db_snapshot_available".to_string(), 1200)]);
    let mut sim = SimBackend::new(inventory);
    ok(
        &mut sim,
        delete_instance("paused-mysql", "us-east-1", Some("paused-final")),
    );
    let err = sim
        .wait(&WaitSpec {
            target: db_instance("paused-mysql", "us-east-1"),
            until: WaitState::Deleted,
            timeout_secs: 1000,
        })
        .expect_err("the snapshot takes 20 minutes");
    assert_error(&err, ErrorKind::Timeout, "WaiterTimeout");
    assert!(
        help(&err).contains("wait.db_snapshot_available"),
        "{}",
        help(&err)
    );
    // Without a final snapshot, the deletion's own estimate.
    ok(&mut sim, delete_instance("reports-1", "us-east-1", None));
    assert_eq!(
        waited(
            &mut sim,
            db_instance("reports-1", "us-east-1"),
            WaitState::Deleted
        ),
        600
    );
}

#[test]
fn a_captured_deleting_instance_is_gone_one_estimate_after_the_capture() {
    let mut inventory = Inventory::parse(REPLICAS, "replicas.yaml").unwrap();
    inventory.regions.get_mut("us-east-1").unwrap().db_instances[4].status = "deleting".into();
    let mut sim = SimBackend::new(inventory.clone());
    assert_eq!(sim.world(), inventory);
    let paused = || db_instance("paused-mysql", "us-east-1");
    assert_eq!(describe(&mut sim, paused())["status"], "deleting");
    assert_eq!(waited(&mut sim, paused(), WaitState::Deleted), 600);
    assert!(!exists(&mut sim, paused()));
    // Its identifier is free again.
    ok(
        &mut sim,
        create_replica(
            "paused-mysql",
            "us-east-1",
            "production-mysql",
            "us-east-1",
            false,
        ),
    );
}

#[test]
fn the_replica_estimates_are_listed_with_their_defaults() {
    let defaults: BTreeMap<&str, u64> = estimate_defaults().map(|d| (d.key, d.secs)).collect();
    assert_eq!(defaults.get("wait.db_instance_deleted"), Some(&600));
    assert_eq!(
        defaults.get("wait.db_instance_available_after_replica"),
        Some(&1200)
    );
}
