#!/bin/bash
# Builds the Vetting live image: a Debian kernel (vmlinuz) and one initramfs
# (initrd.img) that holds a minimal bookworm with nodejs and the test tools and
# image/init as PID 1. Needs root and debootstrap, cpio, zstd (Debian).
#
#   sudo image/build-image.sh [OUTPUT_DIR]
#
# OUTPUT_DIR defaults to $VETTING_IMAGE_DIR, else /var/cache/vetting-image.
# The build is cached in two layers. The base (debootstrap + kernel modules,
# minutes) is keyed by a hash of this script and the package and module lists
# (OUTPUT_DIR/base.sha256); /init is a second small cpio archive appended to it
# (the kernel unpacks concatenated archives in order), so changing image/init
# repacks in seconds. A run whose inputs are unchanged does nothing.
# VETTING_IMAGE_FORCE=1 rebuilds everything; VETTING_MIRROR picks another mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${VETTING_IMAGE_DIR:-/var/cache/vetting-image}}
mirror=${VETTING_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

die() { echo "build-image: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot need it)"
for tool in debootstrap cpio zstd sha256sum chroot; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install -y --no-install-recommends debootstrap cpio zstd"
done

list() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -v '^$'; }

base_inputs=$(cat "$0" "$here/packages.txt" "$here/modules.txt" | sha256sum | cut -d' ' -f1)
inputs=$( (echo "$base_inputs"; cat "$here/init") | sha256sum | cut -d' ' -f1)
if [ "${VETTING_IMAGE_FORCE:-0}" != 1 ] && [ -f "$out/inputs.sha256" ] && [ "$(cat "$out/inputs.sha256")" = "$inputs" ] \
  && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ]; then
  echo "build-image: up to date in $out (inputs $inputs)"
  exit 0
fi

start=$(date +%s)
phase() { echo "build-image: [$(( $(date +%s) - start )) s] $*"; }
mkdir -p "$out"

# The /init layer: a tiny cpio that the kernel unpacks over the base.
pack_init() {
  local layer
  layer=$(mktemp -d /var/tmp/vetting-init.XXXXXX)
  install -m 0755 "$here/init" "$layer/init"
  (cd "$layer" && echo init | cpio -o -H newc --quiet) >"$out/init.cpio"
  rm -rf "$layer"
  # NUL padding to a 4-byte boundary between the archives (the kernel skips NULs).
  local pad=$(( (4 - $(stat -c %s "$out/base.cpio.zst") % 4) % 4 ))
  { cat "$out/base.cpio.zst"; head -c "$pad" /dev/zero; cat "$out/init.cpio"; } >"$out/initrd.img.new"
  mv -f "$out/initrd.img.new" "$out/initrd.img"
  echo "$inputs" >"$out/inputs.sha256"
}

if [ "${VETTING_IMAGE_FORCE:-0}" != 1 ] && [ -f "$out/base.sha256" ] && [ "$(cat "$out/base.sha256")" = "$base_inputs" ] \
  && [ -s "$out/base.cpio.zst" ] && [ -s "$out/vmlinuz" ]; then
  pack_init
  phase "base unchanged; new /init layer: $out/initrd.img ($(( $(stat -c %s "$out/initrd.img") / 1048576 )) MiB)"
  exit 0
fi
work=$(mktemp -d /var/tmp/vetting-image.XXXXXX)
root=$work/root
cleanup() {
  # Undo any mount debootstrap or we left behind, then drop the work tree.
  for m in "$root/proc" "$root/sys" "$root/dev/pts" "$root/dev"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
# Killed (e.g. npm test stopping early): still unmount and remove the work tree.
trap 'exit 143' TERM INT

phase "debootstrap $suite (minbase) from $mirror"
packages=$(list "$here/packages.txt" | paste -sd, -)
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

phase "kernel"
# The kernel comes from the same suite as the image; unpack the package rather
# than installing it, so no initramfs-tools hooks run inside the chroot.
mount -t proc proc "$root/proc"
chroot "$root" apt-get -qq update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update in the image failed"; }
kpkg=$(chroot "$root" apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 in $suite"
(cd "$root/tmp" && chroot "$root" sh -c "cd /tmp && apt-get -qq download $kpkg") >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "downloading $kpkg failed"; }
umount "$root/proc"
mkdir -p "$work/kernel"
dpkg-deb -x "$root"/tmp/"$kpkg"_*.deb "$work/kernel"
kver=$(ls "$work/kernel/lib/modules" | head -1)
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"
mkdir -p "$root/lib/modules/$kver/kernel"
while read -r rel; do
  src="$work/kernel/lib/modules/$kver/kernel/$rel"
  [ -e "$src" ] || continue
  mkdir -p "$(dirname "$root/lib/modules/$kver/kernel/$rel")"
  cp -a "$src" "$root/lib/modules/$kver/kernel/$rel"
done < <(list "$here/modules.txt")
cp "$work/kernel/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null || true
chroot "$root" depmod "$kver"
phase "kernel $kver"

phase "trim"
rm -rf "$root"/tmp/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/usr/share/i18n/* "$root"/usr/share/zoneinfo/* "$root"/usr/share/lintian "$root"/usr/share/bash-completion
# nodejs's bundled headers and docs are for building addons; the agent is one .mjs file.
rm -rf "$root"/usr/include "$root"/usr/share/nodejs/*/docs 2>/dev/null || true

echo vetting-live >"$root/etc/hostname"
: >"$root/etc/fstab"

phase "pack"
(cd "$root" && find . -xdev -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | zstd -q -T0 -3 -o "$work/base.cpio.zst"

mv -f "$work/vmlinuz" "$out/vmlinuz.new" && mv -f "$out/vmlinuz.new" "$out/vmlinuz"
mv -f "$work/base.cpio.zst" "$out/base.cpio.zst"
echo "$kver" >"$out/kernel-version"
echo "$base_inputs" >"$out/base.sha256"
pack_init
size_root=$(du -sm "$root" | cut -f1)
size_initrd=$(( $(stat -c %s "$out/initrd.img") / 1048576 ))
size_kernel=$(( $(stat -c %s "$out/vmlinuz") / 1048576 ))
phase "done: $out/vmlinuz (${size_kernel} MiB, $kver) + $out/initrd.img (${size_initrd} MiB zstd, ${size_root} MiB unpacked) in $(( $(date +%s) - start )) s"
