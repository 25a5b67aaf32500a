//! `capture`: a read-only snapshot of live state in the inventory's shape (`ripcord capture`).

use crate::context::{arn_resource_id, Ctx};
use crate::convert;
use crate::errors::{FromSdk, Op};
use crate::lag::{fill_replica_lag, lag_secs, Lag};
use crate::paging::AllPages;
use crate::resolve::{health_checks, zone_id, ZoneRef};
use ripcord_core::inventory::{
    GlobalCluster, HostedZone, RegionInventory, Topic, INVENTORY_VERSION,
};
use ripcord_core::{BackendError, Inventory};
use std::collections::BTreeMap;

/// Everything ripcord's runbooks can touch in `regions`, plus the global resources (global
/// clusters, hosted zones, health checks, buckets). Lists are sorted by id or name so that
/// two captures of the same state are identical.
pub(crate) async fn capture(ctx: &Ctx, regions: &[String]) -> Result<Inventory, BackendError> {
    let identity = ctx.identity().await?;
    let mut inventory = Inventory::empty(convert::now_seconds());
    inventory.version = INVENTORY_VERSION;
    inventory.account = Some(identity.account);
    let mut captured: BTreeMap<String, RegionInventory> = BTreeMap::new();
    for region in regions {
        if captured.contains_key(region) {
            continue;
        }
        captured.insert(region.clone(), capture_region(ctx, region).await?);
    }
    if let Some(first) = regions.first() {
        inventory.global_clusters = global_clusters(ctx, first, &captured).await?;
    }
    secondary_lags(ctx, &inventory.global_clusters, &mut captured).await;
    snapshot_sources(&mut captured);
    inventory.regions = captured;
    inventory.hosted_zones = hosted_zones(ctx).await?;
    let op = Op::new("route53", "ListHealthChecks");
    let mut checks: Vec<_> = health_checks(ctx, op)
        .await?
        .into_iter()
        .map(|(check, name)| convert::health_check(&check, name))
        .collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    inventory.health_checks = checks;
    inventory.buckets = buckets(ctx).await?;
    Ok(inventory)
}

async fn capture_region(ctx: &Ctx, region: &str) -> Result<RegionInventory, BackendError> {
    let ec2 = ctx.clients.ec2(region);
    let rds = ctx.clients.rds(region);

    let op = Op::new("ec2", "DescribeAvailabilityZones");
    let zones = ec2
        .describe_availability_zones()
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    let mut availability_zones: Vec<String> = zones
        .availability_zones()
        .iter()
        .filter_map(|z| z.zone_name().map(str::to_string))
        .collect();
    availability_zones.sort();

    let op = Op::new("autoscaling", "DescribeAutoScalingGroups");
    let mut auto_scaling_groups: Vec<_> = ctx
        .clients
        .autoscaling(region)
        .describe_auto_scaling_groups()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::asg)
        .collect();
    auto_scaling_groups.sort_by(|a, b| a.name.cmp(&b.name));

    let op = Op::new("ec2", "DescribeVolumes");
    let mut volumes: Vec<_> = ec2
        .describe_volumes()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::volume)
        .collect();
    volumes.sort_by(|a, b| a.id.cmp(&b.id));

    let op = Op::new("ec2", "DescribeSnapshots");
    let mut snapshots: Vec<_> = ec2
        .describe_snapshots()
        .owner_ids("self")
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::snapshot)
        .collect();
    snapshots.sort_by(|a, b| a.id.cmp(&b.id));

    let op = Op::new("rds", "DescribeDBInstances");
    let mut db_instances: Vec<_> = rds
        .describe_db_instances()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::db_instance)
        .collect();
    db_instances.sort_by(|a, b| a.id.cmp(&b.id));
    for instance in &mut db_instances {
        fill_replica_lag(ctx, region, instance).await;
    }

    let op = Op::new("rds", "DescribeDBClusters");
    let mut db_clusters: Vec<_> = rds
        .describe_db_clusters()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::db_cluster)
        .collect();
    db_clusters.sort_by(|a, b| a.id.cmp(&b.id));

    // Without a snapshot type, DescribeDBSnapshots lists manual and automated snapshots.
    let op = Op::new("rds", "DescribeDBSnapshots");
    let mut db_snapshots: Vec<_> = rds
        .describe_db_snapshots()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::db_snapshot)
        .collect();
    db_snapshots.sort_by(|a, b| a.id.cmp(&b.id));

    let op = Op::new("rds", "DescribeDBClusterSnapshots");
    let mut db_cluster_snapshots: Vec<_> = rds
        .describe_db_cluster_snapshots()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::db_cluster_snapshot)
        .collect();
    db_cluster_snapshots.sort_by(|a, b| a.id.cmp(&b.id));

    let op = Op::new("sns", "ListTopics");
    let mut topics: Vec<Topic> = ctx
        .clients
        .sns(region)
        .list_topics()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .filter_map(|t| t.topic_arn())
        .map(|arn| Topic {
            name: arn_resource_id(arn).to_string(),
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));

    Ok(RegionInventory {
        availability_zones,
        auto_scaling_groups,
        volumes,
        snapshots,
        db_instances,
        db_clusters,
        db_snapshots,
        db_cluster_snapshots,
        topics,
    })
}

/// Global clusters as seen from `region`, with members in the captured regions only: an
/// inventory describes every member's cluster in its region, so a member in a region that
/// was not captured is left out (docs/live.md says to capture all of them).
async fn global_clusters(
    ctx: &Ctx,
    region: &str,
    captured: &BTreeMap<String, RegionInventory>,
) -> Result<Vec<GlobalCluster>, BackendError> {
    let op = Op::new("rds", "DescribeGlobalClusters");
    let mut globals: Vec<GlobalCluster> = ctx
        .clients
        .rds(region)
        .describe_global_clusters()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(convert::global_cluster)
        .collect();
    for global in &mut globals {
        global.members.retain(|m| {
            captured
                .get(&m.region)
                .is_some_and(|r| r.db_clusters.iter().any(|c| c.id == m.cluster))
        });
    }
    globals.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(globals)
}

/// `replication_lag_secs` of every captured global secondary (a member that is not the
/// writer): only membership tells which clusters have one, so this comes after the global
/// clusters. One CloudWatch request each, in the member's region.
async fn secondary_lags(
    ctx: &Ctx,
    globals: &[GlobalCluster],
    captured: &mut BTreeMap<String, RegionInventory>,
) {
    for member in globals.iter().flat_map(|g| &g.members) {
        if member.writer {
            continue;
        }
        let Some(region) = captured.get_mut(&member.region) else {
            continue;
        };
        if let Some(cluster) = region
            .db_clusters
            .iter_mut()
            .find(|c| c.id == member.cluster)
        {
            cluster.replication_lag_secs =
                lag_secs(ctx, &member.region, Lag::GlobalSecondary(&member.cluster)).await;
        }
    }
}

/// What DescribeDBSnapshots leaves out of a DB snapshot's source: the instance class, which a
/// restore without DBInstanceClass gets. It is read from the source instance among the
/// captured ones (in the region a copy came from), so a snapshot whose source was not
/// captured, or is gone, has none. A `source_region` that is the snapshot's own region says
/// nothing and is dropped, so that a copy across regions is the only snapshot with one.
fn snapshot_sources(captured: &mut BTreeMap<String, RegionInventory>) {
    let classes: BTreeMap<(String, String), String> = captured
        .iter()
        .flat_map(|(region, inv)| {
            inv.db_instances.iter().map(move |db| {
                (
                    (region.clone(), db.id.to_ascii_lowercase()),
                    db.instance_class.clone(),
                )
            })
        })
        .collect();
    for (region, inv) in captured.iter_mut() {
        for snapshot in inv
            .db_snapshots
            .iter_mut()
            .chain(inv.db_cluster_snapshots.iter_mut())
        {
            if snapshot.source_region.as_deref() == Some(region.as_str()) {
                snapshot.source_region = None;
            }
        }
        for snapshot in &mut inv.db_snapshots {
            let home = snapshot.source_region.as_deref().unwrap_or(region);
            let key = (
                home.to_string(),
                arn_resource_id(&snapshot.source).to_ascii_lowercase(),
            );
            if let Some(class) = classes.get(&key) {
                snapshot.instance_class = Some(class.clone());
            }
        }
    }
}

async fn hosted_zones(ctx: &Ctx) -> Result<Vec<HostedZone>, BackendError> {
    let op = Op::new("route53", "ListHostedZones");
    let zones = ctx
        .clients
        .route53()
        .list_hosted_zones()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?;
    let mut out = Vec::new();
    for zone in zones {
        let zone = ZoneRef {
            id: zone_id(zone.id()).to_string(),
            name: zone.name().trim_end_matches('.').to_string(),
            private: zone.config().is_some_and(|c| c.private_zone()),
            warning: None,
        };
        let mut records = crate::query::records(ctx, op, &zone).await?;
        records.sort_by(|a, b| (&a.name, &a.rtype, &a.set_id).cmp(&(&b.name, &b.rtype, &b.set_id)));
        out.push(HostedZone {
            id: zone.id,
            name: zone.name,
            private: zone.private,
            records,
        });
    }
    out.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(out)
}

async fn buckets(ctx: &Ctx) -> Result<Vec<ripcord_core::inventory::Bucket>, BackendError> {
    let op = Op::new("s3", "ListBuckets");
    let listed = ctx
        .clients
        .s3(ctx.clients.default_region())
        .list_buckets()
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    let mut names: Vec<String> = listed
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        // A bucket deleted between the listing and the lookup is simply not captured.
        if let Some(bucket) = crate::query::bucket(ctx, op, &name).await? {
            out.push(bucket);
        }
    }
    Ok(out)
}
