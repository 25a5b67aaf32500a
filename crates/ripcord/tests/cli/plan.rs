//! Plan goldens for every runbook, exit codes, diagnostics, inventory errors, output options.
//!
//! Goldens live in tests/golden/ at the workspace root; regenerate them with
//! `RIPCORD_BLESS=1 cargo test -p ripcord --test cli` and review the diff.

use super::{ripcord, stderr, stdout, workspace};
use std::path::Path;
use std::process::Command;

const BLESS: &str = "RIPCORD_BLESS";

/// Compares `actual` with the golden file (after its one header line), or rewrites it.
pub(crate) fn golden(name: &str, actual: &str) {
    let path = workspace().join("tests/golden").join(name);
    let header =
        format!("# golden: {name} (regenerate: {BLESS}=1 cargo test -p ripcord --test cli)\n");
    if std::env::var_os(BLESS).is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{header}{actual}")).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden {}; run with {BLESS}=1", path.display()));
    let expected = expected
        .split_once('\n')
        .map(|(_, rest)| rest)
        .unwrap_or("");
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  golden: {e}\n  actual: {a}", i + 2))
            .collect();
        panic!(
            "{name} differs from its golden ({} vs {} lines); first differences:\n{}\nregenerate with {BLESS}=1 if the change is intended",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

pub fn runbooks() -> Vec<String> {
    let mut found = Vec::new();
    fn walk(dir: &Path, root: &Path, found: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, found);
            } else if path.extension().is_some_and(|e| e == "rhai") {
                found.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let root = workspace();
    walk(&root.join("runbooks"), &root, &mut found);
    found
}

/// Every `examples/*.rhai`, sorted: each is checked and planned against examples/inventory.yaml.
fn examples() -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(workspace().join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .map(|p| format!("examples/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    found.sort();
    found
}

fn golden_name(runbook: &str, ext: &str) -> String {
    let stem = runbook
        .trim_start_matches("runbooks/")
        .trim_end_matches(".rhai")
        .replace('/', "__");
    format!("{stem}.{ext}")
}

#[test]
fn every_runbook_plans_and_matches_its_goldens() {
    let runbooks = runbooks();
    assert!(runbooks.len() >= 5, "runbooks: {runbooks:?}");
    for runbook in &runbooks {
        let text = ripcord(&["plan", runbook]);
        assert!(text.status.success(), "{runbook}: {}", stderr(&text));
        golden(&golden_name(runbook, "txt"), &stdout(&text));

        let json = ripcord(&["plan", runbook, "--format", "json"]);
        assert!(json.status.success(), "{runbook}: {}", stderr(&json));
        let plan: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(plan["schema_version"], 1);
        assert!(
            plan["counts"]["steps"].as_u64().unwrap() > 0,
            "{runbook} plans no step"
        );
        golden(&golden_name(runbook, "json"), &stdout(&json));
    }
}

/// A Route 53 change batch (`flip_dns_batch`) is one call with each record's before -> after,
/// in every format.
#[test]
fn a_dns_batch_plan_matches_its_goldens() {
    let runbook = "examples/dns-batch.rhai";
    for (format, ext) in [("text", "txt"), ("json", "json"), ("markdown", "md")] {
        let out = ripcord(&["plan", runbook, "--format", format]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        golden(&format!("examples__dns-batch.{ext}"), &stdout(&out));
    }
}

#[test]
fn failover_markdown_golden_and_summary() {
    let md = ripcord(&[
        "plan",
        "runbooks/ecommerce/failover.rhai",
        "--format",
        "markdown",
    ]);
    assert!(md.status.success(), "{}", stderr(&md));
    golden("ecommerce__failover.md", &stdout(&md));

    let summary = ripcord(&["plan", "runbooks/ecommerce/failover.rhai", "--summary"]);
    assert!(summary.status.success());
    let text = stdout(&summary);
    assert!(text.lines().count() < 25, "summary too long:\n{text}");
    assert!(text.contains("UpdateAutoScalingGroup"), "{text}");
}

#[test]
fn the_failover_plan_shows_what_a_reviewer_needs() {
    let out = ripcord(&["plan", "runbooks/ecommerce/failover.rhai"]);
    let text = stdout(&out);
    for needle in [
        "UpdateAutoScalingGroup",
        "dr-web-asg",
        "2 -> 4",
        "RemoveFromGlobalCluster",
        "UpdateHealthCheck",
        "ECommerce-Primary-HealthCheck",
        "Publish",
        "failover.rhai:",
        "RTO",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "no colour without a terminal");
}

#[test]
fn colour_only_when_asked() {
    let out = ripcord(&[
        "--color",
        "always",
        "plan",
        "runbooks/ecommerce/failover.rhai",
    ]);
    assert!(stdout(&out).contains('\u{1b}'));
}

#[test]
fn output_file_and_explicit_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plan.json");
    let out = ripcord(&[
        "plan",
        "runbooks/ecommerce/failover.rhai",
        "--inventory",
        "runbooks/ecommerce/inventory.yaml",
        "-f",
        "json",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(
        plan["inventory"]["path"],
        "runbooks/ecommerce/inventory.yaml"
    );
}

#[test]
fn check_passes_the_bundled_runbooks_and_examples() {
    for runbook in runbooks() {
        let out = ripcord(&["check", &runbook]);
        assert!(out.status.success(), "{runbook}: {}", stderr(&out));
        assert!(stdout(&out).contains("ok"));
    }
    let examples = examples();
    assert!(examples.len() >= 6, "examples: {examples:?}");
    for example in &examples {
        let example = example.as_str();
        let out = ripcord(&["check", example]);
        assert!(out.status.success(), "{example}: {}", stderr(&out));
        let plan = ripcord(&["plan", example, "--inventory", "examples/inventory.yaml"]);
        assert!(plan.status.success(), "{example}: {}", stderr(&plan));
    }
}

fn write_temp(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn check_reports_errors_with_file_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let runbook = write_temp(
        dir.path(),
        "bad.rhai",
        "runbook(#{ name: \"bad\" });\nlet web = asg(\"dr-web-asg\", \"us-west-2\");\nscal(web, #{ desired: 3 });\n",
    );
    let out = ripcord(&["check", &runbook]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("ripcord::unknown_function"), "{err}");
    assert!(err.contains("bad.rhai:3:1"), "{err}");
    assert!(err.contains("did you mean `scale`"), "{err}");
}

#[test]
fn plan_rejection_exits_1_with_the_aws_error_and_partial_plan() {
    let dir = tempfile::tempdir().unwrap();
    let runbook = write_temp(
        dir.path(),
        "too-big.rhai",
        "runbook(#{ name: \"too-big\" });\nscale(asg(\"dr-web-asg\", \"us-west-2\"), #{ desired: 3 });\nscale(asg(\"dr-web-asg\", \"us-west-2\"), #{ desired: 40 });\n",
    );
    let out = ripcord(&["plan", &runbook, "--inventory", "examples/inventory.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("ripcord::aws::ValidationError"), "{err}");
    assert!(err.contains("too-big.rhai:3:1"), "{err}");
    let text = stdout(&out);
    assert!(
        text.contains("2 -> 3"),
        "the partial plan is shown:\n{text}"
    );
}

#[test]
fn syntax_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let runbook = write_temp(dir.path(), "syntax.rhai", "let x = ;\n");
    let out = ripcord(&["plan", &runbook, "--inventory", "examples/inventory.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ripcord::syntax"));
}

#[test]
fn bad_inputs_exit_3_naming_the_problem() {
    let out = ripcord(&["plan", "runbooks/does-not-exist.rhai"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("cannot read runbook"));

    let dir = tempfile::tempdir().unwrap();
    let runbook = write_temp(dir.path(), "lonely.rhai", "runbook(#{});\n");
    let out = ripcord(&["plan", &runbook]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("lonely.inventory.yaml"),
        "{}",
        stderr(&out)
    );

    let inventory = write_temp(
        dir.path(),
        "broken.yaml",
        "version: 1\ncaptured_at: 2026-11-24T03:00:00Z\nregions:\n  us-west-2:\n    auto_scaling_groups:\n      - { name: web, min_size: 1, max_size: 2 }\n",
    );
    let out = ripcord(&["plan", "examples/scale-up.rhai", "--inventory", &inventory]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("regions.us-west-2.auto_scaling_groups[0]"),
        "{err}"
    );
    assert!(err.contains("desired_capacity"), "{err}");

    let inventory = write_temp(
        dir.path(),
        "wrong.json",
        "{\"version\": 1, \"captured_at\": \"2026-11-24T03:00:00Z\", \"regions\": {\"us-west-2\": {\"auto_scaling_groups\": [{\"name\": \"web\", \"min_size\": 3, \"max_size\": 2, \"desired_capacity\": 2}]}}}",
    );
    let out = ripcord(&["plan", "examples/scale-up.rhai", "--inventory", &inventory]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("min_size 3"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2() {
    let out = ripcord(&["plan"]);
    assert_eq!(out.status.code(), Some(2));
    let out = ripcord(&["plan", "x.rhai", "--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
    // Renamed: to a Terraform user --auto-approve only skips the confirmation, which in
    // ripcord is --yes; it is refused before anything is read, saying both.
    let out = ripcord(&["apply", "x.rhai", "--yes", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--auto-approve is now --approve-gates"),
        "{err}"
    );
    assert!(err.contains("(ripcord's --yes)"), "{err}");
}

#[test]
fn the_dry_run_path_has_no_network_or_aws_dependency() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "ripcord-interp",
            "-p",
            "ripcord-sim",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let tree = stdout(&out);
    assert!(
        tree.contains("ripcord-sim") && tree.contains("rhai"),
        "{tree}"
    );
    for forbidden in ["aws-sdk", "aws-config", "hyper ", "reqwest", "tokio "] {
        assert!(
            !tree.contains(forbidden),
            "the dry-run path depends on {forbidden}:\n{tree}"
        );
    }
}

#[test]
fn only_apply_and_capture_reach_the_live_backend() {
    // Structural: the live backend is built in live.rs alone, and only the live commands call
    // it: apply, capture, the REPL (its --live mode), and Step Functions' deploy, apply
    // --engine step-functions and approve.
    let src = workspace().join("crates/ripcord/src");
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        if text.contains("ripcord_aws") {
            assert_eq!(name, "live.rs", "{name} names the live backend crate");
        }
        if text.contains("live::backend") {
            assert!(
                [
                    "apply.rs",
                    "capture.rs",
                    "repl.rs",
                    "deploy.rs",
                    "sfn_apply.rs",
                    "approve.rs"
                ]
                .contains(&name.as_str()),
                "{name} builds a live backend"
            );
        }
    }
    for dry in ["plan.rs", "check.rs", "prepare.rs", "world_file.rs"] {
        let text = std::fs::read_to_string(src.join(dry)).unwrap();
        assert!(
            !text.contains("live::") && !text.contains("ripcord_aws"),
            "{dry} reaches the live backend"
        );
    }
}

/// The plans of an outage of us-east-1 (docs/simulation.md, "Outages"): the bundled failovers
/// and the stdlib strategies, with Route 53's control plane down too (the default) and up
/// (`--global-up`). The e-commerce failover and the pilot-light ignition stop at their Route
/// 53 step without it, and complete with it; the strategy examples complete either way.
#[test]
fn outage_plans_match_their_goldens() {
    let cases: &[(&str, &[&str], bool)] = &[
        ("runbooks/ecommerce/failover.rhai", &[], false),
        ("runbooks/ecommerce/failover.rhai", &["--global-up"], true),
        ("runbooks/pilot-light/ignite.rhai", &[], false),
        ("runbooks/pilot-light/ignite.rhai", &["--global-up"], true),
        ("examples/warm-standby.rhai", &[], true),
        ("examples/active-active.rhai", &[], true),
        ("examples/ecs-failover.rhai", &[], true),
        // Weights cannot be shifted without Route 53's control plane: the run warns and
        // goes on (the weighted sets carry health checks), and completes either way.
        ("runbooks/active-active/evacuate.rhai", &[], true),
        (
            "runbooks/active-active/evacuate.rhai",
            &["--global-up"],
            true,
        ),
    ];
    for &(runbook, extra, completes) in cases {
        let mut args = vec!["plan", runbook, "--down", "us-east-1", "--color", "never"];
        if runbook.starts_with("examples/") {
            args.extend(["--inventory", "examples/inventory.yaml"]);
        }
        args.extend(extra);
        let out = ripcord(&args);
        let suffix = if extra.is_empty() {
            "down-us-east-1"
        } else {
            "down-us-east-1.global-up"
        };
        let name = golden_name(runbook, "txt")
            .replace("examples/", "examples__")
            .replace(".txt", &format!(".{suffix}.txt"));
        if completes {
            assert!(
                out.status.success(),
                "{runbook} {extra:?}: {}",
                stderr(&out)
            );
        } else {
            assert_eq!(out.status.code(), Some(1), "{runbook}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(err.contains("ripcord::unreachable"), "{runbook}: {err}");
            assert!(err.contains("ControlPlaneUnreachable"), "{err}");
        }
        let text = stdout(&out);
        assert!(
            text.contains("! Unreachable: us-east-1: down for this plan (--down us-east-1)"),
            "{text}"
        );
        golden(&name, &text);
    }
}
