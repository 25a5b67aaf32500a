//! Building AWS-style errors: the service and operation they come from, codes, hints.

use ripcord_core::duration::format_duration;
use ripcord_core::Target;

pub(crate) use ripcord_core::Op;

/// How a runbook would wait for the target, for help texts: `wait(db_instance("db", "us-west-2"), "available")`.
pub(crate) fn wait_hint(target: &Target, state: &str, remaining: Option<u64>) -> String {
    let handle = match target.region() {
        Some(region) => format!(
            "{}(\"{}\", \"{region}\")",
            target.kind().constructor(),
            target.name()
        ),
        None => format!("{}(\"{}\")", target.kind().constructor(), target.name()),
    };
    let left = remaining
        .map(|secs| format!(" (about {} left)", format_duration(secs)))
        .unwrap_or_default();
    format!("wait({handle}, \"{state}\") first{left}")
}
