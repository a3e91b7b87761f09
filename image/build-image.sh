#!/bin/bash
# Builds the Vetting live image: a Debian kernel (vmlinuz, Debian-signed), one
# initramfs (initrd.img) that holds a minimal bookworm with nodejs, the test
# tools, the firmware its NIC and storage drivers can ask for and image/init as
# PID 1, the signed UEFI boot chain (efi/shimx64.efi, efi/grubx64.efi) and
# manifest.json. Needs root, Node.js and debootstrap, cpio, zstd (Debian).
#
#   sudo image/build-image.sh [OUTPUT_DIR]
#   sudo VETTING_IMAGE_FLAVOURS=base,gpu image/build-image.sh [OUTPUT_DIR]
#
# OUTPUT_DIR defaults to $VETTING_IMAGE_DIR, else /var/cache/vetting-image.
# The gpu flavour (image/build-gpu-layer.sh) goes to OUTPUT_DIR/gpu.
# The build is cached in two layers. The base (debootstrap, kernel modules,
# firmware; minutes) is keyed by a hash of this script, image/lib and the
# package, module and firmware lists (OUTPUT_DIR/base.sha256); /init is a
# second small cpio archive appended to it (the kernel unpacks concatenated
# archives in order), so changing image/init repacks in seconds. A run whose
# inputs are unchanged does nothing. VETTING_IMAGE_FORCE=1 rebuilds everything;
# VETTING_MIRROR picks another mirror; VETTING_IMAGE_BUDGET_MIB changes the
# initramfs size budget (docs/image.md says why it is what it is).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${VETTING_IMAGE_DIR:-/var/cache/vetting-image}}
mirror=${VETTING_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# The initramfs may not grow past this (compressed) size: every byte is
# downloaded by each booting host and unpacked by its kernel before /init runs.
budget_mib=${VETTING_IMAGE_BUDGET_MIB:-100}
flavours=${VETTING_IMAGE_FLAVOURS:-base}

die() { echo "build-image: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot need it)"
for tool in debootstrap cpio zstd xz sha256sum chroot node dpkg-deb; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install -y --no-install-recommends debootstrap cpio zstd (and Node.js)"
done

list() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -v '^$'; }

base_inputs=$(cat "$0" "$here/packages.txt" "$here/modules.txt" "$here/firmware-exclude.txt" "$here"/lib/*.js | sha256sum | cut -d' ' -f1)
inputs=$( (echo "$base_inputs"; cat "$here/init") | sha256sum | cut -d' ' -f1)

start=$(date +%s)
phase() { echo "build-image: [$(( $(date +%s) - start )) s] $*"; }
mkdir -p "$out"

build_flavours() {
  case ",$flavours," in
    *,gpu,*) bash "$here/build-gpu-layer.sh" "$out" ;;
  esac
}

# The /init layer: a tiny cpio that the kernel unpacks over the base; then the manifest.
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
  node "$here/lib/image-manifest.js" final "$out/base-manifest.json" "$out" $(( budget_mib * 1048576 )) >"$out/manifest.json.new"
  mv -f "$out/manifest.json.new" "$out/manifest.json"
  local size
  size=$(stat -c %s "$out/initrd.img")
  [ "$size" -le $(( budget_mib * 1048576 )) ] \
    || die "initrd.img is $(( size / 1048576 )) MiB, over the ${budget_mib} MiB budget: trim the image (docs/image.md, \"Size budget\") or raise VETTING_IMAGE_BUDGET_MIB"
  echo "$inputs" >"$out/inputs.sha256"
}

if [ "${VETTING_IMAGE_FORCE:-0}" != 1 ] && [ -f "$out/inputs.sha256" ] && [ "$(cat "$out/inputs.sha256")" = "$inputs" ] \
  && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && [ -s "$out/manifest.json" ]; then
  echo "build-image: up to date in $out (inputs $inputs)"
  build_flavours
  exit 0
fi

if [ "${VETTING_IMAGE_FORCE:-0}" != 1 ] && [ -f "$out/base.sha256" ] && [ "$(cat "$out/base.sha256")" = "$base_inputs" ] \
  && [ -s "$out/base.cpio.zst" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/base-manifest.json" ]; then
  pack_init
  phase "base unchanged; new /init layer: $out/initrd.img ($(( $(stat -c %s "$out/initrd.img") / 1048576 )) MiB)"
  build_flavours
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
# non-free-firmware: the NIC/HBA firmware below; non-free: the gpu flavour's driver.
debootstrap --variant=minbase --components=main,non-free-firmware,non-free --include="$packages" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

phase "kernel"
# The kernel comes from the same suite as the image; unpack the package rather
# than installing it, so no initramfs-tools hooks run inside the chroot. Debian's
# linux-image-*-amd64 carries the kernel signed for Secure Boot.
# apt also fetches non-free-firmware's Contents index (which package ships which
# file), the one apt-file would use, for the firmware step.
cat >"$root/etc/apt/apt.conf.d/90vetting-contents" <<'EOF'
Acquire::IndexTargets::deb::Contents-deb-all {
  MetaKey "$(COMPONENT)/Contents-all";
  ShortDescription "Contents-all";
  Description "$(RELEASE)/$(COMPONENT) all Contents";
  DefaultEnabled "false";
};
EOF
echo "deb [ Contents-deb-all=yes ] $mirror $suite non-free-firmware" >"$root/etc/apt/sources.list.d/vetting-contents.list"
mount -t proc proc "$root/proc"
chroot "$root" apt-get -qq update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update in the image failed"; }
kpkg=$(chroot "$root" apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 in $suite"
mkdir -p "$root/tmp/debs"
chroot "$root" sh -c "cd /tmp/debs && apt-get -qq download $kpkg" >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "downloading $kpkg failed"; }
mkdir -p "$work/kernel"
dpkg-deb -x "$root"/tmp/debs/"$kpkg"_*.deb "$work/kernel"
kver=$(ls "$work/kernel/lib/modules" | head -1)
printf '%s\t%s\t%s\n' "$kver" "$kpkg" "$(dpkg-deb -f "$root"/tmp/debs/"$kpkg"_*.deb Version)" >"$work/kernel.tsv"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"
mkdir -p "$root/lib/modules/$kver/kernel"
while read -r rel; do
  src="$work/kernel/lib/modules/$kver/kernel/$rel"
  [ -e "$src" ] || continue
  mkdir -p "$(dirname "$root/lib/modules/$kver/kernel/$rel")"
  cp -a "$src" "$root/lib/modules/$kver/kernel/$rel"
done < <(list "$here/modules.txt")
cp "$work/kernel/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null || true
# Each module compressed on its own (kmod decompresses what it loads, and
# checks the signature on the result): the kernel then unpacks ~75 MiB less into
# RAM at every boot, before /init can run, for a few milliseconds per module
# actually loaded.
find "$root/lib/modules/$kver/kernel" -name '*.ko' -print0 | xargs -0 -r -n 64 -P "$(nproc)" zstd -q -19 --rm
chroot "$root" depmod "$kver"
phase "kernel $kver"

phase "firmware"
# What the network and storage drivers in the image can ask for (modinfo -F
# firmware), which package ships each file (Contents of non-free-firmware, plus
# main's firmware-linux-free), minus image/firmware-exclude.txt.
fwdrivers="drivers/net drivers/scsi drivers/ata drivers/nvme drivers/message drivers/block"
( cd "$root/lib/modules/$kver/kernel" && for d in $fwdrivers; do [ -d "$d" ] && find "$d" -name '*.ko*'; done ) | sort | while read -r rel; do
  m=$(basename "$rel"); m=${m%%.ko*}
  chroot "$root" modinfo -F firmware "/lib/modules/$kver/kernel/$rel" | while read -r f; do printf '%s\t%s\n' "$m" "$f"; done
done >"$work/firmware-requested.tsv"
contents=$(ls "$root"/var/lib/apt/lists/*non-free-firmware_Contents-all* 2>/dev/null | head -1)
[ -n "$contents" ] || die "apt did not fetch non-free-firmware's Contents index (see $work/apt.log)"
chroot "$root" /usr/lib/apt/apt-helper cat-file "${contents#"$root"}" >"$work/contents"
chroot "$root" sh -c "cd /tmp/debs && apt-get -qq download firmware-linux-free" >>"$work/apt.log" 2>&1 || die "downloading firmware-linux-free failed"
dpkg-deb -c "$root"/tmp/debs/firmware-linux-free_*.deb | awk '{print substr($6, 3) " main/firmware-linux-free"}' >>"$work/contents"
node "$here/lib/firmware-plan.js" "$work/firmware-requested.tsv" "$work/contents" "$here/firmware-exclude.txt" >"$work/firmware-plan.json"
fwpkgs=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).packages.join(" "))' "$work/firmware-plan.json")
: >"$work/firmware-packages.tsv"; : >"$work/firmware-files.tsv"
if [ -n "$fwpkgs" ]; then
  chroot "$root" sh -c "cd /tmp/debs && apt-get -qq download $fwpkgs" >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "downloading firmware packages failed: $fwpkgs"; }
  mkdir -p "$work/fw"
  for p in $fwpkgs; do
    deb=$(ls "$root"/tmp/debs/"$p"_*.deb | head -1)
    dpkg-deb -x "$deb" "$work/fw"
    printf '%s\t%s\n' "$p" "$(dpkg-deb -f "$deb" Version)" >>"$work/firmware-packages.tsv"
  done
  # Only the requested files (symlinks resolved), into the image's /lib/firmware.
  node -e 'for (const f of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).files) console.log(f.file)' "$work/firmware-plan.json" | while read -r f; do
    src=
    for base in "$work/fw/lib/firmware" "$work/fw/usr/lib/firmware"; do [ -e "$base/$f" ] && { src="$base/$f"; break; }; done
    [ -n "$src" ] || continue
    install -D -m 0644 "$(readlink -f "$src")" "$root/lib/firmware/$f"
    printf '%s\t%s\n' "$f" "$(stat -c %s "$root/lib/firmware/$f")" >>"$work/firmware-files.tsv"
  done
  # Stored xz-compressed, as the kernel's loader looks for FILE.xz too
  # (CONFIG_FW_LOADER_COMPRESS_XZ): a driver's request decompresses one file;
  # every boot unpacks a third of the bytes.
  find "$root/lib/firmware" -type f -print0 | xargs -0 -r -n 16 -P "$(nproc)" xz -q -C crc32
fi
phase "firmware: $(wc -l <"$work/firmware-files.tsv") files from ${fwpkgs:-no packages} ($(( $(du -sk "$root/lib/firmware" 2>/dev/null | cut -f1) / 1024 )) MiB)"

phase "signed boot files"
# UEFI Secure Boot: Debian's shim (signed by Microsoft's UEFI CA) loads Debian's
# signed GRUB (netboot build), which loads the signed kernel above.
chroot "$root" sh -c "cd /tmp/debs && apt-get -qq download shim-signed grub-efi-amd64-signed" >>"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "downloading shim-signed / grub-efi-amd64-signed failed"; }
mkdir -p "$work/efi-x" "$work/efi"
: >"$work/boot-files.tsv"
for spec in "shim-signed usr/lib/shim/shimx64.efi.signed shimx64.efi" "grub-efi-amd64-signed usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed grubx64.efi"; do
  set -- $spec
  deb=$(ls "$root"/tmp/debs/"$1"_*.deb | head -1)
  dpkg-deb -x "$deb" "$work/efi-x"
  cp "$work/efi-x/$2" "$work/efi/$3"
  printf '%s\t%s\t%s\t%s\n' "$3" "$1" "$(dpkg-deb -f "$deb" Version)" "$(sha256sum "$work/efi/$3" | cut -d' ' -f1)" >>"$work/boot-files.tsv"
done
umount "$root/proc"

phase "trim"
chroot "$root" dpkg-query -W -f='${Package}\t${Version}\n' >"$work/packages.tsv"
echo base >"$work/flavour"
# What the agent never runs: the docs, locales and apt's lists; python3 (fio
# depends on it for its plotting scripts); udev's hardware database (lspci
# names devices from pci.ids, which stays); glibc's iconv modules; dpkg's
# maintainer scripts (the manifest keeps the package list).
rm -rf "$root"/tmp/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/usr/share/i18n/* "$root"/usr/share/zoneinfo/* "$root"/usr/share/lintian "$root"/usr/share/bash-completion \
  "$root"/usr/lib/python3* "$root"/usr/bin/python3* "$root"/usr/bin/py3* "$root"/usr/bin/pydoc3* "$root"/usr/bin/pdb3* "$root"/usr/bin/pygettext3* \
  "$root"/usr/lib/udev/hwdb.d "$root"/usr/lib/udev/hwdb.bin "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/var/lib/dpkg/info \
  "$root"/etc/apt/apt.conf.d/90vetting-contents "$root"/etc/apt/sources.list.d/vetting-contents.list
# nodejs's bundled headers and docs are for building addons; the agent is one .mjs file.
rm -rf "$root"/usr/include "$root"/usr/share/nodejs/*/docs 2>/dev/null || true

echo vetting-live >"$root/etc/hostname"
: >"$root/etc/fstab"
du -sb "$root" | cut -f1 >"$work/unpacked-bytes"
node "$here/lib/image-manifest.js" base "$work" >"$work/base-manifest.json"

phase "pack"
# zstd -9 with a 128 MiB window: 12 % smaller than -3 for seconds more here,
# and the kernel decompresses it at the same speed (docs/image.md, "Size budget").
(cd "$root" && find . -xdev -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | zstd -q -T0 -9 --long=27 -o "$work/base.cpio.zst"

mv -f "$work/vmlinuz" "$out/vmlinuz.new" && mv -f "$out/vmlinuz.new" "$out/vmlinuz"
mv -f "$work/base.cpio.zst" "$out/base.cpio.zst"
mv -f "$work/base-manifest.json" "$out/base-manifest.json"
rm -rf "$out/efi" && mv "$work/efi" "$out/efi"
echo "$kver" >"$out/kernel-version"
echo "$base_inputs" >"$out/base.sha256"
pack_init
size_root=$(( $(cat "$work/unpacked-bytes") / 1048576 ))
size_initrd=$(( $(stat -c %s "$out/initrd.img") / 1048576 ))
size_kernel=$(( $(stat -c %s "$out/vmlinuz") / 1048576 ))
phase "done: $out/vmlinuz (${size_kernel} MiB, $kver) + $out/initrd.img (${size_initrd} MiB zstd of ${budget_mib} MiB budget, ${size_root} MiB unpacked), efi/, manifest.json in $(( $(date +%s) - start )) s"
build_flavours
