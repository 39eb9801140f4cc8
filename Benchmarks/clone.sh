#!/usr/bin/env bash
# `vmctl vm clone --linked` against `virt-clone` on the same shut-off source
# whose disk holds 1 GiB, then 8 GiB, of data. Also `vmctl vm clone --full`,
# which copies like virt-clone does. Medians per size and ratios.
# vmctl is the binary Scripts/package.sh ships (--static-swift-stdlib, stripped).
# Needs a running libvirtd and virtinst (installed if missing); ~20 GiB of disk.
# Benchmarks/clone-overlay.sh times --linked against the bare virsh overlay.
# Usage: Benchmarks/clone.sh [rounds] [sizes-in-GiB...]
#   SCRATCH=DIR picks the build directory (default .build, as Scripts/package.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
if [[ $# -gt 0 ]]; then sizes=("$@"); else sizes=(1 8); fi
command -v virt-clone >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtinst >/dev/null
scratch=${SCRATCH:-.build}
Scripts/build-release.sh "$scratch" >/dev/null
vmctl=$(mktemp /tmp/vmctl-bench-XXXXXX)
install -m 0755 "$scratch/release/vmctl" "$vmctl"
strip --strip-all "$vmctl"

export LIBVIRT_DEFAULT_URI=qemu:///system
pool=vmctl-bench-clone
dir=/var/lib/vmctl/bench-clone
remove_domain() { # removes a domain and every volume in its disk list
  virsh -q undefine "$1" --remove-all-storage >/dev/null 2>&1 || true
}
cleanup() {
  for d in $(virsh -q list --all --name | grep '^vmctl-bench-' || true); do remove_domain "$d"; done
  virsh -q pool-destroy $pool >/dev/null 2>&1 || true
  virsh -q pool-undefine $pool >/dev/null 2>&1 || true
  rm -rf "$dir"
}
cleanup
trap 'cleanup; rm -f "$vmctl"' EXIT
mkdir -p "$dir"
virsh -q pool-define-as $pool dir --target "$dir" >/dev/null && virsh -q pool-start $pool >/dev/null

for size in "${sizes[@]}"; do
  src=vmctl-bench-src$size
  qemu-img create -q -f qcow2 "$dir/$src.qcow2" "${size}G"
  # Fill the disk with real data, so a copy has to move every byte.
  # One GiB per request: qemu-io allocates each request's buffer in memory.
  for gib in $(seq 0 $((size - 1))); do
    qemu-io -f qcow2 -c "write -P 0x5a ${gib}G 1G" "$dir/$src.qcow2" >/dev/null
  done
  virsh -q pool-refresh $pool >/dev/null
  xml=$(mktemp)
  cat >"$xml" <<XML
<domain type='qemu'><name>$src</name><memory unit='MiB'>128</memory><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$dir/$src.qcow2'/>
<target dev='vda' bus='virtio'/></disk></devices></domain>
XML
  virsh -q define "$xml" >/dev/null && rm -f "$xml"

  declare -A total=()
  for tool in "vmctl clone --linked" "vmctl clone --full" "virt-clone"; do total[$tool]=""; done
  for round in $(seq 1 "$rounds"); do
    for tool in "vmctl clone --linked" "vmctl clone --full" "virt-clone"; do
      dst=vmctl-bench-dst-$round
      start=$(date +%s.%N)
      case $tool in
        "vmctl clone --linked") $vmctl vm clone $src $dst --linked -q >/dev/null ;;
        "vmctl clone --full") $vmctl vm clone $src $dst --full -q >/dev/null ;;
        virt-clone) virt-clone --original $src --name $dst --file "$dir/$dst-vc.qcow2" >/dev/null 2>&1 ;;
      esac
      end=$(date +%s.%N)
      total[$tool]+="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }') "
      if [[ $tool == virt-clone ]]; then remove_domain $dst; else $vmctl vm delete $dst -q >/dev/null; fi
    done
  done
  echo "source disk: ${size} GiB of data, $rounds rounds"
  python3 - "${total["vmctl clone --linked"]}" "${total["vmctl clone --full"]}" "${total[virt-clone]}" <<'PY'
import statistics, sys
names = ["vmctl clone --linked", "vmctl clone --full", "virt-clone"]
medians = [statistics.median(float(x) for x in arg.split()) for arg in sys.argv[1:]]
base = medians[2]
print(f"{'command':<22} {'median s':>9} {'virt-clone / this':>18}")
for name, m in zip(names, medians):
    print(f"{name:<22} {m:>9.3f} {base / m:>18.1f}")
PY
  $vmctl vm delete $src -q >/dev/null 2>&1 || remove_domain $src
  rm -f "$dir"/*.qcow2
  virsh -q pool-refresh $pool >/dev/null
done
