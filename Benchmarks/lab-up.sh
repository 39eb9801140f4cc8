#!/usr/bin/env bash
# `vmctl lab up` of 1, 2, 4 and 8 test-guest nodes against the same nodes made
# one after another with virt-install (each overlay made with qemu-img) plus
# waiting for every DHCP lease. Wall times, the ratio, and how time grows with
# the node count. Guests are the project's test guest under QEMU/TCG.
# Usage: Benchmarks/lab-up.sh [counts...]     (default: 1 2 4 8)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -gt 0 ]]; then counts=("$@"); else counts=(1 2 4 8); fi
command -v virt-install >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtinst >/dev/null
swift build -c release --product vmctl >/dev/null
Scripts/build-test-image.sh /var/lib/vmctl/test-image >/dev/null
export LIBVIRT_DEFAULT_URI=qemu:///system
vmctl=$PWD/.build/release/vmctl
image=/var/lib/vmctl/test-image
work=/var/lib/vmctl/bench-lab
plan=$work/plan.yaml
net=vmctl-bench-vi

now() { date +%s.%N; }
cleanup() {
  [[ -f $plan ]] && $vmctl lab down "$plan" -q >/dev/null 2>&1 || true
  for d in $(virsh -q list --all --name | grep '^vmctl-bench-vi-' || true); do
    virsh -q destroy "$d" >/dev/null 2>&1 || true
    virsh -q undefine "$d" >/dev/null 2>&1 || true
  done
  virsh -q net-destroy $net >/dev/null 2>&1 || true
  virsh -q net-undefine $net >/dev/null 2>&1 || true
  # virt-install makes a pool for the folder of each disk it is given.
  for p in vmctl-bench-lab $(basename "$work"); do
    virsh -q pool-destroy "$p" >/dev/null 2>&1 || true
    virsh -q pool-undefine "$p" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
cleanup
trap cleanup EXIT
mkdir -p "$work"

printf "%-6s %12s %16s %8s\n" nodes "lab up (s)" "virt-install (s)" ratio
for n in "${counts[@]}"; do
  cat >"$plan" <<YAML
lab: vmctl-bench
wait: address
workers: 8
serial_dir: $work/serial
pools: [{name: vmctl-bench-lab, target: $work/pool}]
images: [{name: base.qcow2, pool: vmctl-bench-lab, path: $image/base.qcow2}]
networks: [{name: mgmt, mode: nat, subnet: 10.251.77.0/24}]
defaults: {image: base.qcow2, memory: 160M, kernel: $image/vmlinuz, initrd: $image/initrd.img, cmdline: console=ttyS0 quiet}
nodes: [{name: node, count: $n, networks: [mgmt]}]
YAML
  # The pool and image import are set-up both ways share; make them first.
  start=$(now)
  $vmctl lab up "$plan" -q >/dev/null
  lab=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  $vmctl lab down "$plan" -q >/dev/null

  printf "<network><name>%s</name><forward mode='nat'/><ip address='10.250.77.1' netmask='255.255.255.0'><dhcp><range start='10.250.77.100' end='10.250.77.200'/></dhcp></ip></network>" $net >"$work/net.xml"
  virsh -q net-define "$work/net.xml" >/dev/null && virsh -q net-start $net >/dev/null
  start=$(now)
  for i in $(seq 1 "$n"); do
    qemu-img create -q -f qcow2 -F qcow2 -b "$work/pool/base.qcow2" "$work/vi-$i.qcow2"
    virt-install --name vmctl-bench-vi-$i --memory 160 --vcpus 1 --virt-type qemu --import \
      --disk "path=$work/vi-$i.qcow2,format=qcow2,bus=virtio" --network network=$net,model=virtio \
      --boot "kernel=$image/vmlinuz,initrd=$image/initrd.img,kernel_args=console=ttyS0 quiet" \
      --osinfo detect=on,require=off --graphics none --noautoconsole >/dev/null 2>&1
    # One at a time, as by hand: wait for this guest's lease before the next.
    mac=$(virsh -q domiflist vmctl-bench-vi-$i | awk '{print $5; exit}')
    for _ in $(seq 1 300); do
      virsh -q net-dhcp-leases $net --mac "$mac" | grep -q ipv4 && break
      sleep 0.2
    done
  done
  vi=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  for i in $(seq 1 "$n"); do virsh -q destroy vmctl-bench-vi-$i >/dev/null; virsh -q undefine vmctl-bench-vi-$i >/dev/null; done
  virsh -q net-destroy $net >/dev/null && virsh -q net-undefine $net >/dev/null
  rm -f "$work"/vi-*.qcow2
  printf "%-6s %12s %16s %8.1f\n" "$n" "$lab" "$vi" "$(awk -v a="$lab" -v b="$vi" 'BEGIN { print b / a }')"
done
