//! The simulation adopting recorded outcomes (a live step in the REPL, a journaled step of a
//! resumed run): what a call created takes the id AWS gave it, and later steps find it.

#![allow(clippy::result_large_err)]

use ripcord_core::ops;
use ripcord_core::{
    Backend, Call, Creates, Inventory, Outcome, Query, RecordSet, Target, WaitSpec, WaitState,
};
use ripcord_sim::SimBackend;
use std::collections::BTreeSet;

const INVENTORY: &str = r#"
version: 3
account: "123456789012"
captured_at: 2026-01-01T00:00:00Z
regions:
  eu-west-1:
    availability_zones: [eu-west-1a]
    volumes:
      - { id: vol-0aaa, name: ledger, size_gib: 8, availability_zone: eu-west-1a }
    db_instances:
      - { id: payments-db, engine: mysql, instance_class: db.t3.small, availability_zone: eu-west-1a }
    db_clusters:
      - { id: ledger-cluster, engine: aurora-postgresql }
  eu-central-1:
    availability_zones: [eu-central-1a]
hosted_zones:
  - { id: Z1EXAMPLE, name: example.com, records: [] }
"#;

fn sim() -> SimBackend {
    SimBackend::new(Inventory::parse(INVENTORY, "adopt.yaml").expect("the test inventory parses"))
}

fn recorded(id: &str) -> Outcome {
    Outcome {
        creates: Some(id.to_string()),
        ..Outcome::default()
    }
}

fn settle(sim: &mut SimBackend, target: Target, until: WaitState) {
    sim.adopt_wait(&WaitSpec {
        target,
        until,
        timeout_secs: 1,
    })
    .expect("an adopted wait holds whatever the estimate");
}

/// One creating call of each kind, in a chain where each uses what the one before created,
/// with the ids AWS gave them live.
fn chain() -> Vec<(Call, &'static str)> {
    vec![
        (
            ops::CreateSnapshot {
                region: "eu-west-1".into(),
                volume: "ledger".into(),
                description: "before DR".into(),
                tags: Default::default(),
            }
            .into(),
            "snap-c5f58457b9be42b48",
        ),
        (
            ops::CopySnapshot {
                region: "eu-central-1".into(),
                source_region: "eu-west-1".into(),
                source_snapshot: "snap-c5f58457b9be42b48".into(),
                description: "copy".into(),
                tags: Default::default(),
            }
            .into(),
            "snap-0d1e2f3a4b5c6d7e8",
        ),
        (
            ops::CreateVolume {
                region: "eu-central-1".into(),
                snapshot: "snap-0d1e2f3a4b5c6d7e8".into(),
                availability_zone: "eu-central-1a".into(),
                tags: Default::default(),
            }
            .into(),
            "vol-9f8e7d6c5b4a39281",
        ),
        (
            ops::CreateDbSnapshot {
                region: "eu-west-1".into(),
                db_instance: "payments-db".into(),
                snapshot: "Payments-Before-DR".into(),
                tags: Default::default(),
            }
            .into(),
            "payments-before-dr",
        ),
        (
            ops::CopyDbSnapshot {
                region: "eu-central-1".into(),
                source_region: "eu-west-1".into(),
                source_snapshot: "payments-before-dr".into(),
                target_snapshot: "payments-copy".into(),
            }
            .into(),
            "payments-copy",
        ),
        (
            ops::RestoreDbInstanceFromDbSnapshot {
                region: "eu-central-1".into(),
                snapshot: "payments-copy".into(),
                db_instance: "payments-dr".into(),
                instance_class: None,
                multi_az: None,
            }
            .into(),
            "payments-dr",
        ),
        (
            ops::CreateDbInstanceReadReplica {
                region: "eu-central-1".into(),
                db_instance: "Payments-Replica".into(),
                source_db_instance: "payments-db".into(),
                source_region: "eu-west-1".into(),
                multi_az: false,
                instance_class: None,
            }
            .into(),
            "payments-replica",
        ),
        (
            ops::CreateDbClusterSnapshot {
                region: "eu-west-1".into(),
                db_cluster: "ledger-cluster".into(),
                snapshot: "ledger-before-dr".into(),
                tags: Default::default(),
            }
            .into(),
            "ledger-before-dr",
        ),
        (
            ops::CopyDbClusterSnapshot {
                region: "eu-central-1".into(),
                source_region: "eu-west-1".into(),
                source_snapshot: "ledger-before-dr".into(),
                target_snapshot: "ledger-copy".into(),
            }
            .into(),
            "ledger-copy",
        ),
        (
            ops::CreateGlobalCluster {
                region: "eu-west-1".into(),
                global_cluster_identifier: "Ledger-Global".into(),
                source_db_cluster: "ledger-cluster".into(),
            }
            .into(),
            "ledger-global",
        ),
        (
            ops::CreateDbCluster {
                region: "eu-central-1".into(),
                db_cluster: "ledger-dr".into(),
                global_cluster_identifier: "ledger-global".into(),
                engine: "aurora-postgresql".into(),
                engine_version: None,
            }
            .into(),
            "ledger-dr",
        ),
        (
            ops::CreateDbInstance {
                region: "eu-central-1".into(),
                db_instance: "Ledger-DR-1".into(),
                db_cluster: "ledger-dr".into(),
                engine: "aurora-postgresql".into(),
                instance_class: "db.r6g.large".into(),
            }
            .into(),
            "ledger-dr-1",
        ),
        (
            ops::ChangeResourceRecordSets::one(
                "example.com",
                "UPSERT",
                RecordSet {
                    name: "pay.example.com".into(),
                    rtype: "A".into(),
                    ttl: Some(60),
                    values: vec!["192.0.2.10".into()],
                    ..RecordSet::default()
                },
            )
            .into(),
            "C2F4E6A8B0D1E3F5",
        ),
    ]
}

/// What a created id is waited on as, so the next call of the chain finds it settled.
fn created_target(call: &Call, id: &str) -> Option<(Target, WaitState)> {
    let region = call.region().unwrap_or_default().to_string();
    let name = id.to_string();
    match call.descriptor().creates.kind()? {
        ripcord_core::ResourceKind::EbsSnapshot => {
            Some((Target::EbsSnapshot { name, region }, WaitState::Completed))
        }
        ripcord_core::ResourceKind::Volume => {
            Some((Target::Volume { name, region }, WaitState::Available))
        }
        ripcord_core::ResourceKind::DbSnapshot => {
            Some((Target::DbSnapshot { name, region }, WaitState::Available))
        }
        ripcord_core::ResourceKind::DbClusterSnapshot => Some((
            Target::DbClusterSnapshot { name, region },
            WaitState::Available,
        )),
        ripcord_core::ResourceKind::DbInstance => {
            Some((Target::DbInstance { name, region }, WaitState::Available))
        }
        ripcord_core::ResourceKind::DbCluster => {
            Some((Target::DbCluster { name, region }, WaitState::Available))
        }
        ripcord_core::ResourceKind::GlobalCluster => {
            Some((Target::GlobalCluster { name }, WaitState::Available))
        }
        ripcord_core::ResourceKind::DnsChange => {
            Some((Target::DnsChange { name }, WaitState::InSync))
        }
        _ => None,
    }
}

#[test]
fn every_creating_operation_adopts_the_id_aws_gave_it() {
    let chain = chain();
    let covered: BTreeSet<&str> = chain.iter().map(|(call, _)| call.operation()).collect();
    let creating: BTreeSet<&str> = Call::DESCRIPTORS
        .iter()
        .filter(|d| d.creates != Creates::Nothing)
        .map(|d| d.name)
        .collect();
    assert_eq!(
        covered, creating,
        "add a call of every operation that creates something to this chain"
    );

    let mut sim = sim();
    for (call, live_id) in &chain {
        let outcome = sim
            .adopt(call, &recorded(live_id))
            .unwrap_or_else(|e| panic!("{} adopts: {e}", call.operation()));
        assert_eq!(
            outcome.creates.as_deref(),
            Some(*live_id),
            "{}: the mirror holds AWS's id",
            call.operation()
        );
        let (target, until) = created_target(call, live_id).expect("a creating call's kind");
        let described = sim
            .query(&Query::Describe {
                target: target.clone(),
            })
            .expect("describe answers");
        if !matches!(target, Target::DnsChange { .. }) {
            assert!(described.is_some(), "{target} exists under AWS's id");
        }
        settle(&mut sim, target, until);
    }

    // The restored instance got the source instance's class, through the copy's region.
    let restored = sim
        .query(&Query::Describe {
            target: Target::DbInstance {
                name: "payments-dr".into(),
                region: "eu-central-1".into(),
            },
        })
        .expect("describe answers")
        .expect("the restored instance exists");
    assert_eq!(restored["engine"], "mysql");
    assert_eq!(restored["instance_class"], "db.t3.small");
}

#[test]
fn adoption_does_not_move_the_generated_sequence() {
    let mut sim = sim();
    let (call, live_id) = &chain()[0];
    sim.adopt(call, &recorded(live_id)).expect("adopts");
    let next = sim.execute(call).expect("a second snapshot");
    assert_eq!(next.creates.as_deref(), Some("snap-00000000000000001"));
}

#[test]
fn a_call_the_mirror_cannot_follow_leaves_it_unchanged() {
    let mut sim = sim();
    let before = sim.world();
    let call: Call = ops::CreateSnapshot {
        region: "eu-west-1".into(),
        volume: "not-captured".into(),
        description: String::new(),
        tags: Default::default(),
    }
    .into();
    let err = sim
        .adopt(&call, &recorded("snap-0123456789abcdef0"))
        .expect_err("the capture holds no such volume");
    assert_eq!(err.code, "InvalidVolume.NotFound");
    assert_eq!(sim.world(), before);
    // The adopted id is not left over for the next creation.
    let (call, _) = &chain()[0];
    let next = sim.execute(call).expect("snapshot");
    assert_eq!(next.creates.as_deref(), Some("snap-00000000000000001"));
}
