#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine, as root:
# installs packages, starts libvirtd, builds the busybox test guest and the
# real Debian cloud guest, runs unit and integration tests (integration and
# real-guest suites must run, not skip), the leak check under valgrind and
# LeakSanitizer, builds the consumer package in Examples/, and, beside the
# tests, the .deb (installed into a clean root) and the docs' Swift snippets.
# Each phase prints the seconds since the start.
# Usage: Scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
started=$SECONDS
phase() { echo "test: [$((SECONDS - started)) s] $*"; }

Scripts/install-deps.sh
Scripts/start-libvirtd.sh
# The host serves time to labs whose plans name no NTP server (lab check's ntp rule).
Scripts/start-chronyd.sh
Scripts/build-test-image.sh /var/lib/vmctl/test-image
# The real Debian 12 cloud guest: built once per machine, cached by the script's content.
Scripts/build-cloud-image.sh /var/lib/vmctl/cloud-image
# kolla-ansible 21 and openstack.kolla (../shared/kolla) for the lab's prechecks, cached the same way.
Scripts/install-kolla-ansible.sh /var/lib/vmctl/kolla-ansible
# libvirt's own XML test documents for LibvirtXMLTests' corpus test, cached like the images.
export VMCTL_LIBVIRT_CORPUS=/var/lib/vmctl/libvirt-corpus; Scripts/fetch-libvirt-corpus.sh "$VMCTL_LIBVIRT_CORPUS"
phase "packages, daemons and both guest images ready"

# Integration tests fail instead of skipping when the daemon is unreachable.
export VMCTL_REQUIRE_INTEGRATION=1
swift build --build-tests
bundle="$(swift build --show-bin-path)/vmctlPackageTests.xctest"
phase "debug build and tests built"

# Beside the tests, at low priority so the guests keep the CPU they need: the
# .deb, installed with apt into a clean Debian 12 root without Swift and run
# there; every Swift block of README.md and Docs/*.md, compiled and run
# against test:///default; the consumer package; the AddressSanitizer build.
# Checked after the tests.
(
  set -e
  SCRATCH=.build-release nice -n 15 Scripts/package.sh
  phase "side: package built"
  Scripts/test-package.sh
  # The snippets' package and the consumer share one build directory: both
  # import vmctl by path, so its modules are compiled once for the two.
  DOC_SNIPPETS_SCRATCH=$PWD/.build-consumers nice -n 15 Scripts/check-doc-snippets.sh
  nice -n 15 swift build --package-path Examples/consumer --scratch-path "$PWD/.build-consumers"
  phase "side: snippets and consumer built"
  # The binding's tests alone (VMCTL_TEST_TARGETS, Package.swift), with what they import.
  VMCTL_TEST_TARGETS=LibvirtTests nice -n 15 swift build --sanitize=address --scratch-path .build-asan \
    --manifest-cache local --product vmctlPackageTests
  phase "side: ASan build done"
) >out/side-checks.log 2>&1 &
side_checks=$!
# An early exit does not leave the side checks or test processes running.
# Under set -e a failed kill would end the trap, and the script, with status 1;
# every process may have ended already, so each kill is allowed to fail.
trap 'pkill -P "$side_checks" 2>/dev/null || true; kill "$side_checks" $(jobs -p) 2>/dev/null || true' EXIT

# Two test processes, each with its own cooperative pool (one thread per
# core): the real-guest suites wait minutes on guests, and the blocking
# integration tests of the other process never hold the threads they resume on.
run_tests() {
  local name=$1
  shift
  NO_COLOR=1 "$bundle" --testing-library swift-testing "$@" >"out/test-$name.log" 2>&1
}
# The async suites that wait on libvirt's event loop (event and stream
# watchers) go with the real guests too: among the blocking integration tests
# they waited up to ten minutes for a cooperative thread. So do the ownership
# tests, which hold an image lock while they await prune's wait for it.
async_suites="IntegrationCloud|EventStreamTests|StreamTransferTests|IntegrationOwnershipTests"
run_tests cloud --filter "$async_suites" &
cloud_tests=$!
run_tests main --skip "$async_suites" &
main_tests=$!
failed=0
for name in main cloud; do
  pid=$main_tests
  [[ $name == cloud ]] && pid=$cloud_tests
  if wait "$pid"; then
    phase "$name tests: $(grep -oE "Test run with [0-9]+ tests.*" "out/test-$name.log" | tail -1)"
    if [[ $name == main ]]; then
      # While the real guests finish: the busybox guest end to end through virsh
      # alone, and a second libvirtd that leaves nothing on the main one.
      Scripts/smoke-test-guest.sh >out/smoke-test-guest.log 2>&1 ||
        { tail -20 out/smoke-test-guest.log >&2; failed=1; }
      Scripts/second-libvirtd-check.sh >out/second-libvirtd-check.log 2>&1 ||
        { tail -20 out/second-libvirtd-check.log >&2; failed=1; }
      phase "$(tail -1 out/smoke-test-guest.log); $(tail -1 out/second-libvirtd-check.log | cut -c1-80)"
    fi
  else
    failed=1
    grep -E "✘|error:|Fatal error" "out/test-$name.log" | head -60 >&2 || true
    tail -5 "out/test-$name.log" >&2
    echo "test: the $name test process failed (out/test-$name.log)" >&2
  fi
done
cat out/test-main.log out/test-cloud.log >out/test.log
((failed == 0)) || exit 1
if grep -E "Test .* skipped" out/test.log; then
  echo "test: some tests were skipped; every test must run here" >&2
  exit 1
fi
passed_integration=$(grep -cE "^✔ Suite Integration.* passed" out/test.log || true)
if ((passed_integration == 0)); then
  echo "test: no integration suite passed; they must run against the real libvirtd" >&2
  exit 1
fi
echo "test: $passed_integration integration suites passed"
# The suites that prove things on real guests must have run and passed, never been skipped.
for suite in IntegrationCloudGuestTests IntegrationCloudLabTests IntegrationLiveBindingTests IntegrationUEFITests \
  IntegrationBadInputTests IntegrationBadInputClassesTests IntegrationLabTests YAMLTestSuiteTests \
  IntegrationFaultTests IntegrationDailyVerbTests IntegrationHostKeyTests IntegrationLabCheckpointTests \
  IntegrationSpannedNetworkTests IntegrationSpannedNetworkSSHTests; do
  if ! grep -qE "^✔ Suite $suite passed" out/test.log; then
    echo "test: the suite $suite did not pass" >&2
    exit 1
  fi
done
echo "test: the real-guest, UEFI, live-binding, lab, bad-input, fault, daily-verb, host-key, checkpoint and spanned-network suites passed"
# The official YAML test suite (../shared/yaml-test-suite) through the YAML module: its counts.
grep -m1 -E "^yaml-test-suite: [0-9]+ of [0-9]+ pass" out/test.log
# How many kills converged, per command (IntegrationFaultTests).
grep -E "^fault sweep: " out/test.log || true

# No definite leaks in the binding: the leak harness under valgrind.
node="test://$PWD/Fixtures/libvirt/test-node.xml"
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
  --error-exitcode=3 .build/debug/libvirt-leak-check "$node" 50 500 lab-controller > out/valgrind.json
phase "valgrind found no definite leak ($(cat out/valgrind.json))"

# The package, the documentation's snippets, the consumer and the ASan build, made beside the tests.
if ! wait "$side_checks"; then
  tail -40 out/side-checks.log >&2
  echo "test: the .deb, its clean-root install, a documentation snippet, the consumer or the ASan build failed (out/side-checks.log)" >&2
  exit 1
fi
grep -E "^test-package .*passed|^doc-snippets: [0-9]+ snippets" out/side-checks.log || true
phase "side checks passed"

# The library is a product other packages import: the consumer, built above, runs.
.build-consumers/debug/vmctl-consumer "$node"

# The binding's unit tests under AddressSanitizer + LeakSanitizer: no definite
# leak outside the toolchain's own libraries (Tests/lsan-suppressions.txt).
# LSan cannot see a leaked libvirt object (GObject keeps it reachable); the
# harness above catches those by descriptors and memory.
VMCTL_TEST_TARGETS=LibvirtTests ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/Tests/lsan-suppressions.txt" \
  swift test --skip-build --sanitize=address --scratch-path .build-asan --manifest-cache local \
  --filter "ConnectionTests|DomainTests|ErrorTests|NetworkTests|StorageTests|EventTests|NWFilterTests|NetworkPortTests|CheckpointTests|CPUStatsTests|HypervisorCPUTests|StreamTransferTests" >out/lsan.log 2>&1 ||
  { tail -40 out/lsan.log >&2; echo "test: LeakSanitizer run failed" >&2; exit 1; }
phase "the binding's unit tests pass under LeakSanitizer ($(grep -oE "Test run with [0-9]+ tests" out/lsan.log | tail -1))"

# The closing line CI reads: the Swift Testing count, after every other check passed.
main_count=$(grep -oE "Test run with [0-9]+ tests" out/test-main.log | tail -1 | grep -oE "[0-9]+")
cloud_count=$(grep -oE "Test run with [0-9]+ tests" out/test-cloud.log | tail -1 | grep -oE "[0-9]+")
echo "tests: $((${main_count:-0} + ${cloud_count:-0})) passed, 0 failed"
