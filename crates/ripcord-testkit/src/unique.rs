//! Resource names unique to one test run.

use std::sync::atomic::{AtomicU64, Ordering};

/// `base` with this process's id and a counter: a moto server keeps its state for as long
/// as it runs, and tests sharing one must not meet each other's resources.
pub fn unique(base: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{base}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
