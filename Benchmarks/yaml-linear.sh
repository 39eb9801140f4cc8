#!/usr/bin/env bash
# YAML reading is linear in the text's size: `vmctl lab validate --offline` of a
# plan whose `x-blob` key holds one double-quoted string of 1, 2 and 4 MiB (with
# escapes), median of a few runs each. The plan is otherwise tiny, so the time
# is start-up plus reading the YAML. A benchmark, not a test: compare the rows.
# Usage: Benchmarks/yaml-linear.sh VMCTL [runs] [MiB…]   (VMCTL: the binary to time)
set -euo pipefail
vmctl=$1
runs=${2:-3}
shift 2 || shift $#
sizes=("${@:-1 2 4}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mib in ${sizes[@]}; do
  python3 - "$work/plan-$mib.yaml" "$mib" <<'PY'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
piece = 'ab cd ef \\" '  # 12 characters, one escape
with open(path, 'w') as f:
    f.write('lab: big\nx-blob: "' + piece * (mib * 2**20 // len(piece)) + '"\nnodes:\n  - {name: a, image: i}\n')
PY
  python3 - "$vmctl" "$work/plan-$mib.yaml" "$runs" "$mib" <<'PY'
import statistics, subprocess, sys, time
vmctl, plan, runs, mib = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
times = []
for _ in range(runs):
    start = time.monotonic()
    subprocess.run([vmctl, "lab", "validate", "--offline", plan], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.monotonic() - start)
print(f"{mib} MiB: median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms ({runs} runs)")
PY
done
