//! DynamoDB global tables: `add_replica`, `remove_replica`, `require_replica`.

use super::{check_region_name, expect_kind, region_of, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::{ops, Call, CheckSpec, Origin, ResourceKind};

/// `add_replica(table, region)` / `remove_replica(table, region)`: one UpdateTable with one
/// replica change, sent to the table's region.
pub fn replica(st: &mut RunState, origin: Origin, h: &Handle, region: &str, create: bool) -> Res {
    let primitive = if create {
        "add_replica"
    } else {
        "remove_replica"
    };
    expect_kind(primitive, h, &[ResourceKind::Table])?;
    check_region_name(region)?;
    let home = region_of(h);
    if home == region {
        return Err(Failure::invalid(format!(
            "`{primitive}` names the region the request is sent to ({region}), not another one"
        ))
        .with_help(format!(
            "send it to a region that keeps its replica: {primitive}(table(\"{}\", OTHER_REGION), \"{region}\")",
            h.0.name()
        )));
    }
    st.execute(
        Call::UpdateTable(ops::UpdateTable::replica(&home, h.0.name(), create, region)),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `require_replica(table, region)`: stops the run unless the table, read in its own region,
/// has an ACTIVE replica in `region`.
pub fn require_replica(st: &mut RunState, origin: Origin, h: &Handle, region: &str) -> Res {
    expect_kind("require_replica", h, &[ResourceKind::Table])?;
    check_region_name(region)?;
    st.check(
        CheckSpec::TableReplica {
            table: h.0.name().to_string(),
            region: region_of(h),
            replica_region: region.to_string(),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}
