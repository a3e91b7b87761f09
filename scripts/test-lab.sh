#!/bin/bash
# The PXE lab test (test/lab/): QEMU machines PXE-boot the live image from
# dnsmasq and the bench listener inside network namespaces. Needs root; installs
# the Debian packages it uses, builds the live image once (cached in
# $VETTING_IMAGE_DIR, default /var/cache/vetting-image), then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "test-lab: must run as root (network namespaces, tap devices, debootstrap)" >&2; exit 1; }

bash scripts/install-test-deps.sh

# A lab run killed from outside (timeout, ^C twice) cannot delete its namespaces:
# remove this lab's empty leftovers (names from test/lab/netns.ts).
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^vt-(srv|cli)-(bi|ue|re|fu|bm|pw)[0-9]+$' || true); do
  [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && ip netns del "$ns" && echo "test-lab: removed stale namespace $ns"
done

export VETTING_IMAGE_DIR=${VETTING_IMAGE_DIR:-/var/cache/vetting-image}
image/build-image.sh "$VETTING_IMAGE_DIR"
# The machines download the agent bundle: build it from the current sources.
node scripts/build-agent.js

exec npx vitest run -c test/lab/vitest.config.ts "$@"
