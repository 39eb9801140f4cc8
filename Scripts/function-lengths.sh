#!/usr/bin/env bash
# Lists the longest Swift functions (func, init, computed bodies named by `func`/`init`) under the given folders,
# longest first: "<lines> <file>:<line> <name>". A rough brace count: a function runs from its declaration line to
# the line where the brace depth returns to the depth it had before the declaration. Braces inside string literals
# and comments are counted too (rough by design; good enough to find functions over 80 or 100 lines).
# Usage: Scripts/function-lengths.sh [-n COUNT] [DIR...]   (default: Sources/VMCtlKit Sources/vmctl, top 20)
set -euo pipefail
count=20
if [[ "${1:-}" == "-n" ]]; then count="$2"; shift 2; fi
dirs=("$@")
if [[ ${#dirs[@]} -eq 0 ]]; then dirs=(Sources/VMCtlKit Sources/vmctl); fi
find "${dirs[@]}" -name '*.swift' -print0 | xargs -0 awk '
function report() { if (open) { printf "%d %s:%d %s\n", FNR_end - start + 1, file, start, name }; open = 0 }
FNR == 1 { open = 0; depth = 0; file = FILENAME }
{
    line = $0
    sub(/\/\/.*$/, "", line)                     # drop line comments (rough: also inside strings)
    if (!open && line ~ /(^|[^A-Za-z0-9_])(func|init[?!]?)[ (<]/ && line ~ /\{/ ) {
        open = 1; start = FNR; base = depth
        name = line; sub(/^[ \t]+/, "", name); sub(/\{.*$/, "", name); name = substr(name, 1, 90)
    } else if (!open && line ~ /(^|[^A-Za-z0-9_])(func|init[?!]?)[ (<]/) {
        pending = 1; pstart = FNR; pname = line; sub(/^[ \t]+/, "", pname); pname = substr(pname, 1, 90)
    }
    if (!open && pending && line ~ /\{/) { open = 1; start = pstart; base = depth; name = pname; pending = 0 }
    n = split(line, chars, "")
    for (i = 1; i <= n; i++) {
        if (chars[i] == "{") depth++
        else if (chars[i] == "}") { depth--; if (open && depth == base) { FNR_end = FNR; report() } }
    }
    if (pending && line ~ /^[ \t]*$/) pending = 0
}
' | sort -rn | head -n "$count"
