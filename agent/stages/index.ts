import type { StageName } from '../../common/stages.ts';
import { cpuStressStage } from './cpu-stress.ts';
import { gpuStage } from './gpu.ts';
import { inventoryStage } from './inventory.ts';
import { networkStage } from './network.ts';
import { psuStage } from './psu.ts';
import { smartStage } from './smart.ts';
import { storageStage } from './storage.ts';
import type { StageModule } from './stage-types.ts';

// Which module runs each agent-owned stage. SpecValidate and Reporting are
// resolved by the orchestrator and never reach the agent.
export const STAGE_MODULES: Partial<Record<StageName, StageModule>> = {
  Inventory: inventoryStage,
  SMART: smartStage,
  CPUStress: cpuStressStage,
  Storage: storageStage,
  Network: networkStage,
  GPU: gpuStage,
  PSU: psuStage,
};

export type { StageContext, StageModule, StageOutcomeReport } from './stage-types.ts';
