#!/bin/bash
# The PXE lab test (test/lab/): QEMU machines PXE-boot the live image from
# dnsmasq and the bench listener inside network namespaces. Needs root; installs
# the Debian packages it uses, builds the live image once (cached in
# $VETTING_IMAGE_DIR, default /var/cache/vetting-image), then runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "test-lab: must run as root (network namespaces, tap devices, debootstrap)" >&2; exit 1; }

packages=(qemu-system-x86 ipxe ipxe-qemu ovmf dnsmasq-base debootstrap zstd cpio iproute2 iperf3 busybox-static python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  start=$(date +%s)
  echo "test-lab: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  echo "test-lab: packages installed in $(( $(date +%s) - start )) s"
fi

# A lab run killed from outside (timeout, ^C twice) cannot delete its namespaces:
# remove this lab's empty leftovers (names from test/lab/netns.ts).
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^vt-(srv|cli)-(bi|ue|re|fu)[0-9]+$' || true); do
  [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && ip netns del "$ns" && echo "test-lab: removed stale namespace $ns"
done

export VETTING_IMAGE_DIR=${VETTING_IMAGE_DIR:-/var/cache/vetting-image}
image/build-image.sh "$VETTING_IMAGE_DIR"

exec npx vitest run -c test/lab/vitest.config.ts "$@"
