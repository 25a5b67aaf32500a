//! `Op`: the AWS service and operation an error is reported for, in both backends.

use crate::call::Call;
use crate::error::{BackendError, ErrorKind};

/// The AWS service and operation an error is reported for (`rds RemoveFromGlobalCluster`),
/// or a step that is not an AWS call (`wait`, `approve`). Both backends build their errors
/// through it, so a dry-run and a failed apply name the same operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    pub service: &'static str,
    pub operation: &'static str,
}

impl Op {
    pub fn new(service: &'static str, operation: &'static str) -> Op {
        Op { service, operation }
    }

    /// The operation of a call, from its descriptor.
    pub fn of(call: &Call) -> Op {
        let descriptor = call.descriptor();
        Op::new(descriptor.service, descriptor.name)
    }

    pub fn error(self, kind: ErrorKind, code: &str, message: impl Into<String>) -> BackendError {
        BackendError::new(kind, self.service, self.operation, code, message)
    }

    pub fn rejected(self, code: &str, message: impl Into<String>) -> BackendError {
        self.error(ErrorKind::Rejected, code, message)
    }

    pub fn not_found(self, code: &str, message: impl Into<String>) -> BackendError {
        self.error(ErrorKind::NotFound, code, message)
    }

    pub fn timeout(self, code: &str, message: impl Into<String>) -> BackendError {
        self.error(ErrorKind::Timeout, code, message)
    }

    pub fn transport(self, code: &str, message: impl Into<String>) -> BackendError {
        self.error(ErrorKind::Transport, code, message)
    }

    pub fn unreachable(self, code: &str, message: impl Into<String>) -> BackendError {
        self.error(ErrorKind::Unreachable, code, message)
    }
}
