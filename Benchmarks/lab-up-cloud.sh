#!/usr/bin/env bash
# `vmctl lab up` of N real Debian guests (Scripts/build-cloud-image.sh) until
# Ansible reaches them all, against the same guests made one after another
# with virt-install, each waited for until SSH with the key answers, side by
# side in one run. Both sides use the same image, the same key and the same
# user-data (host name and key for `debian`); virt-install gets its seed as a
# CD-ROM labelled cidata made by genisoimage, because its own --cloud-init gave
# this image no key on first boot (seed=dmi) in earlier measurements.
# Every guest: 512 MiB, 1 vCPU, TCG. Prints wall times and the ratio.
# Usage: [VMCTL=PATH] Benchmarks/lab-up-cloud.sh [counts...]     (default: 1 2 4)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -gt 0 ]]; then counts=("$@"); else counts=(1 2 4); fi
command -v virt-install >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtinst >/dev/null
# VMCTL=PATH uses a vmctl already built (its own cost is milliseconds beside a boot).
if [[ -z ${VMCTL:-} ]]; then
  swift build -c release --product vmctl >/dev/null
  VMCTL=$PWD/.build/release/vmctl
fi
Scripts/build-cloud-image.sh /var/lib/vmctl/cloud-image >/dev/null
export LIBVIRT_DEFAULT_URI=qemu:///system
vmctl=$VMCTL
image=/var/lib/vmctl/cloud-image/debian-12.qcow2
work=/var/lib/vmctl/bench-cloud
plan=$work/plan.yaml
net=vmctl-bench-cvi
key=$work/id_ed25519

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
cleanup() {
  [[ -f $plan ]] && $vmctl lab down "$plan" -q >/dev/null 2>&1 || true
  for d in $(virsh -q list --all --name | grep '^vmctl-bench-cvi-' || true); do
    virsh -q destroy "$d" >/dev/null 2>&1 || true
    virsh -q undefine "$d" >/dev/null 2>&1 || true
  done
  virsh -q net-destroy $net >/dev/null 2>&1 || true
  virsh -q net-undefine $net >/dev/null 2>&1 || true
  for p in vmctl-bench-cloud $(basename "$work") vi; do
    virsh -q pool-destroy "$p" >/dev/null 2>&1 || true
    virsh -q pool-undefine "$p" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
cleanup
trap cleanup EXIT
mkdir -p "$work/vi"
ssh-keygen -q -t ed25519 -N '' -C vmctl-bench -f "$key"
ssh_options=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=3 -o LogLevel=ERROR -i "$key")

printf "%-6s %22s %28s %8s\n" nodes "lab up + ping (s)" "virt-install + ssh (s)" ratio
for n in "${counts[@]}"; do
  cat >"$plan" <<YAML
lab: vmctl-bench-cloud
workers: 8
ready_timeout: 1800
login: {user: debian, private_key: $key}
serial_dir: $work/serial
pools: [{name: vmctl-bench-cloud, target: $work/pool}]
images: [{name: debian-12.qcow2, pool: vmctl-bench-cloud, path: $image}]
networks: [{name: mgmt, mode: nat, subnet: 10.249.77.0/24}]
defaults: {image: debian-12.qcow2, memory: 512M, cloud_init: {ssh_keys: ['$(cat "$key.pub")']}}
nodes: [{name: node, count: $n, networks: [mgmt]}]
YAML
  # The pool and the image import are set-up that both sides share: made first,
  # untimed, by a run that does not wait for the guests.
  sed 's/^ready_timeout: .*/wait: none/' "$plan" >"$work/setup.yaml"
  $vmctl lab up "$work/setup.yaml" -q >/dev/null
  $vmctl lab down "$work/setup.yaml" -q >/dev/null
  start=$(now)
  $vmctl lab up "$plan" -q >/dev/null
  $vmctl lab inventory "$plan" >"$work/inventory"
  ANSIBLE_NOCOLOR=1 ansible all -i "$work/inventory" -m ping >"$work/ping.log"
  lab=$(elapsed "$start")
  $vmctl lab down "$plan" -q >/dev/null
  echo "lab-up-cloud: $n node(s): lab up and ping took $lab s" >&2

  printf "<network><name>%s</name><forward mode='nat'/><ip address='10.248.77.1' netmask='255.255.255.0'><dhcp><range start='10.248.77.100' end='10.248.77.200'/></dhcp></ip></network>" $net >"$work/net.xml"
  virsh -q net-define "$work/net.xml" >/dev/null && virsh -q net-start $net >/dev/null
  start=$(now)
  for i in $(seq 1 "$n"); do
    name=vmctl-bench-cvi-$i
    qemu-img create -q -f qcow2 -F qcow2 -b "$image" "$work/vi/$name.qcow2"
    printf '#cloud-config\nhostname: node%s\nssh_authorized_keys:\n- %s\n' "$i" "$(cat "$key.pub")" >"$work/vi/user-data"
    printf 'instance-id: %s\nlocal-hostname: node%s\n' "$name" "$i" >"$work/vi/meta-data"
    genisoimage -quiet -o "$work/vi/$name-seed.iso" -V cidata -J -r "$work/vi/user-data" "$work/vi/meta-data"
    virt-install --name $name --memory 512 --vcpus 1 --virt-type qemu --import \
      --disk "path=$work/vi/$name.qcow2,format=qcow2,bus=virtio" --disk "path=$work/vi/$name-seed.iso,device=cdrom" \
      --network network=$net,model=virtio --osinfo detect=on,require=off --graphics none --noautoconsole >/dev/null 2>&1
    # One at a time, as by hand: wait until this guest answers SSH with the key.
    mac=$(virsh -q domiflist $name | awk '{print $5; exit}')
    for _ in $(seq 1 900); do
      ip=$(virsh -q net-dhcp-leases $net --mac "$mac" | awk '/ipv4/ {sub(/\/.*/, "", $5); print $5; exit}')
      [[ -n $ip ]] && ssh "${ssh_options[@]}" debian@"$ip" true 2>/dev/null && break
      sleep 1
    done
  done
  vi=$(elapsed "$start")
  for i in $(seq 1 "$n"); do virsh -q destroy vmctl-bench-cvi-$i >/dev/null; virsh -q undefine vmctl-bench-cvi-$i >/dev/null; done
  virsh -q net-destroy $net >/dev/null && virsh -q net-undefine $net >/dev/null
  rm -f "$work"/vi/*
  printf "%-6s %22s %28s %8.2f\n" "$n" "$lab" "$vi" "$(awk -v a="$lab" -v b="$vi" 'BEGIN { print a / b }')"
done
