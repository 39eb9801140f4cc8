#!/usr/bin/env bash
# Installs the Debian packages vmctl needs to build, test and run its test bed.
# Skips apt entirely when everything is already installed.
# Usage: Scripts/install-deps.sh   (as root, on Debian 12)
set -euo pipefail

packages=(
  # build: the C APIs behind the CLibvirt and CYAML module maps
  libvirt-dev libyaml-dev pkg-config
  # the daemon, its QEMU driver and clients (virsh, virt-xml-validate, virt-host-validate)
  libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
  qemu-system-x86 qemu-utils
  # UEFI guests (vm create --firmware uefi): OVMF and its firmware descriptors for libvirt's auto-selection
  ovmf
  # NAT networks: dnsmasq, firewall backends, bridges
  dnsmasq-base iptables nftables iproute2 bridge-utils
  # the test guest image (Scripts/build-test-image.sh)
  linux-image-cloud-amd64 busybox-static e2fsprogs cpio genisoimage kmod
  # XML schema validation, libvirt-python for the benchmark, valgrind for the leak check
  libxml2-utils python3-libvirt valgrind
  # libvirt's XML test corpus (Scripts/fetch-libvirt-corpus.sh unpacks the .orig.tar.xz)
  xz-utils
  # seed-ISO checks and generated-inventory checks
  cloud-init ansible-core
  # kolla-ansible's venv for the lab's prechecks (Scripts/install-kolla-ansible.sh)
  python3-venv
  # the real Debian guest (Scripts/build-cloud-image.sh) and reaching it
  mmdebstrap extlinux syslinux-common fdisk openssh-client
  # the .deb (Scripts/package.sh: strip, readelf, dpkg-shlibdeps) and its clean-root test (Scripts/test-package.sh)
  binutils dpkg-dev
  # image fetch: links the GnuTLS build of libcurl that libvirt0 already links (libcurl3-gnutls),
  # with curl's own header; python3 runs its test server (Scripts/test-http-server.py)
  libcurl4-gnutls-dev python3
  # signed checksum files: gpgv verifies them; gpg makes the tests' signing keys
  gpgv gnupg
  # start-up benchmark (Benchmarks/startup.sh): wall time and peak RSS
  hyperfine time
  # the host serves time to labs whose plan names no ntp_servers (Scripts/start-chronyd.sh)
  chrony
  # the stand-in second host's own sshd (Scripts/second-libvirtd.sh sshd), for the qemu+ssh channel;
  # only its binary is used: that script runs it in the stand-in's namespaces with a config of its own
  openssh-server
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# No recommends: they would pull in systemd units, AppArmor profiles and X.
apt-get install -y -q --no-install-recommends "${missing[@]}"
