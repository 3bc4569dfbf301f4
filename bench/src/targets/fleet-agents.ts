/**
 * Simulated phones for the fleet bench, in a process of their own: `BENCH_FLEET_DEVICES`
 * devices over `BENCH_FLEET_STREAMS` agent streams (one agent each, as one host each) to
 * `BENCH_FLEET_ADDRESS`, numbered from `BENCH_FLEET_NUMBER_BASE`. Ready once every agent has
 * been welcomed, i.e. fleet has registered every device.
 */
import {
  type Agent,
  createSimDrivers,
  createSimProvider,
  type SimDriver,
  startAgent,
} from '@wagate/device-agent';
import { closeGrpcChannels, PLAINTEXT_LOOPBACK } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import { BENCH_ENROLMENT_TOKEN } from '../fleet/fleet-settings.js';
import { serveTarget } from '../target-child.js';

await serveTarget(async () => {
  const address = process.env.BENCH_FLEET_ADDRESS;
  if (!address) throw new Error('BENCH_FLEET_ADDRESS is not set: run this through npm run bench:fleet');
  const devices = Number(process.env.BENCH_FLEET_DEVICES ?? 100);
  const streams = Math.max(1, Math.min(devices, Number(process.env.BENCH_FLEET_STREAMS ?? 1)));
  const base = BigInt(process.env.BENCH_FLEET_NUMBER_BASE ?? '79990000001');
  const gapMs = Number(process.env.BENCH_FLEET_GAP_MS ?? 200);
  // How long a VM restart takes a phone away (the restart phase).
  const restartMs = Number(process.env.BENCH_FLEET_RESTART_MS ?? 20_000);
  // Hosts connect this far apart in all (evenly): each host's devices start their pace together,
  // as a real host's do, but the farm's hosts do not all start in the same instant.
  const spreadMs = Number(process.env.BENCH_FLEET_CONNECT_SPREAD_MS ?? 0);
  const logger = createLogger('bench-agents');
  logger.level = 'warn';
  const agents: Agent[] = [];
  const drivers: SimDriver[] = [];
  const perStream = Math.ceil(devices / streams);
  for (let stream = 0; stream < streams; stream++) {
    const count = Math.min(perStream, devices - stream * perStream);
    const numberBase = String(base + BigInt(stream * perStream));
    const phones = createSimDrivers(count, {
      seed: stream + 1,
      numberBase,
      // Well inside the pace (a fifth of the gap, at most 1 s), as a phone's send is inside the real 5 s.
      sendDelayMs: { medianMs: Math.min(1_000, gapMs / 5), spread: 0.3 },
      deliveredAfterMs: { medianMs: 300, spread: 0.5 },
      readAfterMs: { medianMs: 1_000, spread: 0.5 },
      readProbability: 0.5,
      notOnWhatsApp: [],
      vm: { bootMs: restartMs },
    });
    drivers.push(...phones);
    if (spreadMs > 0 && stream > 0) await new Promise((resolve) => setTimeout(resolve, spreadMs / streams));
    agents.push(
      startAgent({
        fleetAddress: address,
        fleetSecurity: PLAINTEXT_LOOPBACK,
        agentId: `bench-agent-${numberBase}`,
        enrolmentToken: BENCH_ENROLMENT_TOKEN,
        drivers: phones,
        // Their VMs, so fleet's restart commands reach them as on a real host.
        vms: { provider: createSimProvider(phones) },
        heartbeatIntervalMs: 10_000,
        logger,
      }),
    );
  }
  const deadline = Date.now() + 120_000;
  while (!agents.every((agent) => agent.connected())) {
    if (Date.now() > deadline) throw new Error('not every agent was welcomed within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: address,
    apiKey: '',
    async stop() {
      await Promise.all(agents.map((agent) => agent.stop()));
      await Promise.all(drivers.map((driver) => driver.close()));
      closeGrpcChannels();
    },
  };
});
