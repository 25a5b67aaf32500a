//! `ripcord repl` driven through a pseudo-terminal: stepping, breakpoints, skip, the rest of
//! the plan, errors at the prompt, quitting with the journal checked; dry and live (moto).

use super::moto::Moto;
use super::term::Term;
use super::workspace;
use serde_json::Value;
use std::path::Path;

const FAILOVER: &str = "runbooks/ecommerce/failover.rhai";

/// A dry session of the e-commerce failover, its journal under `home`.
fn dry(home: &Path) -> Term {
    dry_with(home, &[])
}

fn dry_with(home: &Path, env: &[(&str, &str)]) -> Term {
    let runs = home.join("runs");
    let history = home.join("history");
    let mut term = Term::start(
        &[
            "repl",
            FAILOVER,
            "--runs-dir",
            runs.to_str().unwrap(),
            "--history",
            history.to_str().unwrap(),
        ],
        &workspace(),
        &[&[("HOME", home.to_str().unwrap())], env].concat(),
    );
    term.expect("dry-run: nothing is sent");
    term
}

/// The records of the only journal under `home/runs`.
pub(crate) fn journal(home: &Path) -> Vec<Value> {
    let runs = home.join("runs");
    let dirs: Vec<_> = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|dir| dir.join("journal.jsonl").is_file())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    std::fs::read_to_string(dirs[0].join("journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The operations of the journal's intents (and skips), in order.
fn operations(records: &[Value], kind: &str) -> Vec<String> {
    records
        .iter()
        .filter(|r| r["type"] == kind)
        .map(|r| {
            let intent = &r["intent"];
            match intent["type"].as_str().unwrap() {
                "call" => intent["call"]["operation"].as_str().unwrap().to_string(),
                other => other.to_string(),
            }
        })
        .collect()
}

#[test]
fn stepping_the_whole_failover_shows_every_call_before_it_runs() {
    let home = tempfile::tempdir().unwrap();
    // A listener that counts connections stands where AWS would be: a dry session sends nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut term = dry_with(
        home.path(),
        &[
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    // Paused before the first primitive call, shown as `plan` shows it, source line marked.
    let first = term.expect("ripcord[dry-run]> ");
    assert!(first.contains("next: require_replication(...)"), "{first}");
    assert!(first.contains("check GetBucketReplication"), "{first}");
    assert!(
        first.contains(&format!(
            "→ {} │     require_replication(images, DR);",
            failover_line("require_replication(images, DR)")
        )),
        "{first}"
    );
    let expected = [
        ("approve(...)", "approval"),
        ("scale(...)", "UpdateAutoScalingGroup"),
        ("wait(...)", "wait DescribeAutoScalingGroups"),
        ("scale(...)", "UpdateAutoScalingGroup"),
        ("wait(...)", "wait DescribeAutoScalingGroups"),
        ("promote(...)", "RemoveFromGlobalCluster"),
        ("wait(...)", "wait DescribeDBClusters"),
        ("disable_health_check(...)", "UpdateHealthCheck"),
        ("notify(...)", "Publish"),
    ];
    for (number, (primitive, operation)) in expected.iter().enumerate() {
        term.line("step");
        let shown = term.expect("ripcord[dry-run]> ");
        assert!(
            shown.contains(&format!("next: {primitive}")),
            "step {}: {shown}",
            number + 2
        );
        assert!(shown.contains(operation), "step {}: {shown}", number + 2);
        // The step before it ran, in the simulation.
        assert!(shown.contains("✓ "), "{shown}");
    }
    // before -> after of the promotion was shown before it ran
    assert!(term
        .seen
        .contains("GlobalClusterMember  ecommerce-global -> (none)"));
    term.line("step");
    term.expect("the runbook has run to its end");
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(
        out.contains("session summary: 10 step(s) done, 0 skipped"),
        "{out}"
    );

    let records = journal(home.path());
    assert_eq!(records[0]["mode"], "repl-dry-run");
    assert_eq!(
        operations(&records, "intent"),
        [
            "check",
            "approval",
            "UpdateAutoScalingGroup",
            "wait",
            "UpdateAutoScalingGroup",
            "wait",
            "RemoveFromGlobalCluster",
            "wait",
            "UpdateHealthCheck",
            "Publish"
        ]
    );
    assert_eq!(records.last().unwrap()["status"], "completed");
    assert!(
        listener.accept().is_err(),
        "the dry session connected to the endpoint"
    );
}

#[test]
fn a_breakpoint_on_promote_stops_there_and_plan_shows_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let mut term = dry(home.path());
    term.expect("ripcord[dry-run]> ");
    term.line("break promote");
    term.expect("breakpoint 1: every promote(...)");
    term.expect("ripcord[dry-run]> ");
    term.line("continue");
    // approve() always stops, breakpoint or not.
    let at_approval = term.expect("ripcord[dry-run]> ");
    assert!(at_approval.contains("next: approve(...)"), "{at_approval}");
    term.line("c");
    let at_promote = term.expect("ripcord[dry-run]> ");
    assert!(at_promote.contains("next: promote(...)"), "{at_promote}");
    assert!(
        at_promote.contains("RemoveFromGlobalCluster"),
        "{at_promote}"
    );
    let promote = failover_line("promote(global_db, dr_db)");
    assert!(
        at_promote.contains(&format!("→ {promote} │")),
        "{at_promote}"
    );
    // Both scalings ran before it (branches 1 and 2 of the parallel group).
    assert_eq!(
        at_promote
            .matches("✓ autoscaling UpdateAutoScalingGroup")
            .count(),
        2
    );

    // The rest of the plan from the middle of the parallel group.
    term.line("plan");
    let rest = term.expect("more step(s)");
    assert!(
        rest.contains("the rest of the plan from here (6 done"),
        "{rest}"
    );
    assert!(rest.contains("RemoveFromGlobalCluster"), "{rest}");
    assert!(rest.contains("UpdateHealthCheck"), "{rest}");
    assert!(rest.contains("Publish"), "{rest}");
    assert!(
        !rest.contains("UpdateAutoScalingGroup"),
        "already done:\n{rest}"
    );
    assert!(rest.contains("4 more step(s)"), "{rest}");
    term.expect("ripcord[dry-run]> ");

    term.line("where");
    let place = term.expect("ripcord[dry-run]> ");
    assert!(
        place.contains(&format!("failover.rhai:{promote}:9")),
        "{place}"
    );
    term.line("vars");
    let vars = term.expect("ripcord[dry-run]> ");
    assert!(
        vars.contains("db_cluster dr-aurora-cluster (us-west-2)"),
        "{vars}"
    );

    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(
        status.code(),
        Some(5),
        "quitting mid-run is a cancelled run:\n{out}"
    );
    assert!(
        out.contains("not done: the rest of the runbook, 4 step(s)"),
        "{out}"
    );
    let records = journal(home.path());
    assert_eq!(records.last().unwrap()["status"], "cancelled");
    assert!(!operations(&records, "intent").contains(&"RemoveFromGlobalCluster".to_string()));
    // `runs show` reads a session's journal as it reads an apply's.
    let id = records[0]["run_id"].as_str().unwrap();
    let runs = home.path().join("runs");
    let shown = super::ripcord(&["runs", "show", id, "--runs-dir", runs.to_str().unwrap()]);
    let shown = super::stdout(&shown);
    assert!(shown.contains("UpdateAutoScalingGroup"), "{shown}");
    assert!(shown.contains("Cancelled after"), "{shown}");
}

#[test]
fn skip_does_not_send_the_call_and_the_journal_says_so() {
    let home = tempfile::tempdir().unwrap();
    let mut term = dry(home.path());
    term.expect("ripcord[dry-run]> ");
    let disable = failover_line("disable_health_check(primary_check)");
    term.line(&format!("break {disable}"));
    term.expect(&format!("breakpoint 1: line {disable}"));
    term.expect("ripcord[dry-run]> ");
    term.line("c");
    term.expect("next: approve(...)");
    term.expect("ripcord[dry-run]> ");
    term.line("skip");
    let refused = term.expect("ripcord[dry-run]> ");
    assert!(
        refused.contains("an approval cannot be skipped"),
        "{refused}"
    );
    term.line("c");
    let at = term.expect("ripcord[dry-run]> ");
    assert!(at.contains("next: disable_health_check(...)"), "{at}");
    assert!(at.contains("(breakpoint)"), "{at}");
    term.line("skip");
    let after = term.expect("ripcord[dry-run]> ");
    assert!(
        after.contains("skipped, not sent: route53 UpdateHealthCheck"),
        "{after}"
    );
    assert!(
        after.contains("next: notify(...)"),
        "the runbook goes on:\n{after}"
    );
    // The world did not change: the health check is still enabled.
    term.line(r#"disabled(health_check("ECommerce-Primary-HealthCheck"))"#);
    let value = term.expect("ripcord[dry-run]> ");
    assert!(value.contains("\nfalse"), "{value}");
    term.line("journal");
    let listed = term.expect("ripcord[dry-run]> ");
    assert!(listed.contains("skipped (not sent)"), "{listed}");
    term.line("c");
    term.expect("the runbook has run to its end");
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(out.contains("9 step(s) done, 1 skipped"), "{out}");
    let records = journal(home.path());
    assert_eq!(operations(&records, "skipped"), ["UpdateHealthCheck"]);
    assert!(!operations(&records, "intent").contains(&"UpdateHealthCheck".to_string()));
}

#[test]
fn bad_input_at_the_prompt_gets_a_diagnostic_and_the_session_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let mut term = dry(home.path());
    term.expect("ripcord[dry-run]> ");
    // A syntax error.
    term.line("let x = ;");
    let syntax = term.expect("ripcord[dry-run]> ");
    assert!(syntax.contains("<prompt>:1"), "{syntax}");
    // An unknown function, with a suggestion.
    term.line(r#"scal(asg("dr-web-asg", "us-west-2"), #{desired: 1})"#);
    let unknown = term.expect("ripcord[dry-run]> ");
    assert!(unknown.contains("did you mean `scale`?"), "{unknown}");
    // A primitive the world refuses, called by hand.
    term.line(r#"scale(asg("no-such-asg", "us-west-2"), #{desired: 1})"#);
    let refused = term.expect("ripcord[dry-run]> ");
    assert!(refused.contains("no-such-asg"), "{refused}");
    // Unknown commands' arguments.
    term.line("break nonsense");
    let bad = term.expect("ripcord[dry-run]> ");
    assert!(
        bad.contains("neither a line number nor a DR primitive"),
        "{bad}"
    );
    term.line("break 9999");
    let far = term.expect("ripcord[dry-run]> ");
    assert!(far.contains("no line 9999"), "{far}");
    term.line("break -1");
    let negative = term.expect("ripcord[dry-run]> ");
    assert!(
        negative.contains("`break` takes a line number or a DR primitive"),
        "{negative}"
    );
    // An operator on the wrong operands is not a misspelt function.
    term.line(r#""x" * 3"#);
    let operator = term.expect("ripcord[dry-run]> ");
    assert!(
        operator.contains("`*` does not apply to a string and an int"),
        "{operator}"
    );
    // Ctrl-C at the prompt clears the line; the session is still there.
    term.send(b"half a li\x03");
    term.expect("Ctrl-C clears the line");
    term.expect("ripcord[dry-run]> ");
    // Variables can be read and changed, and a multi-line block is one input.
    term.line("let count = 2;");
    term.expect("ripcord[dry-run]> ");
    term.send(b"if count > 1 {\r  count = count * 21;\r}\r");
    // Each continuation line has its `...> ` prompt; the block ends at `}`.
    term.expect("}\nripcord[dry-run]> ");
    term.line("count");
    let count = term.expect("ripcord[dry-run]> ");
    assert!(count.contains("\n42"), "{count}");
    // Nothing typed crashes it: odd code, odd commands, odd text.
    for (i, input) in [
        "}",
        // (`"dangling" +` alone is unfinished: it would continue on the next line.)
        "\"dangling\" + ;",
        "fn twice(x) { x * 2 }",
        "twice(21)",
        "eval(\"1\")",
        "loop { }",
        "throw \"on purpose\"",
        "délai = \"5m\"",
        "let émoji = \"🚨\"; émoji",
        "delete 99",
        "describe(asg(\"dr-web-asg\"))",
        "parallel([|| 1])",
        &"x".repeat(150),
    ]
    .iter()
    .enumerate()
    {
        term.line(input);
        // The editor redraws prompts while editing: a value printed on its own line is the
        // sure sign that the session took the input and is reading again.
        term.line(&format!("\"alive-{i}\""));
        term.expect(&format!("\n\"alive-{i}\"\n"));
    }
    term.line("1 + 1");
    term.expect("\n2\n");
    term.expect("ripcord[dry-run]> ");
    // Still stepping the runbook after all that; `next` runs to the next statement.
    term.line("next");
    let next = term.expect("ripcord[dry-run]> ");
    assert!(next.contains("next: approve(...)"), "{next}");
    term.line("n");
    let statement = term.expect("ripcord[dry-run]> ");
    assert!(statement.contains("paused at"), "{statement}");
    assert!(
        statement.contains(&format!("→ {} │ parallel([", failover_line("parallel(["))),
        "{statement}"
    );
    term.send(b"\x04");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(5), "{out}");
    assert!(out.contains("session summary"), "{out}");
}

/// A session without a runbook over the e-commerce inventory, its journal and history under
/// `home`.
fn empty_session(home: &Path) -> Term {
    let runs = home.join("runs");
    let history = home.join("history");
    Term::start(
        &[
            "repl",
            "--inventory",
            "runbooks/ecommerce/inventory.yaml",
            "--runs-dir",
            runs.to_str().unwrap(),
            "--history",
            history.to_str().unwrap(),
        ],
        &workspace(),
        &[("HOME", home.to_str().unwrap())],
    )
}

#[test]
fn an_empty_session_evaluates_rhai_and_calls_primitives_by_hand() {
    let home = tempfile::tempdir().unwrap();
    let mut term = empty_session(home.path());
    term.expect("empty session");
    term.expect("ripcord[dry-run]> ");
    // Tab completes resource names inside strings and function names outside.
    term.send(b"let web = asg(\"dr-w\t");
    term.expect("dr-web-asg");
    term.line(r#"", "us-west-2");"#);
    term.expect("ripcord[dry-run]> ");
    term.send(b"desi\t");
    term.expect("desired");
    term.line("(web)");
    let before = term.expect("ripcord[dry-run]> ");
    assert!(before.contains("\n2"), "{before}");
    term.line("scale(web, #{desired: 3})");
    let scaled = term.expect("ripcord[dry-run]> ");
    assert!(
        scaled.contains("✓ autoscaling UpdateAutoScalingGroup dr-web-asg"),
        "{scaled}"
    );
    term.line("step");
    let nothing = term.expect("ripcord[dry-run]> ");
    assert!(nothing.contains("nothing left to run"), "{nothing}");
    term.line("where");
    let nowhere = term.expect("ripcord[dry-run]> ");
    assert!(nowhere.contains("no runbook is running"), "{nowhere}");
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");
    let records = journal(home.path());
    assert_eq!(operations(&records, "intent"), ["UpdateAutoScalingGroup"]);
    // History persists across sessions.
    let history = std::fs::read_to_string(home.path().join("history")).unwrap();
    assert!(history.contains("scale(web, #{desired: 3})"), "{history}");
}

/// A live session against moto, with test credentials and fast polling.
pub(crate) fn live(runbook: &Path, home: &Path, moto: &Moto) -> Term {
    let mut term = live_at(runbook, home, &moto.url, &[]);
    term.expect("LIVE against account 123456789012");
    term
}

/// A live session of `runbook` talking to AWS at `endpoint` (moto, or a fault proxy in front
/// of it), with `extra` arguments.
pub(crate) fn live_at(runbook: &Path, home: &Path, endpoint: &str, extra: &[&str]) -> Term {
    let runs = home.join("runs");
    let history = home.join("history");
    let mut args = vec![
        "repl",
        runbook.to_str().unwrap(),
        "--live",
        "--runs-dir",
        runs.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    super::moto::term_env(&args, home, &[("AWS_ENDPOINT_URL", endpoint)])
}

pub(crate) const LIVE_PROMPT: &str = "ripcord[LIVE 123456789012]> ";

#[test]
fn live_failover_asks_before_each_call_and_skip_sends_nothing() {
    let moto = Moto::start();
    moto.seed(&workspace().join("runbooks/ecommerce/inventory.yaml"));
    let home = tempfile::tempdir().unwrap();
    let mut term = live(&workspace().join(FAILOVER), home.path(), &moto);
    let first = term.expect(LIVE_PROMPT);
    assert!(first.contains("next: require_replication(...)"), "{first}");
    term.line("continue");
    // approve() always stops; going on from its pause is the approval.
    let approval = term.expect(LIVE_PROMPT);
    assert!(approval.contains("next: approve(...)"), "{approval}");
    term.line("break promote");
    term.expect("breakpoint 1: every promote(...)");
    term.expect(LIVE_PROMPT);
    term.line("continue");
    // Every mutating call not confirmed at a pause is asked for, with its dry-run preview.
    for _ in 0..2 {
        let asked = term.expect("send this call to AWS");
        assert!(asked.contains("UpdateAutoScalingGroup"), "{asked}");
        term.expect("[n]o, stop the runbook: ");
        term.line("y");
    }
    // The breakpoint: shown at the pause, so `step` sends it without a second question.
    let at_promote = term.expect(LIVE_PROMPT);
    assert!(at_promote.contains("next: promote(...)"), "{at_promote}");
    assert!(
        at_promote.contains("GlobalClusterMember  ecommerce-global -> (none)"),
        "{at_promote}"
    );
    term.line("plan");
    let rest = term.expect("more step(s)");
    assert!(rest.contains("RemoveFromGlobalCluster"), "{rest}");
    assert!(rest.contains("4 more step(s)"), "{rest}");
    term.expect(LIVE_PROMPT);
    term.line("step");
    let at_wait = term.expect(LIVE_PROMPT);
    assert!(!at_wait.contains("send this call to AWS"), "{at_wait}");
    assert!(at_wait.contains("next: wait(...)"), "{at_wait}");
    term.line("continue");
    let asked = term.expect("send this call to AWS");
    assert!(asked.contains("UpdateHealthCheck"), "{asked}");
    term.expect("[n]o, stop the runbook: ");
    term.line("s");
    term.expect("skipped, not sent: route53 UpdateHealthCheck");
    let asked = term.expect("send this call to AWS");
    assert!(asked.contains("Publish"), "{asked}");
    term.expect("[n]o, stop the runbook: ");
    term.line("y");
    term.expect("the runbook has run to its end");
    term.expect(LIVE_PROMPT);
    // Queries at the prompt read the live state.
    term.line(r#"desired(asg("dr-web-asg", "us-west-2"))"#);
    let desired = term.expect(LIVE_PROMPT);
    assert!(desired.contains("\n4"), "{desired}");
    term.line(r#"disabled(health_check("ECommerce-Primary-HealthCheck"))"#);
    let disabled = term.expect(LIVE_PROMPT);
    assert!(
        disabled.contains("\nfalse"),
        "skipped, so never sent:\n{disabled}"
    );
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(0), "{out}");

    let records = journal(home.path());
    assert_eq!(records[0]["mode"], "repl");
    assert_eq!(records[0]["account"], "123456789012");
    let sent = operations(&records, "intent");
    assert!(
        sent.contains(&"RemoveFromGlobalCluster".to_string()),
        "{sent:?}"
    );
    assert!(sent.contains(&"Publish".to_string()), "{sent:?}");
    assert!(!sent.contains(&"UpdateHealthCheck".to_string()), "{sent:?}");
    assert_eq!(operations(&records, "skipped"), ["UpdateHealthCheck"]);
    // Live results carry AWS's request ids.
    assert!(records
        .iter()
        .any(|r| r["type"] == "result" && r["outcome"]["request_id"].is_string()));
    assert_eq!(records.last().unwrap()["status"], "completed");
}

#[test]
fn live_ctrl_c_during_a_wait_cancels_the_wait_not_the_session() {
    let moto = Moto::start();
    moto.seed(&workspace().join("runbooks/ecommerce/inventory.yaml"));
    moto.stuck_asg("stuck-asg");
    let home = tempfile::tempdir().unwrap();
    let runbook = home.path().join("stuck.rhai");
    std::fs::write(
        &runbook,
        r#"runbook(#{ name: "stuck", accounts: ["123456789012"], regions: ["us-west-2"] });
scale(asg("dr-web-asg", "us-west-2"), #{ min: 2, max: 5, desired: 3 });
wait(asg("stuck-asg", "us-west-2"), "in_service", "10m");
notify(topic("dr-notifications", "us-west-2"), "Scaled", "not sent: the operator aborts first");
"#,
    )
    .unwrap();
    let mut term = live(&runbook, home.path(), &moto);
    let first = term.expect(LIVE_PROMPT);
    assert!(first.contains("next: scale(...)"), "{first}");
    term.line("step");
    let at_wait = term.expect(LIVE_PROMPT);
    assert!(at_wait.contains("next: wait(...)"), "{at_wait}");
    term.line("step");
    term.expect("wait stuck-asg until in_service");
    // Let it poll a few times before the operator gives up on it.
    std::thread::sleep(std::time::Duration::from_millis(500));
    term.send(b"\x03");
    term.expect("[r]etry the wait, [s]kip it (go on as if reached), [a]bort the runbook? ");
    term.line("a");
    term.expect(LIVE_PROMPT);
    // The session is still there, talking to AWS.
    term.line(r#"desired(asg("dr-web-asg", "us-west-2"))"#);
    let desired = term.expect(LIVE_PROMPT);
    assert!(desired.contains("\n3"), "{desired}");
    term.line("journal");
    let listed = term.expect(LIVE_PROMPT);
    assert!(
        listed.contains("wait stuck-asg until in_service"),
        "{}",
        term.seen
    );
    term.line("quit");
    let (status, out) = term.finish();
    assert_eq!(status.code(), Some(5), "{out}");
    assert!(out.contains("not done"), "{out}");

    let records = journal(home.path());
    let sent = operations(&records, "intent");
    assert_eq!(sent, ["UpdateAutoScalingGroup", "wait"], "{records:#?}");
    let cancelled = records
        .iter()
        .find(|r| r["type"] == "result" && r["ok"] == false)
        .expect("the wait's result");
    assert_eq!(cancelled["error_code"], "Cancelled", "{cancelled}");
    assert_eq!(records.last().unwrap()["status"], "cancelled");
}

/// The line of the bundled failover that contains `needle`, so that an edit of the runbook
/// does not silently move what a test stops at.
fn failover_line(needle: &str) -> usize {
    let text = std::fs::read_to_string(workspace().join("runbooks/ecommerce/failover.rhai"))
        .expect("the failover reads");
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} is not in the failover"))
        + 1
}

/// Unfinished input (issue 13): a continuation prompt while Rhai's parser finds it open, an
/// empty line or Ctrl-C abandons it with a message, and the session goes on.
#[test]
fn unfinished_input_continues_under_its_own_prompt_and_can_be_abandoned() {
    let home = tempfile::tempdir().unwrap();
    let mut term = empty_session(home.path());
    term.expect("ripcord[dry-run]> ");
    // `quit` inside an open bracket is more input, and the prompt says so.
    term.line("let x = (");
    term.expect("...> ");
    term.line("quit");
    term.expect("...> ");
    term.line("");
    let abandoned = term.expect("ripcord[dry-run]> ");
    assert!(
        abandoned
            .contains("(unfinished input abandoned at an empty line: it still needed a closing ))"),
        "{abandoned}"
    );
    // A block over several lines runs once it closes; a bracket in a string or a backtick
    // string over two lines is what Rhai says it is.
    term.line("let s = `one (");
    term.expect("...> ");
    term.line("two`;");
    term.expect("ripcord[dry-run]> ");
    term.line("if s.len() > 3 {");
    term.expect("...> ");
    term.line("  print(\"lines: \" + s.split(\"\\n\").len())");
    term.expect("...> ");
    term.line("}");
    let ran = term.expect("ripcord[dry-run]> ");
    assert!(ran.contains("lines: 2"), "{ran}");
    // Ctrl-C abandons too.
    term.line("let y = [1,");
    term.expect("...> ");
    term.send(b"\x03");
    let interrupted = term.expect("ripcord[dry-run]> ");
    assert!(
        interrupted.contains("(unfinished input abandoned with Ctrl-C"),
        "{interrupted}"
    );
    term.line("quit");
    let (status, _) = term.finish();
    assert!(status.success());
}
