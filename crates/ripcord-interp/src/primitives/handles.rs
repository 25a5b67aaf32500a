//! Handle constructors: `asg(name, region)`, `zone(name)`, `record(zone, name, type)`, ...
//! They check names and reach no backend; a handle is checked against the world when a
//! primitive uses it.

use super::{check_region_name, expect_kind};
use crate::failure::Failure;
use crate::handle::Handle;
use ripcord_core::{ResourceKind, Target};

/// A handle constructor: checks the name (and region) before making the handle.
pub fn make(kind: ResourceKind, name: &str, region: Option<&str>) -> Result<Handle, Failure> {
    if name.trim().is_empty() {
        return Err(Failure::invalid(format!(
            "`{}` needs a non-empty name",
            kind.constructor()
        )));
    }
    if let Some(region) = region {
        check_region_name(region)?;
    }
    let target = Target::new(kind, name, region)
        .ok_or_else(|| {
            Failure::invalid(
                "records are made with record(zone, name, type), ECS services with ecs_service(cluster, name, region)",
            )
        })?;
    Ok(Handle(target))
}

/// `ecs_service(cluster, name, region)`.
pub fn make_ecs_service(cluster: &str, name: &str, region: &str) -> Result<Handle, Failure> {
    if cluster.trim().is_empty() || name.trim().is_empty() {
        return Err(
            Failure::invalid("`ecs_service` needs a non-empty cluster and service name")
                .with_help("ecs_service(\"web-cluster\", \"web\", \"us-west-2\")"),
        );
    }
    check_region_name(region)?;
    Ok(Handle(Target::EcsService {
        cluster: cluster.to_string(),
        name: name.to_string(),
        region: region.to_string(),
    }))
}

/// `record(zone, name, type[, set_id])`.
pub fn make_record(
    zone: &Handle,
    name: &str,
    rtype: &str,
    set_id: Option<&str>,
) -> Result<Handle, Failure> {
    expect_kind("record", zone, &[ResourceKind::Zone])?;
    const TYPES: &[&str] = &[
        "A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "CAA", "PTR", "SPF", "NAPTR", "DS",
    ];
    let upper = rtype.to_ascii_uppercase();
    if !TYPES.contains(&upper.as_str()) {
        return Err(
            Failure::invalid(format!("`{rtype}` is not a Route 53 record type"))
                .with_help(format!("record types: {}", TYPES.join(", "))),
        );
    }
    if name.trim().is_empty() {
        return Err(Failure::invalid("`record` needs a non-empty record name"));
    }
    Ok(Handle(Target::Record {
        zone: zone.0.name().to_string(),
        name: name.trim_end_matches('.').to_string(),
        rtype: upper,
        set_id: set_id.map(str::to_string),
    }))
}
