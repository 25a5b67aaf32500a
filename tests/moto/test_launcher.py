"""Checks tests/moto/launch.py and the moto behaviour ripcord's live tests rely on.

    .venv/bin/python tests/moto/test_launcher.py

Starts the launcher as a subprocess (as the Rust tests do), drives it with
boto3 and reads the state back. Besides the patched operations it re-checks
the upstream ones listed as working in README.md, so that a moto upgrade
which breaks one shows up here rather than in a Rust test. Ends with the line
`N passed, M failed`; exits 1 on any failure.
"""

import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

LAUNCH = Path(__file__).with_name("launch.py")
EAST, WEST = "us-east-1", "us-west-2"


class Server:
    """launch.py in a subprocess, speaking the READY protocol."""

    def __init__(self, *extra_args):
        # stderr to a file, not a pipe nobody drains; shown if a test fails.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), "--port", "0", *extra_args],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.ready_line = read_line(self.proc.stdout, timeout=30)
        if not self.ready_line.startswith("READY http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"no READY line, got {self.ready_line!r}: {self.stderr()}")
        self.url = self.ready_line.split()[1]

    def client(self, service, region=EAST, **config):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            # A 500 from moto must fail the test, not be retried away.
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
        )

    def stderr(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


def read_line(stream, timeout):
    result = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("call succeeded, expected an error")


def eq(actual, expected, what=""):
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# --- launcher protocol ---------------------------------------------------------


@test
def ready_line_reports_real_port_and_sigterm_exits_0(srv):
    own = Server()
    port = int(own.url.rsplit(":", 1)[1])
    assert port > 0, own.ready_line
    own.client("sts").get_caller_identity()
    started = time.monotonic()
    eq(own.stop(), 0, "exit code after SIGTERM")
    assert time.monotonic() - started < 5, "slow to stop"
    eq(own.proc.stdout.read(), "", "anything on stdout after READY")


@test
def refuses_non_loopback_host(srv):
    proc = subprocess.run(
        [sys.executable, str(LAUNCH), "--port", "0", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    eq(proc.returncode, 2, "argparse exit code")
    assert "not a loopback address" in proc.stderr, proc.stderr


@test
def latency_ms_delays_each_request(srv):
    slow = Server("--latency-ms", "200")
    try:
        sts = slow.client("sts")
        sts.get_caller_identity()  # first call pays for client setup
        started = time.monotonic()
        sts.get_caller_identity()
        elapsed = time.monotonic() - started
        assert elapsed >= 0.2, f"call took {elapsed:.3f}s with --latency-ms 200"
    finally:
        slow.stop()


@test
def account_id_is_moto_123456789012_unless_set(srv):
    eq(srv.client("sts").get_caller_identity()["Account"], "123456789012")
    other = Server("--account-id", "111122223333")
    try:
        eq(other.client("sts").get_caller_identity()["Account"], "111122223333")
        topic = other.client("sns").create_topic(Name="acct")["TopicArn"]
        assert ":111122223333:" in topic, topic
    finally:
        other.stop()


# --- Aurora global clusters (patched) --------------------------------------------


def global_setup(srv, name):
    """us-east-1 primary, global cluster made from it, us-west-2 secondary."""
    east, west = srv.client("rds", EAST), srv.client("rds", WEST)
    primary = east.create_db_cluster(
        DBClusterIdentifier=f"{name}-east",
        Engine="aurora-postgresql",
        MasterUsername="ripcord",
        MasterUserPassword="ripcord-password",
    )["DBCluster"]["DBClusterArn"]
    east.create_global_cluster(GlobalClusterIdentifier=name, SourceDBClusterIdentifier=primary)
    secondary = west.create_db_cluster(
        DBClusterIdentifier=f"{name}-west",
        Engine="aurora-postgresql",
        GlobalClusterIdentifier=name,
    )["DBCluster"]["DBClusterArn"]
    return east, west, primary, secondary


def writers(rds, name):
    gc = rds.describe_global_clusters(GlobalClusterIdentifier=name)["GlobalClusters"][0]
    return {m["DBClusterArn"]: m["IsWriter"] for m in gc["GlobalClusterMembers"]}


@test
def cross_region_global_cluster_setup(srv):
    east, west, primary, secondary = global_setup(srv, "gsetup")
    # Every region sees the same global cluster, primary as its only writer.
    for rds in (east, west):
        eq(writers(rds, "gsetup"), {primary: True, secondary: False}, "members")
    cluster = west.describe_db_clusters(DBClusterIdentifier="gsetup-west")["DBClusters"][0]
    eq(cluster.get("GlobalClusterIdentifier"), "gsetup", "secondary's global id")
    cluster = east.describe_db_clusters(DBClusterIdentifier="gsetup-east")["DBClusters"][0]
    eq(cluster.get("GlobalClusterIdentifier"), "gsetup", "primary's global id")
    eq(error_code(lambda: east.describe_global_clusters(GlobalClusterIdentifier="nope")),
       "GlobalClusterNotFoundFault")


@test
def global_cluster_from_a_us_west_2_primary(srv):
    west = srv.client("rds", WEST)
    arn = west.create_db_cluster(
        DBClusterIdentifier="gwest-primary",
        Engine="aurora-mysql",
        MasterUsername="ripcord",
        MasterUserPassword="ripcord-password",
    )["DBCluster"]["DBClusterArn"]
    gc = west.create_global_cluster(GlobalClusterIdentifier="gwest", SourceDBClusterIdentifier=arn)
    eq(gc["GlobalCluster"]["Engine"], "aurora-mysql")
    eq(writers(srv.client("rds", EAST), "gwest"), {arn: True}, "members")


@test
def remove_from_global_cluster_in_other_region_detaches(srv):
    east, west, primary, secondary = global_setup(srv, "gremove")
    resp = west.remove_from_global_cluster(GlobalClusterIdentifier="gremove", DbClusterIdentifier=secondary)
    eq([m["DBClusterArn"] for m in resp["GlobalCluster"]["GlobalClusterMembers"]], [primary])
    for rds in (east, west):
        eq(writers(rds, "gremove"), {primary: True}, "members after detach")
    cluster = west.describe_db_clusters(DBClusterIdentifier="gremove-west")["DBClusters"][0]
    assert "GlobalClusterIdentifier" not in cluster, cluster.get("GlobalClusterIdentifier")
    eq(cluster["Status"], "available")
    # Detaching again: it is no longer a member.
    eq(error_code(lambda: west.remove_from_global_cluster(
        GlobalClusterIdentifier="gremove", DbClusterIdentifier=secondary)),
       "InvalidDBClusterStateFault")
    eq(error_code(lambda: west.remove_from_global_cluster(
        GlobalClusterIdentifier="nope", DbClusterIdentifier=secondary)),
       "GlobalClusterNotFoundFault")


@test
def failover_global_cluster_promotes_target(srv):
    east, west, primary, secondary = global_setup(srv, "gfail")
    resp = west.failover_global_cluster(
        GlobalClusterIdentifier="gfail", TargetDbClusterIdentifier=secondary, AllowDataLoss=True
    )["GlobalCluster"]
    # The response carries the same GlobalCluster as DescribeGlobalClusters.
    described = west.describe_global_clusters(GlobalClusterIdentifier="gfail")["GlobalClusters"][0]
    eq(resp, described, "response vs describe")
    eq(writers(east, "gfail"), {primary: False, secondary: True}, "members")
    writer = [m for m in described["GlobalClusterMembers"] if m["IsWriter"]][0]
    eq(writer["Readers"], [primary], "writer's readers")

    eq(error_code(lambda: west.failover_global_cluster(
        GlobalClusterIdentifier="gfail", TargetDbClusterIdentifier=secondary)),
       "InvalidGlobalClusterStateFault")
    eq(error_code(lambda: west.failover_global_cluster(
        GlobalClusterIdentifier="nope", TargetDbClusterIdentifier=secondary)),
       "GlobalClusterNotFoundFault")
    outsider = east.create_db_cluster(
        DBClusterIdentifier="gfail-outsider",
        Engine="aurora-postgresql",
        MasterUsername="ripcord",
        MasterUserPassword="ripcord-password",
    )["DBCluster"]["DBClusterArn"]
    eq(error_code(lambda: east.failover_global_cluster(
        GlobalClusterIdentifier="gfail", TargetDbClusterIdentifier=outsider)),
       "InvalidDBClusterStateFault")
    eq(error_code(lambda: east.failover_global_cluster(
        GlobalClusterIdentifier="gfail", TargetDbClusterIdentifier=primary,
        AllowDataLoss=True, Switchover=True)),
       "InvalidParameterCombination")


@test
def switchover_global_cluster_there_and_back(srv):
    east, west, primary, secondary = global_setup(srv, "gswitch")
    resp = east.switchover_global_cluster(GlobalClusterIdentifier="gswitch", TargetDbClusterIdentifier=secondary)
    eq({m["DBClusterArn"]: m["IsWriter"] for m in resp["GlobalCluster"]["GlobalClusterMembers"]},
       {primary: False, secondary: True}, "response members")
    eq(writers(west, "gswitch"), {primary: False, secondary: True}, "after switchover")
    # A plain identifier means a cluster in the calling region.
    west.switchover_global_cluster(GlobalClusterIdentifier="gswitch", TargetDbClusterIdentifier=primary)
    eq(writers(west, "gswitch"), {primary: True, secondary: False}, "after switching back")
    eq(error_code(lambda: east.switchover_global_cluster(
        GlobalClusterIdentifier="gswitch", TargetDbClusterIdentifier="gswitch-east")),
       "InvalidGlobalClusterStateFault")
    eq(error_code(lambda: east.switchover_global_cluster(
        GlobalClusterIdentifier="gswitch", TargetDbClusterIdentifier="no-such-cluster")),
       "DBClusterNotFoundFault")


@test
def create_global_cluster_refuses_a_taken_name_and_a_member_source(srv):
    east, west, primary, secondary = global_setup(srv, "gtaken")
    other = east.create_db_cluster(
        DBClusterIdentifier="gtaken-other",
        Engine="aurora-postgresql",
        MasterUsername="ripcord",
        MasterUserPassword="ripcord-password",
    )["DBCluster"]["DBClusterArn"]
    eq(error_code(lambda: east.create_global_cluster(
        GlobalClusterIdentifier="gtaken", SourceDBClusterIdentifier=other)),
       "GlobalClusterAlreadyExistsFault")
    eq(error_code(lambda: west.create_global_cluster(
        GlobalClusterIdentifier="gtaken-2", SourceDBClusterIdentifier=secondary)),
       "InvalidDBClusterStateFault")
    # Neither refusal changed anything.
    eq(writers(east, "gtaken"), {primary: True, secondary: False}, "members")
    eq(error_code(lambda: east.describe_global_clusters(GlobalClusterIdentifier="gtaken-2")),
       "GlobalClusterNotFoundFault")


@test
def delete_global_cluster_only_once_it_has_no_members(srv):
    east, west, primary, secondary = global_setup(srv, "gdelglobal")
    eq(error_code(lambda: west.delete_global_cluster(GlobalClusterIdentifier="gdelglobal")),
       "InvalidGlobalClusterStateFault")
    eq(error_code(lambda: west.delete_global_cluster(GlobalClusterIdentifier="nope")),
       "GlobalClusterNotFoundFault")
    west.remove_from_global_cluster(GlobalClusterIdentifier="gdelglobal", DbClusterIdentifier=secondary)
    west.remove_from_global_cluster(GlobalClusterIdentifier="gdelglobal", DbClusterIdentifier=primary)
    eq(writers(east, "gdelglobal"), {}, "members after both detached")
    west.delete_global_cluster(GlobalClusterIdentifier="gdelglobal")
    for rds in (east, west):
        eq(error_code(lambda: rds.describe_global_clusters(GlobalClusterIdentifier="gdelglobal")),
           "GlobalClusterNotFoundFault")
    # Its former members stay, standalone.
    cluster = east.describe_db_clusters(DBClusterIdentifier="gdelglobal-east")["DBClusters"][0]
    assert "GlobalClusterIdentifier" not in cluster, cluster.get("GlobalClusterIdentifier")


@test
def delete_db_cluster_refuses_members_and_keeps_the_final_snapshot(srv):
    east, west, primary, secondary = global_setup(srv, "gdelete")
    eq(error_code(lambda: west.delete_db_cluster(
        DBClusterIdentifier="gdelete-west", FinalDBSnapshotIdentifier="gdelete-west-final")),
       "InvalidDBClusterStateFault")
    eq(error_code(lambda: east.delete_db_cluster(
        DBClusterIdentifier="gdelete-east", FinalDBSnapshotIdentifier="gdelete-east-final")),
       "InvalidGlobalClusterStateFault")
    eq(writers(east, "gdelete"), {primary: True, secondary: False}, "members after the refusals")
    eq(error_code(lambda: west.describe_db_cluster_snapshots(
        DBClusterSnapshotIdentifier="gdelete-west-final")), "DBClusterSnapshotNotFoundFault")
    # Detached, it goes, its final snapshot taken first.
    west.remove_from_global_cluster(GlobalClusterIdentifier="gdelete", DbClusterIdentifier=secondary)
    west.delete_db_cluster(DBClusterIdentifier="gdelete-west", FinalDBSnapshotIdentifier="gdelete-west-final")
    eq(error_code(lambda: west.describe_db_clusters(DBClusterIdentifier="gdelete-west")),
       "DBClusterNotFoundFault")
    snap = west.describe_db_cluster_snapshots(
        DBClusterSnapshotIdentifier="gdelete-west-final")["DBClusterSnapshots"][0]
    eq((snap["DBClusterIdentifier"], snap["SnapshotType"], snap["Status"]),
       ("gdelete-west", "manual", "available"), "final snapshot")
    eq(writers(east, "gdelete"), {primary: True}, "members")
    eq(error_code(lambda: west.delete_db_cluster(
        DBClusterIdentifier="gdelete-west", FinalDBSnapshotIdentifier="gdelete-west-final-2")),
       "DBClusterNotFoundFault")
    # A final snapshot name in use: refused, and the cluster stays.
    west.create_db_cluster(
        DBClusterIdentifier="gdelete-west-2", Engine="aurora-postgresql",
        MasterUsername="ripcord", MasterUserPassword="ripcord-password",
    )
    eq(error_code(lambda: west.delete_db_cluster(
        DBClusterIdentifier="gdelete-west-2", FinalDBSnapshotIdentifier="gdelete-west-final")),
       "DBClusterSnapshotAlreadyExistsFault")
    eq(len(west.describe_db_clusters(DBClusterIdentifier="gdelete-west-2")["DBClusters"]), 1)


@test
def secondary_cluster_joins_a_global_cluster_from_another_region(srv):
    # After a failover: the promoted us-west-2 cluster makes a new global cluster, and a
    # secondary of the old primary's name joins it from us-east-1.
    east, west = srv.client("rds", EAST), srv.client("rds", WEST)
    writer = west.create_db_cluster(
        DBClusterIdentifier="gjoin-west", Engine="aurora-postgresql", EngineVersion="15.4",
        MasterUsername="ripcord", MasterUserPassword="ripcord-password",
    )["DBCluster"]["DBClusterArn"]
    west.create_global_cluster(GlobalClusterIdentifier="gjoin", SourceDBClusterIdentifier=writer)
    made = east.create_db_cluster(
        DBClusterIdentifier="gjoin-east", Engine="aurora-postgresql", EngineVersion="15.4",
        GlobalClusterIdentifier="gjoin",
    )["DBCluster"]
    secondary = made["DBClusterArn"]
    for rds in (east, west):
        eq(writers(rds, "gjoin"), {writer: True, secondary: False}, "members")
    for rds, name in ((east, "gjoin-east"), (west, "gjoin-west")):
        cluster = rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]
        eq(cluster.get("GlobalClusterIdentifier"), "gjoin", f"{name}'s global id")
    # Refused before anything is made: an unknown global cluster, another engine, another
    # version (an omitted one is the engine's default, 12.7 in moto).
    for name, engine, version, code in (
        ("gjoin-nope", "aurora-postgresql", "15.4", "GlobalClusterNotFoundFault"),
        ("gjoin-mysql", "aurora-mysql", None, "InvalidParameterCombination"),
        ("gjoin-default", "aurora-postgresql", None, "InvalidParameterValue"),
    ):
        args = dict(DBClusterIdentifier=name, Engine=engine,
                    GlobalClusterIdentifier="nope" if name == "gjoin-nope" else "gjoin")
        if version:
            args["EngineVersion"] = version
        eq(error_code(lambda: east.create_db_cluster(**args)), code, name)
        eq(error_code(lambda: east.describe_db_clusters(DBClusterIdentifier=name)),
           "DBClusterNotFoundFault", f"{name} made anyway")
    eq(writers(east, "gjoin"), {writer: True, secondary: False}, "members after the refusals")


@test
def cluster_names_can_be_reused_after_delete(srv):
    rds = srv.client("rds")
    spec = dict(DBClusterIdentifier="reused", Engine="aurora-postgresql",
                MasterUsername="ripcord", MasterUserPassword="ripcord-password")
    first = rds.create_db_cluster(**spec)["DBCluster"]["DbClusterResourceId"]
    eq(error_code(lambda: rds.create_db_cluster(**spec)), "DBClusterAlreadyExistsFault")
    eq(rds.describe_db_clusters(DBClusterIdentifier="reused")["DBClusters"][0]["DbClusterResourceId"],
       first, "the duplicate must not replace the original")
    rds.delete_db_cluster(DBClusterIdentifier="reused", SkipFinalSnapshot=True)
    rds.create_db_cluster(**spec)  # same minute, same automated snapshot name


@test
def aurora_instance_joins_its_cluster_like_aws(srv):
    # CreateDBInstance with DBClusterIdentifier: no storage, no credentials (the cluster's).
    east, west, primary, secondary = global_setup(srv, "ginst")
    made = west.create_db_instance(
        DBInstanceIdentifier="ginst-west-1", DBClusterIdentifier="ginst-west",
        Engine="aurora-postgresql", DBInstanceClass="db.r6g.large",
    )["DBInstance"]
    eq(made.get("DBClusterIdentifier"), "ginst-west", "made")
    db = west.describe_db_instances(DBInstanceIdentifier="ginst-west-1")["DBInstances"][0]
    eq((db.get("DBClusterIdentifier"), db["Engine"], db["DBInstanceClass"]),
       ("ginst-west", "aurora-postgresql", "db.r6g.large"), "described")
    members = west.describe_db_clusters(DBClusterIdentifier="ginst-west")["DBClusters"][0]["DBClusterMembers"]
    eq([m["DBInstanceIdentifier"] for m in members], ["ginst-west-1"], "cluster members")
    # Refused: an identifier in use (as a cluster instance or a plain one), an unknown cluster.
    eq(error_code(lambda: west.create_db_instance(
        DBInstanceIdentifier="ginst-west-1", DBClusterIdentifier="ginst-west",
        Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")), "DBInstanceAlreadyExists")
    eq(error_code(lambda: west.create_db_instance(
        DBInstanceIdentifier="ginst-orphan", DBClusterIdentifier="ginst-nope",
        Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")), "DBClusterNotFoundFault")
    eq(error_code(lambda: west.describe_db_instances(DBInstanceIdentifier="ginst-orphan")),
       "DBInstanceNotFound", "the refused instance made anyway")
    members = west.describe_db_clusters(DBClusterIdentifier="ginst-west")["DBClusters"][0]["DBClusterMembers"]
    eq([m["DBInstanceIdentifier"] for m in members], ["ginst-west-1"], "members after the refusals")
    # A cluster with an instance is not deleted; its instance goes without a snapshot.
    west.remove_from_global_cluster(GlobalClusterIdentifier="ginst", DbClusterIdentifier=secondary)
    eq(error_code(lambda: west.delete_db_cluster(
        DBClusterIdentifier="ginst-west", FinalDBSnapshotIdentifier="ginst-west-final")),
       "InvalidDBClusterStateFault")
    eq(len(west.describe_db_clusters(DBClusterIdentifier="ginst-west")["DBClusters"]), 1, "kept")
    eq(error_code(lambda: west.describe_db_cluster_snapshots(
        DBClusterSnapshotIdentifier="ginst-west-final")), "DBClusterSnapshotNotFoundFault")
    west.delete_db_instance(DBInstanceIdentifier="ginst-west-1", SkipFinalSnapshot=True)
    eq(error_code(lambda: west.describe_db_instances(DBInstanceIdentifier="ginst-west-1")),
       "DBInstanceNotFound", "deleted")
    members = west.describe_db_clusters(DBClusterIdentifier="ginst-west")["DBClusters"][0]["DBClusterMembers"]
    eq(members, [], "members after the delete")
    west.delete_db_cluster(DBClusterIdentifier="ginst-west", FinalDBSnapshotIdentifier="ginst-west-final")
    eq(error_code(lambda: west.describe_db_clusters(DBClusterIdentifier="ginst-west")),
       "DBClusterNotFoundFault")


# --- RDS instances (patched) ----------------------------------------------------------


def create_instance(rds, name, multi_az):
    return rds.create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MasterUsername="ripcord",
        MasterUserPassword="ripcord-password",
        AllocatedStorage=20,
        MultiAZ=multi_az,
    )["DBInstance"]


@test
def reboot_force_failover_swaps_az(srv):
    rds = srv.client("rds")
    db = create_instance(rds, "maz", multi_az=True)
    before = (db["AvailabilityZone"], db["SecondaryAvailabilityZone"])
    assert before[0] != before[1], before
    rebooted = rds.reboot_db_instance(DBInstanceIdentifier="maz", ForceFailover=True)["DBInstance"]
    eq((rebooted["AvailabilityZone"], rebooted["SecondaryAvailabilityZone"]), before[::-1])
    db = rds.describe_db_instances(DBInstanceIdentifier="maz")["DBInstances"][0]
    eq((db["AvailabilityZone"], db["SecondaryAvailabilityZone"]), before[::-1], "described")
    rds.reboot_db_instance(DBInstanceIdentifier="maz")  # no failover: stays put
    db = rds.describe_db_instances(DBInstanceIdentifier="maz")["DBInstances"][0]
    eq(db["AvailabilityZone"], before[1], "after plain reboot")

    create_instance(rds, "single", multi_az=False)
    eq(error_code(lambda: rds.reboot_db_instance(DBInstanceIdentifier="single", ForceFailover=True)),
       "InvalidParameterCombination")


@test
def cross_region_read_replica_promotes_cleanly(srv):
    east, west = srv.client("rds", EAST), srv.client("rds", WEST)
    source = create_instance(east, "rr-source", multi_az=False)["DBInstanceArn"]
    west.create_db_instance_read_replica(
        DBInstanceIdentifier="rr-replica", SourceDBInstanceIdentifier=source, DBInstanceClass="db.t3.micro"
    )
    replica = west.describe_db_instances(DBInstanceIdentifier="rr-replica")["DBInstances"][0]
    eq(replica["ReadReplicaSourceDBInstanceIdentifier"], source)
    assert replica["AvailabilityZone"].startswith(WEST), replica["AvailabilityZone"]
    src = east.describe_db_instances(DBInstanceIdentifier="rr-source")["DBInstances"][0]
    eq(src["ReadReplicaDBInstanceIdentifiers"], [replica["DBInstanceArn"]])

    west.promote_read_replica(DBInstanceIdentifier="rr-replica")
    replica = west.describe_db_instances(DBInstanceIdentifier="rr-replica")["DBInstances"][0]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in replica, replica
    src = east.describe_db_instances(DBInstanceIdentifier="rr-source")["DBInstances"][0]
    eq(src["ReadReplicaDBInstanceIdentifiers"], [], "source's replicas after promote")


def described_db(rds, name):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]


@test
def read_replicas_made_and_unmade_like_aws(srv):
    east, west = srv.client("rds", EAST), srv.client("rds", WEST)
    source = create_instance(east, "fb-source", multi_az=True)["DBInstanceArn"]
    # Across regions, of a standalone instance: linked both ways (the source lists it by
    # ARN); MultiAZ as asked, Single-AZ without it, whatever the source's.
    for name, extra in (("fb-r1", {}), ("fb-r2", {"MultiAZ": False}), ("fb-r3", {"MultiAZ": True})):
        west.create_db_instance_read_replica(
            DBInstanceIdentifier=name, SourceDBInstanceIdentifier=source, DBInstanceClass="db.t3.micro", **extra
        )
        db = described_db(west, name)
        eq((db["ReadReplicaSourceDBInstanceIdentifier"], db["MultiAZ"]), (source, bool(extra.get("MultiAZ"))), name)
        assert db["AvailabilityZone"].startswith(WEST), db["AvailabilityZone"]
    replicas = [described_db(west, n)["DBInstanceArn"] for n in ("fb-r1", "fb-r2", "fb-r3")]
    eq(described_db(east, "fb-source")["ReadReplicaDBInstanceIdentifiers"], replicas, "source's replicas")

    # A taken id is refused, and nothing changes.
    eq(error_code(lambda: west.create_db_instance_read_replica(
        DBInstanceIdentifier="fb-r1", SourceDBInstanceIdentifier=source, MultiAZ=True)), "DBInstanceAlreadyExists")
    eq(error_code(lambda: east.create_db_instance_read_replica(
        DBInstanceIdentifier="fb-source", SourceDBInstanceIdentifier="fb-source")), "DBInstanceAlreadyExists")
    eq(described_db(west, "fb-r1")["MultiAZ"], False, "fb-r1 after the refusal")
    eq(described_db(east, "fb-source")["ReadReplicaDBInstanceIdentifiers"], replicas, "after the refusals")

    # Promoted: standalone, no longer listed. A replica is deleted without a final snapshot
    # (AWS refuses one) and leaves its source's list.
    west.promote_read_replica(DBInstanceIdentifier="fb-r1")
    assert "ReadReplicaSourceDBInstanceIdentifier" not in described_db(west, "fb-r1")
    eq(error_code(lambda: west.delete_db_instance(
        DBInstanceIdentifier="fb-r2", FinalDBSnapshotIdentifier="fb-r2-final")), "InvalidParameterCombination")
    eq(described_db(west, "fb-r2")["DBInstanceStatus"], "available", "fb-r2 after the refusal")
    west.delete_db_instance(DBInstanceIdentifier="fb-r2", SkipFinalSnapshot=True)
    eq(described_db(east, "fb-source")["ReadReplicaDBInstanceIdentifiers"], replicas[2:], "after promote and delete")

    # Deleted with a final snapshot: gone at once (AWS: `deleting` for minutes), the snapshot
    # stays, the id is free again; a snapshot name in use keeps the instance.
    deleted = west.delete_db_instance(DBInstanceIdentifier="fb-r1", FinalDBSnapshotIdentifier="fb-r1-final")
    eq(deleted["DBInstance"]["DBInstanceStatus"], "deleting")
    eq(error_code(lambda: described_db(west, "fb-r1")), "DBInstanceNotFound")
    snap = west.describe_db_snapshots(DBSnapshotIdentifier="fb-r1-final")["DBSnapshots"][0]
    eq((snap["DBInstanceIdentifier"], snap["SnapshotType"], snap["Status"]), ("fb-r1", "manual", "available"))
    west.create_db_instance_read_replica(DBInstanceIdentifier="fb-r1", SourceDBInstanceIdentifier=source, MultiAZ=True)
    eq(described_db(west, "fb-r1")["MultiAZ"], True, "fb-r1 again")
    west.promote_read_replica(DBInstanceIdentifier="fb-r1")
    eq(error_code(lambda: west.delete_db_instance(
        DBInstanceIdentifier="fb-r1", FinalDBSnapshotIdentifier="fb-r1-final")), "DBSnapshotAlreadyExists")
    eq(described_db(west, "fb-r1")["DBInstanceStatus"], "available", "after the taken snapshot name")

    # The source deleted: its replicas left are promoted.
    east.delete_db_instance(DBInstanceIdentifier="fb-source", FinalDBSnapshotIdentifier="fb-source-final")
    assert "ReadReplicaSourceDBInstanceIdentifier" not in described_db(west, "fb-r3")
    west.delete_db_instance(DBInstanceIdentifier="fb-r3", FinalDBSnapshotIdentifier="fb-r3-final")


@test
def snapshot_copy_and_restore_across_regions(srv):
    east, west = srv.client("rds", EAST), srv.client("rds", WEST)
    create_instance(east, "snap-source", multi_az=False)
    snap = east.create_db_snapshot(
        DBInstanceIdentifier="snap-source", DBSnapshotIdentifier="snap-1", Tags=[{"Key": "ripcord", "Value": "1"}]
    )["DBSnapshot"]
    west.copy_db_snapshot(
        SourceDBSnapshotIdentifier=snap["DBSnapshotArn"], TargetDBSnapshotIdentifier="snap-1-copy",
        SourceRegion=EAST, CopyTags=True,
    )
    copy = west.describe_db_snapshots(DBSnapshotIdentifier="snap-1-copy")["DBSnapshots"][0]
    eq(copy["Status"], "available")
    eq(copy["TagList"], [{"Key": "ripcord", "Value": "1"}])
    west.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="snap-restored", DBSnapshotIdentifier="snap-1-copy", DBInstanceClass="db.t3.micro"
    )
    db = west.describe_db_instances(DBInstanceIdentifier="snap-restored")["DBInstances"][0]
    eq(db["DBInstanceStatus"], "available")
    assert db["AvailabilityZone"].startswith(WEST), db["AvailabilityZone"]

    east.create_db_cluster(
        DBClusterIdentifier="snap-cluster", Engine="aurora-postgresql",
        MasterUsername="ripcord", MasterUserPassword="ripcord-password",
    )
    east.create_db_cluster_snapshot(DBClusterIdentifier="snap-cluster", DBClusterSnapshotIdentifier="csnap-1")
    csnap = east.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="csnap-1")["DBClusterSnapshots"][0]
    eq(csnap["Status"], "available")


@test
def snapshot_copies_record_their_source_and_restores_are_single_az(srv):
    east, west = srv.client("rds", EAST), srv.client("rds", WEST)
    create_instance(east, "origin-db", multi_az=True)
    snap = east.create_db_snapshot(DBInstanceIdentifier="origin-db", DBSnapshotIdentifier="origin-1")["DBSnapshot"]
    assert "SourceRegion" not in snap, snap
    west.copy_db_snapshot(
        SourceDBSnapshotIdentifier=snap["DBSnapshotArn"], TargetDBSnapshotIdentifier="origin-1-copy", SourceRegion=EAST
    )
    copy = west.describe_db_snapshots(DBSnapshotIdentifier="origin-1-copy")["DBSnapshots"][0]
    eq((copy["SourceRegion"], copy["SourceDBSnapshotIdentifier"]), (EAST, snap["DBSnapshotArn"]), "copy's source")
    eq((copy["Engine"], copy["AllocatedStorage"]), ("postgres", 20), "recorded of the instance")

    # Restored without DBInstanceClass: the original's class; without MultiAZ, or with
    # MultiAZ=false: Single-AZ, though the original is Multi-AZ.
    for name, extra in (("origin-r1", {}), ("origin-r2", {"MultiAZ": False}), ("origin-r3", {"MultiAZ": True})):
        west.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=name, DBSnapshotIdentifier="origin-1-copy", **extra)
        db = west.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
        eq((db["DBInstanceClass"], db["MultiAZ"]), ("db.t3.micro", bool(extra.get("MultiAZ"))), name)

    east.create_db_cluster(
        DBClusterIdentifier="origin-cluster", Engine="aurora-mysql",
        MasterUsername="ripcord", MasterUserPassword="ripcord-password",
    )
    csnap = east.create_db_cluster_snapshot(
        DBClusterIdentifier="origin-cluster", DBClusterSnapshotIdentifier="origin-c1"
    )["DBClusterSnapshot"]
    west.copy_db_cluster_snapshot(
        SourceDBClusterSnapshotIdentifier=csnap["DBClusterSnapshotArn"],
        TargetDBClusterSnapshotIdentifier="origin-c1-copy", SourceRegion=EAST,
    )
    ccopy = west.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="origin-c1-copy")["DBClusterSnapshots"][0]
    eq(ccopy["SourceDBClusterSnapshotArn"], csnap["DBClusterSnapshotArn"], "cluster copy's source")
    eq(ccopy["Engine"], "aurora-mysql")


@test
def ebs_snapshot_copies_have_the_placeholder_volume_id(srv):
    east, west = srv.client("ec2", EAST), srv.client("ec2", WEST)
    vol = east.create_volume(AvailabilityZone="us-east-1a", Size=9)["VolumeId"]
    snap = east.create_snapshot(VolumeId=vol)["SnapshotId"]
    eq(east.describe_snapshots(SnapshotIds=[snap])["Snapshots"][0]["VolumeId"], vol, "the original")
    copy = west.copy_snapshot(SourceRegion=EAST, SourceSnapshotId=snap)["SnapshotId"]
    eq(west.describe_snapshots(SnapshotIds=[copy])["Snapshots"][0]["VolumeId"], "vol-ffffffff", "the copy")
    restored = west.create_volume(AvailabilityZone="us-west-2a", SnapshotId=copy)
    eq(restored["Size"], 9, "a volume from the copy has the source's size")


# --- S3 (patched) ----------------------------------------------------------------


@test
def bucket_replication_round_trips(srv):
    east, west = srv.client("s3", EAST), srv.client("s3", WEST)
    east.create_bucket(Bucket="rip-src")
    west.create_bucket(Bucket="rip-dst", CreateBucketConfiguration={"LocationConstraint": WEST})
    for s3, bucket in ((east, "rip-src"), (west, "rip-dst")):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        eq(s3.get_bucket_versioning(Bucket=bucket)["Status"], "Enabled")
    rule = {
        "ID": "dr",
        "Priority": 1,
        "Status": "Enabled",
        "Filter": {"Prefix": "data/"},
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "Destination": {
            "Bucket": "arn:aws:s3:::rip-dst",
            "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
            "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}},
        },
    }
    role = "arn:aws:iam::123456789012:role/replication"
    east.put_bucket_replication(Bucket="rip-src", ReplicationConfiguration={"Role": role, "Rules": [rule]})
    got = east.get_bucket_replication(Bucket="rip-src")["ReplicationConfiguration"]
    eq(got, {"Role": role, "Rules": [rule]}, "replication configuration")


# --- DynamoDB global tables (patched) ----------------------------------------------------

EU = "eu-west-1"


def create_ddb_table(ddb, name, view_type="NEW_AND_OLD_IMAGES"):
    args = dict(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    if view_type:
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    return ddb.create_table(**args)["TableDescription"]


def replicas(ddb, name):
    table = ddb.describe_table(TableName=name)["Table"]
    return [(r["RegionName"], r["ReplicaStatus"]) for r in table.get("Replicas", [])]


def add_replica(ddb, name, region):
    return ddb.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": region}}])


@test
def dynamodb_global_table_replicas_across_regions(srv):
    east, west, eu = (srv.client("dynamodb", r) for r in (EAST, WEST, EU))
    create_ddb_table(east, "gt-orders")
    resp = add_replica(east, "gt-orders", WEST)["TableDescription"]
    eq((resp["TableStatus"], resp["Replicas"]), ("ACTIVE", [{"RegionName": WEST, "ReplicaStatus": "ACTIVE"}]),
       "UpdateTable's answer")
    # A replica is added from any region of the group.
    add_replica(west, "gt-orders", EU)
    # Each region lists the other regions of the group, not itself (the README says why).
    eq(replicas(east, "gt-orders"), [(WEST, "ACTIVE"), (EU, "ACTIVE")], "described in us-east-1")
    eq(replicas(west, "gt-orders"), [(EAST, "ACTIVE"), (EU, "ACTIVE")], "described in us-west-2")
    eq(replicas(eu, "gt-orders"), [(EAST, "ACTIVE"), (WEST, "ACTIVE")], "described in eu-west-1")
    source = east.describe_table(TableName="gt-orders")["Table"]
    for ddb, region in ((west, WEST), (eu, EU)):
        eq(ddb.list_tables()["TableNames"], ["gt-orders"], f"tables in {region}")
        replica = ddb.describe_table(TableName="gt-orders")["Table"]
        for key in ("KeySchema", "AttributeDefinitions", "BillingModeSummary", "StreamSpecification",
                    "TableStatus", "GlobalTableVersion"):
            eq(replica[key], source[key], f"{key} in {region}")
        eq(replica["GlobalTableVersion"], "2019.11.21")
        assert replica["LatestStreamArn"].startswith(f"arn:aws:dynamodb:{region}:123456789012:table/gt-orders/stream/"), \
            replica["LatestStreamArn"]

    resp = east.update_table(TableName="gt-orders", ReplicaUpdates=[{"Delete": {"RegionName": EU}}])
    eq(resp["TableDescription"]["Replicas"], [{"RegionName": WEST, "ReplicaStatus": "ACTIVE"}], "after Delete")
    eq(error_code(lambda: eu.describe_table(TableName="gt-orders")), "ResourceNotFoundException")
    eq(replicas(west, "gt-orders"), [(EAST, "ACTIVE")], "us-west-2 after Delete")
    # DeleteTable of a replica takes it out of the group: the last one is a plain table again.
    west.delete_table(TableName="gt-orders")
    table = east.describe_table(TableName="gt-orders")["Table"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table, table
    eq(table["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


@test
def dynamodb_replica_updates_refused_like_aws(srv):
    east, west, eu = (srv.client("dynamodb", r) for r in (EAST, WEST, EU))
    create_ddb_table(east, "gt-images", view_type="NEW_IMAGE")
    eq(error_code(lambda: add_replica(east, "gt-images", WEST)), "ValidationException", "NEW_IMAGE stream")
    create_ddb_table(east, "gt-refused")
    eq(error_code(lambda: add_replica(east, "gt-refused", EAST)), "ValidationException", "own region")
    eq(error_code(lambda: east.update_table(TableName="gt-refused", ReplicaUpdates=[
        {"Create": {"RegionName": WEST}}, {"Create": {"RegionName": EU}}])), "ValidationException", "two at once")
    eq(error_code(lambda: east.update_table(TableName="gt-refused", ReplicaUpdates=[
        {"Delete": {"RegionName": WEST}}])), "ValidationException", "Delete of no replica")
    create_ddb_table(eu, "gt-refused")  # a table of that name, no replica
    eq(error_code(lambda: add_replica(east, "gt-refused", EU)), "ValidationException", "name taken")
    # Nothing of the refused requests happened.
    eq(replicas(east, "gt-refused"), [], "replicas after refusals")
    eq(west.list_tables()["TableNames"], [], "us-west-2 tables after refusals")
    eq(replicas(east, "gt-images"), [], "NEW_IMAGE table's replicas")

    add_replica(east, "gt-refused", WEST)
    eq(error_code(lambda: add_replica(east, "gt-refused", WEST)), "ValidationException", "already a replica")
    eq(error_code(lambda: add_replica(west, "gt-refused", EAST)), "ValidationException", "from the replica")
    eq(error_code(lambda: west.update_table(TableName="gt-refused", StreamSpecification={"StreamEnabled": False})),
       "ValidationException", "disabling a replica's stream")
    eq(replicas(west, "gt-refused"), [(EAST, "ACTIVE")], "replicas at the end")

    # No stream at all: AWS turns one on (NEW_AND_OLD_IMAGES) and adds the replica.
    create_ddb_table(east, "gt-nostream", view_type=None)
    add_replica(east, "gt-nostream", WEST)
    for ddb in (east, west):
        table = ddb.describe_table(TableName="gt-nostream")["Table"]
        eq(table["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        assert table["LatestStreamArn"], table


# --- ECS services (patched) ----------------------------------------------------------------


def ecs_service(ecs, cluster, name, desired):
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family=name, containerDefinitions=[
        {"name": name, "image": "public.ecr.aws/nginx/nginx:latest", "memory": 128}])
    return ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=name, desiredCount=desired)["service"]


def counts(service):
    (primary,) = service["deployments"]
    return {
        "service": (service["desiredCount"], service["runningCount"], service["pendingCount"]),
        "primary": (primary["status"], primary["desiredCount"], primary["runningCount"],
                    primary["pendingCount"], primary["rolloutState"]),
    }


def described(ecs, cluster, name):
    return ecs.describe_services(cluster=cluster, services=[name])["services"][0]


def running(n, rollout="COMPLETED"):
    return {"service": (n, n, 0), "primary": ("PRIMARY", n, n, 0, rollout)}


@test
def ecs_services_run_at_once_and_follow_desired_count(srv):
    ecs = srv.client("ecs", WEST)
    created = ecs_service(ecs, "rip-ecs", "web", 2)
    eq(counts(created), running(2), "CreateService's answer")
    eq(counts(described(ecs, "rip-ecs", "web")), running(2), "after CreateService")
    deployment = described(ecs, "rip-ecs", "web")["deployments"][0]["id"]
    for desired in (0, 5):
        eq(counts(ecs.update_service(cluster="rip-ecs", service="web", desiredCount=desired)["service"]),
           running(desired), f"UpdateService({desired})'s answer")
        service = described(ecs, "rip-ecs", "web")
        eq(counts(service), running(desired), f"after UpdateService({desired})")
        eq(service["deployments"][0]["id"], deployment, "a count change is no new deployment")
    # What boto3's services_stable waiter polls for: at once, no second attempt.
    ecs.get_waiter("services_stable").wait(cluster="rip-ecs", services=["web"],
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    cluster = ecs.describe_clusters(clusters=["rip-ecs"])["clusters"][0]
    eq((cluster["runningTasksCount"], cluster["pendingTasksCount"]), (5, 0), "cluster's task counts")

    # A new task definition is a new PRIMARY deployment, completed at once.
    arn = ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="rip-ecs", service="web", taskDefinition="web:2")
    service = described(ecs, "rip-ecs", "web")
    eq(counts(service), running(5), "after a new task definition")
    eq((service["taskDefinition"], service["deployments"][0]["taskDefinition"]), (arn, arn))
    assert service["deployments"][0]["id"] != deployment, "same deployment id"
    cluster = ecs.describe_clusters(clusters=["rip-ecs"])["clusters"][0]
    eq((cluster["runningTasksCount"], cluster["pendingTasksCount"]), (5, 0), "cluster's task counts")


@test
def ecs_seeding_hook_sets_running_count(srv):
    ecs = srv.client("ecs", WEST)
    ecs_service(ecs, "rip-hook", "api", 3)
    body = json.dumps({"region": WEST, "cluster": "rip-hook", "service": "api", "running_count": 1}).encode()
    request = urllib.request.Request(f"{srv.url}/moto-api/ripcord/ecs-running-count", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        eq(json.loads(resp.read()), {"runningCount": 1, "pendingCount": 2}, "hook's answer")
    eq(counts(described(ecs, "rip-hook", "api")),
       {"service": (3, 1, 2), "primary": ("PRIMARY", 3, 1, 2, "IN_PROGRESS")}, "after the hook")
    try:
        ecs.get_waiter("services_stable").wait(cluster="rip-hook", services=["api"],
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    except WaiterError:
        pass
    else:
        raise AssertionError("services_stable succeeded with 1 of 3 tasks running")
    ecs.update_service(cluster="rip-hook", service="api", desiredCount=3)
    eq(counts(described(ecs, "rip-hook", "api")), running(3), "UpdateService after the hook")


# --- Route 53 weighted record sets (patched) ------------------------------------------


def weighted(name, set_id, weight, value, **extra):
    return {"Name": name, "Type": "A", "SetIdentifier": set_id, "Weight": weight, "TTL": 60,
            "ResourceRecords": [{"Value": value}], **extra}


def upsert(r53, zone, *record_sets):
    return lambda: r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": r} for r in record_sets]})


def a_records(r53, zone):
    return [r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "A"]


@test
def route53_refuses_bad_weights_and_mixed_policies(srv):
    r53 = srv.client("route53")
    unchecked = srv.client("route53", parameter_validation=False)
    zone = r53.create_hosted_zone(Name="m.rip.example", CallerReference="mz")["HostedZone"]["Id"]
    name = "app.m.rip.example."
    upsert(r53, zone, weighted(name, "blue", 10, "192.0.2.1"))()
    eq(error_code(upsert(r53, zone, weighted(name, "green", 256, "192.0.2.2"))), "InvalidInput", "Weight 256")
    eq(error_code(upsert(unchecked, zone, weighted(name, "green", -1, "192.0.2.2"))), "InvalidInput", "Weight -1")
    simple = {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.9"}]}
    failover = {"Name": name, "Type": "A", "SetIdentifier": "p", "Failover": "PRIMARY", "TTL": 60,
                "ResourceRecords": [{"Value": "192.0.2.9"}]}
    eq(error_code(upsert(r53, zone, simple)), "InvalidChangeBatch", "simple next to weighted")
    eq(error_code(upsert(r53, zone, failover)), "InvalidChangeBatch", "failover next to weighted")
    # The whole batch is refused: its valid change is not made either.
    eq(error_code(upsert(r53, zone, weighted(name, "green", 5, "192.0.2.2"), simple)), "InvalidChangeBatch", "batch")
    eq([r["SetIdentifier"] for r in a_records(r53, zone)], ["blue"], "after the refusals")
    # Weighted next to a simple record of another name or type is fine; next to one of the
    # same name and type it is not, unless the same batch deletes that one first.
    other = dict(simple, Name="www.m.rip.example.")
    upsert(r53, zone, other, dict(simple, Name=name, Type="TXT", ResourceRecords=[{"Value": '"x"'}]))()
    eq(error_code(upsert(r53, zone, weighted(other["Name"], "blue", 1, "192.0.2.1"))), "InvalidChangeBatch")
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": other},
        {"Action": "CREATE", "ResourceRecordSet": weighted(other["Name"], "blue", 1, "192.0.2.1")}]})
    eq([(r["Name"], r.get("SetIdentifier")) for r in a_records(r53, zone)],
       [(name, "blue"), ("www.m.rip.example.", "blue")], "after converting www to weighted")


@test
def route53_delete_of_a_weighted_record_spares_its_namesakes(srv):
    r53 = srv.client("route53")
    zone = r53.create_hosted_zone(Name="d.rip.example", CallerReference="dz")["HostedZone"]["Id"]
    records = [weighted(f"{n}.d.rip.example.", set_id, 1, "192.0.2.1")
               for n in ("app", "www") for set_id in ("blue", "green")]
    upsert(r53, zone, *records)()
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": records[0]}]})
    eq([(r["Name"], r["SetIdentifier"]) for r in a_records(r53, zone)],
       [("app.d.rip.example.", "green"), ("www.d.rip.example.", "blue"), ("www.d.rip.example.", "green")],
       "after deleting app's blue")

# --- upstream moto, unpatched: still working? --------------------------------------


@test
def ec2_snapshot_copy_and_volume(srv):
    east, west = srv.client("ec2", EAST), srv.client("ec2", WEST)
    vol = east.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    tags = [{"Key": "ripcord", "Value": "snap"}]
    snap = east.create_snapshot(
        VolumeId=vol, TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}]
    )["SnapshotId"]
    found = east.describe_snapshots(Filters=[{"Name": "tag:ripcord", "Values": ["snap"]}])["Snapshots"]
    eq([(s["SnapshotId"], s["State"], s["Tags"]) for s in found], [(snap, "completed", tags)])
    copy = west.copy_snapshot(SourceRegion=EAST, SourceSnapshotId=snap)["SnapshotId"]
    eq(west.describe_snapshots(SnapshotIds=[copy])["Snapshots"][0]["State"], "completed")
    new = west.create_volume(AvailabilityZone="us-west-2a", SnapshotId=copy)["VolumeId"]
    described = west.describe_volumes(VolumeIds=[new])["Volumes"][0]
    eq((described["SnapshotId"], described["State"], described["Size"]), (copy, "available", 8))


@test
def autoscaling_instances_go_in_service(srv):
    ec2, asg = srv.client("ec2"), srv.client("autoscaling")
    ec2.create_launch_template(
        LaunchTemplateName="rip-lt", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="rip-asg", LaunchTemplate={"LaunchTemplateName": "rip-lt"},
        MinSize=0, MaxSize=4, DesiredCapacity=0, AvailabilityZones=["us-east-1a"],
    )
    asg.update_auto_scaling_group(AutoScalingGroupName="rip-asg", MinSize=1, DesiredCapacity=3)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["rip-asg"])["AutoScalingGroups"][0]
    eq(group["DesiredCapacity"], 3)
    eq([i["LifecycleState"] for i in group["Instances"]], ["InService"] * 3)
    # Launched from an image moto does not have: the launcher leaves the stock AMIs out.
    eq(ec2.describe_images()["Images"], [])


@test
def route53_failover_records_and_health_checks(srv):
    r53 = srv.client("route53")
    zone = r53.create_hosted_zone(Name="rip.example", CallerReference="z")["HostedZone"]["Id"]
    hc = r53.create_health_check(
        CallerReference="hc",
        HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": "p.rip.example", "Port": 443,
                           "ResourcePath": "/health"},
    )["HealthCheck"]["Id"]
    records = [
        {"Name": "app.rip.example.", "Type": "A", "SetIdentifier": "primary", "Failover": "PRIMARY",
         "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}], "HealthCheckId": hc},
        {"Name": "app.rip.example.", "Type": "A", "SetIdentifier": "secondary", "Failover": "SECONDARY",
         "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.2"}]},
        {"Name": "www.rip.example.", "Type": "A", "AliasTarget": {
            "HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": "lb.us-east-1.elb.amazonaws.com",
            "EvaluateTargetHealth": True}},
    ]
    change = r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": r} for r in records]})
    eq(r53.get_change(Id=change["ChangeInfo"]["Id"])["ChangeInfo"]["Status"], "INSYNC")
    listed = r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    eq([r for r in listed if r["Type"] == "A"], records, "A records")

    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=hc,
                                 AddTags=[{"Key": "ripcord", "Value": "primary"}])
    tags = r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=hc)["ResourceTagSet"]["Tags"]
    eq(tags, [{"Key": "ripcord", "Value": "primary"}])
    r53.update_health_check(HealthCheckId=hc, Disabled=True)
    eq(r53.get_health_check(HealthCheckId=hc)["HealthCheck"]["HealthCheckConfig"]["Disabled"], True)


@test
def sns_publish(srv):
    sns = srv.client("sns")
    topic = sns.create_topic(Name="rip-events")["TopicArn"]
    assert sns.publish(TopicArn=topic, Message="failover started")["MessageId"]


@test
def cloudwatch_rds_lag_metrics_round_trip(srv):
    # The live backend reads replication lag with GetMetricStatistics (Maximum, 60 s).
    cw = srv.client("cloudwatch", WEST)
    now = datetime.datetime.now(datetime.timezone.utc)
    dims = [{"Name": "DBClusterIdentifier", "Value": "rip-lag-dr"}]
    cw.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {"MetricName": "AuroraGlobalDBReplicationLag", "Dimensions": dims,
             "Value": 600000.0, "Unit": "Milliseconds", "Timestamp": now},
        ],
    )

    def maxima(client):
        out = client.get_metric_statistics(
            Namespace="AWS/RDS", MetricName="AuroraGlobalDBReplicationLag", Dimensions=dims,
            StartTime=now - datetime.timedelta(minutes=5),
            EndTime=now + datetime.timedelta(seconds=1), Period=60, Statistics=["Maximum"],
        )
        return [(d["Maximum"], d["Unit"]) for d in out["Datapoints"]]

    eq(maxima(cw), [(600000.0, "Milliseconds")], "read back in its region")
    eq(maxima(srv.client("cloudwatch", EAST)), [], "other regions do not see it")


@test
def dynamodb_tables_streams_and_listing(srv):
    east, west = srv.client("dynamodb", EAST), srv.client("dynamodb", WEST)
    create_ddb_table(east, "plain-streamed", view_type="KEYS_ONLY")
    create_ddb_table(east, "plain-quiet", view_type=None)
    table = east.describe_table(TableName="plain-streamed")["Table"]
    eq((table["TableStatus"], table["StreamSpecification"]),
       ("ACTIVE", {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}))
    assert table["LatestStreamArn"].startswith(table["TableArn"] + "/stream/"), table["LatestStreamArn"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table, table
    table = east.describe_table(TableName="plain-quiet")["Table"]
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table, table
    names = east.list_tables()["TableNames"]
    assert {"plain-streamed", "plain-quiet"} <= set(names), names
    assert "plain-quiet" not in west.list_tables()["TableNames"], "listed in another region"
    eq(error_code(lambda: west.describe_table(TableName="plain-quiet")), "ResourceNotFoundException")


@test
def ecs_clusters_task_definitions_and_listings(srv):
    ecs = srv.client("ecs", EU)
    ecs.create_cluster(clusterName="rip-list")
    for image in ("public.ecr.aws/nginx/nginx:1", "public.ecr.aws/nginx/nginx:2"):
        td = ecs.register_task_definition(family="lister", containerDefinitions=[
            {"name": "lister", "image": image, "memory": 128}])["taskDefinition"]
    eq((td["family"], td["revision"], td["status"]), ("lister", 2, "ACTIVE"))
    for name in ("a", "b"):
        ecs.create_service(cluster="rip-list", serviceName=name, taskDefinition="lister:1", desiredCount=1)
    eq(ecs.list_clusters()["clusterArns"], ["arn:aws:ecs:eu-west-1:123456789012:cluster/rip-list"])
    eq(sorted(ecs.list_services(cluster="rip-list")["serviceArns"]),
       [f"arn:aws:ecs:eu-west-1:123456789012:service/rip-list/{n}" for n in ("a", "b")])
    eq(described(ecs, "rip-list", "a")["taskDefinition"],
       "arn:aws:ecs:eu-west-1:123456789012:task-definition/lister:1")


@test
def route53_weighted_records_round_trip(srv):
    r53 = srv.client("route53")
    zone = r53.create_hosted_zone(Name="w.rip.example", CallerReference="wz")["HostedZone"]["Id"]
    hc = r53.create_health_check(CallerReference="whc", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": "blue.w.rip.example", "Port": 443, "ResourcePath": "/"},
    )["HealthCheck"]["Id"]
    records = [weighted("api.w.rip.example.", "blue", 255, "192.0.2.10", HealthCheckId=hc),
               weighted("api.w.rip.example.", "green", 0, "192.0.2.20")]
    upsert(r53, zone, *records)()
    eq(a_records(r53, zone), records, "weighted records")
    # Shifting traffic: UPSERT both weights in one batch.
    records = [dict(records[0], Weight=0), dict(records[1], Weight=200)]
    upsert(r53, zone, *records)()
    eq([(r["SetIdentifier"], r["Weight"]) for r in a_records(r53, zone)], [("blue", 0), ("green", 200)], "weights")
    eq(a_records(r53, zone)[0]["HealthCheckId"], hc, "health check kept")


# --- Step Functions executions ---------------------------------------------------


def run_state_machine(sfn, name, definition, input_=None):
    arn = sfn.create_state_machine(
        name=name, definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=f"{name}-run", input=json.dumps(input_ or {}))["executionArn"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.1)
    raise AssertionError(f"{name} still running after 30 s")


@test
def execute_state_machines_runs_aws_sdk_tasks_against_this_server(srv):
    own = Server("--execute-state-machines")
    try:
        asg = own.client("autoscaling", WEST)
        own.client("ec2", WEST).create_launch_template(
            LaunchTemplateName="sfn-lt", LaunchTemplateData={"ImageId": "ami-12345678", "InstanceType": "t3.micro"})
        asg.create_auto_scaling_group(
            AutoScalingGroupName="sfn-asg", MinSize=0, MaxSize=4, DesiredCapacity=1,
            AvailabilityZones=["us-west-2a"], LaunchTemplate={"LaunchTemplateName": "sfn-lt"})
        done = run_state_machine(own.client("stepfunctions", WEST), "sfn-scale", {
            "StartAt": "Scale",
            "States": {"Scale": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:autoscaling:updateAutoScalingGroup",
                "Parameters": {"AutoScalingGroupName": "sfn-asg", "DesiredCapacity": 3}, "End": True}},
        })
        eq(done["status"], "SUCCEEDED", f"execution ({done.get('error')}: {done.get('cause')})")
        group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["sfn-asg"])["AutoScalingGroups"][0]
        eq(group["DesiredCapacity"], 3, "the task's call reached this server's backend")
        # Patched (_patch_sfn_task_timestamps): a result with a timestamp (CreatedTime) left
        # the finished execution undescribable (HTTP 500).
        done = run_state_machine(own.client("stepfunctions", WEST), "sfn-describe", {
            "StartAt": "Describe",
            "States": {"Describe": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:autoscaling:describeAutoScalingGroups",
                "Parameters": {"AutoScalingGroupNames": ["sfn-asg"]}, "End": True}},
        })
        eq(done["status"], "SUCCEEDED", "execution")
        created = json.loads(done["output"])["AutoScalingGroups"][0]["CreatedTime"]
        assert isinstance(created, str) and created.startswith("20"), created
    finally:
        own.stop()


@test
def a_choice_reads_a_definite_path_through_an_array_as_aws_does(srv):
    # Patched (_patch_sfn_json_path): upstream gives ["Enabled"] for this path, never equal
    # to "Enabled", so every exported check failed.
    own = Server("--execute-state-machines")
    try:
        def verdict(variable):
            done = run_state_machine(own.client("stepfunctions", WEST), f"sfn-choice-{abs(hash(variable))}", {
                "StartAt": "Answer",
                "States": {
                    "Answer": {"Type": "Pass", "Result": {"Rules": [{"Status": "Enabled"}]},
                               "ResultPath": "$.checks.s1", "Next": "Holds?"},
                    "Holds?": {"Type": "Choice", "Choices": [
                        {"Variable": variable, "StringEquals": "Enabled", "Next": "Yes"}], "Default": "No"},
                    "Yes": {"Type": "Succeed"},
                    "No": {"Type": "Fail", "Error": "Unmet", "Cause": "no"},
                },
            })
            return done["status"]
        eq(verdict("$.checks.s1.Rules[0].Status"), "SUCCEEDED", "a definite path through an array")
        eq(verdict("$.checks.s1.Rules[1].Status"), "FAILED", "a path to nothing")
        # Patched too: a filter that selects nothing is an empty list, not a runtime error
        # (the wait for a global table's replicas, when all are active).
        done = run_state_machine(own.client("stepfunctions", WEST), "sfn-filter", {
            "StartAt": "Read",
            "States": {"Read": {
                "Type": "Pass", "Parameters": {
                    "Pending.$": "$.Replicas[?(@.ReplicaStatus != 'ACTIVE')].RegionName"},
                "End": True}},
        }, {"Replicas": [{"RegionName": "us-west-2", "ReplicaStatus": "ACTIVE"}]})
        eq(done["status"], "SUCCEEDED", f"execution ({done.get('error')}: {done.get('cause')})")
        eq(json.loads(done["output"]), {"Pending": []}, "nothing pending")
    finally:
        own.stop()


@test
def a_parent_runs_a_child_execution_and_gets_its_output(srv):
    # Patched (_patch_sfn_start_execution): the Task failed with States.Runtime
    # 'StateMachineArn' (ASL's parameter names handed to boto3 as they are).
    own = Server("--execute-state-machines")
    try:
        sfn = own.client("stepfunctions", WEST)
        sfn.create_state_machine(
            name="family-part-001", roleArn="arn:aws:iam::123456789012:role/sfn",
            definition=json.dumps({"StartAt": "Add", "States": {"Add": {
                "Type": "Pass", "Result": "from the child", "ResultPath": "$.child", "End": True}}}))
        done = run_state_machine(sfn, "family", {
            "StartAt": "Run part",
            "States": {"Run part": {
                "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {
                    "StateMachineArn.$": "States.Format('{}-part-001', $$.StateMachine.Id)",
                    "Name.$": "States.Format('{}-part-001', $$.Execution.Name)",
                    "Input.$": "$"},
                "OutputPath": "$.Output", "End": True}},
        }, {"parent": "input"})
        eq(done["status"], "SUCCEEDED", f"execution ({done.get('error')}: {done.get('cause')})")
        eq(json.loads(done["output"]), {"parent": "input", "child": "from the child"}, "output")
        children = sfn.list_executions(stateMachineArn="arn:aws:states:us-west-2:123456789012:stateMachine:family-part-001")
        eq([e["name"] for e in children["executions"]], [done["name"] + "-part-001"], "the child's name")
    finally:
        own.stop()


def main():
    srv = Server()  # shared; each test uses its own resource names
    passed = failed = 0
    try:
        for fn in TESTS:
            try:
                fn(srv)
            except Exception:
                failed += 1
                print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
            else:
                passed += 1
                print(f"ok   {fn.__name__}", flush=True)
    finally:
        srv.stop()
    if failed:
        print(f"--- launcher stderr ---\n{srv.stderr()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
