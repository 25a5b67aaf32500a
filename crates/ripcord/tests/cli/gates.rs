//! The pipeline's contract (issue 13): `check` over files and directories in text, JSON and
//! GitHub workflow commands; `plan`'s exit codes 7 (over the RTO) and 8 (warnings, opt-in).

use super::plan::golden;
use super::{ripcord, stderr, stdout, workspace};
use std::path::Path;

/// A runbook with an unknown function on line 3 and one that does not declare itself.
fn broken(dir: &Path) {
    std::fs::write(
        dir.join("bad.rhai"),
        "runbook(#{ name: \"bad\" });\nlet web = asg(\"dr-web-asg\", \"us-west-2\");\nscal(web, #{ desired: 3 });\n",
    )
    .unwrap();
    std::fs::create_dir(dir.join("more")).unwrap();
    std::fs::write(
        dir.join("more/undeclared.rhai"),
        "let web = asg(\"dr-web-asg\", \"us-west-2\");\nscale(web, #{ desired: 3 });\n",
    )
    .unwrap();
    std::fs::write(dir.join("more/notes.txt"), "not a runbook").unwrap();
}

fn rhai_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                rhai_files(&p)
            } else {
                usize::from(p.extension().is_some_and(|e| e == "rhai"))
            }
        })
        .sum()
}

#[test]
fn check_takes_directories_and_modules_pass_clean() {
    let out = ripcord(&["check", "runbooks/", "stdlib/", "examples/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files: usize = ["runbooks", "stdlib", "examples"]
        .iter()
        .map(|d| rhai_files(&workspace().join(d)))
        .sum();
    let said = stdout(&out);
    assert_eq!(said.lines().count(), files, "{said}");
    // Modules define functions for runbooks to import: nothing to declare, no warning.
    assert!(
        said.contains("stdlib/outage.rhai: ok (0 warning(s))"),
        "{said}"
    );
    assert!(
        stderr(&out).contains(&format!(
            "checked {files} file(s): 0 error(s), 0 warning(s)"
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_annotates_github_pull_requests_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    broken(dir.path());
    let root = dir.path().display().to_string();
    let out = ripcord(&["check", &root, "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = [
        format!("::error file={root}/bad.rhai,line=3,col=1,title=ripcord%3A%3Aunknown_function::unknown function `scal`%0Ahelp: did you mean `scale`? (docs/reference.md lists the primitives)"),
        format!("::warning file={root}/more/undeclared.rhai,line=1,col=1,title=ripcord%3A%3Aundeclared::the runbook does not declare itself%0Ahelp: start with runbook(#{{ name: \"...\", rto: \"15m\", rpo: \"5m\" }}) so plans can be checked against the RTO"),
    ];
    let said = stdout(&out);
    assert_eq!(said.lines().collect::<Vec<_>>(), expected, "{said}");
    assert!(
        stderr(&out).contains("checked 2 file(s): 1 error(s), 1 warning(s)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_json_lists_every_problem_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    broken(dir.path());
    let root = dir.path().display().to_string();
    let out = ripcord(&["check", &root, "-f", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["warnings"], 1);
    assert_eq!(
        doc["files"],
        serde_json::json!([
            format!("{root}/bad.rhai"),
            format!("{root}/more/undeclared.rhai")
        ])
    );
    let error = &doc["problems"][0];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["code"], "ripcord::unknown_function");
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(error["file"], format!("{root}/bad.rhai"));
    assert!(error["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `scale`"));
    assert_eq!(doc["problems"][1]["code"], "ripcord::undeclared");
}

#[test]
fn warnings_fail_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    broken(dir.path());
    let undeclared = dir
        .path()
        .join("more/undeclared.rhai")
        .display()
        .to_string();
    assert_eq!(ripcord(&["check", &undeclared]).status.code(), Some(0));
    let strict = ripcord(&["check", &undeclared, "--fail-on-warnings"]);
    assert_eq!(strict.status.code(), Some(8), "{}", stderr(&strict));
    let missing = ripcord(&["check", "runbooks/", "no/such/dir"]);
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("no/such/dir"),
        "{}",
        stderr(&missing)
    );

    // The e-commerce failover's plan warns (see its golden): a gate only with the flag.
    let failover = "runbooks/ecommerce/failover.rhai";
    assert_eq!(ripcord(&["plan", failover]).status.code(), Some(0));
    let gated = ripcord(&["plan", failover, "--fail-on-warnings", "--summary"]);
    assert_eq!(gated.status.code(), Some(8), "{}", stderr(&gated));
    assert!(
        stderr(&gated).contains("the plan has 1 warning(s) and --fail-on-warnings is set"),
        "{}",
        stderr(&gated)
    );
}

#[test]
fn a_plan_over_its_rto_exits_7_and_a_failing_one_still_1() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(workspace().join("runbooks/ecommerce/failover.rhai"))
        .unwrap()
        .replacen("rto: \"15m\"", "rto: \"1m\"", 1);
    let tight = dir.path().join("tight.rhai");
    std::fs::write(&tight, text).unwrap();
    let inventory = "runbooks/ecommerce/inventory.yaml";
    let out = ripcord(&[
        "plan",
        tight.to_str().unwrap(),
        "-i",
        inventory,
        "--fail-on-warnings",
    ]);
    // Over the RTO outranks warnings; the plan is still printed for the reviewer.
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("exceeds the objective by 2m 04s."),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("the estimated total exceeds the runbook's RTO by 2m 04s (exit 7)"),
        "{}",
        stderr(&out)
    );

    // A plan that stops on a rejection is exit 1, whatever its RTO.
    let failing = dir.path().join("failing.rhai");
    let text = std::fs::read_to_string(&tight).unwrap()
        + "scale(asg(\"no-such-asg\", \"us-west-2\"), #{ desired: 1 });\n";
    std::fs::write(&failing, text).unwrap();
    let out = ripcord(&["plan", failing.to_str().unwrap(), "-i", inventory]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("exit 7"), "{}", stderr(&out));
}

/// The reviewer's view of a change: the base branch's saved plan against the new runbook.
#[test]
fn plan_compare_shows_what_a_change_does_to_the_failover() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let failover = "runbooks/ecommerce/failover.rhai";
    let inventory = "runbooks/ecommerce/inventory.yaml";
    let out = ripcord(&["plan", failover, "-f", "json", "-o", base.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Nothing changed: nothing to review.
    let same = ripcord(&["plan", failover, "--compare", base.to_str().unwrap()]);
    assert!(same.status.success(), "{}", stderr(&same));
    assert!(
        stdout(&same).contains("No step changed."),
        "{}",
        stdout(&same)
    );

    // A bigger web tier, a tighter RTO, the health check step gone.
    let text = std::fs::read_to_string(workspace().join(failover))
        .unwrap()
        .replacen(
            "min: 4, max: 10, desired: 4",
            "min: 4, max: 10, desired: 6",
            1,
        )
        .replacen("rto: \"15m\"", "rto: \"10m\"", 1)
        .replacen("disable_health_check(primary_check);\n", "", 1);
    let head = dir.path().join("failover.rhai");
    std::fs::write(&head, text).unwrap();
    let root = dir.path().display().to_string();
    let compare = |format: &str| {
        let out = ripcord(&[
            "plan",
            head.to_str().unwrap(),
            "-i",
            inventory,
            "--compare",
            base.to_str().unwrap(),
            "-f",
            format,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).replace(&root, "TMP")
    };
    golden("ecommerce__failover.compare.txt", &compare("text"));
    golden("ecommerce__failover.compare.md", &compare("markdown"));
    let doc: serde_json::Value = serde_json::from_str(&compare("json")).unwrap();
    assert_eq!(doc["base"]["rto_secs"], 900);
    assert_eq!(doc["head"]["rto_secs"], 600);
    assert_eq!(doc["unchanged"], 7);
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{doc:#}");
    assert_eq!(changes[0]["change"], "changed");
    assert_eq!(
        changes[0]["differences"][0],
        serde_json::json!({"field": "DesiredCapacity", "base": "4", "head": "6"})
    );
    assert_eq!(changes[1]["change"], "removed");
    assert!(changes[1]["step"]
        .as_str()
        .unwrap()
        .contains("UpdateHealthCheck"));

    // A base that is not a plan is a bad input, named.
    let out = ripcord(&["plan", failover, "--compare", inventory]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a plan in JSON"),
        "{}",
        stderr(&out)
    );
}

/// Copies the files under `from` (runbooks and their inventories) to `to`, keeping paths.
fn copy_runbooks(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_runbooks(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The example workflow's commands (examples/ci/ripcord-pr.sh), as a pull request that grows
/// the web tier from 3 to 4 would run them: annotations on stdout, one comment with its
/// marker, the comparison and the plan, and the plan's gate as the exit code.
#[test]
fn the_example_pull_request_workflow_runs() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    for folder in ["runbooks", "stdlib"] {
        std::fs::create_dir_all(base.join(folder)).unwrap();
        copy_runbooks(&workspace().join(folder), &base.join(folder));
    }
    let failover = base.join("runbooks/ecommerce/failover.rhai");
    let text = std::fs::read_to_string(&failover).unwrap();
    let smaller = text.replacen(
        "min: 4, max: 10, desired: 4",
        "min: 3, max: 10, desired: 3",
        1,
    );
    assert_ne!(text, smaller, "the base branch differs");
    std::fs::write(&failover, smaller).unwrap();

    let out_dir = dir.path().join("out");
    let run = std::process::Command::new("bash")
        .arg("examples/ci/ripcord-pr.sh")
        .arg(&base)
        .arg(&out_dir)
        .arg("runbooks/ecommerce/failover.rhai")
        .current_dir(workspace())
        .env("RIPCORD", env!("CARGO_BIN_EXE_ripcord"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // The failover's plan has a warning: the gate is 8.
    assert_eq!(run.status.code(), Some(8), "{}", stderr(&run));
    assert!(!stdout(&run).contains("::error"), "{}", stdout(&run));
    let comment = std::fs::read_to_string(out_dir.join("comment.md")).unwrap();
    assert_eq!(comment.lines().next(), Some("<!-- ripcord-plan -->"));
    assert!(
        comment.contains("`DesiredCapacity: 3 -> 4`<br>`MinSize: 3 -> 4`"),
        "the comparison with the base branch:\n{comment}"
    );
    assert!(
        comment.contains("**The plan has warnings** (exit 8)"),
        "{comment}"
    );
    assert!(
        comment.contains("\n### Plan for ecommerce-failover\n"),
        "the plan itself:\n{comment}"
    );

    // The workflow runs that script and finds its comment by the same marker.
    let workflow: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(workspace().join("examples/ci/ripcord.yml")).unwrap(),
    )
    .unwrap();
    let steps = workflow["jobs"]["failover"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter().any(|r| r.contains("examples/ci/ripcord-pr.sh")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("startswith(\"<!-- ripcord-plan -->\")")),
        "{runs:?}"
    );
}

/// Shell completions and the manual page come from the command line's one definition: every
/// subcommand and the newest flags are in them.
#[test]
fn completions_and_the_manual_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ripcord(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in [
            "apply",
            "plan",
            "check",
            "approve-gates",
            "compare",
            "fail-on-warnings",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = ripcord(&["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
    let man = ripcord(&["man"]);
    assert!(man.status.success(), "{}", stderr(&man));
    let page = stdout(&man);
    assert!(page.contains("\n.TH ripcord 1"), "{page}");
    for subcommand in [
        "check",
        "plan",
        "apply",
        "capture",
        // roff escapes the hyphen.
        "iam\\-policy",
        "export",
        "runs",
        "repl",
        "completions",
    ] {
        assert!(
            page.contains(subcommand),
            "the manual page lacks {subcommand}"
        );
    }
}
