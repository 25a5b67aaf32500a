#!/usr/bin/env python3
"""The fleet benchmark at 10x, within AWS's API quotas (README, "Live, at fleet scale").

500 web and 500 app Auto Scaling groups in us-west-2 and 1,000 DNS records in one zone, the
Aurora detach, the health check and the notification, against moto with 50 ms added per
request and AWS's request quotas enforced by the fault proxy (`quota` rules, AWS's documented
rates: QUOTAS in bench/fleet/run.py). ripcord (`apply`, every group in its own parallel branch, the records
as one `flip_dns_batch`) next to the source document's sequential boto3 failover (one call
after another, boto3's standard retries: bench/fleet/baseline.py with N=500) through the same
proxy. Reports ripcord's execution time (journal), the baseline's, the throttling answers each
side received, and the lower bound: max(critical path x latency, the quota-bound time, the run
straight to moto without latency or proxy), where the quota-bound time of a bucket is (its requests - its burst) / its
rate, for the requests ripcord sent through it. One round (BENCH_RUNS rounds if set).

Run through `bash bench/fleet/run --scale 10`.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import generate as generate_1x  # noqa: E402  (the fleet world, at any scale)
import run as fleet  # noqa: E402  (the 1x benchmark's Moto, Proxy and journal helpers)

ROOT = fleet.ROOT
PY = fleet.PY
OUT = os.path.join(ROOT, "target", "bench-fleet-10x")
N = 500
RECORDS = 1000
LATENCY_MS = 50

# AWS's quotas as the proxy enforces them (bench/fleet/run.py).
QUOTAS = fleet.QUOTAS


def generate():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "fleet.inventory.json"), "w") as f:
        json.dump(generate_1x.inventory(N, RECORDS, "{:03d}", "{:04d}"), f, indent=1)
    runbook = f"""// The e-commerce failover at 10x fleet scale (bench/fleet/scale.py): {N} web and {N} app
// groups in parallel branches, {RECORDS} DNS records in one change batch, the Aurora detach;
// then the health check and the notification.

runbook(#{{
    name: "fleet-failover-10x",
    rto: "15m",
    accounts: ["123456789012"],
    regions: ["us-east-1", "us-west-2"],
}});

fn scale_branch(name, min, max, desired) {{
    || {{
        let group = asg(name, "us-west-2");
        scale(group, #{{ min: min, max: max, desired: desired }});
        wait(group, "in_service", "10m");
    }}
}}

fn pad(i, width) {{
    let s = `${{i}}`;
    while s.len() < width {{ s = "0" + s; }}
    s
}}

let branches = [];
for i in 1..={N} {{
    branches.push(scale_branch(`dr-web-asg-${{pad(i, 3)}}`, 4, 10, 4));
    branches.push(scale_branch(`dr-app-asg-${{pad(i, 3)}}`, 6, 12, 6));
}}
branches.push(|| {{
    let changes = [];
    for i in 1..={RECORDS} {{
        changes.push(#{{
            record: record(zone("example.com"), `shop-${{pad(i, 4)}}.example.com`, "A"),
            alias: #{{ zone_id: "Z3EXAMPLE", dns_name: "dr-alb.us-west-2.elb.amazonaws.com" }},
        }});
    }}
    flip_dns_batch(changes);
}});
branches.push(|| {{
    let dr_db = db_cluster("dr-aurora-cluster", "us-west-2");
    promote(aurora_global("ecommerce-global"), dr_db);
    wait(dr_db, "available", "15m");
}});
parallel(branches);

disable_health_check(health_check("ECommerce-Primary-HealthCheck"));
notify(topic("dr-notifications", "us-west-2"), "DR Failover Completed",
    `Fleet failover completed in ${{fmt_duration(elapsed())}}.`);
"""
    with open(os.path.join(OUT, "fleet-failover-10x.rhai"), "w") as f:
        f.write(runbook)
    return os.path.join(OUT, "fleet-failover-10x.rhai"), os.path.join(OUT, "fleet.inventory.json")


def proxy_log(proxy):
    return fleet.proxy_log(proxy)


def quota_bound(log):
    return fleet.quota_bound(log, QUOTAS)


def seeded_moto(latency_ms, inventory):
    fleet.INVENTORY = inventory
    return fleet.Moto(latency_ms)


def ripcord(runbook, inventory, latency_ms, rules):
    moto = seeded_moto(latency_ms, inventory)
    proxy = fleet.Proxy(moto.url, rules) if rules is not None else None
    runs = tempfile.mkdtemp()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=proxy.url if proxy else moto.url,
               RIPCORD_POLL_MS="200", NO_COLOR="1")
    try:
        start = time.perf_counter()
        done = subprocess.run([fleet.RIPCORD, "apply", runbook, "--yes", "--approve-gates", "--runs-dir", runs],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        whole = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"ripcord apply failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
        run_dir = next(os.path.join(runs, d) for d in os.listdir(runs)
                       if os.path.isfile(os.path.join(runs, d, "journal.jsonl")))
        records = [json.loads(l) for l in open(os.path.join(run_dir, "journal.jsonl"))]
        times = [r["at"] for r in records if r["type"] in ("intent", "result")]
        failed = sum(1 for r in records if r["type"] == "result" and r.get("error"))
        log = proxy_log(proxy) if proxy else []
        return {"exec": fleet.seconds_between(times[0], times[-1]), "whole": whole,
                "steps": sum(1 for r in records if r["type"] == "intent"), "failed": failed,
                "requests": len(log), "throttled": sum(1 for e in log if e.get("fault") == "throttle"),
                "log": log, "retry_lines": sum(1 for l in done.stderr.splitlines() if "↻" in l)}
    finally:
        if proxy:
            proxy.stop()
        moto.stop()


def baseline(inventory, latency_ms, rules):
    moto = seeded_moto(latency_ms, inventory)
    proxy = fleet.Proxy(moto.url, rules)
    try:
        env = dict(os.environ, BASELINE_N=str(N), BASELINE_RECORDS=str(RECORDS))
        done = subprocess.run([PY, os.path.join(ROOT, "bench/fleet/baseline.py"), proxy.url],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            return {"failed": done.stderr.strip().splitlines()[-1:]}
        out = done.stdout.split()
        log = proxy_log(proxy)
        return {"time": float(out[0]), "calls": int(out[1]), "requests": len(log),
                "throttled": sum(1 for e in log if e.get("fault") == "throttle")}
    finally:
        proxy.stop()
        moto.stop()


def main():
    runbook, inventory = generate()
    runs = int(os.environ.get("BENCH_RUNS", "1"))
    rounds = []
    for _ in range(runs):
        base = baseline(inventory, LATENCY_MS, QUOTAS)
        live = ripcord(runbook, inventory, LATENCY_MS, QUOTAS)
        # Without latency and the proxy: moto's own time, but ripcord still paces itself at
        # AWS's rates, so this is an upper bound of moto's service time.
        service = ripcord(runbook, inventory, 0, None)
        rounds.append((base, live, service))
        print(f"round: baseline {base}, ripcord execution {live['exec']:.1f} s ({live['failed']} failed, "
              f"{live['throttled']} of {live['requests']} requests throttled), service {service['exec']:.1f} s",
              file=sys.stderr)
    live = rounds[0][1]
    exec_t = statistics.median(r[1]["exec"] for r in rounds)
    service_t = statistics.median(r[2]["exec"] for r in rounds)
    bound_q, which = quota_bound(live["log"])
    path = fleet.critical_path_of(runbook, inventory)
    bound = max(path * LATENCY_MS / 1000.0, bound_q, service_t)
    base = rounds[0][0]
    print(f"| 10x: {2 * N} groups, {RECORDS} records, {LATENCY_MS} ms per request, AWS's quotas enforced | {runs} round(s), {time.strftime('%Y-%m-%d')} |")
    print("|---|---|")
    if "failed" in base:
        print(f"| sequential boto3 baseline | failed: {base['failed']} |")
    else:
        print(f"| sequential boto3 baseline | {base['time']:.1f} s ({base['calls']} calls, {base['throttled']} of "
              f"{base['requests']} requests throttled) |")
    print(f"| ripcord apply, execution | {exec_t:.1f} s ({live['steps']} steps, {live['failed']} failed, "
          f"{live['throttled']} of {live['requests']} requests throttled, {live['retry_lines']} retry lines) |")
    print(f"| ripcord apply, whole command | {live['whole']:.1f} s |")
    print(f"| critical path x latency | {path} steps = {path * LATENCY_MS / 1000:.2f} s |")
    print(f"| quota-bound time ({which}) | {bound_q:.1f} s |")
    print(f"| ripcord straight to moto, no added latency, no enforced quotas (its own pacing at AWS's rates) | {service_t:.1f} s |")
    print(f"| execution / lower bound | {exec_t / bound:.2f}x |")


if __name__ == "__main__":
    main()
