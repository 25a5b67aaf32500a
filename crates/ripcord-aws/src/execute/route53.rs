//! Route 53: ChangeResourceRecordSets (one change, health check by name) and UpdateHealthCheck.

use super::{request_id, resolved, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use crate::resolve::required;
use aws_sdk_route53::operation::RequestId;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet,
    ResourceRecordSetFailover, RrType,
};
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome, RecordSet, Target};

/// The SDK's builders check required fields; a missing one is the call's fault, reported the
/// way Route 53 would.
fn invalid(op: Op, err: impl std::fmt::Display) -> BackendError {
    op.rejected("InvalidInput", format!("Invalid request: {err}"))
}

/// Route 53 answers change ids as `/change/C...`; runbooks and waits use `C...`.
pub(crate) fn change_id(id: &str) -> &str {
    id.trim_start_matches("/change/")
}

async fn change_record_sets(
    ctx: &Ctx,
    op: Op,
    hosted_zone: &str,
    action: &str,
    record: &RecordSet,
) -> Result<Outcome, BackendError> {
    let target = Target::Zone {
        name: hosted_zone.to_string(),
    };
    let zone = required(op, ctx.zone(op, hosted_zone).await?, &target)?;
    let health_check = match &record.health_check {
        Some(name) => Some(ctx.health_check_id(op, name).await?),
        None => None,
    };
    let values = if record.values.is_empty() {
        None
    } else {
        let values = record
            .values
            .iter()
            .map(|v| ResourceRecord::builder().value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| invalid(op, err))?;
        Some(values)
    };
    let alias = match &record.alias_target {
        Some(alias) => Some(
            AliasTarget::builder()
                .hosted_zone_id(&alias.hosted_zone_id)
                .dns_name(&alias.dns_name)
                .evaluate_target_health(alias.evaluate_target_health)
                .build()
                .map_err(|err| invalid(op, err))?,
        ),
        None => None,
    };
    let record_set = ResourceRecordSet::builder()
        .name(&record.name)
        .r#type(RrType::from(record.rtype.to_ascii_uppercase().as_str()))
        .set_set_identifier(record.set_identifier.clone())
        .set_failover(
            record
                .failover
                .as_deref()
                .map(ResourceRecordSetFailover::from),
        )
        .set_ttl(record.ttl)
        .set_resource_records(values)
        .set_alias_target(alias)
        .set_health_check_id(health_check)
        .build()
        .map_err(|err| invalid(op, err))?;
    let change = Change::builder()
        .action(ChangeAction::from(action.to_ascii_uppercase().as_str()))
        .resource_record_set(record_set)
        .build()
        .map_err(|err| invalid(op, err))?;
    let batch = ChangeBatch::builder()
        .changes(change)
        .build()
        .map_err(|err| invalid(op, err))?;
    let out = ctx
        .mutations
        .route53()
        .change_resource_record_sets()
        .hosted_zone_id(&zone.id)
        .change_batch(batch)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(hosted_zone, &zone.id),
        creates: out.change_info().map(|c| change_id(c.id()).to_string()),
        warnings: zone.warning.into_iter().collect(),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn update_health_check(
    ctx: &Ctx,
    op: Op,
    health_check: &str,
    disabled: Option<bool>,
    inverted: Option<bool>,
) -> Result<Outcome, BackendError> {
    let id = ctx.health_check_id(op, health_check).await?;
    let out = ctx
        .mutations
        .route53()
        .update_health_check()
        .health_check_id(&id)
        .set_disabled(disabled)
        .set_inverted(inverted)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(health_check, &id),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

impl Execute for ops::ChangeResourceRecordSets {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        change_record_sets(ctx, op, &self.hosted_zone, &self.action, &self.record_set).await
    }
}

impl Execute for ops::UpdateHealthCheck {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        update_health_check(ctx, op, &self.health_check, self.disabled, self.inverted).await
    }
}
