// The one ordered list of stages. Every other part of the system (state machine,
// agent dispatch, UI pipeline, report) derives its order from here, so adding a
// stage is one entry below plus one agent module (or one orchestrator resolver).

export const STAGE_NAMES = [
  'Inventory',
  'SpecValidate',
  'SMART',
  'CPUStress',
  'Storage',
  'Network',
  'GPU',
  'PSU',
  'Reporting',
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** Who resolves a stage: the in-image agent, or the orchestrator inline. */
export type StageOwner = 'agent' | 'orchestrator';

export interface StageDefinition {
  name: StageName;
  owner: StageOwner;
  /** Destroys data on the host's disks; gated by identity, allowlist and wipe-probe. */
  destructive: boolean;
  /** One line for the UI and the report. */
  summary: string;
}

export const STAGES: readonly StageDefinition[] = [
  { name: 'Inventory', owner: 'agent', destructive: false, summary: 'Collect DMI, CPU, PCI, disk and GPU inventory' },
  { name: 'SpecValidate', owner: 'orchestrator', destructive: false, summary: 'Compare the inventory with the host’s expected spec' },
  { name: 'SMART', owner: 'agent', destructive: false, summary: 'SMART health and error counters of every expected disk' },
  { name: 'CPUStress', owner: 'agent', destructive: false, summary: 'stress-ng CPU and memory load under a thermal ceiling' },
  { name: 'Storage', owner: 'agent', destructive: true, summary: 'Wipe-probe, badblocks write test and fio random I/O per disk' },
  { name: 'Network', owner: 'agent', destructive: false, summary: 'iperf3 throughput to the bench per NIC' },
  { name: 'GPU', owner: 'agent', destructive: false, summary: 'nvidia-smi health, ECC and a compute burn' },
  { name: 'PSU', owner: 'agent', destructive: false, summary: 'Voltage and power envelope under combined load' },
  { name: 'Reporting', owner: 'orchestrator', destructive: false, summary: 'Render report.html and report.json' },
];

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}

export function stageDefinition(name: StageName): StageDefinition {
  const def = STAGES.find((s) => s.name === name);
  if (!def) throw new Error(`unknown stage ${name}`);
  return def;
}

export function stageIndex(name: StageName): number {
  return STAGE_NAMES.indexOf(name);
}

/** The stage after `name`, or null after the last one. */
export function nextStage(name: StageName): StageName | null {
  return STAGE_NAMES[stageIndex(name) + 1] ?? null;
}

export const FIRST_STAGE: StageName = STAGE_NAMES[0];
