#!/bin/bash
# The gpu flavour of the live image (docs/image.md, "Flavours"): the base image
# plus one more cpio layer with Debian's NVIDIA driver built for the image's own
# kernel (nvidia-kernel-dkms, non-free), nvidia-smi, the CUDA driver library,
# the GSP firmware recent GPUs need, and vetting's gpu-burn (image/gpu/), whose
# PTX kernel clang compiles here. Called by build-image.sh when
# VETTING_IMAGE_FLAVOURS names gpu; writes OUTPUT_DIR/gpu/{vmlinuz,initrd.img,manifest.json}.
#
#   sudo image/build-gpu-layer.sh OUTPUT_DIR      (after image/build-image.sh OUTPUT_DIR)
#
# The build happens in a throw-away bookworm chroot that holds the compilers,
# the kernel headers and DKMS; only the results go into the layer. Cached like
# the base: keyed by the base's inputs and this flavour's own.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-gpu-layer.sh OUTPUT_DIR}
mirror=${VETTING_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# The NVIDIA module alone is 42 MiB compressed (its binary core does not shrink),
# the CUDA driver library and PTX compiler ~17 MiB, the GSP firmware 37 MiB as xz.
budget_mib=${VETTING_GPU_IMAGE_BUDGET_MIB:-180}
# The userland that goes into the image; the driver packages bring their own versions along.
gpu_packages="nvidia-smi libcuda1 libnvidia-ml1 libnvidia-ptxjitcompiler1 firmware-nvidia-gsp"
build_packages="nvidia-kernel-dkms clang gcc libc6-dev"

die() { echo "build-gpu-layer: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for f in base.cpio.zst init.cpio vmlinuz kernel-version base-manifest.json base.sha256; do
  [ -s "$out/$f" ] || die "$out/$f is missing: build the base image first (image/build-image.sh $out)"
done
kver=$(cat "$out/kernel-version")
gpu=$out/gpu
mkdir -p "$gpu"
# Two steps, cached apart: the layer (minutes: a chroot, 212 MiB of packages, the
# NVIDIA module compiled) depends on the base and this flavour's sources; putting
# base + layer + /init together (seconds) also on the /init layer.
layer_inputs=$( (cat "$out/base.sha256" "$0" "$here"/gpu/*) | sha256sum | cut -d' ' -f1)
inputs=$( (echo "$layer_inputs"; cat "$out/init.cpio" "$out/base-manifest.json") | sha256sum | cut -d' ' -f1)
if [ "${VETTING_IMAGE_FORCE:-0}" != 1 ] && [ -f "$gpu/inputs.sha256" ] && [ "$(cat "$gpu/inputs.sha256")" = "$inputs" ] \
  && [ -s "$gpu/initrd.img" ] && [ -s "$gpu/manifest.json" ]; then
  echo "build-gpu-layer: up to date in $gpu"
  exit 0
fi

start=$(date +%s)
phase() { echo "build-gpu-layer: [$(( $(date +%s) - start )) s] $*"; }
build_layer() {
work=$(mktemp -d /var/tmp/vetting-gpu.XXXXXX)
root=$work/root
layer=$work/layer
cleanup() {
  local rc=$?
  for m in "$root/proc" "$root/sys" "$root/dev"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true; done
  if [ "$rc" != 0 ] && [ "${VETTING_KEEP_WORK:-0}" = 1 ]; then echo "build-gpu-layer: kept $work (VETTING_KEEP_WORK=1)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

phase "build chroot: debootstrap $suite (minbase)"
# contrib: Debian's NVIDIA packages need its helper packages (nvidia-support, glx-alternative-nvidia, …).
debootstrap --variant=minbase --components=main,contrib,non-free,non-free-firmware "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
# The base image's modules, so depmod below indexes them together with NVIDIA's.
mkdir -p "$work/base"
(cd "$work/base" && zstd -dc "$out/base.cpio.zst" | cpio -idm --quiet --no-absolute-filenames "usr/lib/modules/*")
mkdir -p "$root/lib/modules"
cp -a "$work/base/usr/lib/modules/$kver" "$root/lib/modules/$kver"

phase "driver, headers and compilers (apt)"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
export DEBIAN_FRONTEND=noninteractive
chroot "$root" apt-get -qq update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update failed"; }
# Headers for the image's kernel (its modules stay as they are: the image's own copy is the truth).
# nvidia-kernel-dkms's own install compiles the module for every kernel with headers: the slow part (minutes).
chroot "$root" apt-get -y -qq --no-install-recommends install "linux-headers-$kver" $build_packages $gpu_packages >>"$work/apt.log" 2>&1 \
  || { tail -40 "$work/apt.log" >&2; die "installing the driver and its build tools failed"; }
drv=$(chroot "$root" dpkg-query -W -f='${Version}' nvidia-kernel-dkms)
drv=${drv%%-*}

phase "nvidia $drv for $kver (dkms)"
src=$(ls -d "$root"/usr/src/nvidia-current-* | head -1)
[ -n "$src" ] || die "nvidia-kernel-dkms installed no source in /usr/src"
dkmsname=$(basename "$src")
chroot "$root" dkms build -m nvidia-current -v "${dkmsname#nvidia-current-}" -k "$kver" >"$work/dkms.log" 2>&1 \
  || grep -q "has already been built" "$work/dkms.log" \
  || { tail -40 "$work/dkms.log" >&2; ls "$root"/var/lib/dkms/nvidia-current/*/build/make.log >/dev/null 2>&1 && tail -40 "$root"/var/lib/dkms/nvidia-current/*/build/make.log >&2; die "the NVIDIA module did not build for $kver"; }
built=$(ls -d "$root"/var/lib/dkms/nvidia-current/"${dkmsname#nvidia-current-}"/"$kver"/x86_64/module)
mkdir -p "$layer/lib/modules/$kver/updates/dkms"
# nvidia-current (the GPU) and nvidia-current-uvm (CUDA needs it); modeset and drm drive displays.
for m in nvidia-current nvidia-current-uvm; do
  [ -f "$built/$m.ko" ] || die "dkms built no $m.ko"
  cp "$built/$m.ko" "$root/lib/modules/$kver/updates/dkms/" 2>/dev/null || { mkdir -p "$root/lib/modules/$kver/updates/dkms"; cp "$built/$m.ko" "$root/lib/modules/$kver/updates/dkms/"; }
done
vermagic=$(chroot "$root" modinfo -F vermagic "/lib/modules/$kver/updates/dkms/nvidia-current.ko" | sed "s/ *$//")
kernel_vermagic=$(chroot "$root" modinfo -F vermagic "$(cd "$root" && find "lib/modules/$kver/kernel/drivers/nvme" -name 'nvme.ko*' | head -1 | sed 's|^|/|')" | sed "s/ *$//")
[ "$vermagic" = "$kernel_vermagic" ] || die "nvidia-current.ko says vermagic \"$vermagic\", the image's kernel \"$kernel_vermagic\""
find "$root/lib/modules/$kver/updates" -name '*.ko' -print0 | xargs -0 -r zstd -q -19 --rm
chroot "$root" depmod "$kver"
cp -a "$root/lib/modules/$kver/updates" "$layer/lib/modules/$kver/"
cp "$root/lib/modules/$kver"/modules.* "$layer/lib/modules/$kver/"

phase "userland: nvidia-smi, CUDA driver library, GSP firmware"
mkdir -p "$layer/usr/bin" "$layer/usr/lib/x86_64-linux-gnu" "$layer/usr/local/bin" "$layer/lib/firmware"
# Resolved copies where the loader looks by default (the image has no alternatives system).
# Debian installs them under nvidia/current and points at them with alternatives.
cp -L "$root/usr/lib/nvidia/current/nvidia-smi" "$layer/usr/bin/nvidia-smi" || die "no nvidia-smi in the nvidia-smi package"
for so in libcuda.so.1 libnvidia-ml.so.1 libnvidia-ptxjitcompiler.so.1; do
  cp -L "$root/usr/lib/x86_64-linux-gnu/nvidia/current/$so" "$layer/usr/lib/x86_64-linux-gnu/$so" || die "no $so from $gpu_packages"
done
cp -a "$root/lib/firmware/nvidia" "$layer/lib/firmware/"
find "$layer/lib/firmware" -type f -print0 | xargs -0 -r -n 4 -P "$(nproc)" xz -q -C crc32

phase "gpu-burn (PTX by clang, host by gcc)"
cp "$here/gpu/gpu-burn.c" "$here/gpu/burn-kernel.cu" "$root/tmp/"
chroot "$root" sh -c 'cd /tmp && clang -x cuda --cuda-device-only --cuda-gpu-arch=sm_60 -nocudainc -nocudalib -O2 -ffp-contract=off -S burn-kernel.cu -o burn.ptx' >"$work/clang.log" 2>&1 \
  || { cat "$work/clang.log" >&2; die "clang could not compile the burn kernel to PTX"; }
grep -q '^\.visible \.entry burn(' "$root/tmp/burn.ptx" || die "the PTX has no kernel named burn"
node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[2], `#define BURN_PTX ${JSON.stringify(fs.readFileSync(process.argv[1], "utf8"))}\n`)' "$root/tmp/burn.ptx" "$root/tmp/burn-ptx.h"
chroot "$root" sh -c 'cd /tmp && gcc -O2 -Wall -std=c11 -ffp-contract=off -D_POSIX_C_SOURCE=200809L -include burn-ptx.h -o gpu-burn gpu-burn.c -ldl -lm -pthread' >"$work/gcc.log" 2>&1 \
  || { cat "$work/gcc.log" >&2; die "gpu-burn did not compile"; }
chroot "$root" /tmp/gpu-burn --selftest >"$work/selftest.log" || { cat "$work/selftest.log" >&2; die "gpu-burn --selftest failed"; }
install -m 0755 "$root/tmp/gpu-burn" "$layer/usr/local/bin/gpu-burn"
cp "$root/tmp/burn.ptx" "$gpu/burn.ptx"

# After the drivers, init runs /etc/vetting/init.d/*: this one makes the device
# nodes (the NVIDIA module registers no devtmpfs nodes, and the image has no udev).
mkdir -p "$layer/etc/vetting/init.d"
cat >"$layer/etc/vetting/init.d/50-nvidia" <<'EOF'
#!/bin/sh
# gpu flavour: load CUDA's memory manager and create the NVIDIA device nodes.
grep -q '^nvidia_current ' /proc/modules 2>/dev/null || exit 0
modprobe -q nvidia-current-uvm
major=$(awk '$2 == "nvidia-frontend" || $2 == "nvidia" {print $1; exit}' /proc/devices)
[ -n "$major" ] || exit 0
[ -e /dev/nvidiactl ] || mknod -m 666 /dev/nvidiactl c "$major" 255
i=0
for _ in $(ls -d /proc/driver/nvidia/gpus/* 2>/dev/null); do
  [ -e /dev/nvidia$i ] || mknod -m 666 /dev/nvidia$i c "$major" $i
  i=$((i + 1))
done
uvm=$(awk '$2 == "nvidia-uvm" {print $1; exit}' /proc/devices)
if [ -n "$uvm" ]; then
  [ -e /dev/nvidia-uvm ] || mknod -m 666 /dev/nvidia-uvm c "$uvm" 0
  [ -e /dev/nvidia-uvm-tools ] || mknod -m 666 /dev/nvidia-uvm-tools c "$uvm" 1
fi
echo "vetting-init: NVIDIA: $i GPU(s), /dev/nvidia* created"
EOF
chmod 0755 "$layer/etc/vetting/init.d/50-nvidia"
umount "$root/dev" "$root/proc"

phase "pack the layer"
(cd "$layer" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | zstd -q -T0 -9 --long=27 -o "$gpu/layer.cpio.zst"
# What the manifest says about the layer, kept with it.
versions=$(chroot "$root" dpkg-query -W -f='${Package}\t${Version}\n' $gpu_packages nvidia-kernel-dkms 2>/dev/null || true)
node -e '
const fs = require("fs");
const [versions, drv, vermagic, out] = process.argv.slice(1);
const packages = Object.fromEntries(versions.trim().split("\n").filter(Boolean).map((l) => l.split("\t")));
fs.writeFileSync(out, JSON.stringify({ driver: drv, kernelModules: ["nvidia-current", "nvidia-current-uvm"], vermagic, packages, burn: "gpu-burn (image/gpu): logistic-map chains checked bit for bit" }, null, 2) + "\n");
' "$versions" "$drv" "$vermagic" "$gpu/layer-facts.json"
echo "$layer_inputs" >"$gpu/layer.sha256"
}

if [ "${VETTING_IMAGE_FORCE:-0}" = 1 ] || [ ! -s "$gpu/layer.cpio.zst" ] || [ ! -s "$gpu/layer-facts.json" ] || [ "$(cat "$gpu/layer.sha256" 2>/dev/null)" != "$layer_inputs" ]; then
  build_layer
else
  phase "layer unchanged ($gpu/layer.cpio.zst)"
fi

phase "assemble: base + gpu layer + /init"
pad() { head -c $(( (4 - $1 % 4) % 4 )) /dev/zero; }
{
  cat "$out/base.cpio.zst"; pad "$(stat -c %s "$out/base.cpio.zst")"
  cat "$gpu/layer.cpio.zst"; pad "$(stat -c %s "$gpu/layer.cpio.zst")"
  cat "$out/init.cpio"
} >"$gpu/initrd.img.new"
mv -f "$gpu/initrd.img.new" "$gpu/initrd.img"
cp "$out/vmlinuz" "$gpu/vmlinuz"

# The manifest: the base's, flavour gpu, plus the driver and every package the layer added.
node -e '
const fs = require("fs");
const [base, facts, layerBytes, out] = process.argv.slice(1);
const m = JSON.parse(fs.readFileSync(base, "utf8"));
const gpu = JSON.parse(fs.readFileSync(facts, "utf8"));
m.flavour = "gpu";
Object.assign(m.packages, gpu.packages);
m.gpu = { ...gpu, layerBytes: Number(layerBytes) };
fs.writeFileSync(out, JSON.stringify(m, null, 2) + "\n");
' "$out/base-manifest.json" "$gpu/layer-facts.json" "$(stat -c %s "$gpu/layer.cpio.zst")" "$gpu/base-manifest.json"
node "$here/lib/image-manifest.js" final "$gpu/base-manifest.json" "$gpu" $(( budget_mib * 1048576 )) >"$gpu/manifest.json"
size=$(stat -c %s "$gpu/initrd.img")
[ "$size" -le $(( budget_mib * 1048576 )) ] || die "gpu/initrd.img is $(( size / 1048576 )) MiB, over the ${budget_mib} MiB budget"
echo "$inputs" >"$gpu/inputs.sha256"
phase "done: $gpu/initrd.img ($(( size / 1048576 )) MiB of ${budget_mib} MiB; layer $(( $(stat -c %s "$gpu/layer.cpio.zst") / 1048576 )) MiB), $(node -e 'const g = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`nvidia ${g.driver}, vermagic "${g.vermagic}"`)' "$gpu/layer-facts.json")"
