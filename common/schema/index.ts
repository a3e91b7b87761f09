// The one schema module: every agent message and every API body, shared by the
// orchestrator, the agent, the renderer and the tests.
export * from './primitives.ts';
export * from './profile.ts';
export * from './inventory.ts';
export * from './spec.ts';
export * from './protocol.ts';
export * from './run.ts';
export * from './api.ts';
export * from './notifications.ts';
export * from './coverage.ts';
export * from './power.ts';
