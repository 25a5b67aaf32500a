//! End-to-end tests of the `ripcord` binary (one test binary, one module per area).
//!
//! Plan goldens live in tests/golden/ at the workspace root; regenerate them with
//! `RIPCORD_BLESS=1 cargo test -p ripcord --test cli` and review the diff.

mod batch;
mod chaos;
mod editor;
mod export;
mod gates;
mod iam;
mod inverse;
mod live;
mod lost;
mod mirror;
mod moto;
mod outage;
mod parity;
mod plan;
mod quota;
mod repl;
mod report;
mod resume;
mod reviewed;
mod roundtrip;
mod spinners;
mod step_functions;
mod term;

pub use ripcord_testkit::workspace;
use std::process::{Command, Output};

/// Runs `ripcord ARGS` from the workspace root, without colour or terminal.
pub fn ripcord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ripcord"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the ripcord binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The 10,000-resource benchmark (bench/generate.py) written into a new directory:
/// `bench.rhai` and `bench.inventory.json`.
pub fn generated_bench() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let generated = Command::new(ripcord_testkit::python())
        .arg(workspace().join("bench/generate.py"))
        .arg(scratch.path())
        .output()
        .expect("python runs");
    assert!(generated.status.success(), "{}", stderr(&generated));
    scratch
}
