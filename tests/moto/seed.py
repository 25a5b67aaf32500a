"""Builds the world an inventory describes inside a running moto server.

    .venv/bin/python tests/moto/seed.py --endpoint http://127.0.0.1:PORT INVENTORY.yaml

Used by the plan/apply parity tests: the runbook's own inventory becomes real (emulated)
resources, which `ripcord capture` then reads back with moto's ids. Names, sizes, states,
replication, replication lags (as CloudWatch datapoints), global-cluster membership,
snapshot copies across regions (a DB or cluster snapshot with a `source_region`), DynamoDB
global tables, ECS services and weighted record sets are reproduced; ids are moto's own (a
runbook addresses resources by name, so that is all it needs). Prints one line per region
seeded on stderr and nothing on stdout.

DynamoDB tables, per region: `dynamodb_tables: [{name, status, stream_view_type, replicas:
[{region, status}]}]`. A table whose `replicas` name other regions is a global table (version
2019.11.21), listed again under each of its regions: it is created once, in the first region
that lists it (hash key `pk`, type S, on demand, a stream iff `stream_view_type`), and every
other region is added with UpdateTable ReplicaUpdates Create, one per request. moto reports
every table and replica ACTIVE: another `status` is not reproduced (a warning says so).

ECS services, per region: `ecs_services: [{cluster, name, desired_count, running_count,
task_definition}]`: the cluster is created when missing, the task definition (family
`task_definition`, default the service's name) registered with a fixed image, the service
created with `desired_count`. The patched moto runs every task at once; a `running_count`
below `desired_count` is set through the launcher's seeding hook
(POST /moto-api/ripcord/ecs-running-count, see ripcord_moto_patches.py).

A record set with `set_id` and `weight` is a weighted record set (SetIdentifier, Weight).
"""

import argparse
import datetime
import json
import sys
import urllib.request

import boto3
import yaml

CREDENTIALS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")

# Any id: the launcher starts moto without its stock AMIs, and moto does not validate one.
IMAGE_ID = "ami-12c6146b"

# The container image of every seeded ECS task definition; moto pulls nothing.
CONTAINER_IMAGE = "public.ecr.aws/nginx/nginx:latest"


class Seeder:
    def __init__(self, endpoint, inventory):
        self.endpoint = endpoint
        self.inv = inventory
        self.account = None
        self.health_check_ids = {}  # inventory id -> moto id

    def client(self, service, region="us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint, **CREDENTIALS)

    def run(self):
        self.account = self.client("sts").get_caller_identity()["Account"]
        regions = self.inv.get("regions") or {}
        for region, resources in regions.items():
            self.compute(region, resources or {})
        # Sources before replicas, writers before global secondaries: two passes.
        for region, resources in regions.items():
            self.databases(region, resources or {}, replicas=False)
        for region, resources in regions.items():
            self.snapshot_copies(region, resources or {})
        self.global_clusters()
        for region, resources in regions.items():
            self.databases(region, resources or {}, replicas=True)
            self.topics(region, resources or {})
        for region, resources in regions.items():
            self.lags(region, resources or {})
            self.ecs_services(region, resources or {})
        self.dynamodb_tables()
        self.health_checks()
        self.zones()
        self.buckets()

    # ------------------------------------------------------------------ EC2 / Auto Scaling

    def compute(self, region, res):
        ec2 = self.client("ec2", region)
        zones = res.get("availability_zones") or [region + "a"]
        if res.get("auto_scaling_groups"):
            image = IMAGE_ID
            existing = ec2.describe_launch_templates()["LaunchTemplates"]
            if not any(t["LaunchTemplateName"] == "ripcord-seed" for t in existing):
                ec2.create_launch_template(
                    LaunchTemplateName="ripcord-seed",
                    LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"},
                )
            asg = self.client("autoscaling", region)
            for group in res["auto_scaling_groups"]:
                asg.create_auto_scaling_group(
                    AutoScalingGroupName=group["name"],
                    MinSize=group["min_size"],
                    MaxSize=group["max_size"],
                    DesiredCapacity=group["desired_capacity"],
                    LaunchTemplate={"LaunchTemplateName": "ripcord-seed", "Version": "$Latest"},
                    AvailabilityZones=[zones[0]],
                    Tags=[
                        {"Key": k, "Value": v, "PropagateAtLaunch": False}
                        for k, v in (group.get("tags") or {}).items()
                    ],
                )
        volume_ids = {}
        for volume in res.get("volumes") or []:
            tags = dict(volume.get("tags") or {})
            if volume.get("name"):
                tags["Name"] = volume["name"]
            created = ec2.create_volume(
                Size=volume["size_gib"],
                AvailabilityZone=volume["availability_zone"],
                TagSpecifications=tag_spec("volume", tags),
            )
            volume_ids[volume["id"]] = created["VolumeId"]
        for snap in res.get("snapshots") or []:
            volume = volume_ids.get(snap["volume_id"])
            if volume is None:
                continue  # a snapshot of a volume that is gone: nothing to seed it from
            tags = dict(snap.get("tags") or {})
            if snap.get("name"):
                tags["Name"] = snap["name"]
            ec2.create_snapshot(
                VolumeId=volume,
                Description=snap.get("description") or "",
                TagSpecifications=tag_spec("snapshot", tags),
            )
        print(f"seeded {region}", file=sys.stderr)

    # ------------------------------------------------------------------ RDS

    def databases(self, region, res, replicas):
        rds = self.client("rds", region)
        if not replicas:
            members = self.global_members()
            for cluster in res.get("db_clusters") or []:
                member = members.get((cluster["id"], region))
                if member is not None and not member["writer"]:
                    continue  # a global secondary: created with its global cluster
                rds.create_db_cluster(
                    DBClusterIdentifier=cluster["id"],
                    Engine=cluster["engine"],
                    MasterUsername="admin",
                    MasterUserPassword="not-a-secret-1",
                )
        for db in res.get("db_instances") or []:
            is_replica = bool(db.get("read_replica_source"))
            if is_replica != replicas:
                continue
            if is_replica:
                source = self.arn_of_instance(db["read_replica_source"], region)
                rds.create_db_instance_read_replica(
                    DBInstanceIdentifier=db["id"],
                    SourceDBInstanceIdentifier=source,
                    DBInstanceClass=db.get("instance_class", "db.r6g.large"),
                    AvailabilityZone=db["availability_zone"],
                    MultiAZ=bool(db.get("multi_az", False)),
                )
                continue
            args = dict(
                DBInstanceIdentifier=db["id"],
                Engine=db["engine"],
                DBInstanceClass=db.get("instance_class", "db.r6g.large"),
                MultiAZ=bool(db.get("multi_az")),
                AvailabilityZone=db["availability_zone"],
            )
            if db.get("cluster"):
                args["DBClusterIdentifier"] = db["cluster"]
            else:
                args.update(MasterUsername="admin", MasterUserPassword="not-a-secret-1", AllocatedStorage=20)
            rds.create_db_instance(**args)
        if not replicas:
            for snap in res.get("db_snapshots") or []:
                if snap.get("source_region") in (None, region):
                    rds.create_db_snapshot(DBSnapshotIdentifier=snap["id"], DBInstanceIdentifier=snap["source"])
            for snap in res.get("db_cluster_snapshots") or []:
                if snap.get("source_region") in (None, region):
                    rds.create_db_cluster_snapshot(
                        DBClusterSnapshotIdentifier=snap["id"], DBClusterIdentifier=snap["source"]
                    )

    def snapshot_copies(self, region, res):
        """Snapshots copied from another region (`source_region`): taken of their source there,
        copied here under their id, and the snapshot taken only for that deleted again. After
        every region's databases, since the source may be listed later."""
        rds = self.client("rds", region)
        for snap in res.get("db_snapshots") or []:
            source_region = snap.get("source_region")
            if source_region in (None, region):
                continue
            origin = self.client("rds", source_region)
            made = origin.create_db_snapshot(
                DBSnapshotIdentifier=f"{snap['id']}-seed", DBInstanceIdentifier=snap["source"]
            )["DBSnapshot"]
            rds.copy_db_snapshot(
                SourceDBSnapshotIdentifier=made["DBSnapshotArn"],
                TargetDBSnapshotIdentifier=snap["id"],
                SourceRegion=source_region,
            )
            origin.delete_db_snapshot(DBSnapshotIdentifier=made["DBSnapshotIdentifier"])
        for snap in res.get("db_cluster_snapshots") or []:
            source_region = snap.get("source_region")
            if source_region in (None, region):
                continue
            origin = self.client("rds", source_region)
            made = origin.create_db_cluster_snapshot(
                DBClusterSnapshotIdentifier=f"{snap['id']}-seed", DBClusterIdentifier=snap["source"]
            )["DBClusterSnapshot"]
            rds.copy_db_cluster_snapshot(
                SourceDBClusterSnapshotIdentifier=made["DBClusterSnapshotArn"],
                TargetDBClusterSnapshotIdentifier=snap["id"],
                SourceRegion=source_region,
            )
            origin.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=made["DBClusterSnapshotIdentifier"])

    def lags(self, region, res):
        """Replication lags become the CloudWatch datapoints ripcord reads them from live:
        ReplicaLag (seconds) of a read replica, AuroraGlobalDBReplicationLag (milliseconds) of
        a global secondary, stamped now so that they are the newest of the last 5 minutes."""
        now = datetime.datetime.now(datetime.timezone.utc)

        def datapoint(metric, dimension, ident, value, unit):
            return dict(
                MetricName=metric,
                Dimensions=[dict(Name=dimension, Value=ident)],
                Value=value,
                Unit=unit,
                Timestamp=now,
            )

        data = [
            datapoint("ReplicaLag", "DBInstanceIdentifier", db["id"], float(db["replica_lag_secs"]), "Seconds")
            for db in res.get("db_instances") or []
            if db.get("replica_lag_secs") is not None
        ] + [
            datapoint(
                "AuroraGlobalDBReplicationLag",
                "DBClusterIdentifier",
                cluster["id"],
                float(cluster["replication_lag_secs"]) * 1000.0,
                "Milliseconds",
            )
            for cluster in res.get("db_clusters") or []
            if cluster.get("replication_lag_secs") is not None
        ]
        if data:
            self.client("cloudwatch", region).put_metric_data(Namespace="AWS/RDS", MetricData=data)

    def global_members(self):
        members = {}
        for gc in self.inv.get("global_clusters") or []:
            for m in gc.get("members") or []:
                members[(m["cluster"], m["region"])] = {"global": gc, "writer": bool(m.get("writer"))}
        return members

    def global_clusters(self):
        for gc in self.inv.get("global_clusters") or []:
            writer = next((m for m in gc.get("members") or [] if m.get("writer")), None)
            if writer is None:
                continue
            rds = self.client("rds", writer["region"])
            rds.create_global_cluster(
                GlobalClusterIdentifier=gc["id"],
                SourceDBClusterIdentifier=self.arn_of_cluster(writer["cluster"], writer["region"]),
            )
            for m in gc.get("members") or []:
                if m.get("writer"):
                    continue
                engine = gc["engine"]
                self.client("rds", m["region"]).create_db_cluster(
                    DBClusterIdentifier=m["cluster"],
                    Engine=engine,
                    GlobalClusterIdentifier=gc["id"],
                )

    def arn_of_cluster(self, cluster, region):
        return f"arn:aws:rds:{region}:{self.account}:cluster:{cluster}"

    def arn_of_instance(self, name, region):
        if name.startswith("arn:"):
            return name
        # A bare identifier: the source lives in another region of the inventory.
        for other, res in (self.inv.get("regions") or {}).items():
            for db in (res or {}).get("db_instances") or []:
                if db["id"] == name and not db.get("read_replica_source"):
                    return f"arn:aws:rds:{other}:{self.account}:db:{name}"
        return f"arn:aws:rds:{region}:{self.account}:db:{name}"

    # ------------------------------------------------------------------ DynamoDB, ECS

    def dynamodb_tables(self):
        """Every table once: a global table in the first region that lists it, then one
        UpdateTable ReplicaUpdates Create per other region (AWS adds one replica at a time)."""
        seeded = set()  # (region, table name)
        for region, res in (self.inv.get("regions") or {}).items():
            for table in (res or {}).get("dynamodb_tables") or []:
                name = table["name"]
                if (region, name) in seeded:
                    continue  # a replica, made with its global table
                ddb = self.client("dynamodb", region)
                args = dict(
                    TableName=name,
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )
                if table.get("stream_view_type"):
                    args["StreamSpecification"] = {
                        "StreamEnabled": True,
                        "StreamViewType": table["stream_view_type"],
                    }
                ddb.create_table(**args)
                seeded.add((region, name))
                warn_status(f"table {name} in {region}", table.get("status"))
                for replica in table.get("replicas") or []:
                    if (replica["region"], name) in seeded:
                        continue
                    ddb.update_table(
                        TableName=name,
                        ReplicaUpdates=[{"Create": {"RegionName": replica["region"]}}],
                    )
                    seeded.add((replica["region"], name))
                    warn_status(f"replica of {name} in {replica['region']}", replica.get("status"))

    def ecs_services(self, region, res):
        services = res.get("ecs_services") or []
        if not services:
            return
        ecs = self.client("ecs", region)
        clusters = set()
        families = set()
        for svc in services:
            cluster = svc["cluster"]
            if cluster not in clusters:
                found = ecs.describe_clusters(clusters=[cluster])["clusters"]
                if not any(c["status"] == "ACTIVE" for c in found):
                    ecs.create_cluster(clusterName=cluster)
                clusters.add(cluster)
            family = svc.get("task_definition") or svc["name"]
            if family not in families:
                ecs.register_task_definition(
                    family=family,
                    containerDefinitions=[{"name": family, "image": CONTAINER_IMAGE, "memory": 128}],
                )
                families.add(family)
            desired = int(svc["desired_count"])
            ecs.create_service(
                cluster=cluster, serviceName=svc["name"], taskDefinition=family, desiredCount=desired
            )
            running = svc.get("running_count")
            if running is not None and int(running) != desired:
                self.moto_api(
                    "ripcord/ecs-running-count",
                    {
                        "account_id": self.account,
                        "region": region,
                        "cluster": cluster,
                        "service": svc["name"],
                        "running_count": int(running),
                    },
                )

    def moto_api(self, path, body):
        request = urllib.request.Request(
            f"{self.endpoint.rstrip('/')}/moto-api/{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            return json.loads(resp.read())

    # ------------------------------------------------------------------ SNS, Route 53, S3

    def topics(self, region, res):
        sns = self.client("sns", region)
        for topic in res.get("topics") or []:
            sns.create_topic(Name=topic["name"])

    def health_checks(self):
        r53 = self.client("route53")
        for i, hc in enumerate(self.inv.get("health_checks") or []):
            config = {
                "Type": hc.get("check_type", "HTTPS"),
                "FullyQualifiedDomainName": hc.get("fqdn") or "example.com",
                "Port": 443 if hc.get("check_type", "HTTPS") == "HTTPS" else 80,
                "ResourcePath": "/healthcheck",
                "RequestInterval": 30,
                "FailureThreshold": 3,
            }
            created = r53.create_health_check(CallerReference=f"seed-{i}-{hc['id']}", HealthCheckConfig=config)
            new_id = created["HealthCheck"]["Id"]
            self.health_check_ids[hc["id"]] = new_id
            if hc.get("name"):
                r53.change_tags_for_resource(
                    ResourceType="healthcheck",
                    ResourceId=new_id,
                    AddTags=[{"Key": "Name", "Value": hc["name"]}],
                )
            if hc.get("disabled"):
                r53.update_health_check(HealthCheckId=new_id, Disabled=True)
            if hc.get("inverted"):
                r53.update_health_check(HealthCheckId=new_id, Inverted=True)

    def zones(self):
        r53 = self.client("route53")
        for i, zone in enumerate(self.inv.get("hosted_zones") or []):
            created = r53.create_hosted_zone(
                Name=zone["name"],
                CallerReference=f"seed-zone-{i}",
                HostedZoneConfig={"Comment": "seeded by ripcord", "PrivateZone": bool(zone.get("private"))},
            )
            zone_id = created["HostedZone"]["Id"].split("/")[-1]
            changes = [{"Action": "CREATE", "ResourceRecordSet": self.record_set(r)} for r in zone.get("records") or []]
            if changes:
                r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})

    def record_set(self, record):
        rs = {"Name": record["name"], "Type": record["type"]}
        if record.get("set_id"):
            rs["SetIdentifier"] = record["set_id"]
            if record.get("weight") is not None:
                rs["Weight"] = int(record["weight"])
        if record.get("failover"):
            rs["Failover"] = record["failover"]
        if record.get("health_check"):
            rs["HealthCheckId"] = self.health_check_ids[record["health_check"]]
        if record.get("alias"):
            alias = record["alias"]
            rs["AliasTarget"] = {
                "HostedZoneId": alias["zone_id"],
                "DNSName": alias["dns_name"],
                "EvaluateTargetHealth": bool(alias.get("evaluate_target_health")),
            }
        else:
            rs["TTL"] = record.get("ttl", 300)
            rs["ResourceRecords"] = [{"Value": v} for v in record.get("values") or []]
        return rs

    def buckets(self):
        for bucket in self.inv.get("buckets") or []:
            s3 = self.client("s3", bucket["region"])
            args = {"Bucket": bucket["name"]}
            if bucket["region"] != "us-east-1":
                args["CreateBucketConfiguration"] = {"LocationConstraint": bucket["region"]}
            s3.create_bucket(**args)
            if bucket.get("versioning"):
                s3.put_bucket_versioning(Bucket=bucket["name"], VersioningConfiguration={"Status": "Enabled"})
        for bucket in self.inv.get("buckets") or []:
            replication = bucket.get("replication")
            if not replication:
                continue
            rules = []
            for rule in replication["rules"]:
                destination = {"Bucket": f"arn:aws:s3:::{rule['destination_bucket']}"}
                if rule.get("replication_time_minutes"):
                    minutes = rule["replication_time_minutes"]
                    destination["ReplicationTime"] = {"Status": "Enabled", "Time": {"Minutes": minutes}}
                    destination["Metrics"] = {"Status": "Enabled", "EventThreshold": {"Minutes": minutes}}
                rules.append({
                    "ID": rule["id"],
                    "Status": rule["status"],
                    "Priority": rule.get("priority", 1),
                    "Filter": {},
                    "DeleteMarkerReplication": {
                        "Status": "Enabled" if rule.get("delete_marker_replication") else "Disabled"
                    },
                    "Destination": destination,
                })
            self.client("s3", bucket["region"]).put_bucket_replication(
                Bucket=bucket["name"],
                ReplicationConfiguration={"Role": replication["role"], "Rules": rules},
            )


def warn_status(what, status):
    if status not in (None, "ACTIVE"):
        print(f"seed: {what} is ACTIVE, not {status}: moto has no other state", file=sys.stderr)


def tag_spec(kind, tags):
    if not tags:
        return []
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": str(v)} for k, v in tags.items()]}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("inventory")
    args = parser.parse_args()
    with open(args.inventory) as f:
        text = f.read()
    inventory = json.loads(text) if args.inventory.endswith(".json") else yaml.safe_load(text)
    Seeder(args.endpoint, inventory).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
