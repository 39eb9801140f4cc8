#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine, as root: installs what is missing,
# starts libvirtd where none runs, builds vmctl and the tiny test guest, then
# takes a real VM through its lifecycle with vmctl: define, start, wait for
# the guest's ready line, list, graceful stop, undefine.
# Usage: Scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-deps.sh
Scripts/start-libvirtd.sh
swift build --product vmctl
Scripts/build-test-image.sh /var/lib/vmctl/test-image

vmctl=.build/debug/vmctl
work=/var/lib/vmctl/demo
name=vmctl-demo
cleanup() {
  $vmctl vm destroy $name >/dev/null 2>&1 || true
  $vmctl vm undefine $name >/dev/null 2>&1 || true
  rm -rf "$work"
}
cleanup
trap cleanup EXIT
mkdir -p "$work"
# The guest writes only to its own overlay; base.qcow2 is shared and stays untouched.
qemu-img create -q -f qcow2 -F qcow2 -b /var/lib/vmctl/test-image/base.qcow2 "$work/$name.qcow2"

export LIBVIRT_DEFAULT_URI=qemu:///system
set -x
$vmctl version
$vmctl vm define Fixtures/guest/vmctl-demo.xml
$vmctl vm start $name
{ set +x; } 2>/dev/null
for _ in $(seq 1 300); do
  grep -q "VMCTL-TEST-GUEST: ready" "$work/$name.log" 2>/dev/null && break
  sleep 0.3
done
grep -a "^VMCTL-" "$work/$name.log" | tr -d '\r'
grep -q "VMCTL-TEST-GUEST: ready" "$work/$name.log" || { echo "demo: the guest never became ready" >&2; exit 1; }
set -x
$vmctl vm list
$vmctl vm list --output json
$vmctl vm stop $name --timeout 60
$vmctl vm undefine $name
{ set +x; } 2>/dev/null
echo "demo: $name went through define, start, ready, stop and undefine"
