//! The simulated world: the inventory's resources indexed for O(1) lookups, and its export.

use crate::estimates::Estimates;
use crate::state::{
    dns_name, AsgState, ClusterSnap, DbSnap, DnsChange, EcsState, SnapshotOf, TableState, Tracked,
    ZoneState,
};
use crate::table::{NameIndex, Table};
use ripcord_core::inventory::{
    Bucket, DbCluster, DbInstance, EbsSnapshot, GlobalCluster, HealthCheck, RegionInventory, Topic,
    Unreachable, Volume,
};
use ripcord_core::Inventory;
use std::collections::{BTreeMap, HashMap};

/// The resources of one region.
#[derive(Debug, Clone, Default)]
pub(crate) struct Region {
    pub availability_zones: Vec<String>,
    pub asgs: Table<AsgState>,
    /// By `cluster/name` ([`ecs_key`]).
    pub ecs_services: Table<EcsState>,
    /// By table name; a deleted replica's table stays as a tombstone (`TableState`).
    pub tables: Table<TableState>,
    /// By volume id; `volume_names` by Name tag.
    pub volumes: Table<Tracked<Volume>>,
    pub volume_names: NameIndex,
    /// By snapshot id; `snapshot_names` by Name tag.
    pub snapshots: Table<Tracked<EbsSnapshot>>,
    pub snapshot_names: NameIndex,
    /// Volume id -> its newest snapshot.
    pub latest_snapshot: HashMap<String, usize>,
    /// RDS identifiers are case-insensitive (AWS stores them lowercase): keys are lowercase.
    pub db_instances: Table<Tracked<DbInstance>>,
    pub db_clusters: Table<Tracked<DbCluster>>,
    pub db_snapshots: Table<Tracked<DbSnap>>,
    /// Source instance (lowercase) -> its newest DB snapshot.
    pub latest_db_snapshot: HashMap<String, usize>,
    pub db_cluster_snapshots: Table<Tracked<ClusterSnap>>,
    pub latest_db_cluster_snapshot: HashMap<String, usize>,
    pub topics: Table<Topic>,
}

impl Region {
    fn new(inv: RegionInventory, estimates: &Estimates) -> Region {
        let mut region = Region {
            availability_zones: inv.availability_zones,
            ..Region::default()
        };
        for asg in inv.auto_scaling_groups {
            region
                .asgs
                .upsert(asg.name.clone(), AsgState::imported(asg, estimates));
        }
        for service in inv.ecs_services {
            region.ecs_services.upsert(
                ecs_key(&service.cluster, &service.name),
                EcsState::imported(service, estimates),
            );
        }
        for table in inv.dynamodb_tables {
            region
                .tables
                .upsert(table.name.clone(), TableState::imported(table, estimates));
        }
        for volume in inv.volumes {
            region.add_volume(Tracked::imported(volume, estimates));
        }
        for snapshot in inv.snapshots {
            region.add_snapshot(Tracked::imported(snapshot, estimates));
        }
        for instance in inv.db_instances {
            region.add_db_instance(Tracked::imported(instance, estimates));
        }
        for cluster in inv.db_clusters {
            region
                .db_clusters
                .upsert(rds_key(&cluster.id), Tracked::imported(cluster, estimates));
        }
        for snapshot in inv.db_snapshots {
            region.add_db_snapshot(Tracked::imported(SnapshotOf(snapshot), estimates));
        }
        for snapshot in inv.db_cluster_snapshots {
            region.add_db_cluster_snapshot(Tracked::imported(SnapshotOf(snapshot), estimates));
        }
        for topic in inv.topics {
            region.topics.upsert(topic.name.clone(), topic);
        }
        region
    }

    fn export(&self, now: u64) -> RegionInventory {
        RegionInventory {
            availability_zones: self.availability_zones.clone(),
            auto_scaling_groups: self.asgs.iter().map(|a| a.view(now)).collect(),
            ecs_services: self.ecs_services.iter().map(|e| e.view(now)).collect(),
            dynamodb_tables: self.tables.iter().filter_map(|t| t.view(now)).collect(),
            volumes: self.volumes.iter().map(|v| v.view(now)).collect(),
            snapshots: self.snapshots.iter().map(|s| s.view(now)).collect(),
            db_instances: self
                .db_instances
                .iter()
                .filter(|d| d.exists(now))
                .map(|d| d.view(now))
                .collect(),
            db_clusters: self
                .db_clusters
                .iter()
                .filter(|d| d.exists(now))
                .map(|d| d.view(now))
                .collect(),
            db_snapshots: self.db_snapshots.iter().map(|d| d.view(now).0).collect(),
            db_cluster_snapshots: self
                .db_cluster_snapshots
                .iter()
                .map(|d| d.view(now).0)
                .collect(),
            topics: self.topics.iter().cloned().collect(),
        }
    }

    pub(crate) fn add_volume(&mut self, volume: Tracked<Volume>) -> usize {
        let name = name_tag(volume.item.name.as_deref(), &volume.item.tags);
        let at = self.volumes.upsert(volume.item.id.clone(), volume);
        if let Some(name) = name {
            self.volume_names.add(&name, at);
        }
        at
    }

    pub(crate) fn add_snapshot(&mut self, snapshot: Tracked<EbsSnapshot>) -> usize {
        let name = name_tag(snapshot.item.name.as_deref(), &snapshot.item.tags);
        let volume_id = snapshot.item.volume_id.clone();
        let start = snapshot.item.start_time;
        let at = self.snapshots.upsert(snapshot.item.id.clone(), snapshot);
        if let Some(name) = name {
            self.snapshot_names.add(&name, at);
        }
        let newer = match self.latest_snapshot.get(&volume_id) {
            Some(&prev) => self.snapshots.at(prev).item.start_time <= start,
            None => true,
        };
        if newer {
            self.latest_snapshot.insert(volume_id, at);
        }
        at
    }

    pub(crate) fn add_db_instance(&mut self, instance: Tracked<DbInstance>) -> usize {
        self.db_instances
            .upsert(rds_key(&instance.item.id), instance)
    }

    pub(crate) fn add_db_snapshot(&mut self, snapshot: Tracked<DbSnap>) -> usize {
        add_db_snapshot(
            &mut self.db_snapshots,
            &mut self.latest_db_snapshot,
            snapshot,
        )
    }

    pub(crate) fn add_db_cluster_snapshot(&mut self, snapshot: Tracked<ClusterSnap>) -> usize {
        add_db_snapshot(
            &mut self.db_cluster_snapshots,
            &mut self.latest_db_cluster_snapshot,
            snapshot,
        )
    }
}

fn add_db_snapshot<const C: bool>(
    table: &mut Table<Tracked<SnapshotOf<C>>>,
    latest: &mut HashMap<String, usize>,
    snapshot: Tracked<SnapshotOf<C>>,
) -> usize {
    let source = rds_key(&snapshot.item.0.source);
    let created = snapshot.item.0.created_at;
    let at = table.upsert(rds_key(&snapshot.item.0.id), snapshot);
    let newer = match latest.get(&source) {
        Some(&prev) => table.at(prev).item.0.created_at <= created,
        None => true,
    };
    if newer {
        latest.insert(source, at);
    }
    at
}

/// The whole simulated world.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub account: Option<String>,
    pub captured_at: jiff::Timestamp,
    pub regions: Table<Region>,
    /// By lowercase identifier.
    pub global_clusters: Table<Tracked<GlobalCluster>>,
    /// By zone id; `zone_names` by normalized domain name (public and private may share one).
    pub zones: Table<ZoneState>,
    pub zone_names: NameIndex,
    /// By id; `health_check_names` by Name tag.
    pub health_checks: Table<HealthCheck>,
    pub health_check_names: NameIndex,
    pub buckets: Table<Bucket>,
    /// Route 53 changes the run made, by change id.
    pub changes: Table<DnsChange>,
    estimates: BTreeMap<String, u64>,
    /// What does not answer (the inventory's `unreachable`): requests to it fail
    /// (`crate::outage`).
    pub unreachable: Vec<Unreachable>,
}

impl World {
    pub(crate) fn new(inventory: Inventory, estimates: &Estimates) -> World {
        let mut regions = Table::default();
        for (name, inv) in inventory.regions {
            regions.upsert(name, Region::new(inv, estimates));
        }
        let mut global_clusters = Table::default();
        for global in inventory.global_clusters {
            global_clusters.upsert(rds_key(&global.id), Tracked::imported(global, estimates));
        }
        let mut zones = Table::default();
        let mut zone_names = NameIndex::default();
        for zone in inventory.hosted_zones {
            let name = dns_name(&zone.name);
            let at = zones.upsert(zone_id(&zone.id).to_string(), ZoneState::new(zone));
            zone_names.add(&name, at);
        }
        let mut health_checks = Table::default();
        let mut health_check_names = NameIndex::default();
        for check in inventory.health_checks {
            let name = check.name.clone();
            let at = health_checks.upsert(check.id.clone(), check);
            if let Some(name) = name {
                health_check_names.add(&name, at);
            }
        }
        let mut buckets = Table::default();
        for bucket in inventory.buckets {
            buckets.upsert(bucket.name.clone(), bucket);
        }
        World {
            account: inventory.account,
            captured_at: inventory.captured_at,
            regions,
            global_clusters,
            zones,
            zone_names,
            health_checks,
            health_check_names,
            buckets,
            changes: Table::default(),
            estimates: inventory.estimates,
            unreachable: inventory.unreachable,
        }
    }

    /// The world as an inventory at `now` (transitions still running show their status).
    pub(crate) fn export(&self, now: u64) -> Inventory {
        let mut inventory = Inventory::empty(self.captured_at);
        inventory.account = self.account.clone();
        inventory.regions = self
            .region_names()
            .into_iter()
            .zip(self.regions.iter())
            .map(|(name, region)| (name.to_string(), region.export(now)))
            .collect();
        inventory.global_clusters = self
            .global_clusters
            .iter()
            .filter(|g| g.exists(now))
            .map(|g| g.view(now))
            .collect();
        inventory.hosted_zones = self.zones.iter().map(ZoneState::view).collect();
        inventory.health_checks = self.health_checks.iter().cloned().collect();
        inventory.buckets = self.buckets.iter().cloned().collect();
        inventory.estimates = self.estimates.clone();
        inventory.unreachable = self.unreachable.clone();
        inventory
    }

    /// Region names in table order.
    pub(crate) fn region_names(&self) -> Vec<&str> {
        let mut names = vec![""; self.regions.len()];
        for (name, at) in self.regions.keys() {
            names[at] = name;
        }
        names
    }

    pub(crate) fn region(&self, name: &str) -> Option<&Region> {
        self.regions.get(name)
    }

    /// `arn:{partition}:{service}:{region}:{account}:{resource}`, with the inventory's account
    /// (or the documentation placeholder when it has none).
    pub(crate) fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        let account = self.account.as_deref().unwrap_or("000000000000");
        ripcord_core::arn::arn(service, region, account, resource)
    }
}

/// The key of an ECS service in its region: service names are unique per cluster.
pub(crate) fn ecs_key(cluster: &str, name: &str) -> String {
    format!("{cluster}/{name}")
}

/// RDS identifiers are case-insensitive; an ARN names the same resource as its last part.
pub(crate) fn rds_key(id: &str) -> String {
    let id = if id.starts_with("arn:") {
        id.rsplit(':').next().unwrap_or(id)
    } else {
        id
    };
    id.to_ascii_lowercase()
}

/// Route 53 answers zone ids as `/hostedzone/Z...`; the inventory and runbooks use `Z...`.
pub(crate) fn zone_id(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

/// The Name tag: the inventory's `name` field, else a `Name` entry in `tags`.
pub(crate) fn name_tag(name: Option<&str>, tags: &BTreeMap<String, String>) -> Option<String> {
    name.or_else(|| tags.get("Name").map(String::as_str))
        .map(str::to_string)
}
