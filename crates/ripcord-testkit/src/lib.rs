//! What ripcord's live test suites share: the moto server behind them, a fault-injecting
//! proxy in front of it, seeding it from an inventory, one-shot boto3 calls, names unique to
//! a test run, workspace paths.
//!
//! A dev-dependency only. It has no AWS SDK (only `ripcord-aws` may depend on one): fixtures
//! made with the SDK stay in `ripcord-aws`'s own tests, and the CLI's tests seed through
//! `tests/moto/seed.py` and boto3, which run in moto's own virtualenv.
//!
//! Like a test, it panics on what it cannot do (a server that does not start, a call moto
//! refuses): the panic, with what the server said, is the failure of the test that asked.

mod faultproxy;
mod json;
mod moto;
mod process;
mod unique;
mod workspace;

pub use faultproxy::{FaultProxy, Request};
pub use moto::Moto;
pub use unique::unique;
pub use workspace::{python, workspace};
