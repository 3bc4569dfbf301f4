import { readConfig } from '@wagate/config';
import { closeGrpcChannels } from '@wagate/rpc';
import { startProcessAdminServer } from '@wagate/runtime';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { startAgent } from './agent.js';
import { deviceAgentVariables, readAgentConfig } from './config.js';
import { fileCredentialStore } from './credential-store.js';
import { fileJournal, memoryJournal } from './journal.js';
import type { DeviceDriver } from './driver.js';
import { openAdbDriver } from './drivers/adb/adb-driver.js';
import { REALISTIC_SIM } from './drivers/sim/sim-driver.js';
import { startAutomationServer } from './drivers/automation/automation-server.js';
import type { SimDriver } from './drivers/sim/sim-driver.js';
import { createSimDrivers } from './drivers/sim/sim-drivers.js';
import { bootVms } from './providers/boot-vms.js';
import { configuredVmKeys, openHostVms, readVmConfig } from './providers/provider-config.js';
import type { AgentVms } from './commands/agent-vms.js';

// Every variable at once: a bad one stops the agent before it touches a phone.
const variables = readConfig(deviceAgentVariables);
const config = readAgentConfig(variables);
const vmConfig = readVmConfig(variables);
const telemetry = initTelemetry({ serviceName: 'device-agent' });
const log = createLogger('device-agent');
const admin = await startProcessAdminServer(variables, telemetry);

/** The host's phones, and what else must stop with them (the automation driver's server). */
async function openDrivers(): Promise<{ drivers: DeviceDriver[]; close(): Promise<void> }> {
  if (config.driver === 'automation') {
    const { phones, host, port, pickupTimeoutMs, resultTimeoutMs } = config.automation;
    const server = await startAutomationServer({
      phones,
      host,
      port,
      deadlines: { pickupMs: pickupTimeoutMs, resultMs: resultTimeoutMs },
    });
    log.info({ url: server.url }, 'automation phones poll here');
    return { drivers: server.drivers, close: () => server.close() };
  }
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
              media: config.adb.media,
              logger: createLogger('device-agent:adb'),
            }),
          ),
        )
      : createSimDrivers(config.sim.devices, {
          ...(config.sim.profile === 'realistic' ? REALISTIC_SIM : {}),
          seed: config.sim.seed,
          numberBase: config.sim.numberBase,
          ...(config.sim.sentRecordDir ? { sentRecordDir: config.sim.sentRecordDir } : {}),
        });
  return { drivers, close: async () => {} };
}

// An emulator or redroid host starts its VMs before the adb driver looks at them.
let vms: Omit<AgentVms, 'apk'> | undefined;
const managedKeys = configuredVmKeys(vmConfig);
if (managedKeys && config.driver === 'adb') {
  vms = openHostVms(vmConfig, 'adb', { keys: managedKeys });
  await bootVms(vms.provider, log);
}
const host = await openDrivers();
const journal = config.journalFile ? fileJournal(config.journalFile) : memoryJournal();
if (!config.journalFile) {
  log.warn('WAGATE_AGENT_JOURNAL_FILE is not set: after a crash this agent cannot tell which jobs it sent');
}
const { drivers } = host;
vms ??= openHostVms(vmConfig, config.driver, {
  sim: config.driver === 'sim' ? (drivers as SimDriver[]) : [],
  keys: drivers.map((driver) => driver.info.deviceKey),
});
const agent = startAgent({
  fleetAddress: config.fleetAddresses,
  fleetSecurity: config.fleetSecurity,
  agentId: config.agentId,
  enrolmentToken: config.enrolmentToken,
  ...(config.credentialFile ? { credentials: fileCredentialStore(config.credentialFile) } : {}),
  journal,
  drivers,
  vms: { ...vms, apk: config.driver === 'adb' ? config.adb.media : {} },
  logger: log,
});
log.info(
  {
    fleetAddresses: config.fleetAddresses,
    tls: config.fleetSecurity.mode !== 'insecure-loopback',
    agentId: config.agentId,
    driver: config.driver,
    vmProvider: vms.provider.kind,
    vmCapacity: vms.vmCapacity,
    devices: drivers.map((driver) => driver.info.phoneNumber),
  },
  'device agent started',
);
admin.markReady();

async function shutdown(): Promise<void> {
  admin.markDraining();
  await agent.stop();
  journal.close();
  await Promise.all(drivers.map((driver) => driver.close()));
  await host.close();
  closeGrpcChannels();
  await telemetry.shutdown();
  await admin.close();
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
