//! EC2: CreateSnapshot, CopySnapshot (sent to the destination region) and CreateVolume.

use super::{client_token, request_id, resolved, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use crate::resolve::{find_snapshot, find_volume, required};
use aws_sdk_ec2::operation::RequestId;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use ripcord_core::ops;
use ripcord_core::{BackendError, Call, Outcome, Target};
use std::collections::BTreeMap;

/// Tags applied atomically with the resource; `None` for no tags (EC2 rejects an empty list).
fn tag_spec(kind: ResourceType, tags: &BTreeMap<String, String>) -> Option<TagSpecification> {
    if tags.is_empty() {
        return None;
    }
    let tags = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    Some(
        TagSpecification::builder()
            .resource_type(kind)
            .set_tags(Some(tags))
            .build(),
    )
}

async fn create_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    volume: &str,
    description: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let target = Target::Volume {
        name: volume.to_string(),
        region: region.to_string(),
    };
    let found = required(op, find_volume(ctx, op, region, volume).await?, &target)?;
    let volume_id = found.volume_id().unwrap_or_default().to_string();
    let out = ctx
        .mutations
        .ec2(region)
        .create_snapshot()
        .volume_id(&volume_id)
        .description(description)
        .set_tag_specifications(tag_spec(ResourceType::Snapshot, tags).map(|t| vec![t]))
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(volume, &volume_id),
        creates: out.snapshot_id().map(str::to_string),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn copy_snapshot(
    ctx: &Ctx,
    op: Op,
    region: &str,
    source_region: &str,
    source_snapshot: &str,
    description: &str,
    tags: &BTreeMap<String, String>,
) -> Result<Outcome, BackendError> {
    let target = Target::EbsSnapshot {
        name: source_snapshot.to_string(),
        region: source_region.to_string(),
    };
    let found = required(
        op,
        find_snapshot(ctx, op, source_region, source_snapshot).await?,
        &target,
    )?;
    let source_id = found.snapshot_id().unwrap_or_default().to_string();
    let out = ctx
        .mutations
        .ec2(region)
        .copy_snapshot()
        .source_region(source_region)
        .source_snapshot_id(&source_id)
        .description(description)
        .set_tag_specifications(tag_spec(ResourceType::Snapshot, tags).map(|t| vec![t]))
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(source_snapshot, &source_id),
        creates: out.snapshot_id().map(str::to_string),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

async fn create_volume(
    ctx: &Ctx,
    op: Op,
    region: &str,
    snapshot: &str,
    availability_zone: &str,
    tags: &BTreeMap<String, String>,
    client_token: &str,
) -> Result<Outcome, BackendError> {
    let target = Target::EbsSnapshot {
        name: snapshot.to_string(),
        region: region.to_string(),
    };
    let found = required(op, find_snapshot(ctx, op, region, snapshot).await?, &target)?;
    let snapshot_id = found.snapshot_id().unwrap_or_default().to_string();
    let out = ctx
        .mutations
        .ec2(region)
        .create_volume()
        .snapshot_id(&snapshot_id)
        .availability_zone(availability_zone)
        .set_tag_specifications(tag_spec(ResourceType::Volume, tags).map(|t| vec![t]))
        .client_token(client_token)
        .send()
        .await
        .map_err(|err| op.sdk(err))?;
    Ok(Outcome {
        resolved: resolved(snapshot, &snapshot_id),
        creates: out.volume_id().map(str::to_string),
        request_id: request_id(out.request_id()),
        ..Outcome::default()
    })
}

/// The runbook's tags and the request's own ([`ripcord_core::REQUEST_TAG`]): the API has no
/// idempotency token, so the effect check of a lost answer finds the snapshot by this tag.
fn with_request_tag(
    call: Call,
    tags: &BTreeMap<String, String>,
    seed: &str,
) -> BTreeMap<String, String> {
    let mut tags = tags.clone();
    tags.insert(
        ripcord_core::REQUEST_TAG.to_string(),
        client_token(&call, seed),
    );
    tags
}

impl Execute for ops::CreateSnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, token_seed: &str) -> Result<Outcome, BackendError> {
        let tags = with_request_tag(Call::from(self.clone()), &self.tags, token_seed);
        create_snapshot(
            ctx,
            op,
            &self.region,
            &self.volume,
            &self.description,
            &tags,
        )
        .await
    }
}

impl Execute for ops::CopySnapshot {
    async fn execute(&self, ctx: &Ctx, op: Op, token_seed: &str) -> Result<Outcome, BackendError> {
        let tags = with_request_tag(Call::from(self.clone()), &self.tags, token_seed);
        copy_snapshot(
            ctx,
            op,
            &self.region,
            &self.source_region,
            &self.source_snapshot,
            &self.description,
            &tags,
        )
        .await
    }
}

impl Execute for ops::CreateVolume {
    async fn execute(&self, ctx: &Ctx, op: Op, token_seed: &str) -> Result<Outcome, BackendError> {
        let token = client_token(&Call::from(self.clone()), token_seed);
        create_volume(
            ctx,
            op,
            &self.region,
            &self.snapshot,
            &self.availability_zone,
            &self.tags,
            &token,
        )
        .await
    }
}
