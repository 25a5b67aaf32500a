//! Reading an inventory file (JSON or YAML) with errors that name the file, field and line.

use super::{Inventory, INVENTORY_VERSION, OLDEST_INVENTORY_VERSION};
use crate::span::{offset_of, token_len};
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::collections::HashSet;
use std::path::Path;

/// Why an inventory could not be used.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum InventoryError {
    #[error("cannot read inventory {path}: {message}")]
    #[diagnostic(
        code(ripcord::inventory::io),
        help("pass an existing file with --inventory, or put inventory.yaml beside the runbook")
    )]
    Io { path: String, message: String },

    #[error("inventory {path}: {message}")]
    #[diagnostic(code(ripcord::inventory::syntax), help("{help}"))]
    Parse {
        path: String,
        message: String,
        help: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("{label}")]
        span: Option<SourceSpan>,
        label: String,
    },

    #[error("inventory {path}: field `{field}`: {message}")]
    #[diagnostic(code(ripcord::inventory::invalid), help("{help}"))]
    Invalid {
        path: String,
        field: String,
        message: String,
        help: String,
    },
}

impl Inventory {
    /// Reads and validates an inventory file; the format follows the extension
    /// (`.json`, or `.yaml`/`.yml`).
    pub fn load(path: &Path) -> Result<(Inventory, String), InventoryError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| InventoryError::Io {
            path: display.clone(),
            message: err.to_string(),
        })?;
        let inventory = Inventory::parse(&text, &display)?;
        Ok((inventory, text))
    }

    /// Parses and validates inventory text; `name` is the file name used in messages and
    /// decides the format (JSON when it ends in `.json` or the text starts with `{`).
    pub fn parse(text: &str, name: &str) -> Result<Inventory, InventoryError> {
        let is_json = name.ends_with(".json") || text.trim_start().starts_with('{');
        let inventory = if is_json {
            let mut de = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize::<_, Inventory>(&mut de).map_err(|err| {
                let field = err.path().to_string();
                let inner = err.into_inner();
                let position = (inner.line() > 0).then(|| (inner.line(), inner.column()));
                parse_error(
                    text,
                    name,
                    &field,
                    &strip_position(&inner.to_string()),
                    position,
                )
            })?
        } else {
            let de = serde_yaml::Deserializer::from_str(text);
            serde_path_to_error::deserialize::<_, Inventory>(de).map_err(|err| {
                let field = err.path().to_string();
                let inner = err.into_inner();
                let position = inner.location().map(|loc| (loc.line(), loc.column()));
                parse_error(
                    text,
                    name,
                    &field,
                    &strip_position(&inner.to_string()),
                    position,
                )
            })?
        };
        inventory.validate(name)?;
        Ok(inventory)
    }

    /// Checks what the types cannot: the version, unique names, sizes, references.
    pub fn validate(&self, name: &str) -> Result<(), InventoryError> {
        let invalid = |field: String, message: String, help: &str| InventoryError::Invalid {
            path: name.to_string(),
            field,
            message,
            help: help.to_string(),
        };
        if !(OLDEST_INVENTORY_VERSION..=INVENTORY_VERSION).contains(&self.version) {
            return Err(invalid(
                "version".into(),
                format!(
                    "version {} is not supported (this ripcord reads versions {OLDEST_INVENTORY_VERSION} to {INVENTORY_VERSION})",
                    self.version
                ),
                "re-capture the inventory with this ripcord, or convert it (docs/inventory.md)",
            ));
        }
        for (i, entry) in self.unreachable.iter().enumerate() {
            let at = format!("unreachable[{i}]");
            if entry.region.is_none() && entry.service.is_none() {
                return Err(invalid(
                    at,
                    "names neither a region nor a service".into(),
                    "give `region` (a region down), `region` and `service` (one service of it), or `service` alone (a global control plane, e.g. route53)",
                ));
            }
            if let Some(region) = &entry.region {
                if !crate::arn::is_region_name(region) {
                    return Err(invalid(
                        format!("{at}.region"),
                        format!("`{region}` is not an AWS region name"),
                        "regions look like us-east-1, eu-west-2",
                    ));
                }
            }
        }
        for (region, inv) in &self.regions {
            let mut seen = HashSet::new();
            for (i, asg) in inv.auto_scaling_groups.iter().enumerate() {
                let at = format!("regions.{region}.auto_scaling_groups[{i}]");
                if !seen.insert(asg.name.as_str()) {
                    return Err(invalid(
                        format!("{at}.name"),
                        format!("Auto Scaling group '{}' appears twice", asg.name),
                        "names are unique per region",
                    ));
                }
                if asg.min_size < 0
                    || asg.min_size > asg.desired_capacity
                    || asg.desired_capacity > asg.max_size
                {
                    return Err(invalid(
                        at,
                        format!(
                            "'{}' has min_size {}, desired_capacity {}, max_size {}",
                            asg.name, asg.min_size, asg.desired_capacity, asg.max_size
                        ),
                        "AWS keeps 0 <= min_size <= desired_capacity <= max_size",
                    ));
                }
            }
            let mut services = HashSet::new();
            for (i, svc) in inv.ecs_services.iter().enumerate() {
                let at = format!("regions.{region}.ecs_services[{i}]");
                if !services.insert((svc.cluster.as_str(), svc.name.as_str())) {
                    return Err(invalid(
                        format!("{at}.name"),
                        format!("ECS service '{}/{}' appears twice", svc.cluster, svc.name),
                        "services are unique per cluster and region",
                    ));
                }
                if svc.desired_count < 0 || svc.running_count.is_some_and(|r| r < 0) {
                    return Err(invalid(
                        at,
                        format!("'{}/{}' has a negative count", svc.cluster, svc.name),
                        "desired_count and running_count are 0 or more",
                    ));
                }
            }
            let mut tables = HashSet::new();
            for (i, table) in inv.dynamodb_tables.iter().enumerate() {
                let at = format!("regions.{region}.dynamodb_tables[{i}]");
                if !tables.insert(table.name.as_str()) {
                    return Err(invalid(
                        format!("{at}.name"),
                        format!("table '{}' appears twice", table.name),
                        "table names are unique per region",
                    ));
                }
                for (r, replica) in table.replicas.iter().enumerate() {
                    let at = format!("{at}.replicas[{r}].region");
                    if &replica.region == region {
                        return Err(invalid(
                            at,
                            format!("table '{}' lists its own region as a replica", table.name),
                            "`replicas` lists the other regions of the global table",
                        ));
                    }
                    // A replica in a region the capture could not read stays, unlisted.
                    let unread = crate::Outage::new(&self.unreachable)
                        .blocking(
                            &crate::Endpoint::Regional {
                                service: "dynamodb",
                                region: replica.region.clone(),
                            },
                            |_| None,
                            [],
                        )
                        .is_some();
                    let lists_back = self.regions.get(&replica.region).is_some_and(|other| {
                        other.dynamodb_tables.iter().any(|t| {
                            t.name == table.name && t.replicas.iter().any(|b| &b.region == region)
                        })
                    });
                    if !lists_back && !unread {
                        return Err(invalid(
                            at,
                            format!(
                                "table '{}' lists a replica in {}, where no table '{}' lists {region} back",
                                table.name, replica.region, table.name
                            ),
                            "each region of a global table lists the others under `replicas`",
                        ));
                    }
                }
            }
            unique(
                region,
                "volumes",
                inv.volumes.iter().map(|v| v.id.as_str()),
                name,
            )?;
            unique(
                region,
                "snapshots",
                inv.snapshots.iter().map(|s| s.id.as_str()),
                name,
            )?;
            unique(
                region,
                "db_instances",
                inv.db_instances.iter().map(|d| d.id.as_str()),
                name,
            )?;
            unique(
                region,
                "db_clusters",
                inv.db_clusters.iter().map(|d| d.id.as_str()),
                name,
            )?;
            unique(
                region,
                "db_snapshots",
                inv.db_snapshots.iter().map(|d| d.id.as_str()),
                name,
            )?;
            unique(
                region,
                "db_cluster_snapshots",
                inv.db_cluster_snapshots.iter().map(|d| d.id.as_str()),
                name,
            )?;
        }
        for (g, global) in self.global_clusters.iter().enumerate() {
            let writers = global.members.iter().filter(|m| m.writer).count();
            if writers > 1 {
                return Err(invalid(
                    format!("global_clusters[{g}].members"),
                    format!("global cluster '{}' has {writers} writers", global.id),
                    "an Aurora global database has at most one writer cluster",
                ));
            }
            for (m, member) in global.members.iter().enumerate() {
                let exists = self
                    .regions
                    .get(&member.region)
                    .is_some_and(|r| r.db_clusters.iter().any(|c| c.id == member.cluster));
                // A member in a region (or an RDS) the capture could not read is known only
                // from DescribeGlobalClusters, answered elsewhere: it stays, unlisted.
                let unread = crate::Outage::new(&self.unreachable)
                    .blocking(
                        &crate::Endpoint::Regional {
                            service: "rds",
                            region: member.region.clone(),
                        },
                        |_| None,
                        [],
                    )
                    .is_some();
                if !exists && !unread {
                    return Err(invalid(
                        format!("global_clusters[{g}].members[{m}].cluster"),
                        format!(
                            "cluster '{}' is not listed under regions.{}.db_clusters",
                            member.cluster, member.region
                        ),
                        "every member of a global cluster must be described in its region",
                    ));
                }
            }
        }
        let checks: HashSet<&str> = self.health_checks.iter().map(|h| h.id.as_str()).collect();
        for (z, zone) in self.hosted_zones.iter().enumerate() {
            for (r, record) in zone.records.iter().enumerate() {
                if let Some(hc) = &record.health_check {
                    if !checks.contains(hc.as_str()) {
                        return Err(invalid(
                            format!("hosted_zones[{z}].records[{r}].health_check"),
                            format!("health check id '{hc}' is not listed under health_checks"),
                            "records refer to health checks by id",
                        ));
                    }
                }
                if let Some(weight) = record.weight {
                    if !(0..=255).contains(&weight) || record.set_id.is_none() {
                        return Err(invalid(
                            format!("hosted_zones[{z}].records[{r}].weight"),
                            format!(
                                "record '{} {}' has weight {weight}{}",
                                record.name,
                                record.rtype,
                                if record.set_id.is_none() {
                                    " and no set_id"
                                } else {
                                    ""
                                }
                            ),
                            "a weighted record set has a set_id and a weight from 0 to 255",
                        ));
                    }
                }
                if record.values.is_empty() == record.alias.is_none() {
                    return Err(invalid(
                        format!("hosted_zones[{z}].records[{r}]"),
                        format!(
                            "record '{} {}' needs either values or an alias, not both",
                            record.name, record.rtype
                        ),
                        "a Route 53 record set is a value list or an alias target",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn unique<'a>(
    region: &str,
    list: &str,
    ids: impl Iterator<Item = &'a str>,
    name: &str,
) -> Result<(), InventoryError> {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            return Err(InventoryError::Invalid {
                path: name.to_string(),
                field: format!("regions.{region}.{list}[{i}].id"),
                message: format!("'{id}' appears twice"),
                help: "ids are unique per region".to_string(),
            });
        }
    }
    Ok(())
}

/// serde's messages end in " at line L column C"; the label carries the position instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

fn parse_error(
    text: &str,
    name: &str,
    field: &str,
    message: &str,
    position: Option<(usize, usize)>,
) -> InventoryError {
    let span = position.map(|(line, column)| {
        let offset = offset_of(text, line, column);
        SourceSpan::from((offset, token_len(text, offset).max(1)))
    });
    // serde_yaml names the enclosing path itself ("regions.x[0]: unknown field ..."), which
    // the field already says.
    let message = match message.split_once(": ") {
        Some((prefix, rest)) if !prefix.is_empty() && field.starts_with(prefix) => rest,
        _ => message,
    };
    let help = if message == "missing field `version`" {
        format!("an inventory starts with `version: {INVENTORY_VERSION}` (docs/inventory.md)")
    } else {
        "the inventory format is described in docs/inventory.md".to_string()
    };
    let (message, label) = if field.is_empty() || field == "." {
        (message.to_string(), "here".to_string())
    } else {
        (
            format!("field `{field}`: {message}"),
            format!("in `{field}`"),
        )
    };
    InventoryError::Parse {
        path: name.to_string(),
        message,
        help,
        src: NamedSource::new(name, text.to_string()),
        span,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::{Inventory, InventoryError};

    fn parse_failure(text: &str) -> (String, String) {
        match Inventory::parse(text, "test.yaml") {
            Err(InventoryError::Parse { message, help, .. }) => (message, help),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_field_names_its_path_once() {
        let (message, _) = parse_failure(
            "version: 1\nregions:\n  us-west-2:\n    auto_scaling_groups:\n      - { name: web, min_size: 1, max_size: 2, desird_capacity: 2 }\n",
        );
        assert!(
            message.starts_with(
                "field `regions.us-west-2.auto_scaling_groups[0].desird_capacity`: unknown field `desird_capacity`, expected one of"
            ),
            "{message}"
        );
    }

    #[test]
    fn unreachable_entries_name_something() {
        let text =
            "version: 2\ncaptured_at: 2026-01-01T00:00:00Z\nunreachable:\n  - { reason: why }\n";
        let err = Inventory::parse(text, "inv.yaml").expect_err("an entry naming nothing");
        assert!(err.to_string().contains("unreachable[0]"), "{err}");
        let text = "version: 1\ncaptured_at: 2026-01-01T00:00:00Z\nunreachable:\n  - { region: us-east-1, reason: capture }\n  - { service: route53, reason: capture }\n";
        let inventory = Inventory::parse(text, "inv.yaml").expect("both shapes are valid");
        assert_eq!(inventory.unreachable.len(), 2);
    }

    #[test]
    fn a_missing_version_says_what_to_add() {
        let (message, help) = parse_failure("regions: {}\n");
        assert_eq!(message, "missing field `version`");
        assert_eq!(
            help,
            "an inventory starts with `version: 3` (docs/inventory.md)"
        );
    }
}
