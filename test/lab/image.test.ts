import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageManifest } from '../../common/schema/image.ts';
import { IMAGE_DIR, ROOT, buildImage } from './lab-harness.ts';

// The live image as built (image/build-image.sh, cached): unpacked and checked
// against its own manifest with the real tools, not by trusting the build's
// bookkeeping. Runs with the PXE lab (npm run test:lab; npm test runs it too).

/** Where the network and storage drivers live: the firmware they request must be in the image or listed with a reason. */
const FIRMWARE_DRIVER_TREES = ['drivers/net', 'drivers/scsi', 'drivers/ata', 'drivers/nvme', 'drivers/message', 'drivers/block'];

let tree: string;
let manifest: ImageManifest & { unpackedBytes: number | null; bootFiles: Record<string, { package: string; version: string; sha256: string }> };

beforeAll(async () => {
  await buildImage();
  manifest = JSON.parse(readFileSync(join(IMAGE_DIR, 'manifest.json'), 'utf8'));
  tree = mkdtempSync(join(tmpdir(), 'vetting-image-tree-'));
  // The base layer as the kernel unpacks it (the /init layer is checked on its own below).
  await execa('sh', ['-c', `zstd -dc "${join(IMAGE_DIR, 'base.cpio.zst')}" | cpio -idm --quiet --no-absolute-filenames`], { cwd: tree });
}, 900_000);

afterAll(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

function modulesDir(): string {
  const dir = join(tree, 'usr/lib/modules');
  const [kver] = readdirSync(dir);
  return join(dir, kver!);
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(dir, e.name), out);
    else out.push(join(dir, e.name));
  }
  return out;
}

describe('image contents', () => {
  it('is the base layer and the /init layer, within its size budget, named by its hash in a valid manifest', () => {
    expect(ImageManifest.safeParse(manifest).success).toBe(true);
    const initrd = readFileSync(join(IMAGE_DIR, 'initrd.img'));
    const base = readFileSync(join(IMAGE_DIR, 'base.cpio.zst'));
    const init = readFileSync(join(IMAGE_DIR, 'init.cpio'));
    expect(initrd.subarray(0, base.length).equals(base)).toBe(true);
    expect(initrd.subarray(initrd.length - init.length).equals(init)).toBe(true);
    const sha = createHash('sha256').update(initrd).digest('hex');
    expect(manifest.initrd).toEqual({ bytes: initrd.length, sha256: sha, budgetBytes: expect.any(Number) });
    expect(manifest.id).toBe(sha.slice(0, 16));
    expect(initrd.length).toBeLessThanOrEqual(manifest.initrd.budgetBytes!);
    console.log(`[image] initrd.img ${(initrd.length / 1048576).toFixed(1)} MiB of a ${(manifest.initrd.budgetBytes! / 1048576).toFixed(0)} MiB budget, ${((manifest.unpackedBytes ?? 0) / 1048576).toFixed(0)} MiB unpacked; firmware ${(manifest.firmware.bytes / 1048576).toFixed(1)} MiB (${manifest.firmware.files.length} files), ${manifest.firmware.missing.length} requested files unavailable`);
  });

  it('every firmware file the NIC and storage modules request is in the image, or listed as unavailable with its reason', async () => {
    const mods = modulesDir();
    const kos = FIRMWARE_DRIVER_TREES.flatMap((t) => (existsSync(join(mods, 'kernel', t)) ? walk(join(mods, 'kernel', t)) : [])).filter((f) => /\.ko(\.(zst|xz|gz))?$/.test(f));
    expect(kos.length).toBeGreaterThan(300);
    // The real modinfo on the image's own (compressed) modules, in batches.
    const requested = new Map<string, string>();
    for (let i = 0; i < kos.length; i += 100) {
      const batch = kos.slice(i, i + 100);
      const r = await execa('modinfo', ['-F', 'firmware', ...batch], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      for (const f of r.stdout.split('\n').filter(Boolean)) requested.set(f, f);
    }
    expect(requested.size).toBeGreaterThan(50);
    const fwDir = join(tree, 'usr/lib/firmware');
    const missing = new Map(manifest.firmware.missing.map((m) => [m.file, m.reason]));
    const uncovered: string[] = [];
    let present = 0;
    for (const f of requested.keys()) {
      // Stored as FILE.xz; the kernel's loader looks for both names.
      if (existsSync(join(fwDir, `${f}.xz`)) || existsSync(join(fwDir, f))) present++;
      else if (!missing.get(f)?.trim()) uncovered.push(f);
    }
    expect(uncovered).toEqual([]);
    expect(present).toBe(manifest.firmware.files.length);
    // Cards whose firmware matters on servers are covered.
    for (const f of ['bnx2x/bnx2x-e2-7.13.21.0.fw', 'intel/ice/ddp/ice.pkg', 'rtl_nic/rtl8168g-2.fw', 'ql2500_fw.bin']) expect(existsSync(join(fwDir, `${f}.xz`)), f).toBe(true);
  });

  it('lists every package of image/packages.txt with its version, and carries none of what was trimmed', () => {
    const wanted = readFileSync(join(ROOT, 'image/packages.txt'), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    expect(wanted.filter((p) => !manifest.packages[p])).toEqual([]);
    for (const tool of ['usr/sbin/smartctl', 'usr/bin/fio', 'usr/bin/stress-ng', 'usr/bin/stressapptest', 'usr/bin/ipmitool', 'usr/sbin/nvme', 'usr/sbin/ethtool', 'usr/bin/edac-util', 'usr/bin/iperf3', 'usr/bin/node']) {
      expect(existsSync(join(tree, tool)), tool).toBe(true);
    }
    for (const gone of ['usr/bin/python3', 'usr/lib/udev/hwdb.bin', 'usr/sbin/mdadm', 'usr/lib/x86_64-linux-gnu/gconv']) expect(existsSync(join(tree, gone)), gone).toBe(false);
    // kvm and the CPU crypto modules would load on every machine for nothing.
    expect(walk(modulesDir()).map((f) => relative(modulesDir(), f)).filter((f) => /^kernel\/arch\/x86\/(kvm|crypto|events)\//.test(f))).toEqual([]);
  });

  it('ships the signed UEFI chain the manifest names', () => {
    for (const [file, meta] of Object.entries(manifest.bootFiles)) {
      const path = join(IMAGE_DIR, 'efi', file);
      expect(statSync(path).size).toBeGreaterThan(500_000);
      expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(meta.sha256);
    }
    expect(Object.keys(manifest.bootFiles).sort()).toEqual(['grubx64.efi', 'shimx64.efi']);
  });
});

// The gpu flavour (image/build-gpu-layer.sh): NVIDIA's driver built by DKMS for the
// image's kernel, nvidia-smi, the CUDA driver library and gpu-burn. No GPU here: what
// can be checked without one is checked (docs/image.md, "Flavours", says what was not run).
describe('gpu flavour', () => {
  let gpuTree: string;
  let gpuManifest: ImageManifest & { gpu: { driver: string; vermagic: string; kernelModules: string[] } };

  beforeAll(async () => {
    const built = await execa('bash', [join(ROOT, 'image/build-image.sh'), IMAGE_DIR], { reject: false, all: true, env: { VETTING_IMAGE_FLAVOURS: 'base,gpu' } });
    if (built.exitCode !== 0) throw new Error(`gpu flavour build failed:\n${built.all?.slice(-6000)}`);
    console.log(built.all?.split('\n').filter((l) => l.startsWith('build-gpu-layer')).join('\n'));
    gpuManifest = JSON.parse(readFileSync(join(IMAGE_DIR, 'gpu', 'manifest.json'), 'utf8'));
    gpuTree = mkdtempSync(join(tmpdir(), 'vetting-gpu-layer-'));
    await execa('sh', ['-c', `zstd -dc "${join(IMAGE_DIR, 'gpu', 'layer.cpio.zst')}" | cpio -idm --quiet --no-absolute-filenames`], { cwd: gpuTree });
  }, 3_600_000);

  afterAll(() => {
    if (gpuTree) rmSync(gpuTree, { recursive: true, force: true });
  });

  it('is the base, the gpu layer and /init, within its budget, with the driver in its manifest', () => {
    expect(ImageManifest.safeParse(gpuManifest).success).toBe(true);
    expect(gpuManifest.flavour).toBe('gpu');
    const initrd = readFileSync(join(IMAGE_DIR, 'gpu', 'initrd.img'));
    expect(initrd.subarray(0, statSync(join(IMAGE_DIR, 'base.cpio.zst')).size).equals(readFileSync(join(IMAGE_DIR, 'base.cpio.zst')))).toBe(true);
    expect(initrd.length).toBeLessThanOrEqual(gpuManifest.initrd.budgetBytes!);
    expect(readFileSync(join(IMAGE_DIR, 'gpu', 'vmlinuz')).equals(readFileSync(join(IMAGE_DIR, 'vmlinuz')))).toBe(true);
    for (const p of ['nvidia-smi', 'libcuda1', 'libnvidia-ml1', 'firmware-nvidia-gsp', 'nvidia-kernel-dkms']) expect(gpuManifest.packages[p], p).toMatch(/^\d/);
    console.log(`[image gpu] initrd.img ${(initrd.length / 1048576).toFixed(1)} MiB of ${(gpuManifest.initrd.budgetBytes! / 1048576).toFixed(0)} MiB; driver ${gpuManifest.gpu.driver}`);
  });

  it("the NVIDIA modules were built for the image's kernel: their vermagic is the kernel's, and they claim NVIDIA's PCI devices", async () => {
    const kver = readFileSync(join(IMAGE_DIR, 'kernel-version'), 'utf8').trim();
    const nvidia = join(gpuTree, 'lib/modules', kver, 'updates/dkms/nvidia-current.ko.zst');
    const uvm = join(gpuTree, 'lib/modules', kver, 'updates/dkms/nvidia-current-uvm.ko.zst');
    const base = walk(join(tree, 'usr/lib/modules', kver, 'kernel/drivers/nvme')).find((f) => /\/nvme\.ko/.test(f))!;
    const vermagic = async (f: string) => (await execa('modinfo', ['-F', 'vermagic', f])).stdout.trim();
    expect(await vermagic(nvidia)).toBe(await vermagic(base));
    expect(await vermagic(uvm)).toBe(await vermagic(base));
    expect(gpuManifest.gpu.vermagic.trim()).toBe(await vermagic(base));
    expect((await execa('modinfo', ['-F', 'alias', nvidia])).stdout).toMatch(/^pci:v000010DEd\*sv\*sd\*bc03sc0[02]i00\*$/m);
    // The layer's module index knows them, so /init's modalias pass loads nvidia-current for an NVIDIA GPU.
    expect(readFileSync(join(gpuTree, 'lib/modules', kver, 'modules.alias'), 'utf8')).toMatch(/^alias pci:v000010DEd\*sv\*sd\*bc03sc0[02]i00\* nvidia_current$/m);
  });

  it("carries nvidia-smi, the CUDA driver library, the GSP firmware and the device-node hook", () => {
    for (const f of ['usr/bin/nvidia-smi', 'usr/lib/x86_64-linux-gnu/libcuda.so.1', 'usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1', 'usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.1', 'usr/local/bin/gpu-burn', 'etc/vetting/init.d/50-nvidia']) {
      expect(existsSync(join(gpuTree, f)), f).toBe(true);
    }
    const gsp = walk(join(gpuTree, 'lib/firmware/nvidia'));
    expect(gsp.some((f) => f.endsWith(`${gpuManifest.gpu.driver}/gsp_ga10x.bin.xz`))).toBe(true);
  });

  it('gpu-burn checks its own checking without a GPU, and says plainly when there is no driver', async () => {
    const burn = join(gpuTree, 'usr/local/bin/gpu-burn');
    const self = await execa(burn, ['--selftest'], { reject: false });
    expect(self.exitCode, self.stdout).toBe(0);
    expect(self.stdout).toMatch(/selftest: OK/);
    // This machine has no libcuda: exit 2 (could not run), never 0.
    const run = await execa(burn, ['1'], { reject: false, env: { LD_LIBRARY_PATH: '' } });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/no CUDA driver/);
    // The PTX clang made has the kernel gpu-burn loads.
    expect(readFileSync(join(IMAGE_DIR, 'gpu', 'burn.ptx'), 'utf8')).toMatch(/^\.visible \.entry burn\(/m);
  });
});
