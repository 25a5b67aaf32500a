//! The AWS operations a runbook can make, one type each, grouped by service like the backends.
//!
//! Each type is the operation's request as the runbook resolved it (portable names, not ids)
//! and implements [`crate::Operation`]: its descriptor. Field names follow the AWS API's
//! parameter names (PascalCase in JSON) so that a reviewer who knows the API reads the plan
//! without a glossary.

mod aurora;
mod autoscaling;
mod dynamodb;
mod ec2;
mod ecs;
mod rds;
mod replica;
mod route53;
mod s3;
mod sns;

pub use aurora::{
    CreateDbCluster, CreateDbInstance, CreateGlobalCluster, DeleteDbCluster, DeleteGlobalCluster,
};
pub use autoscaling::UpdateAutoScalingGroup;
pub use dynamodb::{ReplicaRegion, ReplicaUpdate, UpdateTable};
pub use ec2::{CopySnapshot, CreateSnapshot, CreateVolume};
pub use ecs::UpdateService;
pub use rds::{
    CopyDbClusterSnapshot, CopyDbSnapshot, CreateDbClusterSnapshot, CreateDbSnapshot,
    FailoverGlobalCluster, PromoteReadReplica, RebootDbInstance, RemoveFromGlobalCluster,
    RestoreDbInstanceFromDbSnapshot, SwitchoverGlobalCluster,
};
pub use replica::{CreateDbInstanceReadReplica, DeleteDbInstance};
pub use route53::{
    looks_like_zone_id, over_request_limits, AliasTarget, ChangeResourceRecordSets, RecordChange,
    RecordSet, UpdateHealthCheck, MAX_CHANGES, MAX_RECORD_ELEMENTS, MAX_VALUE_CHARS,
};
pub use s3::{PutBucketReplication, ReplicationRule};
pub use sns::Publish;

use crate::effect::Guarantee;
use crate::operation::{Control, Creates, Descriptor, Idempotency};

/// A regional, mutating operation's descriptor (most of them).
const fn regional(
    service: &'static str,
    name: &'static str,
    idempotency: Idempotency,
    guarantee: Guarantee,
    creates: Creates,
    summary: &'static str,
) -> Descriptor {
    Descriptor {
        service,
        name,
        mutates: true,
        idempotency,
        guarantee,
        creates,
        control: Control::Regional,
        summary,
    }
}
