#!/usr/bin/env bash
# A second libvirtd on this machine that stands in for a second lab host
# (see Docs/multi-host.md).
#
# It runs in namespaces of its own: a mount namespace whose /run/libvirt,
# /var/lib/libvirt, /etc/libvirt, /var/log/libvirt and /var/cache/libvirt are
# bind mounts of directories under /var/lib/vmctl/hosts/NAME/, a network
# namespace (only loopback, so its NAT networks get bridges, iptables rules and
# dnsmasq of their own and never touch the host's), and a UTS namespace (its
# hostname is NAME). Its own virtlogd and libvirtd keep their pid files in the
# state directory. Its socket is a file on the host's filesystem, reached as
#   qemu+unix:///system?socket=/var/lib/vmctl/hosts/NAME/run/libvirt/libvirt-sock
#
# Usage: Scripts/second-libvirtd.sh start  [NAME]  starts it (idempotent), prints the URI
#        Scripts/second-libvirtd.sh stop   [NAME]  kills everything in its namespaces
#                                                 (daemons, guests, dnsmasq); idempotent
#        Scripts/second-libvirtd.sh status [NAME]  exit 0 and the URI if it answers, else 1
#        Scripts/second-libvirtd.sh restart-daemon [NAME]  restarts only its libvirtd, in
#                                                 the same namespaces: guests, networks and
#                                                 libvirt's run state stay, as in a real restart
#        Scripts/second-libvirtd.sh uri    [NAME]  prints the URI (no check)
#        Scripts/second-libvirtd.sh exec   NAME CMD...  runs CMD in its mount+net+UTS
#                                                 namespaces (e.g. `exec host2 ip link`)
#        Scripts/second-libvirtd.sh purge  [NAME]  stop, then delete its state directory
#        Scripts/second-libvirtd.sh wire   [NAME]  a veth pair between the host's network
#                                                 namespace and its own (the "wire" a
#                                                 spanned lab network's VXLAN runs over);
#                                                 idempotent; prints HOSTDEV HOSTADDR PEERDEV PEERADDR
#        Scripts/second-libvirtd.sh unwire [NAME]  deletes that pair (stop does too)
#        Scripts/second-libvirtd.sh sshd   [NAME]  an sshd inside its namespaces, listening
#                                                 only on its end of the wire (needs `wire`);
#                                                 key login as root only; its own keys and
#                                                 known_hosts in NAME/ssh/; idempotent;
#                                                 prints the qemu+ssh URI that reaches NAME
#        Scripts/second-libvirtd.sh unsshd [NAME]  stops that sshd (stop does too)
# NAME defaults to host2 ([A-Za-z0-9_-], at most 32 characters).
# Env:   VMCTL_HOSTS_DIR  parent of the state directories (default /var/lib/vmctl/hosts)
#        VMCTL_WIRE_NET  the wire's /30 as A.B.C.D, its first address the host's,
#                        its second the stand-in's (default 10.251.23.0)
#        VMCTL_HOST_START_TIMEOUT  seconds to wait for libvirtd to answer (default 30)
#        VMCTL_HOST_SSHD_PORT  the port of `sshd` (default 2222)
# Runs as root, without systemd. The host's own libvirtd is never touched.
# State kept across stop/start (like a host's disk): its config (etc/, with the
# networks, domains and pools defined through it) and lib/. Cleared on stop
# (like /run at a reboot): run/.
set -euo pipefail

prog=second-libvirtd
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd=${1:-}
[[ -n $cmd ]] || die "usage: $0 start|stop|status|uri|purge [NAME] | exec NAME CMD..."
name=${2:-host2}
[[ $name =~ ^[A-Za-z0-9_-]{1,32}$ ]] || die "bad NAME '$name' (use 1-32 of A-Z a-z 0-9 _ -)"

hosts_dir=${VMCTL_HOSTS_DIR:-/var/lib/vmctl/hosts}
state=$hosts_dir/$name
pids=$state/pids
sock=$state/run/libvirt/libvirt-sock
uri="qemu+unix:///system?socket=$sock"
start_timeout=${VMCTL_HOST_START_TIMEOUT:-30}
# host directory -> directory under $state bind-mounted over it
binds=(/run/libvirt:run/libvirt /var/lib/libvirt:lib /etc/libvirt:etc /var/log/libvirt:log /var/cache/libvirt:cache)

answers() { timeout 10 virsh -q -c "$uri" version >/dev/null 2>&1; }
pid_of() { [[ -s $pids/$1.pid ]] && cat "$pids/$1.pid" 2>/dev/null || true; }
last_log() { tr -s '\n' <"$state/log/holder.log" 2>/dev/null | tail -n 1 | cut -c1-300 || true; }
# A process inside its namespaces: the holder, or a daemon if the holder died.
ns_pid() {
  local d p n
  for d in holder libvirtd virtlogd; do
    p=$(pid_of $d)
    n=$(readlink "/proc/$p/ns/net" 2>/dev/null || true)
    if alive "$p" && [[ -n $n && $n != "$(readlink /proc/self/ns/net)" ]]; then echo "$p"; return 0; fi
  done
  return 0
}

# The namespace ids recorded at start ("net:[4026532...] mnt:[...]"). A process
# belongs to this host when it is in that network namespace and either in that
# mount namespace too (holder, virtlogd, libvirtd, dnsmasq) or named by a pid
# file under its run/libvirt (QEMU: libvirt gives each guest a mount namespace
# of its own for /dev). Matching on both guards against a recorded namespace id
# that the kernel has since reused for someone else's namespace. A QEMU in that
# network namespace whose pid file libvirt has already removed (a guest it gave
# up on after a restart) is ours too: CI found three such guests still running
# after a purge. The namespace match alone is safe while any process of ours
# keeps that namespace alive, as such a QEMU does: its id cannot be reused then.
ns_ids() { echo "$(readlink "/proc/$1/ns/net") $(readlink "/proc/$1/ns/mnt")"; }
members() {
  local net mnt p pat ours
  [[ -s $pids/ns-ids ]] || return 0
  read -r net mnt <"$pids/ns-ids"
  ours=" $(cat "$state"/run/libvirt/*/*.pid 2>/dev/null | tr '\n' ' ' || true) "
  pat=${net//[/\\[}
  pat=${pat//]/\\]}
  find /proc/[0-9]*/ns/net -maxdepth 0 -lname "$pat" 2>/dev/null | cut -d/ -f3 |
    while read -r p; do
      if [[ $(readlink "/proc/$p/ns/mnt" 2>/dev/null) == "$mnt" || $ours == *" $p "* ||
        $(readlink "/proc/$p/exe" 2>/dev/null) == */qemu-system-* ]]; then echo "$p"; fi
    done
  return 0
}

# wait_gone SECONDS PID...: true once none of the PIDs is alive.
wait_gone() {
  local secs=$1 i p left
  shift
  for ((i = 0; i < secs * 10; i++)); do
    left=0
    for p in "$@"; do alive "$p" && left=1 && break; done
    [[ $left -eq 0 ]] && return 0
    sleep 0.1
  done
  return 1
}

do_stop() {
  local lv ps
  # libvirtd first, so it does not see its guests die and rewrite their state.
  lv=$(pid_of libvirtd)
  if alive "$lv" && [[ " $(members | tr '\n' ' ')" == *" $lv "* ]]; then
    kill -TERM "$lv" 2>/dev/null || true
    wait_gone 10 "$lv" || kill -KILL "$lv" 2>/dev/null || true
  fi
  # Then everything else in its namespaces: guests (qemu), dnsmasq, virtlogd,
  # the namespace holder. When the last one exits, the namespaces and every
  # mount in them are gone (none was ever made in the host's namespace).
  mapfile -t ps < <(members)
  if [[ ${#ps[@]} -gt 0 ]]; then
    kill -TERM "${ps[@]}" 2>/dev/null || true
    if ! wait_gone 10 "${ps[@]}"; then
      kill -KILL "${ps[@]}" 2>/dev/null || true
      wait_gone 10 "${ps[@]}" || die "processes $(members | tr '\n' ' ')of '$name' survive SIGKILL"
    fi
  fi
  mapfile -t ps < <(members)
  [[ ${#ps[@]} -eq 0 ]] || die "processes ${ps[*]} of '$name' still run after stop"
  # Like /run after a reboot: no stale domain/network status for the next start.
  rm -rf "$state/run/libvirt" "$pids"
}

# Writes the state directory's config once: a copy of the host's /etc/libvirt
# without the host's definitions (a fresh host has no guests, networks, pools
# or secrets of ours), the qemu.conf settings of Scripts/start-libvirtd.sh, and
# a host UUID of its own (both daemons would otherwise report the SMBIOS one).
init_state() {
  mkdir -p "$state"/{run/libvirt,lib,log/qemu,cache} "$pids"
  mkdir -p "$state"/lib/{images,boot,qemu,network,dnsmasq}
  # The QEMU capabilities cache of the host's daemon: probing QEMU takes ~8 s
  # here; libvirt revalidates every entry (binary ctime, libvirt version,
  # host CPU), so a copy from the same machine is safe.
  if [[ ! -d $state/cache/qemu && -d /var/cache/libvirt/qemu/capabilities ]]; then
    cp -a /var/cache/libvirt/qemu "$state/cache/qemu" 2>/dev/null || rm -rf "$state/cache/qemu"
  fi
  [[ -f $state/etc/.vmctl-initialized ]] && return 0
  rm -rf "$state/etc" "$state/etc.tmp"
  cp -a /etc/libvirt "$state/etc.tmp"
  local e=$state/etc.tmp
  rm -f "$e"/qemu/*.xml "$e"/qemu/autostart/* "$e"/qemu/networks/*.xml \
    "$e"/qemu/networks/autostart/* "$e"/storage/*.xml "$e"/storage/autostart/* \
    "$e"/secrets/* "$e"/nodedev/*.xml "$e"/nodedev/autostart/* 2>/dev/null || true
  local marker="# vmctl test bed (Scripts/start-libvirtd.sh)"
  if ! grep -qF "$marker" "$e/qemu.conf"; then
    cat >>"$e/qemu.conf" <<CONF

$marker
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
CONF
  fi
  # Warnings and errors go to $state/log/libvirtd.log (/var/log/libvirt in its
  # namespace): when a job cannot start, libvirt names the job that holds the domain.
  local hmarker="# vmctl stand-in host $name (Scripts/second-libvirtd.sh)"
  if ! grep -qF "$hmarker" "$e/libvirtd.conf"; then
    printf '\n%s\nhost_uuid = "%s"\nlog_outputs = "3:file:/var/log/libvirt/libvirtd.log"\n' \
      "$hmarker" "$(cat /proc/sys/kernel/random/uuid)" >>"$e/libvirtd.conf"
  fi
  touch "$e/.vmctl-initialized"
  mv "$e" "$state/etc"
}

# The namespace holder: sets up the mounts, loopback and hostname, records its
# pid, then sleeps so the namespaces outlive any daemon restart.
holder_script='
set -euo pipefail
state=$1; name=$2; shift 2
for b in "$@"; do
  mkdir -p "${b%%:*}"
  mount --bind "$state/${b#*:}" "${b%%:*}"
done
# sysfs as seen from the new network namespace (libvirt reads bridge
# attributes under /sys/class/net); cgroups are not used (cgroup_controllers []).
umount -l /sys 2>/dev/null || true
mount -t sysfs sysfs /sys
ip link set lo up
echo "$name" >/proc/sys/kernel/hostname
echo $$ >"$state/pids/holder.pid.tmp"
mv "$state/pids/holder.pid.tmp" "$state/pids/holder.pid"
exec sleep infinity
'

do_start() {
  local t0 h i lv
  t0=$(date +%s.%N)
  if answers; then
    echo "$prog: '$name' already answers"
    echo "$uri"
    return 0
  fi
  # A half-started or crashed earlier instance: clean it up first.
  do_stop
  for c in unshare nsenter virsh libvirtd virtlogd ip timeout; do
    command -v "$c" >/dev/null 2>&1 || die "missing '$c' (util-linux, iproute2, libvirt-clients, libvirt-daemon)"
  done
  id libvirt-qemu >/dev/null 2>&1 || die "user libvirt-qemu missing: run Scripts/start-libvirtd.sh once first"
  init_state
  [[ ${#sock} -lt 108 ]] || die "socket path $sock is too long for a unix socket (>107 bytes)"

  setsid unshare --mount --propagation private --net --uts -- \
    bash -c "$holder_script" holder "$state" "$name" "${binds[@]}" \
    </dev/null >"$state/log/holder.log" 2>&1 9>&- &
  local bg=$!
  for ((i = 0; i < 100; i++)); do
    [[ -s $pids/holder.pid ]] && break
    if ! alive "$bg"; then
      sleep 0.5
      [[ -s $pids/holder.pid ]] && break
      do_stop
      die "namespace setup failed: $(last_log)"
    fi
    sleep 0.1
  done
  h=$(pid_of holder)
  alive "$h" || die "namespace holder did not come up within 10 s; see $state/log/holder.log"
  ns_ids "$h" >"$pids/ns-ids"
  [[ $(readlink "/proc/$h/ns/net") != "$(readlink /proc/self/ns/net)" ]] || { do_stop; die "holder is in the host's network namespace"; }

  local in_ns=(nsenter --target "$h" --mount --net --uts --)
  if ! "${in_ns[@]}" virtlogd --daemon --pid-file "$pids/virtlogd.pid" >>"$state/log/holder.log" 2>&1 9>&-; then
    do_stop; die "virtlogd did not start: $(last_log) (log: $state/log/holder.log)"
  fi
  if ! "${in_ns[@]}" libvirtd --daemon --pid-file "$pids/libvirtd.pid" >>"$state/log/holder.log" 2>&1 9>&-; then
    do_stop; die "libvirtd did not start: $(last_log) (log: $state/log/holder.log)"
  fi
  for ((i = 0; i < start_timeout * 5; i++)); do
    if answers; then
      lv=$(pid_of libvirtd)
      echo "$prog: '$name' is up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s (libvirtd pid $lv, $(readlink "/proc/$h/ns/net"))"
      echo "$uri"
      return 0
    fi
    lv=$(pid_of libvirtd)
    if [[ -n $lv ]] && ! alive "$lv"; then
      do_stop; die "libvirtd exited during start-up: $(last_log) (log: $state/log/holder.log)"
    fi
    sleep 0.2
  done
  do_stop
  die "libvirtd of '$name' did not answer on $uri within $start_timeout s (stopped again)"
}

# The wire: a veth pair, one end in the host's network namespace (named from
# NAME, at most 15 characters), the other, vmctlwire0, in the stand-in's; a
# /30 of the project's own (10.251.23.0/30: tests hand out 10.200-249.77.0/24,
# NoCloud's seed boots 10.254.77.0/24). Nothing is routed: only the two ends
# reach each other. A spanned lab network's VXLAN runs over it.
wire_net=${VMCTL_WIRE_NET:-10.251.23.0}
[[ $wire_net =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "bad VMCTL_WIRE_NET '$wire_net' (A.B.C.D)"
(( BASH_REMATCH[4] % 4 == 0 && BASH_REMATCH[1] < 256 && BASH_REMATCH[2] < 256 && BASH_REMATCH[3] < 256 && BASH_REMATCH[4] < 256 )) ||
  die "bad VMCTL_WIRE_NET '$wire_net' (the first address of a /30)"
wire_prefix="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
wire_host_addr="$wire_prefix.$((BASH_REMATCH[4] + 1))"
wire_peer_addr="$wire_prefix.$((BASH_REMATCH[4] + 2))"
wire_host_dev="vw$(printf '%s' "$name" | cksum | cut -d' ' -f1 | cut -c1-8)"
wire_peer_dev=vmctlwire0

do_wire() {
  local h
  h=$(pid_of holder)
  alive "$h" || die "'$name' is not running (no namespace holder); start it first"
  local in_ns=(nsenter --target "$h" --net --)
  if ip link show dev "$wire_host_dev" >/dev/null 2>&1; then
    # Ours only when its peer is the stand-in's end with the wire's address.
    "${in_ns[@]}" ip -4 -o addr show dev "$wire_peer_dev" 2>/dev/null | grep -qF " $wire_peer_addr/30 " ||
      die "a link $wire_host_dev exists but $name has no $wire_peer_dev with $wire_peer_addr/30: not ours; left alone"
  else
    # Refused when the /30 is already in use here (an address or a route).
    if ip -4 -o addr show | grep -qE " ($wire_host_addr|$wire_peer_addr)/" ||
      [[ -n $(ip -4 route show to match "$wire_host_addr" | grep -v '^default') ]]; then
      die "$wire_net/30 is already used on this host (set VMCTL_WIRE_NET to a free /30)"
    fi
    ip link add "$wire_host_dev" type veth peer name "$wire_peer_dev" netns "$h"
    ip addr add "$wire_host_addr/30" dev "$wire_host_dev"
    ip link set "$wire_host_dev" up
    "${in_ns[@]}" ip addr add "$wire_peer_addr/30" dev "$wire_peer_dev"
    "${in_ns[@]}" ip link set "$wire_peer_dev" up
  fi
  echo "$wire_host_dev $wire_host_addr $wire_peer_dev $wire_peer_addr"
}

# An sshd inside the stand-in's mount, network and UTS namespaces, as a real
# host's: `ssh … ip link add …` changes the stand-in's kernel networking, and
# a session sees the stand-in's /run/libvirt, so qemu+ssh reaches its libvirtd
# at the default socket (virt-ssh-helper), with no socket= in the URI. It
# listens only on the stand-in's end of the wire; key login as root only. Its
# host key, the client key, authorized_keys, known_hosts (written here, the
# only host key ssh accepts for it) and config are in NAME/ssh/; root's ~/.ssh
# and the system's sshd are untouched. Its pid is in pids/, so stop kills it
# with the rest of the namespaces.
ssh_dir=$state/ssh
sshd_port=${VMCTL_HOST_SSHD_PORT:-2222}
[[ $sshd_port =~ ^[0-9]{1,5}$ ]] && ((sshd_port > 0 && sshd_port < 65536)) || die "bad VMCTL_HOST_SSHD_PORT '$sshd_port'"
# libvirt's ssh transport passes keyfile= as -i but not known_hosts= (libvirt
# 9.0: only its libssh transports read that), so command= names a wrapper that
# makes OpenSSH check the host key against this known_hosts and nothing else.
ssh_uri="qemu+ssh://root@$wire_peer_addr:$sshd_port/system?keyfile=$ssh_dir/client_key&known_hosts=$ssh_dir/known_hosts&command=$ssh_dir/ssh&no_tty=1"
sshd_login() {
  timeout 10 "$ssh_dir/ssh" -i "$ssh_dir/client_key" -p "$sshd_port" "root@$wire_peer_addr" hostname </dev/null 2>/dev/null
}

# Stops the sshd of pids/sshd.pid: ours only while it is in the stand-in's
# namespaces (a reused pid is not).
stop_sshd() {
  local p
  p=$(pid_of sshd)
  if alive "$p" && [[ " $(members | tr '\n' ' ')" == *" $p "* ]]; then
    kill -TERM "$p" 2>/dev/null || true
    wait_gone 10 "$p" || kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$pids/sshd.pid"
}

do_sshd() {
  local h p
  for c in /usr/sbin/sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client; do
    command -v "${c%%:*}" >/dev/null 2>&1 || die "missing '${c%%:*}': install the Debian package ${c#*:}"
  done
  h=$(pid_of holder)
  alive "$h" || die "'$name' is not running (no namespace holder); start it first"
  local in_ns=(nsenter --target "$h" --mount --net --uts --)
  "${in_ns[@]}" ip -4 -o addr show dev "$wire_peer_dev" 2>/dev/null | grep -qF " $wire_peer_addr/30 " ||
    die "'$name' has no $wire_peer_dev with $wire_peer_addr/30: run '$0 wire $name' first (same VMCTL_WIRE_NET)"
  p=$(pid_of sshd)
  if alive "$p" && [[ $(sshd_login) == "$name" ]]; then
    echo "$prog: sshd of '$name' already answers on $wire_peer_addr:$sshd_port (pid $p)"
    echo "$ssh_uri"
    return 0
  fi
  stop_sshd
  mkdir -p "$ssh_dir"
  chmod 700 "$ssh_dir"
  [[ -s $ssh_dir/host_key ]] || ssh-keygen -q -t ed25519 -N '' -C "vmctl-stand-in-$name" -f "$ssh_dir/host_key"
  [[ -s $ssh_dir/client_key ]] || ssh-keygen -q -t ed25519 -N '' -C "vmctl-client-of-$name" -f "$ssh_dir/client_key"
  cp "$ssh_dir/client_key.pub" "$ssh_dir/authorized_keys"
  chmod 600 "$ssh_dir/authorized_keys"
  local hostpat=$wire_peer_addr
  [[ $sshd_port == 22 ]] || hostpat="[$wire_peer_addr]:$sshd_port"
  printf '%s %s\n' "$hostpat" "$(cut -d' ' -f1,2 "$ssh_dir/host_key.pub")" >"$ssh_dir/known_hosts"
  cat >"$ssh_dir/sshd_config" <<EOF
# Scripts/second-libvirtd.sh sshd $name: on the stand-in's end of the wire only, root by key only
ListenAddress $wire_peer_addr:$sshd_port
HostKey $ssh_dir/host_key
PidFile $pids/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
AllowStreamLocalForwarding no
PermitTunnel no
PermitUserEnvironment no
LogLevel VERBOSE
EOF
  cat >"$ssh_dir/ssh" <<EOF
#!/bin/sh
# ssh for the qemu+ssh URI of stand-in '$name' (libvirt's command=): only its known_hosts, strict
exec ssh -F none -o UserKnownHostsFile=$ssh_dir/known_hosts -o GlobalKnownHostsFile=/dev/null \\
  -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR "\$@"
EOF
  chmod 755 "$ssh_dir/ssh"
  rm -f "$pids/sshd.pid"
  # sshd's privilege separation directory (/run is the host's outside /run/libvirt).
  "${in_ns[@]}" mkdir -p /run/sshd
  "${in_ns[@]}" /usr/sbin/sshd -f "$ssh_dir/sshd_config" -E "$state/log/sshd.log" 9>&- ||
    die "sshd did not start: $(tail -n 1 "$state/log/sshd.log" 2>/dev/null)"
  # Bounded as a whole: each try is bounded by timeout(1) and ConnectTimeout.
  local deadline=$((SECONDS + 15))
  while ((SECONDS < deadline)); do
    if [[ $(sshd_login) == "$name" ]]; then
      echo "$prog: sshd of '$name' is up on $wire_peer_addr:$sshd_port (pid $(pid_of sshd), log $state/log/sshd.log)"
      echo "$ssh_uri"
      return 0
    fi
    sleep 0.2
  done
  stop_sshd
  die "no key login to '$name' on $wire_peer_addr:$sshd_port within 15 s: $(tail -n 1 "$state/log/sshd.log" 2>/dev/null)"
}

# Serialise start/stop/purge of one NAME; every command that changes it runs as root.
lock() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  mkdir -p "$hosts_dir"
  exec 9>"$hosts_dir/.$name.lock"
  flock -w 60 9 || die "another start/stop of '$name' holds $hosts_dir/.$name.lock for over 60 s"
}

case $cmd in
  start)
    lock
    do_start
    ;;
  stop)
    lock
    do_stop
    echo "$prog: '$name' stopped"
    ;;
  purge)
    lock
    do_stop
    rm -rf "$state"
    rm -f "$hosts_dir/.$name.lock"
    echo "$prog: '$name' stopped and $state removed"
    ;;
  status)
    if answers; then
      h=$(ns_pid)
      echo "$prog: '$name' answers (libvirtd pid $(pid_of libvirtd), $(readlink "/proc/$h/ns/net" 2>/dev/null || echo 'namespace unknown'))"
      echo "$uri"
    else
      n=$(members | wc -l)
      echo "$prog: '$name' does not answer on $uri ($n processes left in its namespaces; '$0 stop $name' clears them)"
      exit 1
    fi
    ;;
  restart-daemon)
    lock
    h=$(pid_of holder)
    alive "$h" || die "'$name' has no namespace holder; use start"
    lv=$(pid_of libvirtd)
    if [[ -n $lv ]] && alive "$lv"; then
      kill -TERM "$lv" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do alive "$lv" || break; sleep 0.1; done
    fi
    # libvirtd reconnects to the guests still running from /run/libvirt/qemu.
    nsenter --target "$h" --mount --net --uts -- libvirtd --daemon --pid-file "$pids/libvirtd.pid" \
      >>"$state/log/holder.log" 2>&1 9>&- || die "libvirtd did not start: $(last_log)"
    for ((i = 0; i < start_timeout * 5; i++)); do
      if answers; then
        echo "$prog: '$name' libvirtd restarted (pid $(pid_of libvirtd))"
        echo "$uri"
        exit 0
      fi
      sleep 0.2
    done
    die "libvirtd did not answer within ${start_timeout} s after the restart (log: $state/log/holder.log)"
    ;;
  uri)
    echo "$uri"
    ;;
  wire)
    lock
    do_wire
    ;;
  unwire)
    lock
    # Deleting one end of a veth pair deletes both.
    if ip link show dev "$wire_host_dev" >/dev/null 2>&1; then ip link del "$wire_host_dev"; fi
    echo "$prog: '$name' has no wire"
    ;;
  sshd)
    lock
    do_sshd
    ;;
  unsshd)
    lock
    stop_sshd
    echo "$prog: '$name' has no sshd"
    ;;
  exec)
    [[ $# -ge 3 ]] || die "usage: $0 exec NAME CMD..."
    h=$(ns_pid)
    [[ -n $h ]] || die "'$name' is not running (no process in its namespaces)"
    shift 2
    exec nsenter --target "$h" --mount --net --uts -- "$@"
    ;;
  *)
    die "unknown command '$cmd' (start|stop|status|restart-daemon|uri|exec|purge|wire|unwire|sshd|unsshd)"
    ;;
esac
