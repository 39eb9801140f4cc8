#!/usr/bin/env bash
# An sshd on 127.0.0.1 only, so a stand-in host of Scripts/second-libvirtd.sh
# can also be reached the way a real remote host is: qemu+ssh://
# (see Docs/multi-host.md). Its own host key, client key, known_hosts and
# config; root's ~/.ssh and the system's sshd are not touched.
#
# Usage: Scripts/loopback-sshd.sh start         starts it (idempotent)
#        Scripts/loopback-sshd.sh stop          stops it (idempotent)
#        Scripts/loopback-sshd.sh status        exit 0 if a key login works, else 1
#        Scripts/loopback-sshd.sh uri [NAME]    prints the qemu+ssh URI of stand-in NAME (default host2)
# Env:   VMCTL_HOSTS_DIR  (default /var/lib/vmctl/hosts; state in its .sshd/)
#        VMCTL_SSHD_PORT  (default 2222)
# Needs the Debian packages openssh-server, openssh-client and netcat-openbsd
# (the remote side of qemu+ssh runs `nc -U SOCKET` when the URI names a
# socket; virt-ssh-helper would ignore it and reach the main daemon).
set -euo pipefail

prog=loopback-sshd
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

hosts_dir=${VMCTL_HOSTS_DIR:-/var/lib/vmctl/hosts}
dir=$hosts_dir/.sshd
port=${VMCTL_SSHD_PORT:-2222}
[[ $port =~ ^[0-9]+$ ]] || die "bad VMCTL_SSHD_PORT '$port'"

pid() { [[ -s $dir/sshd.pid ]] && cat "$dir/sshd.pid" 2>/dev/null || true; }
login_works() { [[ -x $dir/ssh ]] && timeout 10 "$dir/ssh" -p "$port" root@127.0.0.1 true </dev/null >/dev/null 2>&1; }

case ${1:-} in
  start)
    [[ $(id -u) -eq 0 ]] || die "must run as root"
    for c in sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client nc:netcat-openbsd; do
      command -v "${c%%:*}" >/dev/null 2>&1 || [[ -x /usr/sbin/${c%%:*} ]] ||
        die "missing '${c%%:*}': install the Debian package ${c#*:}"
    done
    mkdir -p "$dir"
    if alive "$(pid)" && login_works; then
      echo "$prog: already up on 127.0.0.1:$port"
      exit 0
    fi
    alive "$(pid)" && kill "$(pid)" 2>/dev/null || true
    [[ -s $dir/host_key ]] || ssh-keygen -q -t ed25519 -N '' -C vmctl-loopback-host -f "$dir/host_key"
    [[ -s $dir/client_key ]] || ssh-keygen -q -t ed25519 -N '' -C vmctl-loopback-client -f "$dir/client_key"
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    chmod 600 "$dir/authorized_keys"
    printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
    cat >"$dir/sshd_config" <<EOF
# Scripts/loopback-sshd.sh: loopback only, key only
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
EOF
    cat >"$dir/ssh" <<EOF
#!/bin/sh
# ssh for qemu+ssh URIs of Scripts/loopback-sshd.sh (libvirt's command=): its own key and known_hosts
exec ssh -F none -o UserKnownHostsFile=$dir/known_hosts -o StrictHostKeyChecking=yes \\
  -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 -i $dir/client_key "\$@"
EOF
    chmod 755 "$dir/ssh"
    mkdir -p /run/sshd   # sshd's privilege-separation directory
    rm -f "$dir/sshd.pid"
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" ||
      die "sshd did not start: $(tail -n 1 "$dir/sshd.log" 2>/dev/null)"
    for _ in $(seq 1 50); do
      if login_works; then
        echo "$prog: up on 127.0.0.1:$port (pid $(pid))"
        exit 0
      fi
      sleep 0.1
    done
    alive "$(pid)" && kill "$(pid)" 2>/dev/null || true
    die "no key login on 127.0.0.1:$port within 5 s: $(tail -n 1 "$dir/sshd.log" 2>/dev/null)"
    ;;
  stop)
    p=$(pid)
    if alive "$p"; then
      kill "$p"
      for _ in $(seq 1 50); do alive "$p" || break; sleep 0.1; done
      alive "$p" && kill -KILL "$p" 2>/dev/null || true
    fi
    rm -f "$dir/sshd.pid"
    echo "$prog: stopped"
    ;;
  status)
    if alive "$(pid)" && login_works; then
      echo "$prog: up on 127.0.0.1:$port (pid $(pid))"
    else
      echo "$prog: not answering on 127.0.0.1:$port"
      exit 1
    fi
    ;;
  uri)
    name=${2:-host2}
    [[ $name =~ ^[A-Za-z0-9_-]{1,32}$ ]] || die "bad NAME '$name'"
    echo "qemu+ssh://root@127.0.0.1:$port/system?socket=$hosts_dir/$name/run/libvirt/libvirt-sock&command=$dir/ssh&no_tty=1"
    ;;
  *)
    die "usage: $0 start|stop|status|uri [NAME]"
    ;;
esac
