"""Fixes to moto 5.2.5 that ripcord's DR flows need, applied by monkeypatching.

Each fix makes moto's backend behave like AWS for a call our runbooks make;
none of them fakes a response around a gap. Why each one is needed is written
next to it; README.md has the summary table. Written against moto 5.2.5 only:
apply() refuses any other version rather than patch code it has not seen.
"""

import moto
from moto.core.responses import ActionResult
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    InvalidParameterCombination,
    RDSClientError,
)
from moto.ec2.models.elastic_block_store import EBSBackend, Snapshot
from moto.rds.models import DBInstance, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse
from moto.s3.exceptions import ReplicationConfigurationNotFoundError
from moto.s3.responses import S3Response

MOTO_VERSION = "5.2.5"


# --- Aurora global clusters -------------------------------------------------
#
# moto keeps every global cluster in the us-east-1 backend (see
# RDSResponse.global_backend), whatever region the call is made in, while
# member clusters live in their own region's backend. Several upstream methods
# look global clusters up in the *calling* region's backend instead, and so
# silently do nothing when called from anywhere else: that is the us-west-2
# RemoveFromGlobalCluster no-op.


def _global_clusters(account_id):
    return rds_backends[account_id]["us-east-1"].global_clusters


def _get_global_cluster(account_id, identifier):
    name = identifier.split(":")[-1] if identifier.startswith("arn:") else identifier
    gc = _global_clusters(account_id).get(name)
    if gc is None:
        raise RDSClientError(
            "GlobalClusterNotFoundFault", f"Global cluster {identifier} not found."
        )
    return gc


def _get_cluster(backend, identifier):
    # AWS asks for an ARN in global-cluster calls so it can find a member in
    # another region; a plain identifier means the calling region.
    if identifier.startswith("arn:"):
        region, account = identifier.split(":")[3:5]
        try:
            backend = rds_backends[account][region]
        except KeyError:
            raise DBClusterNotFoundError(identifier)
    return backend.describe_db_clusters(db_cluster_identifier=identifier)[0]


def _check_member(gc, cluster):
    if cluster not in gc.members:
        raise RDSClientError(
            "InvalidDBClusterStateFault",
            f"The cluster {cluster.db_cluster_arn} is not a member of global "
            f"cluster {gc.global_cluster_identifier}.",
        )


def _remove_from_global_cluster(backend, global_id, cluster_id):
    gc = _get_global_cluster(backend.account_id, global_id)
    cluster = _get_cluster(backend, cluster_id)
    _check_member(gc, cluster)
    gc.members.remove(cluster)
    # Detached means standalone and read-write, as AWS documents for this call.
    cluster.global_cluster_identifier = None
    cluster.is_writer = True
    return gc


def _make_writer(backend, global_id, target_id):
    """The shared effect of FailoverGlobalCluster and SwitchoverGlobalCluster.

    moto applies changes instantly, so there is no failing-over phase to show:
    the response already has the target as writer and the old writer as a
    secondary, as AWS reports once the operation completes.
    """
    gc = _get_global_cluster(backend.account_id, global_id)
    target = _get_cluster(backend, target_id)
    _check_member(gc, target)
    if target.is_writer:
        raise RDSClientError(
            "InvalidGlobalClusterStateFault",
            f"The cluster {target.db_cluster_arn} is already the primary cluster "
            f"of global cluster {gc.global_cluster_identifier}.",
        )
    for member in gc.members:
        member.is_writer = member is target
    return gc


def _patch_global_clusters():
    upstream_create = RDSBackend.create_global_cluster

    def create_global_cluster(
        self,
        global_cluster_identifier,
        source_db_cluster_identifier,
        engine,
        engine_version,
        storage_encrypted,
        deletion_protection,
    ):
        # Upstream looks the source up in us-east-1 only (so a primary in any
        # other region is "not found") and leaves it with IsWriter=false.
        source_id = source_db_cluster_identifier or ""
        if not source_id.startswith("arn:"):
            # No source, or not an ARN: upstream's own checks and errors apply.
            return upstream_create(
                self,
                global_cluster_identifier,
                source_db_cluster_identifier,
                engine,
                engine_version,
                storage_encrypted,
                deletion_protection,
            )
        source = _get_cluster(self, source_id)
        if engine is not None:
            raise InvalidParameterCombination(
                "When creating global cluster from existing db cluster, value for "
                "engineName should not be specified since it will be inherited "
                "from source cluster"
            )
        gc = upstream_create(
            self,
            global_cluster_identifier,
            None,
            source.engine,
            source.engine_version,
            storage_encrypted,
            deletion_protection,
        )
        gc.members.append(source)
        source.is_writer = True
        # The plain identifier, as CreateDBCluster(GlobalClusterIdentifier=)
        # stores it for secondaries and as AWS shows it in DescribeDBClusters.
        source.global_cluster_identifier = gc.global_cluster_identifier
        return gc

    def remove_from_global_cluster(self, global_cluster_identifier, db_cluster_identifier):
        # Upstream's contract for internal callers: None instead of an error.
        try:
            return _remove_from_global_cluster(
                self, global_cluster_identifier, db_cluster_identifier
            )
        except RDSClientError:
            return None

    RDSBackend.create_global_cluster = create_global_cluster
    RDSBackend.remove_from_global_cluster = remove_from_global_cluster

    # Responses. moto dispatches an RDS Action to the RDSResponse method of the
    # same name in snake_case, so adding a method registers the action.

    def remove_from_global_cluster_response(self):
        gc = _remove_from_global_cluster(
            self.backend,
            self.params["GlobalClusterIdentifier"],
            self.params["DbClusterIdentifier"],
        )
        return ActionResult({"GlobalCluster": gc})

    def failover_global_cluster(self):
        if self.params.get("AllowDataLoss") and self.params.get("Switchover"):
            raise InvalidParameterCombination(
                "AllowDataLoss and Switchover can't be specified together."
            )
        gc = _make_writer(
            self.backend,
            self.params["GlobalClusterIdentifier"],
            self.params["TargetDbClusterIdentifier"],
        )
        return ActionResult({"GlobalCluster": gc})

    def switchover_global_cluster(self):
        gc = _make_writer(
            self.backend,
            self.params["GlobalClusterIdentifier"],
            self.params["TargetDbClusterIdentifier"],
        )
        return ActionResult({"GlobalCluster": gc})

    def describe_global_clusters(self):
        # Upstream ignores GlobalClusterIdentifier and always lists them all.
        identifier = self.params.get("GlobalClusterIdentifier")
        if identifier:
            clusters = [_get_global_cluster(self.current_account, identifier)]
        else:
            clusters = self.global_backend.describe_global_clusters()
        return ActionResult({"GlobalClusters": clusters})

    RDSResponse.remove_from_global_cluster = remove_from_global_cluster_response
    RDSResponse.failover_global_cluster = failover_global_cluster
    RDSResponse.switchover_global_cluster = switchover_global_cluster
    RDSResponse.describe_global_clusters = describe_global_clusters


# --- RDS cluster lifecycle -------------------------------------------------------


def _patch_cluster_lifecycle():
    upstream_create = RDSBackend.create_db_cluster
    upstream_delete = RDSBackend.delete_db_cluster

    def create_db_cluster(self, kwargs):
        # Upstream stores a duplicate over the existing cluster, then fails on
        # its automated snapshot's name with DBClusterSnapshotAlreadyExistsFault.
        if kwargs["db_cluster_identifier"] in self.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        return upstream_create(self, kwargs)

    def delete_db_cluster(self, *args, **kwargs):
        cluster = upstream_delete(self, *args, **kwargs)
        # Upstream forgets the global membership only when the cluster is in
        # us-east-1, leaving a deleted cluster in GlobalClusterMembers otherwise.
        for gc in _global_clusters(self.account_id).values():
            if cluster in gc.members:
                gc.members.remove(cluster)
        # Upstream keeps the automated snapshot (AWS deletes it by default),
        # whose minute-stamped name then blocks re-creating a cluster of the
        # same name for the rest of that minute.
        for snap_id, snap in list(self.cluster_snapshots.items()):
            if (
                snap.snapshot_type == "automated"
                and snap.db_cluster_identifier == cluster.db_cluster_identifier
            ):
                del self.cluster_snapshots[snap_id]
        return cluster

    RDSBackend.create_db_cluster = create_db_cluster
    RDSBackend.delete_db_cluster = delete_db_cluster


# --- RDS instances -----------------------------------------------------------


def _other_az(az):
    return az[:-1] + ("b" if az[-1] != "b" else "a")


def _patch_instances():
    # Multi-AZ standby. Upstream has no standby AZ at all, so RebootDBInstance
    # with ForceFailover cannot move the instance anywhere (it is a no-op).
    def get_secondary_az(self):
        if not self.multi_az:
            return None
        az = self.__dict__.get("_ripcord_secondary_az")
        # Replicas and restores copy their source's attributes, which may
        # belong to another region or coincide with the new primary AZ.
        if not az or az == self.availability_zone or not az.startswith(self.region):
            az = self._ripcord_secondary_az = _other_az(self.availability_zone)
        return az

    def set_secondary_az(self, value):
        self._ripcord_secondary_az = value

    # Serialized by moto as DescribeDBInstances' SecondaryAvailabilityZone.
    DBInstance.secondary_availability_zone = property(get_secondary_az, set_secondary_az)

    def reboot_db_instance(self):
        db = self.backend.reboot_db_instance(self.params.get("DBInstanceIdentifier"))
        if self.params.get("ForceFailover"):
            if not db.multi_az:
                raise InvalidParameterCombination(
                    "ForceFailover cannot be specified since the instance is not "
                    "configured for either MultiAZ or High Availability"
                )
            db.availability_zone, db.secondary_availability_zone = (
                db.secondary_availability_zone,
                db.availability_zone,
            )
        return ActionResult({"DBInstance": db})

    RDSResponse.reboot_db_instance = reboot_db_instance

    upstream_promote = RDSBackend.promote_read_replica
    upstream_replica = RDSBackend.create_db_instance_read_replica
    upstream_restore = RDSBackend.restore_db_instance_from_db_snapshot

    def promote_read_replica(self, db_kwargs):
        # Upstream only flips is_replica: the promoted instance still reports
        # ReadReplicaSourceDBInstanceIdentifier and its source still lists it.
        db = self.describe_db_instances(db_kwargs["db_instance_identifier"])[0]
        source_id = db.source_db_instance_identifier if db.is_replica else None
        db = upstream_promote(self, db_kwargs)
        if source_id:
            try:
                source = self.find_db_from_id(source_id)
            except RDSClientError:
                source = None  # the source is gone, nothing to unlink
            if source is not None:
                for ref in (db.db_instance_arn, db.db_instance_identifier):
                    if ref in source.replicas:
                        source.replicas.remove(ref)
            db.source_db_instance_identifier = None
        return db

    def in_own_region(backend, db):
        # A cross-region replica or restore copies its source's AZ, so it would
        # report e.g. us-east-1a for an instance in us-west-2.
        if not db.availability_zone.startswith(backend.region_name):
            db.availability_zone = f"{backend.region_name}a"
        return db

    def create_db_instance_read_replica(self, db_kwargs):
        return in_own_region(self, upstream_replica(self, db_kwargs))

    def restore_db_instance_from_db_snapshot(self, from_snapshot_id, overrides):
        return in_own_region(self, upstream_restore(self, from_snapshot_id, overrides))

    RDSBackend.promote_read_replica = promote_read_replica
    RDSBackend.create_db_instance_read_replica = create_db_instance_read_replica
    RDSBackend.restore_db_instance_from_db_snapshot = restore_db_instance_from_db_snapshot


# --- Snapshot copies and restores ---------------------------------------------------


def _source_region(arn, region):
    """The region of a source snapshot named by ARN, when it is not `region`."""
    if not arn or not arn.startswith("arn:"):
        return None
    source = arn.split(":")[3]
    return source if source != region else None


def _patch_snapshots():
    upstream_copy = RDSBackend.copy_db_snapshot
    upstream_cluster_copy = RDSBackend.copy_db_cluster_snapshot

    # AWS records where a cross-region copy came from: SourceRegion and the source's ARN as
    # SourceDBSnapshotIdentifier (a cluster snapshot: SourceDBClusterSnapshotArn). Upstream
    # records nothing, so nothing tells which region the copy's source instance is in. moto
    # serializes these attributes under those names.
    def copy_db_snapshot(self, **kwargs):
        copy = upstream_copy(self, **kwargs)
        source = kwargs.get("source_db_snapshot_identifier")
        region = _source_region(source, self.region_name)
        if region:
            copy.source_region = region
            copy.source_db_snapshot_identifier = source
        return copy

    def copy_db_cluster_snapshot(self, **kwargs):
        copy = upstream_cluster_copy(self, **kwargs)
        source = kwargs.get("source_db_cluster_snapshot_identifier")
        if _source_region(source, self.region_name):
            copy.source_db_cluster_snapshot_arn = source
        return copy

    RDSBackend.copy_db_snapshot = copy_db_snapshot
    RDSBackend.copy_db_cluster_snapshot = copy_db_cluster_snapshot

    # A restore copies every attribute of the snapshot's instance, MultiAZ included, and
    # ignores MultiAZ=false (falsy overrides are skipped). AWS documents the opposite: "By
    # default, the new DB instance is created as a Single-AZ deployment".
    upstream_restore = RDSBackend.restore_db_instance_from_db_snapshot

    def restore_db_instance_from_db_snapshot(self, from_snapshot_id, overrides):
        db = upstream_restore(self, from_snapshot_id, overrides)
        db.multi_az = bool(overrides.get("multi_az"))
        return db

    RDSBackend.restore_db_instance_from_db_snapshot = restore_db_instance_from_db_snapshot

    # A copied EBS snapshot keeps the source's VolumeId upstream; AWS gives copies the
    # placeholder vol-ffffffff ("should not be used for any purpose"), so a copy is never the
    # latest snapshot of the source volume.
    upstream_ec2_copy = EBSBackend.copy_snapshot

    def copy_snapshot(self, *args, **kwargs):
        copy = upstream_ec2_copy(self, *args, **kwargs)
        copy._ripcord_copy = True
        return copy

    def volume_id(self):
        return "vol-ffffffff" if self.__dict__.get("_ripcord_copy") else self.volume.id

    EBSBackend.copy_snapshot = copy_snapshot
    Snapshot.volume_id = property(volume_id)


# --- S3 ------------------------------------------------------------------------


def _patch_s3():
    # Upstream stores the whole replication configuration but GetBucketReplication
    # answers DeleteMarkerReplication=Disabled and an empty prefix for every
    # rule, so a drift check of what PutBucketReplication set always fails.
    passthrough = ("SourceSelectionCriteria", "ExistingObjectReplication")

    def get_bucket_replication(self):
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = []
        for rule in replication["Rule"]:
            rule_filter = rule.get("Filter")
            if not rule_filter or rule_filter == {"Prefix": None}:
                rule_filter = {"Prefix": ""}
            out = {
                "ID": rule["ID"],
                "Priority": rule["Priority"],
                "Status": rule["Status"],
                "DeleteMarkerReplication": rule.get("DeleteMarkerReplication")
                or {"Status": "Disabled"},
                "Filter": rule_filter,
                "Destination": rule["Destination"],
            }
            out.update({k: rule[k] for k in passthrough if rule.get(k)})
            rules.append(out)
        return self.serialized(
            ActionResult(
                {"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}
            )
        )

    S3Response.get_bucket_replication = get_bucket_replication

    # Upstream serializes GetBucketVersioning under a <GetBucketVersioningResponse> root;
    # S3's real root is <VersioningConfiguration>. boto3 does not mind, the AWS SDK for Rust
    # rejects the answer, so every capture of a world with buckets failed.
    def get_bucket_versioning(self):
        self.data["Action"] = "GetBucketVersioning"
        status = self.backend.get_bucket_versioning(self.bucket_name)
        inner = f"<Status>{status}</Status>" if status else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"{inner}</VersioningConfiguration>"
        )
        return 200, {}, body

    S3Response.get_bucket_versioning = get_bucket_versioning


def apply():
    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"ripcord's moto patches are written for moto {MOTO_VERSION}, found "
            f"{moto.__version__}: re-check them (tests/moto/README.md) first"
        )
    _patch_global_clusters()
    _patch_cluster_lifecycle()
    _patch_instances()
    _patch_snapshots()
    _patch_s3()
