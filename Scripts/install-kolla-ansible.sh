#!/usr/bin/env bash
# Installs kolla-ansible 21 (OpenStack 2025.2) for the real-guest lab test's
# `kolla-ansible prechecks` (Tests/IntegrationTests/KollaPrecheckSteps.swift):
# a Python venv with kolla-ansible and the ansible package it is tested with,
# pinned, from PyPI; and the one collection kolla-ansible needs that the
# ansible package does not carry, openstack.kolla, unpacked from the
# repository's ../shared/kolla (kolla-ansible's install-deps would clone it
# from opendev.org). The other collections it names (ansible.posix,
# community.docker, ...) ship inside the ansible package, at versions within
# kolla-ansible's requirements-core.yml bounds.
#
# Output, in DIR (default /var/lib/vmctl/kolla-ansible):
#   venv/bin/kolla-ansible, venv/bin/kolla-genpwd, venv/bin/ansible-playbook
#   collections/ansible_collections/openstack/kolla  (ANSIBLE_COLLECTIONS_PATH=DIR/collections)
#   manifest   the cache key and the installed versions
#
# Cached: when the manifest's key (this script's and lib.sh's sha256, and the
# collection tarball's) matches, nothing is installed again. It takes about 1 min.
#
# Needs: python3 with venv (python3-venv). Scripts/install-deps.sh has it.
#
# Usage: Scripts/install-kolla-ansible.sh [DIR]
# Env:   VMCTL_KOLLA_COLLECTION names the collection's tarball (default:
#        ../shared/kolla/ansible-collection-kolla-stable-2025.2.tar.gz beside the repository).
set -euo pipefail

out=${1:-/var/lib/vmctl/kolla-ansible}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$here/$(basename "${BASH_SOURCE[0]}")
# A worktree outside the repository's parent folder names the tarball itself.
collection=${VMCTL_KOLLA_COLLECTION:-$here/../../shared/kolla/ansible-collection-kolla-stable-2025.2.tar.gz}
# kolla-ansible 21.x is OpenStack 2025.2; its CI runs ansible-core 2.19, which
# ansible 12 carries.
pins=(kolla-ansible==21.3.0 ansible==12.3.0 ansible-core==2.19.14)

prog=install-kolla-ansible
. "$here/lib.sh"
python=/usr/bin/python3
[[ -x $python ]] || die "missing $python: install the Debian package python3"
"$python" -c 'import venv, ensurepip' 2>/dev/null || die "$python has no venv: install the Debian package python3-venv"
[[ -r $collection ]] || die "missing $collection (the repository's ../shared/kolla)"
key=$(cat "$self" "$here/lib.sh" "$collection" | sha256sum | cut -c1-16)

mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9>"$out/.lock"
flock -w 900 9 || die "another install holds $out/.lock"

if [[ -x $out/venv/bin/kolla-ansible && -f $out/manifest ]] && grep -qx "key=$key" "$out/manifest"; then
  log "$out is current (key $key)"
  exit 0
fi

start=$SECONDS
rm -rf "$out/venv" "$out/collections" "$out/manifest"
# Debian's python3, not whichever one a user's PATH finds first.
"$python" -m venv "$out/venv"
log "venv made"
"$out/venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" || die "pip install ${pins[*]} failed"
log "installed ${pins[*]} in $((SECONDS - start)) s"

# ansible-galaxy's layout: COLLECTIONS_PATH/ansible_collections/NAMESPACE/NAME.
target=$out/collections/ansible_collections/openstack
mkdir -p "$target"
tar -C "$target" -xzf "$collection"
mv "$target/ansible-collection-kolla" "$target/kolla"
ANSIBLE_COLLECTIONS_PATH=$out/collections "$out/venv/bin/ansible-galaxy" collection list openstack.kolla 2>/dev/null |
  grep -q '^openstack\.kolla ' || die "ansible-galaxy does not see openstack.kolla in $out/collections"
log "openstack.kolla unpacked into $out/collections"

{
  echo "# kolla-ansible for the lab's prechecks, installed by Scripts/install-kolla-ansible.sh"
  echo "key=$key"
  "$out/venv/bin/pip" freeze --disable-pip-version-check | grep -E '^(kolla-ansible|ansible|ansible-core)==' | sed 's/^/package /'
} >"$out/manifest.tmp"
mv -f "$out/manifest.tmp" "$out/manifest"
log "$out ready in $((SECONDS - start)) s"
