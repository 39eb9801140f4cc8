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
# With `cloud`, the nodes are real Debian 12 guests (Scripts/build-cloud-image.sh,
# 512 MiB) and each revert is also timed until `ansible all -m ping` with vmctl's
# inventory reaches every node again ("until Ansible").
# Usage: [VMCTL=PATH] Benchmarks/lab-checkpoint.sh [nodes] [rounds] [busybox|cloud]   (default: 4 5 busybox)
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-4}
rounds=${2:-5}
guest=${3:-busybox}
[[ $guest == busybox || $guest == cloud ]] || { echo "lab-checkpoint: guest must be busybox or cloud, not '$guest'" >&2; exit 2; }
if [[ -z ${VMCTL:-} ]]; then
  swift build -c release --product vmctl >/dev/null
  VMCTL=$PWD/.build/release/vmctl
fi
export LIBVIRT_DEFAULT_URI=qemu:///system
vmctl=$VMCTL
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
if [[ $guest == busybox ]]; then
  image=/var/lib/vmctl/test-image
  Scripts/build-test-image.sh "$image" >/dev/null
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
else
  image=/var/lib/vmctl/cloud-image/debian-12.qcow2
  Scripts/build-cloud-image.sh "$(dirname "$image")" >/dev/null
  key=$work/id_ed25519
  ssh-keygen -q -t ed25519 -N '' -C vmctl-bench -f "$key"
  cat >"$plan" <<YAML
lab: $lab
workers: 8
ready_timeout: 1800
login: {user: debian, private_key: $key}
serial_dir: $work/serial
pools: [{name: $lab-pool, target: $work/pool}]
images: [{name: debian-12.qcow2, pool: $lab-pool, path: $image}]
networks: [{name: mgmt, mode: nat, subnet: 10.252.77.0/24}]
defaults: {image: debian-12.qcow2, memory: 512M, cloud_init: {ssh_keys: ['$(cat "$key.pub")']}}
nodes: [{name: node, count: $nodes, networks: [mgmt]}]
YAML
fi
$vmctl lab up "$plan" -q >/dev/null
[[ $guest == cloud ]] && $vmctl lab inventory "$plan" >"$work/inventory"
# Seconds from START until Ansible reaches every node (cloud only; "-" otherwise), bounded.
until_ansible() {
  [[ $guest == cloud ]] || { echo -; return; }
  local deadline=$((SECONDS + 600))
  until ANSIBLE_NOCOLOR=1 timeout 300 ansible all -i "$work/inventory" -m ping -o >"$work/ping.log" 2>&1; do
    ((SECONDS < deadline)) || { echo "lab-checkpoint: Ansible did not reach every node within 600 s" >&2; exit 1; }
    sleep 1
  done
  awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}
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
slowest = max(n["snapshotSeconds"] for n in c["nodes"])
print(f"vmctl checkpoint {end - start:.3f} {max(paused):.3f} {skew:.3f} {slowest:.3f}")
PY
  start=$(now)
  $vmctl lab revert "$plan" r$round --output json -q >"$work/r.json"
  wall=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
  # Column 3: until every node was reverted (before the resume and the wait for SSH).
  reverted=$(python3 -c 'import json, sys; print("%.3f" % json.load(open(sys.argv[1]))["revertedSeconds"])' "$work/r.json")
  echo "vmctl revert $wall $reverted - $(until_ansible "$start")" >>"$results"
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
  longest=0
  for d in $domains; do
    t0=$(now)
    virsh -q snapshot-revert "$d" v$round --running >/dev/null
    longest=$(awk -v a="$t0" -v b="$(now)" -v l="$longest" 'BEGIN { d = b - a; printf "%.3f", (d > l ? d : l) }')
  done
  wall=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
  echo "virsh revert $wall $longest - $(until_ansible "$start")" >>"$results"
  for d in $domains; do virsh -q snapshot-delete "$d" v$round >/dev/null; done
done

python3 - "$results" "$nodes" "$rounds" "$guest" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def med(tool, op, col):
    values = [float(r[col]) for r in rows if r[0] == tool and r[1] == op and len(r) > col and r[col] != "-"]
    return statistics.median(values) if values else None
kind = "busybox nodes, 160 MiB" if sys.argv[4] == "busybox" else "real Debian 12 guests, 512 MiB"
print(f"{sys.argv[2]} {kind} each, median of {sys.argv[3]} rounds (seconds)")
print(f"{'':22} {'vmctl lab':>10} {'virsh loop':>11} {'ratio':>6}")
for op in ("checkpoint", "revert"):
    v, k = med("vmctl", op, 2), med("virsh", op, 2)
    print(f"{op + ' wall':22} {v:10.3f} {k:11.3f} {v / k:6.2f}")
print(f"{'longest guest pause':22} {med('vmctl', 'checkpoint', 3):10.3f} {med('virsh', 'checkpoint', 3):11.3f}")
print(f"{'save skew':22} {med('vmctl', 'checkpoint', 4):10.3f} {med('virsh', 'checkpoint', 4):11.3f}")
# The goal's measure: the whole lab against the slowest single node's own
# snapshot (virsh snapshot-create-as) or revert (snapshot-revert --running).
cs, rs = med("virsh", "checkpoint", 3), med("virsh", "revert", 3)
print(f"{'slowest single node':22} {'':10} {'':11}   checkpoint {cs:.3f} (in the lab's own: {med('vmctl', 'checkpoint', 5):.3f}), revert {rs:.3f}")
print(f"{'lab / slowest node':22} {'':10} {'':11}   checkpoint {med('vmctl', 'checkpoint', 2) / cs:.2f}, "
      f"revert (every node reverted) {med('vmctl', 'revert', 3) / rs:.2f}")
if sys.argv[4] == "cloud":
    v, k = med("vmctl", "revert", 5), med("virsh", "revert", 5)
    print(f"{'revert until Ansible':22} {v:10.3f} {k:11.3f} {v / k:6.2f}")
PY
