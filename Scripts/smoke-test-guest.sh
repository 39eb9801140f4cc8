#!/usr/bin/env bash
# End-to-end check of the vmctl test guest with virsh on qemu:///system, and
# the project's reference for how to boot it (see Docs/test-guest.md).
#
#   1. guest A: qcow2 overlay on base.qcow2, NIC on a NAT network, NoCloud seed
#      ISO as an IDE cdrom, vmctl.marker=... -> boot lines, marker written,
#      hostname from meta-data, DHCP address and lease (with hostname) in
#      `virsh net-dhcp-leases`, then `virsh shutdown` -> clean power-off.
#   2. guest B: second overlay on the same base, seed as a virtio disk with
#      user-data hostname + network-config v2 static address, two NICs ->
#      A's marker absent, static address on eth0, DHCP on eth1.
#   3. guest A again: its marker survived the shutdown; base.qcow2 has none.
#   4. internal snapshot of A (shut off), new marker, snapshot-revert -> marker gone.
#   5. guest C: no disk, no NIC, vmctl.hostname= -> still reaches ready.
# Everything it creates is named vmctl-test-* and removed on exit (trap).
#
# Usage: Scripts/smoke-test-guest.sh [IMAGE_DIR]   (default /var/lib/vmctl/test-image,
#        built by Scripts/build-test-image.sh)
#        Scripts/smoke-test-guest.sh --cleanup      removes leftovers of a killed run
# Env:   VMCTL_TEST_NET  network name (default vmctl-test-net)
#        VMCTL_KEEP_LOGS=1 keeps the serial logs on failure
# Needs (Debian): libvirt-clients, libvirt-daemon-system or libvirt-daemon-driver-qemu,
# qemu-system-x86, qemu-utils, genisoimage, e2fsprogs (debugfs), dnsmasq-base, iptables.
# Test traffic stays between this host and its own guests on the network it creates.
set -euo pipefail

image=/var/lib/vmctl/test-image
cleanup_only=0
case "${1:-}" in
  --cleanup) cleanup_only=1 ;;
  "") ;;
  *) image=$1 ;;
esac
run=/var/lib/vmctl/test-run
net=${VMCTL_TEST_NET:-vmctl-test-net}
prefix=vmctl-test-smoke
doms=("$prefix-a" "$prefix-b" "$prefix-c")
boot_timeout=60        # start -> "VMCTL-TEST-GUEST: ready" (includes up to 30 s DHCP)
off_timeout=30         # virsh shutdown -> shut off
V=(virsh -q -c qemu:///system)

prog=smoke-test-guest
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

created_net=0
cleanup() {
  local rc=$?
  set +e
  if [[ $rc -ne 0 && $cleanup_only -eq 0 ]]; then
    for d in "${doms[@]}"; do
      [[ -s $run/$d.log ]] || continue
      echo "---- last lines of $run/$d.log ----" >&2
      tr -d '\r' <"$run/$d.log" | tail -n 25 >&2
    done
  fi
  for d in "${doms[@]}"; do
    if "${V[@]}" dominfo "$d" >/dev/null 2>&1; then
      "${V[@]}" destroy "$d" >/dev/null 2>&1
      "${V[@]}" undefine --snapshots-metadata "$d" >/dev/null 2>&1
    fi
  done
  if [[ $created_net -eq 1 || $cleanup_only -eq 1 ]] && "${V[@]}" net-info "$net" >/dev/null 2>&1; then
    "${V[@]}" net-destroy "$net" >/dev/null 2>&1
    "${V[@]}" net-undefine "$net" >/dev/null 2>&1
  fi
  if [[ ${VMCTL_KEEP_LOGS:-0} == 1 && $rc -ne 0 ]]; then
    rm -f "$run/$prefix"-*.qcow2 "$run/$prefix"-*.iso "$run/$prefix"-*.raw "$run/$prefix"-*.xml
    rm -rf "$run/$prefix"-seed-*
    log "logs kept in $run"
  else
    rm -rf "$run/$prefix"-*
    rmdir "$run" 2>/dev/null
  fi
  exit $rc
}

need virsh libvirt-clients
need qemu-img qemu-utils
need genisoimage genisoimage
need debugfs e2fsprogs
if [[ $cleanup_only -eq 1 ]]; then
  trap cleanup EXIT
  log "removing leftovers named $prefix-* and network $net"
  exit 0
fi
"${V[@]}" version >/dev/null 2>&1 || fail "libvirtd does not answer on qemu:///system (run Scripts/start-libvirtd.sh)"
for f in vmlinuz initrd.img base.qcow2; do
  [[ -r $image/$f ]] || fail "missing $image/$f (run Scripts/build-test-image.sh $image)"
done
for d in "${doms[@]}"; do
  "${V[@]}" dominfo "$d" >/dev/null 2>&1 && fail "domain $d already exists (another run? '$0 --cleanup' removes leftovers)"
done
"${V[@]}" net-info "$net" >/dev/null 2>&1 && fail "network $net already exists (another run? set VMCTL_TEST_NET or '$0 --cleanup')"

trap cleanup EXIT
mkdir -p "$run"

# ---- network: the first 192.168.150-199.0/24 that nothing on this host uses ----
used=$(ip -4 route show; for n in $("${V[@]}" net-list --all --name); do "${V[@]}" net-dumpxml "$n"; done)
subnet=""
for i in $(seq 150 199); do
  if ! grep -q "192\.168\.$i\." <<<"$used"; then subnet=192.168.$i; break; fi
done
[[ -n $subnet ]] || fail "no free 192.168.150-199.0/24 subnet on this host"
cat >"$run/$prefix-net.xml" <<XML
<network>
  <name>$net</name>
  <forward mode='nat'/>
  <ip address='$subnet.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='$subnet.100' end='$subnet.199'/>
    </dhcp>
  </ip>
</network>
XML
"${V[@]}" net-define "$run/$prefix-net.xml" >/dev/null
created_net=1
"${V[@]}" net-start "$net" >/dev/null
log "network $net up on $subnet.0/24"

# ---- helpers ---------------------------------------------------------------------
# domain_xml NAME CMDLINE DISK(or "") SEED(or "") SEED_BUS(ide|virtio) NICS(0, 1, 2...)
# Redefining an existing domain (to change its cmdline) keeps its UUID.
domain_xml() {
  local name=$1 cmdline=$2 disk=$3 seed=$4 seed_bus=$5 nics=$6 uuid i
  uuid=$("${V[@]}" domuuid "$name" 2>/dev/null || true)
  cat <<XML
<domain type='qemu'>
  <name>$name</name>
XML
  [[ -z $uuid ]] || echo "  <uuid>$uuid</uuid>"
  cat <<XML
  <memory unit='MiB'>192</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$image/vmlinuz</kernel>
    <initrd>$image/initrd.img</initrd>
    <cmdline>$cmdline</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
XML
  if [[ -n $disk ]]; then cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
XML
  fi
  if [[ -n $seed && $seed_bus == ide ]]; then cat <<XML
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='$seed'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
XML
  elif [[ -n $seed ]]; then cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$seed'/>
      <target dev='vdb' bus='virtio'/>
      <readonly/>
    </disk>
XML
  fi
  for ((i = 0; i < nics; i++)); do cat <<XML
    <interface type='network'>
      <source network='$net'/>
      <model type='virtio'/>
    </interface>
XML
  done
  cat <<XML
    <serial type='file'>
      <source path='$run/$name.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

serial() { tr -d '\r' <"$run/$1.log" 2>/dev/null || true; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# wait_line DOMAIN REGEX TIMEOUT: waits for a serial line matching ^REGEX$;
# LINE_T is then the seconds since the last start_domain.
wait_line() {
  local end=$((SECONDS + $3))
  while ((SECONDS < end)); do
    if serial "$1" | grep -Eq "^$2\$"; then LINE_T=$(elapsed "$START_T"); return 0; fi
    sleep 0.1
  done
  fail "$1: no line matching '$2' on the serial console within $3 s"
}
# expect DOMAIN REGEX: the line must already be there.
expect() { serial "$1" | grep -Eq "^$2\$" || fail "$1: expected serial line '$2', got: $(serial "$1" | grep '^VMCTL-' | grep -F "${2%%:*}" || echo nothing)"; }
value() { serial "$1" | sed -n "s/^$2: //p" | head -n1; }

start_domain() { # NAME: (re)starts, records start time in START_T
  : >"$run/$1.log"
  START_T=$(now)
  "${V[@]}" start "$1" >/dev/null
}
shutdown_domain() { # NAME: ACPI shutdown, waits for shut off
  local t0 end
  t0=$(now)
  "${V[@]}" shutdown "$1" >/dev/null
  end=$((SECONDS + off_timeout))
  while ((SECONDS < end)); do
    if [[ $("${V[@]}" domstate "$1" 2>/dev/null) == "shut off" ]]; then
      expect "$1" "VMCTL-TEST-GUEST: powering off"
      log "$1: virsh shutdown -> shut off in $(elapsed "$t0") s, disk synced and unmounted"
      return 0
    fi
    sleep 0.1
  done
  fail "$1: still $("${V[@]}" domstate "$1") $off_timeout s after virsh shutdown"
}
make_seed() { # NAME FILE... (files already in $run/NAME/)
  local dir=$run/$1
  (cd "$dir" && genisoimage -quiet -o "$run/$1.iso" -V cidata -J -r "${@:2}")
}
markers_in_image() { # QCOW2: prints the names in /vmctl-markers (via a raw copy + debugfs)
  local raw=$run/$prefix-inspect.raw
  qemu-img convert -q -O raw "$1" "$raw"
  debugfs -R "ls /vmctl-markers" "$raw" 2>/dev/null | tr -s ' \t' '\n' | grep -Evx '\.|\.\.|[0-9()]+|' | sort | tr '\n' ' ' | sed 's/ $//'
  rm -f "$raw"
}

base=$image/base.qcow2
[[ -z $(markers_in_image "$base") ]] || fail "base.qcow2 already holds markers: $(markers_in_image "$base")"

# ---- 1. guest A --------------------------------------------------------------------
a=${doms[0]}
qemu-img create -q -f qcow2 -F qcow2 -b "$base" "$run/$a.qcow2"
mkdir -p "$run/$prefix-seed-a"
printf 'instance-id: %s\nlocal-hostname: %s\n' "$a" "$a" >"$run/$prefix-seed-a/meta-data"
printf '#cloud-config\n' >"$run/$prefix-seed-a/user-data"
make_seed "$prefix-seed-a" user-data meta-data
domain_xml "$a" "console=ttyS0 quiet no_timer_check vmctl.marker=smoke-a" "$run/$a.qcow2" "$run/$prefix-seed-a.iso" ide 1 \
  >"$run/$a.xml"
"${V[@]}" define "$run/$a.xml" >/dev/null
start_domain "$a"
wait_line "$a" "VMCTL-TEST-GUEST: booted" "$boot_timeout"
booted_t=$LINE_T
wait_line "$a" "VMCTL-HOSTNAME: .*" "$boot_timeout"
hostname_t=$LINE_T
wait_line "$a" "VMCTL-TEST-GUEST: ready" "$boot_timeout"
ready_t=$LINE_T
log "$a: after virsh start: booted ${booted_t} s, hostname (DHCP starts) ${hostname_t} s, ready (DHCP done) ${ready_t} s"
expect "$a" "VMCTL-DISK: /dev/vda"
expect "$a" "VMCTL-MARKERS: none"
expect "$a" "VMCTL-MARKER-WRITTEN: smoke-a"
expect "$a" "VMCTL-SEED: /dev/sr0"
expect "$a" "VMCTL-HOSTNAME: $a"
expect "$a" "VMCTL-IP: eth0 ${subnet//./\\.}\.[0-9]+/24"
ip_a=$(value "$a" "VMCTL-IP" | awk '{print $2}')
log "$a: guest uptime at ready $(value "$a" VMCTL-UPTIME) s, eth0 $ip_a"
mac_a=$("${V[@]}" domiflist "$a" | awk 'NF >= 5 {print $5; exit}')
lease=""
end=$((SECONDS + 20))
while ((SECONDS < end)); do
  lease=$("${V[@]}" net-dhcp-leases "$net" --mac "$mac_a" 2>/dev/null | grep -F "${ip_a%/*}/" || true)
  [[ -n $lease ]] && break
  sleep 0.2
done
[[ -n $lease ]] || fail "$a: no lease for $mac_a in 'virsh net-dhcp-leases $net'"
grep -qw "$a" <<<"$lease" || fail "$a: lease has no hostname $a: $lease"
log "$a: lease in net-dhcp-leases $(elapsed "$START_T") s after virsh start: $(echo $lease)"
shutdown_domain "$a"

# ---- 2. guest B: second overlay, seed as virtio disk, static address ------------------
b=${doms[1]}
qemu-img create -q -f qcow2 -F qcow2 -b "$base" "$run/$b.qcow2"
mkdir -p "$run/$prefix-seed-b"
printf 'instance-id: %s\n' "$b" >"$run/$prefix-seed-b/meta-data"
printf '#cloud-config\nhostname: %s\n' "$b" >"$run/$prefix-seed-b/user-data"
cat >"$run/$prefix-seed-b/network-config" <<YAML
version: 2
ethernets:
  eth0:
    addresses:
      - $subnet.50/24
    gateway4: $subnet.1
    nameservers:
      addresses: [$subnet.1]
YAML
make_seed "$prefix-seed-b" user-data meta-data network-config
domain_xml "$b" "console=ttyS0 quiet no_timer_check vmctl.marker=smoke-b" "$run/$b.qcow2" "$run/$prefix-seed-b.iso" virtio 2 \
  >"$run/$b.xml"
"${V[@]}" define "$run/$b.xml" >/dev/null
start_domain "$b"
wait_line "$b" "VMCTL-TEST-GUEST: ready" "$boot_timeout"
expect "$b" "VMCTL-MARKERS: none"
expect "$b" "VMCTL-MARKER-WRITTEN: smoke-b"
expect "$b" "VMCTL-SEED: /dev/vdb"
expect "$b" "VMCTL-HOSTNAME: $b"
expect "$b" "VMCTL-NET: static ${subnet//./\\.}\.50/24"
expect "$b" "VMCTL-IP: eth0 ${subnet//./\\.}\.50/24"
expect "$b" "VMCTL-IP: eth1 ${subnet//./\\.}\.1[0-9][0-9]/24"
log "$b: ready $(elapsed "$START_T") s after virsh start; A's marker absent; eth0 static $subnet.50/24 from network-config, eth1 $(serial "$b" | sed -n 's/^VMCTL-IP: eth1 //p' | head -n1) by DHCP"
shutdown_domain "$b"

# ---- 3. guest A again; images on disk ----------------------------------------------------
start_domain "$a"
wait_line "$a" "VMCTL-TEST-GUEST: ready" "$boot_timeout"
expect "$a" "VMCTL-MARKERS: smoke-a"
log "$a: second boot ready in $LINE_T s (its DHCP lease is known now)"
shutdown_domain "$a"
[[ $(markers_in_image "$run/$a.qcow2") == smoke-a ]] || fail "overlay A holds '$(markers_in_image "$run/$a.qcow2")', expected smoke-a"
[[ $(markers_in_image "$run/$b.qcow2") == smoke-b ]] || fail "overlay B holds '$(markers_in_image "$run/$b.qcow2")', expected smoke-b"
[[ -z $(markers_in_image "$base") ]] || fail "base.qcow2 holds markers '$(markers_in_image "$base")'"
log "markers isolated: A={smoke-a} B={smoke-b} base={} (and A kept its marker across shutdown)"

# ---- 4. internal snapshot of A: revert drops what was written after it -------------------
"${V[@]}" snapshot-create-as "$a" "$prefix-snap" >/dev/null
domain_xml "$a" "console=ttyS0 quiet no_timer_check vmctl.marker=smoke-a2" "$run/$a.qcow2" "$run/$prefix-seed-a.iso" ide 1 \
  >"$run/$a.xml"
"${V[@]}" define "$run/$a.xml" >/dev/null
start_domain "$a"
wait_line "$a" "VMCTL-TEST-GUEST: ready" "$boot_timeout"
expect "$a" "VMCTL-MARKERS: smoke-a"
expect "$a" "VMCTL-MARKER-WRITTEN: smoke-a2"
shutdown_domain "$a"
"${V[@]}" snapshot-revert "$a" "$prefix-snap" >/dev/null
start_domain "$a"               # the reverted definition writes smoke-a again
wait_line "$a" "VMCTL-TEST-GUEST: ready" "$boot_timeout"
expect "$a" "VMCTL-MARKERS: smoke-a"
shutdown_domain "$a"
log "$a: snapshot-revert dropped marker smoke-a2 written after the snapshot"

# ---- 5. guest C: no disk, no NIC ----------------------------------------------------------
c=${doms[2]}
domain_xml "$c" "console=ttyS0 quiet no_timer_check vmctl.hostname=$c vmctl.marker=smoke-c" "" "" "" 0 >"$run/$c.xml"
"${V[@]}" define "$run/$c.xml" >/dev/null
start_domain "$c"
wait_line "$c" "VMCTL-TEST-GUEST: ready" "$boot_timeout"
expect "$c" "VMCTL-DISK: none"
expect "$c" "VMCTL-MARKERS: none"
expect "$c" "VMCTL-MARKER-ERROR: smoke-c no-disk"
expect "$c" "VMCTL-SEED: none"
expect "$c" "VMCTL-HOSTNAME: $c"
expect "$c" "VMCTL-IP: none"
log "$c: ready $(elapsed "$START_T") s after virsh start without disk or NIC"
shutdown_domain "$c"

log "PASS"
