//! What ripcord's live test suites share: the moto server behind them, seeding it from an
//! inventory, one-shot boto3 calls, names unique to a test run, workspace paths.
//!
//! A dev-dependency only. It has no AWS SDK (only `ripcord-aws` may depend on one): fixtures
//! made with the SDK stay in `ripcord-aws`'s own tests, and the CLI's tests seed through
//! `tests/moto/seed.py` and boto3, which run in moto's own virtualenv.

mod moto;
mod unique;
mod workspace;

pub use moto::Moto;
pub use unique::unique;
pub use workspace::{python, workspace};
