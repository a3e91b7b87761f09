import { PROFILES } from '../../common/profiles.ts';
import { PROTOCOL_VERSION, Welcome } from '../../common/schema/protocol.ts';

/**
 * The smallest welcome an orchestrator stand-in can send the real agent: run 1 on
 * the smoke profile, no disks to touch, no iperf server. Parsed with the protocol
 * schema, so a stand-in can never send a welcome the real orchestrator would not.
 * Plain module (no vitest) because the lab bench runs it under tsx too.
 */
export function minimalWelcome(opts: { host: string; artifactUrl: string; lastSeq: number }): Welcome {
  return Welcome.parse({
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    run: 1,
    host: opts.host,
    profile: 'smoke',
    params: PROFILES.smoke,
    maxTempC: 90,
    expectedDisks: [],
    deviceAllowlist: [],
    iperf: null,
    artifactUrl: opts.artifactUrl,
    lastSeq: opts.lastSeq,
  });
}
