//! Aurora global databases made and unmade (`ripcord_core::ops::aurora`), and RDS instances
//! made and unmade (`ripcord_core::ops::replica`: a read replica back toward the former
//! primary, a stale instance out of the way): what re-establishing replication after a
//! failover sends. The moves within a global database (detach, failover, switchover) and
//! promotion are in `rds.rs`.

use super::rds::{cross_region_source, stored};
use super::{request_id, resolved, Execute};
use crate::context::Ctx;
use crate::errors::{FromSdk, Op};
use aws_sdk_rds::operation::RequestId;
use ripcord_core::ops;
use ripcord_core::{BackendError, Outcome};

impl Execute for ops::CreateGlobalCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // The source is named by ARN, as RemoveFromGlobalCluster names its member: an
        // identifier only works for a cluster in the region the request is sent to. Engine,
        // version and encryption come from the source (AWS refuses them alongside it).
        let source = ctx
            .cluster_arn(&self.region, &self.source_db_cluster)
            .await?;
        let out = ctx
            .mutations
            .rds(&self.region)
            .create_global_cluster()
            .global_cluster_identifier(&self.global_cluster_identifier)
            .source_db_cluster_identifier(&source)
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            resolved: resolved(&self.source_db_cluster, &source),
            creates: stored(
                out.global_cluster()
                    .and_then(|g| g.global_cluster_identifier()),
                &self.global_cluster_identifier,
            ),
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}

impl Execute for ops::DeleteGlobalCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        let out = ctx
            .mutations
            .rds(&self.region)
            .delete_global_cluster()
            .global_cluster_identifier(&self.global_cluster_identifier)
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}

impl Execute for ops::DeleteDbCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // Never without a final snapshot: SkipFinalSnapshot is false, said explicitly.
        let out = ctx
            .mutations
            .rds(&self.region)
            .delete_db_cluster()
            .db_cluster_identifier(&self.db_cluster)
            .skip_final_snapshot(false)
            .final_db_snapshot_identifier(&self.final_snapshot)
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}

impl Execute for ops::CreateDbCluster {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // A secondary of a global database: no master credentials (it takes the primary's),
        // the global database by its identifier (sent to the secondary's region).
        let out = ctx
            .mutations
            .rds(&self.region)
            .create_db_cluster()
            .db_cluster_identifier(&self.db_cluster)
            .global_cluster_identifier(&self.global_cluster_identifier)
            .engine(&self.engine)
            .set_engine_version(self.engine_version.clone())
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            creates: stored(
                out.db_cluster().and_then(|c| c.db_cluster_identifier()),
                &self.db_cluster,
            ),
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}

impl Execute for ops::DeleteDbInstance {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // With the final snapshot when the call names one (SkipFinalSnapshot false, said
        // explicitly); without one only for a read replica or an Aurora cluster's instance,
        // whose data is the source's or the cluster's (the interpreter sends no other kind
        // without a snapshot).
        let out = ctx
            .mutations
            .rds(&self.region)
            .delete_db_instance()
            .db_instance_identifier(&self.db_instance)
            .skip_final_snapshot(self.final_snapshot.is_none())
            .set_final_db_snapshot_identifier(self.final_snapshot.clone())
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}

impl Execute for ops::CreateDbInstanceReadReplica {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // Sent to the replica's region; a source in another region by its ARN (the API's way
        // to it). The Rust SDK has no SourceRegion pseudo-parameter: the pre-signed URL it
        // stood for is only used in GovCloud and China, as for the snapshot copies.
        let source = cross_region_source(
            ctx,
            &self.region,
            &self.source_region,
            "db",
            &self.source_db_instance,
        )
        .await?;
        let out = ctx
            .mutations
            .rds(&self.region)
            .create_db_instance_read_replica()
            .db_instance_identifier(&self.db_instance)
            .source_db_instance_identifier(&source)
            .multi_az(self.multi_az)
            .set_db_instance_class(self.instance_class.clone())
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            resolved: resolved(&self.source_db_instance, &source),
            creates: stored(
                out.db_instance().and_then(|d| d.db_instance_identifier()),
                &self.db_instance,
            ),
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}

impl Execute for ops::CreateDbInstance {
    async fn execute(&self, ctx: &Ctx, op: Op, _token_seed: &str) -> Result<Outcome, BackendError> {
        // An instance of an Aurora cluster: no storage and no master credentials (both are
        // the cluster's; AWS refuses them for a cluster member), the cluster by its
        // identifier (in the region the request is sent to).
        let out = ctx
            .mutations
            .rds(&self.region)
            .create_db_instance()
            .db_instance_identifier(&self.db_instance)
            .db_cluster_identifier(&self.db_cluster)
            .engine(&self.engine)
            .db_instance_class(&self.instance_class)
            .send()
            .await
            .map_err(|err| op.sdk(err))?;
        Ok(Outcome {
            creates: stored(
                out.db_instance().and_then(|d| d.db_instance_identifier()),
                &self.db_instance,
            ),
            request_id: request_id(out.request_id()),
            ..Outcome::default()
        })
    }
}
