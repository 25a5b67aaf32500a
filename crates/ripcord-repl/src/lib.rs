//! ripcord's REPL: step through a runbook one DR call at a time, dry (against the simulated
//! world) or live (through a live backend the caller provides), writing the same journal as
//! `apply`.
//!
//! Stepping is built on the interpreter's debugger hook (`ripcord_interp::debug`): every
//! statement and every DR primitive call is a place the session may pause; the step hook is
//! the last word before a step reaches the backend (skip, confirm). This crate knows neither
//! Rhai's internals nor AWS.

// Same allowance as the other library crates: `BackendError` carries text for people and is
// only on cold paths.
#![allow(clippy::result_large_err)]

mod command;
mod console;
mod gate;
mod helper;
mod replay;
mod session;
mod show;
mod world;

pub use command::{Breakpoint, Command, COMMANDS};
pub use console::{Console, Input};
pub use helper::Words;
pub use session::{Session, SessionConfig, SessionEnd};
pub use world::{Live, World};
