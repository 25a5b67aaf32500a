//! ripcord's runbook interpreter: a sandboxed Rhai engine whose primitives go through a `Backend`.
//!
//! It knows Rhai, not AWS: the same runbook runs against the simulated world (`ripcord-sim`)
//! or the live backend, and records the same plan.

// Errors are cold paths carrying text for people; boxing them everywhere would add noise
// to every signature for no measurable gain.
#![allow(clippy::result_large_err)]

mod check;
pub mod codes;
pub mod debug;
mod definitions;
mod diagnostic;
mod failure;
mod handle;
mod interpreter;
mod inverse;
mod options;
pub mod primitives;
mod recorder;
mod register;
mod sources;
pub mod state;
pub mod stdlib;
mod suggest;
mod unfinished;

pub use definitions::{definition_files, definitions_file, DefinitionFile};
pub use diagnostic::{span_of, RunbookError};
pub use failure::Failure;
pub use handle::Handle;
pub use interpreter::{Interpreter, RunResult, Runbook};
pub use inverse::{rhai_of, InverseRunbook, UndoneStep};
pub use primitives::table::{Group, Primitive, PRIMITIVES};
pub use register::{Limits, Shared};
pub use sources::Sources;
pub use state::{DebugHook, HookDecision, PendingStep, StepHook};
pub use unfinished::unfinished;
