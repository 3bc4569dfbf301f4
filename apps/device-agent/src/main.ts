import { closeGrpcChannels } from '@wagate/rpc';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { startAgent } from './agent.js';
import { readAgentConfig } from './config.js';
import type { DeviceDriver } from './driver.js';
import { openAdbDriver } from './drivers/adb/adb-driver.js';
import { REALISTIC_SIM } from './drivers/sim/sim-driver.js';
import { createSimDrivers } from './drivers/sim/sim-drivers.js';

const config = readAgentConfig();
const telemetry = initTelemetry({ serviceName: 'device-agent' });
const log = createLogger('device-agent');

const drivers: DeviceDriver[] =
  config.driver === 'adb'
    ? await Promise.all(
        config.adb.devices.map((device) =>
          openAdbDriver({
            ...device,
            adbPath: config.adb.adbPath,
            whatsappPackage: config.adb.whatsappPackage,
            ticks: { intervalMs: config.adb.ticksIntervalMs },
            notifications: { intervalMs: config.adb.notificationsIntervalMs },
            logger: createLogger('device-agent:adb'),
          }),
        ),
      )
    : createSimDrivers(config.sim.devices, {
        ...(config.sim.profile === 'realistic' ? REALISTIC_SIM : {}),
        seed: config.sim.seed,
        numberBase: config.sim.numberBase,
      });
const agent = startAgent({
  fleetAddress: config.fleetAddress,
  agentId: config.agentId,
  enrolmentToken: config.enrolmentToken,
  drivers,
  logger: log,
});
log.info(
  {
    fleetAddress: config.fleetAddress,
    agentId: config.agentId,
    driver: config.driver,
    devices: drivers.map((driver) => driver.info.phoneNumber),
  },
  'device agent started',
);

async function shutdown(): Promise<void> {
  await agent.stop();
  await Promise.all(drivers.map((driver) => driver.close()));
  closeGrpcChannels();
  await telemetry.shutdown();
  // No process.exit: with the stream, timers and channels closed the event loop drains.
}

// The first SIGINT/SIGTERM stops cleanly; a second one is left to its default (exit now).
function onSignal(signal: NodeJS.Signals): void {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  log.info({ signal }, 'stopping');
  shutdown().catch((error) => {
    log.error({ err: error }, 'unclean shutdown');
    process.exitCode = 1;
  });
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
