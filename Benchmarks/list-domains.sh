#!/usr/bin/env bash
# Lists 1,000 domains (name, UUID, state) from one test-driver node file three
# ways — the Swift binding, libvirt-python and `virsh list --all` — each as a
# fresh process, alternating, and prints median wall times and ratios. A fourth
# row times `vmctl vm list --output json` (which also reads metadata and
# addresses per domain) against the same node.
# A benchmark, not a test: numbers vary by machine; compare the ratios.
# Usage: Benchmarks/list-domains.sh [domains] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
domains=${1:-1000}
rounds=${2:-15}

swift build -c release --product bench-list-domains >/dev/null
swift build -c release --product vmctl >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/make_node.py "$domains" >"$work/node.xml"
uri="test://$work/node.xml"

swift_cmd=(.build/release/bench-list-domains "$uri")
# libvirt-python comes from Debian (python3-libvirt), so use Debian's interpreter.
python_cmd=(/usr/bin/python3 Benchmarks/list_domains.py "$uri")
virsh_cmd=(virsh -r -c "$uri" list --all)
vmctl_cmd=(.build/release/vmctl vm list --connect "$uri" --output json)

# Each tool must really list every domain.
for tool in swift python virsh vmctl; do
  declare -n cmd="${tool}_cmd"
  lines=$("${cmd[@]}" | grep -c "bench-" || true)
  [[ $lines -eq $domains ]] || { echo "$tool listed $lines of $domains domains" >&2; exit 1; }
done

python3 Benchmarks/median.py "$rounds" \
  "swift binding" -- "${swift_cmd[@]}" ";;" \
  "libvirt-python" -- "${python_cmd[@]}" ";;" \
  "virsh list --all" -- "${virsh_cmd[@]}" ";;" \
  "vmctl vm list -o json" -- "${vmctl_cmd[@]}"
