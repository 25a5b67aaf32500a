//! S3: bucket replication, set up and required.

use super::{check_region_name, expect_kind, Res};
use crate::failure::Failure;
use crate::handle::Handle;
use crate::options::Options;
use crate::state::RunState;
use rhai::{Dynamic, Map};
use ripcord_core::{ops, Call, CheckSpec, Origin, ReplicationRule, ResourceKind};

/// `enable_replication(bucket, destination, #{role, rule_id, priority, rtc_minutes, delete_markers})`.
pub fn enable_replication(
    st: &mut RunState,
    origin: Origin,
    h: &Handle,
    destination: &str,
    opts: Map,
) -> Res {
    expect_kind("enable_replication", h, &[ResourceKind::Bucket])?;
    let opts = Options::new(
        "enable_replication",
        opts,
        &[
            "role",
            "rule_id",
            "priority",
            "rtc_minutes",
            "delete_markers",
        ],
    )?;
    let role = opts.string("role")?.ok_or_else(|| {
        Failure::invalid("`enable_replication` needs `role`, the IAM role S3 replicates as")
            .with_help("e.g. #{ role: \"arn:aws:iam::123456789012:role/replication-role\" }")
    })?;
    let rtc = match opts.int("rtc_minutes")? {
        None => Some(15),
        Some(0) => None,
        Some(15) => Some(15),
        Some(other) => {
            return Err(Failure::invalid(format!(
                "`rtc_minutes` is 15 (Replication Time Control) or 0 (off), not {other}"
            )))
        }
    };
    let call = Call::PutBucketReplication(ops::PutBucketReplication {
        bucket: h.0.name().to_string(),
        role,
        rule: ReplicationRule {
            id: opts
                .string("rule_id")?
                .unwrap_or_else(|| "ripcord-dr".to_string()),
            priority: opts.int("priority")?.unwrap_or(1),
            destination_bucket: destination.trim_start_matches("arn:aws:s3:::").to_string(),
            delete_marker_replication: opts.bool("delete_markers")?.unwrap_or(true),
            replication_time_minutes: rtc,
        },
    });
    st.execute(call, origin)?;
    Ok(Dynamic::UNIT)
}

/// `require_replication(bucket, region)`.
pub fn require_replication(st: &mut RunState, origin: Origin, h: &Handle, region: &str) -> Res {
    expect_kind("require_replication", h, &[ResourceKind::Bucket])?;
    check_region_name(region)?;
    st.check(
        CheckSpec::BucketReplication {
            bucket: h.0.name().to_string(),
            region: region.to_string(),
        },
        origin,
    )?;
    Ok(Dynamic::UNIT)
}
