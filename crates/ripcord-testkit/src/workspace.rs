//! Where the workspace is, and the pinned python that runs moto and its scripts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root: the suites run the launcher, the seeder and the ripcord binary from
/// there, and find runbooks and inventories relative to it.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root (two levels above crates/ripcord-testkit) exists")
}

/// The python of `<workspace>/.venv`, installed or refreshed by `tests/moto/ensure-venv` the
/// first time a test asks (never skipped: a missing tool is installed, not excused). Once per
/// test binary; ensure-venv serializes concurrent binaries itself.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("bash")
            .arg("tests/moto/ensure-venv")
            .current_dir(workspace())
            .output()
            .expect("bash runs tests/moto/ensure-venv");
        assert!(
            out.status.success(),
            "tests/moto/ensure-venv failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last = stdout
            .lines()
            .last()
            .expect("ensure-venv prints the python path on its last line");
        PathBuf::from(last.trim())
    })
}
