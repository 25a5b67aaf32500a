//! Building AWS-style errors: the service and operation they come from, codes, hints.

use ripcord_core::duration::format_duration;
use ripcord_core::{BackendError, Call, ErrorKind, ResourceKind, Target};

/// The AWS service and operation an error is reported for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    pub service: &'static str,
    pub operation: &'static str,
}

impl Op {
    pub(crate) fn of(call: &Call) -> Op {
        Op {
            service: call.service(),
            operation: call.operation(),
        }
    }

    pub(crate) fn new(service: &'static str, operation: &'static str) -> Op {
        Op { service, operation }
    }

    pub(crate) fn rejected(self, code: &str, message: impl Into<String>) -> BackendError {
        BackendError::new(
            ErrorKind::Rejected,
            self.service,
            self.operation,
            code,
            message,
        )
    }

    pub(crate) fn not_found(self, code: &str, message: impl Into<String>) -> BackendError {
        BackendError::new(
            ErrorKind::NotFound,
            self.service,
            self.operation,
            code,
            message,
        )
    }

    pub(crate) fn timeout(self, code: &str, message: impl Into<String>) -> BackendError {
        BackendError::new(
            ErrorKind::Timeout,
            self.service,
            self.operation,
            code,
            message,
        )
    }
}

/// The error code AWS answers with for a resource that does not exist (shared with the
/// other backend through `ripcord-core`).
pub(crate) fn not_found_code(kind: ResourceKind) -> &'static str {
    kind.not_found_code()
}

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
