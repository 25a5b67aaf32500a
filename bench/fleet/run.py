#!/usr/bin/env python3
"""The live benchmark (README, "Live, at fleet scale"): the fleet failover against moto with
added latency and AWS's request quotas, ripcord next to the source document's sequential boto3
failover.

Run through bench/fleet/run. Each side gets a fresh, freshly seeded moto, warmed (moto imports
a service's code on its first request: about a second each for the services the seeding does
not touch, which AWS does not charge), behind the fault proxy (tests/moto/faultproxy.py)
enforcing AWS's request quotas (QUOTAS), as AWS would. Reports, as a Markdown table of medians
over BENCH_RUNS rounds (default 3): the baseline's time and calls; ripcord's execution time
(first request to last answer, from the run journal), its capture (its own time and HTTP
requests, from apply's `captured N region(s) in X s (R requests)`) and whole `apply` time
(with STS, capture and dry-run); the lower bound max(critical path x latency, moto's own
service time for ripcord's calls, the quota-bound time); the same with Auto Scaling's quota
raised (RAISED: `--quotas` and the proxy alike), where the execution is no longer quota-bound
and the capture's share shows; and the same failover with us-east-1 down: every connection
signed for us-east-1 refused, Route 53 (signed for us-east-1 too) answering, as in a regional
outage that spares the global control plane.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY = sys.executable
RIPCORD = os.environ.get("RIPCORD_BIN") or os.path.join(
    ROOT, os.environ.get("CARGO_TARGET_DIR") or "target", "debug", "ripcord")
OUT = os.path.join(ROOT, "target", "bench-fleet")
RUNBOOK = os.path.join(OUT, "fleet-failover.rhai")
INVENTORY = os.path.join(OUT, "fleet.inventory.json")

# What apply says of its capture (crates/ripcord/src/guard.rs).
CAPTURED = re.compile(r"^captured (\d+) region\(s\) in ([\d.]+) s \((\d+) requests\)$", re.M)

# AWS's quotas as the proxy enforces them: the proxy stands in for AWS, so these are AWS's
# documented figures (docs/live.md, "Quotas and pacing", with sources), not ripcord's table.
QUOTAS = [
    {"service": "route53", "fault": "quota", "rate": 5, "burst": 5},
    {"service": "autoscaling", "fault": "quota", "rate": 10, "burst": 10},
    {"service": "rds", "fault": "quota", "rate": 12, "burst": 300},
    {"service": "ec2", "fault": "quota", "rate": 20, "burst": 100, "per_operation": True},
    {"service": "sns", "fault": "quota", "rate": 30, "burst": 30},
]

# An account whose Auto Scaling quota was raised: ripcord is told (`--quotas`), the proxy
# enforces it.
RAISED_AUTOSCALING = {"rate": 100, "burst": 100}
RAISED = [dict(q, **RAISED_AUTOSCALING) if q["service"] == "autoscaling" else q for q in QUOTAS]

# us-east-1 down but Route 53: the first matching rule decides.
EAST_DOWN = [{"service": "route53", "fault": "pass"}, {"region": "us-east-1", "fault": "refuse"}] + QUOTAS

REGIONS = ("us-east-1", "us-west-2")


class Moto:
    def __init__(self, latency_ms):
        self.proc = subprocess.Popen(
            [PY, "tests/moto/launch.py", "--port", "0", "--latency-ms", str(latency_ms)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            sys.exit(f"moto did not start: {line!r}")
        self.url = line.split()[1]
        subprocess.run([PY, "tests/moto/seed.py", "--endpoint", self.url, INVENTORY], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        warm(self.url)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def warm(url):
    """One request to every service ripcord's capture reads, in each region: moto imports a
    service's code and builds its per-region backend on the first request, seconds in all that
    no AWS endpoint spends."""
    import boto3
    keys = dict(endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing")
    for region in REGIONS:
        client = lambda name: boto3.client(name, region_name=region, **keys)
        client("ec2").describe_availability_zones()
        client("ec2").describe_volumes()
        client("ec2").describe_snapshots(OwnerIds=["self"])
        client("autoscaling").describe_auto_scaling_groups(MaxRecords=1)
        client("ecs").list_clusters()
        client("dynamodb").list_tables()
        client("rds").describe_db_instances()
        client("rds").describe_global_clusters()
        client("sns").list_topics()
        client("sts").get_caller_identity()
        client("cloudwatch").list_metrics()
    boto3.client("route53", region_name="us-east-1", **keys).list_hosted_zones()
    boto3.client("s3", region_name="us-east-1", **keys).list_buckets()


class Proxy:
    """The fault proxy in front of `upstream` with `rules`."""

    def __init__(self, upstream, rules):
        self.proc = subprocess.Popen(
            [PY, "tests/moto/faultproxy.py", "--upstream", upstream, "--port", "0",
             "--rules", json.dumps(rules)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            sys.exit(f"the fault proxy did not start: {line!r}")
        self.url = line.split()[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def baseline(latency_ms, rules):
    """The sequential boto3 failover (standard retries) through the proxy with `rules`: its
    time, calls and the throttling answers it got."""
    moto = Moto(latency_ms)
    proxy = Proxy(moto.url, rules)
    try:
        out = subprocess.run([PY, os.path.join(ROOT, "bench/fleet/baseline.py"), proxy.url],
                             capture_output=True, text=True, check=True).stdout.split()
        log = proxy_log(proxy)
        return {"time": float(out[0]), "calls": int(out[1]),
                "throttled": sum(1 for e in log if e.get("fault") == "throttle")}
    finally:
        proxy.stop()
        moto.stop()


def proxy_log(proxy):
    with __import__("urllib.request").request.urlopen(proxy.url + "/__log") as answer:
        return json.load(answer)


def quotas_file(raised):
    """A `--quotas` file raising Auto Scaling's bucket when `raised`, else None."""
    if not raised:
        return None
    path = os.path.join(OUT, "raised-quotas.json")
    with open(path, "w") as f:
        json.dump({"autoscaling": RAISED_AUTOSCALING}, f)
    return path


def ripcord(latency_ms, rules=None, raised=False):
    """One `apply` of the fleet failover against a fresh moto, through the fault proxy with
    `rules` when given, told of the raised Auto Scaling quota when `raised`: execution time,
    whole time, steps, capture time, capture requests, the lines saying what was not
    captured, and the proxy's log."""
    moto = Moto(latency_ms)
    proxy = Proxy(moto.url, rules) if rules is not None else None
    runs = tempfile.mkdtemp()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=proxy.url if proxy else moto.url,
               RIPCORD_POLL_MS="50", NO_COLOR="1")
    quotas = quotas_file(raised)
    try:
        start = time.perf_counter()
        done = subprocess.run([RIPCORD, "apply", RUNBOOK, "--yes", "--approve-gates", "--runs-dir", runs]
                              + (["--quotas", quotas] if quotas else []),
                              cwd=ROOT, env=env, capture_output=True, text=True)
        whole = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"ripcord apply failed:\n{done.stdout}\n{done.stderr}")
        captured = CAPTURED.search(done.stderr)
        if not captured:
            sys.exit(f"apply did not say what its capture took:\n{done.stderr}")
        silent = [l for l in done.stderr.splitlines() if l.startswith("warning: not captured")]
        run_dir = next(os.path.join(runs, d) for d in os.listdir(runs)
                       if os.path.isfile(os.path.join(runs, d, "journal.jsonl")))
        records = [json.loads(l) for l in open(os.path.join(run_dir, "journal.jsonl"))]
        times = [r["at"] for r in records if r["type"] in ("intent", "result")]
        requests = sum(1 for r in records if r["type"] == "intent")
        log = proxy_log(proxy) if proxy else []
        return {"exec": seconds_between(times[0], times[-1]), "whole": whole, "steps": requests,
                "capture": float(captured.group(2)), "capture_requests": int(captured.group(3)),
                "silent": silent, "log": log,
                "throttled": sum(1 for e in log if e.get("fault") == "throttle")}
    finally:
        if proxy:
            proxy.stop()
        moto.stop()


def seconds_between(a, b):
    from datetime import datetime
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


def quota_bound(log, quotas):
    """The time the requests of the proxy's `log` need at `quotas`' rates after their bursts,
    for the busiest bucket, and which it is."""
    counts = {}
    for entry in log:
        rule = entry.get("rule")
        if rule is not None and rule < len(quotas) and quotas[rule]["fault"] == "quota" \
                and entry.get("fault") is None:
            key = (rule, entry["region"], entry["operation"] if quotas[rule].get("per_operation") else "")
            counts[key] = counts.get(key, 0) + 1
    bound, which = 0.0, ""
    for (rule, region, op), n in counts.items():
        q = quotas[rule]
        t = max(0, n - q["burst"]) / q["rate"]
        if t > bound:
            what = f"{q['service']} {op}".strip()
            bound, which = t, f"{what} in {region or 'global'}: {n} requests at {q['rate']}/s after {q['burst']}"
    return bound, which


def critical_path():
    """Steps on the longest sequential chain of the plan (a parallel group counts its longest branch)."""
    return critical_path_of(RUNBOOK, INVENTORY)


def critical_path_of(runbook, inventory):
    """`critical_path` of any runbook and inventory."""
    plan = json.loads(subprocess.run([RIPCORD, "plan", runbook, "--inventory", inventory, "-f", "json"],
                                     cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    steps = 0
    for item in plan["items"]:
        if item["item"] == "parallel":
            steps += max(sum(1 for s in b if s["type"] != "note") for b in item["branches"])
        elif item["type"] != "note":
            steps += 1
    return steps


def main():
    latency = 50
    # The machine is shared and has two cores: one sample of each side can be off by 10 %, so
    # each figure is the median of RUNS rounds.
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    rounds = []
    for _ in range(runs):
        base = baseline(latency, QUOTAS)
        live = ripcord(latency, QUOTAS)
        raised = ripcord(latency, RAISED, raised=True)
        # Straight to moto without latency, quotas or pacing to speak of: moto's own time.
        service = ripcord(0, None, raised=True)
        down = ripcord(latency, EAST_DOWN)
        if not down["silent"] or any("us-east-1" not in l for l in down["silent"]):
            sys.exit(f"the run with us-east-1 down did not say so: {down['silent']}")
        rounds.append({"base": base, "live": live, "raised": raised, "service": service, "down": down})
        print(f"round: baseline {base['time']:.2f} s ({base['throttled']} throttled); "
              f"execution {live['exec']:.2f} s, whole {live['whole']:.2f} s, capture {live['capture']:.2f} s "
              f"({live['capture_requests']} requests), {live['throttled']} throttled; raised quota: execution "
              f"{raised['exec']:.2f} s, whole {raised['whole']:.2f} s, capture {raised['capture']:.2f} s; "
              f"service {service['exec']:.2f} s; us-east-1 down: whole {down['whole']:.2f} s, "
              f"capture {down['capture']:.2f} s ({down['capture_requests']} requests), "
              f"execution {down['exec']:.2f} s", file=sys.stderr)

    def median(run, key):
        return statistics.median(r[run][key] for r in rounds)

    base_t, base_calls = median("base", "time"), rounds[0]["base"]["calls"]
    base_throttled = median("base", "throttled")
    requests = rounds[0]["live"]["steps"]
    service_t = median("service", "exec")
    path = critical_path()
    quota_t, which = quota_bound(rounds[0]["live"]["log"], QUOTAS)
    raised_quota_t, raised_which = quota_bound(rounds[0]["raised"]["log"], RAISED)
    bound = max(path * latency / 1000.0, service_t, quota_t)
    raised_bound = max(path * latency / 1000.0, service_t, raised_quota_t)

    def side(run, lower):
        e, w, c = median(run, "exec"), median(run, "whole"), median(run, "capture")
        return (f"{e:.2f} s / {w:.2f} s / {c:.2f} s ({median(run, 'capture_requests'):.0f} requests) | "
                f"{w / e:.2f}x | {e / lower:.2f}x | {median(run, 'throttled'):.0f} |")

    print(f"| {latency} ms per request, AWS's quotas enforced (medians of {runs} rounds) | execution / whole / capture | whole / execution | execution / lower bound | throttled |")
    print("|---|---|---|---|---|")
    print(f"| sequential boto3 baseline ({base_calls} calls) | {base_t:.2f} s | | | {base_throttled:.0f} |")
    print(f"| ripcord apply ({requests} steps) | {side('live', bound)}")
    print(f"| ripcord apply, Auto Scaling's quota raised to {RAISED_AUTOSCALING['rate']}/s | {side('raised', raised_bound)}")
    print(f"| ripcord apply, us-east-1 down (refused; Route 53 answering) | {side('down', bound)}")
    print()
    print(f"- critical path: {path} steps = {path * latency} ms at {latency} ms")
    print(f"- moto's own service time for ripcord's requests (no latency, no quotas): {service_t:.2f} s")
    print(f"- quota-bound time: {quota_t:.2f} s ({which}); raised: {raised_quota_t:.2f} s ({raised_which})")
    print(f"- lower bound = max(critical path x latency, service time, quota-bound time): "
          f"{bound:.2f} s; raised: {raised_bound:.2f} s")
    print(f"- speed-up of the execution over the baseline, both within AWS's quotas: "
          f"{base_t / median('live', 'exec'):.1f}x")


if __name__ == "__main__":
    main()
