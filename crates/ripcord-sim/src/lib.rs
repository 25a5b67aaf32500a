//! ripcord's dry-run backend: a simulated AWS world built from an inventory.
//!
//! [`SimBackend`] implements [`ripcord_core::Backend`] without any I/O. What it models (states,
//! transitions, estimates, rejections) and what it does not is described in
//! `docs/simulation.md`.

// `ripcord_core::Backend` fixes the error type to `BackendError`; boxing it here would only add
// conversions at every trait boundary.
#![allow(clippy::result_large_err)]

mod adopt;
mod apply;
mod backend;
mod clock;
mod errors;
mod estimates;
mod ids;
mod outage;
mod query;
mod render;
mod resolve;
mod state;
mod suggest;
mod table;
mod wait;
mod world;

pub use backend::SimBackend;
pub use estimates::{estimate_defaults, EstimateDefault};
