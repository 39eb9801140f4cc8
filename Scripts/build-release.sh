#!/usr/bin/env bash
# Builds the vmctl that ships (Scripts/package.sh) and that the start-up, dry-run
# and clone benchmarks time, and prints its path:
#   --static-swift-stdlib   the Swift runtime inside the binary: nothing for the target to provide;
#   --disable-local-rpath   no $ORIGIN run path: the loader does not probe the binary's
#                           directory for each library before the system's;
#   lld with packed relative relocations (DT_RELR, glibc 2.36+) and no exported
#                           symbols: the loader reads a few KiB of relocations
#                           instead of 1.2 MiB and an empty symbol table, so every
#                           vmctl process maps less (Docs/benchmarks.md, Start-up).
# Usage: Scripts/build-release.sh [scratch directory, default .build]
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${1:-.build}
swift build -c release --product vmctl --static-swift-stdlib --disable-local-rpath --scratch-path "$scratch" \
  -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic >&2
echo "$scratch/release/vmctl"
