import type { InventoryGpu } from '../../../common/schema/inventory.ts';
import { gpuFromQueryRow, NVIDIA_SMI_QUERY_ARGS, parseGpuQuery, type GpuQueryRow } from '../../parsers/nvidia-smi.ts';
import type { StageContext } from '../types.ts';

// Asking nvidia-smi which GPUs there are: the GPU stage before and after its
// burn, and Inventory for the host's description.

export async function queryGpus(ctx: Pick<StageContext, 'runTool' | 'signal'>): Promise<{ rows: GpuQueryRow[]; raw: string; exitCode: number; stderr: string }> {
  const res = await ctx.runTool('nvidia-smi', NVIDIA_SMI_QUERY_ARGS, { timeoutMs: 60_000, signal: ctx.signal });
  if (res.exitCode !== 0) return { rows: [], raw: res.stdout, exitCode: res.exitCode, stderr: res.stderr };
  return { rows: parseGpuQuery(res.stdout), raw: res.stdout, exitCode: 0, stderr: res.stderr };
}

/** For the Inventory stage. */
export async function gpuInventory(ctx: Pick<StageContext, 'runTool' | 'signal'>): Promise<{ gpus: InventoryGpu[]; raw: string; command: string }> {
  const q = await queryGpus(ctx);
  return { command: `nvidia-smi ${NVIDIA_SMI_QUERY_ARGS.join(' ')}`, raw: q.raw, gpus: q.rows.map(gpuFromQueryRow) };
}
