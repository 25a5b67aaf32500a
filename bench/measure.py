#!/usr/bin/env python3
"""Runs a command N times; reports median and max wall time and the peak RSS of the runs.

Usage: measure.py N LABEL -- COMMAND...   (prints one Markdown table row)
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def main():
    runs, label = int(sys.argv[1]), sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.execvp(command[0], command)
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{label}: {' '.join(command)} failed with {status}")
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    print(f"| {label} | {runs} | {statistics.median(times) * 1000:.1f} ms "
          f"| {max(times) * 1000:.1f} ms | {max(peaks):.1f} MiB |")


if __name__ == "__main__":
    main()
