//! Finding resources by the names runbooks use, with AWS's not-found errors and did-you-mean.

use crate::errors::Op;
use crate::state::dns_name;
use crate::suggest::help_for;
use crate::table::{by_id_or_name, Lookup};
use crate::world::{ecs_key, rds_key, zone_id, Region, World};
use ripcord_core::{BackendError, ResourceKind, Target};

impl Region {
    /// A regional resource by the name a runbook uses (ids and Name tags for EC2).
    pub(crate) fn find(&self, kind: ResourceKind, name: &str) -> Lookup {
        let found = match kind {
            ResourceKind::Asg => self.asgs.find(name),
            // `cluster/name`: a service's name is unique in its cluster only.
            ResourceKind::EcsService => self.ecs_services.find(name),
            // A table being deleted is no longer found by name (it is by `World::table` while
            // it is still DELETING).
            ResourceKind::Table => self
                .tables
                .find(table_name(name))
                .filter(|at| !self.tables.at(*at).phase.ends),
            ResourceKind::Volume => return by_id_or_name(&self.volumes, &self.volume_names, name),
            ResourceKind::EbsSnapshot => {
                return by_id_or_name(&self.snapshots, &self.snapshot_names, name)
            }
            ResourceKind::DbInstance => self.db_instances.find(&rds_key(name)),
            ResourceKind::DbCluster => self.db_clusters.find(&rds_key(name)),
            ResourceKind::DbSnapshot => self.db_snapshots.find(&rds_key(name)),
            ResourceKind::DbClusterSnapshot => self.db_cluster_snapshots.find(&rds_key(name)),
            ResourceKind::Topic => self.topics.find(name.rsplit(':').next().unwrap_or(name)),
            _ => None,
        };
        found.map_or(Lookup::Missing, Lookup::Found)
    }

    /// Whether the resource [`Region::find`] found at `at` exists at `now`: a deleted DB
    /// instance or cluster stays in its table as a tombstone ([`crate::state::Tracked::ends`]).
    pub(crate) fn exists(&self, kind: ResourceKind, at: usize, now: u64) -> bool {
        match kind {
            ResourceKind::DbInstance => self.db_instances.at(at).exists(now),
            ResourceKind::DbCluster => self.db_clusters.at(at).exists(now),
            _ => true,
        }
    }

    /// Whether a resource of that name is worth pointing out from another region: it exists
    /// and is not being deleted.
    fn has(&self, kind: ResourceKind, name: &str) -> bool {
        match self.find(kind, name) {
            Lookup::Found(at) if kind == ResourceKind::DbInstance => !self.db_instances.at(at).ends,
            Lookup::Found(at) if kind == ResourceKind::DbCluster => !self.db_clusters.at(at).ends,
            found => found != Lookup::Missing,
        }
    }

    /// Every name a resource of `kind` answers to, for suggestions.
    fn names(&self, kind: ResourceKind) -> Vec<&str> {
        match kind {
            ResourceKind::Asg => self.asgs.iter().map(|a| a.item.name.as_str()).collect(),
            ResourceKind::EcsService => self
                .ecs_services
                .iter()
                .map(|e| e.item.name.as_str())
                .collect(),
            ResourceKind::Table => self
                .tables
                .iter()
                .filter(|t| !t.phase.ends)
                .map(|t| t.name.as_str())
                .collect(),
            ResourceKind::Volume => self
                .volumes
                .iter()
                .flat_map(|v| std::iter::once(v.item.id.as_str()).chain(v.item.name.as_deref()))
                .collect(),
            ResourceKind::EbsSnapshot => self
                .snapshots
                .iter()
                .flat_map(|s| std::iter::once(s.item.id.as_str()).chain(s.item.name.as_deref()))
                .collect(),
            // An instance or cluster being deleted, or gone, is not suggested.
            ResourceKind::DbInstance => self
                .db_instances
                .iter()
                .filter(|d| !d.ends)
                .map(|d| d.item.id.as_str())
                .collect(),
            ResourceKind::DbCluster => self
                .db_clusters
                .iter()
                .filter(|d| !d.ends)
                .map(|d| d.item.id.as_str())
                .collect(),
            ResourceKind::DbSnapshot => self
                .db_snapshots
                .iter()
                .map(|d| d.item.0.id.as_str())
                .collect(),
            ResourceKind::DbClusterSnapshot => self
                .db_cluster_snapshots
                .iter()
                .map(|d| d.item.0.id.as_str())
                .collect(),
            ResourceKind::Topic => self.topics.iter().map(|t| t.name.as_str()).collect(),
            _ => Vec::new(),
        }
    }
}

impl World {
    /// A regional resource that exists at `now`: (region index, resource index), or AWS's
    /// not-found error.
    pub(crate) fn locate(
        &self,
        op: Op,
        target: &Target,
        now: u64,
    ) -> Result<(usize, usize), BackendError> {
        let region = target.region().unwrap_or_default();
        let Some(ri) = self.regions.find(region) else {
            return Err(self.missing(op, target));
        };
        let reg = self.regions.at(ri);
        match reg.find(target.kind(), target.name()) {
            Lookup::Found(at) if reg.exists(target.kind(), at, now) => Ok((ri, at)),
            Lookup::Found(_) => Err(self.missing(op, target)),
            Lookup::Missing => Err(self.missing(op, target)),
            Lookup::Ambiguous(found) => Err(self.ambiguous(op, target, ri, &found)),
        }
    }

    /// A regional resource if it exists at `now`; `Ok(None)` when it (or its region) does not.
    pub(crate) fn try_locate(
        &self,
        op: Op,
        target: &Target,
        now: u64,
    ) -> Result<Option<(usize, usize)>, BackendError> {
        let region = target.region().unwrap_or_default();
        let Some(ri) = self.regions.find(region) else {
            return Ok(None);
        };
        let reg = self.regions.at(ri);
        match reg.find(target.kind(), target.name()) {
            Lookup::Found(at) if reg.exists(target.kind(), at, now) => Ok(Some((ri, at))),
            Lookup::Found(_) => Ok(None),
            Lookup::Missing => Ok(None),
            Lookup::Ambiguous(found) => Err(self.ambiguous(op, target, ri, &found)),
        }
    }

    /// A DynamoDB table (by name or ARN) that exists at `now` (a deleted replica's table is
    /// found while it is DELETING), or `ResourceNotFoundException`.
    pub(crate) fn table(
        &self,
        op: Op,
        target: &Target,
        now: u64,
    ) -> Result<(usize, usize), BackendError> {
        self.try_table(target, now)
            .ok_or_else(|| self.missing(op, target))
    }

    /// A DynamoDB table that exists at `now`, if any.
    pub(crate) fn try_table(&self, target: &Target, now: u64) -> Option<(usize, usize)> {
        let ri = self.regions.find(target.region()?)?;
        let tables = &self.regions.at(ri).tables;
        let at = tables.find(table_name(target.name()))?;
        tables.at(at).exists(now).then_some((ri, at))
    }

    /// An ECS service (cluster and service by name or ARN), or ECS's errors: a cluster the
    /// region does not have is `ClusterNotFoundException`, a service its cluster does not
    /// have `ServiceNotFoundException`. A cluster exists when the inventory lists a service
    /// of it (it records no empty clusters).
    pub(crate) fn ecs_service(
        &self,
        op: Op,
        target: &Target,
    ) -> Result<(usize, usize), BackendError> {
        let Target::EcsService {
            cluster,
            name,
            region,
        } = target
        else {
            return Err(self.missing(op, target));
        };
        let Some(ri) = self.regions.find(region) else {
            return Err(self.missing(op, target));
        };
        let services = &self.regions.at(ri).ecs_services;
        let (cluster, name) = (arn_tail(cluster), arn_tail(name));
        if let Some(at) = services.find(&ecs_key(cluster, name)) {
            return Ok((ri, at));
        }
        let mut clusters: Vec<&str> = services.iter().map(|s| s.item.cluster.as_str()).collect();
        clusters.sort_unstable();
        clusters.dedup();
        if !clusters.contains(&cluster) {
            return Err(op
                .not_found(
                    "ClusterNotFoundException",
                    format!("Cluster not found: {cluster} in {region}."),
                )
                .with_help(help_for(
                    cluster,
                    &clusters,
                    "ECS clusters",
                    &format!(" in {region}"),
                )));
        }
        let in_cluster: Vec<&str> = services
            .iter()
            .filter(|s| s.item.cluster == cluster)
            .map(|s| s.item.name.as_str())
            .collect();
        let mut help = help_for(
            name,
            &in_cluster,
            "services",
            &format!(" in cluster {cluster}"),
        );
        let other_clusters: Vec<&str> = services
            .iter()
            .filter(|s| s.item.name == name)
            .map(|s| s.item.cluster.as_str())
            .collect();
        if !other_clusters.is_empty() {
            help = format!(
                "{help}; cluster {} has one named '{name}'",
                other_clusters.join(", ")
            );
        }
        let elsewhere: Vec<&str> = self
            .region_names()
            .into_iter()
            .zip(self.regions.iter())
            .filter(|(other, r)| {
                *other != region.as_str() && r.ecs_services.find(&ecs_key(cluster, name)).is_some()
            })
            .map(|(other, _)| other)
            .collect();
        if !elsewhere.is_empty() {
            help = format!("{help}; {} has {cluster}/{name}", elsewhere.join(", "));
        }
        Err(op
            .not_found(
                ResourceKind::EcsService.not_found_code(),
                target.not_found_message(),
            )
            .with_help(help))
    }

    /// The region's index, or a not-found error for `target` naming the known regions.
    pub(crate) fn region_index(&self, op: Op, target: &Target) -> Result<usize, BackendError> {
        let region = target.region().unwrap_or_default();
        self.regions
            .find(region)
            .ok_or_else(|| self.missing(op, target))
    }

    /// A global cluster that exists at `now` (one being deleted does until it is gone).
    pub(crate) fn global_cluster(
        &self,
        op: Op,
        name: &str,
        now: u64,
    ) -> Result<usize, BackendError> {
        self.try_global_cluster(name, now).ok_or_else(|| {
            self.missing(
                op,
                &Target::GlobalCluster {
                    name: name.to_string(),
                },
            )
        })
    }

    /// A global cluster that exists at `now`, if any.
    pub(crate) fn try_global_cluster(&self, name: &str, now: u64) -> Option<usize> {
        self.global_clusters
            .find(&rds_key(name))
            .filter(|at| self.global_clusters.at(*at).exists(now))
    }

    /// A hosted zone by domain name (case and trailing dot do not matter) or by id. When a
    /// public and a private zone share the name, the public one is meant: failover records
    /// live there. The flag says the choice was made.
    pub(crate) fn zone(&self, op: Op, name: &str) -> Result<(usize, bool), BackendError> {
        if let Some(at) = self.zones.find(zone_id(name)) {
            return Ok((at, false));
        }
        match self.zone_names.find(&dns_name(name)) {
            Lookup::Found(at) => Ok((at, false)),
            Lookup::Ambiguous(found) => {
                let public = found.iter().find(|at| !self.zones.at(**at).private);
                let zone = public.or(found.first()).copied();
                zone.map(|at| (at, true)).ok_or_else(|| {
                    self.missing(
                        op,
                        &Target::Zone {
                            name: name.to_string(),
                        },
                    )
                })
            }
            Lookup::Missing => Err(self.missing(
                op,
                &Target::Zone {
                    name: name.to_string(),
                },
            )),
        }
    }

    /// A health check by id or Name tag.
    pub(crate) fn health_check(&self, op: Op, name: &str) -> Result<usize, BackendError> {
        let target = Target::HealthCheck {
            name: name.to_string(),
        };
        match by_id_or_name(&self.health_checks, &self.health_check_names, name) {
            Lookup::Found(at) => Ok(at),
            Lookup::Missing => Err(self.missing(op, &target)),
            Lookup::Ambiguous(found) => {
                let ids: Vec<&str> = found
                    .iter()
                    .map(|at| self.health_checks.at(*at).id.as_str())
                    .collect();
                Err(ambiguous_error(op, &target, &ids))
            }
        }
    }

    pub(crate) fn bucket(&self, op: Op, name: &str) -> Result<usize, BackendError> {
        self.buckets.find(name).ok_or_else(|| {
            self.missing(
                op,
                &Target::Bucket {
                    name: name.to_string(),
                },
            )
        })
    }

    /// A Route 53 change by id (with or without the `/change/` prefix GetChange uses).
    pub(crate) fn change(&self, op: Op, id: &str) -> Result<usize, BackendError> {
        self.changes
            .find(id.trim_start_matches("/change/"))
            .ok_or_else(|| {
                self.missing(
                    op,
                    &Target::DnsChange {
                        name: id.to_string(),
                    },
                )
            })
    }

    /// AWS's not-found error for `target`, with did-you-mean help from the same region and
    /// kind, and a pointer to another region that has a resource of that name.
    pub(crate) fn missing(&self, op: Op, target: &Target) -> BackendError {
        let kind = target.kind();
        let code = kind.not_found_code();
        let name = target.name();
        let plural = format!("{}s", kind.noun());
        if let Some(region) = target.region() {
            let Some(at) = self.regions.find(region) else {
                let known = self.region_names();
                let mut help = if known.is_empty() {
                    "the inventory describes no regions".to_string()
                } else {
                    format!("regions in the inventory: {}", known.join(", "))
                };
                if let Some(close) = crate::suggest::did_you_mean(&crate::suggest::closest(
                    region,
                    known.iter().copied(),
                )) {
                    help = format!("{close} ({help})");
                }
                return op
                    .not_found(
                        code,
                        format!(
                            "{} '{name}' cannot exist in {region}: the region is not in the inventory",
                            kind.noun()
                        ),
                    )
                    .with_help(help);
            };
            let candidates = self.regions.at(at).names(kind);
            let mut help = help_for(name, &candidates, &plural, &format!(" in {region}"));
            let elsewhere: Vec<&str> = self
                .region_names()
                .into_iter()
                .zip(self.regions.iter())
                .filter(|(other, r)| *other != region && r.has(kind, name))
                .map(|(other, _)| other)
                .collect();
            if !elsewhere.is_empty() {
                help = format!("{help}; {} has one named '{name}'", elsewhere.join(", "));
            }
            return op
                .not_found(code, target.not_found_message())
                .with_help(help);
        }
        let (message, candidates): (String, Vec<&str>) = match kind {
            ResourceKind::GlobalCluster => (
                target.not_found_message(),
                self.global_clusters
                    .iter()
                    .filter(|g| !g.ends)
                    .map(|g| g.item.id.as_str())
                    .collect(),
            ),
            ResourceKind::Zone => (
                target.not_found_message(),
                self.zones.iter().map(|z| z.name.as_str()).collect(),
            ),
            ResourceKind::HealthCheck => (
                target.not_found_message(),
                self.health_checks
                    .iter()
                    .flat_map(|h| std::iter::once(h.id.as_str()).chain(h.name.as_deref()))
                    .collect(),
            ),
            ResourceKind::DnsChange => (target.not_found_message(), self.changes_ids()),
            ResourceKind::Bucket => (
                target.not_found_message(),
                self.buckets.iter().map(|b| b.name.as_str()).collect(),
            ),
            _ => (target.not_found_message(), Vec::new()),
        };
        let help = if kind == ResourceKind::DnsChange {
            "change ids come from flip_dns in the same run".to_string()
        } else {
            help_for(name, &candidates, &plural, "")
        };
        op.not_found(code, message).with_help(help)
    }

    fn changes_ids(&self) -> Vec<&str> {
        self.changes.keys().map(|(id, _)| id).collect()
    }

    fn ambiguous(&self, op: Op, target: &Target, ri: usize, found: &[usize]) -> BackendError {
        let region = self.regions.at(ri);
        let ids: Vec<&str> = found
            .iter()
            .map(|at| match target.kind() {
                ResourceKind::Volume => region.volumes.at(*at).item.id.as_str(),
                _ => region.snapshots.at(*at).item.id.as_str(),
            })
            .collect();
        ambiguous_error(op, target, &ids)
    }
}

/// The name in an ARN (`arn:aws:dynamodb:...:table/NAME`, `arn:aws:ecs:...:cluster/NAME`,
/// `...:service/CLUSTER/NAME`), else the name as given.
pub(crate) fn arn_tail(name: &str) -> &str {
    if name.starts_with("arn:") {
        name.rsplit('/').next().unwrap_or(name)
    } else {
        name
    }
}

/// DynamoDB takes a table's name or ARN as `TableName`.
pub(crate) fn table_name(name: &str) -> &str {
    arn_tail(name)
}

/// Several resources share the Name tag: the live backend could not pick one either.
fn ambiguous_error(op: Op, target: &Target, ids: &[&str]) -> BackendError {
    let (message, help) = target.ambiguous_name(ids);
    op.rejected("AmbiguousName", message).with_help(help)
}
