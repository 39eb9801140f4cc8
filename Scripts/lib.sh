# Shell helpers the project's scripts share. Source it after setting `prog`
# (the name messages start with):
#   prog=build-test-image; . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A line on stdout: "PROG: MESSAGE".
log() { echo "$prog: $*"; }

# A line on stderr, then exit 1.
die() { echo "$prog: $*" >&2; exit 1; }

# A failed check: "PROG: FAIL: MESSAGE" on stderr, then exit 1.
fail() { echo "$prog: FAIL: $*" >&2; exit 1; }

# need COMMAND PACKAGE: the command exists, or the Debian package to install is named.
need() { command -v "$1" >/dev/null 2>&1 || die "missing '$1': install the Debian package $2"; }

# alive PID: the process exists and is not a zombie (this machine's init may reap late).
alive() {
  local st
  [[ -n ${1:-} ]] && st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [[ ${st:0:1} != Z ]]
}
