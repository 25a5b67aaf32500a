//! Every operation's effect check (`Operation::effect`) agrees with its descriptor's guarantee
//! and reads a resource of the kind the call acts on or creates.

use ripcord_core::{Call, Effect, Guarantee};
use serde_json::json;

/// One call of every operation, from the plan's JSON (the AWS parameter names).
fn samples() -> Vec<Call> {
    let calls = json!([
        {"operation": "CreateSnapshot", "Region": "us-east-1", "Volume": "data", "Description": "d"},
        {"operation": "CopySnapshot", "Region": "us-west-2", "SourceRegion": "us-east-1", "SourceSnapshot": "snap-1", "Description": "d"},
        {"operation": "CreateVolume", "Region": "us-west-2", "Snapshot": "snap-1", "AvailabilityZone": "us-west-2a"},
        {"operation": "CreateDBSnapshot", "Region": "us-east-1", "DBInstanceIdentifier": "Orders", "DBSnapshotIdentifier": "Orders-Snap"},
        {"operation": "CreateDBClusterSnapshot", "Region": "us-east-1", "DBClusterIdentifier": "c", "DBClusterSnapshotIdentifier": "cs"},
        {"operation": "CopyDBSnapshot", "Region": "us-west-2", "SourceRegion": "us-east-1", "SourceDBSnapshotIdentifier": "s", "TargetDBSnapshotIdentifier": "S2"},
        {"operation": "CopyDBClusterSnapshot", "Region": "us-west-2", "SourceRegion": "us-east-1", "SourceDBClusterSnapshotIdentifier": "s", "TargetDBClusterSnapshotIdentifier": "s2"},
        {"operation": "RestoreDBInstanceFromDBSnapshot", "Region": "us-west-2", "DBSnapshotIdentifier": "s", "DBInstanceIdentifier": "Restored"},
        {"operation": "PromoteReadReplica", "Region": "us-west-2", "DBInstanceIdentifier": "replica"},
        {"operation": "RemoveFromGlobalCluster", "Region": "us-west-2", "GlobalCluster": "g", "DbClusterIdentifier": "dr"},
        {"operation": "FailoverGlobalCluster", "Region": "us-west-2", "GlobalCluster": "g", "TargetDbCluster": "dr", "AllowDataLoss": true},
        {"operation": "SwitchoverGlobalCluster", "Region": "us-west-2", "GlobalCluster": "g", "TargetDbCluster": "dr"},
        {"operation": "CreateGlobalCluster", "Region": "us-west-2", "GlobalClusterIdentifier": "g", "SourceDBClusterIdentifier": "dr"},
        {"operation": "DeleteGlobalCluster", "Region": "us-west-2", "GlobalClusterIdentifier": "g"},
        {"operation": "DeleteDBCluster", "Region": "us-east-1", "DBClusterIdentifier": "old", "FinalDBSnapshotIdentifier": "old-final"},
        {"operation": "CreateDBCluster", "Region": "us-east-1", "DBClusterIdentifier": "new", "GlobalClusterIdentifier": "g", "Engine": "aurora-mysql"},
        {"operation": "CreateDBInstance", "Region": "us-east-1", "DBInstanceIdentifier": "new-1", "DBClusterIdentifier": "new", "Engine": "aurora-mysql", "DBInstanceClass": "db.r6g.large"},
        {"operation": "DeleteDBInstance", "Region": "us-east-1", "DBInstanceIdentifier": "old", "FinalDBSnapshotIdentifier": "old-final"},
        {"operation": "CreateDBInstanceReadReplica", "Region": "us-east-1", "DBInstanceIdentifier": "back", "SourceDBInstanceIdentifier": "dr", "SourceRegion": "us-west-2", "MultiAZ": true},
        {"operation": "RebootDBInstance", "Region": "us-east-1", "DBInstanceIdentifier": "db", "ForceFailover": false},
        {"operation": "UpdateAutoScalingGroup", "Region": "us-west-2", "AutoScalingGroupName": "web", "MinSize": 2, "DesiredCapacity": 4},
        {"operation": "UpdateService", "Region": "us-west-2", "Cluster": "web-cluster", "Service": "web", "DesiredCount": 4},
        {"operation": "UpdateTable", "Region": "us-east-1", "TableName": "GlobalCustomerData", "ReplicaUpdates": [{"Create": {"RegionName": "eu-west-1"}}]},
        {"operation": "ChangeResourceRecordSets", "HostedZone": "example.com", "Action": "UPSERT", "RecordSet": {"Name": "www.example.com", "Type": "A", "Values": ["10.0.0.1"]}},
        {"operation": "UpdateHealthCheck", "HealthCheck": "primary", "Disabled": true},
        {"operation": "PutBucketReplication", "Bucket": "b", "Role": "r", "Rule": {"ID": "dr", "Priority": 1, "DestinationBucket": "b2", "DeleteMarkerReplication": false}},
        {"operation": "Publish", "Region": "us-west-2", "Topic": "ops", "Subject": "s", "Message": "m"},
    ]);
    serde_json::from_value(calls).unwrap_or_else(|e| panic!("the samples are calls: {e}"))
}

#[test]
fn there_is_a_sample_of_every_operation() {
    let mut names: Vec<&str> = samples().iter().map(Call::operation).collect();
    names.sort_unstable();
    let mut declared: Vec<&str> = Call::DESCRIPTORS.iter().map(|d| d.name).collect();
    declared.sort_unstable();
    assert_eq!(names, declared);
}

#[test]
fn each_effect_gives_its_descriptors_guarantee() {
    for call in samples() {
        assert_eq!(
            call.effect().guarantee(),
            call.descriptor().guarantee,
            "{}: the descriptor's guarantee and the kind of its effect check disagree",
            call.operation()
        );
    }
}

#[test]
fn effects_read_what_the_call_acts_on_or_creates() {
    for call in samples() {
        let effect = call.effect();
        let read = match &effect {
            Effect::Tagged { kind, .. } => Some(*kind),
            other => other.read_target().map(|t| t.kind()),
        };
        let Some(read) = read else {
            assert!(
                matches!(effect, Effect::Resend { .. } | Effect::Unobservable { .. }),
                "{}",
                call.operation()
            );
            continue;
        };
        let created = call.descriptor().creates.kind();
        // Membership lives in the global cluster, whatever member a call names.
        let membership = matches!(effect, Effect::Membership { .. });
        assert!(
            read == call.target().kind() || Some(read) == created || membership,
            "{}: its effect check reads a {:?}, neither its target nor what it creates",
            call.operation(),
            read
        );
    }
}

/// A replica change is settled by the table's `replicas`: a replica CREATING was asked for,
/// one DELETING is on its way out.
#[test]
fn replica_changes_are_judged_by_the_tables_replicas() {
    let call = |update: serde_json::Value| -> Call {
        serde_json::from_value(json!({
            "operation": "UpdateTable", "Region": "us-east-1", "TableName": "T",
            "ReplicaUpdates": [update]
        }))
        .unwrap()
    };
    let add = call(json!({"Create": {"RegionName": "eu-west-1"}})).effect();
    let remove = call(json!({"Delete": {"RegionName": "eu-west-1"}})).effect();
    let with = |status: &str| json!({"name": "T", "replicas": [{"region": "eu-west-1", "status": status}]});
    let without = json!({"name": "T", "replicas": [{"region": "us-west-2", "status": "ACTIVE"}]});
    use ripcord_core::Verdict;
    assert!(matches!(
        add.judge(Some(&with("CREATING"))),
        Verdict::Holds(_)
    ));
    assert!(matches!(add.judge(Some(&without)), Verdict::NotHeld(_)));
    assert!(matches!(add.judge(None), Verdict::NotHeld(_)));
    assert!(matches!(remove.judge(Some(&without)), Verdict::Holds(_)));
    assert!(matches!(
        remove.judge(Some(&with("DELETING"))),
        Verdict::Started(_)
    ));
    assert!(matches!(
        remove.judge(Some(&with("ACTIVE"))),
        Verdict::NotHeld(_)
    ));
}

#[test]
fn only_publish_is_at_most_once_and_only_reboot_at_least_once() {
    let by = |g: Guarantee| -> Vec<&str> {
        Call::DESCRIPTORS
            .iter()
            .filter(|d| d.guarantee == g)
            .map(|d| d.name)
            .collect()
    };
    assert_eq!(by(Guarantee::AtMostOnce), ["Publish"]);
    assert_eq!(by(Guarantee::AtLeastOnce), ["RebootDBInstance"]);
}

/// Every call's IAM permissions (`Operation::iam`) start with its own action, in its
/// descriptor's service, scoped to ARNs (every mutating API ripcord sends supports
/// resource-level permissions), in the account given.
#[test]
fn each_call_needs_its_own_action_on_arns() {
    let world = ripcord_core::Inventory::empty(jiff::Timestamp::UNIX_EPOCH);
    let scope = ripcord_core::iam::Scope {
        account: "123456789012",
        world: &world,
    };
    for call in samples() {
        let needs = call.iam(&scope);
        let own = needs
            .first()
            .unwrap_or_else(|| panic!("{} needs no permission", call.operation()));
        assert_eq!(own.action.service, call.service(), "{}", call.operation());
        assert!(!own.resources.is_empty(), "{}", call.operation());
        for resource in &own.resources {
            assert!(
                resource.starts_with("arn:aws:"),
                "{}: {resource}",
                call.operation()
            );
            let global = matches!(own.action.service, "route53" | "s3")
                || resource.contains(":ec2:")
                || resource.contains(":global-cluster:");
            assert!(
                global || resource.contains(":123456789012:"),
                "{}: {resource} is not in the account",
                call.operation()
            );
        }
    }
}
