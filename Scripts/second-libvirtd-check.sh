#!/usr/bin/env bash
# End-to-end check of Scripts/second-libvirtd.sh (see Docs/multi-host.md):
#   1. start the stand-in host NAME (default vmctl-check, so a running host2 is
#      left alone); its hostname and host UUID differ from the main daemon's
#   2. a NAT network defined and started through its URI: the bridge, its
#      address, iptables rules and dnsmasq exist only in its network namespace
#   3. the test guest (Scripts/build-test-image.sh) boots there, on a qcow2
#      overlay of the shared base image, and gets a DHCP lease from that
#      network, seen in `virsh -c URI net-dhcp-leases`
#   4. throughout: the main daemon answers, its networks, the host's links and
#      /proc/mounts are unchanged
#   5. stop: no process left in its namespaces, no mount, links unchanged
# Usage: Scripts/second-libvirtd-check.sh [NAME] [IMAGE_DIR]
# Traffic stays between the stand-in host and its guest, inside its namespace.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=${1:-vmctl-check}
image=${2:-/var/lib/vmctl/test-image}
sh2=$here/second-libvirtd.sh
net=vmctl-h2-net
dom=vmctl-h2-guest
subnet=192.168.231
scratch=/var/lib/vmctl/hosts/$name-scratch   # outside the bind mounts: same path in both namespaces
main=(virsh -q -c qemu:///system)

prog=second-libvirtd-check
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[[ $(id -u) -eq 0 ]] || fail "must run as root"
"${main[@]}" version >/dev/null 2>&1 || fail "the main libvirtd does not answer on qemu:///system (Scripts/start-libvirtd.sh)"
for f in vmlinuz initrd.img base.qcow2; do
  [[ -r $image/$f ]] || fail "missing $image/$f (run Scripts/build-test-image.sh)"
done
"$sh2" status "$name" >/dev/null 2>&1 && fail "stand-in host '$name' already runs; pick another NAME or stop it"

# Other engineers' tests use the main daemon meanwhile, so "unchanged" means:
# nothing of ours shows up there, and the mounts on the libvirt dirs and /sys
# are the same as before.
br=vmctlh2br0
libvirt_mounts() { awk '$2 ~ /^\/(run\/libvirt|var\/lib\/libvirt|etc\/libvirt|var\/log\/libvirt|var\/cache\/libvirt|sys)$/' /proc/mounts | sort; }
mounts_before=$(libvirt_mounts)
check_host_unchanged() {
  "${main[@]}" version >/dev/null 2>&1 || fail "main daemon stopped answering ($1)"
  "${main[@]}" net-list --all --name | grep -qx "$net" && fail "main daemon lists $net ($1)"
  "${main[@]}" list --all --name | grep -qx "$dom" && fail "main daemon lists $dom ($1)"
  ip link show dev "$br" >/dev/null 2>&1 && fail "bridge $br exists on the host ($1)"
  ip -4 addr | grep -q " $subnet\." && fail "an address in $subnet.0/24 is on a host interface ($1)"
  grep -qF "/var/lib/vmctl/hosts/$name" /proc/mounts && fail "a mount of '$name' is visible on the host ($1)"
  [[ $(libvirt_mounts) == "$mounts_before" ]] || fail "host's mounts on the libvirt dirs changed ($1)"
  return 0
}

cleanup() {
  local rc=$?
  set +e
  if [[ $rc -ne 0 && -s $scratch/$dom.log ]]; then
    echo "---- last lines of $scratch/$dom.log ----" >&2
    tr -d '\r' <"$scratch/$dom.log" | tail -n 20 >&2
  fi
  "$sh2" purge "$name" >/dev/null
  rm -rf "$scratch"
  exit $rc
}
trap cleanup EXIT

# ---- 1. start ----------------------------------------------------------------------
t0=$(now)
out=$("$sh2" start "$name") || fail "start failed"
start_t=$(elapsed "$t0")
uri=$(tail -n 1 <<<"$out")
V=(virsh -q -c "$uri")
log "started '$name' in $start_t s (first start, fresh state directory): $uri"
[[ $("${V[@]}" hostname) == "$name" ]] || fail "hostname through $uri is '$("${V[@]}" hostname)', not '$name'"
u1=$("${main[@]}" capabilities | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' | head -n1)
u2=$("${V[@]}" capabilities | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' | head -n1)
[[ -n $u2 && $u1 != "$u2" ]] || fail "host UUIDs are not distinct ('$u1' vs '$u2')"
log "both daemons answer at once; hostnames $(hostname) / $name, host UUIDs differ"
check_host_unchanged "after start"

# restart timing (capabilities cache now warm) and idempotence
grep -q "already answers" <<<"$("$sh2" start "$name")" || fail "second start did not report 'already answers'"
t0=$(now); "$sh2" stop "$name" >/dev/null; stop_t=$(elapsed "$t0")
"$sh2" stop "$name" >/dev/null || fail "second stop failed"
t0=$(now); "$sh2" start "$name" >/dev/null; restart_t=$(elapsed "$t0")
log "stop $stop_t s, start again $restart_t s; start/stop are idempotent"

# ---- 2. NAT network --------------------------------------------------------------
mkdir -p "$scratch"
cat >"$scratch/net.xml" <<XML
<network>
  <name>$net</name>
  <forward mode='nat'/>
  <bridge name='$br'/>
  <ip address='$subnet.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='$subnet.100' end='$subnet.199'/>
    </dhcp>
  </ip>
</network>
XML
"${V[@]}" net-define "$scratch/net.xml" >/dev/null
"${V[@]}" net-start "$net" >/dev/null
[[ $("${V[@]}" net-info "$net" | awk '/^Bridge:/ {print $2}') == "$br" ]] || fail "$net has no bridge $br"
"$sh2" exec "$name" ip -4 -br addr show dev "$br" | grep -q "$subnet.1/24" || fail "bridge $br with $subnet.1 missing inside '$name'"
"$sh2" exec "$name" iptables -t nat -S LIBVIRT_PRT | grep -q "$subnet.0/24" || fail "no NAT rules for $subnet.0/24 inside '$name'"
check_host_unchanged "after net-start"
log "network $net: bridge $br ($subnet.1/24) and its NAT rules exist only inside '$name'"

# ---- 3. guest --------------------------------------------------------------------
qemu-img create -q -f qcow2 -F qcow2 -b "$image/base.qcow2" "$scratch/$dom.qcow2"
: >"$scratch/$dom.log"
cat >"$scratch/$dom.xml" <<XML
<domain type='qemu'>
  <name>$dom</name>
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$image/vmlinuz</kernel>
    <initrd>$image/initrd.img</initrd>
    <cmdline>console=ttyS0 quiet vmctl.hostname=$dom</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$scratch/$dom.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'>
      <source network='$net'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$scratch/$dom.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML
"${V[@]}" define "$scratch/$dom.xml" >/dev/null
t0=$(now)
"${V[@]}" start "$dom" >/dev/null
ready=0
for _ in $(seq 1 600); do
  if tr -d '\r' <"$scratch/$dom.log" | grep -qx "VMCTL-TEST-GUEST: ready"; then ready=1; break; fi
  sleep 0.1
done
[[ $ready -eq 1 ]] || fail "$dom: no 'VMCTL-TEST-GUEST: ready' on its serial console within 60 s"
ready_t=$(elapsed "$t0")
addr=$(tr -d '\r' <"$scratch/$dom.log" | sed -n 's/^VMCTL-IP: [^ ]* \([0-9.]*\).*/\1/p' | head -n1)
lease=""
for _ in $(seq 1 100); do
  lease=$("${V[@]}" net-dhcp-leases "$net" | grep "$subnet\." || true)
  [[ -n $lease ]] && break
  sleep 0.1
done
[[ $addr == $subnet.* ]] || fail "guest reported no address in $subnet.0/24 on its serial console"
[[ -n $lease ]] || fail "no DHCP lease on $net through $uri"
grep -q "$dom" <<<"$lease" || fail "lease does not name $dom: $lease"
qpid=$(cat "/var/lib/vmctl/hosts/$name/run/libvirt/qemu/$dom.pid" 2>/dev/null || true)
[[ -n $qpid ]] && alive "$qpid" || fail "no qemu process for $dom (pid file $qpid)"
hpid=$(cat "/var/lib/vmctl/hosts/$name/pids/holder.pid")
[[ $(readlink "/proc/$qpid/ns/net") == "$(readlink "/proc/$hpid/ns/net")" && $(readlink "/proc/$qpid/ns/net") != "$(readlink /proc/self/ns/net)" ]] ||
  fail "qemu $qpid of $dom is in $(readlink "/proc/$qpid/ns/net"), not in the network namespace $(readlink "/proc/$hpid/ns/net") of '$name'"
"${main[@]}" dominfo "$dom" >/dev/null 2>&1 && fail "the main daemon knows $dom"
if command -v ping >/dev/null 2>&1; then
  "$sh2" exec "$name" ping -c 1 -W 5 "$addr" >/dev/null || fail "the guest at $addr does not answer ping from inside '$name'"
  ping -c 1 -W 1 "$addr" >/dev/null 2>&1 && fail "the guest at $addr answers ping from the host's namespace"
  log "the guest answers ping from inside '$name' and is unreachable from the host's namespace"
fi
check_host_unchanged "with the guest running"
log "guest $dom ready in $ready_t s (serial address ${addr:-?}); lease: $(tr -s ' ' <<<"$lease" | sed 's/^ //')"
log "its qemu (pid $qpid) runs in the namespaces of '$name'; the main daemon does not know it"

# ---- 5. stop with everything running -----------------------------------------------
# Also a QEMU libvirt has let go of (a mount namespace of its own, no pid file),
# as a restarted daemon can leave one: stop must end it too.
"$sh2" exec "$name" unshare --mount qemu-system-x86_64 -nodefaults -display none -S -machine none \
  </dev/null >/dev/null 2>&1 &
orphan=$!
sleep 1
alive "$orphan" || fail "the stray QEMU did not start in '$name'"
before_stop=$(for f in "/var/lib/vmctl/hosts/$name"/pids/*.pid "/var/lib/vmctl/hosts/$name"/run/libvirt/*/*.pid; do echo "$(<"$f")"; done | sort -un | tr '\n' ' ')
[[ $before_stop =~ ^([0-9]+\ ){5,}$ ]] || fail "expected at least 5 pids (holder, virtlogd, libvirtd, dnsmasq, qemu), got '$before_stop'"
t0=$(now)
"$sh2" stop "$name" >/dev/null
for p in $before_stop; do alive "$p" && fail "pid $p ($(tr '\0' ' ' </proc/$p/cmdline)) survived stop"; done
pgrep -f "/var/lib/vmctl/hosts/$name/" >/dev/null && fail "a process naming /var/lib/vmctl/hosts/$name/ survived stop"
log "stop with guest and network running: $(elapsed "$t0") s; all of its processes are gone: $before_stop"
alive "$qpid" && fail "qemu $qpid survived stop"
alive "$orphan" && fail "the QEMU without a pid file ($orphan) survived stop"
pgrep -f "dnsmasq/$net.conf" >/dev/null && fail "dnsmasq for $net survived stop"
check_host_unchanged "after stop"
[[ -e /var/lib/vmctl/hosts/$name/run/libvirt/libvirt-sock ]] && fail "socket of '$name' left behind"
log "main daemon's networks now: $("${main[@]}" net-list --all --name | tr '\n' ' ')"
log "PASS: nothing of '$name' left running or mounted; nothing of it ever reached the main daemon or the host's links"
