//! Compact, readable strings for plan changes: lists, aliases, replication configurations.

use ripcord_core::inventory::{Alias, Replication};
use ripcord_core::Change;

/// Records a change only when the value actually differs.
pub(crate) fn diff(
    changes: &mut Vec<Change>,
    field: &str,
    before: Option<String>,
    after: Option<String>,
) {
    if before != after {
        changes.push(Change::new(field, before, after));
    }
}

/// `None` for an empty list, else the items joined with ", ".
pub(crate) fn list(values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| values.join(", "))
}

/// `dualstack.alb.example.com (zone Z35SXDOTRQ7X7K)`, noting target health evaluation.
pub(crate) fn alias(alias: &Alias) -> String {
    let health = if alias.evaluate_target_health {
        ", evaluate target health"
    } else {
        ""
    };
    format!("{} (zone {}{health})", alias.dns_name, alias.zone_id)
}

/// `rule dr -> backup-west (Enabled, priority 1, RTC 15m, delete markers)`, rules joined by "; ".
pub(crate) fn replication(replication: &Replication) -> String {
    let rules: Vec<String> = replication
        .rules
        .iter()
        .map(|rule| {
            let mut parts = vec![rule.status.clone(), format!("priority {}", rule.priority)];
            if let Some(minutes) = rule.replication_time_minutes {
                parts.push(format!("RTC {minutes}m"));
            }
            if rule.delete_marker_replication {
                parts.push("delete markers".to_string());
            }
            format!(
                "rule {} -> {} ({})",
                rule.id,
                rule.destination_bucket,
                parts.join(", ")
            )
        })
        .collect();
    if rules.is_empty() {
        return "no rules".to_string();
    }
    rules.join("; ")
}
