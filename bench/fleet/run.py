#!/usr/bin/env python3
"""The live benchmark (README, "Performance"): the fleet failover against moto with added
latency, ripcord next to the source document's sequential boto3 failover.

Run through bench/fleet/run. Each side gets a fresh, freshly seeded moto. Reports, as a
Markdown table of medians over BENCH_RUNS rounds (default 3): the baseline's time and calls,
ripcord's execution time (first request to last answer, from the run journal), its capture
(its own time and HTTP requests, from apply's `captured N region(s) in X s (R requests)`)
and whole `apply` time (with STS, capture and dry-run), their ratio, and the lower bound
max(critical path x latency, moto's own service time for ripcord's calls, measured with no
added latency). Then the same failover through the fault proxy (tests/moto/faultproxy.py),
once with nothing faulted (the proxy's own cost) and once with
us-east-1 down: every connection signed for us-east-1 refused, Route 53 (signed for
us-east-1 too) answering, as in a regional outage that spares the global control plane.
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

# us-east-1 down but Route 53: the first matching rule decides.
EAST_DOWN = [{"service": "route53", "fault": "pass"}, {"region": "us-east-1", "fault": "refuse"}]


class Moto:
    def __init__(self, latency_ms):
        self.proc = subprocess.Popen(
            [PY, "tests/moto/launch.py", "--port", "0", "--latency-ms", str(latency_ms)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            sys.exit(f"moto did not start: {line!r}")
        self.url = line.split()[1]
        subprocess.run([PY, "tests/moto/seed.py", "--endpoint", self.url, INVENTORY], cwd=ROOT, check=True)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


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


def baseline(latency_ms):
    moto = Moto(latency_ms)
    try:
        out = subprocess.run([PY, os.path.join(ROOT, "bench/fleet/baseline.py"), moto.url],
                             capture_output=True, text=True, check=True).stdout.split()
        return float(out[0]), int(out[1])
    finally:
        moto.stop()


def ripcord(latency_ms, rules=None):
    """One `apply` of the fleet failover against a fresh moto, through the fault proxy with
    `rules` when given: execution time, whole time, steps, capture time, capture requests,
    and the lines saying what was not captured."""
    moto = Moto(latency_ms)
    proxy = Proxy(moto.url, rules) if rules is not None else None
    runs = tempfile.mkdtemp()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=proxy.url if proxy else moto.url,
               RIPCORD_POLL_MS="50", NO_COLOR="1")
    try:
        start = time.perf_counter()
        done = subprocess.run([RIPCORD, "apply", RUNBOOK, "--yes", "--approve-gates", "--runs-dir", runs],
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
        return {"exec": seconds_between(times[0], times[-1]), "whole": whole, "steps": requests,
                "capture": float(captured.group(2)), "capture_requests": int(captured.group(3)),
                "silent": silent}
    finally:
        if proxy:
            proxy.stop()
        moto.stop()


def seconds_between(a, b):
    from datetime import datetime
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


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
    # each figure is the median of RUNS rounds (baseline, ripcord, ripcord without latency,
    # ripcord through the proxy, ripcord with us-east-1 down).
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    rounds = []
    for _ in range(runs):
        base_t, base_calls = baseline(latency)
        live = ripcord(latency)
        service = ripcord(0)
        proxied = ripcord(latency, [])
        down = ripcord(latency, EAST_DOWN)
        if not down["silent"] or any("us-east-1" not in l for l in down["silent"]):
            sys.exit(f"the run with us-east-1 down did not say so: {down['silent']}")
        rounds.append((base_t, live, service["exec"], proxied, down))
        print(f"round: baseline {base_t:.2f} s, execution {live['exec']:.2f} s, whole {live['whole']:.2f} s, "
              f"capture {live['capture']:.2f} s ({live['capture_requests']} requests), "
              f"service {service['exec']:.2f} s; through the proxy: whole {proxied['whole']:.2f} s, "
              f"capture {proxied['capture']:.2f} s; us-east-1 down: whole {down['whole']:.2f} s, "
              f"capture {down['capture']:.2f} s ({down['capture_requests']} requests), "
              f"execution {down['exec']:.2f} s", file=sys.stderr)

    def median(pick):
        return statistics.median(pick(r) for r in rounds)

    base_t = median(lambda r: r[0])
    exec_t, whole_t = median(lambda r: r[1]["exec"]), median(lambda r: r[1]["whole"])
    capture_t = median(lambda r: r[1]["capture"])
    capture_requests = median(lambda r: r[1]["capture_requests"])
    requests = rounds[0][1]["steps"]
    service_t = median(lambda r: r[2])
    proxied = {k: median(lambda r, k=k: r[3][k]) for k in ("exec", "whole", "capture", "capture_requests")}
    down = {k: median(lambda r, k=k: r[4][k]) for k in ("exec", "whole", "capture", "capture_requests")}
    down_steps = rounds[0][4]["steps"]
    path = critical_path()
    bound = max(path * latency / 1000.0, service_t)
    print(f"| latency per request | {latency} ms (medians of {runs} runs) |")
    print("|---|---|")
    print(f"| sequential boto3 baseline | {base_t:.2f} s ({base_calls} calls) |")
    print(f"| ripcord apply, execution (journal: first request to last answer) | {exec_t:.2f} s ({requests} steps) |")
    print(f"| ripcord apply, its capture (both regions and the global parts, at once) | {capture_t:.2f} s ({capture_requests:.0f} HTTP requests) |")
    print(f"| ripcord apply, whole command (STS, capture, dry-run, execution) | {whole_t:.2f} s |")
    print(f"| speed-up of the execution over the baseline | {base_t / exec_t:.1f}x |")
    print(f"| critical path | {path} steps = {path * latency} ms at {latency} ms |")
    print(f"| moto's own service time for ripcord's requests (no added latency) | {service_t:.2f} s |")
    print(f"| lower bound = max(critical path x latency, service time) | {bound:.2f} s |")
    print(f"| execution / lower bound | {exec_t / bound:.2f}x |")
    print(f"| through the fault proxy, nothing faulted: whole command / capture / execution | "
          f"{proxied['whole']:.2f} s / {proxied['capture']:.2f} s ({proxied['capture_requests']:.0f} requests) / "
          f"{proxied['exec']:.2f} s |")
    print(f"| us-east-1 down (connections refused, Route 53 answering): whole command / capture / execution | "
          f"{down['whole']:.2f} s / {down['capture']:.2f} s ({down['capture_requests']:.0f} requests) / "
          f"{down['exec']:.2f} s ({down_steps} steps) |")


if __name__ == "__main__":
    main()
