import { fleet } from '@wagate/contracts';
import type { vmActionNames, vmCommandStates } from '../schemas/vm.js';
import { isoTime } from './messages.js';

const instant = (ms: string) => (Number(ms) > 0 ? isoTime(ms) : null);

export function commandView(command: fleet.DeviceCommand | undefined) {
  if (!command) throw new Error('fleet answered without the command');
  const state = command.state as (typeof vmCommandStates)[number];
  const action = fleet
    .vmActionToJSON(command.action)
    .replace(/^VM_ACTION_/, '')
    .toLowerCase() as (typeof vmActionNames)[number];
  return {
    commandId: command.commandId,
    deviceId: command.deviceId,
    action,
    state,
    error: command.error,
    requestedBy: command.requestedBy,
    createdAt: isoTime(command.createdAtMs),
    deadlineAt: isoTime(command.deadlineAtMs),
    finishedAt: instant(command.finishedAtMs),
    screenshotUrl:
      action === 'screenshot' && state === 'succeeded'
        ? `/v1/devices/${encodeURIComponent(command.deviceId)}/commands/${encodeURIComponent(command.commandId)}/screenshot`
        : null,
  };
}

export function agentView(agent: fleet.AgentSummary) {
  const host = agent.host;
  return {
    agentId: agent.agentId,
    accountId: agent.accountId,
    connected: agent.connected,
    devices: agent.devices,
    reportedAt: instant(agent.reportedAtMs),
    host: host
      ? {
          provider: host.provider,
          vmsTotal: host.vmsTotal,
          vmsRunning: host.vmsRunning,
          vmCapacity: host.vmCapacity,
          vmFree: Math.max(0, host.vmCapacity - host.vmsRunning),
          cpuCores: host.cpuCores,
          loadAverage1m: host.loadAverage1m,
          memoryTotalBytes: Number(host.memoryTotalBytes),
          memoryFreeBytes: Number(host.memoryFreeBytes),
          diskTotalBytes: Number(host.diskTotalBytes),
          diskFreeBytes: Number(host.diskFreeBytes),
        }
      : null,
  };
}

export function rolloutView(rollout: fleet.Rollout | undefined) {
  if (!rollout) throw new Error('fleet answered without the rollout');
  return {
    rolloutId: rollout.rolloutId,
    accountId: rollout.accountId,
    apkUrl: rollout.apkUrl,
    apkSha256: rollout.apkSha256,
    state: rollout.state as 'running' | 'completed' | 'halted',
    reason: rollout.reason,
    wave: rollout.wave,
    devicesTotal: rollout.devicesTotal,
    devicesSucceeded: rollout.devicesSucceeded,
    devicesFailed: rollout.devicesFailed,
    devicesInProgress: rollout.devicesInProgress,
    firstWaveShare: rollout.firstWaveShare,
    growth: rollout.growth,
    maxFailureRate: rollout.maxFailureRate,
    createdAt: isoTime(rollout.createdAtMs),
    finishedAt: instant(rollout.finishedAtMs),
  };
}
