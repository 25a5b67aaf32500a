//! ripcord's core: the plan/action model, the inventory model and the `Backend` trait.
//!
//! This crate knows neither Rhai nor the AWS SDK (see ARCHITECTURE.md): the interpreter,
//! the simulated world and the live backend all meet here.

// Errors are cold paths carrying text for people; boxing them everywhere would add noise
// to every signature for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod arn;
pub mod asl;
mod backend;
mod call;
mod clock_read;
mod comparison;
mod digest;
pub mod duration;
mod effect;
mod endpoint;
mod error;
pub mod iam;
pub mod inventory;
pub mod inverse;
mod journal;
mod op;
mod operation;
pub mod ops;
mod plan;
pub mod policy;
pub mod quota;
pub mod render;
pub mod span;
mod step;
mod target;

pub use backend::{Backend, Outcome, Query, Settlement};
pub use call::Call;
pub use clock_read::{ClockRead, ClockSource};
pub use comparison::{Comparison, Difference, Side, StepChange};
pub use digest::sha256_hex;
pub use effect::{Effect, Guarantee, Verdict, REQUEST_TAG};
pub use endpoint::{unreachable_error, Endpoint, Outage};
pub use error::{BackendError, ErrorKind};
pub use inventory::{Inventory, InventoryError};
pub use journal::{Intent, Journal};
pub use op::Op;
pub use operation::{
    Control, ControlPlane, Creates, Descriptor, Idempotency, Operation, GLOBAL_CONTROL_REGION,
};
pub use ops::{AliasTarget, RecordChange, RecordSet, ReplicationRule};
pub use plan::{
    InventoryInfo, ParallelGroup, Plan, PlanCounts, PlanFailure, PlanItem, RunbookInfo,
    RunbookMeta, PLAN_SCHEMA_VERSION,
};
pub use step::{Change, CheckSpec, Origin, Step, StepKind, WaitSpec, WaitState};
pub use target::{Reads, ResourceKind, Target};
