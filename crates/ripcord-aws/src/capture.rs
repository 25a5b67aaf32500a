//! `capture`: a read-only snapshot of live state in the inventory's shape (`ripcord capture`).
//!
//! A capture is taken when a region may be down, so it degrades instead of failing: every
//! region, every service of a region (EC2, Auto Scaling, ECS, DynamoDB, RDS, SNS) and every
//! global part (global clusters, Route 53, S3) is read at once, each part bounded by the read
//! timeout.
//! A part that does not answer (no connection, a timeout, a 5xx after the SDK's retries:
//! `ErrorKind::Unreachable`) is listed in the inventory's `unreachable` and remembered for
//! the run; any other error (AccessDenied, a 4xx) still fails the capture, since an answer
//! that refuses is not an outage and a plan against what it hid would be wrong. When a part
//! of a region that answered nothing gives up, the region's other failing parts give up with
//! it (`crate::silence`): a dead region costs one part's retries, not the slowest part's.

use crate::context::{arn_resource_id, read_timeout_error, Ctx};
use crate::convert;
use crate::errors::{FromSdk, Op};
use crate::lag::{lag_secs_within, Lag};
use crate::paging::AllPages;
use crate::resolve::{health_checks, zone_id, ZoneRef};
use crate::silence::SilentRegions;
use ripcord_core::inventory::{
    AutoScalingGroup, Bucket, DbCluster, DbInstance, DbSnapshot, DynamoTable, EbsSnapshot,
    EcsService, GlobalCluster, HealthCheck, HostedZone, RegionInventory, Topic, Unreachable,
    Volume, INVENTORY_VERSION,
};
use ripcord_core::{BackendError, ErrorKind, Inventory};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::Poll;
use std::time::Duration;

/// Buckets whose settings are read at once: enough to overlap the round trips of a large
/// account, few enough not to meet S3's request rate limits.
const BUCKETS_AT_ONCE: usize = 16;

/// Tables described at once (DescribeTable, one request each), and ECS clusters whose
/// services are listed at once: a large account's round trips overlap, and the client-side
/// buckets (`crate::pace`) still hold them to AWS's rates.
const TABLES_AT_ONCE: usize = 8;
const CLUSTERS_AT_ONCE: usize = 4;

/// DescribeServices takes at most 10 services per request.
const SERVICES_PER_DESCRIBE: usize = 10;

/// Everything ripcord's runbooks can touch in `regions`, plus the global resources (global
/// clusters, hosted zones, health checks, buckets), and what did not answer. Lists are sorted
/// by id or name, so that two captures of the same state are identical.
pub(crate) async fn capture(ctx: &Ctx, regions: &[String]) -> Result<Inventory, BackendError> {
    // First: the account guard's request, which also picks the account region.
    let identity = ctx.identity().await?;
    let bound = ctx.read_timeout;
    let account_region = ctx.clients.account_region();
    let mut asked: Vec<String> = Vec::new();
    for region in regions {
        if !asked.contains(region) {
            asked.push(region.clone());
        }
    }

    // The global clusters as the account region describes them, passed to each region's RDS
    // part as soon as they are known: which clusters are secondaries (whose lag CloudWatch
    // holds) is only known from them, and the lag reads then overlap the slower parts.
    let (known_globals, globals_known) = tokio::sync::watch::channel(None);
    let silent = SilentRegions::default();
    let (regional, globals, zones, checks, buckets) = tokio::join!(
        join_all(asked.iter().map(|region| capture_region(
            ctx,
            region,
            bound,
            globals_known.clone(),
            &silent
        ))),
        async {
            let globals = bounded(
                bound,
                Op::new("rds", "DescribeGlobalClusters"),
                describe_global_clusters(ctx, &account_region),
            )
            .await;
            known_globals.send_replace(Some(globals.as_ref().ok().cloned()));
            globals
        },
        bounded(
            bound,
            Op::new("route53", "ListHostedZones"),
            hosted_zones(ctx)
        ),
        bounded(
            bound,
            Op::new("route53", "ListHealthChecks"),
            all_health_checks(ctx)
        ),
        buckets(ctx, &account_region, bound),
    );

    let mut down = Unanswered::default();
    let mut captured: BTreeMap<String, RegionInventory> = BTreeMap::new();
    for (region, parts) in asked.iter().zip(regional) {
        if let Some(inventory) = parts.settle(region, &mut down, silent.found(region))? {
            captured.insert(region.clone(), inventory);
        }
    }

    // Global clusters are account-wide: read from the account region, else from a captured
    // region whose RDS answered (whose secondaries' lags are then read now).
    let mut globals = globals;
    let late = matches!(&globals, Err(err) if err.kind == ErrorKind::Unreachable);
    if late {
        for region in captured.keys().filter(|r| **r != account_region) {
            if down.covers(region, "rds") {
                continue;
            }
            globals = bounded(
                bound,
                Op::new("rds", "DescribeGlobalClusters"),
                describe_global_clusters(ctx, region),
            )
            .await;
            if !matches!(&globals, Err(err) if err.kind == ErrorKind::Unreachable) {
                break;
            }
        }
    }
    let mut global_clusters: Vec<GlobalCluster> = down
        .settle(globals, || (account_region.clone(), "rds"))?
        .unwrap_or_default();
    keep_known_members(&mut global_clusters, &asked, &captured, &down);
    global_clusters.sort_by(|a, b| a.id.cmp(&b.id));

    if late {
        let regions: Vec<String> = captured.keys().cloned().collect();
        for region in regions {
            if let Some(inventory) = captured.get_mut(&region) {
                secondary_lags(
                    ctx,
                    &region,
                    &mut inventory.db_clusters,
                    &global_clusters,
                    bound,
                )
                .await;
            }
        }
    }
    snapshot_sources(&mut captured);

    // Route 53 is read whole or not at all: records name health checks by id, so zones
    // without the checks (or the reverse) would not be a valid inventory.
    let (hosted_zones, health_checks) = match (zones, checks) {
        (Ok(zones), Ok(checks)) => (zones, checks),
        (zones, checks) => {
            let failed = [zones.err(), checks.err()].into_iter().flatten();
            for err in failed {
                if err.kind != ErrorKind::Unreachable {
                    return Err(err);
                }
                down.add(Unreachable::control_plane("route53", reason(&err)));
            }
            (Vec::new(), Vec::new())
        }
    };

    let (buckets, unanswered) = buckets?;
    for entry in unanswered {
        down.add(entry);
    }

    let mut inventory = Inventory::empty(convert::now_seconds());
    inventory.version = INVENTORY_VERSION;
    inventory.account = Some(identity.account);
    inventory.regions = captured;
    inventory.global_clusters = global_clusters;
    inventory.hosted_zones = hosted_zones;
    inventory.health_checks = health_checks;
    inventory.buckets = buckets;
    inventory.unreachable = down.sorted();
    for entry in &inventory.unreachable {
        ctx.mark_unreachable(entry.clone());
    }
    Ok(inventory)
}

/// What did not answer, found by the parts of a capture.
#[derive(Debug, Default)]
struct Unanswered {
    entries: Vec<Unreachable>,
}

impl Unanswered {
    /// Adds an entry, once: nothing under a region already down as a whole.
    fn add(&mut self, entry: Unreachable) {
        let known = self.entries.iter().any(|e| {
            e.region == entry.region && (e.service == entry.service || e.service.is_none())
        });
        if !known {
            self.entries.push(entry);
        }
    }

    /// Whether `service` in `region` was found not answering (or the whole region).
    fn covers(&self, region: &str, service: &str) -> bool {
        self.entries.iter().any(|e| {
            e.region.as_deref() == Some(region) && e.service.as_deref().is_none_or(|s| s == service)
        })
    }

    /// A part's result: its value, `None` (and an entry for `place`) when it did not
    /// answer, or the error that fails the capture.
    fn settle<T>(
        &mut self,
        part: Result<T, BackendError>,
        place: impl FnOnce() -> (String, &'static str),
    ) -> Result<Option<T>, BackendError> {
        match part {
            Ok(value) => Ok(Some(value)),
            Err(err) if err.kind == ErrorKind::Unreachable => {
                let (region, service) = place();
                self.add(Unreachable::service_in(&region, service, reason(&err)));
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// Sorted: control planes first, then by region and service (a region as a whole before
    /// its services), so that two captures of the same outage are identical.
    fn sorted(mut self) -> Vec<Unreachable> {
        self.entries.sort_by(|a, b| {
            (&a.region, &a.service, &a.reason).cmp(&(&b.region, &b.service, &b.reason))
        });
        self.entries
    }
}

/// Why a part did not answer, for people: AWS's (or the SDK's) code and message.
fn reason(err: &BackendError) -> String {
    format!("{}: {}", err.code, err.message)
}

/// Every item of a paginated list, converted to the inventory's shape and sorted by `key`, so
/// that two captures of the same state are identical. `pace` is the request's token
/// (`Ctx::pace`), awaited before it is sent.
macro_rules! all_sorted {
    ($pace:expr, $op:expr, $request:expr, $convert:path, $key:ident) => {{
        $pace.await;
        let mut list: Vec<_> = $request
            .into_paginator()
            .items()
            .send()
            .all($op)
            .await?
            .iter()
            .map($convert)
            .collect();
        list.sort_by(|a, b| a.$key.cmp(&b.$key));
        list
    }};
}

/// `part`, or a `ReadTimeout` (kind unreachable) when it has not finished within `bound`.
async fn bounded<T>(
    bound: Duration,
    op: Op,
    part: impl Future<Output = Result<T, BackendError>>,
) -> Result<T, BackendError> {
    tokio::time::timeout(bound, part)
        .await
        .unwrap_or_else(|_| Err(read_timeout_error(op, bound)))
}

/// Runs futures concurrently on the current task and collects their outputs in order.
///
/// The borrowed futures of a capture (they all share `&Ctx`) cannot be spawned as tasks, and
/// the parts are network waits, so polling them together on one task is all the concurrency
/// they need.
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_some() {
                continue;
            }
            match future.as_mut().poll(cx) {
                Poll::Ready(value) => *output = Some(value),
                Poll::Pending => waiting = true,
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// The EC2 part of a region.
struct Ec2Part {
    availability_zones: Vec<String>,
    volumes: Vec<Volume>,
    snapshots: Vec<EbsSnapshot>,
}

/// The RDS part of a region.
struct RdsPart {
    db_instances: Vec<DbInstance>,
    db_clusters: Vec<DbCluster>,
    db_snapshots: Vec<DbSnapshot>,
    db_cluster_snapshots: Vec<DbSnapshot>,
}

/// One region's parts as they came back, each answered or not on its own.
struct RegionParts {
    ec2: Result<Ec2Part, BackendError>,
    autoscaling: Result<Vec<AutoScalingGroup>, BackendError>,
    ecs: Result<Vec<EcsService>, BackendError>,
    dynamodb: Result<Vec<DynamoTable>, BackendError>,
    rds: Result<RdsPart, BackendError>,
    sns: Result<Vec<Topic>, BackendError>,
}

impl RegionParts {
    /// The region's inventory from the parts that answered; `None` when none did (the
    /// region is then down as a whole). An error that is not an outage fails the capture.
    fn settle(
        self,
        region: &str,
        down: &mut Unanswered,
        silent: Option<BackendError>,
    ) -> Result<Option<RegionInventory>, BackendError> {
        let failures: Vec<(&'static str, &BackendError)> = [
            ("ec2", self.ec2.as_ref().err()),
            ("autoscaling", self.autoscaling.as_ref().err()),
            ("ecs", self.ecs.as_ref().err()),
            ("dynamodb", self.dynamodb.as_ref().err()),
            ("rds", self.rds.as_ref().err()),
            ("sns", self.sns.as_ref().err()),
        ]
        .into_iter()
        .filter_map(|(service, err)| err.map(|err| (service, err)))
        .collect();
        if let Some((_, err)) = failures
            .iter()
            .find(|(_, err)| err.kind != ErrorKind::Unreachable)
        {
            return Err((*err).clone());
        }
        if failures.len() == SERVICES_OF_A_REGION {
            // Nothing of the region answered: the region, not each service, is down, for
            // the reason of the part that found it silent when the others were cut short.
            let found = silent.as_ref().unwrap_or(failures[0].1);
            down.add(Unreachable::region(region, reason(found)));
            return Ok(None);
        }
        for (service, err) in &failures {
            down.add(Unreachable::service_in(region, service, reason(err)));
        }
        let mut inventory = RegionInventory::default();
        if let Ok(ec2) = self.ec2 {
            inventory.availability_zones = ec2.availability_zones;
            inventory.volumes = ec2.volumes;
            inventory.snapshots = ec2.snapshots;
        }
        if let Ok(groups) = self.autoscaling {
            inventory.auto_scaling_groups = groups;
        }
        if let Ok(services) = self.ecs {
            inventory.ecs_services = services;
        }
        if let Ok(tables) = self.dynamodb {
            inventory.dynamodb_tables = tables;
        }
        if let Ok(rds) = self.rds {
            inventory.db_instances = rds.db_instances;
            inventory.db_clusters = rds.db_clusters;
            inventory.db_snapshots = rds.db_snapshots;
            inventory.db_cluster_snapshots = rds.db_cluster_snapshots;
        }
        if let Ok(topics) = self.sns {
            inventory.topics = topics;
        }
        Ok(Some(inventory))
    }
}

/// The services a region's capture reads, each a part of its own.
const SERVICES_OF_A_REGION: usize = 6;

/// The global clusters once the account region described them (`None` inside while it has
/// not; `Some(None)` when it did not answer).
type GlobalsKnown = tokio::sync::watch::Receiver<Option<Option<Vec<GlobalCluster>>>>;

/// Every service of a region at once, each bounded by `bound`; the RDS part with the lags of
/// its read replicas and global secondaries.
async fn capture_region(
    ctx: &Ctx,
    region: &str,
    bound: Duration,
    globals: GlobalsKnown,
    silent: &SilentRegions,
) -> RegionParts {
    let (ec2, autoscaling, ecs, dynamodb, rds, sns) = tokio::join!(
        silent.part(
            ctx,
            region,
            "ec2",
            bounded(
                bound,
                Op::new("ec2", "DescribeAvailabilityZones"),
                ec2_part(ctx, region)
            )
        ),
        silent.part(
            ctx,
            region,
            "autoscaling",
            bounded(
                bound,
                Op::new("autoscaling", "DescribeAutoScalingGroups"),
                autoscaling_part(ctx, region)
            )
        ),
        silent.part(
            ctx,
            region,
            "ecs",
            bounded(bound, Op::new("ecs", "ListClusters"), ecs_part(ctx, region))
        ),
        silent.part(
            ctx,
            region,
            "dynamodb",
            bounded(
                bound,
                Op::new("dynamodb", "ListTables"),
                dynamodb_part(ctx, region)
            )
        ),
        silent.part(ctx, region, "rds", async {
            let mut part = bounded(
                bound,
                Op::new("rds", "DescribeDBInstances"),
                rds_part(ctx, region),
            )
            .await?;
            fill_lags(ctx, region, &mut part, globals, bound).await;
            Ok::<_, BackendError>(part)
        }),
        silent.part(
            ctx,
            region,
            "sns",
            bounded(bound, Op::new("sns", "ListTopics"), sns_part(ctx, region))
        ),
    );
    RegionParts {
        ec2,
        autoscaling,
        ecs,
        dynamodb,
        rds,
        sns,
    }
}

async fn ec2_part(ctx: &Ctx, region: &str) -> Result<Ec2Part, BackendError> {
    let ec2 = ctx.clients.ec2(region);
    let zones = async {
        let op = Op::new("ec2", "DescribeAvailabilityZones");
        ctx.pace("ec2", "DescribeAvailabilityZones", Some(region))
            .await;
        let out = ec2
            .describe_availability_zones()
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        let mut zones: Vec<String> = out
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect();
        zones.sort();
        Ok::<_, BackendError>(zones)
    };
    let volumes = async {
        let volumes: Vec<Volume> = all_sorted!(
            ctx.pace("ec2", "DescribeVolumes", Some(region)),
            Op::new("ec2", "DescribeVolumes"),
            ec2.describe_volumes(),
            convert::volume,
            id
        );
        Ok(volumes)
    };
    let snapshots = async {
        let snapshots: Vec<EbsSnapshot> = all_sorted!(
            ctx.pace("ec2", "DescribeSnapshots", Some(region)),
            Op::new("ec2", "DescribeSnapshots"),
            ec2.describe_snapshots().owner_ids("self"),
            convert::snapshot,
            id
        );
        Ok(snapshots)
    };
    let (availability_zones, volumes, snapshots) = tokio::try_join!(zones, volumes, snapshots)?;
    Ok(Ec2Part {
        availability_zones,
        volumes,
        snapshots,
    })
}

async fn autoscaling_part(ctx: &Ctx, region: &str) -> Result<Vec<AutoScalingGroup>, BackendError> {
    let groups: Vec<AutoScalingGroup> = all_sorted!(
        ctx.pace("autoscaling", "DescribeAutoScalingGroups", Some(region)),
        Op::new("autoscaling", "DescribeAutoScalingGroups"),
        // 100 a page, AWS's most (its default is 50): half the round trips of a fleet.
        ctx.clients
            .autoscaling(region)
            .describe_auto_scaling_groups()
            .max_records(100),
        convert::asg,
        name
    );
    Ok(groups)
}

/// Every ECS service of the region: ListClusters, ListServices of each cluster, and
/// DescribeServices of its services ten at a time. INACTIVE services (deleted) are left out.
async fn ecs_part(ctx: &Ctx, region: &str) -> Result<Vec<EcsService>, BackendError> {
    let ecs = ctx.clients.ecs(region);
    let op = Op::new("ecs", "ListClusters");
    ctx.pace("ecs", "ListClusters", Some(region)).await;
    let mut clusters: Vec<String> = ecs
        .list_clusters()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?;
    clusters.sort();
    let mut services = Vec::new();
    for chunk in clusters.chunks(CLUSTERS_AT_ONCE) {
        let read = join_all(
            chunk
                .iter()
                .map(|cluster| cluster_services(ctx, region, cluster)),
        )
        .await;
        for found in read {
            services.extend(found?);
        }
    }
    services.sort_by(|a: &EcsService, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
    Ok(services)
}

/// The services of one cluster (by ARN, as ListClusters gives it). A cluster deleted since
/// the listing has none.
async fn cluster_services(
    ctx: &Ctx,
    region: &str,
    cluster: &str,
) -> Result<Vec<EcsService>, BackendError> {
    let ecs = ctx.clients.ecs(region);
    let op = Op::new("ecs", "ListServices");
    ctx.pace("ecs", "ListServices", Some(region)).await;
    let listed = ecs
        .list_services()
        .cluster(cluster)
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await;
    let arns = match listed {
        Ok(arns) => arns,
        Err(err) if err.kind == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let op = Op::new("ecs", "DescribeServices");
    let mut services = Vec::new();
    for batch in arns.chunks(SERVICES_PER_DESCRIBE) {
        ctx.pace("ecs", "DescribeServices", Some(region)).await;
        let out = match ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|err| op.sdk(err))
        {
            Ok(out) => out,
            Err(err) if err.kind == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        services.extend(
            out.services()
                .iter()
                .filter(|s| s.status() != Some("INACTIVE"))
                .map(|s| convert::ecs_service(s, cluster)),
        );
    }
    Ok(services)
}

/// Every DynamoDB table of the region, each described (DescribeTable): its status, stream and
/// the other regions of its global table. A table deleted since the listing is left out.
async fn dynamodb_part(ctx: &Ctx, region: &str) -> Result<Vec<DynamoTable>, BackendError> {
    let op = Op::new("dynamodb", "ListTables");
    ctx.pace("dynamodb", "ListTables", Some(region)).await;
    let mut names: Vec<String> = ctx
        .clients
        .dynamodb(region)
        .list_tables()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?;
    names.sort();
    let op = Op::new("dynamodb", "DescribeTable");
    let mut tables = Vec::new();
    for chunk in names.chunks(TABLES_AT_ONCE) {
        let read = join_all(
            chunk
                .iter()
                .map(|name| crate::query::table(ctx, op, region, name)),
        )
        .await;
        for found in read {
            tables.extend(found?.map(|table| convert::table(&table, region)));
        }
    }
    Ok(tables)
}

async fn rds_part(ctx: &Ctx, region: &str) -> Result<RdsPart, BackendError> {
    let rds = ctx.clients.rds(region);
    let instances = async {
        let instances: Vec<DbInstance> = all_sorted!(
            ctx.pace("rds", "DescribeDBInstances", Some(region)),
            Op::new("rds", "DescribeDBInstances"),
            rds.describe_db_instances(),
            convert::db_instance,
            id
        );
        Ok::<_, BackendError>(instances)
    };
    let clusters = async {
        let clusters: Vec<DbCluster> = all_sorted!(
            ctx.pace("rds", "DescribeDBClusters", Some(region)),
            Op::new("rds", "DescribeDBClusters"),
            rds.describe_db_clusters(),
            convert::db_cluster,
            id
        );
        Ok(clusters)
    };
    // Without a snapshot type, DescribeDBSnapshots lists manual and automated snapshots.
    let snapshots = async {
        let snapshots: Vec<DbSnapshot> = all_sorted!(
            ctx.pace("rds", "DescribeDBSnapshots", Some(region)),
            Op::new("rds", "DescribeDBSnapshots"),
            rds.describe_db_snapshots(),
            convert::db_snapshot,
            id
        );
        Ok(snapshots)
    };
    let cluster_snapshots = async {
        let snapshots: Vec<DbSnapshot> = all_sorted!(
            ctx.pace("rds", "DescribeDBClusterSnapshots", Some(region)),
            Op::new("rds", "DescribeDBClusterSnapshots"),
            rds.describe_db_cluster_snapshots(),
            convert::db_cluster_snapshot,
            id
        );
        Ok(snapshots)
    };
    let (db_instances, db_clusters, db_snapshots, db_cluster_snapshots) =
        tokio::try_join!(instances, clusters, snapshots, cluster_snapshots)?;
    Ok(RdsPart {
        db_instances,
        db_clusters,
        db_snapshots,
        db_cluster_snapshots,
    })
}

async fn sns_part(ctx: &Ctx, region: &str) -> Result<Vec<Topic>, BackendError> {
    let op = Op::new("sns", "ListTopics");
    ctx.pace("sns", "ListTopics", Some(region)).await;
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
    Ok(topics)
}

/// Every global cluster of the account, as `region`'s RDS describes them.
async fn describe_global_clusters(
    ctx: &Ctx,
    region: &str,
) -> Result<Vec<GlobalCluster>, BackendError> {
    let op = Op::new("rds", "DescribeGlobalClusters");
    ctx.pace("rds", "DescribeGlobalClusters", Some(region))
        .await;
    Ok(ctx
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
        .collect())
}

/// Keeps the members an inventory can describe: those whose cluster was captured in its
/// region, and those in an asked region whose RDS did not answer (a plan against a partial
/// capture must see the same global cluster as against a full one: the member is there,
/// only unreachable). A member in a region that was not asked is left out (docs/live.md
/// says to capture every region of a global database).
fn keep_known_members(
    globals: &mut [GlobalCluster],
    asked: &[String],
    captured: &BTreeMap<String, RegionInventory>,
    down: &Unanswered,
) {
    for global in globals {
        global.members.retain(|m| {
            let described = captured
                .get(&m.region)
                .is_some_and(|r| r.db_clusters.iter().any(|c| c.id == m.cluster));
            described || (asked.contains(&m.region) && down.covers(&m.region, "rds"))
        });
    }
}

/// The lags CloudWatch holds for a region's RDS part: `replica_lag_secs` of every read
/// replica, at once, and `replication_lag_secs` of every global secondary (a member that is
/// not the writer: only membership tells, so these wait for the global clusters). One
/// request each, all at once, each bounded like a part; one that cannot be read is unknown,
/// with a warning.
async fn fill_lags(
    ctx: &Ctx,
    region: &str,
    part: &mut RdsPart,
    mut globals: GlobalsKnown,
    bound: Duration,
) {
    let replicas: Vec<String> = part
        .db_instances
        .iter()
        .filter(|db| db.read_replica_source.is_some())
        .map(|db| db.id.clone())
        .collect();
    let clusters = &mut part.db_clusters;
    let (replica_lags, ()) = tokio::join!(
        join_all(
            replicas
                .iter()
                .map(|id| lag_secs_within(ctx, region, Lag::Replica(id), bound))
        ),
        async {
            // A closed channel means the capture is over: nothing to wait for.
            let known = globals
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|known| known.clone().flatten());
            if let Some(known) = known {
                secondary_lags(ctx, region, clusters, &known, bound).await;
            }
        },
    );
    for (id, lag) in replicas.iter().zip(replica_lags) {
        if let Some(instance) = part.db_instances.iter_mut().find(|db| db.id == *id) {
            instance.replica_lag_secs = lag;
        }
    }
}

/// `replication_lag_secs` of the clusters of `region` that are secondaries of `globals`.
async fn secondary_lags(
    ctx: &Ctx,
    region: &str,
    clusters: &mut [DbCluster],
    globals: &[GlobalCluster],
    bound: Duration,
) {
    let secondaries: BTreeSet<&str> = globals
        .iter()
        .flat_map(|g| &g.members)
        .filter(|m| !m.writer && m.region == region)
        .map(|m| m.cluster.as_str())
        .filter(|id| clusters.iter().any(|c| c.id == *id))
        .collect();
    let lags = join_all(
        secondaries
            .iter()
            .map(|id| lag_secs_within(ctx, region, Lag::GlobalSecondary(id), bound)),
    )
    .await;
    for (id, lag) in secondaries.iter().zip(lags) {
        if let Some(cluster) = clusters.iter_mut().find(|c| c.id == *id) {
            cluster.replication_lag_secs = lag;
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

/// Every hosted zone with its records; the zones' records are listed at once.
async fn hosted_zones(ctx: &Ctx) -> Result<Vec<HostedZone>, BackendError> {
    let op = Op::new("route53", "ListHostedZones");
    ctx.pace("route53", "ListHostedZones", None).await;
    let zones: Vec<ZoneRef> = ctx
        .clients
        .route53()
        .list_hosted_zones()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?
        .iter()
        .map(|zone| ZoneRef {
            id: zone_id(zone.id()).to_string(),
            name: zone.name().trim_end_matches('.').to_string(),
            private: zone.config().is_some_and(|c| c.private_zone()),
            warning: None,
        })
        .collect();
    let listed = join_all(
        zones
            .iter()
            .map(|zone| crate::query::records(ctx, op, zone)),
    )
    .await;
    let mut out = Vec::new();
    for (zone, records) in zones.into_iter().zip(listed) {
        let mut records = records?;
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

async fn all_health_checks(ctx: &Ctx) -> Result<Vec<HealthCheck>, BackendError> {
    let op = Op::new("route53", "ListHealthChecks");
    let mut checks: Vec<HealthCheck> = health_checks(ctx, op)
        .await?
        .into_iter()
        .map(|(check, name)| convert::health_check(&check, name))
        .collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(checks)
}

/// Every bucket (ListBuckets, in the account region) with its region (GetBucketLocation),
/// versioning and replication (in the bucket's region), and what did not answer: the account
/// region's S3 (no buckets, or a bucket whose region is unknown is left out), or a bucket's
/// region (the bucket is kept with its region, without versioning or replication).
async fn buckets(
    ctx: &Ctx,
    account_region: &str,
    bound: Duration,
) -> Result<(Vec<Bucket>, Vec<Unreachable>), BackendError> {
    let op = Op::new("s3", "ListBuckets");
    let listed = bounded(bound, op, async {
        ctx.pace("s3", "ListBuckets", Some(account_region)).await;
        ctx.clients
            .s3(account_region)
            .list_buckets()
            .send()
            .await
            .map_err(|err| op.sdk(err))
    })
    .await;
    let listed = match listed {
        Ok(listed) => listed,
        Err(err) if err.kind == ErrorKind::Unreachable => {
            let entry = Unreachable::service_in(account_region, "s3", reason(&err));
            return Ok((Vec::new(), vec![entry]));
        }
        Err(err) => return Err(err),
    };
    let mut names: Vec<String> = listed
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    let silent: Mutex<Vec<Unreachable>> = Mutex::new(Vec::new());
    // A region whose S3 did not answer for one bucket is not asked again for the next.
    let dead: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let mut out = Vec::new();
    for chunk in names.chunks(BUCKETS_AT_ONCE) {
        let read = join_all(
            chunk
                .iter()
                .map(|name| one_bucket(ctx, account_region, name, bound, &silent, &dead)),
        )
        .await;
        for bucket in read {
            out.extend(bucket?);
        }
    }
    let silent = silent.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok((out, silent))
}

/// One bucket: `None` when it is gone (deleted since the listing) or its region cannot be
/// found; what did not answer goes to `silent`.
async fn one_bucket(
    ctx: &Ctx,
    account_region: &str,
    name: &str,
    bound: Duration,
    silent: &Mutex<Vec<Unreachable>>,
    dead: &Mutex<HashSet<String>>,
) -> Result<Option<Bucket>, BackendError> {
    let record = |region: &str, err: &BackendError| {
        silent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Unreachable::service_in(region, "s3", reason(err)));
        dead.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(region.to_string());
    };
    let op = Op::new("s3", "GetBucketLocation");
    let region = match bounded(bound, op, ctx.bucket_region(op, name)).await {
        Ok(region) => region,
        Err(err) if err.kind == ErrorKind::NotFound => return Ok(None),
        Err(err) if err.kind == ErrorKind::Unreachable => {
            record(account_region, &err);
            return Ok(None);
        }
        Err(err) => return Err(err),
    };
    ctx.remember_bucket_region(name, &region);
    let known_dead = dead
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&region);
    let without_settings = |region: String| convert::bucket(name, region, false, None);
    if known_dead {
        return Ok(Some(without_settings(region)));
    }
    let op = Op::new("s3", "GetBucketVersioning");
    match bounded(
        bound,
        op,
        crate::query::bucket_in(ctx, op, name, region.clone()),
    )
    .await
    {
        Ok(bucket) => Ok(Some(bucket)),
        Err(err) if err.kind == ErrorKind::NotFound => Ok(None),
        Err(err) if err.kind == ErrorKind::Unreachable => {
            record(&region, &err);
            Ok(Some(without_settings(region)))
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable(code: &str) -> BackendError {
        Op::new("ec2", "DescribeVolumes").unreachable(code, "connection refused")
    }

    fn parts(
        ec2: Option<BackendError>,
        autoscaling: Option<BackendError>,
        rds: Option<BackendError>,
        sns: Option<BackendError>,
    ) -> RegionParts {
        parts_with(ec2, autoscaling, None, None, rds, sns)
    }

    fn parts_with(
        ec2: Option<BackendError>,
        autoscaling: Option<BackendError>,
        ecs: Option<BackendError>,
        dynamodb: Option<BackendError>,
        rds: Option<BackendError>,
        sns: Option<BackendError>,
    ) -> RegionParts {
        RegionParts {
            ec2: match ec2 {
                Some(err) => Err(err),
                None => Ok(Ec2Part {
                    availability_zones: vec!["us-east-1a".into()],
                    volumes: Vec::new(),
                    snapshots: Vec::new(),
                }),
            },
            autoscaling: autoscaling.map_or(Ok(Vec::new()), Err),
            ecs: ecs.map_or(Ok(Vec::new()), Err),
            dynamodb: dynamodb.map_or(Ok(Vec::new()), Err),
            rds: match rds {
                Some(err) => Err(err),
                None => Ok(RdsPart {
                    db_instances: Vec::new(),
                    db_clusters: Vec::new(),
                    db_snapshots: Vec::new(),
                    db_cluster_snapshots: Vec::new(),
                }),
            },
            sns: sns.map_or(Ok(Vec::new()), Err),
        }
    }

    #[test]
    fn a_region_where_nothing_answers_is_down_as_a_whole() {
        let mut down = Unanswered::default();
        let all = parts_with(
            Some(unreachable("DispatchFailure")),
            Some(unreachable("DispatchFailure")),
            Some(unreachable("DispatchFailure")),
            Some(unreachable("DispatchFailure")),
            Some(unreachable("ReadTimeout")),
            Some(unreachable("DispatchFailure")),
        );
        assert!(all
            .settle("us-east-1", &mut down, None)
            .expect("no hard error")
            .is_none());
        let entries = down.sorted();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].region.as_deref(), Some("us-east-1"));
        assert_eq!(entries[0].service, None);
        assert_eq!(
            entries[0].reason, "DispatchFailure: connection refused",
            "the first part's reason"
        );
    }

    #[test]
    fn a_region_found_silent_has_the_reason_that_found_it() {
        let mut down = Unanswered::default();
        let cut = |code: &str| BackendError {
            message: "connection refused (ec2 given up with it: nothing in us-east-1 answered)"
                .into(),
            ..unreachable(code)
        };
        let all = parts_with(
            Some(cut("DispatchFailure")),
            Some(cut("DispatchFailure")),
            Some(cut("DispatchFailure")),
            Some(cut("DispatchFailure")),
            Some(unreachable("DispatchFailure")),
            Some(cut("DispatchFailure")),
        );
        let found = unreachable("DispatchFailure");
        assert!(all
            .settle("us-east-1", &mut down, Some(found))
            .expect("no hard error")
            .is_none());
        let entries = down.sorted();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].reason, "DispatchFailure: connection refused");
    }

    #[test]
    fn one_silent_service_keeps_the_rest_of_the_region() {
        let mut down = Unanswered::default();
        let some = parts(None, None, Some(unreachable("Http503")), None);
        let inventory = some
            .settle("us-east-1", &mut down, None)
            .expect("no hard error")
            .expect("the region is there");
        assert_eq!(inventory.availability_zones, vec!["us-east-1a".to_string()]);
        assert!(down.covers("us-east-1", "rds"));
        assert!(!down.covers("us-east-1", "ec2"));
    }

    #[test]
    fn silent_ecs_and_dynamodb_are_services_not_the_region() {
        let mut down = Unanswered::default();
        // Five of six parts silent: the region still answered EC2.
        let some = parts_with(
            None,
            Some(unreachable("DispatchFailure")),
            Some(unreachable("Http503")),
            Some(unreachable("ReadTimeout")),
            Some(unreachable("DispatchFailure")),
            Some(unreachable("DispatchFailure")),
        );
        let inventory = some
            .settle("us-east-1", &mut down, None)
            .expect("no hard error")
            .expect("the region is there");
        assert_eq!(inventory.availability_zones, vec!["us-east-1a".to_string()]);
        assert!(down.covers("us-east-1", "ecs"));
        assert!(down.covers("us-east-1", "dynamodb"));
        assert!(!down.covers("us-east-1", "ec2"));
        let whats: Vec<String> = down.sorted().iter().map(Unreachable::what).collect();
        assert_eq!(whats.len(), 5, "{whats:?}");
    }

    #[test]
    fn a_refusal_is_not_an_outage() {
        let mut down = Unanswered::default();
        let denied = Op::new("sns", "ListTopics").rejected("AccessDenied", "no");
        let mixed = parts(
            Some(unreachable("DispatchFailure")),
            None,
            None,
            Some(denied),
        );
        let err = mixed
            .settle("us-east-1", &mut down, None)
            .expect_err("AccessDenied fails the capture");
        assert_eq!(err.code, "AccessDenied");
    }

    #[test]
    fn entries_are_sorted_and_kept_once() {
        let mut down = Unanswered::default();
        down.add(Unreachable::service_in("us-west-2", "s3", "b"));
        down.add(Unreachable::region("us-east-1", "a"));
        down.add(Unreachable::service_in(
            "us-east-1",
            "s3",
            "ignored: the region is down",
        ));
        down.add(Unreachable::control_plane("route53", "c"));
        down.add(Unreachable::control_plane("route53", "again"));
        let whats: Vec<String> = down.sorted().iter().map(Unreachable::what).collect();
        assert_eq!(
            whats,
            vec![
                "Route 53's control plane (us-east-1)".to_string(),
                "us-east-1".to_string(),
                "s3 in us-west-2".to_string()
            ]
        );
    }

    #[test]
    fn members_in_a_silent_region_stay() {
        let global = GlobalCluster {
            id: "g".into(),
            engine: "aurora-mysql".into(),
            status: "available".into(),
            members: vec![
                ripcord_core::inventory::GlobalClusterMember {
                    cluster: "east".into(),
                    region: "us-east-1".into(),
                    writer: true,
                },
                ripcord_core::inventory::GlobalClusterMember {
                    cluster: "west".into(),
                    region: "us-west-2".into(),
                    writer: false,
                },
                ripcord_core::inventory::GlobalClusterMember {
                    cluster: "far".into(),
                    region: "eu-west-1".into(),
                    writer: false,
                },
            ],
        };
        let mut globals = vec![global];
        let mut captured = BTreeMap::new();
        let mut west = RegionInventory::default();
        west.db_clusters.push(DbCluster {
            id: "west".into(),
            engine: "aurora-mysql".into(),
            status: "available".into(),
            replication_lag_secs: None,
        });
        captured.insert("us-west-2".to_string(), west);
        let mut down = Unanswered::default();
        down.add(Unreachable::region("us-east-1", "refused"));
        let asked = vec!["us-east-1".to_string(), "us-west-2".to_string()];
        keep_known_members(&mut globals, &asked, &captured, &down);
        let kept: Vec<&str> = globals[0]
            .members
            .iter()
            .map(|m| m.cluster.as_str())
            .collect();
        assert_eq!(kept, vec!["east", "west"], "eu-west-1 was not asked");
    }
}
