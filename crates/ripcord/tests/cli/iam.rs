//! `ripcord iam-policy` (issue 13): its golden, and the policy held to what `apply` really
//! sends. Each runbook is applied to moto (seeded from its inventory) through the fault proxy,
//! with no faults; every request of its log is mapped to its IAM action and resource by this
//! file's own table (the test's oracle, independent of `ripcord_core::iam`), and the policy
//! printed for the same runbook and a capture of that account must allow each one, and
//! contain nothing that no request used, but for the actions listed here with why.

use super::live::{capture_of, inventory_of};
use super::moto::{ripcord_env, Moto};
use super::plan::golden;
use super::{ripcord, stderr, stdout};
use ripcord_core::policy::PolicyDocument;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn the_ecommerce_failover_policy_matches_its_golden() {
    let out = ripcord(&["iam-policy", "runbooks/ecommerce/failover.rhai"]);
    assert!(out.status.success(), "{}", stderr(&out));
    golden("ecommerce__failover.iam.json", &stdout(&out));
    let policy: PolicyDocument = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(policy.version, "2012-10-17");
}

/// The 10,000-resource benchmark runbook: its exact policy is hundreds of kilobytes, over
/// IAM's quotas; the printed one fits a managed policy (or `--max-chars`), allows everything
/// the exact one does, and stderr names the patterns that stand for the resources.
#[test]
fn a_policy_over_iams_quota_is_fitted_by_patterns_it_names() {
    let scratch = super::generated_bench();
    let dir = scratch.path();
    let runbook = dir.join("bench.rhai");
    let inventory = dir.join("bench.inventory.json");
    let policy = |max: &str| {
        let out = ripcord(&[
            "iam-policy",
            runbook.to_str().unwrap(),
            "--inventory",
            inventory.to_str().unwrap(),
            "--max-chars",
            max,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let document: PolicyDocument = serde_json::from_slice(&out.stdout).unwrap();
        (document, stderr(&out))
    };
    let (exact, said) = policy("100000000");
    assert!(exact.size() > 100_000, "{}", exact.size());
    assert!(!said.contains("patterns"), "{said}");
    for max in ["6144", "10240"] {
        let (fitted, said) = policy(max);
        assert!(fitted.size() <= max.parse().unwrap(), "{}", fitted.size());
        assert!(
            said.contains("are named by patterns, which allow more than the runbook touches"),
            "{said}"
        );
        for statement in &exact.statement {
            for action in &statement.action {
                for resource in &statement.resource {
                    assert!(fitted.allows(action, resource), "{action} on {resource}");
                    let shown = fitted
                        .statement
                        .iter()
                        .any(|s| s.action.contains(action) && s.resource.contains(resource));
                    // A resource still named, or named by a pattern stderr lists.
                    assert!(
                        shown
                            || said.lines().any(|line| line.contains(action)
                                && line.split(' ').any(|w| w.contains('*')
                                    && ripcord_core::policy::matches_arn(w, resource)))
                            || said.contains("more"),
                        "{action} on {resource}: {said}"
                    );
                }
            }
        }
    }
}

/// One request of the proxy's log, as IAM sees it.
#[derive(Debug)]
struct Authorized {
    /// `service:Action`.
    action: String,
    /// The ARNs the request acts on, when this oracle knows them (the scoped actions).
    resources: Vec<String>,
    /// The log entry, for messages.
    entry: String,
}

/// The IAM action and resources of a request: the query protocol's `Action` (EC2, Auto
/// Scaling, RDS, SNS, STS), CloudWatch's RPC v2 operation, the JSON protocols' target (ECS,
/// DynamoDB), and the REST APIs' method and path
/// (Route 53, S3, in path style against an endpoint). `None` for requests that need no
/// permission (sts GetCallerIdentity).
fn authorized(entry: &Value, account: &str) -> Option<Authorized> {
    let text = |key: &str| entry[key].as_str().unwrap_or_default().to_string();
    let (service, region, method) = (text("service"), text("region"), text("method"));
    let full = text("path");
    let (path, query) = full.split_once('?').unwrap_or((&full, ""));
    let query: BTreeSet<&str> = query
        .split('&')
        .map(|pair| pair.split('=').next().unwrap_or(""))
        .collect();
    let param = |key: &str| entry["params"][key].as_str().map(str::to_string);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let arn =
        |service: &str, resource: &str| format!("arn:aws:{service}:{region}:{account}:{resource}");
    let (action, resources): (String, Vec<String>) = match service.as_str() {
        "sts" if param("Action").as_deref() == Some("GetCallerIdentity") => return None,
        // The JSON protocols name the operation in X-Amz-Target, which the proxy logs; their
        // bodies are not logged, so the oracle knows no resource of theirs (the capture's
        // reads, which are `*` anyway).
        "ecs" | "dynamodb" => (format!("{service}:{}", text("operation")), Vec::new()),
        // CloudWatch signs as `monitoring`; its IAM prefix is `cloudwatch`.
        "monitoring" => (
            format!("cloudwatch:{}", segments.last().unwrap_or(&"")),
            Vec::new(),
        ),
        "route53" => {
            let name = match (method.as_str(), &segments[1..]) {
                ("POST", ["hostedzone", _, "rrset"]) => "ChangeResourceRecordSets",
                ("GET", ["hostedzone", _, "rrset"]) => "ListResourceRecordSets",
                ("GET", ["hostedzonesbyname"]) => "ListHostedZonesByName",
                ("GET", ["hostedzone"]) => "ListHostedZones",
                ("GET", ["hostedzone", _]) => "GetHostedZone",
                ("POST", ["healthcheck", _]) => "UpdateHealthCheck",
                ("GET", ["healthcheck"]) => "ListHealthChecks",
                ("GET", ["healthcheck", _]) => "GetHealthCheck",
                ("POST", ["tags", "healthcheck"]) => "ListTagsForResources",
                ("GET", ["change", _]) => "GetChange",
                _ => panic!("the oracle does not know this Route 53 request: {entry}"),
            };
            let resources = match name {
                "ChangeResourceRecordSets" => {
                    vec![format!("arn:aws:route53:::hostedzone/{}", segments[2])]
                }
                "UpdateHealthCheck" => {
                    vec![format!("arn:aws:route53:::healthcheck/{}", segments[2])]
                }
                _ => Vec::new(),
            };
            (format!("route53:{name}"), resources)
        }
        "s3" => {
            let bucket = segments.first().copied().unwrap_or("");
            let name = match (method.as_str(), bucket.is_empty()) {
                ("GET", true) => "ListAllMyBuckets",
                // S3 authorizes the replication APIs as ...ReplicationConfiguration.
                ("GET", false) if query.contains("replication") => "GetReplicationConfiguration",
                ("PUT", false) if query.contains("replication") => "PutReplicationConfiguration",
                ("GET", false) if query.contains("location") => "GetBucketLocation",
                ("GET", false) if query.contains("versioning") => "GetBucketVersioning",
                _ => panic!("the oracle does not know this S3 request: {entry}"),
            };
            (format!("s3:{name}"), vec![format!("arn:aws:s3:::{bucket}")])
        }
        _ => {
            let name = param("Action")
                .unwrap_or_else(|| panic!("a query-protocol request without Action: {entry}"));
            let resources = match (service.as_str(), name.as_str()) {
                ("autoscaling", "UpdateAutoScalingGroup") => vec![arn(
                    "autoscaling",
                    &format!(
                        "autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/{}",
                        param("AutoScalingGroupName").unwrap_or_default()
                    ),
                )],
                ("rds", "RemoveFromGlobalCluster") => vec![
                    format!(
                        "arn:aws:rds::{account}:global-cluster:{}",
                        param("GlobalClusterIdentifier").unwrap_or_default()
                    ),
                    param("DbClusterIdentifier").unwrap_or_default(),
                ],
                ("rds", "PromoteReadReplica") => vec![arn(
                    "rds",
                    &format!("db:{}", param("DBInstanceIdentifier").unwrap_or_default()),
                )],
                ("sns", "Publish") => vec![param("TopicArn").unwrap_or_default()],
                _ => Vec::new(),
            };
            (format!("{service}:{name}"), resources)
        }
    };
    Some(Authorized {
        action,
        resources,
        entry: entry.to_string(),
    })
}

/// Applies `runbook` to a seeded moto through the fault proxy (no faults) and holds the
/// policy printed for it (against a capture of that moto) to the requests: each allowed, and
/// each action of the policy used by one, or listed in `unused` with why.
fn the_policy_covers_exactly_what_apply_sends(runbook: &str, unused: &[(&str, &str)]) {
    let moto = Moto::start();
    moto.seed(&inventory_of(runbook));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let capture = capture_of(&moto, runbook, dir, "capture.json");
    let printed = moto.ripcord(
        &[
            "iam-policy",
            runbook,
            "--inventory",
            capture.to_str().unwrap(),
        ],
        dir,
    );
    assert!(printed.status.success(), "{runbook}: {}", stderr(&printed));
    let policy: PolicyDocument = serde_json::from_slice(&printed.stdout)
        .unwrap_or_else(|err| panic!("{runbook}: not a policy ({err}): {}", stdout(&printed)));
    let account = moto.account();

    let proxy = ripcord_testkit::FaultProxy::start(&moto, 0, "[]");
    let runs = dir.join("runs");
    let apply = ripcord_env(
        &[
            "apply",
            runbook,
            "--yes",
            "--approve-gates",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        dir,
        &[("AWS_ENDPOINT_URL", proxy.endpoint().as_str())],
    );
    assert!(
        apply.status.success(),
        "{runbook}: apply failed:\n{}\n{}",
        stdout(&apply),
        stderr(&apply)
    );
    let log: Vec<Value> = serde_json::from_str(&proxy.log_json()).unwrap();
    assert!(
        log.len() > 10,
        "{runbook}: the proxy saw {} requests",
        log.len()
    );

    // (a) Every request is allowed, on its resource where the policy scopes the action.
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for entry in &log {
        let Some(request) = authorized(entry, &account) else {
            continue;
        };
        *used.entry(request.action.clone()).or_default() += 1;
        let statements: Vec<_> = policy
            .statement
            .iter()
            .filter(|s| s.action.contains(&request.action))
            .collect();
        assert!(
            !statements.is_empty(),
            "{runbook}: the policy does not allow {} (request {})",
            request.action,
            request.entry
        );
        let everywhere = statements.iter().any(|s| s.resource == ["*"]);
        if everywhere {
            continue;
        }
        assert!(
            !request.resources.is_empty(),
            "{runbook}: the policy scopes {} but the oracle knows no resource of {}",
            request.action,
            request.entry
        );
        for resource in &request.resources {
            assert!(
                policy.allows(&request.action, resource),
                "{runbook}: the policy does not allow {} on {resource}:\n{}",
                request.action,
                stdout(&printed)
            );
        }
    }

    // (b) Nothing more: every action of the policy was used, or is listed with why.
    let granted: BTreeSet<&String> = policy.statement.iter().flat_map(|s| &s.action).collect();
    let excused: BTreeMap<&str, &str> = unused.iter().copied().collect();
    let unexcused: Vec<&&String> = granted
        .iter()
        .filter(|a| !used.contains_key(a.as_str()) && !excused.contains_key(a.as_str()))
        .collect();
    assert!(
        unexcused.is_empty(),
        "{runbook}: the policy grants {unexcused:?}, which no request of the run used and no reason excuses; used: {used:?}"
    );
    for action in &granted {
        let was_used = used.contains_key(action.as_str());
        let listed = excused.contains_key(action.as_str());
        assert!(
            !(was_used && listed),
            "{runbook}: {action} is excused as unused ({}) but the run used it",
            excused[action.as_str()]
        );
    }
    for action in excused.keys() {
        assert!(
            granted.contains(&action.to_string()),
            "{runbook}: {action} is excused but not in the policy"
        );
    }
    println!(
        "{runbook}: {} requests, {} actions granted, {} used, {} excused",
        log.len(),
        granted.len(),
        used.len(),
        excused.len()
    );
}

/// The capture's reads per cluster or table: neither bundled world has an ECS cluster or a
/// DynamoDB table, so ListClusters and ListTables find none to read further.
const NO_CLUSTERS_OR_TABLES: &[(&str, &str)] = &[
    (
        "ecs:ListServices",
        "the capture lists the services of each ECS cluster, and this world has none",
    ),
    (
        "ecs:DescribeServices",
        "the capture describes the services of each ECS cluster, and this world has none",
    ),
    (
        "dynamodb:DescribeTable",
        "the capture describes each DynamoDB table, and this world has none",
    ),
];

#[test]
fn the_ecommerce_failover_policy_allows_what_apply_sends_and_no_more() {
    the_policy_covers_exactly_what_apply_sends(
        "runbooks/ecommerce/failover.rhai",
        NO_CLUSTERS_OR_TABLES,
    );
}

#[test]
fn the_pilot_light_policy_allows_what_apply_sends_and_no_more() {
    // The capture reads these for every health check and bucket of the account: a real
    // account may well have some, but this world has none.
    let capture_with_nothing_to_read =
        "the capture reads it per health check or bucket, and the pilot light's world has none";
    the_policy_covers_exactly_what_apply_sends(
        "runbooks/pilot-light/ignite.rhai",
        &[
            ("route53:ListTagsForResources", capture_with_nothing_to_read),
            ("s3:GetBucketLocation", capture_with_nothing_to_read),
            ("s3:GetBucketVersioning", capture_with_nothing_to_read),
            (
                "s3:GetReplicationConfiguration",
                capture_with_nothing_to_read,
            ),
        ]
        .into_iter()
        .chain(NO_CLUSTERS_OR_TABLES.iter().copied())
        .collect::<Vec<_>>(),
    );
}
