// Reported in hello; bump with the agent's protocol-visible behaviour.
export const AGENT_VERSION = '0.1.0';
