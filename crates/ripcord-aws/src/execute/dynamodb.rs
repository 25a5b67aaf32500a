//! DynamoDB: UpdateTable with `ReplicaUpdates`, the replicas of a global table (version
//! 2019.11.21), sent to a region that holds the table.

use super::{request_id, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use aws_sdk_dynamodb::operation::RequestId;
use aws_sdk_dynamodb::types::{
    CreateReplicationGroupMemberAction, DeleteReplicationGroupMemberAction, ReplicationGroupUpdate,
};
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome};

/// The SDK's `ReplicationGroupUpdate` of one replica change. Its builders check the region is
/// there; a missing one is reported as DynamoDB would.
fn replica_update(
    op: Op,
    update: &ops::ReplicaUpdate,
) -> Result<ReplicationGroupUpdate, BackendError> {
    let invalid = |err: aws_sdk_dynamodb::error::BuildError| {
        op.rejected(
            "ValidationException",
            format!("One or more parameter values were invalid: {err}"),
        )
    };
    Ok(match update {
        ops::ReplicaUpdate::Create(r) => ReplicationGroupUpdate::builder()
            .create(
                CreateReplicationGroupMemberAction::builder()
                    .region_name(&r.region_name)
                    .build()
                    .map_err(invalid)?,
            )
            .build(),
        ops::ReplicaUpdate::Delete(r) => ReplicationGroupUpdate::builder()
            .delete(
                DeleteReplicationGroupMemberAction::builder()
                    .region_name(&r.region_name)
                    .build()
                    .map_err(invalid)?,
            )
            .build(),
    })
}

impl Execute for ops::UpdateTable {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // Sent as the runbook gave them: AWS refuses more than one replica change per
        // request (ValidationException), as the simulation does.
        let updates = self
            .replica_updates
            .iter()
            .map(|update| replica_update(op, update))
            .collect::<Result<Vec<_>, _>>()?;
        let out = ctx
            .mutations
            .dynamodb(&self.region)
            .update_table()
            .table_name(&self.table_name)
            .set_replica_updates(Some(updates))
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}
