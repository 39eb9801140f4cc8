#!/usr/bin/env bash
# Starts chronyd so that this host serves time to vmctl's labs, on a machine
# without systemd (CI containers, this project's dev machines); where systemd
# runs chrony, this only adds the `local` line and asks you to restart it.
# Idempotent: does nothing when chronyd already runs.
#
# chronyd runs with -x: it never steps or slews this host's clock (the host
# is shared). `local stratum 10` makes it serve the host's clock when it has
# no upstream source (offline test beds). Which subnets may ask is up to
# `vmctl lab up`: /etc/chrony/conf.d/vmctl-LAB.conf, one `allow` per lab
# management network (Docs/labs.md, "Time").
# Usage: Scripts/start-chronyd.sh [--stop]
set -euo pipefail

pidfile=/run/chrony/chronyd.pid
conf_dir=/etc/chrony/conf.d
local_conf=$conf_dir/vmctl-local.conf
running() { [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

if [[ "${1:-}" == "--stop" ]]; then
  running && kill "$(cat "$pidfile")"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "start-chronyd: must run as root" >&2; exit 1; }
command -v chronyd >/dev/null || { echo "start-chronyd: chronyd missing: apt-get install chrony (Scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$conf_dir" /var/lib/chrony /var/log/chrony
# chronyd drops to _chrony and makes its command socket (chronyc allow, as
# root) in /run/chrony: the directory must be that user's, as Debian's unit has it.
if id _chrony >/dev/null 2>&1; then install -d -o _chrony -g _chrony -m 0750 /run/chrony; else mkdir -p /run/chrony; fi
if [[ ! -f $local_conf ]]; then
  cat >"$local_conf" <<CONF
# Written by Scripts/start-chronyd.sh: serve this host's clock to lab guests
# when no upstream source answers. The allow lines are in vmctl-LAB.conf.
local stratum 10
CONF
fi
if running; then
  echo "start-chronyd: chronyd already runs (pid $(cat "$pidfile"))"
  exit 0
fi
chronyd -x
for _ in $(seq 1 50); do
  if running; then
    # lab up may have written allow lines before chronyd ran: chronyd read them at start.
    echo "start-chronyd: chronyd runs (pid $(cat "$pidfile")), serving $(cat "$conf_dir"/vmctl-*.conf 2>/dev/null | grep -c '^allow') lab subnets"
    exit 0
  fi
  sleep 0.1
done
echo "start-chronyd: chronyd did not start" >&2
exit 1
