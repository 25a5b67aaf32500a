//! `Failure`: the error value a primitive raises, carried through Rhai to the diagnostic.

use crate::codes;
use ripcord_core::BackendError;
use std::fmt;

/// A primitive's error. It travels inside Rhai's `ErrorRuntime` so that a runbook may
/// `catch` it (and read `.code`/`.message`), and so that an uncaught one keeps its code
/// and help on the way to the diagnostic.
#[derive(Debug, Clone)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    /// Set when the backend refused the step (an AWS-style rejection).
    pub backend: Option<BackendError>,
}

impl Failure {
    /// A runbook mistake caught before anything reaches the backend (bad option, bad value).
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            code: codes::INVALID_VALUE.to_string(),
            message: message.into(),
            help: None,
            backend: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Failure {
        self.help = Some(help.into());
        self
    }

    pub fn with_code(mut self, code: &str) -> Failure {
        self.code = code.to_string();
        self
    }

    /// The backend refused: the code names AWS's error code (`ripcord::aws::ValidationError`).
    pub fn from_backend(err: BackendError) -> Failure {
        let message = format!(
            "{} {} failed: {}: {}",
            err.service, err.operation, err.code, err.message
        );
        // What does not answer has one code whatever AWS said (a refused connection, a 503,
        // a timeout; `RegionUnreachable` in a dry-run), so that a runbook catches it once.
        let code = if err.kind == ripcord_core::ErrorKind::Unreachable {
            codes::UNREACHABLE.to_string()
        } else {
            codes::aws(&err.code)
        };
        Failure {
            code,
            message,
            help: err.help.clone(),
            backend: Some(err),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
