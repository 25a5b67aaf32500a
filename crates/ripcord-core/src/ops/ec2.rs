//! EC2 operations: EBS snapshots and volumes.

use super::regional;
use crate::asl::task::{ec2_tags, fields_of, SfnTask};
use crate::asl::SfnContext;
use crate::effect::{Effect, Guarantee};
use crate::iam::{Action, Permission, Scope};
use crate::inverse::{Before, Inverse};
use crate::operation::{Creates, Descriptor, Idempotency, Operation};
use crate::target::{ResourceKind, Target};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// ec2 CreateSnapshot (tags applied atomically through TagSpecifications).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateSnapshot {
    pub region: String,
    pub volume: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Operation for CreateSnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "ec2",
        "CreateSnapshot",
        Idempotency::None,
        Guarantee::ExactlyOnce,
        Creates::NewId(ResourceKind::EbsSnapshot),
        "snapshot an EBS volume",
    );

    fn effect(&self) -> Effect {
        Effect::Tagged {
            kind: ResourceKind::EbsSnapshot,
            region: self.region.clone(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let volume = format!("volume/{}", scope.volume_id(&self.region, &self.volume));
        let snapshots = scope.snapshot_arn(&self.region, "*");
        vec![
            Permission::on(
                Action::of(&Self::DESCRIPTOR),
                [scope.arn("ec2", &self.region, &volume), snapshots.clone()],
            ),
            // The request tag (`REQUEST_TAG`) always goes with it, in TagSpecifications.
            Permission::on(Action::new("ec2", "CreateTags"), [snapshots]),
            Permission::anywhere(Action::new("ec2", "DescribeVolumes")),
        ]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        p.insert("VolumeId".into(), ctx.resolved_or(&self.volume).into());
        p.shift_remove("Volume");
        ec2_tags(&mut p, "snapshot", &self.tags);
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "an EBS snapshot of {} in {}",
            self.volume, self.region
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::Volume {
            name: self.volume.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// ec2 CopySnapshot, called in the destination region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopySnapshot {
    pub region: String,
    pub source_region: String,
    pub source_snapshot: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Operation for CopySnapshot {
    const DESCRIPTOR: Descriptor = regional(
        "ec2",
        "CopySnapshot",
        Idempotency::None,
        Guarantee::ExactlyOnce,
        Creates::NewId(ResourceKind::EbsSnapshot),
        "copy an EBS snapshot into another region",
    );

    fn effect(&self) -> Effect {
        Effect::Tagged {
            kind: ResourceKind::EbsSnapshot,
            region: self.region.clone(),
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let snapshots = |region: &str, id: &str| scope.snapshot_arn(region, id);
        let source = scope.snapshot_id(&self.source_region, &self.source_snapshot);
        vec![
            Permission::on(
                Action::of(&Self::DESCRIPTOR),
                [
                    snapshots(&self.source_region, &source),
                    snapshots(&self.region, "*"),
                ],
            ),
            Permission::on(
                Action::new("ec2", "CreateTags"),
                [snapshots(&self.region, "*")],
            ),
            Permission::anywhere(Action::new("ec2", "DescribeSnapshots")),
        ]
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        p.insert(
            "SourceSnapshotId".into(),
            ctx.resolved_or(&self.source_snapshot).into(),
        );
        p.shift_remove("SourceSnapshot");
        ec2_tags(&mut p, "snapshot", &self.tags);
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "a copy of EBS snapshot {} in {}",
            self.source_snapshot, self.region
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::EbsSnapshot {
            name: self.source_snapshot.clone(),
            region: self.source_region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("SourceRegion", self.source_region.clone())]
    }
}

/// ec2 CreateVolume from a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateVolume {
    pub region: String,
    pub snapshot: String,
    pub availability_zone: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Operation for CreateVolume {
    const DESCRIPTOR: Descriptor = regional(
        "ec2",
        "CreateVolume",
        Idempotency::ClientToken,
        Guarantee::ExactlyOnce,
        Creates::NewId(ResourceKind::Volume),
        "restore an EBS volume from a snapshot",
    );

    fn effect(&self) -> Effect {
        Effect::Resend {
            why: "the request carries an idempotency token: EC2 answers a second attempt with the first one's volume",
        }
    }

    fn iam(&self, scope: &Scope) -> Vec<Permission> {
        let snapshot = scope.snapshot_arn(
            &self.region,
            &scope.snapshot_id(&self.region, &self.snapshot),
        );
        let volumes = scope.arn("ec2", &self.region, "volume/*");
        let mut needs = vec![
            Permission::on(Action::of(&Self::DESCRIPTOR), [volumes.clone(), snapshot]),
            Permission::anywhere(Action::new("ec2", "DescribeSnapshots")),
        ];
        if !self.tags.is_empty() {
            needs.push(Permission::on(Action::new("ec2", "CreateTags"), [volumes]));
        }
        needs
    }

    fn step_functions(&self, ctx: &SfnContext) -> SfnTask {
        let mut p = fields_of(self, &[]);
        p.insert("SnapshotId".into(), ctx.resolved_or(&self.snapshot).into());
        p.shift_remove("Snapshot");
        ec2_tags(&mut p, "volume", &self.tags);
        SfnTask::sdk(&Self::DESCRIPTOR, p)
    }

    fn inverse(&self, _before: Before<'_>) -> Inverse {
        Inverse::created(&format!(
            "an EBS volume from {} in {}",
            self.snapshot, self.availability_zone
        ))
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn target(&self) -> Target {
        Target::EbsSnapshot {
            name: self.snapshot.clone(),
            region: self.region.clone(),
        }
    }

    fn key_arguments(&self) -> Vec<(&'static str, String)> {
        vec![("AvailabilityZone", self.availability_zone.clone())]
    }
}
