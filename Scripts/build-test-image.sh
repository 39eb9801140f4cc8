#!/usr/bin/env bash
# Builds vmctl's tiny lab guest from Debian packages, without mounting anything:
#   vmlinuz     the kernel of linux-image-cloud-amd64
#   initrd.img  busybox-static initramfs: virtio/cdrom/ACPI modules and the init
#   base.qcow2  64 MiB qcow2 holding an ext4 filesystem (label vmctl-root) that
#               the guest mounts; the base image for linked clones
#   manifest    versions and sha256 of the above
# See Docs/test-guest.md for the guest's serial protocol and how to boot it.
#
# Debian packages needed (the script installs nothing):
#   linux-image-cloud-amd64  kernel and its modules
#   busybox-static           the guest's whole userland
#   cpio, gzip               initramfs
#   e2fsprogs                mke2fs -d (filesystem from a directory), debugfs
#   qemu-utils               qemu-img
#   coreutils, mawk, util-linux (flock)  (present on every Debian)
#
# Usage: Scripts/build-test-image.sh [OUTPUT_DIR]   (default /var/lib/vmctl/test-image)
# Env:   KVER=6.1.0-NN-cloud-amd64 picks a kernel (default: newest *-cloud-amd64).
# Idempotent: an output whose content is unchanged is left untouched, so
# overlays on an existing base.qcow2 stay valid across re-runs.
set -euo pipefail

out=${1:-/var/lib/vmctl/test-image}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guest_src=$here/test-guest
image_format=1
epoch=1700000000   # fixed timestamps make the outputs byte-for-byte reproducible
disk_mib=64
disk_uuid=5f1c7e0a-3b7d-4c55-9a52-766d6374c001

prog=build-test-image
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need cpio cpio
need gzip gzip
need mke2fs e2fsprogs
need debugfs e2fsprogs
need qemu-img qemu-utils
need busybox busybox-static
need awk mawk
need sha256sum coreutils
need flock util-linux
for f in inittab rcS rcK udhcpc.script acpi-power; do
  [[ -f $guest_src/$f ]] || die "missing $guest_src/$f (incomplete checkout?)"
done

# The guest has no libc: busybox must be the static build (no ELF interpreter).
busybox_bin=$(command -v busybox)
elf_has_interp() {
  local f=$1 phoff phentsize phnum i type
  [[ $(od -An -c -N4 "$f" | tr -d ' ') == 177ELF ]] || return 0
  phoff=$(od -An -tu8 -j32 -N8 "$f" | tr -d ' ')
  phentsize=$(od -An -tu2 -j54 -N2 "$f" | tr -d ' ')
  phnum=$(od -An -tu2 -j56 -N2 "$f" | tr -d ' ')
  for ((i = 0; i < phnum; i++)); do
    type=$(od -An -tu4 -j$((phoff + i * phentsize)) -N4 "$f" | tr -d ' ')
    [[ $type == 3 ]] && return 0
  done
  return 1
}
elf_has_interp "$busybox_bin" && die "missing a static busybox ($busybox_bin is dynamic): install the Debian package busybox-static"

# Kernel: newest installed *-cloud-amd64 that has its modules.
if [[ -z ${KVER:-} ]]; then
  KVER=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n1 || true)
fi
[[ -n $KVER && -e /boot/vmlinuz-$KVER ]] || die "missing kernel /boot/vmlinuz-${KVER:-*-cloud-amd64}: install the Debian package linux-image-cloud-amd64"
[[ -r /boot/vmlinuz-$KVER ]] || die "cannot read /boot/vmlinuz-$KVER (run as root?)"
moddir=/lib/modules/$KVER
[[ -r $moddir/modules.dep ]] || die "missing $moddir/modules.dep: reinstall the Debian package linux-image-$KVER"

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }

mkdir -p "$out"
exec 9>"$out/.lock"
flock -w 120 9 || die "another build holds $out/.lock"

work=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-test-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- modules: wanted lists, dependencies first (from modules.dep) ----------
# early: ACPI power button + evdev for busybox acpid (loaded before "booted").
# main:  virtio PCI/net/blk; IDE cdrom (i440fx) + isofs for a NoCloud seed.
# Built-in ones are skipped.
early_modules="button evdev"
main_modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
              failover net_failover virtio_net virtio_blk
              scsi_common scsi_mod cdrom sr_mod libata ata_piix isofs"
resolve_modules() { # "names..." -> module paths (relative to $moddir), load order
  awk -v wanted="$1" -v builtin_file="$moddir/modules.builtin" '
    function base(p,  b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b); return b }
    function visit(m,  n, i, d) {
      if (m in done) return
      done[m] = 1
      if (!(m in path)) {
        if (m in builtin) return
        print "ERROR " m; return
      }
      n = split(deps[m], d, " ")
      for (i = n; i >= 1; i--) visit(base(d[i]))
      print path[m]
    }
    BEGIN {
      while ((getline line < builtin_file) > 0) builtin[base(line)] = 1
    }
    {
      p = $1; sub(/:$/, "", p)
      m = base(p); path[m] = p
      $1 = ""; deps[m] = $0
    }
    END { n = split(wanted, w, /[ \t\n]+/); for (i = 1; i <= n; i++) if (w[i] != "") visit(w[i]) }
  ' "$moddir/modules.dep"
}
early_order=$(resolve_modules "$early_modules")
main_order=$(resolve_modules "$main_modules")
if grep -q '^ERROR ' <<<"$early_order"$'\n'"$main_order"; then
  die "kernel $KVER lacks module(s) $(grep '^ERROR ' <<<"$early_order"$'\n'"$main_order" | cut -d' ' -f2 | tr '\n' ' ')"
fi

# ---- initramfs tree ----------------------------------------------------------
root=$work/initramfs
mkdir -p "$root"/{bin,sbin,dev,proc,sys,run,tmp,root,var,mnt/disk,mnt/seed,etc/vmctl,etc/acpi/PWRF,lib/modules}
cp "$busybox_bin" "$root/bin/busybox"
for applet in $("$busybox_bin" --list); do
  [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
done
ln -sf bin/busybox "$root/init"              # PID 1 is busybox init
install -m 0644 "$guest_src/inittab" "$root/etc/inittab"
install -m 0755 "$guest_src/rcS" "$guest_src/rcK" "$guest_src/udhcpc.script" "$root/etc/vmctl/"
install -m 0755 "$guest_src/acpi-power" "$root/etc/acpi/PWRF/00000080"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
copy_modules() { # load-order list, destination list file
  : >"$2"
  while read -r rel; do
    [[ -n $rel ]] || continue
    dest=${rel%.xz}; dest=${dest%.zst}; dest=${dest%.gz}
    mkdir -p "$root/lib/modules/$(dirname "$dest")"
    case $rel in
      *.ko)     cp "$moddir/$rel" "$root/lib/modules/$dest" ;;
      *.ko.xz)  need xz xz-utils; xz -dc "$moddir/$rel" >"$root/lib/modules/$dest" ;;
      *.ko.zst) need zstd zstd; zstd -qdc "$moddir/$rel" >"$root/lib/modules/$dest" ;;
      *.ko.gz)  gzip -dc "$moddir/$rel" >"$root/lib/modules/$dest" ;;
      *) die "unexpected module file $rel" ;;
    esac
    echo "$dest" >>"$2"
  done <<<"$1"
}
copy_modules "$early_order" "$root/etc/vmctl/modules.early"
copy_modules "$main_order" "$root/etc/vmctl/modules.load"
{
  echo "image_format=$image_format"
  echo "kernel=$KVER"
  echo "busybox_static=$(pkg_version busybox-static)"
} >"$root/etc/vmctl/version"
find "$root" -exec touch -h -d "@$epoch" {} +

# newc entry for /dev/console (so init has a console before devtmpfs is
# mounted), written by hand so that building needs no mknod and no root.
newc_entry() { # name mode rdevmajor rdevminor
  local name=$1 namesize=$((${#1} + 1)) hdr
  hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    0 "$2" 0 0 1 "$epoch" 0 0 0 "$3" "$4" "$namesize" 0)
  printf '%s%s\0' "$hdr" "$name"
  local pad=$(( (4 - (110 + namesize) % 4) % 4 ))
  ((pad == 0)) || head -c "$pad" /dev/zero
}
{
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet)
  newc_entry dev/console $((8#020600)) 5 1
  newc_entry TRAILER!!! 0 0 0
} | gzip -9n >"$work/initrd.img"

# ---- base disk -----------------------------------------------------------------
disk=$work/disk
mkdir -p "$disk/vmctl-markers"
cat >"$disk/README" <<README
vmctl test guest base disk (image format $image_format).
The guest mounts this filesystem at /mnt/disk; vmctl.marker=NAME on the
kernel command line writes /mnt/disk/vmctl-markers/NAME.
README
find "$disk" -exec touch -h -d "@$epoch" {} +
truncate -s "${disk_mib}M" "$work/base.raw"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -F -t ext4 -L vmctl-root -U "$disk_uuid" -m 0 \
  -E "root_owner=0:0,hash_seed=$disk_uuid" -d "$disk" "$work/base.raw" \
  || die "mke2fs failed"
# mke2fs -d copies each file's ctime, which no tool can fake: pin it.
{
  (cd "$disk" && find . -mindepth 1 | sed 's|^\.||') | while read -r p; do
    echo "sif $p ctime @$epoch"
  done
} | E2FSPROGS_FAKE_TIME=$epoch debugfs -w -f - "$work/base.raw" >/dev/null 2>&1 \
  || die "debugfs failed"
qemu-img convert -q -f raw -O qcow2 "$work/base.raw" "$work/base.qcow2"

cp "/boot/vmlinuz-$KVER" "$work/vmlinuz"

# ---- install (only what changed) ----------------------------------------------
changed=""
install_output() { # name
  if [[ -f $out/$1 ]] && cmp -s "$work/$1" "$out/$1"; then return; fi
  if [[ $1 == base.qcow2 && -f $out/$1 ]]; then
    echo "build-test-image: note: base.qcow2 changed; overlays made on the old one are invalid" >&2
  fi
  chmod 0644 "$work/$1"
  mv -f "$work/$1" "$out/$1.tmp.$$" && mv -f "$out/$1.tmp.$$" "$out/$1"
  changed="$changed $1"
}
for f in vmlinuz initrd.img base.qcow2; do install_output "$f"; done

{
  echo "# vmctl test guest, built by Scripts/build-test-image.sh; see Docs/test-guest.md"
  echo "image_format=$image_format"
  echo "kernel=$KVER"
  echo "linux_image_package=linux-image-$KVER $(pkg_version "linux-image-$KVER")"
  echo "busybox_static=$(pkg_version busybox-static)"
  echo "e2fsprogs=$(pkg_version e2fsprogs)"
  echo "qemu_utils=$(pkg_version qemu-utils)"
  echo "disk_mib=$disk_mib"
  echo "disk_label=vmctl-root"
  echo "modules=$(cat "$root/etc/vmctl/modules.early" "$root/etc/vmctl/modules.load" | sed 's|.*/||; s|\.ko$||' | tr '\n' ' ' | sed 's/ $//')"
  for f in vmlinuz initrd.img base.qcow2; do
    echo "sha256 $(cd "$out" && sha256sum "$f")"
  done
} >"$work/manifest"
install_output manifest

echo "build-test-image: $out:${changed:- (unchanged)}"
for f in vmlinuz initrd.img base.qcow2 manifest; do
  printf '  %-11s %s bytes\n' "$f" "$(stat -c %s "$out/$f")"
done
