//! What the operator sees on a terminal while a live run waits: one spinner per wait in
//! flight, with its seconds and label; Ctrl-C still stops the run.

use super::live::inventory_of;
use super::moto::Moto;

#[test]
fn every_wait_in_flight_has_its_spinner_on_a_terminal() {
    let moto = Moto::start();
    moto.seed(&inventory_of("runbooks/ecommerce/failover.rhai"));
    // Groups that never get in service (see `stuck_asg`): their waits run until cancelled.
    moto.stuck_asg("stuck-web");
    moto.stuck_asg("stuck-api");
    let home = tempfile::tempdir().unwrap();
    let runbook = home.path().join("two-waits.rhai");
    std::fs::write(
        &runbook,
        r#"runbook(#{
    name: "two-waits",
    rto: "15m",
    accounts: ["123456789012"],
    regions: ["us-west-2"],
});
parallel([
    || wait(asg("stuck-web", "us-west-2"), "in_service", "10m"),
    || wait(asg("stuck-api", "us-west-2"), "in_service", "10m"),
]);
"#,
    )
    .unwrap();
    let runs = home.path().join("runs");
    let mut term = moto.term(
        &[
            "apply",
            runbook.to_str().unwrap(),
            "--yes",
            "--runs-dir",
            runs.to_str().unwrap(),
        ],
        home.path(),
    );
    // Both waits are announced, then both spin at once, each with its own seconds (a
    // braille frame, the time right-aligned, the label), redrawn as time passes.
    term.expect("(journal ");
    let spinning = term.expect("     2s  wait");
    assert_eq!(spinning.matches("…         wait").count(), 2, "{spinning}");
    for name in ["stuck-web", "stuck-api"] {
        let line = spinning
            .lines()
            .find(|line| line.contains("     1s  wait") && line.contains(name))
            .unwrap_or_else(|| panic!("no spinner line for {name}:\n{spinning}"));
        assert!(
            line.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
            "no spinner frame: {line}"
        );
    }
    term.send(b"\x03");
    let (status, rest) = term.finish();
    assert_eq!(status.code(), Some(5), "cancelled:\n{rest}");
}
