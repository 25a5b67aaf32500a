//! EC2 (EBS): volume snapshots, their copies, volumes restored from them.

use super::{created, expect_kind, region_of, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::{ops, Call, Origin, ResourceKind, Target};

/// `snapshot(volume [, #{description, tags}])`; `snapshots.rs` checked the handle.
pub(super) fn snapshot_volume(
    st: &mut RunState,
    origin: Origin,
    region: String,
    name: String,
    readable: &str,
    opts: Map,
) -> Res {
    let opts = Options::new("snapshot", opts, &["description", "tags"])?;
    let description = opts
        .string("description")?
        .unwrap_or_else(|| format!("Backup of {name} created on {readable}"));
    let call = Call::CreateSnapshot(ops::CreateSnapshot {
        region: region.clone(),
        volume: name,
        description,
        tags: opts.string_map("tags")?,
    });
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "CreateSnapshot")?;
    Ok(Dynamic::from(Handle(Target::EbsSnapshot {
        name: id,
        region,
    })))
}

/// `copy_snapshot(ebs_snapshot, region [, #{description, tags}])`; `snapshots.rs` checked
/// the handle and the region.
pub(super) fn copy_ebs_snapshot(
    st: &mut RunState,
    origin: Origin,
    from: String,
    source: String,
    to: &str,
    readable: &str,
    opts: Map,
) -> Res {
    let opts = Options::new("copy_snapshot", opts, &["description", "tags"])?;
    let call = Call::CopySnapshot(ops::CopySnapshot {
        region: to.to_string(),
        source_region: from.clone(),
        source_snapshot: source.clone(),
        description: opts
            .string("description")?
            .unwrap_or_else(|| format!("Copy of {source} from {from} created on {readable}")),
        tags: opts.string_map("tags")?,
    });
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "CopySnapshot")?;
    Ok(Dynamic::from(Handle(Target::EbsSnapshot {
        name: id,
        region: to.to_string(),
    })))
}

/// `restore_volume(ebs_snapshot, az [, opts])`.
pub fn restore_volume(st: &mut RunState, origin: Origin, h: &Handle, az: &str, opts: Map) -> Res {
    expect_kind("restore_volume", h, &[ResourceKind::EbsSnapshot])?;
    let opts = Options::new("restore_volume", opts, &["name", "tags"])?;
    let region = region_of(h);
    if !az.starts_with(&region) {
        return Err(Failure::invalid(format!(
            "availability zone {az} is not in the snapshot's region {region}"
        ))
        .with_help("copy the snapshot to the zone's region first: copy_snapshot(snap, region)"));
    }
    let mut tags = opts.string_map("tags")?;
    if let Some(name) = opts.string("name")? {
        tags.insert("Name".to_string(), name);
    }
    let call = Call::CreateVolume(ops::CreateVolume {
        region: region.clone(),
        snapshot: h.0.name().to_string(),
        availability_zone: az.to_string(),
        tags,
    });
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "CreateVolume")?;
    Ok(Dynamic::from(Handle(Target::Volume { name: id, region })))
}
