//! Where run journals live: `--runs-dir`, else `$RIPCORD_RUNS_DIR`, else `.ripcord/runs`.

use std::path::{Path, PathBuf};

pub fn resolve(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    match std::env::var_os("RIPCORD_RUNS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(ripcord_journal::DEFAULT_RUNS_DIR),
    }
}
