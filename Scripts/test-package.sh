#!/usr/bin/env bash
# Installs dist/vmctl_VERSION_amd64.deb into a clean Debian 12 root with apt
# (which resolves its Depends from Debian's mirror), checks that no Swift
# toolchain or runtime is in that root, and runs vmctl inside it:
# `vmctl --version` and `vmctl vm list -c test:///default -o json`.
# The clean root comes from `mmdebstrap --variant=apt bookworm`; its tarball is
# cached under /var/lib/vmctl/, keyed by this script's content, so reruns skip it.
# Fails loudly on any error; prints how long each step took.
# Usage: Scripts/test-package.sh [DEB]   (as root; default: the .deb Scripts/package.sh wrote)
set -euo pipefail
trap 'echo "test-package: FAILED: line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."

[[ $(id -u) -eq 0 ]] || { echo "test-package: run as root (mmdebstrap, chroot)" >&2; exit 1; }
version=$(sed -nE 's/.*static let vmctlVersion = "([^"]+)".*/\1/p' Sources/VMCtlKit/VersionReport.swift)
deb=${1:-dist/vmctl_${version}_amd64.deb}
[[ -f $deb ]] || { echo "test-package: $deb is missing; run Scripts/package.sh first" >&2; exit 1; }

start=$(date +%s%N)
elapsed() { local tenths=$((($(date +%s%N) - start) / 100000000)); echo "$((tenths / 10)).$((tenths % 10)) s"; }
step() { echo "test-package [$(elapsed)]: $*"; }

cache_dir=/var/lib/vmctl
key=$(sha256sum "$0" | cut -c1-16)
tarball="$cache_dir/bookworm-apt-root-$key.tar"
mkdir -p "$cache_dir"
if [[ ! -f $tarball ]]; then
  step "building a clean Debian 12 root with mmdebstrap (cached as $tarball)"
  rm -rf "$cache_dir"/bookworm-apt-root-*.tar*
  mmdebstrap --quiet --variant=apt --format=tar bookworm "$tarball.partial" http://deb.debian.org/debian
  mv "$tarball.partial" "$tarball"
else
  step "reusing the clean root $tarball"
fi

root=$(mktemp -d /var/tmp/vmctl-test-package.XXXXXX)
cleanup() {
  mountpoint -q "$root/proc" && umount "$root/proc"
  rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }

# The root must start without Swift, or the test would prove nothing.
if in_root sh -c 'command -v swift || command -v swiftc || [ -e /usr/lib/swift ]'; then
  echo "test-package: the clean root already has Swift" >&2; exit 1
fi

step "installing $(basename "$deb") with apt"
cp "$deb" "$root/tmp/vmctl.deb"
in_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -qq --no-install-recommends /tmp/vmctl.deb >"$root/tmp/apt.log" 2>&1 ||
  { cat "$root/tmp/apt.log" >&2; echo "test-package: apt could not install the package" >&2; exit 1; }
in_root dpkg-query -W -f='${Status}\n' vmctl | grep -q "install ok installed"

step "checking that nothing Swift came with it"
swift_files=$(in_root find / -xdev \( -iname '*swift*' -o -name 'libFoundation*.so*' -o -name 'libdispatch.so*' \) -print | head -20)
if [[ -n $swift_files ]]; then
  echo "test-package: Swift files in the installed root:" >&2; echo "$swift_files" >&2; exit 1
fi
if in_root ldd /usr/bin/vmctl | grep -E "not found|swift"; then
  echo "test-package: /usr/bin/vmctl misses a library or links a Swift one (above)" >&2; exit 1
fi
for path in /usr/share/man/man1/vmctl.1.gz /usr/share/bash-completion/completions/vmctl \
  /usr/share/zsh/vendor-completions/_vmctl /usr/share/fish/vendor_completions.d/vmctl.fish; do
  [[ -s $root$path ]] || { echo "test-package: $path is missing" >&2; exit 1; }
done

step "running vmctl inside the root"
reported=$(in_root vmctl --version)
[[ $reported == "$version" ]] || { echo "test-package: vmctl --version said '$reported', not '$version'" >&2; exit 1; }
listed=$(in_root vmctl vm list -c test:///default -o json)
echo "$listed" | grep -q '"name" : "test"' ||
  { echo "$listed" >&2; echo "test-package: vm list on test:///default did not list the domain 'test'" >&2; exit 1; }
echo "$listed" | python3 -c 'import json, sys; json.load(sys.stdin)' ||
  { echo "test-package: vm list -o json is not JSON" >&2; exit 1; }
installed=$(in_root dpkg-query -W -f='${Installed-Size}' vmctl)
depends=$(in_root dpkg-query -W -f='${Depends}' vmctl)

step "passed: vmctl $version installs and runs on a clean Debian 12 (Installed-Size ${installed} KiB; Depends: $depends)"
