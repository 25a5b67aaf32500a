//! Queries: read the world (the inventory in a dry-run, AWS when live), never change it.

use super::{expect_kind, region_of, Res};
use crate::codes;
use crate::failure::Failure;
use crate::handle::Handle;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::{Query, ResourceKind, Target};

/// `describe(h)`: the resource as an object map, or `()`.
pub fn describe(st: &mut RunState, h: &Handle) -> Res {
    match st.query(Query::Describe {
        target: h.0.clone(),
    })? {
        None => Ok(Dynamic::UNIT),
        Some(value) => to_dynamic(&value),
    }
}

fn to_dynamic(value: &serde_json::Value) -> Res {
    rhai::serde::to_dynamic(value)
        .map_err(|e| Failure::invalid(format!("cannot convert the description: {e}")))
}

/// One field of a resource's description; the resource must exist.
pub fn field(st: &mut RunState, h: &Handle, query: &str, kinds: &[ResourceKind], key: &str) -> Res {
    expect_kind(query, h, kinds)?;
    let Some(value) = st.query(Query::Describe {
        target: h.0.clone(),
    })?
    else {
        return Err(not_found(h));
    };
    match value.get(key) {
        None | Some(serde_json::Value::Null) => Ok(Dynamic::UNIT),
        Some(v) => to_dynamic(v),
    }
}

fn not_found(h: &Handle) -> Failure {
    Failure::invalid(format!("{h} does not exist"))
        .with_code(codes::NOT_FOUND)
        .with_help("check the name and region against the inventory, or test with exists(h) first")
}

/// `latest_snapshot(h)`: the newest snapshot's handle, or `()`.
pub fn latest_snapshot(st: &mut RunState, h: &Handle) -> Res {
    let Some((snapshot, _)) = newest(st, h, "latest_snapshot")? else {
        return Ok(Dynamic::UNIT);
    };
    Ok(Dynamic::from(snapshot))
}

/// `snapshot_age(h)`: seconds since the newest snapshot started, or `()`.
pub fn snapshot_age(st: &mut RunState, h: &Handle) -> Res {
    let Some((_, taken)) = newest(st, h, "snapshot_age")? else {
        return Ok(Dynamic::UNIT);
    };
    let now = st.backend()?.now();
    let age = now.as_second() - taken.as_second();
    Ok(Dynamic::from(age.max(0)))
}

fn newest(
    st: &mut RunState,
    h: &Handle,
    query: &str,
) -> Result<Option<(Handle, jiff::Timestamp)>, Failure> {
    expect_kind(
        query,
        h,
        &[
            ResourceKind::Volume,
            ResourceKind::DbInstance,
            ResourceKind::DbCluster,
        ],
    )?;
    let Some(value) = st.query(Query::LatestSnapshot {
        target: h.0.clone(),
    })?
    else {
        return Ok(None);
    };
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let id = text("id").unwrap_or_default();
    let region = region_of(h);
    let (target, time) = match h.kind() {
        ResourceKind::Volume => (Target::EbsSnapshot { name: id, region }, text("start_time")),
        ResourceKind::DbInstance => (Target::DbSnapshot { name: id, region }, text("created_at")),
        _ => (
            Target::DbClusterSnapshot { name: id, region },
            text("created_at"),
        ),
    };
    let time = time
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .ok_or_else(|| {
            Failure::invalid("the backend reported a snapshot without a time")
                .with_code(codes::BACKEND)
        })?;
    Ok(Some((Handle(target), time)))
}

/// `writer(global)`: the writer cluster of a global database, or `()`.
pub fn writer(st: &mut RunState, h: &Handle) -> Res {
    expect_kind("writer", h, &[ResourceKind::GlobalCluster])?;
    let Some(value) = st.query(Query::Describe {
        target: h.0.clone(),
    })?
    else {
        return Err(not_found(h));
    };
    let members = value
        .get("members")
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default();
    for member in members {
        if member.get("writer").and_then(|w| w.as_bool()) == Some(true) {
            let name = member
                .get("cluster")
                .and_then(|c| c.as_str())
                .unwrap_or_default();
            let region = member
                .get("region")
                .and_then(|c| c.as_str())
                .unwrap_or_default();
            return Ok(Dynamic::from(Handle(Target::DbCluster {
                name: name.to_string(),
                region: region.to_string(),
            })));
        }
    }
    Ok(Dynamic::UNIT)
}

/// `reachable(region)`: whether the region answers. A region outside the declared ones is
/// refused as any other use of it would be.
pub fn reachable(st: &mut RunState, region: &str) -> Res {
    st.check_region(Some(region))?;
    let answer = st.query(Query::Reachable {
        region: region.to_string(),
    })?;
    Ok(Dynamic::from(
        answer.and_then(|v| v.as_bool()).unwrap_or(true),
    ))
}
