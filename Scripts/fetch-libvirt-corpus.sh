#!/usr/bin/env bash
# Fetches libvirt 9.0.0's own XML test documents (Debian 12's libvirt source
# package) for LibvirtXMLTests' corpus test, and records which of them
# libvirt's schema accepts.
#
# Output, in DIR:
#   libvirt-9.0.0/tests/  the test folders of libvirt's source
#   corpus.tsv            one document a line: PATH (under tests/), ROOT
#                         element, and "valid" or "invalid" (virt-xml-validate)
#   manifest              the cache key
#
# Selected: the documents of the kinds LibvirtXML models (domain, network,
# pool, volume, domainsnapshot, capabilities, domainCapabilities) in the
# tests/*xml2xml* folders, qemuxml2argvdata, vircaps2xmldata and
# domaincapsdata. The download uses a sources.list of its own (deb-src lines
# for bookworm) under a temporary directory, not the machine's apt setup.
# Cached: when the manifest's key (this script's sha256) matches, nothing is
# fetched or validated again.
#
# Needs: apt-get, dpkg-source's tools (xz-utils), virt-xml-validate
# (libvirt-clients) with xmllint (libxml2-utils). Scripts/install-deps.sh has them.
#
# Usage: Scripts/fetch-libvirt-corpus.sh DIR
# Env:   VMCTL_DEBIAN_MIRROR overrides the mirror (default: deb.debian.org).
set -euo pipefail

out=${1:?usage: fetch-libvirt-corpus.sh DIR}
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
key=$(sha256sum "$self" | cut -c1-16)
mirror=${VMCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
version=9.0.0
package_version=9.0.0-4+deb12u2

prog=fetch-libvirt-corpus
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need apt-get apt
need xz xz-utils
need virt-xml-validate libvirt-clients
need xmllint libxml2-utils

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -f $out/manifest && -f $out/corpus.tsv ]] && grep -qx "key=$key" "$out/manifest"; then
  log "$out/corpus.tsv is current (key $key)"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/vmctl-libvirt-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
{
  echo "deb-src $mirror bookworm main"
  echo "deb-src ${mirror%/debian}/debian-security bookworm-security main"
  echo "deb-src $mirror bookworm-updates main"
} >"$work/sources.list"
apt_options=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${apt_options[@]}" -qq update
(cd "$work/src" && apt-get "${apt_options[@]}" -qq source --download-only "libvirt=$package_version")
rm -rf "$out/libvirt-$version"
tar -C "$out" -xJf "$work/src/libvirt_$version.orig.tar.xz" "libvirt-$version/tests"

tests=$out/libvirt-$version/tests
cd "$tests"
# PATH and root element of each document of a modelled kind.
for file in *xml2xml*/*.xml qemuxml2argvdata/*.xml vircaps2xmldata/*.xml domaincapsdata/*.xml; do
  root=$(grep -m1 -oE '^<[A-Za-z]+' "$file" | tr -d '<' || true)
  case $root in
    domain | network | pool | volume | domainsnapshot | capabilities | domainCapabilities) printf '%s\t%s\n' "$file" "$root" ;;
  esac
done | sort >"$work/selected.tsv"
# Schema validity, once, two at a time (virt-xml-validate starts xmllint per file).
cut -f1 "$work/selected.tsv" | xargs -P2 -I{} sh -c \
  'if virt-xml-validate "$1" >/dev/null 2>&1; then echo "$1	valid"; else echo "$1	invalid"; fi' _ {} |
  sort >"$work/validity.tsv"
join -t $'\t' "$work/selected.tsv" "$work/validity.tsv" >"$out/corpus.tsv"
echo "key=$key" >"$out/manifest"
log "$(wc -l <"$out/corpus.tsv") documents, $(grep -c $'\tvalid$' "$out/corpus.tsv") schema-valid, in $out/corpus.tsv"
