import { createLogger } from '@wagate/telemetry';
import { type AgentOptions, type DeviceDriver, startAgent } from '../../src/index.js';

/** An agent for tests: quiet, quick heartbeats and reconnects. */
export function startTestAgent(
  fleetAddress: AgentOptions['fleetAddress'],
  agentId: string,
  drivers: DeviceDriver[],
  extra: Partial<AgentOptions> = {},
) {
  const logger = createLogger('device-agent-test');
  logger.level = 'silent';
  return startAgent({
    fleetAddress,
    fleetSecurity: { mode: 'insecure-loopback' },
    agentId,
    enrolmentToken: 'token-test',
    drivers,
    heartbeatIntervalMs: 50,
    reconnect: { minMs: 20, maxMs: 100 },
    logger,
    ...extra,
  });
}
