#!/usr/bin/env bash
# Builds a disk-bootable Debian 12 cloud image from Debian's packages, made to
# behave like debian-12-genericcloud-amd64.qcow2 (which cannot be downloaded
# here): systemd, dbus, locales, cloud-init (NoCloud), openssh-server, python3,
# sudo, qemu-guest-agent, lvm2, ifupdown + isc-dhcp-client, chrony, ping, the cloud kernel,
# and docker.io with python3-docker and python3-dbus, left disabled.
# chrony: cloud-init's ntp module configures it, and kolla wants an NTP
# daemon with a synchronized clock (`vmctl lab check`'s time rule); the guest
# cannot install it from the internet.
# iputils-ping: Debian's cloud image has it, and kolla's loadbalancer precheck
# pings its VIPs on every node (a missing ping fails the task).
# docker.io, python3-docker, python3-dbus: what kolla-ansible's bootstrap-servers
# would install from the internet before its prechecks (the container engine, its
# Python SDK, dbus-python). They are installed but not enabled, so no other test
# pays for a Docker daemon at boot; the kolla test starts it, as bootstrap-servers would.
# cloud-init's default user is `debian`; there is no password, no SSH host
# key and an empty /etc/machine-id until the first boot, as in Debian's image.
#
# Output, in OUTPUT_DIR (default /var/lib/vmctl/cloud-image):
#   debian-12.qcow2  4 GiB virtual, one MBR partition (ext4, label rootfs),
#                    extlinux behind syslinux's mbr.bin, console on ttyS0
#   manifest         the cache key, package versions and the image's sha256
#
# The image is cached: when the manifest's key (this script's sha256) matches,
# nothing is rebuilt, so CI builds it once per machine. It takes about 2 min.
#
# Needs (as root): mmdebstrap, e2fsprogs, extlinux, syslinux-common,
# qemu-utils, util-linux (losetup, mount, flock). Scripts/install-deps.sh has them.
#
# Usage: Scripts/build-cloud-image.sh [OUTPUT_DIR]
# Env:   VMCTL_DEBIAN_MIRROR overrides the mirror (default: deb.debian.org).
set -euo pipefail

out=${1:-/var/lib/vmctl/cloud-image}
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
key=$(cat "$self" "$(dirname "$self")/lib.sh" | sha256sum | cut -c1-16)
mirror=${VMCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
disk_gib=4
root_uuid=5f1c7e0a-3b7d-4c55-9a52-766d6374c0c1

prog=build-cloud-image
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need mmdebstrap mmdebstrap
need mke2fs e2fsprogs
need extlinux extlinux
need qemu-img qemu-utils
need losetup mount
need flock util-linux
mbr=/usr/lib/syslinux/mbr/mbr.bin
[[ -r $mbr ]] || die "missing $mbr: install the Debian package syslinux-common"
[[ $(id -u) -eq 0 ]] || die "must run as root (mmdebstrap's root mode and a loop mount)"

mkdir -p "$out"
exec 9>"$out/.lock"
flock -w 900 9 || die "another build holds $out/.lock"

if [[ -f $out/debian-12.qcow2 && -f $out/manifest ]] && grep -qx "key=$key" "$out/manifest"; then
  echo "build-cloud-image: $out/debian-12.qcow2 is current (key $key)"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/vmctl-cloud-image.XXXXXX")
mnt=$work/mnt
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  rm -rf "$work"
}
trap cleanup EXIT

packages=(
  systemd systemd-sysv dbus udev locales
  cloud-init cloud-guest-utils openssh-server sudo python3
  qemu-guest-agent lvm2 ifupdown isc-dhcp-client iproute2 iputils-ping netbase chrony
  linux-image-cloud-amd64 initramfs-tools e2fsprogs procps less
  docker.io python3-docker python3-dbus
)

# Inside the new root, before its files are packed into the file system.
# Each step mirrors what Debian's cloud image build (debian-cloud-images) does.
customize() {
  local root=$1
  cat >"$root/etc/fstab" <<EOF
UUID=$root_uuid / ext4 rw,discard,errors=remount-ro,x-systemd.growfs 0 1
EOF
  # no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
  # check can see too few ticks and panic ("IO-APIC + timer doesn't work!"),
  # as one of three lab nodes did in a CI run; cloud images (Fedora's, CirrOS)
  # boot with it for that reason.
  mkdir -p "$root/boot/extlinux"
  cat >"$root/boot/extlinux/extlinux.conf" <<EOF
DEFAULT debian
TIMEOUT 0
PROMPT 0
LABEL debian
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND root=UUID=$root_uuid ro console=tty0 console=ttyS0,115200n8 no_timer_check
EOF
  # Only NoCloud and None, so ds-identify settles at once.
  cat >"$root/etc/cloud/cloud.cfg.d/90_vmctl_datasources.cfg" <<EOF
datasource_list: [ NoCloud, None ]
EOF
  cat >"$root/etc/network/interfaces" <<EOF
# Network interfaces are written by cloud-init into interfaces.d.
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback
EOF
  # cloud-init's locale module sets en_US.UTF-8 on Debian; have it generated.
  sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' "$root/etc/locale.gen"
  chroot "$root" locale-gen >/dev/null
  echo 'LANG=en_US.UTF-8' >"$root/etc/default/locale"
  # Identity comes on first boot: no machine-id, no host keys, no hostname.
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
  echo localhost >"$root/etc/hostname"
  # Periodic jobs only cost CPU under TCG in a throwaway lab guest; so does
  # e2scrub_reap, which took 35 s of the first boot's one vCPU.
  for unit in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer e2scrub_reap.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  # Docker is there for kolla's prechecks only (see the head of this file).
  chroot "$root" systemctl disable --quiet docker.service docker.socket containerd.service
  # Under TCG each cloud-init module costs seconds (cloud-init analyze blame,
  # first boot): the RSA host key 12 s of config-ssh's 14 s, printing the keys
  # to the console 5.7 s, grub-dpkg (there is no GRUB: extlinux boots) 4.7 s.
  # A user-data may still ask for RSA host keys.
  cat >"$root/etc/cloud/cloud.cfg.d/91_vmctl_tcg.cfg" <<EOF
ssh_genkeytypes: [ed25519, ecdsa]
ssh:
  emit_keys_to_console: false
grub_dpkg:
  enabled: false
EOF
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/* "$root"/var/log/*.log
}

echo "build-cloud-image: mmdebstrap bookworm (${#packages[@]} packages)"
start=$SECONDS
mmdebstrap --quiet --mode=root --variant=apt --format=directory \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --aptopt='Acquire::Retries "3"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  bookworm "$work/root" "$mirror" || die "mmdebstrap failed"
echo "build-cloud-image: root file system in $((SECONDS - start)) s"
customize "$work/root"
versions=$(chroot "$work/root" dpkg-query -W -f='${Package}=${Version}\n' \
  cloud-init openssh-server systemd qemu-guest-agent lvm2 ifupdown isc-dhcp-client docker.io python3-docker 'linux-image-*-cloud-amd64')

# The partition: ext4 made straight from the directory, then extlinux on it.
part_mib=$((disk_gib * 1024 - 1))
truncate -s "${part_mib}M" "$work/part.raw"
mke2fs -q -F -t ext4 -L rootfs -U "$root_uuid" -E root_owner=0:0 -d "$work/root" "$work/part.raw" \
  || die "mke2fs failed"
rm -rf "$work/root"
mkdir -p "$mnt"
mount -o loop "$work/part.raw" "$mnt" || die "loop mount failed"
extlinux --install "$mnt/boot/extlinux" >/dev/null 2>&1 || die "extlinux --install failed"
umount "$mnt"

# The disk: an MBR with one active partition at 1 MiB and syslinux's boot code.
truncate -s "${disk_gib}G" "$work/disk.raw"
echo 'start=2048, type=83, bootable' | sfdisk --quiet --label dos "$work/disk.raw" >/dev/null || die "sfdisk failed"
dd if="$mbr" of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$work/part.raw" of="$work/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$work/part.raw"
qemu-img convert -q -f raw -O qcow2 "$work/disk.raw" "$work/debian-12.qcow2"

{
  echo "# Debian 12 cloud-style guest, built by Scripts/build-cloud-image.sh; see Docs/test-guest.md"
  echo "key=$key"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "default_user=debian"
  echo "$versions" | sed 's/^/package /'
  echo "sha256 $(cd "$work" && sha256sum debian-12.qcow2)"
} >"$work/manifest"
chmod 0644 "$work/debian-12.qcow2" "$work/manifest"
mv -f "$work/debian-12.qcow2" "$out/debian-12.qcow2.tmp.$$" && mv -f "$out/debian-12.qcow2.tmp.$$" "$out/debian-12.qcow2"
mv -f "$work/manifest" "$out/manifest"
echo "build-cloud-image: $out/debian-12.qcow2 ($(stat -c %s "$out/debian-12.qcow2") bytes) in $((SECONDS - start)) s"
