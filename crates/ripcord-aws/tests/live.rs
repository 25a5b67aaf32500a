//! The live backend against moto (tests/moto): every call, waits, checks, queries, capture, parallel groups.
//!
//! One moto server is shared by most tests (each test uses its own resource names); the
//! capture and timing tests start their own so that other tests' resources and load do not
//! disturb them. Fixtures are created with the AWS SDK itself.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use ripcord_aws::{LiveBackend, LiveConfig, PollConfig};
use ripcord_core::ops;
use ripcord_core::{
    AliasTarget, Backend, BackendError, Call, CheckSpec, ErrorKind, Intent, Inventory, Journal,
    Outcome, Query, RecordSet, ReplicationRule, Target, WaitSpec, WaitState,
};
use ripcord_testkit::{unique, FaultProxy, Moto};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";

// ---------------------------------------------------------------- moto

/// The server most tests share.
fn shared() -> &'static str {
    &Moto::shared().url
}

fn fast_poll() -> PollConfig {
    PollConfig {
        initial_ms: 50,
        max_ms: 200,
        factor: 1.5,
    }
}

/// How long the SDK first waits before retrying a request, in the backend and the fixtures:
/// moto answers at once or not at all, so the SDK's 1 s would only slow the tests.
const RETRY_BACKOFF: Duration = Duration::from_millis(10);

fn backend(url: &str) -> LiveBackend {
    LiveBackend::with_static_credentials_and_backoff(
        LiveConfig {
            profile: None,
            region: Some(EAST.to_string()),
            endpoint_url: Some(url.to_string()),
            poll: fast_poll(),
            ..LiveConfig::default()
        },
        "testing",
        "testing",
        RETRY_BACKOFF,
    )
    .expect("live backend")
}

// ---------------------------------------------------------------- fixtures

/// The test's own SDK clients against moto, on their own runtime.
struct Fx {
    rt: tokio::runtime::Runtime,
    url: String,
}

impl Fx {
    fn new(url: &str) -> Fx {
        Fx {
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("fixture runtime"),
            url: url.to_string(),
        }
    }

    fn config(&self, region: &str) -> SdkConfig {
        self.rt.block_on(
            aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region.to_string()))
                .retry_config(RetryConfig::standard().with_initial_backoff(RETRY_BACKOFF))
                .endpoint_url(&self.url)
                .credentials_provider(aws_sdk_sts::config::Credentials::new(
                    "testing", "testing", None, None, "fixtures",
                ))
                .load(),
        )
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.config(region))
    }
    fn rds(&self, region: &str) -> aws_sdk_rds::Client {
        aws_sdk_rds::Client::new(&self.config(region))
    }
    fn asg(&self, region: &str) -> aws_sdk_autoscaling::Client {
        aws_sdk_autoscaling::Client::new(&self.config(region))
    }
    fn sns(&self, region: &str) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.config(region))
    }
    fn route53(&self) -> aws_sdk_route53::Client {
        aws_sdk_route53::Client::new(&self.config(EAST))
    }
    fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.config(region))
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    fn block<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// A volume with a Name tag; returns its id.
    fn volume(&self, region: &str, name: &str, size: i32) -> String {
        let tags = aws_sdk_ec2::types::TagSpecification::builder()
            .resource_type(aws_sdk_ec2::types::ResourceType::Volume)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Name")
                    .value(name)
                    .build(),
            )
            .build();
        self.block(
            self.ec2(region)
                .create_volume()
                .availability_zone(format!("{region}a"))
                .size(size)
                .tag_specifications(tags)
                .send(),
        )
        .expect("create volume")
        .volume_id()
        .expect("volume id")
        .to_string()
    }

    /// A non-Aurora DB instance; returns its identifier.
    fn db_instance(&self, region: &str, id: &str, multi_az: bool) -> String {
        self.block(
            self.rds(region)
                .create_db_instance()
                .db_instance_identifier(id)
                .engine("postgres")
                .db_instance_class("db.t3.micro")
                .allocated_storage(20)
                .master_username("ripcord")
                .master_user_password("not-a-secret-1")
                .multi_az(multi_az)
                .send(),
        )
        .expect("create db instance");
        id.to_string()
    }

    fn stop_db(&self, region: &str, id: &str) {
        self.block(
            self.rds(region)
                .stop_db_instance()
                .db_instance_identifier(id)
                .send(),
        )
        .expect("stop db instance");
    }

    fn start_db(&self, region: &str, id: &str) {
        self.block(
            self.rds(region)
                .start_db_instance()
                .db_instance_identifier(id)
                .send(),
        )
        .expect("start db instance");
    }

    fn db_status(&self, region: &str, id: &str) -> String {
        let out = self
            .block(
                self.rds(region)
                    .describe_db_instances()
                    .db_instance_identifier(id)
                    .send(),
            )
            .expect("describe db instance");
        out.db_instances()[0]
            .db_instance_status()
            .unwrap_or_default()
            .to_string()
    }

    /// An Aurora cluster; `global` makes it a secondary of that global cluster.
    fn aurora_cluster(&self, region: &str, id: &str, global: Option<&str>) -> String {
        let mut request = self
            .rds(region)
            .create_db_cluster()
            .db_cluster_identifier(id)
            .engine("aurora-postgresql")
            .engine_version("15.4");
        match global {
            Some(global) => request = request.global_cluster_identifier(global),
            None => {
                request = request
                    .master_username("ripcord")
                    .master_user_password("not-a-secret-1")
            }
        }
        let out = self.block(request.send()).expect("create db cluster");
        out.db_cluster()
            .and_then(|c| c.db_cluster_arn())
            .expect("cluster arn")
            .to_string()
    }

    /// An Aurora global database: a writer cluster in us-east-1 and a secondary in us-west-2;
    /// returns the secondary's ARN.
    fn aurora_global(&self, global: &str, primary: &str, secondary: &str) -> String {
        let primary_arn = self.aurora_cluster(EAST, primary, None);
        self.block(
            self.rds(EAST)
                .create_global_cluster()
                .global_cluster_identifier(global)
                .source_db_cluster_identifier(&primary_arn)
                .send(),
        )
        .expect("create global cluster");
        self.aurora_cluster(WEST, secondary, Some(global))
    }

    /// An Auto Scaling group from a launch template.
    fn asg_group(&self, region: &str, name: &str, desired: i32) {
        let ec2 = self.ec2(region);
        // Any id: the launcher starts moto without its stock AMIs and moto does not check it.
        let image = "ami-12c6146b";
        let template = format!("{name}-lt");
        self.block(
            ec2.create_launch_template()
                .launch_template_name(&template)
                .launch_template_data(
                    aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                        .image_id(image)
                        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                        .build(),
                )
                .send(),
        )
        .expect("create launch template");
        self.block(
            self.asg(region)
                .create_auto_scaling_group()
                .auto_scaling_group_name(name)
                .launch_template(
                    aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                        .launch_template_name(&template)
                        .build(),
                )
                .min_size(0)
                .max_size(4)
                .desired_capacity(desired)
                .availability_zones(format!("{region}a"))
                .tags(
                    aws_sdk_autoscaling::types::Tag::builder()
                        .key("Tier")
                        .value("web")
                        .build(),
                )
                .send(),
        )
        .expect("create auto scaling group");
    }

    /// A hosted zone; returns its id without `/hostedzone/`.
    /// A group whose wait for `in_service` never ends: its only instance type weighs two
    /// capacity units, so moto launches one instance for the desired capacity of 2, and
    /// ripcord (like AWS's own waiter) counts InService instances.
    fn asg_group_one_short(&self, region: &str, name: &str) {
        self.asg_group(region, name, 0);
        let template = aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
            .launch_template_name(format!("{name}-lt"))
            .build();
        let policy = aws_sdk_autoscaling::types::MixedInstancesPolicy::builder()
            .launch_template(
                aws_sdk_autoscaling::types::LaunchTemplate::builder()
                    .launch_template_specification(template)
                    .overrides(
                        aws_sdk_autoscaling::types::LaunchTemplateOverrides::builder()
                            .instance_type("t3.micro")
                            .weighted_capacity("2")
                            .build(),
                    )
                    .build(),
            )
            .build();
        self.block(
            self.asg(region)
                .update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .mixed_instances_policy(policy)
                .desired_capacity(2)
                .send(),
        )
        .expect("weighted group");
    }

    fn zone(&self, name: &str) -> String {
        let out = self
            .block(
                self.route53()
                    .create_hosted_zone()
                    .name(name)
                    .caller_reference(unique("zone"))
                    .send(),
            )
            .expect("create hosted zone");
        out.hosted_zone()
            .expect("zone")
            .id()
            .trim_start_matches("/hostedzone/")
            .to_string()
    }

    /// A health check with a Name tag; returns its id.
    fn health_check(&self, name: &str) -> String {
        let config = aws_sdk_route53::types::HealthCheckConfig::builder()
            .r#type(aws_sdk_route53::types::HealthCheckType::Https)
            .fully_qualified_domain_name("primary.example.com")
            .port(443)
            .resource_path("/health")
            .build()
            .expect("health check config");
        let out = self
            .block(
                self.route53()
                    .create_health_check()
                    .caller_reference(unique("hc"))
                    .health_check_config(config)
                    .send(),
            )
            .expect("create health check");
        let id = out.health_check().expect("health check").id().to_string();
        self.block(
            self.route53()
                .change_tags_for_resource()
                .resource_type(aws_sdk_route53::types::TagResourceType::Healthcheck)
                .resource_id(&id)
                .add_tags(
                    aws_sdk_route53::types::Tag::builder()
                        .key("Name")
                        .value(name)
                        .build(),
                )
                .send(),
        )
        .expect("tag health check");
        id
    }

    /// A versioned bucket in `region`.
    fn bucket(&self, region: &str, name: &str) {
        let s3 = self.s3(region);
        let mut request = s3.create_bucket().bucket(name);
        if region != EAST {
            request = request.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        self.block(request.send()).expect("create bucket");
        self.block(
            s3.put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(
                    aws_sdk_s3::types::VersioningConfiguration::builder()
                        .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send(),
        )
        .expect("enable versioning");
    }

    fn topic(&self, region: &str, name: &str) -> String {
        self.block(self.sns(region).create_topic().name(name).send())
            .expect("create topic")
            .topic_arn()
            .expect("topic arn")
            .to_string()
    }
}

/// Runs when an intent is journaled (tests use it to change the world while a step runs).
type IntentHook = Box<dyn Fn(&Intent) + Send>;

/// A journal that keeps every event in memory, with the time it happened.
#[derive(Default)]
struct MemoryJournal {
    events: Mutex<Vec<(Instant, Event)>>,
    next: Mutex<u64>,
    /// Called with each intent (tests use it to change the world while a step runs).
    on_intent: Mutex<Option<IntentHook>>,
    /// Refuse every intent (the step must then not be sent).
    refuse: bool,
}

#[derive(Debug, Clone)]
enum Event {
    Intent(u64, Intent),
    Finished(u64, Result<Outcome, BackendError>),
}

impl Journal for MemoryJournal {
    fn intent(&self, intent: &Intent) -> Result<u64, String> {
        if self.refuse {
            return Err("disk full".to_string());
        }
        let seq = {
            let mut next = self.next.lock().unwrap();
            *next += 1;
            *next
        };
        self.events
            .lock()
            .unwrap()
            .push((Instant::now(), Event::Intent(seq, intent.clone())));
        if let Some(hook) = self.on_intent.lock().unwrap().as_ref() {
            hook(intent);
        }
        Ok(seq)
    }

    fn finished(&self, seq: u64, result: Result<&Outcome, &BackendError>, _duration_ms: u64) {
        self.events.lock().unwrap().push((
            Instant::now(),
            Event::Finished(seq, result.cloned().map_err(Clone::clone)),
        ));
    }
}

impl MemoryJournal {
    fn events(&self) -> Vec<(Instant, Event)> {
        self.events.lock().unwrap().clone()
    }
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn expect_err(result: Result<Outcome, BackendError>) -> BackendError {
    match result {
        Ok(outcome) => panic!("expected an error, got {outcome:?}"),
        Err(err) => err,
    }
}

/// Messages are AWS's words, never Debug dumps of SDK structures.
fn assert_clean_message(err: &BackendError) {
    assert!(!err.message.is_empty(), "{err:?}");
    for debug in ["ServiceError {", "ErrorMetadata {", "Some(", "source:"] {
        assert!(!err.message.contains(debug), "Debug output in {err:?}");
    }
    assert!(!err.message.contains("testing"), "credentials in {err:?}");
}

// ---------------------------------------------------------------- tests

#[test]
fn caller_identity_and_request_count() {
    let mut live = backend(shared());
    assert_eq!(live.requests_sent(), 0);
    let identity = live.caller_identity().expect("identity");
    assert_eq!(identity.account, "123456789012");
    assert!(identity.arn.starts_with("arn:aws:"), "{identity:?}");
    assert_eq!(live.requests_sent(), 1);
    // Cached: asked once per backend.
    live.caller_identity().expect("identity");
    assert_eq!(live.requests_sent(), 1);
}

#[test]
fn publish_builds_the_topic_arn() {
    let fx = Fx::new(shared());
    let name = unique("dr-notifications");
    let arn = fx.topic(WEST, &name);
    let mut live = backend(shared());
    let call = Call::Publish(ops::Publish {
        region: WEST.into(),
        topic: name.clone(),
        subject: "DR Failover Completed".into(),
        message: "Failover took 6m 12s.".into(),
    });
    let outcome = live.execute(&call).expect("publish");
    assert_eq!(outcome.resolved.as_deref(), Some(arn.as_str()));
    assert!(outcome.request_id.is_some(), "{outcome:?}");
    // The account is asked once (STS), then each publish is one request.
    assert_eq!(live.requests_sent(), 2);
    live.execute(&call).expect("publish again");
    assert_eq!(live.requests_sent(), 3);

    let missing = Call::Publish(ops::Publish {
        region: WEST.into(),
        topic: unique("no-such-topic"),
        subject: String::new(),
        message: "x".into(),
    });
    let err = expect_err(live.execute(&missing));
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    assert_eq!(err.code, "NotFound");
    assert_eq!(
        (err.service.as_str(), err.operation.as_str()),
        ("sns", "Publish")
    );
    assert_clean_message(&err);
}

#[test]
fn ec2_snapshot_copy_and_restore_by_name() {
    let fx = Fx::new(shared());
    let name = unique("web-data");
    let volume_id = fx.volume(EAST, &name, 8);
    let mut live = backend(shared());

    let snap_name = unique("web-data-nightly");
    let outcome = live
        .execute(&Call::CreateSnapshot(ops::CreateSnapshot {
            region: EAST.into(),
            volume: name.clone(),
            description: "Backup of web-data".into(),
            tags: tags(&[("Name", &snap_name), ("Environment", "Production")]),
        }))
        .expect("create snapshot");
    assert_eq!(outcome.resolved.as_deref(), Some(volume_id.as_str()));
    let snap_id = outcome.creates.clone().expect("snapshot id");
    assert!(snap_id.starts_with("snap-"), "{outcome:?}");
    assert!(outcome.request_id.is_some());
    let described = fx
        .block(
            fx.ec2(EAST)
                .describe_snapshots()
                .snapshot_ids(&snap_id)
                .send(),
        )
        .expect("describe snapshot");
    let snapshot = &described.snapshots()[0];
    assert_eq!(snapshot.volume_id(), Some(volume_id.as_str()));
    assert_eq!(snapshot.description(), Some("Backup of web-data"));
    let snapshot_tags: BTreeMap<_, _> = snapshot
        .tags()
        .iter()
        .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default()))
        .collect();
    assert_eq!(snapshot_tags.get("Environment"), Some(&"Production"));

    // Waiting by Name tag resolves it once.
    let waited = live
        .wait(&WaitSpec {
            target: Target::EbsSnapshot {
                name: snap_name.clone(),
                region: EAST.into(),
            },
            until: WaitState::Completed,
            timeout_secs: 60,
        })
        .expect("wait completed");
    assert_eq!(waited.resolved.as_deref(), Some(snap_id.as_str()));

    // Copied by Name tag, in the destination region.
    let copy_name = unique("web-data-dr");
    let outcome = live
        .execute(&Call::CopySnapshot(ops::CopySnapshot {
            region: WEST.into(),
            source_region: EAST.into(),
            source_snapshot: snap_name.clone(),
            description: "Copy for DR".into(),
            tags: tags(&[("Name", &copy_name)]),
        }))
        .expect("copy snapshot");
    assert_eq!(outcome.resolved.as_deref(), Some(snap_id.as_str()));
    let copy_id = outcome.creates.expect("copy id");
    let copied = fx
        .block(
            fx.ec2(WEST)
                .describe_snapshots()
                .snapshot_ids(&copy_id)
                .send(),
        )
        .expect("describe copy");
    assert_eq!(copied.snapshots()[0].description(), Some("Copy for DR"));
    assert!(copied.snapshots()[0]
        .tags()
        .iter()
        .any(|t| t.key() == Some("Name") && t.value() == Some(copy_name.as_str())));

    // A volume from the copy, in a zone of the destination region.
    let restored = unique("web-data-restored");
    let outcome = live
        .execute(&Call::CreateVolume(ops::CreateVolume {
            region: WEST.into(),
            snapshot: copy_name.clone(),
            availability_zone: "us-west-2b".into(),
            tags: tags(&[("Name", &restored)]),
        }))
        .expect("create volume");
    assert_eq!(outcome.resolved.as_deref(), Some(copy_id.as_str()));
    let new_volume = outcome.creates.expect("volume id");
    let volumes = fx
        .block(
            fx.ec2(WEST)
                .describe_volumes()
                .volume_ids(&new_volume)
                .send(),
        )
        .expect("describe volume");
    let volume = &volumes.volumes()[0];
    assert_eq!(volume.snapshot_id(), Some(copy_id.as_str()));
    assert_eq!(volume.availability_zone(), Some("us-west-2b"));
    live.wait(&WaitSpec {
        target: Target::Volume {
            name: restored.clone(),
            region: WEST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 60,
    })
    .expect("wait available");

    // The queries answer in the inventory's shape.
    let described = live
        .query(&Query::Describe {
            target: Target::Volume {
                name: restored.clone(),
                region: WEST.into(),
            },
        })
        .expect("describe")
        .expect("the volume exists");
    let parsed: ripcord_core::inventory::Volume =
        serde_json::from_value(described).expect("inventory shape");
    assert_eq!(parsed.id, new_volume);
    assert_eq!(parsed.name.as_deref(), Some(restored.as_str()));
    assert_eq!(parsed.availability_zone, "us-west-2b");
    let latest = live
        .query(&Query::LatestSnapshot {
            target: Target::Volume {
                name: name.clone(),
                region: EAST.into(),
            },
        })
        .expect("latest snapshot")
        .expect("has a snapshot");
    let latest: ripcord_core::inventory::EbsSnapshot =
        serde_json::from_value(latest).expect("inventory shape");
    assert_eq!(latest.id, snap_id);
    assert_eq!(latest.name.as_deref(), Some(snap_name.as_str()));
    assert_eq!(latest.state, "completed");
}

#[test]
fn ec2_names_missing_and_ambiguous() {
    let fx = Fx::new(shared());
    let twice = unique("twice");
    let a = fx.volume(EAST, &twice, 1);
    let b = fx.volume(EAST, &twice, 1);
    let mut live = backend(shared());
    let snapshot_of = |volume: &str| {
        Call::CreateSnapshot(ops::CreateSnapshot {
            region: EAST.into(),
            volume: volume.to_string(),
            description: String::new(),
            tags: BTreeMap::new(),
        })
    };
    let err = expect_err(live.execute(&snapshot_of(&twice)));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "AmbiguousName")
    );
    let help = err.help.clone().unwrap_or_default();
    assert!(help.contains(&a) && help.contains(&b), "{err:?}");

    let err = expect_err(live.execute(&snapshot_of(&unique("nowhere"))));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "InvalidVolume.NotFound")
    );
    assert_eq!(
        (err.service.as_str(), err.operation.as_str()),
        ("ec2", "CreateSnapshot")
    );

    // By id, AWS itself answers.
    let err = expect_err(live.execute(&Call::CreateVolume(ops::CreateVolume {
        region: EAST.into(),
        snapshot: "snap-0123456789abcdef0".into(),
        availability_zone: "us-east-1a".into(),
        tags: BTreeMap::new(),
    })));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "InvalidSnapshot.NotFound")
    );
    assert_clean_message(&err);

    // Describe of something missing is `None`; an ambiguous name stays an error.
    let none = live
        .query(&Query::Describe {
            target: Target::Volume {
                name: unique("nowhere"),
                region: EAST.into(),
            },
        })
        .expect("describe");
    assert_eq!(none, None);
    let err = live
        .query(&Query::Describe {
            target: Target::Volume {
                name: twice.clone(),
                region: EAST.into(),
            },
        })
        .expect_err("ambiguous");
    assert_eq!(err.code, "AmbiguousName");
    let err = live
        .query(&Query::LatestSnapshot {
            target: Target::Volume {
                name: unique("nowhere"),
                region: EAST.into(),
            },
        })
        .expect_err("unknown source");
    assert_eq!(err.kind, ErrorKind::NotFound);
}

#[test]
fn rds_instance_snapshot_copy_restore_reboot_promote() {
    let fx = Fx::new(shared());
    let db = fx.db_instance(EAST, &unique("production-db"), true);
    let mut live = backend(shared());

    let snapshot = unique("production-db-before-dr");
    let outcome = live
        .execute(&Call::CreateDbSnapshot(ops::CreateDbSnapshot {
            region: EAST.into(),
            db_instance: db.clone(),
            snapshot: snapshot.clone(),
            tags: tags(&[("Purpose", "dr-test")]),
        }))
        .expect("create db snapshot");
    assert_eq!(outcome.creates.as_deref(), Some(snapshot.as_str()));
    assert!(outcome.request_id.is_some());
    let listed = fx
        .block(
            fx.rds(EAST)
                .list_tags_for_resource()
                .resource_name(format!(
                    "arn:aws:rds:us-east-1:123456789012:snapshot:{snapshot}"
                ))
                .send(),
        )
        .expect("list tags");
    assert!(listed
        .tag_list()
        .iter()
        .any(|t| t.key() == Some("Purpose") && t.value() == Some("dr-test")));
    live.wait(&WaitSpec {
        target: Target::DbSnapshot {
            name: snapshot.clone(),
            region: EAST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 60,
    })
    .expect("snapshot available");

    // Cross-region copy: the source is named by ARN.
    let copy = unique("production-db-dr");
    let outcome = live
        .execute(&Call::CopyDbSnapshot(ops::CopyDbSnapshot {
            region: WEST.into(),
            source_region: EAST.into(),
            source_snapshot: snapshot.clone(),
            target_snapshot: copy.clone(),
        }))
        .expect("copy db snapshot");
    assert_eq!(
        outcome.resolved,
        Some(format!(
            "arn:aws:rds:us-east-1:123456789012:snapshot:{snapshot}"
        ))
    );
    assert_eq!(outcome.creates.as_deref(), Some(copy.as_str()));
    let copied = fx
        .block(
            fx.rds(WEST)
                .describe_db_snapshots()
                .db_snapshot_identifier(&copy)
                .send(),
        )
        .expect("describe copy");
    assert_eq!(copied.db_snapshots().len(), 1);

    // Restore in the DR region from the copy.
    let restored = unique("production-db-restored");
    let outcome = live
        .execute(&Call::RestoreDbInstanceFromDbSnapshot(
            ops::RestoreDbInstanceFromDbSnapshot {
                region: WEST.into(),
                snapshot: copy.clone(),
                db_instance: restored.clone(),
                instance_class: Some("db.r6g.large".into()),
                multi_az: Some(true),
            },
        ))
        .expect("restore");
    assert_eq!(outcome.creates.as_deref(), Some(restored.as_str()));
    live.wait(&WaitSpec {
        target: Target::DbInstance {
            name: restored.clone(),
            region: WEST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 60,
    })
    .expect("restored available");
    let described = live
        .query(&Query::Describe {
            target: Target::DbInstance {
                name: restored.clone(),
                region: WEST.into(),
            },
        })
        .expect("describe")
        .expect("exists");
    let instance: ripcord_core::inventory::DbInstance =
        serde_json::from_value(described).expect("inventory shape");
    assert_eq!(instance.instance_class, "db.r6g.large");
    assert!(instance.multi_az);
    assert!(instance.availability_zone.starts_with(WEST), "{instance:?}");

    // Multi-AZ forced failover swaps the zones.
    let before = fx
        .block(
            fx.rds(EAST)
                .describe_db_instances()
                .db_instance_identifier(&db)
                .send(),
        )
        .expect("describe")
        .db_instances()[0]
        .clone();
    live.execute(&Call::RebootDbInstance(ops::RebootDbInstance {
        region: EAST.into(),
        db_instance: db.clone(),
        force_failover: true,
    }))
    .expect("reboot with failover");
    let after = fx
        .block(
            fx.rds(EAST)
                .describe_db_instances()
                .db_instance_identifier(&db)
                .send(),
        )
        .expect("describe")
        .db_instances()[0]
        .clone();
    assert_eq!(
        after.availability_zone(),
        before.secondary_availability_zone()
    );

    // A replica promoted to standalone.
    let replica = unique("dr-mysql-replica");
    fx.block(
        fx.rds(EAST)
            .create_db_instance_read_replica()
            .db_instance_identifier(&replica)
            .source_db_instance_identifier(&db)
            .send(),
    )
    .expect("create replica");
    live.execute(&Call::PromoteReadReplica(ops::PromoteReadReplica {
        region: EAST.into(),
        db_instance: replica.clone(),
    }))
    .expect("promote");
    let promoted = live
        .query(&Query::Describe {
            target: Target::DbInstance {
                name: replica.clone(),
                region: EAST.into(),
            },
        })
        .expect("describe")
        .expect("exists");
    assert_eq!(promoted["read_replica_source"], serde_json::Value::Null);

    // The newest snapshot of the instance.
    let latest = live
        .query(&Query::LatestSnapshot {
            target: Target::DbInstance {
                name: db.clone(),
                region: EAST.into(),
            },
        })
        .expect("latest")
        .expect("has one");
    let latest: ripcord_core::inventory::DbSnapshot =
        serde_json::from_value(latest).expect("inventory shape");
    assert_eq!(latest.id, snapshot);
    assert_eq!(latest.source, db);

    // AWS's own not-found and state errors come through with their codes.
    let err = expect_err(live.execute(&Call::CreateDbSnapshot(ops::CreateDbSnapshot {
        region: EAST.into(),
        db_instance: unique("no-such-db"),
        snapshot: unique("x"),
        tags: BTreeMap::new(),
    })));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "DBInstanceNotFound")
    );
    assert_clean_message(&err);
    let err = expect_err(live.execute(&Call::CreateDbSnapshot(ops::CreateDbSnapshot {
        region: EAST.into(),
        db_instance: db.clone(),
        snapshot: snapshot.clone(),
        tags: BTreeMap::new(),
    })));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "DBSnapshotAlreadyExists")
    );
}

#[test]
fn aurora_global_switchover_failover_and_detach() {
    let fx = Fx::new(shared());
    let primary = unique("ecommerce-aurora");
    let secondary = unique("dr-aurora");
    let global = unique("ecommerce-global");
    let secondary_arn = fx.aurora_global(&global, &primary, &secondary);
    let mut live = backend(shared());

    let describe_cluster = |live: &mut LiveBackend, name: &str, region: &str| {
        live.query(&Query::Describe {
            target: Target::DbCluster {
                name: name.to_string(),
                region: region.to_string(),
            },
        })
        .expect("describe cluster")
        .expect("cluster exists")
    };
    let dr = describe_cluster(&mut live, &secondary, WEST);
    assert_eq!(dr["global_cluster"], serde_json::json!(global));
    assert_eq!(dr["writer"], serde_json::json!(false));

    // Cluster snapshot and its cross-region copy.
    let snapshot = unique("aurora-snap");
    let outcome = live
        .execute(&Call::CreateDbClusterSnapshot(
            ops::CreateDbClusterSnapshot {
                region: EAST.into(),
                db_cluster: primary.clone(),
                snapshot: snapshot.clone(),
                tags: BTreeMap::new(),
            },
        ))
        .expect("cluster snapshot");
    assert_eq!(outcome.creates.as_deref(), Some(snapshot.as_str()));
    live.wait(&WaitSpec {
        target: Target::DbClusterSnapshot {
            name: snapshot.clone(),
            region: EAST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 60,
    })
    .expect("cluster snapshot available");
    let copy = unique("aurora-snap-dr");
    let outcome = live
        .execute(&Call::CopyDbClusterSnapshot(ops::CopyDbClusterSnapshot {
            region: WEST.into(),
            source_region: EAST.into(),
            source_snapshot: snapshot.clone(),
            target_snapshot: copy.clone(),
        }))
        .expect("copy cluster snapshot");
    assert_eq!(
        outcome.resolved,
        Some(format!(
            "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:{snapshot}"
        ))
    );
    let copied = fx
        .block(
            fx.rds(WEST)
                .describe_db_cluster_snapshots()
                .db_cluster_snapshot_identifier(&copy)
                .send(),
        )
        .expect("describe copy");
    assert_eq!(copied.db_cluster_snapshots().len(), 1);

    // Planned switchover to the secondary, sent to its region; the target becomes an ARN.
    let outcome = live
        .execute(&Call::SwitchoverGlobalCluster(
            ops::SwitchoverGlobalCluster {
                region: WEST.into(),
                global_cluster: global.clone(),
                target_db_cluster: secondary.clone(),
            },
        ))
        .expect("switchover");
    assert_eq!(outcome.resolved.as_deref(), Some(secondary_arn.as_str()));
    assert_eq!(
        describe_cluster(&mut live, &secondary, WEST)["writer"],
        true
    );
    live.wait(&WaitSpec {
        target: Target::GlobalCluster {
            name: global.clone(),
        },
        until: WaitState::Available,
        timeout_secs: 60,
    })
    .expect("global available");

    // Failover back with data loss allowed.
    live.execute(&Call::FailoverGlobalCluster(ops::FailoverGlobalCluster {
        region: EAST.into(),
        global_cluster: global.clone(),
        target_db_cluster: primary.clone(),
        allow_data_loss: true,
    }))
    .expect("failover");
    let global_state = live
        .query(&Query::Describe {
            target: Target::GlobalCluster {
                name: global.clone(),
            },
        })
        .expect("describe global")
        .expect("exists");
    let parsed: ripcord_core::inventory::GlobalCluster =
        serde_json::from_value(global_state).expect("inventory shape");
    let writer: Vec<_> = parsed.members.iter().filter(|m| m.writer).collect();
    assert_eq!(writer.len(), 1);
    assert_eq!(
        (writer[0].cluster.as_str(), writer[0].region.as_str()),
        (primary.as_str(), EAST)
    );

    // The already-writer is refused with AWS's code.
    let err = expect_err(live.execute(&Call::SwitchoverGlobalCluster(
        ops::SwitchoverGlobalCluster {
            region: EAST.into(),
            global_cluster: global.clone(),
            target_db_cluster: primary.clone(),
        },
    )));
    assert_eq!(err.code, "InvalidGlobalClusterStateFault");

    // Detach the secondary (named by ARN, from its own region).
    let outcome = live
        .execute(&Call::RemoveFromGlobalCluster(
            ops::RemoveFromGlobalCluster {
                region: WEST.into(),
                global_cluster: global.clone(),
                db_cluster: secondary.clone(),
            },
        ))
        .expect("detach");
    assert_eq!(outcome.resolved.as_deref(), Some(secondary_arn.as_str()));
    let dr = describe_cluster(&mut live, &secondary, WEST);
    assert_eq!(dr["global_cluster"], serde_json::Value::Null);
    assert_eq!(dr["writer"], true);
    live.wait(&WaitSpec {
        target: Target::DbCluster {
            name: secondary.clone(),
            region: WEST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 60,
    })
    .expect("detached cluster available");
    let mut plain = dr.clone();
    if let serde_json::Value::Object(map) = &mut plain {
        map.remove("global_cluster");
        map.remove("writer");
    }
    let _: ripcord_core::inventory::DbCluster =
        serde_json::from_value(plain).expect("inventory shape plus the computed fields");

    let err = expect_err(live.execute(&Call::RemoveFromGlobalCluster(
        ops::RemoveFromGlobalCluster {
            region: WEST.into(),
            global_cluster: unique("no-such-global"),
            db_cluster: secondary.clone(),
        },
    )));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "GlobalClusterNotFoundFault")
    );
}

#[test]
fn autoscaling_update_and_wait_in_service() {
    let fx = Fx::new(shared());
    let name = unique("dr-web-asg");
    fx.asg_group(WEST, &name, 1);
    let mut live = backend(shared());
    live.execute(&Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
        region: WEST.into(),
        auto_scaling_group_name: name.clone(),
        min_size: None,
        max_size: Some(6),
        desired_capacity: Some(3),
    }))
    .expect("scale");
    let group = fx
        .block(
            fx.asg(WEST)
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(&name)
                .send(),
        )
        .expect("describe group")
        .auto_scaling_groups()[0]
        .clone();
    assert_eq!(
        (group.min_size(), group.max_size(), group.desired_capacity()),
        (Some(0), Some(6), Some(3))
    );
    live.wait(&WaitSpec {
        target: Target::Asg {
            name: name.clone(),
            region: WEST.into(),
        },
        until: WaitState::InService,
        timeout_secs: 60,
    })
    .expect("in service");
    let described = live
        .query(&Query::Describe {
            target: Target::Asg {
                name: name.clone(),
                region: WEST.into(),
            },
        })
        .expect("describe")
        .expect("exists");
    let parsed: ripcord_core::inventory::AutoScalingGroup =
        serde_json::from_value(described).expect("inventory shape");
    assert_eq!(parsed.in_service, Some(3));
    assert_eq!(parsed.tags.get("Tier").map(String::as_str), Some("web"));

    // Auto Scaling reports an unknown group as a ValidationError saying "not found": that is
    // a not-found, as in the simulation. (moto accepts min > max, so AWS's other
    // ValidationError cannot be shown here.)
    let err = expect_err(live.execute(&Call::UpdateAutoScalingGroup(
        ops::UpdateAutoScalingGroup {
            region: WEST.into(),
            auto_scaling_group_name: unique("no-such-asg"),
            min_size: None,
            max_size: None,
            desired_capacity: Some(1),
        },
    )));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "ValidationError")
    );
    assert_clean_message(&err);
    let err = expect_err(live.wait(&WaitSpec {
        target: Target::Asg {
            name: unique("no-such-asg"),
            region: WEST.into(),
        },
        until: WaitState::InService,
        timeout_secs: 5,
    }));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "ValidationError")
    );
    assert_eq!(err.operation, "DescribeAutoScalingGroups");
}

#[test]
fn route53_records_health_checks_and_changes() {
    let fx = Fx::new(shared());
    let domain = format!("{}.example.com", unique("shop"));
    let zone_id = fx.zone(&domain);
    let check_name = unique("ECommerce-Primary-HealthCheck");
    let check_id = fx.health_check(&check_name);
    let mut live = backend(shared());

    let record = RecordSet {
        name: format!("www.{domain}"),
        rtype: "A".into(),
        set_identifier: Some("Primary".into()),
        failover: Some("PRIMARY".into()),
        weight: None,
        ttl: Some(60),
        values: vec!["192.0.2.10".into()],
        alias_target: None,
        health_check: Some(check_name.clone()),
    };
    let outcome = live
        .execute(&Call::ChangeResourceRecordSets(
            ops::ChangeResourceRecordSets::one(&domain, "UPSERT", record.clone()),
        ))
        .expect("upsert record");
    assert_eq!(outcome.resolved.as_deref(), Some(zone_id.as_str()));
    let change = outcome.creates.clone().expect("change id");
    assert!(!change.starts_with("/change/"), "{change}");
    live.wait(&WaitSpec {
        target: Target::DnsChange {
            name: change.clone(),
        },
        until: WaitState::InSync,
        timeout_secs: 60,
    })
    .expect("in sync");

    // An alias record beside it.
    live.execute(&Call::ChangeResourceRecordSets(
        ops::ChangeResourceRecordSets::one(
            &format!("{domain}."),
            "UPSERT",
            RecordSet {
                name: format!("www.{domain}"),
                rtype: "A".into(),
                set_identifier: Some("Secondary".into()),
                failover: Some("SECONDARY".into()),
                weight: None,
                ttl: None,
                values: vec![],
                alias_target: Some(AliasTarget {
                    hosted_zone_id: "Z1H1FL5HABSF5".into(),
                    dns_name: "dr-alb.us-west-2.elb.amazonaws.com".into(),
                    evaluate_target_health: true,
                }),
                health_check: None,
            },
        ),
    ))
    .expect("upsert alias");

    let sets = fx
        .block(
            fx.route53()
                .list_resource_record_sets()
                .hosted_zone_id(&zone_id)
                .send(),
        )
        .expect("list records");
    let primary = sets
        .resource_record_sets()
        .iter()
        .find(|r| r.set_identifier() == Some("Primary"))
        .expect("primary record");
    assert_eq!(primary.health_check_id(), Some(check_id.as_str()));
    assert_eq!(primary.failover().map(|f| f.as_str()), Some("PRIMARY"));
    assert_eq!(primary.ttl(), Some(60));
    let secondary = sets
        .resource_record_sets()
        .iter()
        .find(|r| r.set_identifier() == Some("Secondary"))
        .expect("secondary record");
    assert_eq!(
        secondary.alias_target().map(|a| a.dns_name()),
        Some("dr-alb.us-west-2.elb.amazonaws.com")
    );

    // Health check disabled by Name tag, then inverted: each call sends only its own flag.
    let outcome = live
        .execute(&Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: check_name.clone(),
            disabled: Some(true),
            inverted: None,
        }))
        .expect("disable");
    assert_eq!(outcome.resolved.as_deref(), Some(check_id.as_str()));
    let flags = || {
        let check = fx
            .block(
                fx.route53()
                    .get_health_check()
                    .health_check_id(&check_id)
                    .send(),
            )
            .expect("get health check");
        let config = check
            .health_check()
            .and_then(|h| h.health_check_config())
            .cloned()
            .expect("config");
        (config.disabled(), config.inverted())
    };
    assert_eq!(flags(), (Some(true), Some(false)));
    let before = live.requests_sent();
    live.execute(&Call::UpdateHealthCheck(ops::UpdateHealthCheck {
        health_check: check_name.clone(),
        disabled: None,
        inverted: Some(true),
    }))
    .expect("invert");
    assert_eq!(flags(), (Some(true), Some(true)));
    // The check's id was found once in this run (the record change above): no second
    // ListHealthChecks + ListTagsForResources, only the update itself.
    assert_eq!(live.requests_sent() - before, 1);

    // Queries: the zone without the apex SOA/NS, one record, the check, the change.
    let zone = live
        .query(&Query::Describe {
            target: Target::Zone {
                name: domain.clone(),
            },
        })
        .expect("describe zone")
        .expect("exists");
    let zone: ripcord_core::inventory::HostedZone =
        serde_json::from_value(zone).expect("inventory shape");
    assert_eq!(zone.id, zone_id);
    assert_eq!(zone.name, domain);
    assert_eq!(zone.records.len(), 2, "{zone:?}");
    // A zone can be named by id too.
    let by_id = live
        .query(&Query::Describe {
            target: Target::Zone {
                name: zone_id.clone(),
            },
        })
        .expect("describe zone by id")
        .expect("exists");
    assert_eq!(by_id["name"], serde_json::json!(domain));
    let record = live
        .query(&Query::Describe {
            target: Target::Record {
                zone: domain.clone(),
                name: format!("WWW.{domain}."),
                rtype: "a".into(),
                set_id: Some("Primary".into()),
            },
        })
        .expect("describe record")
        .expect("exists");
    let record: ripcord_core::inventory::RecordSet =
        serde_json::from_value(record).expect("inventory shape");
    assert_eq!(record.health_check.as_deref(), Some(check_id.as_str()));
    assert_eq!(record.values, vec!["192.0.2.10".to_string()]);
    let check = live
        .query(&Query::Describe {
            target: Target::HealthCheck {
                name: check_name.clone(),
            },
        })
        .expect("describe check")
        .expect("exists");
    let check: ripcord_core::inventory::HealthCheck =
        serde_json::from_value(check).expect("inventory shape");
    assert!(check.disabled);
    assert!(check.inverted);
    assert_eq!(check.name.as_deref(), Some(check_name.as_str()));
    assert_eq!(check.check_type, "HTTPS");
    let status = live
        .query(&Query::Describe {
            target: Target::DnsChange {
                name: change.clone(),
            },
        })
        .expect("describe change")
        .expect("exists");
    assert_eq!(
        status,
        serde_json::json!({"id": change, "status": "INSYNC"})
    );

    // Unknown zone and health check: Route 53's codes.
    let err = expect_err(live.execute(&Call::ChangeResourceRecordSets(
        ops::ChangeResourceRecordSets::one(
            &format!("{}.example.org", unique("nozone")),
            "UPSERT",
            RecordSet::default(),
        ),
    )));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "NoSuchHostedZone")
    );
    let err = expect_err(
        live.execute(&Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: unique("no-such-check"),
            disabled: Some(false),
            inverted: None,
        })),
    );
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "NoSuchHealthCheck")
    );
}

#[test]
fn s3_replication_rule_and_readiness_check() {
    let fx = Fx::new(shared());
    let source = unique("product-images");
    let destination = unique("dr-product-images");
    fx.bucket(EAST, &source);
    fx.bucket(WEST, &destination);
    let mut live = backend(shared());
    let check = |region: &str| CheckSpec::BucketReplication {
        bucket: source.clone(),
        region: region.to_string(),
    };

    let err = expect_err(live.check(&check(WEST)));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "ReplicationConfigurationNotFoundError")
    );

    let role = "arn:aws:iam::123456789012:role/replication-role";
    live.execute(&Call::PutBucketReplication(ops::PutBucketReplication {
        bucket: source.clone(),
        role: role.into(),
        rule: ReplicationRule {
            id: "ReplicateEverything".into(),
            priority: 1,
            destination_bucket: destination.clone(),
            delete_marker_replication: true,
            replication_time_minutes: Some(15),
        },
    }))
    .expect("put replication");
    let config = fx
        .block(fx.s3(EAST).get_bucket_replication().bucket(&source).send())
        .expect("get replication")
        .replication_configuration()
        .cloned()
        .expect("configuration");
    assert_eq!(config.role(), role);
    let rule = &config.rules()[0];
    assert_eq!(rule.id(), Some("ReplicateEverything"));
    assert_eq!(rule.priority(), Some(1));
    assert_eq!(rule.status().as_str(), "Enabled");
    assert_eq!(rule.filter().and_then(|f| f.prefix()), Some(""));
    assert_eq!(
        rule.delete_marker_replication()
            .and_then(|d| d.status())
            .map(|s| s.as_str()),
        Some("Enabled")
    );
    let dest = rule.destination().expect("destination");
    assert_eq!(dest.bucket(), format!("arn:aws:s3:::{destination}"));
    let rtc = dest.replication_time().expect("replication time");
    assert_eq!(rtc.status().as_str(), "Enabled");
    assert_eq!(rtc.time().and_then(|t| t.minutes()), Some(15));
    let metrics = dest.metrics().expect("metrics");
    assert_eq!(metrics.status().as_str(), "Enabled");
    assert_eq!(
        metrics.event_threshold().and_then(|t| t.minutes()),
        Some(15)
    );

    live.check(&check(WEST)).expect("replicates into us-west-2");
    let err = expect_err(live.check(&check("eu-west-1")));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "ReplicationNotConfigured")
    );
    assert!(err.help.unwrap_or_default().contains(&destination));

    let described = live.query(&Query::Describe {
        target: Target::Bucket {
            name: source.clone(),
        },
    });
    {
        let bucket = described.expect("describe");
        let bucket: ripcord_core::inventory::Bucket =
            serde_json::from_value(bucket.expect("exists")).expect("inventory shape");
        assert_eq!(bucket.region, EAST);
        assert!(bucket.versioning);
        let replication = bucket.replication.expect("replication");
        assert_eq!(replication.rules[0].destination_bucket, destination);
        assert_eq!(replication.rules[0].replication_time_minutes, Some(15));
        assert!(replication.rules[0].delete_marker_replication);
    }

    // Without RTC: no ReplicationTime and no Metrics.
    live.execute(&Call::PutBucketReplication(ops::PutBucketReplication {
        bucket: source.clone(),
        role: role.into(),
        rule: ReplicationRule {
            id: "NoRtc".into(),
            priority: 2,
            destination_bucket: destination.clone(),
            delete_marker_replication: false,
            replication_time_minutes: None,
        },
    }))
    .expect("put replication without RTC");
    let config = fx
        .block(fx.s3(EAST).get_bucket_replication().bucket(&source).send())
        .expect("get replication")
        .replication_configuration()
        .cloned()
        .expect("configuration");
    let dest = config.rules()[0].destination().expect("destination");
    assert!(
        dest.replication_time().is_none() && dest.metrics().is_none(),
        "{dest:?}"
    );

    let missing = unique("no-such-bucket");
    assert_eq!(
        live.query(&Query::Describe {
            target: Target::Bucket {
                name: missing.clone()
            }
        })
        .expect("describe"),
        None
    );
    let err = expect_err(live.check(&CheckSpec::BucketReplication {
        bucket: missing,
        region: WEST.into(),
    }));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "NoSuchBucket")
    );
}

#[test]
fn waits_poll_time_out_and_cancel() {
    let fx = Fx::new(shared());
    let db = fx.db_instance(EAST, &unique("stopped-db"), false);
    fx.stop_db(EAST, &db);
    assert_eq!(fx.db_status(EAST, &db), "stopped");
    let mut live = backend(shared());
    let wait = |timeout_secs| WaitSpec {
        target: Target::DbInstance {
            name: db.clone(),
            region: EAST.into(),
        },
        until: WaitState::Available,
        timeout_secs,
    };

    // `stopped` is not terminal (it can be started): the wait polls until its timeout.
    let started = Instant::now();
    let before = live.requests_sent();
    let err = expect_err(live.wait(&wait(1)));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Timeout, "WaiterTimeout")
    );
    assert!(err.message.contains("stopped"), "{err:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(live.requests_sent() - before >= 3, "polled several times");

    // Started by someone else after a few polls: the wait sees it and finishes.
    let url = shared().to_string();
    let db_for_thread = db.clone();
    let starter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        Fx::new(&url).start_db(EAST, &db_for_thread);
    });
    let before = live.requests_sent();
    let outcome = live.wait(&wait(60)).expect("becomes available");
    starter.join().expect("starter thread");
    assert!(
        live.requests_sent() - before >= 2,
        "it took more than one poll"
    );
    assert!(outcome.duration_secs <= 2, "{outcome:?}");

    // Ctrl-C during a wait: it stops at the next poll with Cancelled.
    fx.stop_db(EAST, &db);
    let cancel = live.cancel_flag();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        cancel.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let err = expect_err(live.wait(&wait(600)));
    canceller.join().expect("canceller thread");
    assert_eq!(err.kind, ErrorKind::Cancelled, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // While cancelled, nothing more is sent.
    let before = live.requests_sent();
    let err = expect_err(live.execute(&Call::RebootDbInstance(ops::RebootDbInstance {
        region: EAST.into(),
        db_instance: db.clone(),
        force_failover: false,
    })));
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert_eq!(live.requests_sent(), before);
    live.cancel_flag().store(false, Ordering::SeqCst);

    // A wait on something that does not exist, and one no waiter exists for.
    let err = expect_err(live.wait(&WaitSpec {
        target: Target::DbInstance {
            name: unique("no-such-db"),
            region: EAST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 5,
    }));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "DBInstanceNotFound")
    );
    let err = expect_err(live.wait(&WaitSpec {
        target: Target::Bucket { name: "any".into() },
        until: WaitState::Available,
        timeout_secs: 5,
    }));
    assert_eq!(err.code, "UnsupportedWaitState");
}

#[test]
fn transport_errors_after_five_attempts() {
    // Nothing listens on port 9 of the loopback: every attempt is refused.
    let mut live = backend("http://127.0.0.1:9");
    let err = expect_err(
        live.execute(&Call::UpdateHealthCheck(ops::UpdateHealthCheck {
            health_check: "00000000-0000-0000-0000-000000000000".into(),
            disabled: Some(true),
            inverted: None,
        })),
    );
    // No connection at all: the endpoint does not answer (docs/live.md, "When a region
    // does not answer").
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Unreachable, "DispatchFailure")
    );
    assert_clean_message(&err);
    // The SDK's standard retry mode, five attempts in all.
    assert_eq!(live.requests_sent(), 5);
}

#[test]
fn journal_intents_come_before_requests() {
    let fx = Fx::new(shared());
    let topic = unique("journaled");
    fx.topic(EAST, &topic);
    let mut live = backend(shared());
    let journal = Arc::new(MemoryJournal::default());
    live.set_journal(journal.clone());
    let publish = Call::Publish(ops::Publish {
        region: EAST.into(),
        topic: topic.clone(),
        subject: "s".into(),
        message: "m".into(),
    });
    live.execute(&publish).expect("publish");
    live.wait(&WaitSpec {
        target: Target::Asg {
            name: unique("no-such-asg"),
            region: EAST.into(),
        },
        until: WaitState::InService,
        timeout_secs: 1,
    })
    .expect_err("no such group");
    let events = journal.events();
    assert_eq!(events.len(), 4, "{events:?}");
    match (&events[0].1, &events[1].1) {
        (Event::Intent(a, Intent::Call { call }), Event::Finished(b, Ok(outcome))) => {
            assert_eq!((a, b), (&1, &1));
            assert_eq!(call, &publish);
            assert!(outcome.request_id.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    match (&events[2].1, &events[3].1) {
        (Event::Intent(2, Intent::Wait { .. }), Event::Finished(2, Err(err))) => {
            assert_eq!(err.kind, ErrorKind::NotFound)
        }
        other => panic!("unexpected {other:?}"),
    }

    // A journal that cannot record: nothing is sent.
    let mut live = backend(shared());
    live.set_journal(Arc::new(MemoryJournal {
        refuse: true,
        ..MemoryJournal::default()
    }));
    let err = expect_err(live.execute(&publish));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Transport, "JournalFailed")
    );
    assert_eq!(live.requests_sent(), 0);
}

#[test]
fn approvals_ask_the_operator() {
    let mut live = backend(shared());
    let err = expect_err(live.approve("fail over?"));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Refused, "NoApprover")
    );

    let journal = Arc::new(MemoryJournal::default());
    live.set_journal(journal.clone());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    live.set_approver(Box::new(move |message| {
        seen.lock().unwrap().push(message.to_string());
        if message.contains("no") {
            Err("operator said no".to_string())
        } else {
            Ok("tester".to_string())
        }
    }));
    live.approve("us-east-1 is down: fail over?")
        .expect("approved");
    let err = expect_err(live.approve("say no"));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Refused, "ApprovalRefused")
    );
    assert_eq!(err.message, "operator said no");
    assert_eq!(asked.lock().unwrap().len(), 2);
    let events = journal.events();
    assert!(
        matches!(&events[0].1, Event::Intent(1, Intent::Approval { message }) if message.contains("fail over"))
    );
    assert!(matches!(&events[1].1, Event::Finished(1, Ok(_))));
    assert!(matches!(&events[3].1, Event::Finished(2, Err(_))));
    assert_eq!(live.requests_sent(), 0);
}

/// The (intent, finished) times of each journaled step, by sequence number.
fn spans(journal: &MemoryJournal) -> BTreeMap<u64, (Instant, Option<Instant>)> {
    let mut spans = BTreeMap::new();
    for (at, event) in journal.events() {
        match event {
            Event::Intent(seq, _) => {
                spans.insert(seq, (at, None));
            }
            Event::Finished(seq, _) => {
                if let Some(span) = spans.get_mut(&seq) {
                    span.1 = Some(at);
                }
            }
        }
    }
    spans
}

#[test]
fn parallel_branches_wait_at_the_same_time() {
    let fx = Fx::new(shared());
    let a = fx.db_instance(EAST, &unique("branch-a-db"), false);
    let b = fx.db_instance(WEST, &unique("branch-b-db"), false);
    fx.stop_db(EAST, &a);
    fx.stop_db(WEST, &b);
    let mut live = backend(shared());
    // Each instance is started 600 ms after its own wait begins, so each wait takes several
    // polls; run one after the other they would take 1.2 s or more.
    let journal = Arc::new(MemoryJournal::default());
    let url = shared().to_string();
    *journal.on_intent.lock().unwrap() = Some(Box::new(move |intent: &Intent| {
        if let Intent::Wait { wait } = intent {
            if let Target::DbInstance { name, region } = &wait.target {
                let (url, name, region) = (url.clone(), name.clone(), region.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(600));
                    Fx::new(&url).start_db(&region, &name);
                });
            }
        }
    }));
    live.set_journal(journal.clone());
    let wait = |name: &str, region: &str| WaitSpec {
        target: Target::DbInstance {
            name: name.to_string(),
            region: region.to_string(),
        },
        until: WaitState::Available,
        timeout_secs: 30,
    };

    live.begin_parallel().expect("begin");
    live.begin_branch().expect("branch 1");
    let queued = live.wait(&wait(&a, EAST)).expect("queued");
    assert_eq!(queued.duration_secs, 0);
    live.begin_branch().expect("branch 2");
    live.wait(&wait(&b, WEST)).expect("queued");
    // Nothing ran while queuing.
    assert!(journal.events().is_empty());
    let started = Instant::now();
    live.end_parallel().expect("both branches succeed");
    let wall = started.elapsed();

    let spans = spans(&journal);
    assert_eq!(spans.len(), 2, "{spans:?}");
    let (intent_1, finished_1) = spans[&1];
    let (intent_2, finished_2) = spans[&2];
    let (finished_1, finished_2) = (finished_1.expect("finished"), finished_2.expect("finished"));
    // The waits overlap: each began before the other ended.
    assert!(intent_1 < finished_2 && intent_2 < finished_1, "{spans:?}");
    let sum = (finished_1 - intent_1) + (finished_2 - intent_2);
    assert!(wall < sum, "wall {wall:?} vs sum of waits {sum:?}");
    assert_eq!(fx.db_status(EAST, &a), "available");
    assert_eq!(fx.db_status(WEST, &b), "available");
}

/// Journaled waits and their results, by the name of the group waited on.
fn wait_results(journal: &MemoryJournal) -> BTreeMap<String, Result<Outcome, BackendError>> {
    let events = journal.events();
    let mut names = BTreeMap::new();
    let mut results = BTreeMap::new();
    for (_, event) in &events {
        match event {
            Event::Intent(seq, Intent::Wait { wait }) => {
                names.insert(*seq, wait.target.name().to_string());
            }
            Event::Finished(seq, result) => {
                if let Some(name) = names.get(seq) {
                    results.insert(name.clone(), result.clone());
                }
            }
            _ => {}
        }
    }
    results
}

#[test]
fn overlapping_asg_waits_share_describe_calls() {
    // Its own server: the request count must be this test's alone, and 55 groups of
    // instances would slow the tests sharing the other one.
    let moto = Moto::start();
    let fx = Fx::new(&moto.url);
    // More than the 50 names one DescribeAutoScalingGroups takes, so that batches are split.
    let groups: Vec<String> = (0..55).map(|i| format!("fleet-asg-{i:02}")).collect();
    // One launch template for all.
    fx.asg_group(WEST, &groups[0], 1);
    for name in &groups[1..] {
        fx.block(
            fx.asg(WEST)
                .create_auto_scaling_group()
                .auto_scaling_group_name(name)
                .launch_template(
                    aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                        .launch_template_name(format!("{}-lt", groups[0]))
                        .build(),
                )
                .min_size(0)
                .max_size(4)
                .desired_capacity(1)
                .availability_zones(format!("{WEST}a"))
                .send(),
        )
        .expect("create auto scaling group");
    }
    let mut live = backend(&moto.url);
    let journal = Arc::new(MemoryJournal::default());
    live.set_journal(journal.clone());
    live.begin_parallel().expect("begin");
    for name in &groups {
        live.begin_branch().expect("branch");
        live.execute(&Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
            region: WEST.into(),
            auto_scaling_group_name: name.clone(),
            min_size: None,
            max_size: None,
            desired_capacity: Some(2),
        }))
        .expect("queued");
        live.wait(&WaitSpec {
            target: Target::Asg {
                name: name.clone(),
                region: WEST.into(),
            },
            until: WaitState::InService,
            timeout_secs: 60,
        })
        .expect("queued");
    }
    let before = live.requests_sent();
    live.end_parallel().expect("every group in service");
    let sent = live.requests_sent() - before;
    // 55 UpdateAutoScalingGroup, then the polls: one request per wait would be 55 more.
    let describes = sent - 55;
    assert!(
        (1..=10).contains(&describes),
        "{describes} DescribeAutoScalingGroups requests for 55 waits"
    );
    // Each wait still has its own journaled result.
    let results = wait_results(&journal);
    assert_eq!(results.len(), 55);
    for (name, result) in &results {
        assert!(result.is_ok(), "{name}: {result:?}");
    }
    for name in &groups {
        let group = fx
            .block(
                fx.asg(WEST)
                    .describe_auto_scaling_groups()
                    .auto_scaling_group_names(name)
                    .send(),
            )
            .expect("describe group")
            .auto_scaling_groups()[0]
            .clone();
        assert_eq!(group.desired_capacity(), Some(2), "{name}");
    }
}

#[test]
fn batched_asg_waits_keep_their_own_outcomes() {
    let fx = Fx::new(shared());
    let ready: Vec<String> = (0..4).map(|_| unique("ready-asg")).collect();
    for name in &ready {
        fx.asg_group(WEST, name, 1);
    }
    let stuck = unique("stuck-asg");
    fx.asg_group_one_short(WEST, &stuck);
    let mut live = backend(shared());
    let journal = Arc::new(MemoryJournal::default());
    live.set_journal(journal.clone());
    let wait = |name: &str, timeout_secs| WaitSpec {
        target: Target::Asg {
            name: name.to_string(),
            region: WEST.into(),
        },
        until: WaitState::InService,
        timeout_secs,
    };

    // The stuck group polls in the same requests as the others until its own timeout; the
    // others finish as soon as they are in service.
    live.begin_parallel().expect("begin");
    live.begin_branch().expect("branch");
    live.wait(&wait(&stuck, 2)).expect("queued");
    for name in &ready {
        live.begin_branch().expect("branch");
        live.wait(&wait(name, 60)).expect("queued");
    }
    let started = Instant::now();
    let err = live.end_parallel().expect_err("the stuck group times out");
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Timeout, "WaiterTimeout")
    );
    assert!(err.message.contains(&stuck), "{err:?}");
    assert!(err.message.contains("1 InService of 2 desired"), "{err:?}");
    let results = wait_results(&journal);
    assert_eq!(results.len(), 5);
    for name in &ready {
        assert!(results[name].is_ok(), "{name}: {:?}", results[name]);
    }

    // A group that does not exist, polled in a batch with ones that do, is not found by
    // name; the others' answers are unaffected.
    let missing = unique("no-such-asg");
    live.begin_parallel().expect("begin");
    for name in [&ready[0], &missing, &ready[1]] {
        live.begin_branch().expect("branch");
        live.wait(&wait(name, 5)).expect("queued");
    }
    let err = live.end_parallel().expect_err("not found");
    assert_eq!(
        (err.kind, err.code.as_str(), err.operation.as_str()),
        (
            ErrorKind::NotFound,
            "ValidationError",
            "DescribeAutoScalingGroups"
        )
    );
    assert!(err.message.contains(&missing), "{err:?}");
    assert_clean_message(&err);

    // Ctrl-C while the batched polls go on: every wait stops with Cancelled.
    live.begin_parallel().expect("begin");
    live.begin_branch().expect("branch");
    live.wait(&wait(&stuck, 600)).expect("queued");
    live.begin_branch().expect("branch");
    live.wait(&wait(&stuck, 600)).expect("queued");
    let cancel = live.cancel_flag();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        cancel.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let err = live.end_parallel().expect_err("cancelled");
    canceller.join().expect("canceller thread");
    assert_eq!(err.kind, ErrorKind::Cancelled, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn parallel_record_changes_look_their_zone_up_once() {
    let fx = Fx::new(shared());
    let domain = format!("{}.example.com", unique("fleet"));
    let zone_id = fx.zone(&domain);
    let mut live = backend(shared());
    live.begin_parallel().expect("begin");
    for i in 0..8 {
        live.begin_branch().expect("branch");
        live.execute(&Call::ChangeResourceRecordSets(
            ops::ChangeResourceRecordSets::one(
                &domain,
                "UPSERT",
                RecordSet {
                    name: format!("shop-{i}.{domain}"),
                    rtype: "A".into(),
                    set_identifier: None,
                    failover: None,
                    weight: None,
                    ttl: Some(60),
                    values: vec!["192.0.2.10".into()],
                    alias_target: None,
                    health_check: None,
                },
            ),
        ))
        .expect("queued");
    }
    let before = live.requests_sent();
    live.end_parallel().expect("changes");
    // 8 ChangeResourceRecordSets and one ListHostedZonesByName.
    assert_eq!(live.requests_sent() - before, 9);
    let sets = fx
        .block(
            fx.route53()
                .list_resource_record_sets()
                .hosted_zone_id(&zone_id)
                .send(),
        )
        .expect("list records");
    let shops = sets
        .resource_record_sets()
        .iter()
        .filter(|r| r.name().starts_with("shop-"))
        .count();
    assert_eq!(shops, 8);
    // Later steps reuse the zone as well.
    let before = live.requests_sent();
    live.execute(&Call::ChangeResourceRecordSets(
        ops::ChangeResourceRecordSets::one(
            &domain,
            "DELETE",
            RecordSet {
                name: format!("shop-0.{domain}"),
                rtype: "A".into(),
                set_identifier: None,
                failover: None,
                weight: None,
                ttl: Some(60),
                values: vec!["192.0.2.10".into()],
                alias_target: None,
                health_check: None,
            },
        ),
    ))
    .expect("delete");
    assert_eq!(live.requests_sent() - before, 1);
    // A zone not found is not remembered: created later, it is found.
    let later = format!("{}.example.com", unique("later"));
    let record = RecordSet {
        name: format!("www.{later}"),
        rtype: "A".into(),
        set_identifier: None,
        failover: None,
        weight: None,
        ttl: Some(60),
        values: vec!["192.0.2.10".into()],
        alias_target: None,
        health_check: None,
    };
    let change = Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets::one(
        &later, "UPSERT", record,
    ));
    let err = expect_err(live.execute(&change));
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    fx.zone(&later);
    live.execute(&change).expect("found once created");
}

#[test]
fn parallel_placeholders_resolve_to_real_ids() {
    let fx = Fx::new(shared());
    let volume = unique("branch-volume");
    let volume_id = fx.volume(EAST, &volume, 2);
    let asg = unique("branch-asg");
    fx.asg_group(EAST, &asg, 1);
    let mut live = backend(shared());
    let journal = Arc::new(MemoryJournal::default());
    live.set_journal(journal.clone());

    live.begin_parallel().expect("begin");
    live.begin_branch().expect("branch 1");
    let snapshot = live
        .execute(&Call::CreateSnapshot(ops::CreateSnapshot {
            region: EAST.into(),
            volume: volume.clone(),
            description: "in a branch".into(),
            tags: BTreeMap::new(),
        }))
        .expect("queued")
        .creates
        .expect("placeholder");
    assert!(snapshot.starts_with("pending:"), "{snapshot}");
    let copy = live
        .execute(&Call::CopySnapshot(ops::CopySnapshot {
            region: WEST.into(),
            source_region: EAST.into(),
            source_snapshot: snapshot.clone(),
            description: "copied in a branch".into(),
            tags: BTreeMap::new(),
        }))
        .expect("queued")
        .creates
        .expect("placeholder");
    assert_ne!(copy, snapshot);
    live.wait(&WaitSpec {
        target: Target::EbsSnapshot {
            name: copy.clone(),
            region: WEST.into(),
        },
        until: WaitState::Completed,
        timeout_secs: 60,
    })
    .expect("queued");
    live.begin_branch().expect("branch 2");
    live.execute(&Call::UpdateAutoScalingGroup(ops::UpdateAutoScalingGroup {
        region: EAST.into(),
        auto_scaling_group_name: asg.clone(),
        min_size: None,
        max_size: None,
        desired_capacity: Some(2),
    }))
    .expect("queued");
    // A query inside the group sees the state before the group.
    let before = live
        .query(&Query::Describe {
            target: Target::Asg {
                name: asg.clone(),
                region: EAST.into(),
            },
        })
        .expect("describe")
        .expect("exists");
    assert_eq!(before["desired_capacity"], 1);
    let err = expect_err(live.approve("inside?"));
    assert_eq!(err.code, "ApprovalInParallel");
    assert_eq!(
        live.begin_parallel().expect_err("nested").code,
        "NestedParallel"
    );
    live.end_parallel().expect("group runs");

    // After the group, the placeholders stand for the real snapshots.
    let described = live
        .query(&Query::Describe {
            target: Target::EbsSnapshot {
                name: copy.clone(),
                region: WEST.into(),
            },
        })
        .expect("describe")
        .expect("the copy exists");
    let described: ripcord_core::inventory::EbsSnapshot =
        serde_json::from_value(described).expect("inventory shape");
    assert!(described.id.starts_with("snap-"));
    assert_eq!(described.description, "copied in a branch");
    let after = live
        .query(&Query::Describe {
            target: Target::Asg {
                name: asg.clone(),
                region: EAST.into(),
            },
        })
        .expect("describe")
        .expect("exists");
    assert_eq!(after["desired_capacity"], 2);

    // The journal recorded the real ids the queued steps were sent with.
    let copied_from: Vec<String> = journal
        .events()
        .into_iter()
        .filter_map(|(_, e)| match e {
            Event::Intent(
                _,
                Intent::Call {
                    call:
                        Call::CopySnapshot(ops::CopySnapshot {
                            source_snapshot, ..
                        }),
                },
            ) => Some(source_snapshot),
            _ => None,
        })
        .collect();
    assert_eq!(copied_from.len(), 1);
    assert!(copied_from[0].starts_with("snap-"), "{copied_from:?}");
    let snapshots = fx
        .block(
            fx.ec2(EAST)
                .describe_snapshots()
                .snapshot_ids(&copied_from[0])
                .send(),
        )
        .expect("describe source");
    assert_eq!(
        snapshots.snapshots()[0].volume_id(),
        Some(volume_id.as_str())
    );
}

#[test]
fn parallel_failure_stops_the_other_branches() {
    let fx = Fx::new(shared());
    let db = fx.db_instance(EAST, &unique("never-available"), false);
    fx.stop_db(EAST, &db);
    let volume = unique("failing-branch-volume");
    fx.volume(EAST, &volume, 1);
    let mut live = backend(shared());
    let journal = Arc::new(MemoryJournal::default());
    live.set_journal(journal.clone());

    live.begin_parallel().expect("begin");
    live.begin_branch().expect("branch 1");
    // Would poll for two minutes.
    live.wait(&WaitSpec {
        target: Target::DbInstance {
            name: db.clone(),
            region: EAST.into(),
        },
        until: WaitState::Available,
        timeout_secs: 120,
    })
    .expect("queued");
    live.begin_branch().expect("branch 2");
    let snapshot = live
        .execute(&Call::CreateSnapshot(ops::CreateSnapshot {
            region: EAST.into(),
            volume: unique("no-such-volume"),
            description: String::new(),
            tags: BTreeMap::new(),
        }))
        .expect("queued")
        .creates
        .expect("placeholder");
    live.execute(&Call::CopySnapshot(ops::CopySnapshot {
        region: WEST.into(),
        source_region: EAST.into(),
        source_snapshot: snapshot.clone(),
        description: String::new(),
        tags: BTreeMap::new(),
    }))
    .expect("queued");
    let started = Instant::now();
    let err = live.end_parallel().expect_err("branch 2 fails");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        (err.kind, err.code.as_str(), err.operation.as_str()),
        (
            ErrorKind::NotFound,
            "InvalidVolume.NotFound",
            "CreateSnapshot"
        )
    );
    // Branch 1's wait was abandoned at its next poll; the copy was never sent.
    let events = journal.events();
    let abandoned = events
        .iter()
        .any(|(_, e)| matches!(e, Event::Finished(_, Err(err)) if err.code == "BranchAbandoned"));
    assert!(abandoned, "{events:?}");
    let copies = events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::Intent(
                    _,
                    Intent::Call {
                        call: Call::CopySnapshot(_)
                    }
                )
            )
        })
        .count();
    assert_eq!(copies, 0);
    // What the failed branch never created cannot be used later.
    let err = expect_err(live.wait(&WaitSpec {
        target: Target::EbsSnapshot {
            name: snapshot,
            region: EAST.into(),
        },
        until: WaitState::Completed,
        timeout_secs: 5,
    }));
    assert_eq!(err.code, "UnresolvedPlaceholder");
    // A placeholder of another branch in the same group is refused, not sent.
    live.begin_parallel().expect("begin");
    live.begin_branch().expect("branch 1");
    let other = live
        .execute(&Call::CreateSnapshot(ops::CreateSnapshot {
            region: EAST.into(),
            volume: volume.clone(),
            description: String::new(),
            tags: BTreeMap::new(),
        }))
        .expect("queued")
        .creates
        .expect("placeholder");
    live.begin_branch().expect("branch 2");
    live.execute(&Call::CreateVolume(ops::CreateVolume {
        region: EAST.into(),
        snapshot: other,
        availability_zone: "us-east-1a".into(),
        tags: BTreeMap::new(),
    }))
    .expect("queued");
    let err = live.end_parallel().expect_err("cross-branch placeholder");
    assert_eq!(err.code, "UnresolvedPlaceholder");
}

#[test]
fn capture_round_trips_through_the_inventory_format() {
    // Its own server: the capture must see exactly this small world.
    let moto = Moto::start();
    let fx = Fx::new(&moto.url);
    fx.asg_group(EAST, "web-asg", 2);
    let volume_id = fx.volume(EAST, "web-data", 8);
    fx.volume(WEST, "dr-data", 8);
    let snapshot_id = fx
        .block(
            fx.ec2(EAST)
                .create_snapshot()
                .volume_id(&volume_id)
                .description("nightly")
                .send(),
        )
        .expect("snapshot")
        .snapshot_id()
        .expect("id")
        .to_string();
    fx.db_instance(EAST, "production-db", true);
    fx.block(
        fx.rds(EAST)
            .create_db_snapshot()
            .db_instance_identifier("production-db")
            .db_snapshot_identifier("production-db-nightly")
            .send(),
    )
    .expect("db snapshot");
    fx.aurora_global("ecommerce-global", "ecommerce-aurora", "dr-aurora");
    fx.topic(WEST, "dr-notifications");
    let zone_id = fx.zone("example.com");
    let check_id = fx.health_check("Primary-HealthCheck");
    let change = aws_sdk_route53::types::Change::builder()
        .action(aws_sdk_route53::types::ChangeAction::Upsert)
        .resource_record_set(
            aws_sdk_route53::types::ResourceRecordSet::builder()
                .name("www.example.com")
                .r#type(aws_sdk_route53::types::RrType::A)
                .set_identifier("Primary")
                .failover(aws_sdk_route53::types::ResourceRecordSetFailover::Primary)
                .ttl(60)
                .health_check_id(&check_id)
                .resource_records(
                    aws_sdk_route53::types::ResourceRecord::builder()
                        .value("192.0.2.10")
                        .build()
                        .expect("record"),
                )
                .build()
                .expect("record set"),
        )
        .build()
        .expect("change");
    fx.block(
        fx.route53()
            .change_resource_record_sets()
            .hosted_zone_id(&zone_id)
            .change_batch(
                aws_sdk_route53::types::ChangeBatch::builder()
                    .changes(change)
                    .build()
                    .expect("batch"),
            )
            .send(),
    )
    .expect("record");

    let mut live = backend(&moto.url);
    let regions = vec![EAST.to_string(), WEST.to_string()];
    let inventory = live.capture(&regions).expect("capture");
    inventory.validate("capture").expect("a valid inventory");
    let text = serde_json::to_string_pretty(&inventory).expect("json");
    let parsed = Inventory::parse(&text, "capture.json").expect("parses back");
    assert_eq!(parsed, inventory);

    assert_eq!(
        inventory.version,
        ripcord_core::inventory::INVENTORY_VERSION
    );
    assert_eq!(inventory.account.as_deref(), Some("123456789012"));
    assert_eq!(inventory.captured_at.subsec_nanosecond(), 0);
    let east = &inventory.regions[EAST];
    let west = &inventory.regions[WEST];
    assert!(east.availability_zones.contains(&"us-east-1a".to_string()));
    assert_eq!(east.auto_scaling_groups.len(), 1);
    assert_eq!(east.auto_scaling_groups[0].name, "web-asg");
    assert_eq!(east.auto_scaling_groups[0].in_service, Some(2));
    let web = east
        .volumes
        .iter()
        .find(|v| v.id == volume_id)
        .expect("volume");
    assert_eq!(web.name.as_deref(), Some("web-data"));
    assert_eq!(web.size_gib, 8);
    let snap = east
        .snapshots
        .iter()
        .find(|s| s.id == snapshot_id)
        .expect("snapshot");
    assert_eq!(
        (snap.volume_id.as_str(), snap.description.as_str()),
        (volume_id.as_str(), "nightly")
    );
    assert_eq!(east.db_instances.len(), 1);
    assert!(east.db_instances[0].multi_az);
    assert!(east
        .db_snapshots
        .iter()
        .any(|s| s.id == "production-db-nightly" && s.source == "production-db"));
    assert_eq!(west.topics.len(), 1);
    assert_eq!(west.topics[0].name, "dr-notifications");
    assert_eq!(inventory.global_clusters.len(), 1);
    let global = &inventory.global_clusters[0];
    assert_eq!(global.id, "ecommerce-global");
    let members: Vec<(&str, &str, bool)> = global
        .members
        .iter()
        .map(|m| (m.cluster.as_str(), m.region.as_str(), m.writer))
        .collect();
    assert_eq!(
        members,
        vec![("ecommerce-aurora", EAST, true), ("dr-aurora", WEST, false)]
    );
    assert_eq!(inventory.hosted_zones.len(), 1);
    let zone = &inventory.hosted_zones[0];
    assert_eq!(
        (zone.id.as_str(), zone.name.as_str()),
        (zone_id.as_str(), "example.com")
    );
    assert!(
        zone.records
            .iter()
            .all(|r| r.rtype != "SOA" && r.rtype != "NS"),
        "{zone:?}"
    );
    assert_eq!(zone.records.len(), 1);
    assert_eq!(
        zone.records[0].health_check.as_deref(),
        Some(check_id.as_str())
    );
    assert_eq!(inventory.health_checks.len(), 1);
    assert_eq!(
        inventory.health_checks[0].name.as_deref(),
        Some("Primary-HealthCheck")
    );
    assert!(inventory.buckets.is_empty());

    // Two captures of the same state are the same but for the time.
    let mut again = live.capture(&regions).expect("capture again");
    again.captured_at = inventory.captured_at;
    assert_eq!(again, inventory);

    // Buckets, with their region, versioning and replication.
    fx.bucket(EAST, "product-images");
    fx.bucket(WEST, "dr-product-images");
    live.execute(&Call::PutBucketReplication(ops::PutBucketReplication {
        bucket: "product-images".into(),
        role: "arn:aws:iam::123456789012:role/replication".into(),
        rule: ReplicationRule {
            id: "all".into(),
            priority: 1,
            destination_bucket: "dr-product-images".into(),
            delete_marker_replication: true,
            replication_time_minutes: Some(15),
        },
    }))
    .expect("replication");
    {
        let with_buckets = live.capture(&regions).expect("capture with buckets");
        with_buckets.validate("capture").expect("valid");
        let names: Vec<(&str, &str, bool)> = with_buckets
            .buckets
            .iter()
            .map(|b| (b.name.as_str(), b.region.as_str(), b.replication.is_some()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("dr-product-images", WEST, false),
                ("product-images", EAST, true)
            ]
        );
    }
}

// ---------------------------------------------------------------- replication lag (CloudWatch)

impl Fx {
    fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.config(region))
    }

    /// One datapoint of an AWS/RDS metric for one resource, stamped `ago_secs` ago, as RDS
    /// publishes its lag metrics.
    fn put_rds_metric(
        &self,
        region: &str,
        metric: &str,
        dimension: (&str, &str),
        value: f64,
        unit: aws_sdk_cloudwatch::types::StandardUnit,
        ago_secs: i64,
    ) {
        let datum = aws_sdk_cloudwatch::types::MetricDatum::builder()
            .metric_name(metric)
            .dimensions(
                aws_sdk_cloudwatch::types::Dimension::builder()
                    .name(dimension.0)
                    .value(dimension.1)
                    .build(),
            )
            .value(value)
            .unit(unit)
            .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
                jiff::Timestamp::now().as_second() - ago_secs,
            ))
            .build();
        self.block(
            self.cloudwatch(region)
                .put_metric_data()
                .namespace("AWS/RDS")
                .metric_data(datum)
                .send(),
        )
        .expect("put metric data");
    }

    /// The Maximum of every datapoint of the last ten minutes, read back with the SDK.
    fn rds_metric_maxima(&self, region: &str, metric: &str, dimension: (&str, &str)) -> Vec<f64> {
        let now = jiff::Timestamp::now().as_second();
        let out = self
            .block(
                self.cloudwatch(region)
                    .get_metric_statistics()
                    .namespace("AWS/RDS")
                    .metric_name(metric)
                    .dimensions(
                        aws_sdk_cloudwatch::types::Dimension::builder()
                            .name(dimension.0)
                            .value(dimension.1)
                            .build(),
                    )
                    .start_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
                        now - 600,
                    ))
                    .end_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(now + 1))
                    .period(60)
                    .statistics(aws_sdk_cloudwatch::types::Statistic::Maximum)
                    .send(),
            )
            .expect("get metric statistics");
        out.datapoints()
            .iter()
            .filter_map(|d| d.maximum())
            .collect()
    }
}

fn describe_field(live: &mut LiveBackend, target: Target, field: &str) -> serde_json::Value {
    live.query(&Query::Describe { target })
        .expect("describe")
        .expect("exists")[field]
        .clone()
}

#[test]
fn moto_stores_and_returns_cloudwatch_datapoints() {
    // What the lag tests rely on: moto 5.2.5 answers the Rust SDK's CloudWatch requests
    // (rpc-v2-cbor) and gives back what PutMetricData stored.
    let fx = Fx::new(shared());
    let id = unique("metric-probe");
    assert!(fx
        .rds_metric_maxima(EAST, "ReplicaLag", ("DBInstanceIdentifier", &id))
        .is_empty());
    fx.put_rds_metric(
        EAST,
        "ReplicaLag",
        ("DBInstanceIdentifier", &id),
        42.0,
        aws_sdk_cloudwatch::types::StandardUnit::Seconds,
        0,
    );
    assert_eq!(
        fx.rds_metric_maxima(EAST, "ReplicaLag", ("DBInstanceIdentifier", &id)),
        vec![42.0]
    );
    // Another region does not see it.
    assert!(fx
        .rds_metric_maxima(WEST, "ReplicaLag", ("DBInstanceIdentifier", &id))
        .is_empty());
}

#[test]
fn replica_lag_of_a_read_replica_comes_from_cloudwatch() {
    let fx = Fx::new(shared());
    let source = fx.db_instance(EAST, &unique("lag-source-db"), false);
    let replica = unique("lag-replica-db");
    fx.block(
        fx.rds(EAST)
            .create_db_instance_read_replica()
            .db_instance_identifier(&replica)
            .source_db_instance_identifier(&source)
            .send(),
    )
    .expect("create replica");
    let mut live = backend(shared());
    let target = |name: &str| Target::DbInstance {
        name: name.to_string(),
        region: EAST.into(),
    };

    // No datapoint: unknown, as before.
    assert_eq!(
        describe_field(&mut live, target(&replica), "replica_lag_secs"),
        serde_json::Value::Null
    );

    // A datapoint older than the last few minutes says nothing about now.
    let seconds = aws_sdk_cloudwatch::types::StandardUnit::Seconds;
    let dimension = ("DBInstanceIdentifier", replica.as_str());
    fx.put_rds_metric(EAST, "ReplicaLag", dimension, 99.0, seconds.clone(), 900);
    assert_eq!(
        describe_field(&mut live, target(&replica), "replica_lag_secs"),
        serde_json::Value::Null
    );

    // The newest datapoint of the last minutes counts, rounded up to whole seconds.
    fx.put_rds_metric(EAST, "ReplicaLag", dimension, 900.0, seconds.clone(), 180);
    fx.put_rds_metric(EAST, "ReplicaLag", dimension, 12.2, seconds.clone(), 0);
    assert_eq!(
        describe_field(&mut live, target(&replica), "replica_lag_secs"),
        serde_json::json!(13)
    );

    // The source is no replica: no lag asked for, whatever CloudWatch holds.
    fx.put_rds_metric(
        EAST,
        "ReplicaLag",
        ("DBInstanceIdentifier", &source),
        5.0,
        seconds,
        0,
    );
    let before = live.requests_sent();
    assert_eq!(
        describe_field(&mut live, target(&source), "replica_lag_secs"),
        serde_json::Value::Null
    );
    assert_eq!(live.requests_sent() - before, 1, "DescribeDBInstances only");
    assert!(live.take_warnings().is_empty());
}

#[test]
fn replication_lag_of_a_global_secondary_comes_from_cloudwatch() {
    let fx = Fx::new(shared());
    let primary = unique("lag-aurora");
    let secondary = unique("lag-dr-aurora");
    let global = unique("lag-global");
    fx.aurora_global(&global, &primary, &secondary);
    let mut live = backend(shared());
    let target = |name: &str, region: &str| Target::DbCluster {
        name: name.to_string(),
        region: region.to_string(),
    };

    assert_eq!(
        describe_field(&mut live, target(&secondary, WEST), "replication_lag_secs"),
        serde_json::Value::Null
    );

    // AuroraGlobalDBReplicationLag is in milliseconds, in the secondary's region.
    let ms = aws_sdk_cloudwatch::types::StandardUnit::Milliseconds;
    fx.put_rds_metric(
        WEST,
        "AuroraGlobalDBReplicationLag",
        ("DBClusterIdentifier", &secondary),
        600_000.0,
        ms.clone(),
        0,
    );
    assert_eq!(
        describe_field(&mut live, target(&secondary, WEST), "replication_lag_secs"),
        serde_json::json!(600)
    );
    // The writer has no lag: not asked for.
    fx.put_rds_metric(
        EAST,
        "AuroraGlobalDBReplicationLag",
        ("DBClusterIdentifier", &primary),
        5_000.0,
        ms,
        0,
    );
    assert_eq!(
        describe_field(&mut live, target(&primary, EAST), "replication_lag_secs"),
        serde_json::Value::Null
    );
    assert!(live.take_warnings().is_empty());
}

#[test]
fn capture_reads_replication_lag_from_cloudwatch() {
    // Its own server: the capture must see exactly this small world.
    let moto = Moto::start();
    let fx = Fx::new(&moto.url);
    fx.db_instance(EAST, "production-db", false);
    fx.block(
        fx.rds(EAST)
            .create_db_instance_read_replica()
            .db_instance_identifier("production-db-replica")
            .source_db_instance_identifier("production-db")
            .send(),
    )
    .expect("create replica");
    fx.aurora_global("ecommerce-global", "ecommerce-aurora", "dr-aurora");
    fx.put_rds_metric(
        EAST,
        "ReplicaLag",
        ("DBInstanceIdentifier", "production-db-replica"),
        3.0,
        aws_sdk_cloudwatch::types::StandardUnit::Seconds,
        0,
    );
    fx.put_rds_metric(
        WEST,
        "AuroraGlobalDBReplicationLag",
        ("DBClusterIdentifier", "dr-aurora"),
        1_200.0,
        aws_sdk_cloudwatch::types::StandardUnit::Milliseconds,
        0,
    );

    let mut live = backend(&moto.url);
    let inventory = live
        .capture(&[EAST.to_string(), WEST.to_string()])
        .expect("capture");
    inventory.validate("capture").expect("a valid inventory");
    let lags: Vec<(&str, Option<i64>)> = inventory.regions[EAST]
        .db_instances
        .iter()
        .map(|d| (d.id.as_str(), d.replica_lag_secs))
        .collect();
    assert_eq!(
        lags,
        vec![("production-db", None), ("production-db-replica", Some(3))]
    );
    let lags: Vec<(&str, Option<i64>)> = inventory
        .regions
        .values()
        .flat_map(|r| &r.db_clusters)
        .map(|c| (c.id.as_str(), c.replication_lag_secs))
        .collect();
    assert_eq!(
        lags,
        vec![("ecommerce-aurora", None), ("dr-aurora", Some(2))]
    );
    assert!(live.take_warnings().is_empty());
}

// ---------------------------------------------------------------- outages

/// A backend whose account region is us-east-1 unless it does not answer (then us-west-2),
/// with short bounds: a test never waits on the default 30 s.
fn backend_with_fallback(url: &str, read_timeout: Duration) -> LiveBackend {
    backend_with_timeouts(url, read_timeout, Duration::from_secs(5))
}

fn backend_with_timeouts(
    url: &str,
    read_timeout: Duration,
    request_timeout: Duration,
) -> LiveBackend {
    LiveBackend::with_static_credentials_and_backoff(
        LiveConfig {
            region: Some(EAST.to_string()),
            fallback_regions: vec![EAST.to_string(), WEST.to_string()],
            endpoint_url: Some(url.to_string()),
            poll: fast_poll(),
            read_timeout,
            request_timeout,
            ..LiveConfig::default()
        },
        "testing",
        "testing",
        RETRY_BACKOFF,
    )
    .expect("live backend")
}

/// us-east-1 does not answer at all (connections reset), Route 53 (signed for us-east-1)
/// still does.
const EAST_REFUSED: &str =
    r#"[{"service": "route53", "fault": "pass"}, {"region": "us-east-1", "fault": "refuse"}]"#;

/// A small world in both regions: a volume each, an Aurora global database across them, a
/// topic, a hosted zone, a bucket each.
fn two_region_world(fx: &Fx) {
    fx.volume(EAST, "web-data", 8);
    fx.volume(WEST, "dr-data", 8);
    fx.aurora_global("ecommerce-global", "ecommerce-aurora", "dr-aurora");
    fx.topic(WEST, "dr-notifications");
    fx.zone("example.com");
    fx.bucket(EAST, "images-east");
    fx.bucket(WEST, "images-west");
}

/// The inventory's one unreachable entry, which must be us-east-1 as a whole.
fn east_down_as_a_whole(inventory: &Inventory) -> &ripcord_core::inventory::Unreachable {
    assert_eq!(
        inventory.unreachable.len(),
        1,
        "{:?}",
        inventory.unreachable
    );
    let entry = &inventory.unreachable[0];
    assert_eq!(
        (entry.region.as_deref(), entry.service.as_deref()),
        (Some(EAST), None),
        "the region as a whole"
    );
    entry
}

/// A fresh moto holding [`two_region_world`], behind the fault proxy with `rules`.
fn two_regions_behind(rules: &str) -> (Moto, FaultProxy) {
    let moto = Moto::start();
    two_region_world(&Fx::new(&moto.url));
    let proxy = FaultProxy::start(&moto, 0, rules);
    (moto, proxy)
}

#[test]
fn capture_with_a_region_down_degrades_and_its_requests_then_fail_at_once() {
    let (_moto, proxy) = two_regions_behind(EAST_REFUSED);
    let mut live = backend_with_fallback(&proxy.endpoint(), Duration::from_secs(10));

    // The account region falls back to the next candidate, with a warning.
    let identity = live.caller_identity().expect("STS answers in us-west-2");
    assert_eq!(identity.account, "123456789012");
    assert_eq!(live.account_region(), WEST);
    let warnings = live.take_warnings();
    assert!(
        warnings.len() == 1
            && warnings[0].starts_with("us-east-1 did not answer sts GetCallerIdentity")
            && warnings[0].ends_with("go to us-west-2"),
        "{warnings:?}"
    );

    let inventory = live
        .capture(&[EAST.to_string(), WEST.to_string()])
        .expect("a capture degrades, it does not fail");
    let entry = east_down_as_a_whole(&inventory);
    assert!(
        entry.reason.starts_with("DispatchFailure: "),
        "{}",
        entry.reason
    );
    let regions: Vec<&str> = inventory.regions.keys().map(String::as_str).collect();
    assert_eq!(regions, vec![WEST]);
    let west = &inventory.regions[WEST];
    assert!(west
        .volumes
        .iter()
        .any(|v| v.name.as_deref() == Some("dr-data")));
    assert_eq!(west.topics[0].name, "dr-notifications");
    // The global cluster is the same as in a full capture: its member in the silent region
    // is kept.
    let members: Vec<(&str, &str, bool)> = inventory.global_clusters[0]
        .members
        .iter()
        .map(|m| (m.cluster.as_str(), m.region.as_str(), m.writer))
        .collect();
    assert_eq!(
        members,
        vec![("ecommerce-aurora", EAST, true), ("dr-aurora", WEST, false)]
    );
    assert_eq!(inventory.hosted_zones.len(), 1, "Route 53 answers");
    // Buckets are listed and located from us-west-2; the one in us-east-1 is kept with its
    // region but without what only its region could say.
    let buckets: Vec<(&str, &str)> = inventory
        .buckets
        .iter()
        .map(|b| (b.name.as_str(), b.region.as_str()))
        .collect();
    assert_eq!(buckets, vec![("images-east", EAST), ("images-west", WEST)]);
    assert!(inventory.buckets[0].replication.is_none());
    // The outage is data: it survives the JSON round trip.
    let text = serde_json::to_string_pretty(&inventory).expect("json");
    let back: Inventory = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back.unreachable, inventory.unreachable);

    // From now on, what needs us-east-1 fails at once, as the dry-run predicts, without a
    // request; us-west-2 still answers.
    proxy.clear_log();
    let started = Instant::now();
    let volume = Target::Volume {
        name: "web-data".into(),
        region: EAST.into(),
    };
    let err = live
        .query(&Query::Describe {
            target: volume.clone(),
        })
        .expect_err("us-east-1 is down");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Unreachable, "RegionUnreachable")
    );
    assert!(
        err.message
            .starts_with("us-east-1 does not answer: DispatchFailure: "),
        "{}",
        err.message
    );
    let err = live
        .wait(&WaitSpec {
            target: volume,
            until: WaitState::Available,
            timeout_secs: 60,
        })
        .expect_err("no wait in a down region");
    assert_eq!(err.code, "RegionUnreachable");
    let err = live
        .execute(&Call::CreateSnapshot(ops::CreateSnapshot {
            region: EAST.into(),
            volume: "web-data".into(),
            description: "before failover".into(),
            tags: BTreeMap::new(),
        }))
        .expect_err("no call to a down region");
    assert_eq!(err.code, "RegionUnreachable");
    assert_eq!(
        live.query(&Query::Reachable {
            region: EAST.into()
        })
        .expect("answered"),
        Some(serde_json::Value::Bool(false))
    );
    assert_eq!(
        live.query(&Query::Reachable {
            region: WEST.into()
        })
        .expect("answered"),
        Some(serde_json::Value::Bool(true))
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "failing at once took {:?}",
        started.elapsed()
    );
    assert!(
        proxy.log().iter().all(|r| r.region != EAST),
        "nothing was sent to us-east-1: {:?}",
        proxy.log()
    );
    let found = live
        .query(&Query::Describe {
            target: Target::Volume {
                name: "dr-data".into(),
                region: WEST.into(),
            },
        })
        .expect("us-west-2 answers");
    assert!(found.is_some());
}

#[test]
fn a_silent_region_costs_one_parts_retries() {
    // us-east-1 refuses every connection, but DynamoDB's are held 1 s before being reset:
    // on its own, its part would take five such attempts. Once a refused part gives up on
    // the region that answered nothing, DynamoDB's part, failing too, gives up with it.
    let (_moto, proxy) = two_regions_behind(
        r#"[{"service": "route53", "fault": "pass"},
            {"region": "us-east-1", "service": "dynamodb", "fault": "hang", "seconds": 1},
            {"region": "us-east-1", "fault": "refuse"}]"#,
    );
    let mut live = backend_with_fallback(&proxy.endpoint(), Duration::from_secs(20));
    let inventory = live
        .capture(&[EAST.to_string(), WEST.to_string()])
        .expect("capture");
    let held = proxy
        .log()
        .iter()
        .filter(|r| r.region == EAST && r.service == "dynamodb")
        .count();
    // The first held attempt, and at most one more sent in the moment between its failure
    // and the verdict reaching its part (the pause before it is 10 ms at most).
    assert!(
        (1..=2).contains(&held),
        "DynamoDB in us-east-1 was asked {held} times: {}",
        proxy.log_json()
    );
    let entry = east_down_as_a_whole(&inventory);
    // The region's reason is the failure that found it silent, not a part cut short.
    assert!(
        entry.reason.starts_with("DispatchFailure: ") && !entry.reason.contains("given up with it"),
        "{}",
        entry.reason
    );
    assert!(inventory.regions.contains_key(WEST));
}

#[test]
fn capture_bounds_a_region_that_hangs() {
    let (_moto, proxy) = two_regions_behind(
        r#"[{"service": "route53", "fault": "pass"},
            {"region": "us-east-1", "fault": "hang", "seconds": 60}]"#,
    );
    // A bound well above what the answering region needs on a busy machine (the proxy's
    // listen backlog is short: some of the capture's connections wait for a SYN
    // retransmission, 1 s and then 3 s), and attempts allowed to last far longer than it:
    // only the bound can end the hung requests in time.
    let mut live = backend_with_timeouts(
        &proxy.endpoint(),
        Duration::from_secs(10),
        Duration::from_secs(120),
    );
    let started = Instant::now();
    live.caller_identity().expect("STS answers in us-west-2");
    let inventory = live
        .capture(&[EAST.to_string(), WEST.to_string()])
        .expect("capture");
    let took = started.elapsed();
    // One bound for the STS probe, one for the parts (all at once), one for the bucket in
    // us-east-1 (its region is known only once it is located, so its bound starts a little
    // later): not one 120 s attempt.
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert_eq!(
        inventory.unreachable.len(),
        1,
        "{:?}",
        inventory.unreachable
    );
    let entry = &inventory.unreachable[0];
    assert_eq!(entry.region.as_deref(), Some(EAST));
    assert_eq!(
        entry.reason, "ReadTimeout: no answer within 10s (--read-timeout)",
        "{entry:?}"
    );
    assert!(inventory.regions.contains_key(WEST));
}

#[test]
fn capture_with_one_service_down_keeps_the_rest_of_its_region() {
    let (_moto, proxy) = two_regions_behind(
        r#"[{"region": "us-east-1", "service": "rds", "fault": "status", "status": 503}]"#,
    );
    let mut live = backend_with_fallback(&proxy.endpoint(), Duration::from_secs(10));
    let inventory = live
        .capture(&[EAST.to_string(), WEST.to_string()])
        .expect("capture");
    assert!(live.take_warnings().is_empty(), "STS answers in us-east-1");
    assert_eq!(live.account_region(), EAST);
    let entries: Vec<String> = inventory.unreachable.iter().map(|e| e.what()).collect();
    assert_eq!(entries, vec!["rds in us-east-1".to_string()]);
    assert!(
        inventory.unreachable[0].reason.starts_with("Http503: "),
        "{:?}",
        inventory.unreachable
    );
    let east = &inventory.regions[EAST];
    assert!(east
        .volumes
        .iter()
        .any(|v| v.name.as_deref() == Some("web-data")));
    assert!(east.db_clusters.is_empty());
    assert_eq!(inventory.global_clusters[0].members.len(), 2);
    assert!(inventory.buckets.iter().all(|b| b.versioning));

    // RDS in us-east-1 fails at once; EC2 there still answers.
    let err = live
        .query(&Query::Describe {
            target: Target::DbCluster {
                name: "ecommerce-aurora".into(),
                region: EAST.into(),
            },
        })
        .expect_err("RDS in us-east-1 does not answer");
    assert_eq!(err.code, "RegionUnreachable");
    assert!(
        err.message.starts_with("rds in us-east-1 does not answer"),
        "{}",
        err.message
    );
    assert_eq!(
        live.query(&Query::Reachable {
            region: EAST.into()
        })
        .expect("answered"),
        Some(serde_json::Value::Bool(true)),
        "one service down is not the region down"
    );
    let found = live
        .query(&Query::Describe {
            target: Target::Volume {
                name: "web-data".into(),
                region: EAST.into(),
            },
        })
        .expect("EC2 in us-east-1 answers");
    assert!(found.is_some());
}

#[test]
fn a_read_that_finds_a_region_down_marks_it_and_a_failed_call_does_not() {
    let moto = Moto::shared();
    let fx = Fx::new(&moto.url);
    let east_volume = unique("marked-east");
    let west_volume = unique("marked-west");
    fx.volume(EAST, &east_volume, 1);
    fx.volume(WEST, &west_volume, 1);
    let proxy = FaultProxy::start(moto, 0, "[]");
    let mut live = backend_with_fallback(&proxy.endpoint(), Duration::from_secs(10));
    live.caller_identity().expect("identity");

    // A mutating call that gets no answer may have been carried out: the region is not
    // marked (the next request is sent).
    proxy.set_rules(
        r#"[{"region": "us-west-2", "service": "ec2", "operation": "CreateSnapshot", "fault": "refuse"}]"#,
    );
    let err = live
        .execute(&Call::CreateSnapshot(ops::CreateSnapshot {
            region: WEST.into(),
            volume: west_volume.clone(),
            description: "lost".into(),
            tags: BTreeMap::new(),
        }))
        .expect_err("refused");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Unreachable, "DispatchFailure")
    );
    let reachable = |live: &mut LiveBackend, region: &str| {
        live.query(&Query::Reachable {
            region: region.into(),
        })
        .expect("answered")
    };
    assert_eq!(
        reachable(&mut live, WEST),
        Some(serde_json::Value::Bool(true))
    );

    // A read that gets no connection: the region is down for the rest of the run.
    proxy.set_rules(r#"[{"region": "us-east-1", "fault": "refuse"}]"#);
    let volume = Target::Volume {
        name: east_volume,
        region: EAST.into(),
    };
    let err = live
        .query(&Query::Describe {
            target: volume.clone(),
        })
        .expect_err("refused");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Unreachable, "DispatchFailure")
    );
    assert_eq!(
        reachable(&mut live, EAST),
        Some(serde_json::Value::Bool(false))
    );
    proxy.clear_log();
    let err = live
        .query(&Query::Describe { target: volume })
        .expect_err("known down");
    assert_eq!(err.code, "RegionUnreachable");
    assert!(proxy.log().is_empty(), "{:?}", proxy.log());
}

#[test]
fn no_account_region_answering_is_an_error_naming_them() {
    let proxy = FaultProxy::start(Moto::shared(), 0, r#"[{"fault": "refuse"}]"#);
    let mut live = backend_with_fallback(&proxy.endpoint(), Duration::from_secs(10));
    let err = live.caller_identity().expect_err("nothing answers");
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Unreachable, "DispatchFailure")
    );
    let help = err.help.unwrap_or_default();
    assert!(help.contains("tried us-east-1, us-west-2"), "{help}");
}

// ---------------------------------------------------------------- DynamoDB, ECS, weighted records

/// Builds the world of `inventory` in `moto` through the testkit's seeder
/// (tests/moto/seed.py): tables and their replicas, ECS services, weighted records.
fn seed(moto: &Moto, inventory: &Inventory) {
    let path = std::env::temp_dir().join(format!("{}.json", unique("ripcord-live-seed")));
    std::fs::write(
        &path,
        serde_json::to_string_pretty(inventory).expect("inventory as JSON"),
    )
    .expect("write the inventory to seed");
    moto.seed(&path);
    let _ = std::fs::remove_file(&path);
}

/// An inventory of `regions` only (the rest empty).
fn world(regions: Vec<(&str, ripcord_core::inventory::RegionInventory)>) -> Inventory {
    let mut inventory = Inventory::empty(jiff::Timestamp::UNIX_EPOCH);
    for (region, resources) in regions {
        inventory.regions.insert(region.to_string(), resources);
    }
    inventory
}

fn dynamo_table(
    name: &str,
    stream: Option<&str>,
    replicas: &[&str],
) -> ripcord_core::inventory::DynamoTable {
    ripcord_core::inventory::DynamoTable {
        name: name.to_string(),
        status: "ACTIVE".into(),
        stream_view_type: stream.map(str::to_string),
        replicas: replicas
            .iter()
            .map(|region| ripcord_core::inventory::TableReplica {
                region: region.to_string(),
                status: "ACTIVE".into(),
            })
            .collect(),
    }
}

fn ecs_service(
    cluster: &str,
    name: &str,
    desired: i64,
    running: Option<i64>,
) -> ripcord_core::inventory::EcsService {
    ripcord_core::inventory::EcsService {
        cluster: cluster.to_string(),
        name: name.to_string(),
        desired_count: desired,
        running_count: running,
        task_definition: Some(format!("{name}-task")),
    }
}

/// A boto3 call's answer as JSON, read behind the backend's back.
fn boto3(moto: &Moto, region: &str, service: &str, call: &str) -> serde_json::Value {
    serde_json::from_str(&moto.boto3_json(region, service, call)).expect("boto3's JSON")
}

/// The regions DescribeTable in `region` lists as replicas of `table`, with their status,
/// read with boto3.
fn replicas_seen(moto: &Moto, region: &str, table: &str) -> Vec<(String, String)> {
    let described = boto3(
        moto,
        region,
        "dynamodb",
        &format!("describe_table(TableName='{table}')"),
    );
    let mut seen: Vec<(String, String)> = described["Table"]["Replicas"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r["RegionName"].as_str().unwrap_or_default().to_string(),
                r["ReplicaStatus"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    seen.sort();
    seen
}

/// Whether ListTables in `region` names `table` (boto3).
fn table_listed(moto: &Moto, region: &str, table: &str) -> bool {
    boto3(moto, region, "dynamodb", "list_tables()")["TableNames"]
        .as_array()
        .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(table)))
}

fn table_target(name: &str, region: &str) -> Target {
    Target::Table {
        name: name.to_string(),
        region: region.to_string(),
    }
}

fn replica_check(table: &str) -> CheckSpec {
    CheckSpec::TableReplica {
        table: table.to_string(),
        region: EAST.into(),
        replica_region: WEST.into(),
    }
}

#[test]
fn dynamodb_replica_added_waited_checked_and_removed() {
    let moto = Moto::shared();
    let name = unique("orders");
    seed(
        moto,
        &world(vec![(
            EAST,
            ripcord_core::inventory::RegionInventory {
                dynamodb_tables: vec![dynamo_table(&name, Some("NEW_AND_OLD_IMAGES"), &[])],
                ..Default::default()
            },
        )]),
    );
    let mut live = backend(&moto.url);

    // No replica yet: the check does not hold and says what there is.
    let err = expect_err(live.check(&replica_check(&name)));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "ReplicaNotActive")
    );
    assert_eq!(
        (err.service.as_str(), err.operation.as_str()),
        ("dynamodb", "DescribeTable")
    );
    let help = err.help.clone().unwrap_or_default();
    assert!(help.contains("has no replicas"), "{help}");

    // Add the replica in us-west-2: the table appears there, each side lists the other.
    let add = Call::UpdateTable(ops::UpdateTable::replica(EAST, &name, true, WEST));
    let outcome = live.execute(&add).expect("add a replica");
    assert!(outcome.request_id.is_some(), "{outcome:?}");
    assert!(table_listed(moto, WEST, &name), "no table in {WEST}");
    assert_eq!(
        replicas_seen(moto, EAST, &name),
        vec![(WEST.to_string(), "ACTIVE".to_string())]
    );
    assert_eq!(
        replicas_seen(moto, WEST, &name),
        vec![(EAST.to_string(), "ACTIVE".to_string())]
    );

    live.wait(&WaitSpec {
        target: table_target(&name, EAST),
        until: WaitState::Active,
        timeout_secs: 30,
    })
    .expect("table and replicas active");
    live.check(&replica_check(&name))
        .expect("the replica is there");

    // Described in the inventory's shape: the other regions only.
    let described = live
        .query(&Query::Describe {
            target: table_target(&name, EAST),
        })
        .expect("describe")
        .expect("exists");
    let table: ripcord_core::inventory::DynamoTable =
        serde_json::from_value(described).expect("inventory shape");
    assert_eq!(
        table,
        dynamo_table(&name, Some("NEW_AND_OLD_IMAGES"), &[WEST])
    );
    let west: ripcord_core::inventory::DynamoTable = serde_json::from_value(
        live.query(&Query::Describe {
            target: table_target(&name, WEST),
        })
        .expect("describe the replica")
        .expect("exists"),
    )
    .expect("inventory shape");
    assert_eq!(
        west.replicas
            .iter()
            .map(|r| r.region.as_str())
            .collect::<Vec<_>>(),
        vec![EAST]
    );

    // The same replica again: DynamoDB's own refusal comes through.
    let err = expect_err(live.execute(&add));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "ValidationException")
    );
    assert!(err.message.contains("already has a replica"), "{err:?}");
    assert_clean_message(&err);

    // Remove it: the table in us-west-2 is gone and us-east-1 lists no replica.
    live.execute(&Call::UpdateTable(ops::UpdateTable::replica(
        EAST, &name, false, WEST,
    )))
    .expect("remove the replica");
    assert!(!table_listed(moto, WEST, &name), "the replica table stayed");
    assert!(replicas_seen(moto, EAST, &name).is_empty());
    assert!(table_listed(moto, EAST, &name));
    let err = expect_err(live.check(&replica_check(&name)));
    assert_eq!(err.code, "ReplicaNotActive");
    assert_eq!(
        live.query(&Query::Describe {
            target: table_target(&name, WEST),
        })
        .expect("describe"),
        None
    );
    live.wait(&WaitSpec {
        target: table_target(&name, EAST),
        until: WaitState::Active,
        timeout_secs: 30,
    })
    .expect("the table alone is active");

    // A table that does not exist: DynamoDB's not-found, as the simulation names it.
    let missing = unique("no-such-table");
    let err = expect_err(live.execute(&Call::UpdateTable(ops::UpdateTable::replica(
        EAST, &missing, true, WEST,
    ))));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "ResourceNotFoundException")
    );
    let err = expect_err(live.wait(&WaitSpec {
        target: table_target(&missing, EAST),
        until: WaitState::Active,
        timeout_secs: 5,
    }));
    assert_eq!(
        (err.kind, err.code.as_str(), err.operation.as_str()),
        (
            ErrorKind::NotFound,
            "ResourceNotFoundException",
            "DescribeTable"
        )
    );
    let err = expect_err(live.check(&replica_check(&missing)));
    assert_eq!(err.code, "ReplicaNotActive");
    assert!(
        err.help.unwrap_or_default().contains("does not exist"),
        "the help says the table is missing"
    );
}

/// A lost answer to UpdateTable is settled by the replica effect, read with DescribeTable:
/// the replica is there, so the request is not sent again.
#[test]
fn dynamodb_lost_answer_is_settled_by_the_replica_effect() {
    let moto = Moto::shared();
    let name = unique("carts");
    seed(
        moto,
        &world(vec![(
            EAST,
            ripcord_core::inventory::RegionInventory {
                dynamodb_tables: vec![dynamo_table(&name, Some("NEW_AND_OLD_IMAGES"), &[])],
                ..Default::default()
            },
        )]),
    );
    let proxy = FaultProxy::start(
        moto,
        0,
        r#"[{"service": "dynamodb", "operation": "UpdateTable", "fault": "lose", "first": 1}]"#,
    );
    let mut live = backend(&proxy.endpoint());
    let outcome = live
        .execute(&Call::UpdateTable(ops::UpdateTable::replica(
            EAST, &name, true, WEST,
        )))
        .expect("settled");
    let settled = outcome.settled.expect("settled by the effect check");
    assert!(settled.verified, "{settled:?}");
    assert_eq!(settled.sent, 1, "not sent again: {settled:?}");
    assert!(
        settled
            .evidence
            .contains(&format!("has a replica in {WEST}")),
        "{settled:?}"
    );
    let updates = proxy
        .log()
        .iter()
        .filter(|r| r.operation == "UpdateTable" && r.forwarded)
        .count();
    assert_eq!(updates, 1, "{:?}", proxy.log());
    assert_eq!(
        replicas_seen(moto, EAST, &name),
        vec![(WEST.to_string(), "ACTIVE".to_string())]
    );
}

fn ecs_target(cluster: &str, name: &str) -> Target {
    Target::EcsService {
        cluster: cluster.to_string(),
        name: name.to_string(),
        region: WEST.into(),
    }
}

/// (desiredCount, runningCount) of a service, read with boto3.
fn ecs_counts(moto: &Moto, cluster: &str, name: &str) -> (i64, i64) {
    let out = boto3(
        moto,
        WEST,
        "ecs",
        &format!("describe_services(cluster='{cluster}', services=['{name}'])"),
    );
    let service = &out["services"][0];
    (
        service["desiredCount"].as_i64().expect("desiredCount"),
        service["runningCount"].as_i64().expect("runningCount"),
    )
}

#[test]
fn ecs_scale_and_wait_steady() {
    let moto = Moto::shared();
    let cluster = unique("web-cluster");
    let name = unique("web");
    // Two desired, one running: not steady until the service is scaled (moto's patched
    // scheduler then runs every task at once).
    seed(
        moto,
        &world(vec![(
            WEST,
            ripcord_core::inventory::RegionInventory {
                ecs_services: vec![ecs_service(&cluster, &name, 2, Some(1))],
                ..Default::default()
            },
        )]),
    );
    assert_eq!(ecs_counts(moto, &cluster, &name), (2, 1));
    let mut live = backend(&moto.url);

    let err = expect_err(live.wait(&WaitSpec {
        target: ecs_target(&cluster, &name),
        until: WaitState::Steady,
        timeout_secs: 1,
    }));
    assert_eq!(
        (err.kind, err.code.as_str(), err.operation.as_str()),
        (ErrorKind::Timeout, "WaiterTimeout", "DescribeServices")
    );
    assert!(
        err.message.contains("1 running of 2 desired"),
        "{}",
        err.message
    );

    let outcome = live
        .execute(&Call::UpdateService(ops::UpdateService {
            region: WEST.into(),
            cluster: cluster.clone(),
            service: name.clone(),
            desired_count: 4,
        }))
        .expect("scale");
    assert!(outcome.request_id.is_some(), "{outcome:?}");
    assert_eq!(ecs_counts(moto, &cluster, &name), (4, 4));
    live.wait(&WaitSpec {
        target: ecs_target(&cluster, &name),
        until: WaitState::Steady,
        timeout_secs: 30,
    })
    .expect("steady");

    let described = live
        .query(&Query::Describe {
            target: ecs_target(&cluster, &name),
        })
        .expect("describe")
        .expect("exists");
    let service: ripcord_core::inventory::EcsService =
        serde_json::from_value(described).expect("inventory shape");
    assert_eq!(service, ecs_service(&cluster, &name, 4, Some(4)));

    // To zero, as a runbook drains a region.
    live.execute(&Call::UpdateService(ops::UpdateService {
        region: WEST.into(),
        cluster: cluster.clone(),
        service: name.clone(),
        desired_count: 0,
    }))
    .expect("scale to zero");
    assert_eq!(ecs_counts(moto, &cluster, &name), (0, 0));

    // ECS's own not-found codes: an unknown service, an unknown cluster.
    let err = expect_err(live.execute(&Call::UpdateService(ops::UpdateService {
        region: WEST.into(),
        cluster: cluster.clone(),
        service: unique("no-such-service"),
        desired_count: 1,
    })));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "ServiceNotFoundException")
    );
    assert_clean_message(&err);
    let err = expect_err(live.execute(&Call::UpdateService(ops::UpdateService {
        region: WEST.into(),
        cluster: unique("no-such-cluster"),
        service: name.clone(),
        desired_count: 1,
    })));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "ClusterNotFoundException")
    );
    let err = expect_err(live.wait(&WaitSpec {
        target: ecs_target(&cluster, &unique("no-such-service")),
        until: WaitState::Steady,
        timeout_secs: 5,
    }));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::NotFound, "ServiceNotFoundException")
    );

    // A deleted service (INACTIVE) does not exist, nor one of an unknown cluster.
    moto.boto3(
        WEST,
        "ecs",
        &format!("delete_service(cluster='{cluster}', service='{name}', force=True)"),
    );
    assert_eq!(
        live.query(&Query::Describe {
            target: ecs_target(&cluster, &name),
        })
        .expect("describe"),
        None
    );
    assert_eq!(
        live.query(&Query::Describe {
            target: ecs_target(&unique("no-such-cluster"), &name),
        })
        .expect("describe"),
        None
    );
}

/// A weighted record set (SetIdentifier + Weight), as `set_weight` sends it.
fn weighted(domain: &str, set_id: &str, weight: i64, value: &str) -> RecordSet {
    RecordSet {
        name: format!("app.{domain}"),
        rtype: "A".into(),
        set_identifier: Some(set_id.into()),
        failover: None,
        weight: Some(weight),
        ttl: Some(60),
        values: vec![value.into()],
        alias_target: None,
        health_check: None,
    }
}

#[test]
fn route53_weighted_records_flip_by_weight() {
    let fx = Fx::new(shared());
    let domain = format!("{}.example.com", unique("weighted"));
    let zone_id = fx.zone(&domain);
    let mut live = backend(shared());
    let batch = |blue: i64, green: i64| {
        Call::ChangeResourceRecordSets(ops::ChangeResourceRecordSets {
            hosted_zone: domain.clone(),
            changes: vec![
                ops::RecordChange {
                    action: "UPSERT".into(),
                    record_set: weighted(&domain, "blue", blue, "192.0.2.10"),
                },
                ops::RecordChange {
                    action: "UPSERT".into(),
                    record_set: weighted(&domain, "green", green, "198.51.100.10"),
                },
            ],
        })
    };
    live.execute(&batch(100, 0)).expect("blue takes everything");
    let weights = || {
        let sets = fx
            .block(
                fx.route53()
                    .list_resource_record_sets()
                    .hosted_zone_id(&zone_id)
                    .send(),
            )
            .expect("list records");
        let mut found: Vec<(String, Option<i64>)> = sets
            .resource_record_sets()
            .iter()
            .filter(|r| r.set_identifier().is_some())
            .map(|r| {
                (
                    r.set_identifier().unwrap_or_default().to_string(),
                    r.weight(),
                )
            })
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        weights(),
        vec![
            ("blue".to_string(), Some(100)),
            ("green".to_string(), Some(0))
        ]
    );

    // The flip: one batch, both weights.
    let outcome = live.execute(&batch(0, 100)).expect("flip to green");
    let change = outcome.creates.expect("change id");
    live.wait(&WaitSpec {
        target: Target::DnsChange { name: change },
        until: WaitState::InSync,
        timeout_secs: 30,
    })
    .expect("in sync");
    assert_eq!(
        weights(),
        vec![
            ("blue".to_string(), Some(0)),
            ("green".to_string(), Some(100))
        ]
    );
    let green = live
        .query(&Query::Describe {
            target: Target::Record {
                zone: domain.clone(),
                name: format!("app.{domain}"),
                rtype: "A".into(),
                set_id: Some("green".into()),
            },
        })
        .expect("describe record")
        .expect("exists");
    let green: ripcord_core::inventory::RecordSet =
        serde_json::from_value(green).expect("inventory shape");
    assert_eq!(green.weight, Some(100));
    assert_eq!(green.values, vec!["198.51.100.10".to_string()]);

    // Route 53's refusals come through: a weight over 255, a simple record among weighted
    // ones.
    let err = expect_err(live.execute(&batch(256, 0)));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "InvalidInput")
    );
    let mut simple = weighted(&domain, "x", 0, "203.0.113.1");
    simple.set_identifier = None;
    simple.weight = None;
    let err = expect_err(live.execute(&Call::ChangeResourceRecordSets(
        ops::ChangeResourceRecordSets::one(&domain, "CREATE", simple),
    )));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Rejected, "InvalidChangeBatch")
    );
    assert_eq!(
        weights(),
        vec![
            ("blue".to_string(), Some(0)),
            ("green".to_string(), Some(100))
        ],
        "refused batches change nothing"
    );
}

#[test]
fn capture_reads_tables_services_and_weights() {
    // Its own server: the capture must see exactly this world.
    let moto = Moto::start();
    let mut east = ripcord_core::inventory::RegionInventory {
        dynamodb_tables: vec![
            dynamo_table("orders", Some("NEW_AND_OLD_IMAGES"), &[WEST]),
            dynamo_table("sessions", None, &[]),
        ],
        ..Default::default()
    };
    east.ecs_services = vec![ecs_service("east-cluster", "api", 3, None)];
    // Twelve services in one cluster: DescribeServices takes ten at a time.
    let mut west_services: Vec<ripcord_core::inventory::EcsService> = (0..12)
        .map(|i| ecs_service("dr-cluster", &format!("svc-{i:02}"), i % 3, None))
        .collect();
    west_services.push(ecs_service("dr-web", "web", 4, Some(1)));
    let west = ripcord_core::inventory::RegionInventory {
        dynamodb_tables: vec![dynamo_table("orders", Some("NEW_AND_OLD_IMAGES"), &[EAST])],
        ecs_services: west_services,
        ..Default::default()
    };
    let mut seeded = world(vec![(EAST, east), (WEST, west)]);
    seeded.hosted_zones = vec![ripcord_core::inventory::HostedZone {
        id: "Z0SEED".into(),
        name: "example.com".into(),
        private: false,
        records: vec![
            ripcord_core::inventory::RecordSet {
                name: "app.example.com".into(),
                rtype: "A".into(),
                set_id: Some("blue".into()),
                failover: None,
                weight: Some(200),
                ttl: Some(60),
                values: vec!["192.0.2.10".into()],
                alias: None,
                health_check: None,
            },
            ripcord_core::inventory::RecordSet {
                name: "app.example.com".into(),
                rtype: "A".into(),
                set_id: Some("green".into()),
                failover: None,
                weight: Some(55),
                ttl: Some(60),
                values: vec!["198.51.100.10".into()],
                alias: None,
                health_check: None,
            },
        ],
    }];
    seed(&moto, &seeded);

    let mut live = backend(&moto.url);
    let regions = vec![EAST.to_string(), WEST.to_string()];
    let inventory = live.capture(&regions).expect("capture");
    inventory.validate("capture").expect("a valid inventory");
    let text = serde_json::to_string_pretty(&inventory).expect("json");
    assert_eq!(
        Inventory::parse(&text, "capture.json").expect("parses back"),
        inventory
    );
    assert!(
        inventory.unreachable.is_empty(),
        "{:?}",
        inventory.unreachable
    );
    for region in [EAST, WEST] {
        assert_eq!(
            inventory.regions[region].dynamodb_tables, seeded.regions[region].dynamodb_tables,
            "tables of {region}"
        );
    }
    // Running counts are captured as ECS reports them (the seed's default: all running).
    let expected = |region: &str| -> Vec<ripcord_core::inventory::EcsService> {
        let mut services: Vec<_> = seeded.regions[region]
            .ecs_services
            .iter()
            .cloned()
            .map(|mut s| {
                s.running_count = s.running_count.or(Some(s.desired_count));
                s
            })
            .collect();
        services.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
        services
    };
    assert_eq!(inventory.regions[EAST].ecs_services, expected(EAST));
    assert_eq!(inventory.regions[WEST].ecs_services, expected(WEST));
    let weights: Vec<(Option<&str>, Option<i64>)> = inventory.hosted_zones[0]
        .records
        .iter()
        .map(|r| (r.set_id.as_deref(), r.weight))
        .collect();
    assert_eq!(
        weights,
        vec![(Some("blue"), Some(200)), (Some("green"), Some(55))]
    );

    // A plan of a runbook reads the captured world: the wait on the unsteady service.
    let err = expect_err(live.wait(&WaitSpec {
        target: Target::EcsService {
            cluster: "dr-web".into(),
            name: "web".into(),
            region: WEST.into(),
        },
        until: WaitState::Steady,
        timeout_secs: 1,
    }));
    assert_eq!(err.code, "WaiterTimeout");

    // Two captures of the same state are the same but for the time.
    let mut again = live.capture(&regions).expect("capture again");
    again.captured_at = inventory.captured_at;
    assert_eq!(again, inventory);
}

/// A region whose ECS and DynamoDB do not answer keeps the rest of its capture, and lists
/// both services as unreachable.
#[test]
fn capture_with_ecs_and_dynamodb_down_keeps_the_rest_of_the_region() {
    let moto = Moto::start();
    seed(
        &moto,
        &world(vec![(
            WEST,
            ripcord_core::inventory::RegionInventory {
                dynamodb_tables: vec![dynamo_table("sessions", None, &[])],
                ecs_services: vec![ecs_service("dr-cluster", "web", 1, None)],
                ..Default::default()
            },
        )]),
    );
    let proxy = FaultProxy::start(
        &moto,
        0,
        r#"[{"region": "us-west-2", "service": "ecs", "fault": "status", "status": 503},
            {"region": "us-west-2", "service": "dynamodb", "fault": "status", "status": 503}]"#,
    );
    let mut live = backend_with_fallback(&proxy.endpoint(), Duration::from_secs(10));
    let inventory = live
        .capture(&[EAST.to_string(), WEST.to_string()])
        .expect("capture");
    let what: Vec<String> = inventory
        .unreachable
        .iter()
        .map(ripcord_core::inventory::Unreachable::what)
        .collect();
    assert_eq!(
        what,
        vec![
            "dynamodb in us-west-2".to_string(),
            "ecs in us-west-2".to_string()
        ]
    );
    let west = &inventory.regions[WEST];
    assert!(west.dynamodb_tables.is_empty() && west.ecs_services.is_empty());
    assert!(!west.availability_zones.is_empty(), "EC2 still answered");
    // Later reads of those services fail at once, as the dry-run predicts.
    proxy.clear_log();
    let err = live
        .query(&Query::Describe {
            target: table_target("sessions", WEST),
        })
        .expect_err("known down");
    assert_eq!(err.code, "RegionUnreachable");
    assert!(proxy.log().is_empty(), "{:?}", proxy.log());
}

/// Throttling of the new services is read from their JSON answers: ripcord's own retry of a
/// mutating UpdateService (nothing was carried out: sent again at once, not settled) and the
/// SDK's of a DescribeTable, each told to the retry observer.
#[test]
fn ecs_and_dynamodb_throttling_is_retried_and_told() {
    let moto = Moto::shared();
    let table = unique("throttled");
    let cluster = unique("throttled-cluster");
    let service = unique("api");
    seed(
        moto,
        &world(vec![
            (
                EAST,
                ripcord_core::inventory::RegionInventory {
                    dynamodb_tables: vec![dynamo_table(&table, None, &[])],
                    ..Default::default()
                },
            ),
            (
                WEST,
                ripcord_core::inventory::RegionInventory {
                    ecs_services: vec![ecs_service(&cluster, &service, 1, None)],
                    ..Default::default()
                },
            ),
        ]),
    );
    let proxy = FaultProxy::start(
        moto,
        0,
        r#"[{"service": "ecs", "operation": "UpdateService", "fault": "throttle", "first": 1},
            {"service": "dynamodb", "operation": "DescribeTable", "fault": "throttle", "first": 1}]"#,
    );
    let mut live = backend(&proxy.endpoint());
    let told: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = told.clone();
    live.set_retry_observer(Arc::new(move |retry: &ripcord_aws::Retry| {
        sink.lock().unwrap().push(retry.to_string());
    }));

    let outcome = live
        .execute(&Call::UpdateService(ops::UpdateService {
            region: WEST.into(),
            cluster: cluster.clone(),
            service: service.clone(),
            desired_count: 3,
        }))
        .expect("scaled on the second attempt");
    assert!(
        outcome.settled.is_none(),
        "nothing was in doubt: {outcome:?}"
    );
    assert_eq!(ecs_counts(moto, &cluster, &service), (3, 3));
    let found = live
        .query(&Query::Describe {
            target: table_target(&table, EAST),
        })
        .expect("described on the second attempt");
    assert!(found.is_some());

    let log = proxy.log();
    let sent = |operation: &str| {
        log.iter()
            .filter(|r| r.operation == operation)
            .map(|r| r.fault.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sent("UpdateService"),
        vec!["throttle".to_string(), String::new()]
    );
    assert_eq!(
        sent("DescribeTable"),
        vec!["throttle".to_string(), String::new()]
    );
    let told = told.lock().unwrap().clone();
    assert!(
        told.iter().any(|line| line.starts_with(&format!(
            "ecs UpdateService in {WEST}: throttled (ThrottlingException), attempt 2 of"
        ))),
        "{told:?}"
    );
    assert!(
        told.iter().any(|line| line.starts_with(&format!(
            "dynamodb DescribeTable in {EAST}: throttled (ThrottlingException), attempt 2 of"
        ))),
        "{told:?}"
    );
}

// ---------------------------------------------------------------- Aurora: re-establishing replication

/// The names of one re-establishment: the global database, its primary in us-east-1 (the
/// stale one after the failover, then the new secondary of the same name), the DR cluster in
/// us-west-2 (the promoted one) and the final snapshot of the stale primary.
struct Reestablish {
    global: String,
    primary: String,
    dr: String,
    final_snapshot: String,
}

impl Reestablish {
    fn new() -> Reestablish {
        Reestablish {
            global: unique("orders-global"),
            primary: unique("orders-east"),
            dr: unique("orders-west"),
            final_snapshot: unique("orders-east-final"),
        }
    }

    /// Seeds the global database before the failover: the writer in us-east-1, the
    /// secondary in us-west-2 (engine versions: moto's default, as seeded).
    fn seed(&self, moto: &Moto) {
        use ripcord_core::inventory::{
            DbCluster, GlobalCluster, GlobalClusterMember, RegionInventory,
        };
        let cluster = |id: &str| DbCluster {
            id: id.to_string(),
            engine: "aurora-postgresql".into(),
            status: "available".into(),
            replication_lag_secs: None,
        };
        let mut inventory = world(vec![
            (
                EAST,
                RegionInventory {
                    db_clusters: vec![cluster(&self.primary)],
                    ..Default::default()
                },
            ),
            (
                WEST,
                RegionInventory {
                    db_clusters: vec![cluster(&self.dr)],
                    ..Default::default()
                },
            ),
        ]);
        inventory.global_clusters.push(GlobalCluster {
            id: self.global.clone(),
            engine: "aurora-postgresql".into(),
            status: "available".into(),
            members: vec![
                GlobalClusterMember {
                    cluster: self.primary.clone(),
                    region: EAST.into(),
                    writer: true,
                },
                GlobalClusterMember {
                    cluster: self.dr.clone(),
                    region: WEST.into(),
                    writer: false,
                },
            ],
        });
        seed(moto, &inventory);
    }

    fn cluster(&self, name: &str, region: &str) -> Target {
        Target::DbCluster {
            name: name.to_string(),
            region: region.to_string(),
        }
    }

    fn global_target(&self) -> Target {
        Target::GlobalCluster {
            name: self.global.clone(),
        }
    }

    fn wait(&self, live: &mut LiveBackend, target: Target, until: WaitState) {
        live.wait(&WaitSpec {
            target: target.clone(),
            until,
            timeout_secs: 60,
        })
        .unwrap_or_else(|err| panic!("{target} {}: {err}", until.as_str()));
    }

    /// The failover (the DR cluster detached: promoted, standalone) and then the whole
    /// re-establishment, as a runbook sends it. Returns the outcomes of the four lifecycle
    /// calls: CreateGlobalCluster, DeleteGlobalCluster, DeleteDBCluster, CreateDBCluster.
    fn run(&self, live: &mut LiveBackend) -> BTreeMap<&'static str, Outcome> {
        let mut outcomes = BTreeMap::new();
        // The failover: the DR cluster leaves the global database and takes writes.
        live.execute(&Call::RemoveFromGlobalCluster(
            ops::RemoveFromGlobalCluster {
                region: WEST.into(),
                global_cluster: self.global.clone(),
                db_cluster: self.dr.clone(),
            },
        ))
        .expect("detach the DR cluster");

        // The stale primary out of the old global database, which then goes.
        live.execute(&Call::RemoveFromGlobalCluster(
            ops::RemoveFromGlobalCluster {
                region: EAST.into(),
                global_cluster: self.global.clone(),
                db_cluster: self.primary.clone(),
            },
        ))
        .expect("detach the stale primary");
        let outcome = live
            .execute(&Call::DeleteGlobalCluster(ops::DeleteGlobalCluster {
                region: WEST.into(),
                global_cluster_identifier: self.global.clone(),
            }))
            .expect("delete the old global database");
        outcomes.insert("DeleteGlobalCluster", outcome);
        self.wait(live, self.global_target(), WaitState::Deleted);

        // The stale primary goes, after its final snapshot: its identifier is free then.
        let outcome = live
            .execute(&Call::DeleteDbCluster(ops::DeleteDbCluster {
                region: EAST.into(),
                db_cluster: self.primary.clone(),
                final_snapshot: self.final_snapshot.clone(),
            }))
            .expect("delete the stale primary");
        outcomes.insert("DeleteDBCluster", outcome);
        self.wait(live, self.cluster(&self.primary, EAST), WaitState::Deleted);

        // A global database of the old id from the promoted cluster, and a secondary of the
        // old primary's id where it was.
        let outcome = live
            .execute(&Call::CreateGlobalCluster(ops::CreateGlobalCluster {
                region: WEST.into(),
                global_cluster_identifier: self.global.clone(),
                source_db_cluster: self.dr.clone(),
            }))
            .expect("create the global database from the DR cluster");
        assert_eq!(outcome.creates.as_deref(), Some(self.global.as_str()));
        outcomes.insert("CreateGlobalCluster", outcome);
        let outcome = live
            .execute(&Call::CreateDbCluster(ops::CreateDbCluster {
                region: EAST.into(),
                db_cluster: self.primary.clone(),
                global_cluster_identifier: self.global.clone(),
                engine: "aurora-postgresql".into(),
                engine_version: None,
            }))
            .expect("create the secondary");
        assert_eq!(outcome.creates.as_deref(), Some(self.primary.as_str()));
        outcomes.insert("CreateDBCluster", outcome);
        self.wait(
            live,
            self.cluster(&self.primary, EAST),
            WaitState::Available,
        );

        // Back to the home region.
        live.execute(&Call::SwitchoverGlobalCluster(
            ops::SwitchoverGlobalCluster {
                region: EAST.into(),
                global_cluster: self.global.clone(),
                target_db_cluster: self.primary.clone(),
            },
        ))
        .expect("switch over back");
        self.wait(live, self.global_target(), WaitState::Available);
        outcomes
    }

    /// The world the run left, read with boto3 behind the backend's back: the global database
    /// of the old id with its old members and writer, both clusters naming it, and the stale
    /// primary's final snapshot.
    fn assert_reestablished(&self, moto: &Moto) {
        let global = boto3(
            moto,
            WEST,
            "rds",
            &format!(
                "describe_global_clusters(GlobalClusterIdentifier='{}')",
                self.global
            ),
        );
        let global = &global["GlobalClusters"][0];
        assert_eq!(global["GlobalClusterIdentifier"], self.global.as_str());
        assert_eq!(global["Status"], "available");
        let mut members: Vec<(String, bool)> = global["GlobalClusterMembers"]
            .as_array()
            .expect("members")
            .iter()
            .map(|m| {
                (
                    m["DBClusterArn"].as_str().unwrap_or_default().to_string(),
                    m["IsWriter"].as_bool().unwrap_or_default(),
                )
            })
            .collect();
        members.sort();
        let arn =
            |region: &str, id: &str| format!("arn:aws:rds:{region}:123456789012:cluster:{id}");
        assert_eq!(
            members,
            vec![
                (arn(EAST, &self.primary), true),
                (arn(WEST, &self.dr), false),
            ]
        );
        for (region, id) in [(EAST, &self.primary), (WEST, &self.dr)] {
            let cluster = boto3(
                moto,
                region,
                "rds",
                &format!("describe_db_clusters(DBClusterIdentifier='{id}')"),
            );
            let cluster = &cluster["DBClusters"][0];
            assert_eq!(
                cluster["GlobalClusterIdentifier"],
                self.global.as_str(),
                "{id}"
            );
            assert_eq!(cluster["Status"], "available", "{id}");
        }
        let snapshot = boto3(
            moto,
            EAST,
            "rds",
            &format!(
                "describe_db_cluster_snapshots(DBClusterSnapshotIdentifier='{}')",
                self.final_snapshot
            ),
        );
        let snapshot = &snapshot["DBClusterSnapshots"][0];
        assert_eq!(snapshot["DBClusterIdentifier"], self.primary.as_str());
        assert_eq!(snapshot["SnapshotType"], "manual");
        assert_eq!(snapshot["Status"], "available");
    }
}

/// Re-establishing replication after a failover, call by call: the old global database and
/// the stale primary go (with a final snapshot), a new global database of the old id is made
/// from the promoted DR cluster, a secondary of the old primary's id joins it, and a
/// switchover takes the writer home. moto has no time: deletions are immediate, so each
/// `deleted` wait succeeds on its first poll.
#[test]
fn aurora_global_reestablished_after_a_failover() {
    let moto = Moto::shared();
    let names = Reestablish::new();
    names.seed(moto);
    let mut live = backend(&moto.url);
    let outcomes = names.run(&mut live);
    for (operation, outcome) in &outcomes {
        assert!(outcome.settled.is_none(), "{operation}: {outcome:?}");
    }
    // The source is sent as an ARN (the API's way to a cluster in any region).
    assert_eq!(
        outcomes["CreateGlobalCluster"].resolved,
        Some(format!(
            "arn:aws:rds:{WEST}:123456789012:cluster:{}",
            names.dr
        ))
    );
    names.assert_reestablished(moto);

    // The refusals AWS gives a runbook that gets the order wrong, with AWS's codes.
    let member = expect_err(live.execute(&Call::DeleteDbCluster(ops::DeleteDbCluster {
        region: WEST.into(),
        db_cluster: names.dr.clone(),
        final_snapshot: unique("dr-final"),
    })));
    assert_eq!(
        (member.kind, member.code.as_str()),
        (ErrorKind::Rejected, "InvalidDBClusterStateFault")
    );
    let not_empty = expect_err(live.execute(&Call::DeleteGlobalCluster(
        ops::DeleteGlobalCluster {
            region: WEST.into(),
            global_cluster_identifier: names.global.clone(),
        },
    )));
    assert_eq!(not_empty.code, "InvalidGlobalClusterStateFault");
    let taken = expect_err(
        live.execute(&Call::CreateGlobalCluster(ops::CreateGlobalCluster {
            region: WEST.into(),
            global_cluster_identifier: names.global.clone(),
            source_db_cluster: names.dr.clone(),
        })),
    );
    assert_eq!(taken.code, "GlobalClusterAlreadyExistsFault");
    let unknown = expect_err(live.execute(&Call::CreateDbCluster(ops::CreateDbCluster {
        region: WEST.into(),
        db_cluster: unique("orphan"),
        global_cluster_identifier: unique("no-such-global"),
        engine: "aurora-postgresql".into(),
        engine_version: None,
    })));
    assert_eq!(
        (unknown.kind, unknown.code.as_str()),
        (ErrorKind::NotFound, "GlobalClusterNotFoundFault")
    );
    names.assert_reestablished(moto);
}

/// The first answer of each lifecycle call is lost (moto carries it out, the client gets a
/// 503): each is settled by its effect check, read with DescribeGlobalClusters (membership)
/// or the describe that no longer finds what was deleted, and not sent again.
#[test]
fn aurora_lifecycle_lost_answers_are_settled_by_their_effects() {
    let moto = Moto::shared();
    let names = Reestablish::new();
    names.seed(moto);
    let operations = [
        "CreateGlobalCluster",
        "DeleteGlobalCluster",
        "DeleteDBCluster",
        "CreateDBCluster",
    ];
    let rules: Vec<String> = operations
        .iter()
        .map(|op| {
            format!(r#"{{"service": "rds", "operation": "{op}", "fault": "lose", "first": 1}}"#)
        })
        .collect();
    let proxy = FaultProxy::start(moto, 0, &format!("[{}]", rules.join(", ")));
    let mut live = backend(&proxy.endpoint());
    let outcomes = names.run(&mut live);

    let evidence = [
        (
            "CreateGlobalCluster",
            format!(
                "{} is a member of global cluster {}",
                names.dr, names.global
            ),
        ),
        (
            "DeleteGlobalCluster",
            format!("global cluster {} no longer exists", names.global),
        ),
        (
            "DeleteDBCluster",
            format!("DB cluster {} in {EAST} no longer exists", names.primary),
        ),
        (
            "CreateDBCluster",
            format!(
                "{} is a member of global cluster {}",
                names.primary, names.global
            ),
        ),
    ];
    for (operation, expected) in evidence {
        let outcome = &outcomes[operation];
        let settled = outcome
            .settled
            .as_ref()
            .unwrap_or_else(|| panic!("{operation} settled by its effect check: {outcome:?}"));
        assert!(settled.verified, "{operation}: {settled:?}");
        assert_eq!(settled.sent, 1, "{operation} not sent again: {settled:?}");
        assert!(
            settled.evidence.contains(&expected),
            "{operation}: {settled:?}, expected {expected:?}"
        );
        assert!(settled.lost.contains("503"), "{operation}: {settled:?}");
        let forwarded = proxy
            .log()
            .iter()
            .filter(|r| r.operation == operation && r.forwarded)
            .count();
        assert_eq!(forwarded, 1, "{operation} reached moto once");
    }
    // What the creations report comes from the call when its answer is lost.
    assert_eq!(
        outcomes["CreateGlobalCluster"].creates.as_deref(),
        Some(names.global.as_str())
    );
    names.assert_reestablished(moto);
}

/// `deleted`: polled with the usual backoff until the describe finds nothing; a resource that
/// stays times out with the usual error; only DB instances, DB clusters and global clusters
/// have it.
#[test]
fn deleted_waits_poll_until_the_resource_is_gone() {
    let fx = Fx::new(shared());
    let mut live = backend(shared());
    let doomed = unique("doomed-aurora");
    fx.aurora_cluster(WEST, &doomed, None);
    let wait = |timeout_secs| WaitSpec {
        target: Target::DbCluster {
            name: doomed.clone(),
            region: WEST.into(),
        },
        until: WaitState::Deleted,
        timeout_secs,
    };

    // Still there: the wait polls until its timeout and names the state it saw.
    let started = Instant::now();
    let before = live.requests_sent();
    let err = expect_err(live.wait(&wait(1)));
    assert_eq!(
        (err.kind, err.code.as_str()),
        (ErrorKind::Timeout, "WaiterTimeout")
    );
    assert!(
        err.message.contains("'available'") && err.message.contains("'deleted'"),
        "{err:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(live.requests_sent() - before >= 3, "polled several times");

    // Deleted by someone else after a few polls: the wait sees it gone and finishes.
    let url = shared().to_string();
    let name = doomed.clone();
    let deleter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        let fx = Fx::new(&url);
        fx.block(
            fx.rds(WEST)
                .delete_db_cluster()
                .db_cluster_identifier(&name)
                .final_db_snapshot_identifier(format!("{name}-final"))
                .send(),
        )
        .expect("delete the cluster");
    });
    let before = live.requests_sent();
    live.wait(&wait(60)).expect("gone");
    deleter.join().expect("deleter thread");
    assert!(
        live.requests_sent() - before >= 2,
        "it took more than one poll"
    );
    // Gone already: the first poll says so.
    live.wait(&wait(5)).expect("still gone");

    // A global cluster that never existed is deleted as far as a wait can tell.
    live.wait(&WaitSpec {
        target: Target::GlobalCluster {
            name: unique("no-such-global"),
        },
        until: WaitState::Deleted,
        timeout_secs: 5,
    })
    .expect("no such global cluster");
    // Nor is a DB instance (its describe's DBInstanceNotFound).
    live.wait(&WaitSpec {
        target: Target::DbInstance {
            name: unique("no-such-db"),
            region: WEST.into(),
        },
        until: WaitState::Deleted,
        timeout_secs: 5,
    })
    .expect("no such DB instance");
    // Kinds ripcord does not delete have no `deleted` wait.
    let err = expect_err(live.wait(&WaitSpec {
        target: Target::DbSnapshot {
            name: unique("any-snapshot"),
            region: WEST.into(),
        },
        until: WaitState::Deleted,
        timeout_secs: 5,
    }));
    assert_eq!(err.code, "UnsupportedWaitState");
}

// ---------------------------------------------------------------- pilot light: failback

/// The names of one pilot-light failback: the primary in us-east-1 (production-mysql, stale
/// after the ignition, then a read replica of the DR instance, then the primary again), the
/// DR instance in us-west-2 (dr-mysql-replica, promoted by the ignition, then a read replica
/// of the primary again), and their final snapshots.
struct PilotFailback {
    primary: String,
    dr: String,
    primary_final: String,
    dr_final: String,
}

/// The instance class the relit pilot light's replica is created with (the seeded ones are
/// `db.r6g.large`).
const RELIT_CLASS: &str = "db.r6g.xlarge";

impl PilotFailback {
    fn new() -> PilotFailback {
        let primary = unique("production-mysql");
        let dr = unique("dr-mysql-replica");
        PilotFailback {
            primary_final: format!("{primary}-before-failback"),
            dr_final: format!("{dr}-before-relight"),
            primary,
            dr,
        }
    }

    fn arn(region: &str, id: &str) -> String {
        format!("arn:aws:rds:{region}:123456789012:db:{id}")
    }

    /// Seeds the pilot light (runbooks/pilot-light/ignite.inventory.yaml, under this test's
    /// names): the Multi-AZ primary in us-east-1, its cross-region read replica in us-west-2.
    fn seed(&self, moto: &Moto) {
        use ripcord_core::inventory::{DbInstance, RegionInventory};
        let instance = |id: &str, zone: &str| DbInstance {
            id: id.to_string(),
            engine: "mysql".into(),
            instance_class: "db.r6g.large".into(),
            status: "available".into(),
            availability_zone: zone.into(),
            secondary_availability_zone: None,
            multi_az: false,
            read_replica_source: None,
            replica_lag_secs: None,
            cluster: None,
        };
        let inventory = world(vec![
            (
                EAST,
                RegionInventory {
                    db_instances: vec![DbInstance {
                        secondary_availability_zone: Some("us-east-1b".into()),
                        multi_az: true,
                        ..instance(&self.primary, "us-east-1a")
                    }],
                    ..Default::default()
                },
            ),
            (
                WEST,
                RegionInventory {
                    db_instances: vec![DbInstance {
                        read_replica_source: Some(Self::arn(EAST, &self.primary)),
                        replica_lag_secs: Some(4),
                        ..instance(&self.dr, "us-west-2a")
                    }],
                    ..Default::default()
                },
            ),
        ]);
        seed(moto, &inventory);
    }

    fn instance(name: &str, region: &str) -> Target {
        Target::DbInstance {
            name: name.to_string(),
            region: region.to_string(),
        }
    }

    fn wait(&self, live: &mut LiveBackend, target: Target, until: WaitState) {
        live.wait(&WaitSpec {
            target: target.clone(),
            until,
            timeout_secs: 60,
        })
        .unwrap_or_else(|err| panic!("{target} {}: {err}", until.as_str()));
    }

    /// The ignition (the DR replica promoted), then the failback as runbooks/pilot-light/
    /// failback.rhai sends it. Returns the outcomes of the four lifecycle calls, by operation
    /// and region.
    fn run(&self, live: &mut LiveBackend) -> BTreeMap<(&'static str, &'static str), Outcome> {
        let mut outcomes = BTreeMap::new();
        // The ignition: dr-mysql-replica takes writes, production-mysql is left stale.
        live.execute(&Call::PromoteReadReplica(ops::PromoteReadReplica {
            region: WEST.into(),
            db_instance: self.dr.clone(),
        }))
        .expect("ignite: promote the DR replica");
        self.wait(live, Self::instance(&self.dr, WEST), WaitState::Available);

        // Replication back to us-east-1: the stale primary goes after its final snapshot,
        // and comes back as a Multi-AZ read replica of the DR instance.
        let outcome = live
            .execute(&Call::DeleteDbInstance(ops::DeleteDbInstance {
                region: EAST.into(),
                db_instance: self.primary.clone(),
                final_snapshot: Some(self.primary_final.clone()),
            }))
            .expect("delete the stale primary");
        outcomes.insert(("DeleteDBInstance", EAST), outcome);
        self.wait(
            live,
            Self::instance(&self.primary, EAST),
            WaitState::Deleted,
        );
        let outcome = live
            .execute(&Call::CreateDbInstanceReadReplica(
                ops::CreateDbInstanceReadReplica {
                    region: EAST.into(),
                    db_instance: self.primary.clone(),
                    source_db_instance: self.dr.clone(),
                    source_region: WEST.into(),
                    multi_az: true,
                    instance_class: None,
                },
            ))
            .expect("create the primary as a replica of the DR instance");
        assert_eq!(outcome.creates.as_deref(), Some(self.primary.as_str()));
        outcomes.insert(("CreateDBInstanceReadReplica", EAST), outcome);
        self.wait(
            live,
            Self::instance(&self.primary, EAST),
            WaitState::Available,
        );

        // us-east-1 takes over again.
        live.execute(&Call::PromoteReadReplica(ops::PromoteReadReplica {
            region: EAST.into(),
            db_instance: self.primary.clone(),
        }))
        .expect("promote the primary");
        self.wait(
            live,
            Self::instance(&self.primary, EAST),
            WaitState::Available,
        );

        // The pilot light relit: the DR instance goes after its final snapshot, and comes
        // back as a read replica of the primary.
        let outcome = live
            .execute(&Call::DeleteDbInstance(ops::DeleteDbInstance {
                region: WEST.into(),
                db_instance: self.dr.clone(),
                final_snapshot: Some(self.dr_final.clone()),
            }))
            .expect("delete the DR instance");
        outcomes.insert(("DeleteDBInstance", WEST), outcome);
        self.wait(live, Self::instance(&self.dr, WEST), WaitState::Deleted);
        let outcome = live
            .execute(&Call::CreateDbInstanceReadReplica(
                ops::CreateDbInstanceReadReplica {
                    region: WEST.into(),
                    db_instance: self.dr.clone(),
                    source_db_instance: self.primary.clone(),
                    source_region: EAST.into(),
                    multi_az: false,
                    instance_class: Some(RELIT_CLASS.into()),
                },
            ))
            .expect("create the DR instance as a replica of the primary");
        assert_eq!(outcome.creates.as_deref(), Some(self.dr.as_str()));
        outcomes.insert(("CreateDBInstanceReadReplica", WEST), outcome);
        self.wait(live, Self::instance(&self.dr, WEST), WaitState::Available);
        outcomes
    }

    /// The world the run left, read with boto3 behind the backend's back: the primary
    /// standalone and Multi-AZ, listing the DR instance (by ARN) as its replica; the DR
    /// instance its Single-AZ replica of the class asked for; both final snapshots.
    fn assert_failed_back(&self, moto: &Moto) {
        let describe = |region: &str, id: &str| {
            let found = boto3(
                moto,
                region,
                "rds",
                &format!("describe_db_instances(DBInstanceIdentifier='{id}')"),
            );
            found["DBInstances"][0].clone()
        };
        let primary = describe(EAST, &self.primary);
        assert_eq!(primary["DBInstanceStatus"], "available", "{primary}");
        assert!(
            primary["ReadReplicaSourceDBInstanceIdentifier"].is_null(),
            "the primary is standalone: {primary}"
        );
        assert_eq!(primary["MultiAZ"], true, "{primary}");
        assert_eq!(
            primary["ReadReplicaDBInstanceIdentifiers"],
            serde_json::json!([Self::arn(WEST, &self.dr)]),
            "{primary}"
        );
        let dr = describe(WEST, &self.dr);
        assert_eq!(dr["DBInstanceStatus"], "available", "{dr}");
        assert_eq!(
            dr["ReadReplicaSourceDBInstanceIdentifier"],
            Self::arn(EAST, &self.primary).as_str(),
            "{dr}"
        );
        assert_eq!(dr["MultiAZ"], false, "{dr}");
        assert_eq!(dr["DBInstanceClass"], RELIT_CLASS, "{dr}");
        assert!(
            dr["AvailabilityZone"]
                .as_str()
                .is_some_and(|az| az.starts_with(WEST)),
            "{dr}"
        );
        for (region, id, snapshot) in [
            (EAST, &self.primary, &self.primary_final),
            (WEST, &self.dr, &self.dr_final),
        ] {
            let found = boto3(
                moto,
                region,
                "rds",
                &format!("describe_db_snapshots(DBSnapshotIdentifier='{snapshot}')"),
            );
            let found = &found["DBSnapshots"][0];
            assert_eq!(found["DBInstanceIdentifier"], id.as_str(), "{found}");
            assert_eq!(found["SnapshotType"], "manual", "{found}");
            assert_eq!(found["Status"], "available", "{found}");
        }
    }
}

/// The pilot light's failback after an ignition, call by call: the stale primary deleted with
/// a final snapshot and created again as a Multi-AZ read replica of the promoted DR instance,
/// promoted, and the DR instance deleted with a final snapshot and created again as a read
/// replica of the primary. moto has no time: deletions are immediate, so each `deleted` wait
/// succeeds on its first poll.
#[test]
fn pilot_light_failback_reestablishes_replication_both_ways() {
    let moto = Moto::shared();
    let names = PilotFailback::new();
    names.seed(moto);
    let mut live = backend(&moto.url);
    let outcomes = names.run(&mut live);
    for (step, outcome) in &outcomes {
        assert!(outcome.settled.is_none(), "{step:?}: {outcome:?}");
    }
    // A source in another region is sent as its ARN.
    assert_eq!(
        outcomes[&("CreateDBInstanceReadReplica", EAST)].resolved,
        Some(PilotFailback::arn(WEST, &names.dr))
    );
    assert_eq!(
        outcomes[&("CreateDBInstanceReadReplica", WEST)].resolved,
        Some(PilotFailback::arn(EAST, &names.primary))
    );
    names.assert_failed_back(moto);

    // The refusals AWS gives a runbook that gets the order wrong, with AWS's codes.
    let taken = expect_err(live.execute(&Call::CreateDbInstanceReadReplica(
        ops::CreateDbInstanceReadReplica {
            region: WEST.into(),
            db_instance: names.dr.clone(),
            source_db_instance: names.primary.clone(),
            source_region: EAST.into(),
            multi_az: true,
            instance_class: None,
        },
    )));
    assert_eq!(
        (taken.kind, taken.code.as_str()),
        (ErrorKind::Rejected, "DBInstanceAlreadyExists")
    );
    let replica = expect_err(live.execute(&Call::DeleteDbInstance(ops::DeleteDbInstance {
        region: WEST.into(),
        db_instance: names.dr.clone(),
        final_snapshot: Some(unique("replica-final")),
    })));
    assert_eq!(
        (replica.kind, replica.code.as_str()),
        (ErrorKind::Rejected, "InvalidParameterCombination")
    );
    let snapshot_taken = expect_err(live.execute(&Call::DeleteDbInstance(ops::DeleteDbInstance {
        region: EAST.into(),
        db_instance: names.primary.clone(),
        final_snapshot: Some(names.primary_final.clone()),
    })));
    assert_eq!(snapshot_taken.code, "DBSnapshotAlreadyExists");
    let unknown = expect_err(live.execute(&Call::CreateDbInstanceReadReplica(
        ops::CreateDbInstanceReadReplica {
            region: WEST.into(),
            db_instance: unique("orphan"),
            source_db_instance: unique("no-such-db"),
            source_region: EAST.into(),
            multi_az: false,
            instance_class: None,
        },
    )));
    assert_eq!(
        (unknown.kind, unknown.code.as_str()),
        (ErrorKind::NotFound, "DBInstanceNotFound")
    );
    assert_clean_message(&unknown);
    names.assert_failed_back(moto);
}

/// The first answer of each DeleteDBInstance and CreateDBInstanceReadReplica (in each region)
/// is lost (moto carries it out, the client gets a 503): each is settled by its effect check,
/// DescribeDBInstances in the call's region (gone, or there), and not sent again.
#[test]
fn pilot_light_failback_lost_answers_are_settled_by_their_effects() {
    let moto = Moto::shared();
    let names = PilotFailback::new();
    names.seed(moto);
    let rules: Vec<String> = ["DeleteDBInstance", "CreateDBInstanceReadReplica"]
        .iter()
        .map(|op| {
            format!(r#"{{"service": "rds", "operation": "{op}", "fault": "lose", "first": 1}}"#)
        })
        .collect();
    let proxy = FaultProxy::start(moto, 0, &format!("[{}]", rules.join(", ")));
    let mut live = backend(&proxy.endpoint());
    let outcomes = names.run(&mut live);

    let evidence = [
        (
            ("DeleteDBInstance", EAST),
            format!("DB instance {} in {EAST} no longer exists", names.primary),
        ),
        (
            ("CreateDBInstanceReadReplica", EAST),
            format!("DB instance {} in {EAST} exists", names.primary),
        ),
        (
            ("DeleteDBInstance", WEST),
            format!("DB instance {} in {WEST} no longer exists", names.dr),
        ),
        (
            ("CreateDBInstanceReadReplica", WEST),
            format!("DB instance {} in {WEST} exists", names.dr),
        ),
    ];
    let log = proxy.log();
    for (step, expected) in evidence {
        let outcome = &outcomes[&step];
        let settled = outcome
            .settled
            .as_ref()
            .unwrap_or_else(|| panic!("{step:?} settled by its effect check: {outcome:?}"));
        assert!(settled.verified, "{step:?}: {settled:?}");
        assert_eq!(settled.sent, 1, "{step:?} not sent again: {settled:?}");
        assert!(
            settled.evidence.contains(&expected),
            "{step:?}: {settled:?}, expected {expected:?}"
        );
        assert!(settled.lost.contains("503"), "{step:?}: {settled:?}");
        let (operation, region) = step;
        let forwarded = log
            .iter()
            .filter(|r| r.operation == operation && r.region == region && r.forwarded)
            .count();
        assert_eq!(forwarded, 1, "{step:?} reached moto once");
    }
    // What the creations report comes from the call when its answer is lost.
    assert_eq!(
        outcomes[&("CreateDBInstanceReadReplica", WEST)]
            .creates
            .as_deref(),
        Some(names.dr.as_str())
    );
    names.assert_failed_back(moto);
}

/// Names for an instance of a new secondary cluster: a global database whose writer is
/// seeded in us-east-1, a secondary made in us-west-2, an instance made in it.
struct AuroraInstance {
    global: String,
    primary: String,
    secondary: String,
    instance: String,
}

impl AuroraInstance {
    fn new() -> AuroraInstance {
        AuroraInstance {
            global: unique("books-global"),
            primary: unique("books-east"),
            secondary: unique("books-west"),
            instance: unique("books-west-1"),
        }
    }

    /// Seeds the global database with its writer only.
    fn seed(&self, moto: &Moto) {
        use ripcord_core::inventory::{
            DbCluster, GlobalCluster, GlobalClusterMember, RegionInventory,
        };
        let mut inventory = world(vec![(
            EAST,
            RegionInventory {
                db_clusters: vec![DbCluster {
                    id: self.primary.clone(),
                    engine: "aurora-postgresql".into(),
                    status: "available".into(),
                    replication_lag_secs: None,
                }],
                ..Default::default()
            },
        )]);
        inventory.global_clusters.push(GlobalCluster {
            id: self.global.clone(),
            engine: "aurora-postgresql".into(),
            status: "available".into(),
            members: vec![GlobalClusterMember {
                cluster: self.primary.clone(),
                region: EAST.into(),
                writer: true,
            }],
        });
        seed(moto, &inventory);
    }

    fn create_instance(&self) -> ops::CreateDbInstance {
        ops::CreateDbInstance {
            region: WEST.into(),
            db_instance: self.instance.clone(),
            db_cluster: self.secondary.clone(),
            engine: "aurora-postgresql".into(),
            instance_class: "db.r6g.large".into(),
        }
    }

    /// The secondary cluster, then its instance, each waited available. Returns the
    /// outcome of CreateDBInstance.
    fn run(&self, live: &mut LiveBackend) -> Outcome {
        live.execute(&Call::CreateDbCluster(ops::CreateDbCluster {
            region: WEST.into(),
            db_cluster: self.secondary.clone(),
            global_cluster_identifier: self.global.clone(),
            engine: "aurora-postgresql".into(),
            engine_version: None,
        }))
        .expect("create the secondary");
        self.wait(
            live,
            Target::DbCluster {
                name: self.secondary.clone(),
                region: WEST.into(),
            },
        );
        let outcome = live
            .execute(&Call::CreateDbInstance(self.create_instance()))
            .expect("create the instance");
        assert_eq!(outcome.creates.as_deref(), Some(self.instance.as_str()));
        self.wait(
            live,
            Target::DbInstance {
                name: self.instance.clone(),
                region: WEST.into(),
            },
        );
        outcome
    }

    fn wait(&self, live: &mut LiveBackend, target: Target) {
        live.wait(&WaitSpec {
            target: target.clone(),
            until: WaitState::Available,
            timeout_secs: 60,
        })
        .unwrap_or_else(|err| panic!("{target} available: {err}"));
    }

    /// The world the run left, read with boto3 behind the backend's back: the instance of
    /// the secondary, available, and the only member of its cluster.
    fn assert_made(&self, moto: &Moto) {
        let db = boto3(
            moto,
            WEST,
            "rds",
            &format!(
                "describe_db_instances(DBInstanceIdentifier='{}')",
                self.instance
            ),
        );
        let db = &db["DBInstances"][0];
        assert_eq!(db["DBClusterIdentifier"], self.secondary.as_str());
        assert_eq!(db["Engine"], "aurora-postgresql");
        assert_eq!(db["DBInstanceClass"], "db.r6g.large");
        assert_eq!(db["DBInstanceStatus"], "available");
        let cluster = boto3(
            moto,
            WEST,
            "rds",
            &format!(
                "describe_db_clusters(DBClusterIdentifier='{}')",
                self.secondary
            ),
        );
        let cluster = &cluster["DBClusters"][0];
        assert_eq!(cluster["GlobalClusterIdentifier"], self.global.as_str());
        let members: Vec<&str> = cluster["DBClusterMembers"]
            .as_array()
            .expect("members")
            .iter()
            .map(|m| m["DBInstanceIdentifier"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(members, vec![self.instance.as_str()]);
    }
}

/// A secondary cluster of a global database, then an instance of it (CreateDBInstance with
/// DBClusterIdentifier: no storage, no credentials), each waited available; then the
/// refusals AWS gives: the identifier taken, the cluster unknown.
#[test]
fn aurora_instance_made_in_a_new_secondary_cluster() {
    let moto = Moto::shared();
    let names = AuroraInstance::new();
    names.seed(moto);
    let mut live = backend(&moto.url);
    let outcome = names.run(&mut live);
    assert!(outcome.settled.is_none(), "{outcome:?}");
    names.assert_made(moto);

    let taken = expect_err(live.execute(&Call::CreateDbInstance(names.create_instance())));
    assert_eq!(
        (taken.kind, taken.code.as_str()),
        (ErrorKind::Rejected, "DBInstanceAlreadyExists")
    );
    let unknown = expect_err(live.execute(&Call::CreateDbInstance(ops::CreateDbInstance {
        db_instance: unique("orphan"),
        db_cluster: unique("no-such-cluster"),
        ..names.create_instance()
    })));
    assert_eq!(
        (unknown.kind, unknown.code.as_str()),
        (ErrorKind::NotFound, "DBClusterNotFoundFault")
    );
    assert_clean_message(&unknown);
    names.assert_made(moto);
}

/// The first answer of CreateDBInstance is lost (moto carries it out, the client gets a
/// 503): it is settled by its effect check, DescribeDBInstances in the call's region, and
/// not sent again.
#[test]
fn aurora_instance_lost_answer_is_settled_by_its_effect() {
    let moto = Moto::shared();
    let names = AuroraInstance::new();
    names.seed(moto);
    let proxy = FaultProxy::start(
        moto,
        0,
        r#"[{"service": "rds", "operation": "CreateDBInstance", "fault": "lose", "first": 1}]"#,
    );
    let mut live = backend(&proxy.endpoint());
    let outcome = names.run(&mut live);
    let settled = outcome
        .settled
        .as_ref()
        .unwrap_or_else(|| panic!("settled by its effect check: {outcome:?}"));
    assert!(settled.verified, "{settled:?}");
    assert_eq!(settled.sent, 1, "not sent again: {settled:?}");
    let expected = format!("DB instance {} in {WEST} exists", names.instance);
    assert!(
        settled.evidence.contains(&expected),
        "{settled:?}, expected {expected:?}"
    );
    assert!(settled.lost.contains("503"), "{settled:?}");
    let forwarded = proxy
        .log()
        .iter()
        .filter(|r| r.operation == "CreateDBInstance" && r.forwarded)
        .count();
    assert_eq!(forwarded, 1, "CreateDBInstance reached moto once");
    // What the creation reports comes from the call when its answer is lost.
    assert_eq!(outcome.creates.as_deref(), Some(names.instance.as_str()));
    names.assert_made(moto);
}
