//! EC2: CreateSnapshot, CopySnapshot and CreateVolume.

use super::{resolved, Apply, Cx};
use crate::backend::SimBackend;
use crate::errors::wait_hint;
use crate::estimates::Est;
use crate::state::{gib, Tracked};
use crate::world::name_tag;
use ripcord_core::inventory::{EbsSnapshot, Volume};
use ripcord_core::ops;
use ripcord_core::{BackendError, Change, Outcome, Target};
use std::collections::BTreeMap;

/// AWS gives a copied snapshot this placeholder volume id ("should not be used for any purpose").
const COPY_VOLUME_ID: &str = "vol-ffffffff";

fn create_snapshot(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    volume: &str,
    description: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let target = Target::Volume {
        name: volume.to_string(),
        region: region.to_string(),
    };
    let (ri, vi) = sim.world.locate(cx.op, &target, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let vol = reg.volumes.at(vi);
    let state = vol.status(cx.now);
    if state != "in-use" && state != "available" {
        let remaining = vol.active(cx.now).map(|p| p.until - cx.now);
        return Err(cx
            .op
            .rejected(
                "IncorrectState",
                format!(
                    "Volume '{}' in {region} is in state '{state}'; a snapshot needs 'in-use' or 'available'.",
                    vol.item.id
                ),
            )
            .with_help(match remaining {
                Some(_) => wait_hint(&target, "available", remaining),
                None => "snapshot a volume that is attached or available".to_string(),
            }));
    }
    let volume_id = vol.item.id.clone();
    let size_gib = vol.item.size_gib;
    let id = sim.ids.snapshot(|id| reg.snapshots.find(id).is_some());
    let snapshot = EbsSnapshot {
        id: id.clone(),
        name: name_tag(None, tags),
        volume_id: volume_id.clone(),
        size_gib,
        state: "completed".to_string(),
        start_time: cx.at,
        description: description.to_string(),
        tags: tags.clone(),
    };
    let secs = sim
        .estimates
        .get(Est::EbsSnapshotPerGib)
        .saturating_mul(gib(size_gib));
    sim.world.regions.at_mut(ri).add_snapshot(Tracked::starting(
        snapshot,
        "pending",
        cx.done.saturating_add(secs),
        Est::EbsSnapshotPerGib,
    ));
    Ok(Outcome {
        resolved: resolved(volume, &volume_id),
        creates: Some(id.clone()),
        changes: created(&[("SnapshotId", &id), ("State", "pending")]),
        ..Outcome::default()
    })
}

fn copy_snapshot(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    description: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let source = Target::EbsSnapshot {
        name: source_snapshot.to_string(),
        region: source_region.to_string(),
    };
    let (si, ni) = sim.world.locate(cx.op, &source, cx.now)?;
    let destination = sim.world.region_index(
        cx.op,
        &Target::EbsSnapshot {
            name: source_snapshot.to_string(),
            region: region.to_string(),
        },
    )?;
    let original = sim.world.regions.at(si).snapshots.at(ni);
    let state = original.status(cx.now);
    if state != "completed" {
        let remaining = original.active(cx.now).map(|p| p.until - cx.now);
        return Err(cx
            .op
            .rejected(
                "IncorrectState",
                format!(
                    "Snapshot '{}' in {source_region} is in state '{state}'; only completed snapshots can be copied.",
                    original.item.id
                ),
            )
            .with_help(match remaining {
                Some(_) => wait_hint(&source, "completed", remaining),
                None => "copy a completed snapshot".to_string(),
            }));
    }
    let source_id = original.item.id.clone();
    let size_gib = original.item.size_gib;
    let dest = sim.world.regions.at(destination);
    let id = sim.ids.snapshot(|id| dest.snapshots.find(id).is_some());
    let copy = EbsSnapshot {
        id: id.clone(),
        name: name_tag(None, tags),
        volume_id: COPY_VOLUME_ID.to_string(),
        size_gib,
        state: "completed".to_string(),
        start_time: cx.at,
        description: description.to_string(),
        tags: tags.clone(),
    };
    let secs = sim
        .estimates
        .get(Est::EbsSnapshotPerGib)
        .saturating_mul(gib(size_gib));
    sim.world
        .regions
        .at_mut(destination)
        .add_snapshot(Tracked::starting(
            copy,
            "pending",
            cx.done.saturating_add(secs),
            Est::EbsSnapshotPerGib,
        ));
    Ok(Outcome {
        resolved: resolved(source_snapshot, &source_id),
        creates: Some(id.clone()),
        changes: created(&[("SnapshotId", &id), ("State", "pending")]),
        ..Outcome::default()
    })
}

fn create_volume(
    sim: &mut SimBackend,
    cx: Cx,
    region: &str,
    snapshot: &str,
    availability_zone: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let source = Target::EbsSnapshot {
        name: snapshot.to_string(),
        region: region.to_string(),
    };
    let (ri, si) = sim.world.locate(cx.op, &source, cx.now)?;
    let reg = sim.world.regions.at(ri);
    let snap = reg.snapshots.at(si);
    let state = snap.status(cx.now);
    if state != "completed" {
        let remaining = snap.active(cx.now).map(|p| p.until - cx.now);
        return Err(cx
            .op
            .rejected(
                "IncorrectState",
                format!(
                    "Snapshot '{}' in {region} is in state '{state}'; a volume can only be created from a completed snapshot.",
                    snap.item.id
                ),
            )
            .with_help(match remaining {
                Some(_) => wait_hint(&source, "completed", remaining),
                None => "restore from a completed snapshot".to_string(),
            }));
    }
    if !reg.availability_zones.is_empty()
        && !reg
            .availability_zones
            .iter()
            .any(|az| az == availability_zone)
    {
        let help = crate::suggest::did_you_mean(&crate::suggest::closest(
            availability_zone,
            reg.availability_zones.iter().map(String::as_str),
        ))
        .map(|s| format!("{s} "))
        .unwrap_or_default();
        return Err(cx
            .op
            .rejected(
                "InvalidParameterValue",
                format!(
                    "Invalid availability zone: [{availability_zone}] is not an availability zone of {region}."
                ),
            )
            .with_help(format!(
                "{help}({region} has {})",
                reg.availability_zones.join(", ")
            )));
    }
    let snapshot_id = snap.item.id.clone();
    let size_gib = snap.item.size_gib;
    let name = name_tag(None, tags);
    let mut warnings = Vec::new();
    if let Some(name) = &name {
        if reg.volume_names.count(name) > 0 {
            warnings.push(format!(
                "another volume in {region} already has the Name tag '{name}': addressing either by that name will be ambiguous"
            ));
        }
    }
    let id = sim.ids.volume(|id| reg.volumes.find(id).is_some());
    let volume = Volume {
        id: id.clone(),
        name,
        size_gib,
        availability_zone: availability_zone.to_string(),
        state: "available".to_string(),
        tags: tags.clone(),
    };
    let secs = sim.estimates.get(Est::VolumeAvailable);
    sim.world.regions.at_mut(ri).add_volume(Tracked::starting(
        volume,
        "creating",
        cx.done.saturating_add(secs),
        Est::VolumeAvailable,
    ));
    Ok(Outcome {
        resolved: resolved(snapshot, &snapshot_id),
        creates: Some(id.clone()),
        changes: created(&[
            ("VolumeId", &id),
            ("AvailabilityZone", availability_zone),
            ("State", "creating"),
        ]),
        warnings,
        ..Outcome::default()
    })
}

/// The changes that describe a new resource: every listed field from nothing to its value.
pub(super) fn created(fields: &[(&str, &str)]) -> Vec<Change> {
    fields
        .iter()
        .map(|(field, value)| Change::new(field, None, Some(value.to_string())))
        .collect()
}

impl Apply for ops::CreateSnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_snapshot(
            sim,
            cx,
            &self.region,
            &self.volume,
            &self.description,
            &self.tags,
        )
    }
}

impl Apply for ops::CopySnapshot {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        copy_snapshot(
            sim,
            cx,
            &self.region,
            &self.source_region,
            &self.source_snapshot,
            &self.description,
            &self.tags,
        )
    }
}

impl Apply for ops::CreateVolume {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        create_volume(
            sim,
            cx,
            &self.region,
            &self.snapshot,
            &self.availability_zone,
            &self.tags,
        )
    }
}
