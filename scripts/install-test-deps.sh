#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (the tools the
# agent runs, loop/FUSE/namespace plumbing, Chromium for the UI and PDF tests,
# QEMU and the image build for the PXE lab).
# Idempotent and quick when everything is present. Needs root (CI runs as root).
set -euo pipefail

packages=(
  # agent tools
  smartmontools nvme-cli ipmitool stress-ng stressapptest fio iperf3 ethtool e2fsprogs lvm2 mdadm util-linux lshw pciutils dmidecode
  # test plumbing: FUSE-backed failing disks, namespaces, tc
  fuse3 python3-fusepy iproute2 kmod libcap2-bin dnsmasq-base
  # UI and report tests
  chromium poppler-utils
  # the PXE lab: emulated machines, their firmware and iPXE, and the live image build
  qemu-system-x86 ipxe ipxe-qemu ovmf debootstrap zstd cpio busybox-static
  # power through BMCs: the IPMI driver's tool, and OpenIPMI's BMC simulator it is tested against
  ipmitool openipmi
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies: all ${#packages[@]} Debian packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "test dependencies missing: ${missing[*]}" >&2
  echo "run as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test dependencies installed"
