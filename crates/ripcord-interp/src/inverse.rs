//! `InverseRunbook`: the runbook that undoes a run (`ripcord plan --inverse RUN_ID`), written
//! as Rhai from the calls core derives ([`ripcord_core::Operation::inverse`]).
//!
//! It is source text for a person to review, plan and apply like any runbook: the calls in
//! the reverse order of the run, each after a comment naming the step it undoes, and a
//! `warn` for each step no call undoes, so the plan lists them.

use ripcord_core::inverse::{Inverse, Named, Rebuild};
use ripcord_core::{Call, RunbookMeta};
use std::fmt::Write;

/// One step of the run, as the inverse runbook names it, and how it is undone.
#[derive(Debug, Clone)]
pub struct UndoneStep {
    /// `step 3 UpdateAutoScalingGroup dr-web-asg (us-west-2)`.
    pub label: String,
    pub inverse: Inverse,
}

/// The inverse runbook of a run.
#[derive(Debug, Clone)]
pub struct InverseRunbook {
    pub source: String,
    /// How many calls it makes.
    pub calls: usize,
    /// How many steps it cannot undo.
    pub irreversible: usize,
}

impl InverseRunbook {
    /// The runbook undoing `steps` (in the run's order) of the run `run_id` of a runbook
    /// declared with `meta`.
    pub fn new(run_id: &str, meta: &RunbookMeta, steps: &[UndoneStep]) -> InverseRunbook {
        let mut out = String::new();
        let (mut calls, mut irreversible) = (0, 0);
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "// The inverse of run {run_id}{}, derived by `ripcord plan --inverse`:\n// what the run changed, put back to what the world held before it, in the reverse\n// order. Review it, then plan and apply it like any runbook.\n",
            meta.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
        );
        let _ = writeln!(out, "runbook(#{{");
        let _ = writeln!(
            out,
            "    name: {},",
            quoted(&format!("inverse-of-{run_id}"))
        );
        let _ = writeln!(
            out,
            "    description: {},",
            quoted(&format!(
                "Undo run {run_id}{}",
                meta.name
                    .as_deref()
                    .map(|n| format!(" of {n}"))
                    .unwrap_or_default()
            ))
        );
        if !meta.accounts.is_empty() {
            let _ = writeln!(out, "    accounts: {},", list(&meta.accounts));
        }
        if !meta.regions.is_empty() {
            let _ = writeln!(out, "    regions: {},", list(&meta.regions));
        }
        let _ = writeln!(out, "}});");
        for step in steps.iter().rev() {
            let _ = writeln!(out, "\n// undoes {}", step.label);
            match &step.inverse {
                Inverse::Calls(list) if list.is_empty() => {
                    let _ = writeln!(out, "// (nothing to undo)");
                }
                Inverse::Calls(list) => {
                    for call in list {
                        match rhai_of(call) {
                            Ok(line) => {
                                calls += 1;
                                let _ = writeln!(out, "{line}");
                            }
                            Err(why) => {
                                irreversible += 1;
                                let _ = writeln!(
                                    out,
                                    "warn({});",
                                    quoted(&format!("not undone: {}: {why}", step.label))
                                );
                            }
                        }
                    }
                }
                Inverse::Rebuild(rebuild) => {
                    let (lines, sent) = rebuild_of(rebuild);
                    calls += sent;
                    let _ = writeln!(out, "{lines}");
                }
                Inverse::Irreversible(why) => {
                    irreversible += 1;
                    let _ = writeln!(
                        out,
                        "warn({});",
                        quoted(&format!("not undone: {}: {why}", step.label))
                    );
                }
            }
        }
        InverseRunbook {
            source: out,
            calls,
            irreversible,
        }
    }
}

/// The primitive call that makes `call`, as a Rhai statement; `Err` for an operation no
/// primitive sends as an inverse (an inverse never creates anything).
pub fn rhai_of(call: &Call) -> Result<String, String> {
    Ok(match call {
        Call::UpdateAutoScalingGroup(op) => {
            let mut sizes = Vec::new();
            for (key, size) in [
                ("min", op.min_size),
                ("max", op.max_size),
                ("desired", op.desired_capacity),
            ] {
                if let Some(size) = size {
                    sizes.push(format!("{key}: {size}"));
                }
            }
            format!(
                "scale(asg({}, {}), #{{ {} }});",
                quoted(&op.auto_scaling_group_name),
                quoted(&op.region),
                sizes.join(", ")
            )
        }
        Call::UpdateService(op) => format!(
            "scale(ecs_service({}, {}, {}), #{{ desired: {} }});",
            quoted(&op.cluster),
            quoted(&op.service),
            quoted(&op.region),
            op.desired_count
        ),
        Call::UpdateTable(op) => {
            let mut lines = Vec::new();
            for update in &op.replica_updates {
                let primitive = if update.creates() {
                    "add_replica"
                } else {
                    "remove_replica"
                };
                lines.push(format!(
                    "{primitive}(table({}, {}), {});",
                    quoted(&op.table_name),
                    quoted(&op.region),
                    quoted(update.region())
                ));
            }
            lines.join("\n")
        }
        Call::UpdateHealthCheck(op) => {
            let hc = format!("health_check({})", quoted(&op.health_check));
            let mut lines = Vec::new();
            match op.disabled {
                Some(true) => lines.push(format!("disable_health_check({hc});")),
                Some(false) => lines.push(format!("enable_health_check({hc});")),
                None => {}
            }
            if let Some(inverted) = op.inverted {
                lines.push(format!("invert_health_check({hc}, {inverted});"));
            }
            lines.join("\n")
        }
        Call::ChangeResourceRecordSets(op) => {
            let mut changes = Vec::new();
            for change in &op.changes {
                if !change.action.eq_ignore_ascii_case("UPSERT") {
                    return Err(format!(
                        "{} {}: no primitive sends it",
                        change.action,
                        change.label()
                    ));
                }
                changes.push(record_options(&op.hosted_zone, &change.record_set));
            }
            match changes.as_slice() {
                [(record, options)] => format!("flip_dns({record}, #{{ {options} }});"),
                _ => {
                    let items: Vec<String> = changes
                        .iter()
                        .map(|(record, options)| format!("    #{{ record: {record}, {options} }},"))
                        .collect();
                    format!("flip_dns_batch([\n{}\n]);", items.join("\n"))
                }
            }
        }
        Call::SwitchoverGlobalCluster(op) => format!(
            "switchover_global(aurora_global({}), db_cluster({}, {}));",
            quoted(&op.global_cluster),
            quoted(&op.target_db_cluster),
            quoted(&op.region)
        ),
        Call::RebootDbInstance(op) if op.force_failover => format!(
            "force_failover(db_instance({}, {}));",
            quoted(&op.db_instance),
            quoted(&op.region)
        ),
        Call::RebootDbInstance(_)
        | Call::CreateSnapshot(_)
        | Call::CopySnapshot(_)
        | Call::CreateVolume(_)
        | Call::CreateDbSnapshot(_)
        | Call::CreateDbClusterSnapshot(_)
        | Call::CopyDbSnapshot(_)
        | Call::CopyDbClusterSnapshot(_)
        | Call::RestoreDbInstanceFromDbSnapshot(_)
        | Call::PromoteReadReplica(_)
        | Call::RemoveFromGlobalCluster(_)
        | Call::FailoverGlobalCluster(_)
        | Call::CreateGlobalCluster(_)
        | Call::DeleteGlobalCluster(_)
        | Call::DeleteDbCluster(_)
        | Call::CreateDbCluster(_)
        | Call::CreateDbInstance(_)
        | Call::DeleteDbInstance(_)
        | Call::CreateDbInstanceReadReplica(_)
        | Call::PutBucketReplication(_)
        | Call::Publish(_) => {
            return Err(format!(
                "{} is not a call an inverse makes",
                call.operation()
            ))
        }
    })
}

/// Replication made anew with the standard library, and how many calls that makes (the
/// approvals and waits around them not counted).
fn rebuild_of(rebuild: &Rebuild) -> (String, usize) {
    let named = |constructor: &str, n: &Named| {
        format!("{constructor}({}, {})", quoted(&n.name), quoted(&n.region))
    };
    match rebuild {
        Rebuild::GlobalDatabase {
            global,
            detached,
            writer,
            instances,
        } => {
            let (global, detached, writer_handle) = (
                format!("aurora_global({})", quoted(global)),
                named("db_cluster", detached),
                named("db_cluster", writer),
            );
            let final_snapshot = quoted(&format!("{}-before-inverse", writer.name));
            let instances: Vec<String> = instances
                .iter()
                .map(|(id, class)| format!("#{{ id: {}, class: {} }}", quoted(id), quoted(class)))
                .collect();
            (
                format!(
                    "import \"ripcord/warm_standby\" as standby;\nstandby::reestablish_replication({global}, {detached}, {writer_handle}, {final_snapshot}, [{}]);\nswitchover_global({global}, {writer_handle});\nwait({writer_handle}, \"available\", \"30m\");",
                    instances.join(", ")
                ),
                5 + 2 * instances.len(),
            )
        }
        Rebuild::ReadReplica {
            primary,
            promoted,
            multi_az,
        } => {
            let (primary, promoted) = (
                named("db_instance", primary),
                named("db_instance", promoted),
            );
            (
                format!(
                    "import \"ripcord/pilot_light\" as pilot;\npilot::reestablish_replication({primary}, {promoted}, {multi_az});\npromote({primary});\nwait({primary}, \"available\", \"30m\");\npilot::relight({primary}, {promoted});"
                ),
                5,
            )
        }
    }
}

/// `record(zone("example.com"), "www.example.com", "A", "Primary")` and the options of
/// `flip_dns` that write `set` as it is.
fn record_options(zone: &str, set: &ripcord_core::RecordSet) -> (String, String) {
    let mut record = format!(
        "record(zone({}), {}, {}",
        quoted(zone),
        quoted(&set.name),
        quoted(&set.rtype)
    );
    if let Some(id) = &set.set_identifier {
        record.push_str(&format!(", {}", quoted(id)));
    }
    record.push(')');
    let mut options = Vec::new();
    match &set.alias_target {
        Some(alias) => options.push(format!(
            "alias: #{{ zone_id: {}, dns_name: {}, evaluate_target_health: {} }}",
            quoted(&alias.hosted_zone_id),
            quoted(&alias.dns_name),
            alias.evaluate_target_health
        )),
        None => {
            options.push(format!("values: {}", list(&set.values)));
            if let Some(ttl) = set.ttl {
                options.push(format!("ttl: {ttl}"));
            }
        }
    }
    if let Some(failover) = &set.failover {
        options.push(format!("failover: {}", quoted(failover)));
    }
    if let Some(weight) = set.weight {
        options.push(format!("weight: {weight}"));
    }
    if let Some(hc) = &set.health_check {
        options.push(format!("health_check: health_check({})", quoted(hc)));
    }
    (record, options.join(", "))
}

/// A Rhai string literal (JSON's escaping is Rhai's for the characters names and messages hold).
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", items.join(", "))
}
