#!/usr/bin/env bash
# `vmctl vm clone --linked` against the bare qcow2 overlay libvirt makes with
#   virsh vol-create-as POOL NAME SIZE --format qcow2 --backing-vol BASE --backing-vol-format qcow2
# on the same shut-off source whose disk holds 1 GiB, then 8 GiB, of written
# data. A third row does by hand with virsh what --linked does: an overlay for
# the source to continue on and one for the clone (so neither writes into the
# shared base), the source redefined onto its overlay and the clone defined:
# four virsh processes. Every round runs each once, in a random order, and
# puts the source back untimed afterwards (its original definition, the new
# layers deleted), so every round starts from the same one-layer source.
# vmctl is the binary Scripts/package.sh ships (--static-swift-stdlib, stripped).
# Prints median wall times per size and ratios to the bare overlay.
# Needs a running libvirtd (Scripts/start-libvirtd.sh) and ~10 GiB of disk.
# Usage: Benchmarks/clone-overlay.sh [rounds] [sizes-in-GiB...]   (default: 11 rounds, 1 8)
#   SCRATCH=DIR picks the build directory (default .build, as Scripts/package.sh).
#   BASELINE=PATH adds a row for another vmctl binary (an earlier commit's, say),
#   timed in the same rounds, with its ratio to this one.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
rounds=${1:-11}
shift || true
if [[ $# -gt 0 ]]; then sizes=("$@"); else sizes=(1 8); fi
scratch=${SCRATCH:-.build}
Scripts/build-release.sh "$scratch" >/dev/null

export LIBVIRT_DEFAULT_URI=qemu:///system
pool=vmctl-bench-overlay
dir=/var/lib/vmctl/bench-overlay
work=$(mktemp -d /tmp/vmctl-bench-overlay.XXXXXX)
vmctl=$work/vmctl
install -m 0755 "$scratch/release/vmctl" "$vmctl"
strip --strip-all "$vmctl"
cleanup() {
  for d in $(virsh -q list --all --name | grep '^vmctl-bench-ov' || true); do
    virsh -q undefine "$d" >/dev/null 2>&1 || true
  done
  virsh -q pool-destroy $pool >/dev/null 2>&1 || true
  virsh -q pool-undefine $pool >/dev/null 2>&1 || true
  rm -rf "$dir"
}
cleanup
trap 'cleanup; rm -rf "$work"' EXIT
mkdir -p "$dir"
virsh -q pool-define-as $pool dir --target "$dir" >/dev/null && virsh -q pool-start $pool >/dev/null

tools=("bare overlay" "vmctl --linked" "virsh by hand")
if [[ -n ${BASELINE:-} ]]; then
  install -m 0755 "$BASELINE" "$work/vmctl-baseline"
  strip --strip-all "$work/vmctl-baseline"
  tools+=("baseline --linked")
fi
domain_xml() { # name disk-path [uuid]
  cat <<XML
<domain type='qemu'><name>$1</name>${3:+<uuid>$3</uuid>}<memory unit='MiB'>128</memory><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$2'/>
<target dev='vda' bus='virtio'/></disk></devices></domain>
XML
}
overlay() { # name size backing
  virsh -q vol-create-as $pool "$1" "$2" --format qcow2 --backing-vol "$3" --backing-vol-format qcow2 >/dev/null
}
# One timed run of a tool against source $src (disk $src.qcow2 of $size GiB), then its untimed undo.
run() {
  local tool=$1 start end
  start=$EPOCHREALTIME
  case $tool in
    "bare overlay") overlay vmctl-bench-ov-bare.qcow2 "${size}G" "$src.qcow2" ;;
    "vmctl --linked") "$vmctl" vm clone "$src" vmctl-bench-ov-clone --linked -q >/dev/null ;;
    "baseline --linked") "$work/vmctl-baseline" vm clone "$src" vmctl-bench-ov-clone --linked -q >/dev/null ;;
    "virsh by hand")
      overlay "$src-top.qcow2" "${size}G" "$src.qcow2"
      overlay vmctl-bench-ov-hand.qcow2 "${size}G" "$src.qcow2"
      virsh -q define "$work/src-on-top.xml" >/dev/null
      virsh -q define "$work/hand.xml" >/dev/null ;;
  esac
  end=$EPOCHREALTIME
  case $tool in
    "bare overlay") virsh -q vol-delete vmctl-bench-ov-bare.qcow2 --pool $pool >/dev/null ;;
    "vmctl --linked" | "baseline --linked")
      "$vmctl" vm delete vmctl-bench-ov-clone -q >/dev/null
      # The source moved onto a fresh layer: put it back on its one disk.
      virsh -q define "$work/src.xml" >/dev/null
      for vol in $(virsh -q vol-list $pool | awk '{print $1}' | grep "^$src-vda-" || true); do
        virsh -q vol-delete "$vol" --pool $pool >/dev/null
      done ;;
    "virsh by hand")
      virsh -q undefine vmctl-bench-ov-hand >/dev/null
      virsh -q define "$work/src.xml" >/dev/null
      virsh -q vol-delete vmctl-bench-ov-hand.qcow2 --pool $pool >/dev/null
      virsh -q vol-delete "$src-top.qcow2" --pool $pool >/dev/null ;;
  esac
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }'
}

results=$work/results
: >"$results"
for size in "${sizes[@]}"; do
  src=vmctl-bench-ovsrc$size
  qemu-img create -q -f qcow2 "$dir/$src.qcow2" "${size}G"
  # Real data in the base, so anything that read or copied it would show.
  # One GiB per request: qemu-io allocates each request's buffer in memory.
  for gib in $(seq 0 $((size - 1))); do
    qemu-io -f qcow2 -c "write -P 0x5a ${gib}G 1G" "$dir/$src.qcow2" >/dev/null
  done
  virsh -q pool-refresh $pool >/dev/null
  # A fixed UUID, so the source can be redefined in place.
  uuid=$(cat /proc/sys/kernel/random/uuid)
  domain_xml "$src" "$dir/$src.qcow2" "$uuid" >"$work/src.xml"
  domain_xml "$src" "$dir/$src-top.qcow2" "$uuid" >"$work/src-on-top.xml"
  domain_xml vmctl-bench-ov-hand "$dir/vmctl-bench-ov-hand.qcow2" >"$work/hand.xml"
  virsh -q define "$work/src.xml" >/dev/null
  for tool in "${tools[@]}"; do run "$tool" >/dev/null; done # warm-up
  for round in $(seq 1 "$rounds"); do
    for tool in $(seq 0 $((${#tools[@]} - 1)) | shuf); do
      seconds=$(run "${tools[$tool]}")
      echo "$size	${tools[$tool]}	$seconds" >>"$results"
    done
  done
  virsh -q undefine "$src" >/dev/null
  virsh -q vol-delete "$src.qcow2" --pool $pool >/dev/null
done

python3 - "$results" "$rounds" <<'PY'
import collections, os, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    size, tool, seconds = line.rstrip("\n").split("\t")
    times[(int(size), tool)].append(float(seconds))
sizes = sorted({size for size, _ in times})
med = lambda size, tool: statistics.median(times[(size, tool)]) * 1000
print(f"{sys.argv[2]} rounds per size, load average {os.getloadavg()[0]:.1f} at the end; median ms")
print()
print("| source data | bare `virsh vol-create-as` overlay | `vmctl vm clone --linked` | virsh by hand (2 overlays + 2 defines) "
      "| linked / bare | by hand / bare |")
print("| --- | --- | --- | --- | --- | --- |")
for size in sizes:
    bare, linked, hand = (med(size, tool) for tool in ("bare overlay", "vmctl --linked", "virsh by hand"))
    print(f"| {size} GiB | {bare:.1f} | {linked:.1f} | {hand:.1f} | {linked / bare:.2f} | {hand / bare:.2f} |")
if any(tool == "baseline --linked" for _, tool in times):
    print()
    print("| source data | `--linked` (this build) | `--linked` (BASELINE) | baseline / this | baseline / bare |")
    print("| --- | --- | --- | --- | --- |")
    for size in sizes:
        bare, linked, base = (med(size, tool) for tool in ("bare overlay", "vmctl --linked", "baseline --linked"))
        print(f"| {size} GiB | {linked:.1f} | {base:.1f} | {base / linked:.2f} | {base / bare:.2f} |")
if len(sizes) > 1:
    first, last = sizes[0], sizes[-1]
    print()
    print(f"{last} GiB over {first} GiB: bare {med(last, 'bare overlay') / med(first, 'bare overlay'):.2f}, "
          f"linked {med(last, 'vmctl --linked') / med(first, 'vmctl --linked'):.2f}")
PY
