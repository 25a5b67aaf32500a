//! Route 53: ChangeResourceRecordSets (a batch of one zone, split at Route 53's limits per
//! request; health checks by name) and UpdateHealthCheck.

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
use ripcord_core::{BackendError, Operation, Outcome, RecordSet, Target};
use std::collections::HashMap;

/// The SDK's builders check required fields; a missing one is the call's fault, reported the
/// way Route 53 would.
fn invalid(op: Op, err: impl std::fmt::Display) -> BackendError {
    op.rejected("InvalidInput", format!("Invalid request: {err}"))
}

/// Route 53 answers change ids as `/change/C...`; runbooks and waits use `C...`.
pub(crate) fn change_id(id: &str) -> &str {
    id.trim_start_matches("/change/")
}

/// One batch of one zone: the SDK's `Change` of each record change, sent as the requests
/// `ChangeResourceRecordSets::requests` cuts (one unless the batch is over Route 53's limits
/// per request), in order, each atomic. The change id the runbook waits on is the last
/// request's.
async fn change_record_sets(
    ctx: &Ctx,
    op: Op,
    batch: &ops::ChangeResourceRecordSets,
) -> Result<Outcome, BackendError> {
    let hosted_zone = batch.hosted_zone.as_str();
    let target = Target::Zone {
        name: hosted_zone.to_string(),
    };
    let zone = required(op, ctx.zone(op, hosted_zone).await?, &target)?;
    // Health checks are named by their Name tags; each distinct one is resolved once.
    let mut checks: HashMap<&str, String> = HashMap::new();
    for name in batch
        .changes
        .iter()
        .filter_map(|c| c.record_set.health_check.as_deref())
    {
        if !checks.contains_key(name) {
            let id = ctx.health_check_id(op, name).await?;
            checks.insert(name, id);
        }
    }
    let changes = batch
        .changes
        .iter()
        .map(|change| {
            let check = change
                .record_set
                .health_check
                .as_deref()
                .and_then(|name| checks.get(name).cloned());
            sdk_change(op, &change.action, &change.record_set, check)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut last = None;
    for (i, request) in batch.requests().into_iter().enumerate() {
        if i > 0 {
            // `settle.rs` took the first request's token of Route 53's bucket; each further
            // request of a split batch takes its own (`crate::pace`).
            ctx.pace(
                ops::ChangeResourceRecordSets::DESCRIPTOR.service,
                ops::ChangeResourceRecordSets::DESCRIPTOR.name,
                None,
            )
            .await;
        }
        let batch = ChangeBatch::builder()
            .set_changes(Some(changes[request].to_vec()))
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
        last = Some(out);
    }
    Ok(Outcome {
        resolved: resolved(hosted_zone, &zone.id),
        creates: last
            .as_ref()
            .and_then(|out| out.change_info())
            .map(|c| change_id(c.id()).to_string()),
        warnings: zone.warning.into_iter().collect(),
        request_id: last.as_ref().and_then(|out| request_id(out.request_id())),
        ..Outcome::default()
    })
}

/// The SDK's `Change` of one record change, with its health check already resolved to an id.
fn sdk_change(
    op: Op,
    action: &str,
    record: &RecordSet,
    health_check: Option<String>,
) -> Result<Change, BackendError> {
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
        .set_weight(record.weight)
        .set_ttl(record.ttl)
        .set_resource_records(values)
        .set_alias_target(alias)
        .set_health_check_id(health_check)
        .build()
        .map_err(|err| invalid(op, err))?;
    Change::builder()
        .action(ChangeAction::from(action.to_ascii_uppercase().as_str()))
        .resource_record_set(record_set)
        .build()
        .map_err(|err| invalid(op, err))
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
        change_record_sets(ctx, op, self).await
    }
}

impl Execute for ops::UpdateHealthCheck {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        update_health_check(ctx, op, &self.health_check, self.disabled, self.inverted).await
    }
}
