//! `snapshot` and `copy_snapshot`: one primitive each over EBS and RDS, sent on to `ec2.rs` or
//! `rds.rs` by the handle's kind.

use super::{check_region_name, ec2, expect_kind, rds, region_of, stamp, Res};
use crate::handle::Handle;
use crate::state::RunState;
use rhai::Map;
use ripcord_core::{Origin, ResourceKind};

/// `snapshot(volume | db_instance | db_cluster [, opts])`.
pub fn snapshot(st: &mut RunState, origin: Origin, h: &Handle, opts: Map) -> Res {
    expect_kind(
        "snapshot",
        h,
        &[
            ResourceKind::Volume,
            ResourceKind::DbInstance,
            ResourceKind::DbCluster,
        ],
    )?;
    let region = region_of(h);
    let name = h.0.name().to_string();
    let (compact, readable) = stamp(st)?;
    match h.kind() {
        ResourceKind::Volume => ec2::snapshot_volume(st, origin, region, name, &readable, opts),
        kind => rds::snapshot_db(st, origin, kind, region, name, &compact, opts),
    }
}

/// `copy_snapshot(snapshot, region [, opts])`.
pub fn copy_snapshot(st: &mut RunState, origin: Origin, h: &Handle, to: &str, opts: Map) -> Res {
    expect_kind(
        "copy_snapshot",
        h,
        &[
            ResourceKind::EbsSnapshot,
            ResourceKind::DbSnapshot,
            ResourceKind::DbClusterSnapshot,
        ],
    )?;
    check_region_name(to)?;
    let from = region_of(h);
    let source = h.0.name().to_string();
    let (_, readable) = stamp(st)?;
    match h.kind() {
        ResourceKind::EbsSnapshot => {
            ec2::copy_ebs_snapshot(st, origin, from, source, to, &readable, opts)
        }
        kind => rds::copy_db_snapshot(st, origin, kind, from, source, to, opts),
    }
}
