//! Route 53: record sets (`flip_dns`, `flip_dns_batch`) and health checks.

use super::{created, expect_kind, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Array, Dynamic, Map};
use ripcord_core::{ops, AliasTarget, Call, Origin, RecordChange, RecordSet, ResourceKind, Target};

/// The options `flip_dns` takes, and each change of `flip_dns_batch` beside its `record`.
const FLIP_OPTIONS: &[&str] = &[
    "values",
    "ttl",
    "alias",
    "failover",
    "weight",
    "health_check",
];

/// `flip_dns(record, #{values, ttl} | #{alias}, failover, weight, health_check)`: a batch of
/// one UPSERT.
pub fn flip_dns(st: &mut RunState, origin: Origin, h: &Handle, opts: Map) -> Res {
    let (zone, record_set) = upsert_of("flip_dns", h, opts)?;
    let call = Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets::one(
        &zone, "UPSERT", record_set,
    ));
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "ChangeResourceRecordSets")?;
    Ok(Dynamic::from(Handle(Target::DnsChange { name: id })))
}

/// `flip_dns_batch([#{ record, values, ttl } | #{ record, alias }, ...])`: the UPSERTs of
/// records of one hosted zone as one change batch, which Route 53 applies atomically and
/// answers with one change id (split into several requests only above its limits per
/// request, which the plan says).
pub fn flip_dns_batch(st: &mut RunState, origin: Origin, changes: Array) -> Res {
    if changes.is_empty() {
        return Err(
            Failure::invalid("`flip_dns_batch` needs at least one change").with_help(
                "flip_dns_batch([#{ record: rec, values: [\"203.0.113.10\"], ttl: 60 }, ...])",
            ),
        );
    }
    let mut zone: Option<String> = None;
    let mut batch = Vec::with_capacity(changes.len());
    for (i, item) in changes.into_iter().enumerate() {
        let type_name = item.type_name();
        let Some(mut map) = item.try_cast::<Map>() else {
            return Err(Failure::invalid(format!(
                "change {} of `flip_dns_batch` must be an object map like #{{ record: rec, values: [...] }}, found {type_name}",
                i + 1
            )));
        };
        let record = map
            .remove("record")
            .and_then(|r| r.try_cast::<Handle>())
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "change {} of `flip_dns_batch` needs `record`, a record handle",
                    i + 1
                ))
                .with_help("#{ record: record(zone, name, type), values: [...], ttl: 60 }")
            })?;
        let (record_zone, record_set) = upsert_of("flip_dns_batch", &record, map)?;
        match &zone {
            None => zone = Some(record_zone),
            Some(first) if *first != record_zone => {
                return Err(Failure::invalid(format!(
                    "`flip_dns_batch` changes one hosted zone, {first}; change {} is in {record_zone}",
                    i + 1
                ))
                .with_help("Route 53 batches changes per hosted zone: call flip_dns_batch once per zone"));
            }
            Some(_) => {}
        }
        batch.push(RecordChange {
            action: "UPSERT".to_string(),
            record_set,
        });
    }
    let call = Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets {
        hosted_zone: zone.unwrap_or_default(),
        changes: batch,
    });
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "ChangeResourceRecordSets")?;
    Ok(Dynamic::from(Handle(Target::DnsChange { name: id })))
}

/// The record set an UPSERT of `h` with `flip_dns`'s options makes, and its zone.
fn upsert_of(
    primitive: &'static str,
    h: &Handle,
    opts: Map,
) -> Result<(String, RecordSet), Failure> {
    expect_kind(primitive, h, &[ResourceKind::Record])?;
    let Target::Record {
        zone,
        name,
        rtype,
        set_id,
    } = &h.0
    else {
        return Err(Failure::invalid(format!(
            "`{primitive}` takes a record handle"
        )));
    };
    let opts = Options::new(primitive, opts, FLIP_OPTIONS)?;
    let values = opts.strings("values")?.unwrap_or_default();
    let alias = match opts.map("alias")? {
        None => None,
        Some(map) => {
            let alias = Options::new(
                "flip_dns alias",
                map,
                &["zone_id", "dns_name", "evaluate_target_health"],
            )?;
            Some(AliasTarget {
                hosted_zone_id: alias.string("zone_id")?.ok_or_else(|| {
                    Failure::invalid("`alias` needs `zone_id` (the target's hosted zone id)")
                })?,
                dns_name: alias
                    .string("dns_name")?
                    .ok_or_else(|| Failure::invalid("`alias` needs `dns_name`"))?,
                evaluate_target_health: alias.bool("evaluate_target_health")?.unwrap_or(true),
            })
        }
    };
    if values.is_empty() == alias.is_none() {
        return Err(Failure::invalid(format!("`{primitive}` needs either `values` or `alias`, not both"))
            .with_help("flip_dns(rec, #{ values: [\"203.0.113.10\"], ttl: 60 }) or flip_dns(rec, #{ alias: #{ zone_id, dns_name } })"));
    }
    let ttl = opts.int("ttl")?;
    if alias.is_some() && ttl.is_some() {
        return Err(Failure::invalid(
            "an alias record has no `ttl` (Route 53 uses the target's)",
        ));
    }
    // Route 53 checks the range (0 to 255) and the routing policy; the simulation says so in
    // its words, before apply.
    let weight = opts.int("weight")?;
    let failover = opts.string("failover")?.map(|f| f.to_ascii_uppercase());
    if let Some(f) = &failover {
        if f != "PRIMARY" && f != "SECONDARY" {
            return Err(Failure::invalid(format!(
                "`failover` is PRIMARY or SECONDARY, not {f}"
            )));
        }
    }
    let health_check = match opts.handle("health_check")? {
        Some(hc) => {
            expect_kind("flip_dns health_check", &hc, &[ResourceKind::HealthCheck])?;
            Some(hc.0.name().to_string())
        }
        None => None,
    };
    Ok((
        zone.clone(),
        RecordSet {
            name: name.clone(),
            rtype: rtype.clone(),
            set_identifier: set_id.clone(),
            failover,
            weight,
            ttl: if alias.is_none() {
                Some(ttl.unwrap_or(300))
            } else {
                None
            },
            values,
            alias_target: alias,
            health_check,
        },
    ))
}

/// `set_weight(record, weight)`: an UPSERT of the weighted record set as it is now (values or
/// alias, TTL, health check, read from the world) with the new weight.
pub fn set_weight(st: &mut RunState, origin: Origin, h: &Handle, weight: i64) -> Res {
    expect_kind("set_weight", h, &[ResourceKind::Record])?;
    let Target::Record {
        zone,
        name,
        rtype,
        set_id,
    } = &h.0
    else {
        return Err(Failure::invalid("`set_weight` takes a record handle"));
    };
    let Some(set_id) = set_id else {
        return Err(Failure::invalid(format!(
            "`set_weight` needs a weighted record set, addressed with its set identifier; {h} has none"
        ))
        .with_help(format!(
            "record(zone(\"{zone}\"), \"{name}\", \"{rtype}\", \"SET_ID\")"
        )));
    };
    let Some(now) = st.query(ripcord_core::Query::Describe {
        target: h.0.clone(),
    })?
    else {
        return Err(Failure::invalid(format!("{h} does not exist"))
            .with_code(crate::codes::NOT_FOUND)
            .with_help("set_weight changes an existing weighted record set; create it with flip_dns(rec, #{ values, ttl, weight })"));
    };
    let now: ripcord_core::inventory::RecordSet = serde_json::from_value(now)
        .map_err(|e| Failure::invalid(format!("cannot read the record set {h}: {e}")))?;
    let record_set = RecordSet {
        name: name.clone(),
        rtype: rtype.clone(),
        set_identifier: Some(set_id.clone()),
        weight: Some(weight),
        ..RecordSet::from_inventory(now)
    };
    let call = Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets::one(
        zone, "UPSERT", record_set,
    ));
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "ChangeResourceRecordSets")?;
    Ok(Dynamic::from(Handle(Target::DnsChange { name: id })))
}

/// `disable_health_check(hc)` / `enable_health_check(hc)`.
pub fn set_health_check(st: &mut RunState, origin: Origin, h: &Handle, disabled: bool) -> Res {
    let primitive = if disabled {
        "disable_health_check"
    } else {
        "enable_health_check"
    };
    expect_kind(primitive, h, &[ResourceKind::HealthCheck])?;
    st.execute(
        Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: h.0.name().to_string(),
            disabled: Some(disabled),
            inverted: None,
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `invert_health_check(hc [, inverted])`: Route 53 then reports the opposite of what the check
/// measures, so a healthy PRIMARY's records are failed away from.
pub fn invert_health_check(st: &mut RunState, origin: Origin, h: &Handle, inverted: bool) -> Res {
    expect_kind("invert_health_check", h, &[ResourceKind::HealthCheck])?;
    st.execute(
        Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: h.0.name().to_string(),
            disabled: None,
            inverted: Some(inverted),
        }),
        origin,
    )?;
    Ok(Dynamic::UNIT)
}
