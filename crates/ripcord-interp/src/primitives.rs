//! What each primitive does: checks its arguments, builds the AWS call and runs it as a step.

use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::duration::parse_duration;
use ripcord_core::{
    AliasTarget, Call, CheckSpec, Origin, Query, RecordSet, ReplicationRule, ResourceKind,
    RunbookMeta, Target, WaitSpec, WaitState,
};

/// The default `wait` timeout.
pub const DEFAULT_WAIT_TIMEOUT_SECS: u64 = 30 * 60;

type Res = Result<Dynamic, Failure>;

/// Refuses a handle of the wrong kind for a primitive.
pub fn expect_kind(
    primitive: &str,
    handle: &Handle,
    kinds: &[ResourceKind],
) -> Result<(), Failure> {
    if kinds.contains(&handle.kind()) {
        return Ok(());
    }
    let wanted: Vec<&str> = kinds.iter().map(|k| k.constructor()).collect();
    Err(Failure::invalid(format!(
        "`{primitive}` takes {} handle, not {handle}",
        article_list(&wanted)
    ))
    .with_code("ripcord::argument_type"))
}

fn article_list(words: &[&str]) -> String {
    let joined = match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let article = if joined.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {joined}")
}

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
    let (name, region) = (name.to_string(), region.unwrap_or_default().to_string());
    let target = match kind {
        ResourceKind::Asg => Target::Asg { name, region },
        ResourceKind::Volume => Target::Volume { name, region },
        ResourceKind::EbsSnapshot => Target::EbsSnapshot { name, region },
        ResourceKind::DbInstance => Target::DbInstance { name, region },
        ResourceKind::DbCluster => Target::DbCluster { name, region },
        ResourceKind::DbSnapshot => Target::DbSnapshot { name, region },
        ResourceKind::DbClusterSnapshot => Target::DbClusterSnapshot { name, region },
        ResourceKind::GlobalCluster => Target::GlobalCluster { name },
        ResourceKind::Zone => Target::Zone { name },
        ResourceKind::HealthCheck => Target::HealthCheck { name },
        ResourceKind::DnsChange => Target::DnsChange { name },
        ResourceKind::Topic => Target::Topic { name, region },
        ResourceKind::Bucket => Target::Bucket { name },
        ResourceKind::Record => {
            return Err(Failure::invalid(
                "records are made with record(zone, name, type)",
            ))
        }
    };
    Ok(Handle(target))
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

/// Catches `us-west2` and `US-WEST-2` before they become a NotFound much later.
fn check_region_name(region: &str) -> Result<(), Failure> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(
            Failure::invalid(format!("`{region}` is not an AWS region name"))
                .with_code("ripcord::region")
                .with_help("regions look like us-east-1, eu-west-2, ap-southeast-1"),
        )
    }
}

fn region_of(handle: &Handle) -> String {
    handle.0.region().unwrap_or_default().to_string()
}

/// `runbook(#{...})`.
pub fn declare(st: &mut RunState, map: Map) -> Result<(), Failure> {
    if st.meta.is_some() {
        return Err(Failure::invalid("`runbook(...)` is declared twice"));
    }
    if st.started {
        return Err(
            Failure::invalid("`runbook(...)` must come before the first primitive")
                .with_help("move the declaration to the top of the runbook"),
        );
    }
    let opts = Options::new(
        "runbook",
        map,
        &["name", "description", "rto", "rpo", "accounts", "regions"],
    )?;
    let regions = opts.strings("regions")?.unwrap_or_default();
    for region in &regions {
        check_region_name(region)?;
    }
    let accounts = opts.strings("accounts")?.unwrap_or_default();
    for account in &accounts {
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            return Err(Failure::invalid(format!(
                "`{account}` is not an AWS account id (12 digits)"
            )));
        }
    }
    st.meta = Some(RunbookMeta {
        name: opts.string("name")?,
        description: opts.string("description")?,
        rto_secs: opts.duration("rto")?,
        rpo_secs: opts.duration("rpo")?,
        accounts,
        regions,
    });
    Ok(())
}

fn stamp(st: &mut RunState) -> Result<(String, String), Failure> {
    let now = st.backend()?.now();
    Ok((
        now.strftime("%Y%m%d-%H%M%S").to_string(),
        now.strftime("%Y-%m-%d %H:%M:%S").to_string(),
    ))
}

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
        ResourceKind::Volume => {
            let opts = Options::new("snapshot", opts, &["description", "tags"])?;
            let description = opts
                .string("description")?
                .unwrap_or_else(|| format!("Backup of {name} created on {readable}"));
            let call = Call::CreateSnapshot {
                region: region.clone(),
                volume: name,
                description,
                tags: opts.string_map("tags")?,
            };
            let outcome = st.execute(call, origin)?;
            let id = created(&outcome.creates, "CreateSnapshot")?;
            Ok(Dynamic::from(Handle(Target::EbsSnapshot {
                name: id,
                region,
            })))
        }
        kind => {
            let opts = Options::new("snapshot", opts, &["id", "tags"])?;
            let id = opts
                .string("id")?
                .unwrap_or_else(|| format!("{name}-{compact}"));
            let tags = opts.string_map("tags")?;
            let (call, target) = if kind == ResourceKind::DbInstance {
                (
                    Call::CreateDbSnapshot {
                        region: region.clone(),
                        db_instance: name,
                        snapshot: id.clone(),
                        tags,
                    },
                    Target::DbSnapshot { name: id, region },
                )
            } else {
                (
                    Call::CreateDbClusterSnapshot {
                        region: region.clone(),
                        db_cluster: name,
                        snapshot: id.clone(),
                        tags,
                    },
                    Target::DbClusterSnapshot { name: id, region },
                )
            };
            st.execute(call, origin)?;
            Ok(Dynamic::from(Handle(target)))
        }
    }
}

fn created(creates: &Option<String>, operation: &str) -> Result<String, Failure> {
    creates.clone().ok_or_else(|| {
        Failure::invalid(format!(
            "the backend did not report the id {operation} created"
        ))
        .with_code("ripcord::backend")
    })
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
            let opts = Options::new("copy_snapshot", opts, &["description", "tags"])?;
            let call = Call::CopySnapshot {
                region: to.to_string(),
                source_region: from.clone(),
                source_snapshot: source.clone(),
                description: opts.string("description")?.unwrap_or_else(|| {
                    format!("Copy of {source} from {from} created on {readable}")
                }),
                tags: opts.string_map("tags")?,
            };
            let outcome = st.execute(call, origin)?;
            let id = created(&outcome.creates, "CopySnapshot")?;
            Ok(Dynamic::from(Handle(Target::EbsSnapshot {
                name: id,
                region: to.to_string(),
            })))
        }
        kind => {
            let opts = Options::new("copy_snapshot", opts, &["id"])?;
            let id = opts
                .string("id")?
                .unwrap_or_else(|| format!("{source}-{to}"));
            let (call, target) = if kind == ResourceKind::DbSnapshot {
                (
                    Call::CopyDbSnapshot {
                        region: to.to_string(),
                        source_region: from,
                        source_snapshot: source,
                        target_snapshot: id.clone(),
                    },
                    Target::DbSnapshot {
                        name: id,
                        region: to.to_string(),
                    },
                )
            } else {
                (
                    Call::CopyDbClusterSnapshot {
                        region: to.to_string(),
                        source_region: from,
                        source_snapshot: source,
                        target_snapshot: id.clone(),
                    },
                    Target::DbClusterSnapshot {
                        name: id,
                        region: to.to_string(),
                    },
                )
            };
            st.execute(call, origin)?;
            Ok(Dynamic::from(Handle(target)))
        }
    }
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
    let call = Call::CreateVolume {
        region: region.clone(),
        snapshot: h.0.name().to_string(),
        availability_zone: az.to_string(),
        tags,
    };
    let outcome = st.execute(call, origin)?;
    let id = created(&outcome.creates, "CreateVolume")?;
    Ok(Dynamic::from(Handle(Target::Volume { name: id, region })))
}

/// `restore_db(db_snapshot, new_id [, opts])`.
pub fn restore_db(st: &mut RunState, origin: Origin, h: &Handle, new_id: &str, opts: Map) -> Res {
    expect_kind("restore_db", h, &[ResourceKind::DbSnapshot])?;
    let opts = Options::new("restore_db", opts, &["instance_class", "multi_az"])?;
    let region = region_of(h);
    let call = Call::RestoreDbInstanceFromDbSnapshot {
        region: region.clone(),
        snapshot: h.0.name().to_string(),
        db_instance: new_id.to_string(),
        instance_class: opts.string("instance_class")?,
        multi_az: opts.bool("multi_az")?,
    };
    st.execute(call, origin)?;
    Ok(Dynamic::from(Handle(Target::DbInstance {
        name: new_id.to_string(),
        region,
    })))
}

/// `promote(db_instance)`: a read replica becomes a standalone instance.
pub fn promote_replica(st: &mut RunState, origin: Origin, h: &Handle) -> Res {
    expect_kind("promote", h, &[ResourceKind::DbInstance])?;
    st.execute(
        Call::PromoteReadReplica {
            region: region_of(h),
            db_instance: h.0.name().to_string(),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `promote(global, db_cluster)`: detach the cluster from the global database.
pub fn promote_global(st: &mut RunState, origin: Origin, global: &Handle, cluster: &Handle) -> Res {
    expect_kind("promote", global, &[ResourceKind::GlobalCluster])?;
    expect_kind("promote", cluster, &[ResourceKind::DbCluster])?;
    st.execute(
        Call::RemoveFromGlobalCluster {
            region: region_of(cluster),
            global_cluster: global.0.name().to_string(),
            db_cluster: cluster.0.name().to_string(),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `failover_global(global, db_cluster [, #{allow_data_loss}])` and `switchover_global`.
pub fn move_global_writer(
    st: &mut RunState,
    origin: Origin,
    global: &Handle,
    cluster: &Handle,
    switchover: bool,
    opts: Map,
) -> Res {
    let primitive = if switchover {
        "switchover_global"
    } else {
        "failover_global"
    };
    expect_kind(primitive, global, &[ResourceKind::GlobalCluster])?;
    expect_kind(primitive, cluster, &[ResourceKind::DbCluster])?;
    let (region, global_cluster, target) = (
        region_of(cluster),
        global.0.name().to_string(),
        cluster.0.name().to_string(),
    );
    let call = if switchover {
        Options::new(primitive, opts, &[])?;
        Call::SwitchoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster: target,
        }
    } else {
        let opts = Options::new(primitive, opts, &["allow_data_loss"])?;
        Call::FailoverGlobalCluster {
            region,
            global_cluster,
            target_db_cluster: target,
            allow_data_loss: opts.bool("allow_data_loss")?.unwrap_or(false),
        }
    };
    st.execute(call, origin)?;
    Ok(Dynamic::UNIT)
}

/// `force_failover(db_instance)`: the Multi-AZ failover test.
pub fn force_failover(st: &mut RunState, origin: Origin, h: &Handle) -> Res {
    expect_kind("force_failover", h, &[ResourceKind::DbInstance])?;
    st.execute(
        Call::RebootDbInstance {
            region: region_of(h),
            db_instance: h.0.name().to_string(),
            force_failover: true,
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `scale(asg, #{min, max, desired})`.
pub fn scale(st: &mut RunState, origin: Origin, h: &Handle, opts: Map) -> Res {
    expect_kind("scale", h, &[ResourceKind::Asg])?;
    let opts = Options::new("scale", opts, &["min", "max", "desired"])?;
    let (min, max, desired) = (opts.int("min")?, opts.int("max")?, opts.int("desired")?);
    if min.is_none() && max.is_none() && desired.is_none() {
        return Err(
            Failure::invalid("`scale` needs at least one of min, max, desired")
                .with_help("e.g. scale(web, #{ min: 4, max: 10, desired: 4 })"),
        );
    }
    for (key, value) in [("min", min), ("max", max), ("desired", desired)] {
        if let Some(v) = value.filter(|v| *v < 0) {
            return Err(Failure::invalid(format!(
                "`{key}` cannot be negative ({v})"
            )));
        }
    }
    let bad = |a: Option<i64>, b: Option<i64>| matches!((a, b), (Some(a), Some(b)) if a > b);
    if bad(min, desired) || bad(desired, max) || bad(min, max) {
        return Err(Failure::invalid(format!(
            "`scale` needs min <= desired <= max, got min {}, desired {}, max {}",
            show(min),
            show(desired),
            show(max)
        ))
        .with_help("Auto Scaling rejects a desired capacity outside [min, max]"));
    }
    st.execute(
        Call::UpdateAutoScalingGroup {
            region: region_of(h),
            auto_scaling_group_name: h.0.name().to_string(),
            min_size: min,
            max_size: max,
            desired_capacity: desired,
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

fn show(v: Option<i64>) -> String {
    v.map(|v| v.to_string())
        .unwrap_or_else(|| "(unchanged)".to_string())
}

/// `flip_dns(record, #{values, ttl} | #{alias}, failover, health_check)`.
pub fn flip_dns(st: &mut RunState, origin: Origin, h: &Handle, opts: Map) -> Res {
    expect_kind("flip_dns", h, &[ResourceKind::Record])?;
    let Target::Record {
        zone,
        name,
        rtype,
        set_id,
    } = &h.0
    else {
        return Err(Failure::invalid("`flip_dns` takes a record handle"));
    };
    let opts = Options::new(
        "flip_dns",
        opts,
        &["values", "ttl", "alias", "failover", "health_check"],
    )?;
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
        return Err(Failure::invalid("`flip_dns` needs either `values` or `alias`, not both")
            .with_help("flip_dns(rec, #{ values: [\"203.0.113.10\"], ttl: 60 }) or flip_dns(rec, #{ alias: #{ zone_id, dns_name } })"));
    }
    let ttl = opts.int("ttl")?;
    if alias.is_some() && ttl.is_some() {
        return Err(Failure::invalid(
            "an alias record has no `ttl` (Route 53 uses the target's)",
        ));
    }
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
    let call = Call::ChangeResourceRecordSets {
        hosted_zone: zone.clone(),
        action: "UPSERT".to_string(),
        record_set: RecordSet {
            name: name.clone(),
            rtype: rtype.clone(),
            set_identifier: set_id.clone(),
            failover,
            ttl: if alias.is_none() {
                Some(ttl.unwrap_or(300))
            } else {
                None
            },
            values,
            alias_target: alias,
            health_check,
        },
    };
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
        Call::UpdateHealthCheck {
            health_check: h.0.name().to_string(),
            disabled: Some(disabled),
            inverted: None,
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `invert_health_check(hc [, inverted])`: Route 53 then reports the opposite of what the check
/// measures, so a healthy PRIMARY's records are failed away from.
pub fn invert_health_check(st: &mut RunState, origin: Origin, h: &Handle, inverted: bool) -> Res {
    expect_kind("invert_health_check", h, &[ResourceKind::HealthCheck])?;
    st.execute(
        Call::UpdateHealthCheck {
            health_check: h.0.name().to_string(),
            disabled: None,
            inverted: Some(inverted),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `enable_replication(bucket, destination, #{role, rule_id, priority, rtc_minutes, delete_markers})`.
pub fn enable_replication(
    st: &mut RunState,
    origin: Origin,
    h: &Handle,
    destination: &str,
    opts: Map,
) -> Res {
    expect_kind("enable_replication", h, &[ResourceKind::Bucket])?;
    let opts = Options::new(
        "enable_replication",
        opts,
        &[
            "role",
            "rule_id",
            "priority",
            "rtc_minutes",
            "delete_markers",
        ],
    )?;
    let role = opts.string("role")?.ok_or_else(|| {
        Failure::invalid("`enable_replication` needs `role`, the IAM role S3 replicates as")
            .with_help("e.g. #{ role: \"arn:aws:iam::123456789012:role/replication-role\" }")
    })?;
    let rtc = match opts.int("rtc_minutes")? {
        None => Some(15),
        Some(0) => None,
        Some(15) => Some(15),
        Some(other) => {
            return Err(Failure::invalid(format!(
                "`rtc_minutes` is 15 (Replication Time Control) or 0 (off), not {other}"
            )))
        }
    };
    let call = Call::PutBucketReplication {
        bucket: h.0.name().to_string(),
        role,
        rule: ReplicationRule {
            id: opts
                .string("rule_id")?
                .unwrap_or_else(|| "ripcord-dr".to_string()),
            priority: opts.int("priority")?.unwrap_or(1),
            destination_bucket: destination.trim_start_matches("arn:aws:s3:::").to_string(),
            delete_marker_replication: opts.bool("delete_markers")?.unwrap_or(true),
            replication_time_minutes: rtc,
        },
    };
    st.execute(call, origin)?;
    Ok(Dynamic::UNIT)
}

/// `require_replication(bucket, region)`.
pub fn require_replication(st: &mut RunState, origin: Origin, h: &Handle, region: &str) -> Res {
    expect_kind("require_replication", h, &[ResourceKind::Bucket])?;
    check_region_name(region)?;
    st.check(
        CheckSpec::BucketReplication {
            bucket: h.0.name().to_string(),
            region: region.to_string(),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `notify(topic, subject, message)`.
pub fn notify(st: &mut RunState, origin: Origin, h: &Handle, subject: &str, message: &str) -> Res {
    expect_kind("notify", h, &[ResourceKind::Topic])?;
    if subject.is_empty() || subject.chars().count() > 100 {
        return Err(Failure::invalid(
            "an SNS subject must be 1 to 100 characters",
        ));
    }
    st.execute(
        Call::Publish {
            region: region_of(h),
            topic: h.0.name().to_string(),
            subject: subject.to_string(),
            message: message.to_string(),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `wait(handle, state [, timeout])`.
pub fn wait(
    st: &mut RunState,
    origin: Origin,
    h: &Handle,
    state: &str,
    timeout: Option<u64>,
) -> Res {
    let until = WaitState::parse(state).ok_or_else(|| {
        Failure::invalid(format!("`{state}` is not a state `wait` knows"))
            .with_help("states: available, completed, in_service, in_sync")
    })?;
    // The one table of waiters (core's) decides, so that the interpreter accepts exactly the
    // waits the simulation and the live backend can carry out.
    if h.kind().wait_state().as_ref() != Some(&until) {
        return Err(
            Failure::invalid(format!("cannot wait for `{state}` on {h}")).with_help(format!(
                "states for {}: {}",
                h.kind().a_noun(),
                h.kind().wait_states_help()
            )),
        );
    }
    let timeout_secs = timeout.unwrap_or(DEFAULT_WAIT_TIMEOUT_SECS);
    if timeout_secs == 0 {
        return Err(Failure::invalid(
            "a wait timeout must be more than 0 seconds",
        ));
    }
    st.wait(
        WaitSpec {
            target: h.0.clone(),
            until,
            timeout_secs,
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}

/// `approve(message)`.
pub fn approve(st: &mut RunState, origin: Origin, message: &str) -> Res {
    if message.trim().is_empty() {
        return Err(Failure::invalid(
            "`approve` needs a message saying what is being approved",
        ));
    }
    st.approve(message.to_string(), origin)?;
    Ok(Dynamic::UNIT)
}

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
        .with_code("ripcord::not_found")
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
                .with_code("ripcord::backend")
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

/// `duration("15m")`: seconds.
pub fn duration(text: &str) -> Res {
    parse_duration(text)
        .map(|s| Dynamic::from(s as i64))
        .map_err(Failure::invalid)
}
