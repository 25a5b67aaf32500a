//! ripcord's live backend: runbook calls sent to AWS through the AWS SDK for Rust.
//!
//! [`LiveBackend`] implements [`ripcord_core::Backend`] with the same semantics as the
//! simulated world in `ripcord-sim` (same error codes, same inventory JSON for queries), but
//! every step is a real request. This is the only crate of the workspace that depends on the
//! AWS SDK (ARCHITECTURE.md). How it behaves (credentials, retries, idempotency, parallel
//! groups, waits) is documented in `docs/live.md`.

// `ripcord_core::Backend` fixes the error type to `BackendError`; boxing it here would only add
// conversions at every trait boundary.
#![allow(clippy::result_large_err)]

mod backend;
mod batch;
mod capture;
mod check;
mod clients;
mod config;
mod context;
mod convert;
mod errors;
mod execute;
mod lag;
mod liveness;
mod pace;
mod paging;
mod parallel;
mod query;
mod resolve;
mod retry;
mod roles;
mod settle;
mod sfn;
mod silence;
mod step;
mod wait;

pub use backend::{Approver, CallerIdentity, LiveBackend};
pub use config::{LiveConfig, PollConfig, DEFAULT_READ_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
pub use pace::{QueueObserver, Queued};
pub use retry::{Retry, RetryObserver};
pub use roles::{EnsuredRole, Roles, POLICY_NAME};
pub use sfn::{Deployed, Event, ExecutionStatus, StepFunctions};
