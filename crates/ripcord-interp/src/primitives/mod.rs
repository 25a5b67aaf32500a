//! What each primitive does: checks its arguments, builds the AWS call and runs it as a step.
//!
//! One file per AWS service, as `ripcord-sim/src/apply/` and `ripcord-aws/src/execute/` are
//! split; [`table`] lists every primitive once, and `register.rs` binds them to Rhai.

pub(crate) mod aurora;
pub(crate) mod autoscaling;
pub(crate) mod dynamodb;
pub(crate) mod ec2;
pub(crate) mod ecs;
pub(crate) mod handles;
pub(crate) mod queries;
pub(crate) mod rds;
pub(crate) mod route53;
pub(crate) mod runbook;
pub(crate) mod s3;
pub(crate) mod snapshots;
pub(crate) mod sns;
pub mod table;
pub(crate) mod time;
pub(crate) mod waits;

use crate::codes;
use crate::failure::Failure;
use crate::handle::Handle;
use crate::state::RunState;
use rhai::Dynamic;
use ripcord_core::ResourceKind;

/// What a primitive gives the runbook back, or why it refused.
pub(crate) type Res = Result<Dynamic, Failure>;

/// Refuses a handle of the wrong kind for a primitive.
pub(crate) fn expect_kind(
    primitive: &str,
    handle: &Handle,
    kinds: &[ResourceKind],
) -> Result<(), Failure> {
    if kinds.contains(&handle.kind()) {
        return Ok(());
    }
    let wanted: Vec<&str> = kinds.iter().map(|k| k.constructor()).collect();
    Err(Failure::invalid(format!(
        "`{primitive}` takes {} handle, not {handle}",
        article_list(&wanted)
    ))
    .with_code(codes::ARGUMENT_TYPE))
}

fn article_list(words: &[&str]) -> String {
    let joined = match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let article = if joined.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {joined}")
}

/// Catches `us-west2` and `US-WEST-2` before they become a NotFound much later.
fn check_region_name(region: &str) -> Result<(), Failure> {
    if ripcord_core::arn::is_region_name(region) {
        Ok(())
    } else {
        Err(
            Failure::invalid(format!("`{region}` is not an AWS region name"))
                .with_code(codes::REGION)
                .with_help("regions look like us-east-1, eu-west-2, ap-southeast-1"),
        )
    }
}

fn region_of(handle: &Handle) -> String {
    handle.0.region().unwrap_or_default().to_string()
}

/// The backend's time, compact (for generated ids) and readable (for descriptions).
fn stamp(st: &mut RunState) -> Result<(String, String), Failure> {
    let now = st.backend()?.now();
    Ok((
        now.strftime("%Y%m%d-%H%M%S").to_string(),
        now.strftime("%Y-%m-%d %H:%M:%S").to_string(),
    ))
}

/// The id of what a call created, which the backend must report.
fn created(creates: &Option<String>, operation: &str) -> Result<String, Failure> {
    creates.clone().ok_or_else(|| {
        Failure::invalid(format!(
            "the backend did not report the id {operation} created"
        ))
        .with_code(codes::BACKEND)
    })
}
