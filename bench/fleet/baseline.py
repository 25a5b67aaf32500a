#!/usr/bin/env python3
"""The source document's execute_failover(), at fleet scale: boto3, one call after another.

Usage: baseline.py ENDPOINT   (prints the seconds the failover took and the calls it made)
The ids the source document hard-codes (zone, health check) are looked up first, untimed.
BASELINE_N (groups per tier, default 50) and BASELINE_RECORDS (default N) set the scale;
boto3's standard retry mode (its documented default for new code) meets throttling.
"""
import os
import sys
import time

import boto3
from botocore.config import Config

N = int(os.environ.get("BASELINE_N", "50"))
RECORDS = int(os.environ.get("BASELINE_RECORDS", str(N)))
# Names as bench/fleet/generate.py (1x) and scale.py (10x) write them.
GROUP = "{:02d}" if N < 100 else "{:03d}"
RECORD = "{:02d}" if RECORDS < 100 else "{:04d}"
CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing",
             config=Config(retries={"mode": "standard"}))


def main(endpoint):
    def client(service, region="us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=endpoint, **CREDS)

    autoscaling = client("autoscaling", "us-west-2")
    rds = client("rds", "us-west-2")
    route53 = client("route53")
    sns = client("sns", "us-west-2")
    account = client("sts").get_caller_identity()["Account"]
    zone_id = route53.list_hosted_zones_by_name(DNSName="example.com")["HostedZones"][0]["Id"]
    health_check_id = route53.list_health_checks()["HealthChecks"][0]["Id"]
    calls = 0

    start = time.perf_counter()
    print("Scaling up web tier...", file=sys.stderr)
    for i in range(1, N + 1):
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=f"dr-web-asg-{GROUP.format(i)}", MinSize=4, MaxSize=10, DesiredCapacity=4)
        calls += 1
    print("Scaling up application tier...", file=sys.stderr)
    for i in range(1, N + 1):
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=f"dr-app-asg-{GROUP.format(i)}", MinSize=6, MaxSize=12, DesiredCapacity=6)
        calls += 1
    print("Removing region from Aurora global database...", file=sys.stderr)
    rds.remove_from_global_cluster(
        GlobalClusterIdentifier="ecommerce-global",
        DbClusterIdentifier=f"arn:aws:rds:us-west-2:{account}:cluster:dr-aurora-cluster")
    calls += 1
    waiter = rds.get_waiter("db_cluster_available")
    waiter.wait(DBClusterIdentifier="dr-aurora-cluster", WaiterConfig={"Delay": 1})
    calls += 1
    for i in range(1, RECORDS + 1):
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
            "Action": "UPSERT",
            "ResourceRecordSet": {"Name": f"shop-{RECORD.format(i)}.example.com", "Type": "A", "AliasTarget": {
                "HostedZoneId": "Z3EXAMPLE", "DNSName": "dr-alb.us-west-2.elb.amazonaws.com",
                "EvaluateTargetHealth": True}}}]})
        calls += 1
    print("Disabling primary region health check...", file=sys.stderr)
    route53.update_health_check(HealthCheckId=health_check_id, Disabled=True)
    calls += 1
    sns.publish(TopicArn=f"arn:aws:sns:us-west-2:{account}:dr-notifications",
                Subject="DR Failover Completed", Message="Disaster Recovery Failover has been completed.")
    calls += 1
    print(f"{time.perf_counter() - start:.3f} {calls}")


if __name__ == "__main__":
    main(sys.argv[1])
