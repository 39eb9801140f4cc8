#!/usr/bin/env bash
# Starts virtlogd and libvirtd with the QEMU driver on a machine without
# systemd or D-Bus (CI containers, this project's dev machines).
# Idempotent: does nothing when libvirtd already answers on qemu:///system.
# Usage: Scripts/start-libvirtd.sh [--stop]
set -euo pipefail

log_dir=/var/log/libvirt
run_dir=/run/libvirt
qemu_conf=/etc/libvirt/qemu.conf

if [[ "${1:-}" == "--stop" ]]; then
  for pidfile in "$run_dir/libvirtd.pid" "$run_dir/virtlogd.pid"; do
    [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "start-libvirtd: must run as root (it edits $qemu_conf and starts system daemons)" >&2
  exit 1
fi

if virsh -q -c qemu:///system version >/dev/null 2>&1; then
  echo "start-libvirtd: libvirtd already answers on qemu:///system"
  exit 0
fi

# The QEMU driver refuses to load unless the libvirt-qemu user exists,
# even when qemu.conf names root (the Debian package normally creates it).
if ! id libvirt-qemu >/dev/null 2>&1; then
  getent group kvm >/dev/null || groupadd --system kvm
  useradd --system --no-create-home --gid kvm --shell /usr/sbin/nologin libvirt-qemu
fi

# Without systemd there is no cgroup delegation and no AppArmor/SELinux
# profile management, so run guests as root, unconfined, outside cgroups.
# Only our own marked block is replaced on re-runs.
marker="# vmctl test bed (Scripts/start-libvirtd.sh)"
if ! grep -qF "$marker" "$qemu_conf"; then
  cat >>"$qemu_conf" <<CONF

$marker
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
CONF
fi

mkdir -p "$log_dir/qemu" "$run_dir" /var/lib/libvirt/images /var/lib/libvirt/boot /var/cache/libvirt

# By pid file, not by process name: Scripts/second-libvirtd.sh runs other
# virtlogd/libvirtd processes (a stand-in second host) on the same machine.
running() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
running "$run_dir/virtlogd.pid" || virtlogd --daemon --pid-file "$run_dir/virtlogd.pid"
running "$run_dir/libvirtd.pid" || libvirtd --daemon --pid-file "$run_dir/libvirtd.pid"

for _ in $(seq 1 100); do
  if virsh -q -c qemu:///system version >/dev/null 2>&1; then
    echo "start-libvirtd: libvirtd $(libvirtd --version | awk '{print $NF}') is up on qemu:///system"
    exit 0
  fi
  sleep 0.2
done
echo "start-libvirtd: libvirtd did not answer on qemu:///system within 20 s; see $log_dir" >&2
exit 1
