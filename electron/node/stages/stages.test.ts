import { describe, expect, it } from 'vitest';
import { STAGES } from '../../../common/stages/index.ts';
import { ORCHESTRATOR_RESOLVERS, isOrchestratorStage } from './index.ts';

describe('orchestrator-owned stages', () => {
  it('have a resolver for exactly the stages common/stages/index.ts marks orchestrator-owned', () => {
    const owned = STAGES.filter((s) => s.owner === 'orchestrator').map((s) => s.name);
    expect(Object.keys(ORCHESTRATOR_RESOLVERS).sort()).toEqual([...owned].sort());
    for (const s of STAGES) expect(isOrchestratorStage(s.name)).toBe(s.owner === 'orchestrator');
  });
});
