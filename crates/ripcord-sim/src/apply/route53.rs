//! Route 53: ChangeResourceRecordSets (a batch of UPSERT/CREATE changes of one zone, applied
//! atomically; DELETEs checked, not applied) and UpdateHealthCheck.

use super::{resolved, Apply, Cx};
use crate::backend::SimBackend;
use crate::estimates::Est;
use crate::render::{alias, diff, list};
use crate::state::{dns_name, record_key, DnsChange};
use ripcord_core::inventory::{Alias, RecordSet as StoredRecord};
use ripcord_core::ops;
use ripcord_core::{BackendError, Change, Outcome, RecordChange, RecordSet};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Record types Route 53 accepts.
const RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV",
    "SSHFP", "SVCB", "TLSA", "TXT",
];

/// How Route 53 names a change in its messages.
fn change_label(action: &str, record: &RecordSet) -> String {
    format!(
        "[Action={action}, Name={}, Type={}, SetIdentifier={}]",
        record.name,
        record.rtype,
        record.set_identifier.as_deref().unwrap_or("null")
    )
}

/// One change checked against the zone: where it goes, what it stores, what it changes.
struct Checked {
    key: String,
    stored: StoredRecord,
    changes: Vec<Change>,
}

/// A whole batch, atomically as Route 53 does it: every change is checked (and the limits of
/// each request the batch goes out as) before any is applied, so one bad change applies none.
fn change_record_sets(
    sim: &mut SimBackend,
    cx: Cx,
    batch: &ops::ChangeResourceRecordSets,
) -> Result<Outcome, BackendError> {
    let hosted_zone = batch.hosted_zone.as_str();
    let (zi, chosen) = sim.world.zone(cx.op, hosted_zone)?;
    if batch.changes.is_empty() {
        return Err(cx
            .op
            .rejected(
                "InvalidInput",
                "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
            )
            .with_help("a batch needs at least one change"));
    }
    for request in batch.requests() {
        if let Some(message) = ops::over_request_limits(&batch.changes[request]) {
            return Err(cx
                .op
                .rejected("InvalidChangeBatch", format!("[{message}]"))
                .with_help(format!(
                    "one record set alone is over Route 53's limits per request ({} values, {} characters, an UPSERT's counted twice)",
                    ops::MAX_RECORD_ELEMENTS,
                    ops::MAX_VALUE_CHARS
                )));
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut checked = Vec::with_capacity(batch.changes.len());
    for change in &batch.changes {
        let one = check_change(sim, cx, zi, change)?;
        if !seen.insert(one.key.clone()) {
            let record = &change.record_set;
            return Err(cx
                .op
                .rejected(
                    "InvalidChangeBatch",
                    format!(
                        "[The request contains an invalid set of changes for a resource record set '{} {}.']",
                        record.rtype.to_ascii_uppercase(),
                        dns_name(&record.name)
                    ),
                )
                .with_help("a batch changes each record set once; remove the second change of it"));
        }
        checked.push(one);
    }
    check_routing_policies(cx, sim.world.zones.at(zi), &checked)?;
    let zone = sim.world.zones.at(zi);
    let zone_id = zone.id.clone();
    let mut warnings = Vec::new();
    if chosen {
        warnings.push(format!(
            "a public and a private hosted zone are both named {}; the change goes to the public one ({zone_id})",
            dns_name(&zone.name)
        ));
    }
    // A batch of one change reads as flip_dns always did; in a larger one each line names
    // its record.
    let labelled = batch.changes.len() > 1;
    let mut changes = Vec::new();
    let records = &mut sim.world.zones.at_mut(zi).records;
    for (one, change) in checked.into_iter().zip(&batch.changes) {
        if labelled {
            let label = change.label();
            changes.extend(one.changes.into_iter().map(|c| Change {
                field: format!("{label} {}", c.field),
                ..c
            }));
        } else {
            changes.extend(one.changes);
        }
        records.upsert(one.key, one.stored);
    }
    let changes_table = &sim.world.changes;
    let id = sim.ids.change(|id| changes_table.find(id).is_some());
    let until = cx.done.saturating_add(sim.estimates.get(Est::DnsInSync));
    sim.world.changes.upsert(id.clone(), DnsChange { until });
    Ok(Outcome {
        resolved: resolved(hosted_zone, &zone_id),
        creates: Some(id),
        changes,
        warnings,
        ..Outcome::default()
    })
}

/// The routing policy a record set declares (of those ripcord sends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Routing {
    Simple,
    One(&'static str),
    Several,
}

fn routing(failover: bool, weight: bool) -> Routing {
    match (failover, weight) {
        (true, true) => Routing::Several,
        (true, false) => Routing::One("failover"),
        (false, true) => Routing::One("weighted"),
        (false, false) => Routing::Simple,
    }
}

fn routing_policy(record: &RecordSet) -> Routing {
    routing(record.failover.is_some(), record.weight.is_some())
}

fn stored_policy(record: &StoredRecord) -> &'static str {
    match routing(record.failover.is_some(), record.weight.is_some()) {
        Routing::One(policy) => policy,
        _ => "simple",
    }
}

/// Route 53 keeps one routing policy per name and type: a weighted set beside a simple record
/// or a failover set is refused, with its wording (kubernetes-sigs/external-dns issue 3141).
/// Each change is judged against the zone as the earlier changes of the batch leave it; all
/// the conflicts are reported together, as Route 53 does.
fn check_routing_policies(
    cx: Cx,
    zone: &crate::state::ZoneState,
    checked: &[Checked],
) -> Result<(), BackendError> {
    let name_type = |r: &StoredRecord| (dns_name(&r.name), r.rtype.to_ascii_uppercase());
    let touched: HashSet<(String, String)> = checked.iter().map(|c| name_type(&c.stored)).collect();
    // (name, type) -> set key -> policy, for the names the batch touches.
    let mut sets: HashMap<(String, String), BTreeMap<String, &'static str>> = HashMap::new();
    for record in zone.records.iter() {
        let at = name_type(record);
        if touched.contains(&at) {
            let key = record_key(&record.name, &record.rtype, record.set_id.as_deref());
            sets.entry(at)
                .or_default()
                .insert(key, stored_policy(record));
        }
    }
    let mut errors = Vec::new();
    for one in checked {
        let record = &one.stored;
        let policy = stored_policy(record);
        let entry = sets.entry(name_type(record)).or_default();
        let others: BTreeSet<&str> = entry
            .iter()
            .filter(|(key, p)| **key != one.key && **p != policy)
            .map(|(_, p)| *p)
            .collect();
        let Some(other) = others.first() else {
            entry.insert(one.key.clone(), policy);
            continue;
        };
        let mut at = format!(
            "RRSet with DNS name {}., type {}",
            record.name.trim_end_matches('.'),
            record.rtype
        );
        if let Some(set_id) = &record.set_id {
            at = format!("{at}, SetIdentifier {set_id}");
        }
        errors.push(if policy == "simple" {
            format!("{at} cannot be created as {other} sets exist with the same name and type.")
        } else {
            format!(
                "{at} cannot be created as a non-{policy} set exists with the same name and type."
            )
        });
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(cx
        .op
        .rejected("InvalidChangeBatch", format!("[{}]", errors.join(", ")))
        .with_help("every record set of one name and type has the same routing policy (simple, weighted or failover)"))
}

/// Checks one change of a batch like Route 53, against the zone as it is before the batch.
fn check_change(
    sim: &SimBackend,
    cx: Cx,
    zi: usize,
    change: &RecordChange,
) -> Result<Checked, BackendError> {
    let record = &change.record_set;
    let action = change.action.to_ascii_uppercase();
    if !matches!(action.as_str(), "UPSERT" | "CREATE" | "DELETE") {
        return Err(cx.op.rejected(
            "InvalidInput",
            format!("Invalid request: Value '{action}' at 'changeBatch.changes.member.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]"),
        ));
    }
    let label = change_label(&action, record);
    let invalid_input = |message: String, help: &str| {
        cx.op
            .rejected("InvalidInput", format!("Invalid request: {message}"))
            .with_help(help.to_string())
    };
    let zone = sim.world.zones.at(zi);
    let name = dns_name(&record.name);
    let zone_name = dns_name(&zone.name);
    if name != zone_name && !name.ends_with(&format!(".{zone_name}")) {
        return Err(cx
            .op
            .rejected(
                "InvalidChangeBatch",
                format!("[RRSet with DNS name {name}. is not permitted in zone {zone_name}.]"),
            )
            .with_help(format!(
                "record names in {zone_name} end in .{zone_name}; is the record in another zone?"
            )));
    }
    let rtype = record.rtype.to_ascii_uppercase();
    if !RECORD_TYPES.contains(&rtype.as_str()) {
        return Err(invalid_input(
            format!("Value '{}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [{}]", record.rtype, RECORD_TYPES.join(", ")),
            "use a DNS record type such as A, AAAA or CNAME",
        ));
    }
    // The XML schema's range of Weight, in its words.
    if let Some(weight) = record.weight.filter(|w| !(0..=255).contains(w)) {
        let (facet, bound) = if weight > 255 {
            ("maxInclusive", 255)
        } else {
            ("minInclusive", 0)
        };
        return Err(cx
            .op
            .rejected(
                "InvalidInput",
                format!("Invalid XML ; cvc-{facet}-valid: Value '{weight}' is not facet-valid with respect to {facet} '{bound}' for type 'ResourceRecordSetWeight'."),
            )
            .with_help("a weight is 0 to 255; 0 takes the set out of rotation while another set of the name has a weight above 0"));
    }
    if let Some(failover) = record
        .failover
        .as_deref()
        .filter(|f| *f != "PRIMARY" && *f != "SECONDARY")
    {
        return Err(invalid_input(
            format!("Value '{failover}' at 'failover' failed to satisfy constraint: Member must satisfy enum value set: [PRIMARY, SECONDARY] in Change with {label}"),
            "failover is \"PRIMARY\" or \"SECONDARY\"",
        ));
    }
    match (routing_policy(record), &record.set_identifier) {
        (Routing::Several, _) => {
            return Err(invalid_input(
                format!("Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found more than one in Change with {label}"),
                "a record set has one routing policy: failover or weight, not both",
            ));
        }
        (Routing::One(policy), None) => {
            return Err(invalid_input(
                format!("Missing field 'SetIdentifier' in Change with {label}"),
                &format!(
                    "{policy} records need a set identifier: record(zone, name, type, set_id)"
                ),
            ));
        }
        (Routing::Simple, Some(_)) => {
            return Err(invalid_input(
                format!("Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in Change with {label}"),
                "a record with a set identifier needs a routing policy; flip_dns sets failover: \"PRIMARY\"/\"SECONDARY\" or weight: 0 to 255",
            ));
        }
        _ => {}
    }
    let has_alias = record.alias_target.is_some();
    let has_values = !record.values.is_empty();
    let has_ttl = record.ttl.is_some();
    let shape = match (has_alias, has_values, has_ttl) {
        (true, false, false) | (false, true, true) => None,
        (true, _, _) => Some(("more than one", "an alias record has no values and no ttl")),
        (false, true, false) => Some(("none", "a record with values needs a ttl")),
        (false, false, _) => Some(("none", "give values and a ttl, or an alias")),
    };
    if let Some((found, help)) = shape {
        return Err(invalid_input(
            format!("Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found {found} in Change with {label}"),
            help,
        ));
    }
    if let Some(ttl) = record.ttl.filter(|t| !(0..=2_147_483_647).contains(t)) {
        return Err(invalid_input(
            format!("Value '{ttl}' at 'TTL' failed to satisfy constraint: Member must have value between 0 and 2147483647"),
            "TTL is in seconds, 0 to 2147483647",
        ));
    }
    if rtype == "CNAME" {
        if name == zone_name {
            return Err(cx
                .op
                .rejected(
                    "InvalidChangeBatch",
                    format!("[RRSet of type CNAME with DNS name {name}. is not permitted at apex in zone {zone_name}.]"),
                )
                .with_help("use an alias record (A/AAAA) at the zone apex"));
        }
        if record.values.len() > 1 {
            return Err(cx
                .op
                .rejected(
                    "InvalidChangeBatch",
                    format!(
                        "[RRSet of type CNAME with DNS name {name}. contains more than one value.]"
                    ),
                )
                .with_help("a CNAME has exactly one value"));
        }
    }
    let health_check = match &record.health_check {
        Some(check) => {
            let at = sim.world.health_check(cx.op, check)?;
            Some(sim.world.health_checks.at(at).id.clone())
        }
        None => None,
    };
    let key = record_key(&record.name, &rtype, record.set_identifier.as_deref());
    let existing = zone.records.get(&key);
    if action == "CREATE" && existing.is_some() {
        return Err(cx
            .op
            .rejected(
                "InvalidChangeBatch",
                format!("[Tried to create resource record set [name='{name}.', type='{rtype}'] but it already exists]"),
            )
            .with_help("UPSERT replaces an existing record"));
    }
    let stored = StoredRecord {
        name: existing.map_or_else(
            || record.name.trim_end_matches('.').to_string(),
            |e| e.name.clone(),
        ),
        rtype: rtype.clone(),
        set_id: record.set_identifier.clone(),
        failover: record.failover.clone(),
        weight: record.weight,
        ttl: record.ttl,
        values: record.values.clone(),
        alias: record.alias_target.as_ref().map(|a| Alias {
            zone_id: a.hosted_zone_id.clone(),
            dns_name: a.dns_name.clone(),
            evaluate_target_health: a.evaluate_target_health,
        }),
        health_check,
    };
    if action == "DELETE" {
        let Some(existing) = existing else {
            return Err(cx
                .op
                .rejected(
                    "InvalidChangeBatch",
                    format!("[Tried to delete resource record set [name='{name}.', type='{rtype}'] but it was not found]"),
                )
                .with_help("a DELETE names a record set that exists"));
        };
        let same = existing.values == stored.values
            && existing.ttl == stored.ttl
            && existing.alias == stored.alias
            && existing.failover == stored.failover
            && existing.weight == stored.weight
            && existing.health_check == stored.health_check;
        if !same {
            return Err(cx
                .op
                .rejected(
                    "InvalidChangeBatch",
                    format!("[Tried to delete resource record set [name='{name}.', type='{rtype}'] but the values provided do not match the current values]"),
                )
                .with_help("a DELETE repeats the record set exactly as it is"));
        }
        // Nothing a runbook calls deletes a record set (the world's tables only grow): the
        // dry-run checks a DELETE like Route 53, then says it does not model it.
        return Err(cx
            .op
            .rejected(
                "UnsupportedAction",
                format!("the dry-run models UPSERT and CREATE changes, not DELETE ({label})"),
            )
            .with_help("flip_dns and flip_dns_batch send UPSERT"));
    }
    let mut changes = Vec::new();
    let before = |f: &dyn Fn(&StoredRecord) -> Option<String>| existing.and_then(f);
    diff(
        &mut changes,
        "Values",
        before(&|r| list(&r.values)),
        list(&stored.values),
    );
    diff(
        &mut changes,
        "AliasTarget",
        before(&|r| r.alias.as_ref().map(alias)),
        stored.alias.as_ref().map(alias),
    );
    diff(
        &mut changes,
        "TTL",
        before(&|r| r.ttl.map(|t| t.to_string())),
        stored.ttl.map(|t| t.to_string()),
    );
    diff(
        &mut changes,
        "Failover",
        before(&|r| r.failover.clone()),
        stored.failover.clone(),
    );
    diff(
        &mut changes,
        "Weight",
        before(&|r| r.weight.map(|w| w.to_string())),
        stored.weight.map(|w| w.to_string()),
    );
    diff(
        &mut changes,
        "HealthCheckId",
        before(&|r| r.health_check.clone()),
        stored.health_check.clone(),
    );
    Ok(Checked {
        key,
        stored,
        changes,
    })
}

fn update_health_check(
    sim: &mut SimBackend,
    cx: Cx,
    health_check: &str,
    disabled: Option<bool>,
    inverted: Option<bool>,
) -> Result<Outcome, BackendError> {
    let at = sim.world.health_check(cx.op, health_check)?;
    let check = sim.world.health_checks.at_mut(at);
    let mut changes = Vec::new();
    // Only the flags the call sets change, as in UpdateHealthCheck itself.
    let mut set = |field: &str, flag: &mut bool, to: Option<bool>| {
        if let Some(to) = to {
            diff(
                &mut changes,
                field,
                Some(flag.to_string()),
                Some(to.to_string()),
            );
            *flag = to;
        }
    };
    set("Disabled", &mut check.disabled, disabled);
    set("Inverted", &mut check.inverted, inverted);
    let id = check.id.clone();
    let now_inverted = check.inverted;
    let mut warnings = Vec::new();
    if disabled == Some(true) && !now_inverted {
        // Route 53 reports a disabled health check as healthy: disabling the check of a
        // PRIMARY failover record keeps traffic on the primary instead of failing over.
        // AWS's advice for stopping traffic to a resource is to invert the check, which
        // holds for a disabled one too: no warning once it is inverted.
        let primaries: Vec<String> = sim
            .world
            .zones
            .iter()
            .flat_map(|zone| zone.records.iter())
            .filter(|r| r.health_check.as_deref() == Some(id.as_str()))
            .filter(|r| r.failover.as_deref() == Some("PRIMARY"))
            .map(|r| format!("{} {}", r.name, r.rtype))
            .collect();
        if !primaries.is_empty() {
            warnings.push(format!(
                "Route 53 treats a disabled health check as healthy, so the PRIMARY record {} stays in service: this does not force failover (invert_health_check(...) does, or flip the record with flip_dns)",
                primaries.join(", ")
            ));
        }
    }
    Ok(Outcome {
        resolved: resolved(health_check, &id),
        changes,
        warnings,
        ..Outcome::default()
    })
}

impl Apply for ops::ChangeResourceRecordSets {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        change_record_sets(sim, cx, self)
    }
}

impl Apply for ops::UpdateHealthCheck {
    fn apply(&self, sim: &mut SimBackend, cx: Cx) -> Result<Outcome, BackendError> {
        update_health_check(sim, cx, &self.health_check, self.disabled, self.inverted)
    }
}
