//! AWS's API request quotas: the token bucket each request ripcord sends draws from.
//!
//! A fact both backends must agree on: the live backend paces its requests by these buckets
//! (`ripcord-aws/src/pace.rs`), and the simulation's estimate of a parallel group counts its
//! calls against the same buckets (`ripcord-sim/src/clock.rs`), so a plan of 1,000 Route 53
//! changes says what AWS will really take. Quotas can be raised per account: [`Quotas`] is
//! the table with an operator's overrides (`--quotas FILE`, `docs/live.md`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// Whose requests share a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every request of the account, wherever it is sent (Route 53's API).
    Account,
    /// Every request of the account in one region (EC2, Auto Scaling, RDS, SNS, ...).
    Region,
}

/// Where a bucket's figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// AWS documents the figures on this page.
    Documented(&'static str),
    /// AWS documents no number: why ripcord uses this (conservative) one.
    Undocumented(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Documented(url) => f.write_str(url),
            Source::Undocumented(why) => write!(f, "not documented: {why}"),
        }
    }
}

/// One token bucket of AWS's: `burst` requests at once when it is full, then `rate` a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Its name in `--quotas` files, plan notes and progress lines (`route53`, `ec2-mutating`).
    pub name: &'static str,
    /// The AWS service, as in IAM action prefixes.
    pub service: &'static str,
    pub scope: Scope,
    /// Each operation has a bucket of this size of its own (EC2 evaluates each API
    /// separately), instead of all operations of the row sharing one.
    pub per_operation: bool,
    pub rate: Rate,
    pub source: Source,
}

/// A bucket's size: refill per second and capacity.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Tokens added per second (requests a second, sustained).
    pub rate: f64,
    /// Tokens the bucket holds (requests at once, from a full bucket).
    pub burst: u32,
}

impl Rate {
    /// The burst ripcord itself uses: one token short of AWS's (at least 1). Paced at
    /// exactly AWS's rate, a request that arrives a little early (network jitter) would find
    /// AWS's bucket empty; one token kept in reserve absorbs that.
    pub fn client_burst(&self) -> u32 {
        self.burst.saturating_sub(1).max(1)
    }

    /// The time, in seconds from the first, at which the last of `requests` sent all at once
    /// may leave ripcord's bucket when it is full: nothing until its burst
    /// ([`Rate::client_burst`]) is used up, then one every `1 / rate` seconds.
    pub fn paced_secs(&self, requests: u64) -> f64 {
        let waiting = requests.saturating_sub(u64::from(self.client_burst()));
        // Precision loss only above 2^53 requests.
        waiting as f64 / self.rate
    }
}

const R53_LIMITS: &str =
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests";
const EC2_THROTTLING: &str =
    "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html";
const RDS_THROTTLING: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html";
const CLOUDWATCH_QUOTAS: &str =
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html";
const ECS_THROTTLING: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/request-throttling.html";
const STS_QUOTAS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";

/// Every bucket ripcord knows, one row each.
pub const BUCKETS: &[Bucket] = &[
    Bucket {
        name: "route53",
        service: "route53",
        scope: Scope::Account,
        per_operation: false,
        // AWS's newer throttling page (throttling-api-requests.html) gives accounts 10 a
        // second with a burst of 50 plus a per-change bucket; 5 a second is the long-standing
        // documented figure and the safe one until an account knows its own.
        rate: Rate { rate: 5.0, burst: 5 },
        source: Source::Documented(R53_LIMITS),
    },
    Bucket {
        name: "ec2-mutating",
        service: "ec2",
        scope: Scope::Region,
        per_operation: true,
        rate: Rate { rate: 5.0, burst: 200 },
        source: Source::Documented(EC2_THROTTLING),
    },
    Bucket {
        name: "ec2-describe",
        service: "ec2",
        scope: Scope::Region,
        per_operation: true,
        rate: Rate { rate: 20.0, burst: 100 },
        source: Source::Documented(EC2_THROTTLING),
    },
    Bucket {
        name: "autoscaling",
        service: "autoscaling",
        scope: Scope::Region,
        per_operation: false,
        // AWS documents one shared bucket for all EC2 Auto Scaling requests of an account
        // and region (knowledge center "autoscaling-api-calls-throttled"), not its size.
        rate: Rate { rate: 10.0, burst: 10 },
        source: Source::Undocumented(
            "one bucket per account and region for every Auto Scaling request; 10 a second is a conservative figure",
        ),
    },
    Bucket {
        name: "rds",
        service: "rds",
        scope: Scope::Region,
        per_operation: false,
        rate: Rate { rate: 12.0, burst: 300 },
        source: Source::Documented(RDS_THROTTLING),
    },
    Bucket {
        name: "ecs-read",
        service: "ecs",
        scope: Scope::Region,
        per_operation: false,
        // The throttling page's example: cluster read actions have a bucket of 50; its
        // table gives them a refill of 20 a second.
        rate: Rate { rate: 20.0, burst: 50 },
        source: Source::Documented(ECS_THROTTLING),
    },
    Bucket {
        name: "ecs-service",
        service: "ecs",
        scope: Scope::Region,
        per_operation: false,
        rate: Rate { rate: 5.0, burst: 10 },
        source: Source::Undocumented(
            "UpdateService's bucket is not given in words ripcord could check; 5 a second, burst 10, is below the throttling page's service actions",
        ),
    },
    Bucket {
        name: "dynamodb-control",
        service: "dynamodb",
        scope: Scope::Region,
        per_operation: false,
        // DynamoDB documents concurrency limits for table operations (500 at once) and no
        // request rate for its control plane.
        rate: Rate { rate: 10.0, burst: 10 },
        source: Source::Undocumented(
            "DynamoDB gives no request rate for UpdateTable, DescribeTable or ListTables (ServiceQuotas.html lists concurrency only); 10 a second is conservative",
        ),
    },
    Bucket {
        name: "sns-publish",
        service: "sns",
        scope: Scope::Region,
        per_operation: false,
        // Publish quotas differ by region (tens of thousands a second in the largest,
        // hundreds in the smallest: https://docs.aws.amazon.com/general/latest/gr/sns.html).
        rate: Rate { rate: 300.0, burst: 300 },
        source: Source::Undocumented(
            "Publish's quota differs by region (general/latest/gr/sns.html); 300 a second is below the smallest",
        ),
    },
    Bucket {
        name: "sns-read",
        service: "sns",
        scope: Scope::Region,
        per_operation: false,
        rate: Rate { rate: 30.0, burst: 30 },
        source: Source::Undocumented(
            "ListTopics and GetTopicAttributes: 30 a second, the smallest SNS API quota",
        ),
    },
    Bucket {
        name: "s3-bucket-config",
        service: "s3",
        scope: Scope::Region,
        per_operation: false,
        rate: Rate { rate: 50.0, burst: 50 },
        source: Source::Undocumented(
            "S3 documents request rates per object prefix, none for bucket configuration; 50 a second is conservative",
        ),
    },
    Bucket {
        name: "cloudwatch",
        service: "cloudwatch",
        scope: Scope::Region,
        per_operation: false,
        // GetMetricStatistics: 400 transactions a second.
        rate: Rate { rate: 400.0, burst: 400 },
        source: Source::Documented(CLOUDWATCH_QUOTAS),
    },
    Bucket {
        name: "sts",
        service: "sts",
        scope: Scope::Region,
        per_operation: false,
        // 600 requests a second per account and region for STS.
        rate: Rate { rate: 600.0, burst: 600 },
        source: Source::Documented(STS_QUOTAS),
    },
];

/// Every operation ripcord sends, by API name (not IAM action), and the bucket it draws
/// from: the mutating calls (`crate::Call::DESCRIPTORS`), the reads of waits, checks,
/// queries, lookups and effect checks (`crate::iam::kind_reads`), the capture's
/// (`crate::iam::CAPTURE_READS`) and the account guard's.
pub const OPERATIONS: &[(&str, &str, &str)] = &[
    ("ec2", "CreateSnapshot", "ec2-mutating"),
    ("ec2", "CopySnapshot", "ec2-mutating"),
    ("ec2", "CreateVolume", "ec2-mutating"),
    ("ec2", "DescribeAvailabilityZones", "ec2-describe"),
    ("ec2", "DescribeVolumes", "ec2-describe"),
    ("ec2", "DescribeSnapshots", "ec2-describe"),
    ("rds", "CreateDBSnapshot", "rds"),
    ("rds", "CreateDBClusterSnapshot", "rds"),
    ("rds", "CopyDBSnapshot", "rds"),
    ("rds", "CopyDBClusterSnapshot", "rds"),
    ("rds", "RestoreDBInstanceFromDBSnapshot", "rds"),
    ("rds", "PromoteReadReplica", "rds"),
    ("rds", "RemoveFromGlobalCluster", "rds"),
    ("rds", "FailoverGlobalCluster", "rds"),
    ("rds", "SwitchoverGlobalCluster", "rds"),
    ("rds", "CreateGlobalCluster", "rds"),
    ("rds", "DeleteGlobalCluster", "rds"),
    ("rds", "DeleteDBCluster", "rds"),
    ("rds", "CreateDBCluster", "rds"),
    ("rds", "CreateDBInstance", "rds"),
    ("rds", "DeleteDBInstance", "rds"),
    ("rds", "CreateDBInstanceReadReplica", "rds"),
    ("rds", "RebootDBInstance", "rds"),
    ("rds", "DescribeDBInstances", "rds"),
    ("rds", "DescribeDBClusters", "rds"),
    ("rds", "DescribeDBSnapshots", "rds"),
    ("rds", "DescribeDBClusterSnapshots", "rds"),
    ("rds", "DescribeGlobalClusters", "rds"),
    ("autoscaling", "UpdateAutoScalingGroup", "autoscaling"),
    ("autoscaling", "DescribeAutoScalingGroups", "autoscaling"),
    ("ecs", "UpdateService", "ecs-service"),
    ("ecs", "DescribeServices", "ecs-read"),
    ("ecs", "ListServices", "ecs-read"),
    ("ecs", "ListClusters", "ecs-read"),
    ("dynamodb", "UpdateTable", "dynamodb-control"),
    ("dynamodb", "DescribeTable", "dynamodb-control"),
    ("dynamodb", "ListTables", "dynamodb-control"),
    ("route53", "ChangeResourceRecordSets", "route53"),
    ("route53", "UpdateHealthCheck", "route53"),
    ("route53", "GetChange", "route53"),
    ("route53", "GetHostedZone", "route53"),
    ("route53", "ListHostedZones", "route53"),
    ("route53", "ListHostedZonesByName", "route53"),
    ("route53", "ListResourceRecordSets", "route53"),
    ("route53", "ListHealthChecks", "route53"),
    ("route53", "ListTagsForResources", "route53"),
    ("s3", "PutBucketReplication", "s3-bucket-config"),
    ("s3", "ListBuckets", "s3-bucket-config"),
    ("s3", "GetBucketLocation", "s3-bucket-config"),
    ("s3", "GetBucketVersioning", "s3-bucket-config"),
    ("s3", "GetBucketReplication", "s3-bucket-config"),
    ("sns", "Publish", "sns-publish"),
    ("sns", "ListTopics", "sns-read"),
    ("sns", "GetTopicAttributes", "sns-read"),
    ("cloudwatch", "GetMetricStatistics", "cloudwatch"),
    ("sts", "GetCallerIdentity", "sts"),
];

/// The bucket row named `name`.
pub fn bucket_named(name: &str) -> Option<&'static Bucket> {
    BUCKETS.iter().find(|b| b.name == name)
}

/// The bucket `operation` of `service` draws from, if ripcord sends it.
pub fn bucket_of(service: &str, operation: &str) -> Option<&'static Bucket> {
    OPERATIONS
        .iter()
        .find(|(s, o, _)| *s == service && *o == operation)
        .and_then(|(_, _, bucket)| bucket_named(bucket))
}

/// The API name of an IAM action where the two differ (S3's), for the table's coverage test
/// and for readers of `crate::iam`.
pub fn api_name(service: &str, action: &str) -> &'static str {
    match (service, action) {
        ("s3", "ListAllMyBuckets") => "ListBuckets",
        ("s3", "GetReplicationConfiguration") => "GetBucketReplication",
        ("s3", "PutReplicationConfiguration") => "PutBucketReplication",
        _ => "",
    }
}

/// One bucket as requests meet it: its row, and the region and operation that make it
/// distinct (`None` where the row's scope does not split by them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BucketKey {
    pub bucket: &'static str,
    pub region: Option<String>,
    pub operation: Option<&'static str>,
}

impl BucketKey {
    /// The bucket a request of `operation` sent to `region` (`None`: a global endpoint)
    /// draws from; `None` for an operation the table does not name.
    pub fn of(service: &str, operation: &str, region: Option<&str>) -> Option<BucketKey> {
        let (_, op, name) = OPERATIONS
            .iter()
            .find(|(s, o, _)| *s == service && *o == operation)?;
        let bucket = bucket_named(name)?;
        Some(BucketKey {
            bucket: bucket.name,
            region: match bucket.scope {
                Scope::Account => None,
                Scope::Region => region.map(str::to_string),
            },
            operation: bucket.per_operation.then_some(*op),
        })
    }
}

impl fmt::Display for BucketKey {
    /// `route53`, `autoscaling in us-west-2`, `ec2-mutating CreateSnapshot in us-east-1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bucket)?;
        if let Some(op) = self.operation {
            write!(f, " {op}")?;
        }
        if let Some(region) = &self.region {
            write!(f, " in {region}")?;
        }
        Ok(())
    }
}

/// The table's rates with an account's overrides: what both backends pace by.
#[derive(Debug, Clone, PartialEq)]
pub struct Quotas {
    rates: BTreeMap<&'static str, Rate>,
    /// Buckets the operator set (`--quotas`), for the plan's note.
    overridden: Vec<&'static str>,
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas {
            rates: BUCKETS.iter().map(|b| (b.name, b.rate)).collect(),
            overridden: Vec::new(),
        }
    }
}

/// A `--quotas` file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QuotaError(pub String);

impl Quotas {
    /// The table's figures overridden by a YAML (or JSON) map of bucket names to
    /// `{rate, burst}`: `route53: {rate: 10, burst: 50}`. An unknown bucket name, an unknown
    /// field or a rate that is not positive is an error naming it.
    pub fn from_yaml(text: &str) -> Result<Quotas, QuotaError> {
        let given: BTreeMap<String, Rate> =
            serde_yaml::from_str(text).map_err(|err| QuotaError(err.to_string()))?;
        let mut quotas = Quotas::default();
        for (name, rate) in given {
            let Some(bucket) = bucket_named(&name) else {
                let known: Vec<&str> = BUCKETS.iter().map(|b| b.name).collect();
                return Err(QuotaError(format!(
                    "`{name}` is not a bucket ripcord knows (known: {})",
                    known.join(", ")
                )));
            };
            if !(rate.rate.is_finite() && rate.rate > 0.0) || rate.burst == 0 {
                return Err(QuotaError(format!(
                    "`{name}`: rate must be above 0 and burst at least 1 (got rate {}, burst {})",
                    rate.rate, rate.burst
                )));
            }
            quotas.rates.insert(bucket.name, rate);
            quotas.overridden.push(bucket.name);
        }
        Ok(quotas)
    }

    /// The rate of the bucket named `name` (the table's unless overridden).
    pub fn rate(&self, name: &str) -> Option<Rate> {
        self.rates.get(name).copied()
    }

    /// Whether the operator set this bucket's rate.
    pub fn is_overridden(&self, name: &str) -> bool {
        self.overridden.contains(&name)
    }

    /// The plan's note on a parallel group whose calls of `key` (`requests` of them) take
    /// longer than its longest branch: `paced by route53: 5 requests/s, burst 5 (AWS's
    /// quota); 1000 requests take at least 3m 20s`.
    pub fn pacing_note(&self, key: &BucketKey, requests: u64) -> Option<String> {
        let rate = self.rate(key.bucket)?;
        let origin = if self.is_overridden(key.bucket) {
            "--quotas"
        } else {
            "AWS's quota"
        };
        Some(format!(
            "paced by {key}: {} requests/s, burst {} ({origin}); {requests} requests take at least {}",
            trim(rate.rate),
            rate.burst,
            crate::duration::format_duration(rate.paced_secs(requests).ceil() as u64),
        ))
    }
}

/// `5` rather than `5.0`, `0.5` as it is.
fn trim(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::{kind_reads, CAPTURE_READS};
    use crate::{Call, ResourceKind};

    fn has_row(service: &str, action: &str) -> bool {
        let api = match api_name(service, action) {
            "" => action,
            api => api,
        };
        bucket_of(service, api).is_some()
    }

    /// Every operation ripcord can send has a row: each call, each read of a kind (waits,
    /// checks, queries, lookups, effect checks), the capture's reads and the account guard.
    #[test]
    fn every_operation_ripcord_sends_has_a_bucket() {
        for d in Call::DESCRIPTORS {
            assert!(has_row(d.service, d.name), "{} {}", d.service, d.name);
        }
        for kind in ResourceKind::ALL {
            for action in kind_reads(kind) {
                assert!(has_row(action.service, action.name), "{action} ({kind:?})");
            }
        }
        for action in CAPTURE_READS {
            assert!(has_row(action.service, action.name), "{action} (capture)");
        }
        assert!(has_row("sts", "GetCallerIdentity"));
    }

    #[test]
    fn rows_name_known_buckets_of_their_own_service_once() {
        for (service, op, bucket) in OPERATIONS {
            let row = bucket_named(bucket).unwrap_or_else(|| panic!("{bucket} has no row"));
            assert_eq!(row.service, *service, "{op}");
            let same = OPERATIONS
                .iter()
                .filter(|(s, o, _)| s == service && o == op)
                .count();
            assert_eq!(same, 1, "{service} {op} twice");
        }
        for bucket in BUCKETS {
            assert!(
                bucket.rate.rate > 0.0 && bucket.rate.burst > 0,
                "{}",
                bucket.name
            );
            if let Source::Documented(url) = bucket.source {
                assert!(url.starts_with("https://docs.aws.amazon.com/"), "{url}");
            }
        }
    }

    #[test]
    fn route53_is_one_bucket_for_the_account() {
        let change = BucketKey::of("route53", "ChangeResourceRecordSets", None);
        let list = BucketKey::of("route53", "ListHealthChecks", Some("us-west-2"));
        assert_eq!(change, list);
        assert_eq!(change.map(|k| k.to_string()).as_deref(), Some("route53"));
        let rate = Quotas::default().rate("route53");
        assert_eq!(
            rate,
            Some(Rate {
                rate: 5.0,
                burst: 5
            })
        );
    }

    #[test]
    fn ec2_buckets_are_per_operation_and_region() {
        let snap = BucketKey::of("ec2", "CreateSnapshot", Some("us-east-1"));
        let vol = BucketKey::of("ec2", "CreateVolume", Some("us-east-1"));
        assert_ne!(snap, vol);
        assert_eq!(
            snap.map(|k| k.to_string()).as_deref(),
            Some("ec2-mutating CreateSnapshot in us-east-1")
        );
        let west = BucketKey::of("autoscaling", "UpdateAutoScalingGroup", Some("us-west-2"));
        let east = BucketKey::of("autoscaling", "UpdateAutoScalingGroup", Some("us-east-1"));
        assert_ne!(west, east);
        assert_eq!(
            BucketKey::of("ec2", "RunInstances", Some("us-east-1")),
            None
        );
    }

    #[test]
    fn paced_time_counts_the_burst_then_the_rate() {
        // One token of AWS's burst is kept in reserve.
        let r53 = Rate {
            rate: 5.0,
            burst: 5,
        };
        assert_eq!(r53.client_burst(), 4);
        assert_eq!(r53.paced_secs(4), 0.0);
        assert_eq!(r53.paced_secs(1004), 200.0);
        let asg = Rate {
            rate: 10.0,
            burst: 10,
        };
        assert_eq!(asg.paced_secs(59), 5.0);
        assert_eq!(
            Rate {
                rate: 1.0,
                burst: 1
            }
            .client_burst(),
            1
        );
    }

    #[test]
    fn overrides_replace_rates_and_refuse_unknown_buckets() {
        let quotas = Quotas::from_yaml(
            "route53: {rate: 10, burst: 50}\nautoscaling: {rate: 2.5, burst: 1}\n",
        )
        .expect("a valid file");
        assert_eq!(
            quotas.rate("route53"),
            Some(Rate {
                rate: 10.0,
                burst: 50
            })
        );
        assert_eq!(
            quotas.rate("autoscaling"),
            Some(Rate {
                rate: 2.5,
                burst: 1
            })
        );
        assert!(quotas.is_overridden("route53"));
        assert!(!quotas.is_overridden("rds"));
        assert_eq!(
            quotas.rate("rds"),
            Some(Rate {
                rate: 12.0,
                burst: 300
            })
        );

        let unknown = Quotas::from_yaml("route54: {rate: 1, burst: 1}").expect_err("unknown");
        assert!(
            unknown.0.contains("route54") && unknown.0.contains("route53"),
            "{unknown}"
        );
        let field = Quotas::from_yaml("route53: {rate: 1, burts: 1}").expect_err("field");
        assert!(field.0.contains("burts"), "{field}");
        let zero = Quotas::from_yaml("route53: {rate: 0, burst: 1}").expect_err("zero");
        assert!(zero.0.contains("above 0"), "{zero}");
    }

    #[test]
    fn the_note_says_which_quota_and_how_long() {
        let key = BucketKey::of("route53", "ChangeResourceRecordSets", None).expect("a row");
        let note = Quotas::default().pacing_note(&key, 1000).expect("a rate");
        assert_eq!(
            note,
            "paced by route53: 5 requests/s, burst 5 (AWS's quota); 1000 requests take at least 3m 20s"
        );
    }
}
