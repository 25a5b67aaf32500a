//! Finding resources by the portable names runbooks use: Name tags, domain names, ARNs.

use crate::context::Ctx;
use crate::errors::{ambiguous, missing, FromSdk, Op};
use crate::paging::AllPages;
use aws_sdk_ec2::types::{Filter, Snapshot, Volume};
use aws_sdk_route53::types::{HealthCheck, TagResourceType};
use ripcord_core::{BackendError, ErrorKind, Target};
use std::collections::HashMap;

/// `vol-`/`snap-` followed by 8 or 17 hex digits: an EC2 id, not a Name tag.
pub(crate) fn is_ec2_id(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// `Ok(None)` for a not-found answer; other errors stand.
pub(crate) fn absent_is_none<T>(found: Result<T, BackendError>) -> Result<Option<T>, BackendError> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(err) if err.kind == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

fn name_filter(name: &str) -> Filter {
    Filter::builder().name("tag:Name").values(name).build()
}

/// A volume by id or Name tag; `None` when there is none, `AmbiguousName` when several.
pub(crate) async fn find_volume(
    ctx: &Ctx,
    op: Op,
    region: &str,
    name: &str,
) -> Result<Option<Volume>, BackendError> {
    let request = ctx.clients.ec2(region).describe_volumes();
    let request = if is_ec2_id(name, "vol-") {
        request.volume_ids(name)
    } else {
        request.filters(name_filter(name))
    };
    ctx.pace("ec2", "DescribeVolumes", Some(region)).await;
    let found =
        absent_is_none(request.into_paginator().items().send().all(op).await)?.unwrap_or_default();
    one(
        op,
        found,
        |v| v.volume_id().unwrap_or_default().to_string(),
        || Target::Volume {
            name: name.to_string(),
            region: region.to_string(),
        },
    )
}

/// An EBS snapshot owned by the account, by id or Name tag.
pub(crate) async fn find_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    name: &str,
) -> Result<Option<Snapshot>, BackendError> {
    let request = ctx.clients.ec2(region).describe_snapshots();
    let request = if is_ec2_id(name, "snap-") {
        request.snapshot_ids(name)
    } else {
        // Only the account's own snapshots: a public snapshot with the same Name tag must not
        // make the name ambiguous (or be restored by mistake).
        request.owner_ids("self").filters(name_filter(name))
    };
    ctx.pace("ec2", "DescribeSnapshots", Some(region)).await;
    let found =
        absent_is_none(request.into_paginator().items().send().all(op).await)?.unwrap_or_default();
    one(
        op,
        found,
        |s| s.snapshot_id().unwrap_or_default().to_string(),
        || Target::EbsSnapshot {
            name: name.to_string(),
            region: region.to_string(),
        },
    )
}

/// The single match, `None`, or the ambiguity error naming the ids.
fn one<T>(
    op: Op,
    mut found: Vec<T>,
    id: impl Fn(&T) -> String,
    target: impl Fn() -> Target,
) -> Result<Option<T>, BackendError> {
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => {
            let mut ids: Vec<String> = found.iter().map(id).collect();
            ids.sort();
            Err(ambiguous(op, &target(), &ids))
        }
    }
}

/// `found` or the kind's not-found error.
pub(crate) fn required<T>(op: Op, found: Option<T>, target: &Target) -> Result<T, BackendError> {
    found.ok_or_else(|| missing(op, target))
}

/// A hosted zone as ripcord needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZoneRef {
    /// `Z...`, without `/hostedzone/`.
    pub id: String,
    /// Without the trailing dot.
    pub name: String,
    pub private: bool,
    /// Set when a public and a private zone share the name (the public one is used).
    pub warning: Option<String>,
}

/// DNS names compare case-insensitively and with or without the trailing dot.
pub(crate) fn dns_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Route 53 answers zone ids as `/hostedzone/Z...`; runbooks and inventories use `Z...`.
pub(crate) fn zone_id(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

/// A hosted zone by domain name (ListHostedZonesByName, exact match) or id. As in the
/// simulation, a public zone wins over a private one of the same name, with a warning.
pub(crate) async fn find_zone(
    ctx: &Ctx,
    op: Op,
    name: &str,
) -> Result<Option<ZoneRef>, BackendError> {
    let wanted = dns_name(name);
    ctx.pace("route53", "ListHostedZonesByName", None).await;
    let out = ctx
        .clients
        .route53()
        .list_hosted_zones_by_name()
        .dns_name(format!("{wanted}."))
        .max_items(100)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    let matching: Vec<ZoneRef> = out
        .hosted_zones()
        .iter()
        .filter(|z| dns_name(z.name()) == wanted)
        .map(|z| ZoneRef {
            id: zone_id(z.id()).to_string(),
            name: z.name().trim_end_matches('.').to_string(),
            private: z.config().is_some_and(|c| c.private_zone()),
            warning: None,
        })
        .collect();
    if matching.len() > 1 {
        let mut chosen = matching
            .iter()
            .find(|z| !z.private)
            .unwrap_or(&matching[0])
            .clone();
        chosen.warning = Some(format!(
            "a public and a private hosted zone are both named {wanted}; the change goes to the public one ({})",
            chosen.id
        ));
        return Ok(Some(chosen));
    }
    if let Some(zone) = matching.into_iter().next() {
        return Ok(Some(zone));
    }
    // Not a name: perhaps an id (`Z0123...` or `/hostedzone/Z0123...`: upper-case letters and
    // digits, where domain names are matched in lower case). Anything else would
    // draw an InvalidInput from Route 53 instead of the not-found it is.
    let id = zone_id(name);
    // The IAM policy counts on the same test (GetHostedZone is needed only then).
    if !ripcord_core::ops::looks_like_zone_id(id) {
        return Ok(None);
    }
    ctx.pace("route53", "GetHostedZone", None).await;
    let found = absent_is_none(
        ctx.clients
            .route53()
            .get_hosted_zone()
            .id(id)
            .send()
            .await
            .map_err(|err| op.sdk(err)),
    )?;
    Ok(found.and_then(|out| {
        out.hosted_zone().map(|z| ZoneRef {
            id: zone_id(z.id()).to_string(),
            name: z.name().trim_end_matches('.').to_string(),
            private: z.config().is_some_and(|c| c.private_zone()),
            warning: None,
        })
    }))
}

/// Every health check with its Name tag (ListHealthChecks + ListTagsForResources).
pub(crate) async fn health_checks(
    ctx: &Ctx,
    op: Op,
) -> Result<Vec<(HealthCheck, Option<String>)>, BackendError> {
    let route53 = ctx.clients.route53();
    ctx.pace("route53", "ListHealthChecks", None).await;
    let checks = route53
        .list_health_checks()
        .into_paginator()
        .items()
        .send()
        .all(op)
        .await?;
    let mut names: HashMap<String, String> = HashMap::new();
    // ListTagsForResources takes at most 10 ids per request.
    for chunk in checks.chunks(10) {
        let ids: Vec<String> = chunk.iter().map(|c| c.id().to_string()).collect();
        ctx.pace("route53", "ListTagsForResources", None).await;
        let out = route53
            .list_tags_for_resources()
            .resource_type(TagResourceType::Healthcheck)
            .set_resource_ids(Some(ids))
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        for set in out.resource_tag_sets() {
            let name = set
                .tags()
                .iter()
                .find(|t| t.key() == Some("Name"))
                .and_then(|t| t.value());
            if let (Some(id), Some(name)) = (set.resource_id(), name) {
                names.insert(id.to_string(), name.to_string());
            }
        }
    }
    Ok(checks
        .into_iter()
        .map(|check| {
            let name = names.remove(check.id());
            (check, name)
        })
        .collect())
}

/// A health check by id or Name tag.
pub(crate) async fn find_health_check(
    ctx: &Ctx,
    op: Op,
    name: &str,
) -> Result<Option<(HealthCheck, Option<String>)>, BackendError> {
    let all = health_checks(ctx, op).await?;
    if let Some(by_id) = all.iter().find(|(c, _)| c.id() == name) {
        return Ok(Some(by_id.clone()));
    }
    let found: Vec<(HealthCheck, Option<String>)> = all
        .into_iter()
        .filter(|(_, n)| n.as_deref() == Some(name))
        .collect();
    one(
        op,
        found,
        |(c, _)| c.id().to_string(),
        || Target::HealthCheck {
            name: name.to_string(),
        },
    )
}

/// A health check id, or `NoSuchHealthCheck`.
pub(crate) async fn health_check_id(ctx: &Ctx, op: Op, name: &str) -> Result<String, BackendError> {
    let found = find_health_check(ctx, op, name).await?;
    let target = Target::HealthCheck {
        name: name.to_string(),
    };
    Ok(required(op, found, &target)?.0.id().to_string())
}

/// An SNS topic's ARN from its name (an ARN passes).
pub(crate) async fn topic_arn(ctx: &Ctx, region: &str, name: &str) -> Result<String, BackendError> {
    if name.starts_with("arn:") {
        return Ok(name.to_string());
    }
    ctx.arn("sns", region, name).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_ids_and_names() {
        assert!(is_ec2_id("vol-0123456789abcdef0", "vol-"));
        assert!(is_ec2_id("snap-12345678", "snap-"));
        assert!(!is_ec2_id("vol-data", "vol-"));
        assert!(!is_ec2_id("web-data", "vol-"));
        assert_eq!(dns_name("Example.COM."), "example.com");
        assert_eq!(zone_id("/hostedzone/Z1"), "Z1");
    }
}
