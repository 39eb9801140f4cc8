#!/usr/bin/env bash
# Builds a release vmctl with the Swift runtime linked in (Scripts/build-release.sh),
# strips it, and writes
#   dist/vmctl_VERSION_amd64.deb     binary, man page, bash/zsh/fish completions
#   dist/vmctl_VERSION_amd64.tar.gz  the same binary, man page and completions
# VERSION is VersionReport.vmctlVersion in the source. The .deb depends on the
# shared libraries the binary links (found by dpkg-shlibdeps, which reads ldd's
# view of the ELF file) and on qemu-utils, whose qemu-img `vol import` runs.
# Usage: Scripts/package.sh   (SCRATCH=.build-x picks the build directory; default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build}

version=$(sed -nE 's/.*static let vmctlVersion = "([^"]+)".*/\1/p' Sources/VMCtlKit/VersionReport.swift)
[[ -n $version ]] || { echo "package: no vmctlVersion in Sources/VMCtlKit/VersionReport.swift" >&2; exit 1; }
arch=$(dpkg --print-architecture)
[[ $arch == amd64 ]] || { echo "package: builds amd64 packages; this is $arch" >&2; exit 1; }

binary=$(Scripts/build-release.sh "$scratch")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
  "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/doc/vmctl"
install -m 0755 "$binary" "$root/usr/bin/vmctl"
strip --strip-all "$root/usr/bin/vmctl"
gzip -9n <Docs/man/vmctl.1 >"$root/usr/share/man/man1/vmctl.1.gz"
install -m 0644 Docs/completions/vmctl.bash "$root/usr/share/bash-completion/completions/vmctl"
install -m 0644 Docs/completions/vmctl.zsh "$root/usr/share/zsh/vendor-completions/_vmctl"
install -m 0644 Docs/completions/vmctl.fish "$root/usr/share/fish/vendor_completions.d/vmctl.fish"
install -m 0644 README.md "$root/usr/share/doc/vmctl/README.md"

# No Swift runtime may be left for the target to provide.
if ldd "$root/usr/bin/vmctl" | grep -iE "swift|libFoundation|libdispatch|libBlocksRuntime"; then
  echo "package: the binary still links a Swift runtime library (above)" >&2
  exit 1
fi

# Shared-library dependencies from the binary itself, as Debian's own packages get them.
mkdir -p "$work/shlibs/debian"
printf 'Source: vmctl\n\nPackage: vmctl\nArchitecture: amd64\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$root/usr/bin/vmctl" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ $shlibs == *libvirt0* ]] || { echo "package: dpkg-shlibdeps found no libvirt0 dependency: '$shlibs'" >&2; exit 1; }
[[ $shlibs == *libyaml-0-2* ]] || { echo "package: dpkg-shlibdeps found no libyaml-0-2 dependency (the YAML module's parser): '$shlibs'" >&2; exit 1; }
depends="$shlibs, qemu-utils, gpgv"  # libcurl3-gnutls comes from dpkg-shlibdeps: the binary links it; gpgv verifies checksum files

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: vmctl
Version: $version
Architecture: amd64
Maintainer: vmctl developers <vmctl@localhost>
Installed-Size: $size
Depends: $depends
Recommends: iproute2, debian-keyring
Suggests: libvirt-daemon-system, libvirt-daemon-driver-qemu, qemu-system-x86
Section: admin
Priority: optional
Description: build KVM/libvirt lab machines: VMs, networks, storage and labs
 vmctl creates, clones and controls libvirt virtual machines, networks and
 storage, and brings whole labs declared in YAML up and down. It talks to
 libvirt through its C library, locally or on remote hosts.
EOF

mkdir -p dist
deb="dist/vmctl_${version}_amd64.deb"
tarball="dist/vmctl_${version}_amd64.tar.gz"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
tar -C "$root" --owner=0 --group=0 --exclude=./DEBIAN -czf "$tarball" .

echo "package: $deb ($(du -h "$deb" | cut -f1)), $tarball ($(du -h "$tarball" | cut -f1))"
echo "package: Depends: $depends"
echo "package: the binary needs $(readelf -d "$root/usr/bin/vmctl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
