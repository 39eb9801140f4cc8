#!/usr/bin/env bash
# Start-up cost: `vmctl vm list` against `virsh list --all` on each URI (default
# test:///default: libvirt's in-process test driver, so no daemon round trip),
# and `vmctl --version` against `virsh --version` (no connection at all), for
# the static binary Scripts/package.sh builds (--static-swift-stdlib, stripped)
# and the dynamically linked one (stripped too). Benchmarks/interleave.py runs
# every command once per round, in a random order each round, so load on a
# shared machine hits all rows alike; no shell, warm page cache (a fresh process
# each run, not dropped caches). Wall time: median and minimum, which shared
# machines disturb least; CPU time (user + system, median), which load disturbs
# less still; peak RSS: the median of each run's ru_maxrss.
# Prints a Markdown table.
# A benchmark, not a test: numbers vary by machine; compare the rows.
# The ratio columns are each row's median wall time and peak RSS over the virsh
# row of its group (the issue's goals: ≤1.2× wall, ≤1.5× RSS on an empty host).
# Usage: Benchmarks/startup.sh [runs] [URI…]
#   SCRATCH=DIR picks the build directory (default .build); the dynamic build goes
#   to DIR-dynamic, so neither build undoes the other. DYNAMIC=0 skips the
#   dynamic build and its rows (the static binary is the one that ships).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-60}
shift || true
uris=("${@:-test:///default}")
scratch=${SCRATCH:-.build}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dynamic=${DYNAMIC:-1}
# The same source built twice: the Swift runtime inside the binary (the command
# Scripts/package.sh ships), and as shared libraries.
Scripts/build-release.sh "$scratch" >/dev/null
install -m 0755 "$scratch/release/vmctl" "$work/vmctl-static"
strip --strip-all "$work/vmctl-static"
if [[ $dynamic == 1 ]]; then
  swift build -c release --product vmctl --scratch-path "$scratch-dynamic" >/dev/null
  install -m 0755 "$scratch-dynamic/release/vmctl" "$work/vmctl-dynamic"
  strip --strip-all "$work/vmctl-dynamic"
fi

names=()
commands=()
groups=() # index of each row's virsh row
add() { # name command baseline-index
  names+=("$1"); commands+=("$2"); groups+=("$3")
}
for uri in "${uris[@]}"; do
  base=${#names[@]}
  add "virsh -r -c $uri list --all" "virsh -r -c $uri list --all" "$base"
  add "vmctl vm list -c $uri (static)" "$work/vmctl-static vm list -c $uri" "$base"
  [[ $dynamic == 1 ]] && add "vmctl vm list -c $uri (dynamic)" "$work/vmctl-dynamic vm list -c $uri" "$base"
done
base=${#names[@]}
add "virsh --version" "virsh --version" "$base"
add "vmctl --version (static)" "$work/vmctl-static --version" "$base"
[[ $dynamic == 1 ]] && add "vmctl --version (dynamic)" "$work/vmctl-dynamic --version" "$base"
printf '%s\n' "${groups[@]}" >"$work/groups"
# Each must work before it is timed.
for command in "${commands[@]}"; do $command >/dev/null; done

load_before=$(cut -d' ' -f1 /proc/loadavg)
specs=()
for i in "${!commands[@]}"; do
  [[ $i -gt 0 ]] && specs+=(";;")
  read -ra words <<<"${commands[$i]}"
  specs+=("${names[$i]}" -- "${words[@]}")
done
python3 Benchmarks/interleave.py "$runs" 3 "$work/times.json" "${specs[@]}"

dynamic_size=0
[[ $dynamic == 1 ]] && dynamic_size=$(stat -c %s "$work/vmctl-dynamic")
python3 - "$work" "$(stat -c %s "$work/vmctl-static")" "$dynamic_size" "$(stat -L -c %s "$(command -v virsh)")" "$load_before" <<'EOF'
import json, os, statistics, sys
work, static_size, dynamic_size, virsh_size, load_before = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5]
results = json.load(open(f"{work}/times.json"))["results"]
groups = [int(line) for line in open(f"{work}/groups")]
rss = [statistics.median(result["rss_kib"]) for result in results]
for result in results:
    times = result["times"]
    result.update(median=statistics.median(times), min=min(times), mean=statistics.mean(times), stddev=statistics.stdev(times),
                  cpu_median=statistics.median(result["cpu"]))
sizes = f"vmctl static {static_size / 2**20:.1f} MiB"
if dynamic_size:
    sizes += f", dynamic {dynamic_size / 2**20:.1f} MiB (plus the Swift runtime's shared libraries)"
print(f"{len(results[0]['times'])} runs each, load average {load_before} before, {os.getloadavg()[0]:.1f} at the end; "
      f"binary sizes: {sizes}, virsh {virsh_size / 2**10:.0f} KiB")
print()
print("| command | median ms | min ms | mean ms | σ ms | CPU ms | peak RSS MiB | wall / virsh | CPU / virsh | RSS / virsh |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for i, result in enumerate(results):
    base = results[groups[i]]
    print(f"| `{result['command']}` | {result['median'] * 1000:.1f} | {result['min'] * 1000:.1f} | "
          f"{result['mean'] * 1000:.1f} | {result['stddev'] * 1000:.1f} | {result['cpu_median'] * 1000:.1f} | "
          f"{rss[i] / 1024:.1f} | {result['median'] / base['median']:.2f} | "
          f"{result['cpu_median'] / base['cpu_median']:.2f} | {rss[i] / rss[groups[i]]:.2f} |")
EOF
