#!/usr/bin/env bash
# Lists 1,000 domains (name, UUID, state) from one test-driver node file three
# ways — the Swift binding, libvirt-python and `virsh list --all` — each as a
# fresh process, alternating, and prints median wall times and ratios.
# A benchmark, not a test: numbers vary by machine; compare the ratios.
# Usage: Benchmarks/list-domains.sh [domains] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
domains=${1:-1000}
rounds=${2:-15}

swift build -c release --product bench-list-domains >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/make_node.py "$domains" >"$work/node.xml"
uri="test://$work/node.xml"

swift_cmd=(.build/release/bench-list-domains "$uri")
# libvirt-python comes from Debian (python3-libvirt), so use Debian's interpreter.
python_cmd=(/usr/bin/python3 Benchmarks/list_domains.py "$uri")
virsh_cmd=(virsh -r -c "$uri" list --all)

# Each tool must really list every domain.
for tool in swift python virsh; do
  declare -n cmd="${tool}_cmd"
  lines=$("${cmd[@]}" | grep -c "bench-" || true)
  [[ $lines -eq $domains ]] || { echo "$tool listed $lines of $domains domains" >&2; exit 1; }
done

python3 - "$rounds" "$work" "${#swift_cmd[@]}" "${swift_cmd[@]}" "${#python_cmd[@]}" "${python_cmd[@]}" "${#virsh_cmd[@]}" "${virsh_cmd[@]}" <<'PY'
import statistics, subprocess, sys, time
rounds = int(sys.argv[1]); args = sys.argv[3:]
cmds = {}
for name in ("swift", "libvirt-python", "virsh list --all"):
    n = int(args[0]); cmds[name] = args[1:1 + n]; args = args[1 + n:]
times = {name: [] for name in cmds}
for _ in range(rounds):
    for name, cmd in cmds.items():  # alternate, so drift hits all three alike
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
base = statistics.median(times["swift"])
print(f"{'tool':<18} {'median ms':>10} {'ratio to swift':>15}")
for name, values in times.items():
    median = statistics.median(values)
    print(f"{name:<18} {median * 1000:>10.1f} {median / base:>15.2f}")
PY
