//! Interpreter tests: primitives against the simulated world, diagnostics, sandbox limits
//! (docs/reference.md's examples run in tests/tidy.rs).

use ripcord_core::ops;
use ripcord_core::{Inventory, Plan, PlanItem, StepKind};
use ripcord_interp::{Interpreter, Limits, RunbookError};
use ripcord_sim::SimBackend;
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example_inventory() -> Inventory {
    Inventory::load(&workspace().join("examples/inventory.yaml"))
        .expect("examples/inventory.yaml loads")
        .0
}

/// Runs a script against the example world; returns the plan and the error.
fn run_with(source: &str, limits: Limits) -> (Plan, Option<RunbookError>) {
    let mut interp = Interpreter::with_limits("test.rhai", limits);
    let runbook = match interp.compile(source) {
        Ok(runbook) => runbook,
        Err(err) => return (Plan::new(dummy_info(), None), Some(err)),
    };
    let result = interp.run(
        &runbook,
        Box::new(SimBackend::new(example_inventory())),
        None,
    );
    (result.plan, result.error)
}

fn dummy_info() -> ripcord_core::RunbookInfo {
    ripcord_core::RunbookInfo {
        path: "test.rhai".into(),
        sha256: String::new(),
        meta: Default::default(),
    }
}

fn run(source: &str) -> (Plan, Option<RunbookError>) {
    run_with(source, Limits::default())
}

fn run_ok(source: &str) -> Plan {
    let (plan, err) = run(source);
    if let Some(err) = err {
        panic!(
            "unexpected error {}: {} at {}",
            err.code,
            err.message,
            err.location()
        );
    }
    plan
}

fn run_err(source: &str) -> RunbookError {
    run(source).1.expect("the script should fail")
}

fn operations(plan: &Plan) -> Vec<String> {
    plan.steps()
        .filter(|s| !matches!(s.kind, StepKind::Note { .. }))
        .map(|s| s.operation.clone())
        .collect()
}

fn notes(plan: &Plan) -> Vec<String> {
    plan.steps()
        .filter_map(|s| match &s.kind {
            StepKind::Note { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- primitives

#[test]
fn scale_records_the_call_and_later_queries_see_it() {
    let plan = run_ok(
        r#"let web = asg("dr-web-asg", "us-west-2");
scale(web, #{ min: 4, max: 10, desired: 4 });
print(desired(web));"#,
    );
    assert_eq!(operations(&plan), ["UpdateAutoScalingGroup"]);
    let step = plan.steps().next().unwrap();
    assert_eq!(step.origin.line, 2);
    assert_eq!(step.region.as_deref(), Some("us-west-2"));
    let changes: Vec<String> = step
        .changes
        .iter()
        .map(|c| format!("{} {:?} -> {:?}", c.field, c.before, c.after))
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c.starts_with("DesiredCapacity Some(\"2\") -> Some(\"4\")")),
        "{changes:?}"
    );
    assert_eq!(notes(&plan), ["4"]);
}

#[test]
fn parallel_groups_branches_and_returns_their_results() {
    let plan = run_ok(
        r#"let web = asg("dr-web-asg", "us-west-2");
let db = db_cluster("dr-aurora-cluster", "us-west-2");
let r = parallel([
    || { scale(web, #{ desired: 3 }); wait(web, "in_service"); 1 },
    || { promote(aurora_global("ecommerce-global"), db); wait(db, "available"); 2 },
]);
print(r);"#,
    );
    let PlanItem::Parallel(group) = &plan.items[0] else {
        panic!("first item should be a parallel group: {:?}", plan.items[0]);
    };
    assert_eq!(group.branches.len(), 2);
    let longest = group
        .branches
        .iter()
        .map(|b| b.iter().map(|s| s.duration_secs).sum::<u64>())
        .max()
        .unwrap();
    assert_eq!(group.duration_secs, longest);
    assert_eq!(plan.total_secs, longest);
    assert_eq!(notes(&plan), ["[1, 2]"]);
    assert_eq!(plan.counts.parallel_groups, 1);
}

#[test]
fn nested_parallel_is_refused() {
    let err = run_err(r#"parallel([|| { parallel([|| { print("x") }]); }]);"#);
    assert!(err.message.contains("cannot be nested"), "{}", err.message);
}

#[test]
fn snapshot_copy_restore_chain_uses_created_ids() {
    let plan = run_ok(
        r#"let s = snapshot(volume("web-data", "us-east-1"), #{ tags: #{ Name: "Daily Backup" } });
wait(s, "completed");
let c = copy_snapshot(s, "us-west-2");
wait(c, "completed");
let v = restore_volume(c, "us-west-2a");
print(v.region);"#,
    );
    assert_eq!(
        operations(&plan),
        [
            "CreateSnapshot",
            "DescribeSnapshots",
            "CopySnapshot",
            "DescribeSnapshots",
            "CreateVolume"
        ]
    );
    let created: Vec<_> = plan.steps().filter_map(|s| s.creates.clone()).collect();
    assert_eq!(created.len(), 3, "{created:?}");
    assert!(created[0].starts_with("snap-"));
    assert!(created[2].starts_with("vol-"));
    assert_eq!(notes(&plan), ["us-west-2"]);
}

#[test]
fn rds_primitives_promote_failover_and_restore() {
    let plan = run_ok(
        r#"let replica = db_instance("dr-mysql-replica", "us-west-2");
print(is_replica(replica));
promote(replica);
wait(replica, "available");
print(is_replica(replica));
let db = db_instance("production-db", "us-east-1");
let before = az(db);
force_failover(db);
wait(db, "available");
print(before != az(db));
let snap = snapshot(db, #{ id: "before-test" });
wait(snap, "available");
let copy = copy_snapshot(snap, "us-west-2", #{ id: "before-test-dr" });
wait(copy, "available");
let restored = restore_db(copy, "restored-db", #{ instance_class: "db.r6g.large" });
wait(restored, "available");
print(exists(restored));"#,
    );
    assert_eq!(notes(&plan), ["true", "false", "true", "true"]);
    let ops = operations(&plan);
    for op in [
        "PromoteReadReplica",
        "RebootDBInstance",
        "CreateDBSnapshot",
        "CopyDBSnapshot",
        "RestoreDBInstanceFromDBSnapshot",
    ] {
        assert!(ops.contains(&op.to_string()), "{op} missing from {ops:?}");
    }
}

#[test]
fn global_database_detach_failover_switchover() {
    let plan = run_ok(
        r#"let g = aurora_global("ecommerce-global");
let dr = db_cluster("dr-aurora-cluster", "us-west-2");
let primary = db_cluster("ecommerce-aurora-cluster", "us-east-1");
print(writer(g) == primary);
switchover_global(g, dr);
wait(g, "available");
wait(dr, "available");
print(writer(g) == dr);
failover_global(g, primary, #{ allow_data_loss: true });
wait(primary, "available");
print(writer(g) == primary);
promote(g, dr);
wait(dr, "available");
let snap = snapshot(dr);
print(snap.kind);"#,
    );
    assert_eq!(
        notes(&plan),
        ["true", "true", "true", "db_cluster_snapshot"]
    );
    assert_eq!(
        operations(&plan),
        [
            "SwitchoverGlobalCluster",
            "DescribeGlobalClusters",
            "DescribeDBClusters",
            "FailoverGlobalCluster",
            "DescribeDBClusters",
            "RemoveFromGlobalCluster",
            "DescribeDBClusters",
            "CreateDBClusterSnapshot"
        ]
    );
}

#[test]
fn dns_health_checks_replication_and_notify() {
    let plan = run_ok(
        r#"let zone = zone("example.com");
let hc = health_check("ECommerce-Primary-HealthCheck");
let change = flip_dns(record(zone, "status.example.com", "CNAME"), #{ values: ["status-dr.example.net"], ttl: 60 });
wait(change, "in_sync");
flip_dns(record(zone, "www.example.com", "A", "Secondary"), #{
    alias: #{ zone_id: "Z3EXAMPLE", dns_name: "dr-alb2.us-west-2.elb.amazonaws.com" },
    failover: "SECONDARY",
});
disable_health_check(hc);
print(disabled(hc));
enable_health_check(hc);
print(inverted(hc));
invert_health_check(hc);
print(inverted(hc));
invert_health_check(hc, false);
let images = bucket("product-images-bucket");
enable_replication(images, "dr-product-images-bucket", #{ role: "arn:aws:iam::123456789012:role/r" });
require_replication(images, "us-west-2");
print(replication(images).rules[0].destination_bucket);
notify(topic("dr-notifications", "us-west-2"), "Subject", "Body");
approve("Go?");"#,
    );
    assert_eq!(
        operations(&plan),
        [
            "ChangeResourceRecordSets",
            "GetChange",
            "ChangeResourceRecordSets",
            "UpdateHealthCheck",
            "UpdateHealthCheck",
            "UpdateHealthCheck",
            "UpdateHealthCheck",
            "PutBucketReplication",
            "GetBucketReplication",
            "Publish",
            "approve"
        ]
    );
    assert_eq!(
        notes(&plan),
        ["true", "false", "true", "dr-product-images-bucket"]
    );
    assert_eq!(plan.counts.approvals, 1);
    assert_eq!(plan.counts.checks, 1);
}

#[test]
fn queries_read_the_world() {
    let plan = run_ok(
        r#"let web = asg("web-asg", "us-east-1");
print([desired(web), min_size(web), max_size(web), in_service(web)]);
let db = db_instance("production-db", "us-east-1");
print([status(db), az(db), multi_az(db), is_replica(db)]);
print(replica_lag(db_instance("dr-mysql-replica", "us-west-2")));
print(replica_lag(db_cluster("dr-aurora-cluster", "us-west-2")));
print(snapshot_age(volume("web-data", "us-east-1")));
print(latest_snapshot(volume("web-data", "us-east-1")).name);
print(exists(asg("nope", "us-east-1")));
print(describe(asg("nope", "us-east-1")) == ());
print(now());
print(elapsed());"#,
    );
    assert_eq!(
        notes(&plan),
        [
            "[2, 2, 6, 2]",
            "[\"available\", \"us-east-1a\", true, false]",
            "3",
            "1",
            "86400",
            "snap-0123456789abcdef0",
            "false",
            "true",
            "2026-11-24T03:00:00Z",
            "0"
        ]
    );
    assert!(operations(&plan).is_empty(), "queries are not steps");
}

#[test]
fn runbook_declaration_reaches_the_plan_and_guards_regions() {
    let plan = run_ok(
        r#"runbook(#{ name: "t", rto: "15m", rpo: "5m", accounts: ["123456789012"], regions: ["us-west-2"] });
scale(asg("dr-web-asg", "us-west-2"), #{ desired: 3 });"#,
    );
    assert_eq!(plan.runbook.meta.name.as_deref(), Some("t"));
    assert_eq!(plan.runbook.meta.rto_secs, Some(900));
    assert_eq!(plan.runbook.meta.rpo_secs, Some(300));
    let err = run_err(
        r#"runbook(#{ regions: ["us-west-2"] });
scale(asg("web-asg", "us-east-1"), #{ desired: 3 });"#,
    );
    assert_eq!(err.code, "ripcord::region");
    assert_eq!((err.line, err.column), (2, 1));
}

#[test]
fn runbook_declaration_errors() {
    assert!(run_err(r#"runbook(#{ nme: "x" });"#)
        .help
        .unwrap()
        .contains("did you mean `name`"));
    assert!(run_err(r#"runbook(#{ rto: "15 minutes" });"#)
        .message
        .contains("not a duration"));
    assert!(run_err(r#"runbook(#{ accounts: ["12"] });"#)
        .message
        .contains("12 digits"));
    assert!(run_err("runbook(#{}); runbook(#{});")
        .message
        .contains("twice"));
    assert!(run_err(r#"approve("x"); runbook(#{});"#)
        .message
        .contains("before the first primitive"));
}

// ---------------------------------------------------------------- rejections and diagnostics

#[test]
fn unknown_resource_points_at_the_call_with_did_you_mean() {
    let err =
        run_err("let web = asg(\"dr-web-asgg\", \"us-west-2\");\n\nscale(web, #{ desired: 3 });");
    assert_eq!(err.code, "ripcord::aws::ValidationError");
    assert_eq!((err.line, err.column), (3, 1));
    assert!(
        err.help.as_deref().unwrap_or("").contains("dr-web-asg"),
        "{:?}",
        err.help
    );
}

#[test]
fn simulated_rejections_are_aws_errors() {
    let err = run_err(r#"scale(asg("dr-web-asg", "us-west-2"), #{ desired: 9 });"#);
    assert_eq!(err.code, "ripcord::aws::ValidationError");
    assert!(err.message.contains("UpdateAutoScalingGroup"));
    assert_eq!(err.label, "rejected here");
    let err = run_err(
        r#"let web = asg("dr-web-asg", "us-west-2");
scale(web, #{ desired: 4 });
wait(web, "in_service", "1m");"#,
    );
    assert_eq!(err.code, "ripcord::aws::WaiterTimeout");
    assert_eq!(err.label, "timed out here");
    assert_eq!(err.line, 3);
    let err = run_err(r#"promote(db_instance("production-db", "us-east-1"));"#);
    assert_eq!(err.code, "ripcord::aws::InvalidDBInstanceState");
    let err = run_err(
        r#"flip_dns(record(zone("example.org"), "www.example.org", "A"), #{ values: ["1.2.3.4"] });"#,
    );
    assert_eq!(err.code, "ripcord::aws::NoSuchHostedZone");
}

#[test]
fn a_failed_step_stops_the_plan_and_is_recorded() {
    let (plan, err) = run(
        "scale(asg(\"dr-web-asg\", \"us-west-2\"), #{ desired: 3 });\nscale(asg(\"nope\", \"us-west-2\"), #{ desired: 1 });\nprint(\"never\");",
    );
    assert!(err.is_some());
    assert_eq!(operations(&plan), ["UpdateAutoScalingGroup"]);
    assert!(notes(&plan).is_empty());
    let failure = plan.failure.expect("failure recorded");
    assert_eq!(failure.origin.map(|o| o.line), Some(2));
}

#[test]
fn invalid_values_are_caught_before_the_backend() {
    let err = run_err(r#"scale(asg("dr-web-asg", "us-west-2"), #{ min: 5, desired: 2 });"#);
    assert_eq!(err.code, "ripcord::invalid_value");
    assert!(err.message.contains("min <= desired <= max"));
    let err = run_err(r#"scale(asg("dr-web-asg", "us-west-2"), #{ desird: 2 });"#);
    assert!(err.help.unwrap().contains("did you mean `desired`"));
    let err = run_err(r#"wait(asg("dr-web-asg", "us-west-2"), "available");"#);
    assert_eq!(
        err.message,
        "cannot wait for `available` on asg dr-web-asg (us-west-2)"
    );
    assert_eq!(
        err.help.as_deref(),
        Some("states for an Auto Scaling group: \"in_service\"")
    );
    let err = run_err(r#"wait(topic("dr-notifications", "us-west-2"), "available");"#);
    assert!(err
        .help
        .unwrap()
        .starts_with("states for an SNS topic: none"));
    let err = run_err(r#"let a = asg("dr-web-asg", "us-west2");"#);
    assert_eq!(err.code, "ripcord::region");
    let err = run_err(r#"scale(db_cluster("dr-aurora-cluster", "us-west-2"), #{ desired: 2 });"#);
    assert_eq!(err.code, "ripcord::argument_type");
    let err = run_err(r#"parallel([1, 2]);"#);
    assert_eq!(err.code, "ripcord::argument_type");
}

#[test]
fn syntax_error_has_line_and_column() {
    let err = run_err("let x = 1;\nlet y = ;\n");
    assert_eq!(err.code, "ripcord::syntax");
    assert_eq!(err.line, 2);
    assert!(err.column >= 9, "column {}", err.column);
}

#[test]
fn undefined_variable_is_a_compile_error() {
    let err =
        run_err("let web = asg(\"dr-web-asg\", \"us-west-2\");\nscale(wbe, #{ desired: 3 });");
    assert_eq!(err.code, "ripcord::undefined_variable");
    assert_eq!((err.line, err.column), (2, 7));
}

#[test]
fn wrong_argument_types_name_the_expected_signature() {
    let err = run_err(r#"scale(asg("dr-web-asg", "us-west-2"), 4);"#);
    assert_eq!(err.code, "ripcord::argument_type");
    assert!(
        err.help
            .as_deref()
            .unwrap_or("")
            .contains("scale(Handle, map)"),
        "{:?}",
        err.help
    );
}

#[test]
fn operators_on_wrong_types_name_the_operand_types() {
    let err = run_err(r#"let x = "x" * 3;"#);
    assert_eq!(err.code, "ripcord::argument_type");
    assert_eq!(err.message, "`*` does not apply to a string and an int");
    assert!(err.help.unwrap().contains("to_string"));
    let err = run_err(r#"let x = asg("dr-web-asg", "us-west-2") + 1;"#);
    assert_eq!(
        err.message,
        "`+` does not apply to a resource handle and an int"
    );
}

#[test]
fn unknown_function_at_run_time_suggests() {
    let err = run_err(r#"scal(asg("dr-web-asg", "us-west-2"), #{ desired: 3 });"#);
    assert_eq!(err.code, "ripcord::unknown_function");
    assert!(err.help.unwrap().contains("`scale`"));
}

#[test]
fn check_finds_unknown_functions_arity_and_imports_statically() {
    let mut interp = Interpreter::new("check.rhai");
    let runbook = interp
        .compile(
            "import \"ripcord/warm_standby\" as ws;\nimport \"../secrets\" as s;\nflip_dsn(1);\nscale(1);\nws::scale_upp([]);\nruntime_fn(1);\nfn runtime_fn(x) { x }",
        )
        .unwrap();
    let problems = interp.check(&runbook);
    let found: Vec<(String, usize, usize)> = problems
        .iter()
        .map(|p| (p.code.clone(), p.line, p.column))
        .collect();
    assert!(
        found.contains(&("ripcord::import".into(), 2, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("ripcord::unknown_function".into(), 3, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("ripcord::argument_count".into(), 4, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("ripcord::unknown_function".into(), 5, 1))
            || found
                .iter()
                .any(|f| f.0 == "ripcord::unknown_function" && f.1 == 5),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.0 == "ripcord::undeclared"),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.1 == 6),
        "script functions are known: {found:?}"
    );
    let typo = problems.iter().find(|p| p.line == 3).unwrap();
    assert!(typo.help.as_deref().unwrap().contains("flip_dns"));
}

#[test]
fn non_ascii_scripts_get_exact_spans() {
    use miette::Diagnostic;
    // Columns count characters: the label must land on `scale`'s bad argument, not bytes off.
    let source = "// Bascule régionale ☕ → us-west-2\nlet note = \"ünïcödé ☕\"; let web = asg(\"dr-web-asg\", \"us-west-2\"); scale(web, #{ \"désiré\": 3 });";
    let err = run_err(source);
    assert_eq!(err.line, 2);
    let labels: Vec<_> = err.labels().unwrap().collect();
    let span = labels[0].inner();
    let text = &source[span.offset()..span.offset() + span.len()];
    assert_eq!(text, "scale", "label covers {text:?}");
    // A syntax error after multi-byte characters.
    let source = "let cafe = \"☕é\";\nlet u = \"ü\" + ;";
    let err = run_err(source);
    let labels: Vec<_> = err.labels().unwrap().collect();
    let offset = labels[0].inner().offset();
    assert!(source.is_char_boundary(offset));
    assert_eq!(err.line, 2);
}

#[test]
fn span_of_converts_rhai_positions() {
    let source = "// ☕☕\nlet a = b;";
    let span = ripcord_interp::span_of(source, rhai_position(2, 9)).unwrap();
    assert_eq!(&source[span.offset()..span.offset() + span.len()], "b");
    assert!(ripcord_interp::span_of(source, rhai::Position::NONE).is_none());
}

fn rhai_position(line: usize, column: usize) -> rhai::Position {
    rhai::Position::new(line as u16, column as u16)
}

#[test]
fn errors_inside_stdlib_point_at_the_runbook_call() {
    let err = run_err(
        "import \"ripcord/warm_standby\" as ws;\n\nws::promote_database(aurora_global(\"ecommerce-global\"), db_cluster(\"nope\", \"us-west-2\"));",
    );
    assert_eq!(err.file, "test.rhai");
    assert_eq!(err.line, 3);
    assert!(
        err.label.contains("stdlib/warm_standby.rhai"),
        "{}",
        err.label
    );
}

#[test]
fn steps_in_stdlib_record_the_runbook_line_they_came_from() {
    let plan = run_ok(
        "import \"ripcord/warm_standby\" as ws;\n\nws::redirect_traffic(health_check(\"ECommerce-Primary-HealthCheck\"));",
    );
    let step = plan.steps().next().unwrap();
    assert_eq!(step.origin.file, "stdlib/warm_standby.rhai");
    let via = step.origin.via.as_ref().expect("via the runbook");
    assert_eq!((via.file.as_str(), via.line), ("test.rhai", 3));
}

#[test]
fn thrown_errors_and_catch() {
    let err = run_err("throw \"replication is broken\";");
    assert_eq!(err.code, "ripcord::thrown");
    assert!(err.message.contains("replication is broken"));
    let plan = run_ok(
        r#"try { scale(asg("nope", "us-west-2"), #{ desired: 1 }); } catch (e) { print(e.code); }"#,
    );
    assert_eq!(notes(&plan), ["ripcord::aws::ValidationError"]);
}

#[test]
fn print_and_debug_notes_read_like_messages() {
    let plan = run_ok(
        r#"let web = asg("dr-web-asg", "us-west-2");
print(web);
debug(web);
debug(web.region);
debug(zone("example.com").region);
try { scale(web, #{ desired: -1 }); } catch (e) { print(e); debug(e); }"#,
    );
    assert_eq!(
        notes(&plan),
        [
            "asg dr-web-asg (us-west-2)",
            "asg dr-web-asg (us-west-2)",
            "\"us-west-2\"",
            "()",
            "`desired` cannot be negative (-1)",
            "failure: `desired` cannot be negative (-1)",
        ]
    );
}

// ---------------------------------------------------------------- sandbox

#[test]
fn endless_loop_hits_the_operation_limit() {
    let err = run_err("let i = 0; loop { i += 1; }");
    assert_eq!(err.code, "ripcord::limit::operations");
    assert_eq!(err.line, 1);
}

#[test]
fn endless_recursion_hits_the_call_depth_limit() {
    let err = run_err("fn f(x) { f(x + 1) }\nf(0);");
    assert_eq!(err.code, "ripcord::limit::call_depth");
}

#[test]
fn sizes_are_limited() {
    let err = run_err("let s = \"x\"; loop { s += s; }");
    assert_eq!(err.code, "ripcord::limit::size");
    let small = Limits {
        array_size: 1000,
        ..Limits::default()
    };
    let err = run_with("let a = []; loop { a.push(1); }", small)
        .1
        .expect("fails");
    assert!(err.code.starts_with("ripcord::limit"), "{}", err.code);
}

#[test]
fn no_file_clock_or_sleep_access() {
    assert_eq!(
        run_err("import \"/etc/passwd\" as p;").code,
        "ripcord::import"
    );
    assert_eq!(
        run_err("import \"stdlib/warm_standby\" as p;").code,
        "ripcord::import"
    );
    assert_eq!(
        run_err("let t = timestamp();").code,
        "ripcord::unknown_function"
    );
    assert!(run_err("sleep(1);").message.contains("not available"));
    assert_eq!(run_err("eval(\"1\");").code, "ripcord::syntax");
}

#[test]
fn the_optimizer_never_runs_primitives_at_compile_time() {
    // Compiling needs no backend: a primitive evaluated early would fail with "no backend".
    let mut interp = Interpreter::new("opt.rhai");
    let runbook = interp
        .compile(
            r#"let x = scale(asg("dr-web-asg", "us-west-2"), #{ desired: 3 }); let y = now();"#,
        )
        .expect("compiles without calling primitives");
    let result = interp.run(
        &runbook,
        Box::new(SimBackend::new(example_inventory())),
        None,
    );
    assert!(result.error.is_none());
    assert_eq!(operations(&result.plan), ["UpdateAutoScalingGroup"]);
}

#[test]
fn runs_are_deterministic() {
    let source = r#"let s = snapshot(volume("web-data", "us-east-1")); wait(s, "completed"); print(now()); print(s.name);"#;
    let first = run_ok(source);
    let second = run_ok(source);
    assert_eq!(first, second);
}

// ---------------------------------------------------------------- standard library

#[test]
fn stdlib_strategy_follows_the_source_document_table() {
    let plan = run_ok(
        r#"import "ripcord/strategy" as s;
print(s::recommend_strategy(10, "Critical"));
print(s::recommend_strategy(60, "High"));
print(s::recommend_strategy(30, "High"));
print(s::recommend_strategy(480, "Medium"));
print(s::recommend_strategy(120, "Medium"));
print(s::recommend_strategy(1440, "Low"));"#,
    );
    assert_eq!(
        notes(&plan),
        [
            "Multi-Site Active/Active",
            "Pilot Light",
            "Warm Standby",
            "Backup and Restore",
            "Pilot Light",
            "Backup and Restore"
        ]
    );
    let err = run_err("import \"ripcord/strategy\" as s;\ns::recommend_strategy(10, \"Urgent\");");
    assert!(
        err.message.contains("criticality must be one of"),
        "{}",
        err.message
    );
    assert_eq!(err.line, 2);
}

/// Each parallel branch made in a loop must act on its own resource (a closure made in a
/// `for` body would share the loop variable).
fn branch_targets(plan: &Plan) -> Vec<Vec<String>> {
    let group = plan
        .items
        .iter()
        .find_map(|i| match i {
            PlanItem::Parallel(g) => Some(g),
            _ => None,
        })
        .expect("a parallel group");
    group
        .branches
        .iter()
        .map(|b| {
            b.iter()
                .filter_map(|s| s.target.as_ref().map(|t| t.name().to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn stdlib_warm_standby_scales_every_tier_in_its_own_branch() {
    let plan = run_ok(
        r#"import "ripcord/warm_standby" as ws;
ws::scale_up([
    #{ asg: asg("dr-web-asg", "us-west-2"), min: 3, max: 5, desired: 3 },
    #{ asg: asg("web-asg", "us-east-1"), min: 3, max: 6, desired: 3 },
]);
ws::promote_database(aurora_global("ecommerce-global"), db_cluster("dr-aurora-cluster", "us-west-2"));
ws::redirect_traffic(health_check("ECommerce-Primary-HealthCheck"));"#,
    );
    assert_eq!(
        branch_targets(&plan),
        [["dr-web-asg", "dr-web-asg"], ["web-asg", "web-asg"]]
    );
    assert!(operations(&plan).ends_with(&[
        "RemoveFromGlobalCluster".to_string(),
        "DescribeDBClusters".to_string(),
        "UpdateHealthCheck".to_string()
    ]));
    // Traffic moves because the check is inverted (a disabled one would read healthy), so the
    // plan has nothing to warn about.
    assert_eq!(health_check_flags(&plan), [(None, Some(true))]);
    assert!(plan.steps().all(|s| s.warnings.is_empty()));
}

/// Disabled and Inverted of every UpdateHealthCheck in the plan.
fn health_check_flags(plan: &Plan) -> Vec<(Option<bool>, Option<bool>)> {
    plan.steps()
        .filter_map(|s| match &s.kind {
            StepKind::Call {
                call:
                    ripcord_core::Call::UpdateHealthCheck(ops::UpdateHealthCheck {
                        disabled,
                        inverted,
                        ..
                    }),
            } => Some((*disabled, *inverted)),
            _ => None,
        })
        .collect()
}

#[test]
fn stdlib_active_active_evacuates_and_readmits() {
    let plan = run_ok(
        r#"import "ripcord/active_active" as aa;
let hc = health_check("ECommerce-Primary-HealthCheck");
aa::evacuate(hc, [
    #{ asg: asg("dr-web-asg", "us-west-2"), min: 4, max: 5, desired: 4 },
    #{ asg: asg("web-asg", "us-east-1"), min: 4, max: 6, desired: 4 },
]);
aa::readmit(hc);"#,
    );
    assert_eq!(operations(&plan)[0], "UpdateHealthCheck");
    assert_eq!(
        branch_targets(&plan),
        [["dr-web-asg", "dr-web-asg"], ["web-asg", "web-asg"]]
    );
    assert_eq!(
        operations(&plan).last().map(String::as_str),
        Some("UpdateHealthCheck")
    );
    assert_eq!(
        health_check_flags(&plan),
        [(None, Some(true)), (None, Some(false))]
    );
}

#[test]
fn stdlib_active_active_shifts_and_restores_weights() {
    let plan = run_ok(
        r#"import "ripcord/active_active" as aa;
let z = zone("example.com");
let east = record(z, "shop.example.com", "A", "us-east-1");
aa::require_replicas(table("GlobalCustomerData", "us-east-1"), ["us-west-2"]);
aa::shift_away("shop.example.com", [east]);
print(weight(east));
aa::restore_weights([#{ record: east, weight: 100 }]);
print(weight(east));"#,
    );
    assert_eq!(
        operations(&plan),
        [
            "DescribeTable",
            "ChangeResourceRecordSets",
            "GetChange",
            "ChangeResourceRecordSets",
            "GetChange"
        ]
    );
    assert_eq!(notes(&plan), ["0", "100"]);
    // set_weight keeps what the set was: its values, TTL and health check.
    let upsert = plan
        .steps()
        .find_map(|s| match &s.kind {
            StepKind::Call {
                call: ripcord_core::Call::ChangeResourceRecordSets(c),
            } => Some(c.changes[0].record_set.clone()),
            _ => None,
        })
        .expect("an UPSERT");
    assert_eq!(upsert.weight, Some(0));
    assert_eq!(upsert.values, ["198.51.100.10"]);
    assert_eq!(upsert.ttl, Some(60));
    assert_eq!(upsert.health_check.as_deref(), Some("hc-0001"));
}

#[test]
fn dynamodb_ecs_and_weight_arguments_are_checked() {
    let err = run_err(r#"add_replica(table("GlobalCustomerData", "us-east-1"), "us-east-1");"#);
    assert!(err.message.contains("not another one"), "{}", err.message);
    let err = run_err(
        r#"scale(ecs_service("web-cluster", "web", "us-east-1"), #{ min: 1, desired: 2 });"#,
    );
    assert!(
        err.message.contains("only a desired count"),
        "{}",
        err.message
    );
    let err =
        run_err(r#"set_weight(record(zone("example.com"), "status.example.com", "CNAME"), 5);"#);
    assert!(err.message.contains("set identifier"), "{}", err.message);
    let err = run_err(r#"add_replica(asg("web-asg", "us-east-1"), "us-west-2");"#);
    assert!(
        err.message.contains("takes a table handle"),
        "{}",
        err.message
    );
    let plan = run_ok(
        r#"let svc = ecs_service("dr-web-cluster", "web", "us-west-2");
print(svc);
scale(svc, #{ desired: 3 });
wait(svc, "steady");
print(`${desired(svc)} ${running(svc)}`);"#,
    );
    assert_eq!(operations(&plan), ["UpdateService", "DescribeServices"]);
    assert_eq!(notes(&plan)[1], "3 3");
}

#[test]
fn stdlib_pilot_light_and_backup_restore() {
    let plan = run_ok(
        r#"import "ripcord/pilot_light" as pilot;
import "ripcord/backup_restore" as backup;
pilot::ignite(db_instance("dr-mysql-replica", "us-west-2"), asg("dr-web-asg", "us-west-2"), 4, 5);
print(is_replica(db_instance("dr-mysql-replica", "us-west-2")));
let copies = backup::backup_volumes([volume("web-data", "us-east-1")], "us-west-2", #{ Name: "Daily Backup" });
print(copies[0].region);
print(backup::require_rpo(volume("web-data", "us-east-1"), "24h") >= 0);
let db = backup::restore_latest_db(db_instance("production-db", "us-east-1"), "restored", #{});
print(status(db));"#,
    );
    assert_eq!(
        branch_targets(&plan),
        [
            ["dr-mysql-replica", "dr-mysql-replica"],
            ["dr-web-asg", "dr-web-asg"]
        ]
    );
    assert_eq!(notes(&plan), ["false", "us-west-2", "true", "available"]);
    let err = run_err("import \"ripcord/pilot_light\" as pilot;\npilot::ignite(db_instance(\"production-db\", \"us-east-1\"), asg(\"web-asg\", \"us-east-1\"), 1, 2);");
    assert!(
        err.message.contains("is not a read replica"),
        "{}",
        err.message
    );
    let err = run_err("import \"ripcord/backup_restore\" as backup;\nbackup::require_rpo(db_instance(\"production-db\", \"us-east-1\"), \"1h\");");
    assert!(err.message.contains("beyond its RPO"), "{}", err.message);
}

/// What a debugger hook saw at one pause.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    kind: ripcord_interp::debug::StopKind,
    line: u32,
    depth: usize,
}

#[test]
fn the_debug_hook_pauses_at_statements_and_primitive_calls_with_scope_and_preview() {
    use ripcord_interp::debug::{Paused, StopKind};
    use std::cell::RefCell;
    use std::rc::Rc;
    let source = r#"let web = asg("web-asg", "us-east-1");
let n = 2;
fn bump(h) { scale(h, #{ desired: 5 }); }
scale(web, #{ desired: n });
bump(web);
"#;
    let mut interp = Interpreter::new("test.rhai");
    let runbook = interp.compile(source).unwrap();
    let seen: Rc<RefCell<Vec<Seen>>> = Rc::default();
    let previews: Rc<RefCell<Vec<String>>> = Rc::default();
    let (s, p) = (seen.clone(), previews.clone());
    interp.set_debug_hook(Some(Box::new(move |paused: &mut dyn Paused| {
        s.borrow_mut().push(Seen {
            kind: paused.kind().clone(),
            line: paused.origin().line,
            depth: paused.depth(),
        });
        if let StopKind::Call { .. } = paused.kind() {
            if paused.origin().line == 4 {
                // Changing a variable at the pause changes what the call does.
                assert_eq!(paused.eval("n").unwrap().as_deref(), Some("2"));
                paused.eval("n = 3").unwrap();
                assert!(paused
                    .vars()
                    .iter()
                    .any(|v| v.name == "web" && v.value == "asg web-asg (us-east-1)"));
            }
            let pending = paused.preview().unwrap().expect("a step");
            let ripcord_core::StepKind::Call { call } = pending.kind else {
                panic!("{pending:?}")
            };
            p.borrow_mut().push(serde_json::to_string(&call).unwrap());
        }
    })));
    let result = interp.run(
        &runbook,
        Box::new(SimBackend::new(example_inventory())),
        None,
    );
    assert!(
        result.error.is_none(),
        "{:?}",
        result.error.map(|e| e.message)
    );
    let seen = seen.borrow();
    let calls: Vec<&Seen> = seen
        .iter()
        .filter(|s| matches!(s.kind, StopKind::Call { .. }))
        .collect();
    // Two calls of scale: line 4 at the top level, line 3 inside bump (depth 1).
    assert_eq!(calls.len(), 2, "{seen:#?}");
    assert_eq!((calls[0].line, calls[0].depth), (4, 0));
    assert_eq!((calls[1].line, calls[1].depth), (3, 1));
    assert!(seen.iter().any(|s| s.kind == StopKind::Start));
    assert!(seen.iter().any(|s| s.kind == StopKind::End));
    assert!(seen
        .iter()
        .any(|s| s.kind == StopKind::Statement && s.line == 2));
    // The previews saw the evaluated arguments, and ran nothing: the plan has each call once.
    let previews = previews.borrow();
    assert!(
        previews[0].contains("\"DesiredCapacity\":3"),
        "{previews:?}"
    );
    assert!(
        previews[1].contains("\"DesiredCapacity\":5"),
        "{previews:?}"
    );
    assert_eq!(
        operations(&result.plan),
        ["UpdateAutoScalingGroup", "UpdateAutoScalingGroup"]
    );
}

#[test]
fn a_step_hook_can_skip_a_step_with_an_outcome_and_the_plan_says_so() {
    use ripcord_interp::HookDecision;
    let mut interp = Interpreter::new("test.rhai");
    let runbook = interp
        .compile(
            r#"let web = asg("web-asg", "us-east-1");
scale(web, #{ desired: 3 });
desired(web)"#,
        )
        .unwrap();
    interp.set_step_hook(Some(Box::new(|_| {
        HookDecision::Skip(ripcord_core::Outcome::default())
    })));
    let result = interp.run(
        &runbook,
        Box::new(SimBackend::new(example_inventory())),
        None,
    );
    assert!(result.error.is_none());
    let step = result.plan.steps().next().unwrap();
    assert!(
        step.warnings[0].starts_with("skipped by the operator"),
        "{step:?}"
    );
    // Not sent: the world still has the old capacity.
    let world = result.backend.unwrap().world().unwrap();
    let asg = &world.regions["us-east-1"].auto_scaling_groups;
    assert!(asg
        .iter()
        .any(|g| g.name == "web-asg" && g.desired_capacity != 3));
}

// ---------------------------------------------------------------- outages

/// Runs a script against the example world with `down` regions down (as `plan --down`).
fn run_down(source: &str, down: &[&str], global_up: bool) -> (Plan, Option<RunbookError>) {
    let mut world = example_inventory();
    let down: Vec<String> = down.iter().map(|r| r.to_string()).collect();
    world.unreachable = ripcord_core::Outage::from_flags(&down, global_up);
    let mut interp = Interpreter::new("test.rhai");
    let runbook = interp.compile(source).expect("compiles");
    let result = interp.run(&runbook, Box::new(SimBackend::new(world)), None);
    (result.plan, result.error)
}

fn warnings(plan: &Plan) -> Vec<String> {
    plan.steps().flat_map(|s| s.warnings.clone()).collect()
}

#[test]
fn a_down_region_fails_its_calls_and_queries_with_the_outage_code() {
    let (_, err) = run_down(
        r#"scale(asg("web-asg", "us-east-1"), #{ min: 2, max: 6, desired: 4 });"#,
        &["us-east-1"],
        true,
    );
    let err = err.expect("the call fails");
    assert_eq!(err.code, "ripcord::unreachable");
    assert!(
        err.message.contains("us-east-1 does not answer"),
        "{}",
        err.message
    );
    assert_eq!(err.location(), "test.rhai:1:1");

    let (_, err) = run_down(
        r#"print(desired(asg("web-asg", "us-east-1")));"#,
        &["us-east-1"],
        true,
    );
    assert_eq!(err.expect("the query fails").code, "ripcord::unreachable");

    let (plan, err) = run_down(
        r#"print(reachable("us-east-1"));
print(reachable("us-west-2"));
print(desired(asg("dr-web-asg", "us-west-2")));
print(writer(aurora_global("ecommerce-global")));"#,
        &["us-east-1"],
        true,
    );
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        notes(&plan),
        [
            "false",
            "true",
            "2",
            "db_cluster ecommerce-aurora-cluster (us-east-1)"
        ]
    );
}

#[test]
fn us_east_1_down_takes_route53_control_plane_unless_global_up() {
    let script = r#"disable_health_check(health_check("ECommerce-Primary-HealthCheck"));"#;
    let (_, err) = run_down(script, &["us-east-1"], false);
    let err = err.expect("Route 53's control plane is down");
    assert_eq!(err.code, "ripcord::unreachable");
    assert!(
        err.message.contains("Route 53's control plane"),
        "{}",
        err.message
    );
    let help = err.help.clone().unwrap_or_default();
    assert!(
        help.contains(
            "records with failover or weighted routing whose health check fails by itself"
        ),
        "{help}"
    );

    let (plan, err) = run_down(script, &["us-east-1"], true);
    assert!(err.is_none(), "{err:?}");
    let step = plan.steps().next().expect("one step");
    assert_eq!(step.operation, "UpdateHealthCheck");
    assert_eq!(step.notes.len(), 1);
    assert!(step.notes[0].starts_with("needs Route 53's control plane in us-east-1"));
}

#[test]
fn runbooks_catch_the_outage_and_warn() {
    let (plan, err) = run_down(
        r#"try {
    print(desired(asg("web-asg", "us-east-1")));
} catch (err) {
    if err.code != "ripcord::unreachable" { throw err; }
    warn(err);
}
scale(asg("dr-web-asg", "us-west-2"), #{ min: 2, max: 5, desired: 4 });"#,
        &["us-east-1"],
        true,
    );
    assert!(err.is_none(), "{err:?}");
    assert_eq!(operations(&plan), ["UpdateAutoScalingGroup"]);
    let warned = warnings(&plan);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("us-east-1 does not answer"),
        "{warned:?}"
    );
}

#[test]
fn stdlib_outage_goes_on_only_for_the_outage() {
    let script = r#"import "ripcord/outage" as outage;
let hc = health_check("ECommerce-Primary-HealthCheck");
outage::verify_or_warn("web-asg's size", || { if desired(asg("web-asg", "us-east-1")) < 2 { throw "too small"; } });
outage::move_traffic("www.example.com", || invert_health_check(hc));
scale(asg("dr-web-asg", "us-west-2"), #{ min: 2, max: 5, desired: 4 });"#;
    let (plan, err) = run_down(script, &["us-east-1"], false);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(operations(&plan), ["UpdateAutoScalingGroup"]);
    let warned = warnings(&plan);
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(warned[0].starts_with("web-asg's size not verified: autoscaling DescribeAutoScalingGroups failed: RegionUnreachable: us-east-1 does not answer"), "{warned:?}");
    assert!(warned[1].starts_with("traffic for www.example.com not moved: route53 UpdateHealthCheck failed: ControlPlaneUnreachable: Route 53's control plane (us-east-1) does not answer"), "{warned:?}");

    // Healthy: the check runs, the change is sent, nothing is warned.
    let (plan, err) = run_down(script, &[], false);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        operations(&plan),
        ["UpdateHealthCheck", "UpdateAutoScalingGroup"]
    );
    assert!(warnings(&plan).is_empty());

    // Any other failure still stops the run, with its own code.
    let (_, err) = run_down(
        r#"import "ripcord/outage" as outage;
outage::verify_or_warn("a missing group", || desired(asg("nope", "us-west-2")));"#,
        &["us-east-1"],
        false,
    );
    let err = err.expect("not an outage");
    assert_eq!(err.code, "ripcord::not_found");
}

/// The bundled e-commerce failover, planned against `world`.
fn plan_failover(world: Inventory) -> (Plan, Option<RunbookError>) {
    let path = workspace().join("runbooks/ecommerce/failover.rhai");
    let source = std::fs::read_to_string(&path).expect("the runbook reads");
    let mut interp = Interpreter::new("runbooks/ecommerce/failover.rhai");
    let runbook = interp.compile(&source).expect("compiles");
    let result = interp.run(&runbook, Box::new(SimBackend::new(world)), None);
    (result.plan, result.error)
}

/// What two plans must agree on: each step's operation, target, region, changes, and whether
/// it warns (a warning's text names its reason, which differs between `--down` and a capture).
fn step_lines(plan: &Plan) -> Vec<String> {
    plan.steps()
        .map(|s| {
            format!(
                "{} {:?} {:?} {:?} warns:{} notes:{:?}",
                s.operation,
                s.target,
                s.region,
                s.changes,
                s.warnings.len(),
                s.notes
            )
        })
        .collect()
}

#[test]
fn a_capture_without_the_primary_plans_as_an_outage_of_it() {
    let (full, _) = Inventory::load(&workspace().join("runbooks/ecommerce/inventory.yaml"))
        .expect("the e-commerce world loads");

    // plan --down us-east-1 --global-up against the whole world.
    let mut down = full.clone();
    down.unreachable = ripcord_core::Outage::from_flags(&["us-east-1".to_string()], true);
    let (down_plan, err) = plan_failover(down);
    assert!(err.is_none(), "{err:?}");

    // A capture that could not read us-east-1: no resources there, its bucket's replication
    // unread, the global cluster as DescribeGlobalClusters (answered from us-west-2) reports it.
    let mut captured = full.clone();
    captured.regions.remove("us-east-1");
    for bucket in &mut captured.buckets {
        if bucket.region == "us-east-1" {
            bucket.replication = None;
        }
    }
    captured.unreachable = vec![ripcord_core::inventory::Unreachable::region(
        "us-east-1",
        "did not answer at capture: ec2 DescribeAvailabilityZones: DispatchFailure: connection refused",
    )];
    captured
        .validate("captured.json")
        .expect("a partial capture is a valid inventory");
    let (captured_plan, err) = plan_failover(captured);
    assert!(err.is_none(), "{err:?}");

    assert_eq!(step_lines(&captured_plan), step_lines(&down_plan));
    let operations = operations(&down_plan);
    assert_eq!(
        operations,
        [
            "approve",
            "UpdateAutoScalingGroup",
            "DescribeAutoScalingGroups",
            "UpdateAutoScalingGroup",
            "DescribeAutoScalingGroups",
            "RemoveFromGlobalCluster",
            "DescribeDBClusters",
            "UpdateHealthCheck",
            "Publish"
        ],
        "no readiness check is sent to us-east-1"
    );
    // The unverified replication, and the source document's disable step that Route 53 ignores.
    let warned = warnings(&down_plan);
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(warned[0]
        .starts_with("S3 replication of product-images-bucket into us-west-2 not verified"));
}

#[test]
fn an_import_does_not_start_or_end_the_runbook_for_the_debugger() {
    use ripcord_interp::debug::{Paused, StopKind};
    let mut interp = Interpreter::new("test.rhai");
    let runbook = interp
        .compile(
            r#"import "ripcord/outage" as outage;
scale(asg("dr-web-asg", "us-west-2"), #{ min: 2, max: 5, desired: 3 });"#,
        )
        .expect("compiles");
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let s = seen.clone();
    interp.set_debug_hook(Some(Box::new(move |paused: &mut dyn Paused| {
        let label = match paused.kind() {
            StopKind::Start => "start".to_string(),
            StopKind::End => "end".to_string(),
            StopKind::Call { primitive, .. } => primitive.clone(),
            StopKind::Statement => return,
        };
        s.borrow_mut()
            .push(format!("{label} {}", paused.origin().file));
    })));
    let result = interp.run(
        &runbook,
        Box::new(SimBackend::new(example_inventory())),
        None,
    );
    assert!(result.error.is_none(), "{:?}", result.error);
    // Before the fix, the module's own end came first and the REPL took it for the runbook's.
    assert_eq!(
        *seen.borrow(),
        ["start test.rhai", "scale test.rhai", "end test.rhai"]
    );
}

#[test]
fn flip_dns_batch_is_one_step_of_one_zone() {
    let plan = run_ok(
        r#"let z = zone("example.com");
let change = flip_dns_batch([
    #{ record: record(z, "status.example.com", "CNAME"), values: ["status-dr.example.net"], ttl: 60 },
    #{ record: record(z, "api.example.com", "A"), values: ["203.0.113.20"] },
]);
wait(change, "in_sync", "5m");"#,
    );
    assert_eq!(operations(&plan), ["ChangeResourceRecordSets", "GetChange"]);
    let step = plan.steps().next().expect("the batch's step");
    assert_eq!(step.changes.len(), 4, "{:?}", step.changes);
    assert_eq!(step.changes[0].field, "status.example.com CNAME Values");
    assert_eq!(step.changes[2].field, "api.example.com A Values");
    // The default TTL of flip_dns holds for each change.
    assert_eq!(step.changes[3].after.as_deref(), Some("300"));

    let err = run_err(r#"flip_dns_batch([]);"#);
    assert_eq!(err.code, "ripcord::invalid_value");
    let err = run_err(r#"flip_dns_batch([1]);"#);
    assert!(err
        .message
        .contains("change 1 of `flip_dns_batch` must be an object map"));
    let err = run_err(r#"flip_dns_batch([#{ values: ["203.0.113.20"] }]);"#);
    assert!(err.message.contains("needs `record`"), "{}", err.message);
    let err = run_err(
        r#"flip_dns_batch([#{ record: record(zone("example.com"), "a.example.com", "A"), valeus: ["1.2.3.4"] }]);"#,
    );
    assert!(err.help.unwrap().contains("did you mean `values`"));
    let err = run_err(
        r#"flip_dns_batch([
    #{ record: record(zone("example.com"), "a.example.com", "A"), values: ["192.0.2.1"] },
    #{ record: record(zone("example.org"), "b.example.org", "A"), values: ["192.0.2.2"] },
]);"#,
    );
    assert!(err.message.contains("one hosted zone"), "{}", err.message);
    // A record set twice: Route 53's rejection of the whole batch, in the dry-run.
    let err = run_err(
        r#"let r = record(zone("example.com"), "a.example.com", "A");
flip_dns_batch([#{ record: r, values: ["192.0.2.1"] }, #{ record: r, values: ["192.0.2.2"] }]);"#,
    );
    assert_eq!(err.code, "ripcord::aws::InvalidChangeBatch");
}
