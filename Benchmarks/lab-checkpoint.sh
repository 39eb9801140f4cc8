#!/usr/bin/env bash
# `vmctl lab checkpoint` and `vmctl lab revert` of a test-guest lab against
# snapshotting and reverting its VMs one after another with virsh, as kcli's
# `create plan-snapshot` / `revert plan-snapshot` do (kvirt/config.py loops over
# the plan's VMs), side by side in one run, alternating, for ROUNDS rounds.
# Both sides take the same kind of snapshot (libvirt internal, memory + disks)
# of the same running VMs. Prints medians: wall time, how long guests were
# paused, and how far apart the VMs were saved (the skew: for vmctl, how long
# after the first pause the last node was paused; for the loop, from the start
# of the first VM's snapshot to the start of the last one's, during which the
# VMs not yet saved run on).
# Usage: [VMCTL=PATH] Benchmarks/lab-checkpoint.sh [nodes] [rounds]   (default: 4 5)
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-4}
rounds=${2:-5}
if [[ -z ${VMCTL:-} ]]; then
  swift build -c release --product vmctl >/dev/null
  VMCTL=$PWD/.build/release/vmctl
fi
Scripts/build-test-image.sh /var/lib/vmctl/test-image >/dev/null
export LIBVIRT_DEFAULT_URI=qemu:///system
vmctl=$VMCTL
image=/var/lib/vmctl/test-image
work=/var/lib/vmctl/bench-checkpoint
plan=$work/plan.yaml
lab=vmctl-bench-ckpt

now() { date +%s.%N; }
cleanup() {
  [[ -f $plan ]] && $vmctl lab down "$plan" -q >/dev/null 2>&1 || true
  virsh -q pool-destroy $lab-pool >/dev/null 2>&1 || true
  virsh -q pool-undefine $lab-pool >/dev/null 2>&1 || true
  rm -rf "$work"
}
cleanup
trap cleanup EXIT
mkdir -p "$work"
cat >"$plan" <<YAML
lab: $lab
wait: address
workers: 8
serial_dir: $work/serial
pools: [{name: $lab-pool, target: $work/pool}]
images: [{name: base.qcow2, pool: $lab-pool, path: $image/base.qcow2}]
networks: [{name: mgmt, mode: nat, subnet: 10.252.77.0/24}]
defaults: {image: base.qcow2, memory: 160M, kernel: $image/vmlinuz, initrd: $image/initrd.img, cmdline: console=ttyS0 quiet}
nodes: [{name: node, count: $nodes, networks: [mgmt]}]
YAML
$vmctl lab up "$plan" -q >/dev/null
domains=$(for i in $(seq 1 "$nodes"); do echo "$lab-node$i"; done)

results=$work/results
: >"$results"
for round in $(seq 1 "$rounds"); do
  # vmctl: one checkpoint of the whole lab, then a revert to it.
  start=$(now)
  $vmctl lab checkpoint "$plan" r$round --output json -q >"$work/c.json"
  end=$(now)
  python3 - "$start" "$end" "$work/c.json" >>"$results" <<'PY'
import json, sys
start, end, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
c = json.load(open(path))
paused = [n["resumed"] - n["paused"] for n in c["nodes"]]
skew = max(n["paused"] for n in c["nodes"]) - min(n["pauseRequested"] for n in c["nodes"])
print(f"vmctl checkpoint {end - start:.3f} {max(paused):.3f} {skew:.3f}")
PY
  start=$(now)
  $vmctl lab revert "$plan" r$round -q >/dev/null
  echo "vmctl revert $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') - -" >>"$results"
  $vmctl lab checkpoint "$plan" r$round --delete -q >/dev/null

  # kcli's way: each VM in turn (virsh pauses each VM only while its own snapshot is written).
  start=$(now)
  longest=0
  first_start=""
  last_start=""
  for d in $domains; do
    t0=$(now)
    [[ -z $first_start ]] && first_start=$t0
    last_start=$t0
    virsh -q snapshot-create-as "$d" v$round >/dev/null
    longest=$(awk -v a="$t0" -v b="$(now)" -v l="$longest" 'BEGIN { d = b - a; printf "%.3f", (d > l ? d : l) }')
  done
  end=$(now)
  echo "virsh checkpoint $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') $longest $(awk -v a="$first_start" -v b="$last_start" 'BEGIN { printf "%.3f", b - a }')" >>"$results"
  start=$(now)
  for d in $domains; do virsh -q snapshot-revert "$d" v$round --running >/dev/null; done
  echo "virsh revert $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') - -" >>"$results"
  for d in $domains; do virsh -q snapshot-delete "$d" v$round >/dev/null; done
done

python3 - "$results" "$nodes" "$rounds" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def med(tool, op, col):
    values = [float(r[col]) for r in rows if r[0] == tool and r[1] == op and r[col] != "-"]
    return statistics.median(values) if values else None
print(f"{sys.argv[2]} busybox nodes, 160 MiB each, median of {sys.argv[3]} rounds (seconds)")
print(f"{'':22} {'vmctl lab':>10} {'virsh loop':>11} {'ratio':>6}")
for op in ("checkpoint", "revert"):
    v, k = med("vmctl", op, 2), med("virsh", op, 2)
    print(f"{op + ' wall':22} {v:10.3f} {k:11.3f} {v / k:6.2f}")
print(f"{'longest guest pause':22} {med('vmctl', 'checkpoint', 3):10.3f} {med('virsh', 'checkpoint', 3):11.3f}")
print(f"{'save skew':22} {med('vmctl', 'checkpoint', 4):10.3f} {med('virsh', 'checkpoint', 4):11.3f}")
PY
