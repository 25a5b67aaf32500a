"""Fixes to moto 5.2.5 that ripcord's DR flows need, applied by monkeypatching.

Each fix makes moto's backend behave like AWS for a call our runbooks make;
none of them fakes a response around a gap. Why each one is needed is written
next to it; README.md has the summary table. Written against moto 5.2.5 only:
apply() refuses any other version rather than patch code it has not seen.
"""

import copy
import json

import moto
import moto.moto_api._internal.urls as moto_api_urls
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.ecs.models import EC2ContainerServiceBackend, Service, ecs_backends
from moto.moto_api._internal import mock_random
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBInstanceAlreadyExists,
    InvalidParameterCombination,
    RDSClientError,
)
from moto.ec2.models.elastic_block_store import EBSBackend, Snapshot
from moto.rds.models import DBCluster, DBInstance, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse
from moto.route53.exceptions import InvalidInput, Route53ClientError
from moto.route53.models import FakeZone, Route53Backend
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


def _global_cluster_of(account_id, cluster):
    """The global cluster `cluster` is a member of, or None."""
    return next(
        (gc for gc in _global_clusters(account_id).values() if cluster in gc.members),
        None,
    )


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
        # Upstream replaces a global cluster of the same name (AWS:
        # GlobalClusterAlreadyExistsFault), looks the source up in us-east-1 only
        # (so a primary in any other region is "not found"), lets a cluster
        # already in a global cluster be the source of another (AWS:
        # InvalidDBClusterStateFault) and leaves it with IsWriter=false.
        if global_cluster_identifier in _global_clusters(self.account_id):
            raise RDSClientError(
                "GlobalClusterAlreadyExistsFault",
                f"Global cluster {global_cluster_identifier} already exists",
            )
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
        member_of = _global_cluster_of(self.account_id, source)
        if member_of is not None:
            raise RDSClientError(
                "InvalidDBClusterStateFault",
                f"The cluster {source.db_cluster_arn} is already a member of global "
                f"cluster {member_of.global_cluster_identifier}.",
            )
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

    upstream_delete_global = RDSBackend.delete_global_cluster

    def delete_global_cluster(self, global_cluster_identifier):
        # Upstream answers an unknown id with a KeyError (HTTP 500). Refusing a
        # global cluster that still has members (InvalidGlobalClusterStateFault)
        # is upstream's own.
        gc = _get_global_cluster(self.account_id, global_cluster_identifier)
        return upstream_delete_global(self, gc.global_cluster_identifier)

    RDSBackend.create_global_cluster = create_global_cluster
    RDSBackend.remove_from_global_cluster = remove_from_global_cluster
    RDSBackend.delete_global_cluster = delete_global_cluster

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


def _check_secondary(backend, kwargs):
    """CreateDBCluster with GlobalClusterIdentifier, before anything is made.

    Upstream joins the cluster to the global cluster when it finds one and
    otherwise creates a standalone cluster that names a global cluster that does
    not exist; it takes any engine. AWS: GlobalClusterNotFoundFault, and the
    engine and version must be the global cluster's (an omitted EngineVersion
    is the engine's default, refused when it is not the global cluster's: aws-cli
    issue 8139, "Value for engineVersion should match setting for global
    cluster").
    """
    gc = _get_global_cluster(backend.account_id, kwargs["global_cluster_identifier"])
    engine = kwargs.get("engine")
    if engine != gc.engine:
        raise InvalidParameterCombination(
            f"The engine name requested for your DB cluster ({engine}) doesn't match "
            f"the engine name of global cluster {gc.global_cluster_identifier} "
            f"({gc.engine})."
        )
    version = kwargs.get("engine_version") or DBCluster.default_engine_version(engine)
    if version != gc.engine_version:
        raise RDSClientError(
            "InvalidParameterValue",
            f"Value for engineVersion should match setting for global cluster "
            f"{gc.global_cluster_identifier}",
        )
    # An ARN works as well; upstream finds the global cluster by its name only.
    kwargs["global_cluster_identifier"] = gc.global_cluster_identifier


def _patch_cluster_lifecycle():
    upstream_create = RDSBackend.create_db_cluster
    upstream_delete = RDSBackend.delete_db_cluster

    def create_db_cluster(self, kwargs):
        # Upstream stores a duplicate over the existing cluster, then fails on
        # its automated snapshot's name with DBClusterSnapshotAlreadyExistsFault.
        if kwargs["db_cluster_identifier"] in self.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        if kwargs.get("global_cluster_identifier"):
            _check_secondary(self, kwargs)
        return upstream_create(self, kwargs)

    def delete_db_cluster(self, cluster_identifier, snapshot_name=None):
        # Upstream deletes a member of a global cluster (and forgot the
        # membership only in us-east-1). AWS refuses: a secondary, or a lone
        # writer, must be detached first (RemoveFromGlobalCluster); a writer
        # with secondaries left is the global cluster's problem.
        try:
            cluster = self.describe_db_clusters(db_cluster_identifier=cluster_identifier)[0]
        except RDSClientError:
            cluster = None  # upstream's DBClusterNotFoundFault below
        gc = cluster and _global_cluster_of(self.account_id, cluster)
        if gc and cluster.is_writer and len(gc.members) > 1:
            raise RDSClientError(
                "InvalidGlobalClusterStateFault",
                "Unable to delete cluster that is a primary member of global cluster "
                "while there are other global cluster members",
            )
        if gc:
            raise RDSClientError(
                "InvalidDBClusterStateFault",
                "This cluster is a part of a global cluster, please remove it from "
                "globalcluster first",
            )
        # FinalDBSnapshotIdentifier: upstream takes the snapshot before the
        # cluster goes (a name in use: DBClusterSnapshotAlreadyExistsFault, and
        # the cluster stays), as AWS does.
        cluster = upstream_delete(self, cluster_identifier, snapshot_name)
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


def _instance(backend, ref):
    """The instance an identifier (in `backend`'s region) or an ARN (in its own) names, if any."""
    if not ref:
        return None  # (an empty identifier would describe every instance)
    try:
        return backend.find_db_from_id(ref)
    except RDSClientError:
        return None


def _unlink(backend, replica):
    """Takes `replica` out of its source's ReadReplicaDBInstanceIdentifiers, where the source
    lists it by identifier (same region) or by ARN (another region); a source that is gone
    lists nothing."""
    source = _instance(backend, replica.source_db_instance_identifier)
    if source is not None:
        for ref in (replica.db_instance_arn, replica.db_instance_identifier):
            if ref in source.replicas:
                source.replicas.remove(ref)


def _standalone(backend, db):
    """A replica promoted: no longer one, nor listed by its source."""
    _unlink(backend, db)
    db.is_replica = False
    db.source_db_instance_identifier = None


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
        was_replica = db.is_replica
        db = upstream_promote(self, db_kwargs)
        if was_replica:
            _standalone(self, db)
        return db

    def in_own_region(backend, db):
        # A cross-region replica or restore copies its source's AZ, so it would
        # report e.g. us-east-1a for an instance in us-west-2.
        if not db.availability_zone.startswith(backend.region_name):
            db.availability_zone = f"{backend.region_name}a"
        return db

    def create_db_instance_read_replica(self, db_kwargs):
        # Upstream stores the replica under its id whatever is there: an existing instance
        # is replaced (and a source lists the replica twice). AWS refuses the id.
        if db_kwargs["db_instance_identifier"] in self.databases:
            raise DBInstanceAlreadyExists()
        db = in_own_region(self, upstream_replica(self, db_kwargs))
        # A replica copies all of its source, MultiAZ included when the request has none;
        # AWS: "Creating your read replica as a Multi-AZ DB instance is independent of whether
        # the source is a Multi-AZ DB instance" (Single-AZ unless MultiAZ=true).
        db.multi_az = bool(db_kwargs.get("multi_az"))
        return db

    # DeleteDBInstance. Upstream unlinks a deleted replica from its source by identifier,
    # but a source in another region lists it by ARN: HTTP 500 (ValueError), the replica
    # gone already; with its source gone, DBInstanceNotFound for the source, the replica
    # gone all the same. A deleted source's replicas kept naming it. AWS promotes them
    # ("If you delete a source DB instance without deleting its read replicas [...] each
    # read replica is promoted to a standalone DB instance"), and refuses a final snapshot of
    # a replica.
    upstream_delete = RDSBackend.delete_db_instance

    def delete_db_instance(
        self,
        db_instance_identifier,
        final_db_snapshot_identifier=None,
        skip_final_snapshot=False,
        delete_automated_backups=True,
    ):
        db = self.databases.get(db_instance_identifier)
        if db is None:
            return upstream_delete(self, db_instance_identifier)  # DBInstanceNotFound
        was_replica = db.is_replica
        if was_replica and final_db_snapshot_identifier and not skip_final_snapshot:
            raise InvalidParameterCombination(
                "FinalDBSnapshotIdentifier can not be specified when deleting a replica instance"
            )
        replicas = list(db.replicas)
        db.is_replica = False  # the links are ours to undo, below
        try:
            db = upstream_delete(
                self,
                db_instance_identifier,
                final_db_snapshot_identifier=final_db_snapshot_identifier,
                skip_final_snapshot=skip_final_snapshot,
                delete_automated_backups=delete_automated_backups,
            )
        finally:
            db.is_replica = was_replica
        if was_replica:
            _unlink(self, db)
        for ref in replicas:
            replica = _instance(self, ref)
            if replica is not None and replica.is_replica:
                replica.is_replica = False
                replica.source_db_instance_identifier = None
        db.replicas = []
        return db

    def restore_db_instance_from_db_snapshot(self, from_snapshot_id, overrides):
        return in_own_region(self, upstream_restore(self, from_snapshot_id, overrides))

    RDSBackend.promote_read_replica = promote_read_replica
    RDSBackend.create_db_instance_read_replica = create_db_instance_read_replica
    RDSBackend.delete_db_instance = delete_db_instance
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


# --- DynamoDB global tables (version 2019.11.21) ---------------------------------------
#
# Upstream accepts UpdateTable's ReplicaUpdates and ignores them: no replica table appears
# in the other region and DescribeTable never reports Replicas. Here a global table is a
# replica group, one dict {region: ReplicaStatus} in insertion order, shared by the Table
# object of every region that holds a replica (attribute _ripcord_replicas). moto has no
# time, so a replica is ACTIVE as soon as UpdateTable returns (AWS shows CREATING, then
# ACTIVE, and the table UPDATING meanwhile), and moto replicates no items between them.
#
# DescribeTable in region R lists the *other* regions of the group, not R itself. AWS's
# "Determining the version of a global table" (DynamoDB developer guide,
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables.DetermineVersion.html)
# shows `describe-table --region us-east-2` of a global table in us-east-2 and us-west-2
# answering "Replicas": [{"RegionName": "us-west-2", "ReplicaStatus": "ACTIVE"}], next to a
# DescribeGlobalTable (legacy) that lists both regions; LocalStack's DescribeTable leaves
# the queried region out for the same reason. A table in a group of two or more also
# reports GlobalTableVersion "2019.11.21", as on that page.

GLOBAL_TABLE_VERSION = "2019.11.21"


def _replica_invalid(message):
    return MockValidationException(f"One or more parameter values were invalid: {message}")


def _dynamodb_backend(account_id, region):
    backends = dynamodb_backends[account_id]
    if region not in backends.regions:
        raise _replica_invalid(f"Invalid region: {region}")
    return backends[region]


def _replica_group(table):
    return table.__dict__.get("_ripcord_replicas")


def _set_replica_group(account_id, name, group):
    """Points the table of every region in `group` at it; a group of one is no group."""
    for region in group:
        table = dynamodb_backends[account_id][region].tables.get(name)
        if table is None:
            continue
        if len(group) > 1:
            table._ripcord_replicas = group
        else:
            table.__dict__.pop("_ripcord_replicas", None)


def _check_replica_updates(table, region, updates):
    """Every refusal before any change, as AWS validates a request before applying it."""
    changes = [u for u in updates if "Create" in u or "Delete" in u]
    if len(changes) > 1:
        # AWS adds or removes one replica per UpdateTable call.
        raise _replica_invalid(
            "Only one replica can be created or deleted per UpdateTable request"
        )
    group = _replica_group(table) or {region: "ACTIVE"}
    for update in updates:
        for action in ("Create", "Delete", "Update"):
            if action not in update:
                continue
            target = update[action]["RegionName"]
            _dynamodb_backend(table.account_id, target)  # a region moto knows
            if target == region and action != "Update":
                raise _replica_invalid(
                    f"{action} of a replica in the table's own region {region} is not "
                    "allowed: call the operation in another replica's region"
                )
            if action == "Create":
                if target in group:
                    raise _replica_invalid(
                        f"Table {table.name} already has a replica in region {target}"
                    )
                if table.name in dynamodb_backends[table.account_id][target].tables:
                    raise _replica_invalid(
                        f"Failed to create a replica in region {target}: a table named "
                        f"{table.name} already exists there"
                    )
                spec = table.stream_specification or {}
                view = spec.get("StreamViewType")
                if spec.get("StreamEnabled") and view != "NEW_AND_OLD_IMAGES":
                    raise _replica_invalid(
                        f"Table {table.name} has a stream of view type {view}; replicas "
                        "require StreamViewType NEW_AND_OLD_IMAGES"
                    )
            elif target not in group:
                raise _replica_invalid(
                    f"Table {table.name} has no replica in region {target}"
                )


def _create_replica(table, region, target):
    if not (table.stream_specification or {}).get("StreamEnabled"):
        # AWS turns the stream on itself when the first replica is added to a table
        # without one (terraform-provider-aws issue 43625; re:Post "programatic way of
        # creating dynamodb global table": create-table with no stream, then
        # update-table --replica-updates Create works).
        table.set_stream_specification(
            {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        )
    provisioned = table.billing_mode != "PAY_PER_REQUEST"
    throughput = (
        {k: table.throughput[k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
        if provisioned
        else None
    )

    def index_spec(index):
        spec = copy.deepcopy(index.describe())
        spec.pop("IndexStatus", None)
        if not provisioned:
            spec.pop("ProvisionedThroughput", None)
        return spec

    dynamodb_backends[table.account_id][target].create_table(
        table.name,
        schema=copy.deepcopy(table.schema),
        throughput=throughput,
        attr=copy.deepcopy(table.attr),
        global_indexes=[index_spec(i) for i in table.global_indexes],
        indexes=[index_spec(i) for i in table.indexes],
        streams=dict(table.stream_specification),
        billing_mode=table.billing_mode,
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    group = _replica_group(table) or {region: "ACTIVE"}
    group[target] = "ACTIVE"
    _set_replica_group(table.account_id, table.name, group)


def _delete_replica(table, target):
    # The patched DeleteTable below takes `target` out of the group.
    dynamodb_backends[table.account_id][target].delete_table(table.name)


def _patch_dynamodb_global_tables():
    upstream_describe = Table.describe

    def describe(self, base_key="TableDescription"):
        result = upstream_describe(self, base_key)
        group = _replica_group(self)
        if group and len(group) > 1:
            result[base_key]["GlobalTableVersion"] = GLOBAL_TABLE_VERSION
            result[base_key]["Replicas"] = [
                {"RegionName": region, "ReplicaStatus": status}
                for region, status in group.items()
                if region != self.region_name
            ]
        return result

    Table.describe = describe

    upstream_update_table = DynamoHandler.update_table

    def update_table(self):
        updates = self.body.get("ReplicaUpdates") or []
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        stream = self.body.get("StreamSpecification")
        if stream and not stream.get("StreamEnabled") and _replica_group(table):
            raise _replica_invalid(
                "Disabling Stream is not allowed for a Global Table replica"
            )
        if updates:
            _check_replica_updates(table, self.region, updates)
        upstream_update_table(self)  # everything but ReplicaUpdates, which it ignores
        for update in updates:
            if "Create" in update:
                _create_replica(table, self.region, update["Create"]["RegionName"])
            elif "Delete" in update:
                _delete_replica(table, update["Delete"]["RegionName"])
        return DynamoResult(table.describe())

    DynamoHandler.update_table = update_table

    # DeleteTable of one replica takes it out of its global table, as AWS does; upstream
    # left the other regions listing it.
    upstream_delete_table = DynamoDBBackend.delete_table

    def delete_table(self, name):
        table = upstream_delete_table(self, name)
        group = _replica_group(table)
        if group:
            group.pop(self.region_name, None)
            _set_replica_group(self.account_id, table.name, group)
            table.__dict__.pop("_ripcord_replicas", None)
        return table

    DynamoDBBackend.delete_table = delete_table


# --- ECS services -------------------------------------------------------------------
#
# Upstream starts a service with runningCount 0 (pendingCount = desiredCount) and its
# PRIMARY deployment IN_PROGRESS, and never moves on: moto has no scheduler and no time.
# UpdateService(desiredCount) then sets the service's runningCount but leaves the PRIMARY
# deployment at the old counts and IN_PROGRESS. Here the tasks start at once: runningCount
# follows desiredCount on CreateService and UpdateService, pendingCount is 0, and the one
# PRIMARY deployment carries the same counts with rolloutState COMPLETED, which is what
# the services_stable waiter (one deployment, runningCount == desiredCount) and a rollout
# check read once AWS has placed the tasks.
#
# A service whose tasks do not all run (a seeded world with runningCount < desiredCount)
# comes from the seeding hook POST /moto-api/ripcord/ecs-running-count, in the style of
# moto's own /moto-api/static/* endpoints: it is no AWS API and nothing but seed.py calls it.


def _complete_deployment(service, new_deployment=False):
    if not service.deployments:
        return  # an EXTERNAL or CODE_DEPLOY controller: its task sets run the tasks
    service.running_count = service.desired_count
    service.pending_count = 0
    _set_primary(service, new_deployment)


def _set_primary(service, new_deployment=False):
    primary = service.deployments[0]
    now = utcnow()
    if new_deployment:
        # A new task definition or forceNewDeployment: a new PRIMARY deployment, which has
        # already replaced the old one (AWS keeps the old one ACTIVE while it drains).
        primary["id"] = f"ecs-svc/{mock_random.randint(0, 32**12)}"
        primary["createdAt"] = now
    primary["taskDefinition"] = service.task_definition
    primary["desiredCount"] = service.desired_count
    primary["runningCount"] = service.running_count
    primary["pendingCount"] = service.pending_count
    completed = service.running_count >= service.desired_count
    primary["rolloutState"] = "COMPLETED" if completed else "IN_PROGRESS"
    primary["rolloutStateReason"] = (
        f"ECS deployment {primary['id']} completed."
        if completed
        else f"ECS deployment {primary['id']} in progress."
    )
    primary["updatedAt"] = now
    del service.deployments[1:]


def set_ecs_running_count(request, full_url, headers):
    """Seeding hook: {"region", "cluster", "service", "running_count"[, "account_id"]}."""
    length = int(headers.get("Content-Length") or 0)
    body = json.loads(request.environ["wsgi.input"].read(length).decode("utf-8"))
    account = body.get("account_id") or DEFAULT_ACCOUNT_ID
    backend = ecs_backends[account][body["region"]]
    service = backend._get_service(body.get("cluster", "default"), body["service"])
    cluster = backend._get_cluster(body.get("cluster", "default"))
    running = max(0, min(int(body["running_count"]), service.desired_count))
    backend.update_cluster_resources(cluster, running - service.running_count, "RUNNING")
    pending = service.desired_count - running
    backend.update_cluster_resources(cluster, pending - service.pending_count, "PENDING")
    service.running_count, service.pending_count = running, pending
    if service.deployments:
        _set_primary(service)
    return 200, {"Content-Type": "application/json"}, json.dumps(
        {"runningCount": running, "pendingCount": pending}
    )


def _patch_ecs():
    upstream_init = Service.__init__

    def service_init(self, *args, **kwargs):
        upstream_init(self, *args, **kwargs)
        # CreateService then adds these counts to the cluster's task counters.
        _complete_deployment(self)

    Service.__init__ = service_init

    upstream_update = EC2ContainerServiceBackend.update_service

    def update_service(self, service_properties):
        cluster = service_properties.get("cluster", "default")
        name = service_properties.get("service", "").split("/")[-1]
        before = self._get_service(cluster, name)
        old_task_definition = before.task_definition
        desired = service_properties.get("desired_count")
        force = bool(service_properties.get("force_new_deployment"))
        service = upstream_update(self, service_properties)
        if desired is None:
            # Upstream took the service's tasks off the cluster's counters and adds them
            # back only when desiredCount changes.
            counted = self._get_cluster(cluster)
            self.update_cluster_resources(counted, service.running_count, "RUNNING")
            self.update_cluster_resources(counted, service.pending_count, "PENDING")
        if service.task_definition != old_task_definition:
            # Upstream stores the taskDefinition as given (a family, family:revision or
            # ARN); DescribeServices shows the ARN, as it does after CreateService.
            service.task_definition = self.describe_task_definition(
                service.task_definition
            ).arn
        _complete_deployment(
            service, new_deployment=force or service.task_definition != old_task_definition
        )
        return service

    EC2ContainerServiceBackend.update_service = update_service

    moto_api_urls.url_paths["{0}/moto-api/ripcord/ecs-running-count"] = set_ecs_running_count


# --- Route 53 weighted record sets ----------------------------------------------------
#
# Upstream stores any Weight (256 too; boto3 refuses only negatives client-side, the AWS
# SDK for Rust refuses nothing) and lets one name and type mix routing policies: a simple
# record next to weighted ones, weighted next to failover. AWS refuses a Weight outside
# 0..255 with InvalidInput (a violation of its XML schema, worded "Invalid XML ; cvc-...")
# and a mix with InvalidChangeBatch ("RRSet with DNS name app.example.com., type A,
# SetIdentifier blue cannot be created as a non-weighted set exists with the same name and
# type.", as reported in kubernetes-sigs/external-dns issue 3141; the other wordings below
# follow it). The whole batch is checked against the zone as it would be after each earlier
# change, before anything changes: a batch that DELETEs a simple record and CREATEs
# weighted ones is fine.

_ROUTING_KEYS = (
    ("Weight", "weighted"),
    ("Failover", "failover"),
    ("Region", "latency"),
    ("GeoLocation", "geolocation"),
    ("GeoProximityLocation", "geoproximity"),
    ("CidrRoutingConfig", "cidr"),
    ("MultiValueAnswer", "multivalue"),
)


def _routing_policy(record_set):
    for key, policy in _ROUTING_KEYS:
        if record_set.get(key) is not None:
            return policy
    return "simple"


def _rrset_key(name, type_, set_id):
    return (name.lower().rstrip("."), type_, set_id)


def _check_weight(record_set):
    weight = record_set.get("Weight")
    if weight is None:
        return
    weight = int(weight)
    for facet, bound, bad in (
        ("maxInclusive", 255, weight > 255),
        ("minInclusive", 0, weight < 0),
    ):
        if bad:
            raise InvalidInput(
                f"Invalid XML ; cvc-{facet}-valid: Value '{weight}' is not facet-valid with "
                f"respect to {facet} '{bound}' for type 'ResourceRecordSetWeight'."
            )


def _conflict(record_set, policy, others):
    name = record_set["Name"].rstrip(".") + "."
    where = f"RRSet with DNS name {name}, type {record_set['Type']}"
    if record_set.get("SetIdentifier") is not None:
        where += f", SetIdentifier {record_set['SetIdentifier']}"
    if policy == "simple":
        exists = f"{sorted(others)[0]} sets exist"
    else:
        exists = f"a non-{policy} set exists"
    return f"{where} cannot be created as {exists} with the same name and type."


def _check_change_batch(zone, changes):
    rrsets = {
        _rrset_key(r.name, r.type, r.set_identifier): _routing_policy(
            {"Weight": r.weight, "Failover": r.failover, "Region": r.region,
             "GeoLocation": r.geo_location, "MultiValueAnswer": r.multi_value_answer}
        )
        for r in zone.rrsets
    }
    errors = []
    for change in changes:
        record_set = change["ResourceRecordSet"]
        key = _rrset_key(
            record_set["Name"], record_set["Type"], record_set.get("SetIdentifier")
        )
        if change["Action"] == "DELETE":
            rrsets.pop(key, None)
            continue
        _check_weight(record_set)
        policy = _routing_policy(record_set)
        others = {
            p for k, p in rrsets.items() if k[:2] == key[:2] and k != key and p != policy
        }
        if others:
            errors.append(_conflict(record_set, policy, others))
            continue
        rrsets[key] = policy
    if errors:
        raise Route53ClientError("InvalidChangeBatch", "[" + ", ".join(errors) + "]")


def _patch_route53():
    upstream = Route53Backend.change_resource_record_sets

    def change_resource_record_sets(self, zoneid, change_list):
        zone = self.get_hosted_zone(zoneid)
        _check_change_batch(zone, change_list)
        # Upstream DELETEs a record set with a SetIdentifier by that id alone, so deleting
        # app's "blue" record also deleted www's: it calls delete_rrset_by_id once per
        # such DELETE, in batch order, and the patched one below takes the name and type
        # from this list.
        zone._ripcord_deletes = [
            _rrset_key(r["Name"], r["Type"], r["SetIdentifier"])
            for r in (c["ResourceRecordSet"] for c in change_list if c["Action"] == "DELETE")
            if r.get("SetIdentifier") is not None
        ]
        try:
            return upstream(self, zoneid, change_list)
        finally:
            del zone._ripcord_deletes

    def delete_rrset_by_id(self, set_identifier):
        pending = self.__dict__.get("_ripcord_deletes")
        key = pending.pop(0) if pending else None
        self.rrsets = [
            r
            for r in self.rrsets
            if r.set_identifier != set_identifier
            or (key is not None and _rrset_key(r.name, r.type, r.set_identifier) != key)
        ]

    Route53Backend.change_resource_record_sets = change_resource_record_sets
    FakeZone.delete_rrset_by_id = delete_rrset_by_id


# --- Step Functions: JSONPath ----------------------------------------------------
#
# A Choice on `$.checks.s1.ReplicationConfiguration.Rules[0].Status` compares the value at
# that path; moto returns it wrapped in a list whenever a step of the path indexes an array
# (its fix for getmoto/moto#7825, which tests the match's *context*), so the comparison with
# "Enabled" never holds and every check of an exported runbook fails. A path without a
# wildcard, slice, filter or descent names at most one value, and AWS gives that value.
#
# And a filter that selects nothing (`$.Table.Replicas[?(@.ReplicaStatus != 'ACTIVE')]` of a
# table whose replicas are all active) fails the state with States.Runtime "could not be
# found" (upstream answers [] only for a wildcard or a slice): an indefinite path selects a
# list, empty when nothing matches, as Jayway JsonPath, which AWS's paths follow, does; the
# wait for a DynamoDB table's replicas reads exactly that.


def _patch_sfn_json_path():
    import re

    import moto.stepfunctions.parser.asl.utils.json_path as json_path

    upstream = json_path.extract_json
    indefinite = re.compile(r"\*|\.\.|\?\(|\[[^\]]*:[^\]]*\]|\[[^\]]*,[^\]]*\]")

    def extract_json(path, data):
        matches = json_path.parse(path).find(data)
        if indefinite.search(path) is None:
            if len(matches) == 1:
                return matches[0].value
        elif not matches:
            return []
        return upstream(path, data)

    json_path.extract_json = extract_json
    # Modules that imported the function by name keep their own reference.
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions.parser") and getattr(module, "extract_json", None) is upstream:
            module.extract_json = extract_json


# --- Step Functions: timestamps in a task's result ---------------------------------
#
# An aws-sdk task keeps boto3's answer as it is, Python datetimes included (CreatedTime of an
# Auto Scaling group, InstanceCreateTime of a DB instance): the execution's state is no longer
# JSON, and DescribeExecution of the finished execution, which serializes its output, answers
# HTTP 500 (`TypeError: Object of type datetime is not JSON serializable`). In AWS a state is
# JSON, timestamps as text.


def _as_json(value):
    """boto3's answer as a state holds it: JSON, timestamps as ISO 8601 text."""
    import datetime

    def as_text(item):
        if isinstance(item, (datetime.datetime, datetime.date)):
            return item.isoformat()
        raise TypeError(f"{type(item).__name__} is not JSON")

    return json.loads(json.dumps(value, default=as_text))


def _patch_sfn_task_timestamps():
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
        StateTaskServiceAwsSdk,
    )

    upstream = StateTaskServiceAwsSdk._eval_service_task

    def _eval_service_task(self, env, *args, **kwargs):
        upstream(self, env, *args, **kwargs)
        env.stack.append(_as_json(env.stack.pop()))

    StateTaskServiceAwsSdk._eval_service_task = _eval_service_task


# --- Step Functions: starting a child execution ------------------------------------
#
# `arn:aws:states:::states:startExecution.sync:2` takes ASL's parameter names
# (`StateMachineArn`, `Input`, `Name`) and answers with the API's output in PascalCase
# (`ExecutionArn`, then `Output`, `Status`, ...). moto hands the parameters to boto3 as they
# are, which the Step Functions API (camelCase members: `stateMachineArn`) does not take, so
# every such Task failed with `States.Runtime` `'StateMachineArn'`; and its answer stayed
# camelCase, with datetimes, which the `.sync` resolver (reading `ExecutionArn`) and a
# describable execution could not use. LocalStack converts both ways; moto's copy of that
# code is a stub.


def _patch_sfn_start_execution():
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    upstream_parameters = StateTaskServiceSfn._normalise_parameters

    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        upstream_parameters(self, parameters, boto_service_name, service_action_name)
        for key in list(parameters):
            parameters[key[:1].lower() + key[1:]] = parameters.pop(key)

    def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
        if not isinstance(response, dict):
            return
        converted = _as_json(response)
        response.clear()
        for key, value in converted.items():
            response[key[:1].upper() + key[1:]] = value

    StateTaskServiceSfn._normalise_parameters = _normalise_parameters
    StateTaskServiceSfn._normalise_response = _normalise_response


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
    _patch_dynamodb_global_tables()
    _patch_ecs()
    _patch_route53()
    _patch_sfn_json_path()
    _patch_sfn_task_timestamps()
    _patch_sfn_start_execution()
