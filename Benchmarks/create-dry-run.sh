#!/usr/bin/env bash
# `vmctl vm create --dry-run` against `virt-install --print-xml` for the same
# guest (a qcow2 overlay on a base volume, one NIC, direct kernel boot), each
# printing the domain XML without creating anything. Medians of wall and CPU
# time (Benchmarks/interleave.py: alternating, random order per round) and ratios.
# Two more rows show the floor under vmctl's time: virsh making one libvirt call
# (loading libvirt's shared libraries, connecting, one round trip), and
# `vmctl version` (the same libraries and vmctl's start-up, no connection).
# vmctl is the binary Scripts/package.sh ships: a release build with the Swift
# runtime linked in (--static-swift-stdlib), stripped.
# Needs a running libvirtd (Scripts/start-libvirtd.sh) and virtinst (installed if missing).
# Usage: Benchmarks/create-dry-run.sh [rounds]
#   SCRATCH=DIR picks the build directory (default .build, as Scripts/package.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-11}
command -v virt-install >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtinst >/dev/null
scratch=${SCRATCH:-.build}
Scripts/build-release.sh "$scratch" >/dev/null
Scripts/build-test-image.sh /var/lib/vmctl/test-image >/dev/null

export LIBVIRT_DEFAULT_URI=qemu:///system
pool=vmctl-bench-dry
dir=/var/lib/vmctl/bench-dry
vmctl=$(mktemp /tmp/vmctl-bench-XXXXXX)
install -m 0755 "$scratch/release/vmctl" "$vmctl"
strip --strip-all "$vmctl"
cleanup() {
  virsh -q pool-destroy $pool >/dev/null 2>&1 || true
  virsh -q pool-undefine $pool >/dev/null 2>&1 || true
  virsh -q net-destroy vmctl-bench-net >/dev/null 2>&1 || true
  virsh -q net-undefine vmctl-bench-net >/dev/null 2>&1 || true
  rm -rf "$dir"
}
cleanup
trap 'cleanup; rm -f "$vmctl"' EXIT
mkdir -p "$dir"
cp /var/lib/vmctl/test-image/base.qcow2 "$dir/base.qcow2"
# virt-install creates any disk it is given a size for, even with --print-xml;
# an existing disk keeps both tools to printing XML.
qemu-img create -q -f qcow2 -F qcow2 -b "$dir/base.qcow2" "$dir/existing.qcow2"
virsh -q pool-define-as $pool dir --target "$dir" >/dev/null && virsh -q pool-start $pool >/dev/null
net_xml=$(mktemp)
printf "<network><name>vmctl-bench-net</name><ip address='10.252.77.1' netmask='255.255.255.0'/></network>" >"$net_xml"
virsh -q net-define "$net_xml" >/dev/null && rm -f "$net_xml"
# Warm the host-check verdict cache, as any earlier vmctl run on this boot would have.
"$vmctl" vm create warm --image $pool/base.qcow2 --pool $pool --network vmctl-bench-net \
  --kernel /var/lib/vmctl/test-image/vmlinuz --dry-run -q >/dev/null

image=/var/lib/vmctl/test-image
python3 Benchmarks/interleave.py "$rounds" 2 - \
  "vmctl vm create --dry-run" -- "$vmctl" vm create bench1 --image $pool/base.qcow2 --pool $pool \
    --network vmctl-bench-net --memory 512M --kernel $image/vmlinuz --initrd $image/initrd.img \
    --cmdline console=ttyS0 --dry-run -q ";;" \
  "virt-install --print-xml" -- virt-install --print-xml --name bench1 --memory 512 --vcpus 1 --virt-type qemu \
    --disk "path=$dir/existing.qcow2,format=qcow2" \
    --network network=vmctl-bench-net --boot "kernel=$image/vmlinuz,initrd=$image/initrd.img,kernel_args=console=ttyS0" \
    --osinfo detect=on,require=off --noautoconsole --graphics none ";;" \
  "virsh -r net-info (one call)" -- virsh -r net-info vmctl-bench-net ";;" \
  "vmctl version (no connection)" -- "$vmctl" version
