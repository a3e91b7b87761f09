#!/bin/bash
# Builds a busybox initramfs with smartctl, nvme, ipmitool and their libraries from the host,
# and the kernel modules (decompressed) from the live image's base, with guest-init.sh as /init.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d /var/tmp/fb-initramfs.XXXXXX)
mkdir -p "$root"/{bin,sbin,proc,sys,dev,out,lib/mods,tmp,etc,usr/share}
cp /bin/busybox "$root/bin/busybox"
for a in sh mount insmod sleep cat echo base64 ls poweroff sync mkdir dmesg date grep seq printf; do ln -s busybox "$root/bin/$a"; done
for b in /usr/sbin/smartctl /usr/sbin/nvme /usr/bin/ipmitool; do
  cp "$b" "$root/bin/"
  for l in $(ldd "$b" | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$l")"; cp -L "$l" "$root$l"; done
done
cp /usr/share/smartmontools/drivedb.h "$root/usr/share/" 2>/dev/null || true
mkdir -p "$root/usr/share/smartmontools" "$root/var/lib/smartmontools"; cp /usr/share/smartmontools/drivedb.h "$root/usr/share/smartmontools/" 2>/dev/null || true
find "$here/mods" -name '*.ko' -exec cp {} "$root/lib/mods/" \;
cp /usr/share/zoneinfo/UTC "$root/etc/localtime"
install -m 0755 "${1:-$here/guest-init.sh}" "$root/init"; cp "$here/sel-events.txt" "$root/sel-events.txt"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$here/initramfs.gz"
rm -rf "$root"
ls -la "$here/initramfs.gz"
