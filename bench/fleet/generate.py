#!/usr/bin/env python3
"""Writes the fleet-scale e-commerce world and its ripcord failover runbook.

50 web and 50 app Auto Scaling groups in us-west-2, 50 DNS records, the Aurora global
database, the primary health check and the notification topic. Usage: generate.py OUT_DIR
"""
import json
import os
import sys

N = 50


def inventory(n=N, records=N, group="{:02d}", record="{:02d}"):
    """The fleet world: `n` web and `n` app groups, `records` alias records (names numbered
    with the `group` and `record` formats: bench/fleet/scale.py writes the 10x one)."""
    groups = []
    for i in range(1, n + 1):
        groups.append({"name": f"dr-web-asg-{group.format(i)}", "min_size": 2, "max_size": 5, "desired_capacity": 2})
        groups.append({"name": f"dr-app-asg-{group.format(i)}", "min_size": 2, "max_size": 6, "desired_capacity": 2})
    return {
        "version": 1,
        "account": "123456789012",
        "captured_at": "2026-11-24T03:00:00Z",
        "regions": {
            "us-east-1": {"db_clusters": [{"id": "ecommerce-aurora-cluster", "engine": "aurora-mysql"}]},
            "us-west-2": {
                "availability_zones": ["us-west-2a", "us-west-2b"],
                "auto_scaling_groups": groups,
                "db_clusters": [{"id": "dr-aurora-cluster", "engine": "aurora-mysql"}],
                "topics": [{"name": "dr-notifications"}],
            },
        },
        "global_clusters": [{
            "id": "ecommerce-global",
            "engine": "aurora-mysql",
            "members": [
                {"cluster": "ecommerce-aurora-cluster", "region": "us-east-1", "writer": True},
                {"cluster": "dr-aurora-cluster", "region": "us-west-2"},
            ],
        }],
        "hosted_zones": [{
            "id": "Z1EXAMPLE",
            "name": "example.com",
            "records": [
                {"name": f"shop-{record.format(i)}.example.com", "type": "A",
                 "alias": {"zone_id": "Z2EXAMPLE", "dns_name": "primary-alb.us-east-1.elb.amazonaws.com",
                           "evaluate_target_health": True}}
                for i in range(1, records + 1)
            ],
        }],
        "health_checks": [{"id": "hc-primary", "name": "ECommerce-Primary-HealthCheck",
                           "fqdn": "primary-alb.us-east-1.elb.amazonaws.com"}],
    }


def main(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "fleet.inventory.json"), "w") as f:
        json.dump(inventory(), f, indent=1)
    with open(os.path.join(os.path.dirname(__file__), "fleet-failover.rhai")) as f:
        runbook = f.read()
    with open(os.path.join(out, "fleet-failover.rhai"), "w") as f:
        f.write(runbook)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench-fleet")
