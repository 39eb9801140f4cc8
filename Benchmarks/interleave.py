"""Times commands interleaved: every round runs each command once, in a fresh
random order, so load that comes and goes on a shared machine hits all of them
alike (hyperfine runs one command's runs back to back). Each run is a fresh
process started without a shell; its wall time is taken around spawn and wait,
its CPU time (user + system) and peak RSS are the kernel's ru_utime + ru_stime
and ru_maxrss for that child (os.wait4). CPU time is what load on the machine
disturbs least.

Usage: interleave.py ROUNDS WARMUP OUT.json NAME -- CMD... [;; NAME -- CMD...]
Writes {"results": [{"command": NAME, "times": [s...], "cpu": [s...], "rss_kib": [...]}]}.
With OUT.json given as -, prints a Markdown table instead: medians, minimum,
and each row's ratios to the first row (the baseline).
Output goes to /dev/null; if any run fails, it exits non-zero with the command's stderr.
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import commandspecs  # noqa: E402
import time

rounds, warmup, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
specs = commandspecs.parse(sys.argv[4:])

devnull = os.open(os.devnull, os.O_RDWR)


def run(name, cmd):
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        again = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        sys.exit(f"{name} failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}: {again.stderr.strip()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


for _ in range(warmup):
    for name, cmd in specs:
        run(name, cmd)
results = [{"command": name, "times": [], "cpu": [], "rss_kib": []} for name, _ in specs]
order = list(range(len(specs)))
for _ in range(rounds):
    random.shuffle(order)
    for i in order:
        elapsed, cpu, rss = run(*specs[i])
        results[i]["times"].append(elapsed)
        results[i]["cpu"].append(cpu)
        results[i]["rss_kib"].append(rss)
if out != "-":
    json.dump({"results": results}, open(out, "w"))
    sys.exit()
import statistics
base = results[0]
med = lambda r, key: statistics.median(r[key])
print(f"{rounds} rounds, load average {os.getloadavg()[0]:.1f} at the end")
print()
print("| command | median ms | min ms | CPU ms | peak RSS MiB | wall ratio | CPU ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in results:
    print(f"| {r['command']} | {med(r, 'times') * 1000:.1f} | {min(r['times']) * 1000:.1f} | {med(r, 'cpu') * 1000:.1f} | "
          f"{med(r, 'rss_kib') / 1024:.1f} | {med(r, 'times') / med(base, 'times'):.2f} | {med(r, 'cpu') / med(base, 'cpu'):.2f} |")
