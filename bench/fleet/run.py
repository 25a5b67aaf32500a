#!/usr/bin/env python3
"""The live benchmark (README, "Performance"): the fleet failover against moto with added
latency, ripcord next to the source document's sequential boto3 failover.

Run through bench/fleet/run. Each side gets a fresh, freshly seeded moto. Reports, as a
Markdown table of medians over BENCH_RUNS rounds (default 3): the baseline's time and calls,
ripcord's execution time (first request to last answer, from the run journal) and whole
`apply` time (with its capture and dry-run), their ratio, and the lower bound
max(critical path x latency, moto's own service time for ripcord's calls, measured with no
added latency).
"""
import json
import os
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


def baseline(latency_ms):
    moto = Moto(latency_ms)
    try:
        out = subprocess.run([PY, os.path.join(ROOT, "bench/fleet/baseline.py"), moto.url],
                             capture_output=True, text=True, check=True).stdout.split()
        return float(out[0]), int(out[1])
    finally:
        moto.stop()


def ripcord(latency_ms):
    moto = Moto(latency_ms)
    runs = tempfile.mkdtemp()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=moto.url, RIPCORD_POLL_MS="50",
               NO_COLOR="1")
    try:
        start = time.perf_counter()
        done = subprocess.run([RIPCORD, "apply", RUNBOOK, "--yes", "--auto-approve", "--runs-dir", runs],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        whole = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"ripcord apply failed:\n{done.stdout}\n{done.stderr}")
        run_dir = os.path.join(runs, os.listdir(runs)[0])
        records = [json.loads(l) for l in open(os.path.join(run_dir, "journal.jsonl"))]
        times = [r["at"] for r in records if r["type"] in ("intent", "result")]
        requests = sum(1 for r in records if r["type"] == "intent")
        return seconds_between(times[0], times[-1]), whole, requests
    finally:
        moto.stop()


def seconds_between(a, b):
    from datetime import datetime
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


def critical_path():
    """Steps on the longest sequential chain of the plan (a parallel group counts its longest branch)."""
    plan = json.loads(subprocess.run([RIPCORD, "plan", RUNBOOK, "--inventory", INVENTORY, "-f", "json"],
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
    # each figure is the median of RUNS rounds (baseline, ripcord, ripcord without latency).
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    rounds = []
    for _ in range(runs):
        base_t, base_calls = baseline(latency)
        exec_t, whole_t, requests = ripcord(latency)
        service_t, _, _ = ripcord(0)
        rounds.append((base_t, exec_t, whole_t, service_t))
        print(f"round: baseline {base_t:.2f} s, execution {exec_t:.2f} s, whole {whole_t:.2f} s, "
              f"service {service_t:.2f} s", file=sys.stderr)
    base_t, exec_t, whole_t, service_t = (statistics.median(r[i] for r in rounds) for i in range(4))
    path = critical_path()
    bound = max(path * latency / 1000.0, service_t)
    print(f"| latency per request | {latency} ms (medians of {runs} runs) |")
    print("|---|---|")
    print(f"| sequential boto3 baseline | {base_t:.2f} s ({base_calls} calls) |")
    print(f"| ripcord apply, execution (journal: first request to last answer) | {exec_t:.2f} s ({requests} steps) |")
    print(f"| ripcord apply, whole command (STS, capture, dry-run, execution) | {whole_t:.2f} s |")
    print(f"| speed-up of the execution over the baseline | {base_t / exec_t:.1f}x |")
    print(f"| critical path | {path} steps = {path * latency} ms at {latency} ms |")
    print(f"| moto's own service time for ripcord's requests (no added latency) | {service_t:.2f} s |")
    print(f"| lower bound = max(critical path x latency, service time) | {bound:.2f} s |")
    print(f"| execution / lower bound | {exec_t / bound:.2f}x |")


if __name__ == "__main__":
    main()
