//! Errors a backend reports: AWS-style rejections, timeouts, refusals.

use serde::{Deserialize, Serialize};

/// Why a backend could not carry out a step.
///
/// A simulated rejection uses the same AWS error code the service would return, so that a
/// reviewer reads the same words in a dry-run as in a failed apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{service} {operation}: {code}: {message}")]
pub struct BackendError {
    pub kind: ErrorKind,
    /// `autoscaling`, `rds`, `route53`, ...
    pub service: String,
    /// The AWS operation (`UpdateAutoScalingGroup`) or the step (`wait`, `approve`).
    pub operation: String,
    /// AWS's error code (`ValidationError`, `DBClusterNotFoundFault`, ...).
    pub code: String,
    pub message: String,
    /// What to do about it (did-you-mean, the valid range, ...).
    pub help: Option<String>,
}

/// The family of a [`BackendError`], for exit codes and the help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The resource does not exist.
    NotFound,
    /// The service refuses the request (invalid value, wrong state, ...).
    Rejected,
    /// A wait did not reach its state within its timeout.
    Timeout,
    /// An approval was refused or cannot be asked for.
    Refused,
    /// The operator cancelled (Ctrl-C).
    Cancelled,
    /// The request could not be sent or its answer not read.
    Transport,
    /// The endpoint does not answer: a region (or one of its services) or a global control
    /// plane that is down (`plan --down`, a region the capture could not read, or live:
    /// connection refused, timed out or 5xx after the SDK's retries). A runbook can catch
    /// it (`ripcord::unreachable`) and go on without that region.
    Unreachable,
}

impl BackendError {
    pub fn new(
        kind: ErrorKind,
        service: &str,
        operation: &str,
        code: &str,
        message: impl Into<String>,
    ) -> BackendError {
        BackendError {
            kind,
            service: service.to_string(),
            operation: operation.to_string(),
            code: code.to_string(),
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> BackendError {
        self.help = Some(help.into());
        self
    }
}
