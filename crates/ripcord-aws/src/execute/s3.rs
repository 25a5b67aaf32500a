//! S3: PutBucketReplication with the source document's rule, sent to the bucket's region.

use super::{request_id, Execute};
use crate::context::{bucket_name, Ctx};
use crate::errors::{FromSdk, Op};
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::{
    DeleteMarkerReplication, DeleteMarkerReplicationStatus, Destination, Metrics, MetricsStatus,
    ReplicationConfiguration, ReplicationRule as SdkRule, ReplicationRuleFilter,
    ReplicationRuleStatus, ReplicationTime, ReplicationTimeStatus, ReplicationTimeValue,
};
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome, ReplicationRule};

fn invalid(op: Op, err: impl std::fmt::Display) -> BackendError {
    op.rejected("InvalidArgument", err.to_string())
}

/// The rule as the source document writes it: everything (empty prefix filter), delete
/// markers as asked, and with RTC both Replication Time Control and its metrics at the same
/// threshold.
pub(crate) fn sdk_rule(
    op: Op,
    destination_arn: &str,
    rule: &ReplicationRule,
) -> Result<SdkRule, BackendError> {
    let mut destination = Destination::builder().bucket(destination_arn);
    if let Some(minutes) = rule.replication_time_minutes {
        let minutes = i32::try_from(minutes).map_err(|_| {
            op.rejected(
                "InvalidArgument",
                format!("Invalid ReplicationTime Minutes value: {minutes}"),
            )
        })?;
        let time = ReplicationTimeValue::builder().minutes(minutes).build();
        destination = destination
            .replication_time(
                ReplicationTime::builder()
                    .status(ReplicationTimeStatus::Enabled)
                    .time(time.clone())
                    .build()
                    .map_err(|err| invalid(op, err))?,
            )
            .metrics(
                Metrics::builder()
                    .status(MetricsStatus::Enabled)
                    .event_threshold(time)
                    .build()
                    .map_err(|err| invalid(op, err))?,
            );
    }
    let priority = i32::try_from(rule.priority).map_err(|_| {
        op.rejected(
            "InvalidArgument",
            format!("Invalid Priority value: {}", rule.priority),
        )
    })?;
    let delete_markers = if rule.delete_marker_replication {
        DeleteMarkerReplicationStatus::Enabled
    } else {
        DeleteMarkerReplicationStatus::Disabled
    };
    SdkRule::builder()
        .id(&rule.id)
        .priority(priority)
        .status(ReplicationRuleStatus::Enabled)
        .filter(ReplicationRuleFilter::builder().prefix("").build())
        .delete_marker_replication(
            DeleteMarkerReplication::builder()
                .status(delete_markers)
                .build(),
        )
        .destination(destination.build().map_err(|err| invalid(op, err))?)
        .build()
        .map_err(|err| invalid(op, err))
}

async fn put_bucket_replication(
    ctx: &Ctx,
    op: Op,
    bucket: &str,
    role: &str,
    rule: &ReplicationRule,
) -> Result<Outcome, BackendError> {
    let region = ctx.bucket_region(op, bucket).await?;
    let destination = ctx.bucket_arn(bucket_name(&rule.destination_bucket));
    let config = ReplicationConfiguration::builder()
        .role(role)
        .rules(sdk_rule(op, &destination, rule)?)
        .build()
        .map_err(|err| invalid(op, err))?;
    let out = ctx
        .mutations
        .s3(&region)
        .put_bucket_replication()
        .bucket(bucket)
        .replication_configuration(config)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

impl Execute for ops::PutBucketReplication {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        put_bucket_replication(ctx, op, &self.bucket, &self.role, &self.rule).await
    }
}
