#!/usr/bin/env bash
# Start-up cost: `vmctl vm list` against `virsh list --all` on each URI (default
# test:///default: libvirt's in-process test driver, so no daemon round trip),
# and `vmctl --version` against `virsh --version` (no connection at all), for
# the static binary Scripts/package.sh builds (--static-swift-stdlib, stripped)
# and the dynamically linked one (stripped too). Wall time from hyperfine (no
# shell, warm cache; median and minimum, which shared machines disturb least),
# peak RSS from GNU time (median of 10 runs); prints a Markdown table.
# A benchmark, not a test: numbers vary by machine; compare the rows.
# Usage: Benchmarks/startup.sh [runs] [URI…]
#   SCRATCH=DIR picks the build directory (default .build); the dynamic build goes
#   to DIR-dynamic, so neither build undoes the other.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
shift || true
uris=("${@:-test:///default}")
scratch=${SCRATCH:-.build}
command -v hyperfine >/dev/null || { echo "startup: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "startup: needs GNU time (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same source built twice: the Swift runtime inside the binary, and as shared libraries.
swift build -c release --product vmctl --scratch-path "$scratch-dynamic" >/dev/null
install -m 0755 "$scratch-dynamic/release/vmctl" "$work/vmctl-dynamic"
swift build -c release --product vmctl --static-swift-stdlib --scratch-path "$scratch" >/dev/null
install -m 0755 "$scratch/release/vmctl" "$work/vmctl-static"
strip --strip-all "$work/vmctl-static" "$work/vmctl-dynamic"

names=()
commands=()
for uri in "${uris[@]}"; do
  names+=("virsh -r -c $uri list --all" "vmctl vm list -c $uri (static)" "vmctl vm list -c $uri (dynamic)")
  commands+=("virsh -r -c $uri list --all" "$work/vmctl-static vm list -c $uri" "$work/vmctl-dynamic vm list -c $uri")
done
names+=("virsh --version" "vmctl --version (static)" "vmctl --version (dynamic)")
commands+=("virsh --version" "$work/vmctl-static --version" "$work/vmctl-dynamic --version")
# Each must work before it is timed.
for command in "${commands[@]}"; do $command >/dev/null; done

hyperfine_args=(-N --warmup 3 --runs "$runs" --export-json "$work/times.json")
for i in "${!commands[@]}"; do hyperfine_args+=(--command-name "${names[$i]}" "${commands[$i]}"); done
hyperfine "${hyperfine_args[@]}" >/dev/null 2>&1

# Peak RSS in KiB, one line per run.
for i in "${!commands[@]}"; do
  for ((run = 0; run < 10; run++)); do
    /usr/bin/time -f %M -o "$work/rss" ${commands[$i]} >/dev/null
    cat "$work/rss" >>"$work/rss-$i"
  done
done

python3 - "$work" "$(stat -c %s "$work/vmctl-static")" "$(stat -c %s "$work/vmctl-dynamic")" "$(stat -L -c %s "$(command -v virsh)")" <<'EOF'
import json, os, statistics, sys
work, static_size, dynamic_size, virsh_size = sys.argv[1], *map(int, sys.argv[2:])
results = json.load(open(f"{work}/times.json"))["results"]
print(f"{len(results[0]['times'])} runs each, load average {os.getloadavg()[0]:.1f} at the end; binary sizes: "
      f"vmctl static {static_size / 2**20:.1f} MiB, dynamic {dynamic_size / 2**20:.1f} MiB "
      f"(plus the Swift runtime's shared libraries), virsh {virsh_size / 2**10:.0f} KiB")
print()
print("| command | median ms | min ms | mean ms | σ ms | peak RSS MiB |")
print("| --- | --- | --- | --- | --- | --- |")
for i, result in enumerate(results):
    rss = statistics.median(int(line) for line in open(f"{work}/rss-{i}"))
    print(f"| `{result['command']}` | {result['median'] * 1000:.1f} | {result['min'] * 1000:.1f} | "
          f"{result['mean'] * 1000:.1f} | {result['stddev'] * 1000:.1f} | {rss / 1024:.1f} |")
EOF
