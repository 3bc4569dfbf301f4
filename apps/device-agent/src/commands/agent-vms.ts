import type { fleet } from '@wagate/contracts';
import type { Logger } from '@wagate/telemetry';
import { createStaticProvider } from '../providers/static-provider.js';
import type { VmProvider } from '../providers/vm-provider.js';
import type { ApkFetchOptions } from './fetch-apk.js';
import { hostReport } from './host-report.js';
import { createVmCommands } from './vm-commands.js';

/** The agent's VMs, as `startAgent` takes them. */
export interface AgentVms {
  provider: VmProvider;
  /** How many VMs the host holds by its budget (see capacity.ts); reported to the fleet. */
  vmCapacity?: number;
  /** Where the APKs of install commands may come from besides the public internet. */
  apk?: ApkFetchOptions;
}

/** The hooks the agent's stream needs: run commands, report the host. */
export function startAgentVms(
  vms: AgentVms | undefined,
  stream: {
    deviceKeys: string[];
    deviceKeyOf(deviceId: string): string | undefined;
    report(result: fleet.VmCommandResult): void;
    logger: Logger;
  },
) {
  // Without a provider the devices are static and unreachable through adb: every command
  // is refused as unsupported, with a reason the operator sees in the device's history.
  const provider = vms?.provider ?? createStaticProvider({ vmKeys: stream.deviceKeys, adb: false });
  const commands = createVmCommands({
    provider,
    deviceKeyOf: stream.deviceKeyOf,
    report: stream.report,
    logger: stream.logger,
    ...(vms?.apk ? { apk: vms.apk } : {}),
  });
  return {
    receive: commands.receive,
    idle: commands.idle,
    hostReport: () => hostReport(provider, vms?.vmCapacity ?? 0),
  };
}
