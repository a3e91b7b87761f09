import type { AgentStageName } from '../../common/stages/index.ts';
import { bmcStage } from './bmc/index.ts';
import { cpuStressStage } from './cpu-stress/index.ts';
import { gpuStage } from './gpu/index.ts';
import { inventoryStage } from './inventory/index.ts';
import { memoryStage } from './memory/index.ts';
import { networkStage } from './network/index.ts';
import { psuStage } from './psu/index.ts';
import { smartStage } from './smart/index.ts';
import { storageStage } from './storage/index.ts';
import type { StageModule } from './types.ts';

// Which module runs each agent-owned stage. The type lists every agent-owned
// stage of common/stages, so a stage without its module does not compile.
export const STAGE_MODULES: { [N in AgentStageName]: StageModule<N> } = {
  Inventory: inventoryStage,
  SMART: smartStage,
  CPUStress: cpuStressStage,
  Memory: memoryStage,
  Storage: storageStage,
  Network: networkStage,
  GPU: gpuStage,
  PSU: psuStage,
  BMC: bmcStage,
};

export type { StageContext, StageModule, StageOutcomeReport } from './types.ts';
