"""Runs commands alternately for N rounds and prints median wall times and ratios.

Usage: median.py ROUNDS NAME -- CMD... ;; NAME -- CMD... [;; ...]
The first command is the baseline the ratios are relative to. Each command is a
fresh process, so start-up cost counts, as it does for a person at a shell.
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import commandspecs  # noqa: E402

rounds = int(sys.argv[1])
specs = commandspecs.parse(sys.argv[2:])

times = {name: [] for name, _ in specs}
for _ in range(rounds):
    for name, cmd in specs:  # alternate, so drift hits every command alike
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit(f"{name} failed (exit {done.returncode}): {done.stderr.strip()}")
        times[name].append(time.perf_counter() - start)

base = statistics.median(times[specs[0][0]])
width = max(len(name) for name, _ in specs) + 2
print(f"{'command':<{width}} {'median ms':>10} {'ratio':>8}")
for name, _ in specs:
    median = statistics.median(times[name])
    print(f"{name:<{width}} {median * 1000:>10.1f} {median / base:>8.2f}")
