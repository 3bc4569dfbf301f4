import { fleet } from '@wagate/contracts';
import type { JobOffer } from '../agents/device-sessions.js';
import type { AgentSummary } from '../agents/list-agents.js';
import type { DeviceDetail, DeviceView } from '../devices.js';
import type { IssuedEnrolmentToken } from '../enrolment.js';
import type { FleetHealth } from '../fleet-health.js';
import type { SenderSummary } from '../list-senders.js';
import type { ResolvedSender } from '../resolve-senders.js';
import type { RolloutProgress } from '../vm/rollouts.js';
import type { CommandRow } from '../vm/vm-commands.js';
import { vmActionToProto } from './from-proto.js';

/**
 * Fleet's domain types in their gRPC form: with from-proto.ts, the only place that knows the
 * generated types, so a change of the proto is a change here. Times go out as epoch
 * milliseconds in decimal strings, '0' for none.
 */

const epochMs = (at: Date | null) => (at ? String(at.getTime()) : '0');

export function resolvedSendersToProto(senders: ResolvedSender[]): fleet.ResolveSendersResponse {
  return {
    senders: senders.map(({ name, available, numbers, senderName }) => ({
      name,
      available,
      numbers,
      senderName,
    })),
  };
}

export function senderToProto(sender: SenderSummary): fleet.SenderSummary {
  return {
    senderId: sender.senderId,
    name: sender.name,
    numbers: sender.numbers,
    devices: sender.devices,
    devicesConnected: sender.devicesConnected,
    createdAtMs: epochMs(sender.createdAt),
    queuedJobs: sender.queuedJobs,
  };
}

export function fleetHealthToProto(health: FleetHealth): fleet.GetFleetHealthResponse {
  return {
    devices: health.devices.map(({ state, adminState, count }) => ({ state, adminState, count })),
    worst: health.worst.map((trouble) => ({
      deviceId: trouble.deviceId,
      accountId: trouble.accountId,
      phoneNumber: trouble.phoneNumber,
      sender: trouble.sender,
      state: trouble.state,
      adminState: trouble.adminState,
      why: trouble.why,
      recentFailures: trouble.recentFailures,
      recentResults: trouble.recentResults,
      lastHeartbeatAtMs: epochMs(trouble.lastHeartbeatAt),
    })),
    queues: health.queues.map((queue) => ({
      senderId: queue.senderId,
      sender: queue.sender,
      accountId: queue.accountId,
      queued: queue.queued,
      inFlight: queue.inFlight,
      oldestQueuedAtMs: epochMs(queue.oldestQueuedAt),
      usableDevices: queue.usableDevices,
      devices: queue.devices,
    })),
  };
}

export function enrolmentTokenToProto({
  token,
  secret,
}: IssuedEnrolmentToken): fleet.CreateEnrolmentTokenResponse {
  return {
    secret,
    token: {
      tokenId: token.id,
      accountId: token.account_id,
      maxUses: token.max_uses,
      uses: token.uses,
      expiresAtMs: String(token.expires_at.getTime()),
      sender: token.sender ?? '',
      createdAtMs: String(token.created_at.getTime()),
    },
  };
}

export function deviceToProto({ row, connected, accepting, pacing, jobsToday }: DeviceView): fleet.Device {
  return {
    deviceId: row.id,
    accountId: row.account_id ?? '',
    agentId: row.agent_id,
    deviceKey: row.device_key,
    phoneNumber: row.phone_number,
    sender: row.sender ?? '',
    senderId: row.sender_id ?? '',
    state: row.state,
    stateReason: row.state_reason,
    stateChangedAtMs: epochMs(row.state_changed_at),
    adminState: row.admin_state,
    androidVersion: row.android_version,
    whatsappVersion: row.whatsapp_version,
    driver: row.driver,
    connected,
    accepting,
    health: {
      lastHeartbeatAtMs: epochMs(row.last_heartbeat_at),
      batteryPercent: row.battery_percent ?? undefined,
      screenOn: row.screen_on ?? undefined,
      storageFreeBytes: row.storage_free_bytes ?? undefined,
      networkUp: row.network_up ?? undefined,
      whatsappState: row.whatsapp_state,
    },
    createdAtMs: epochMs(row.created_at),
    jobsToday,
    recentResults: row.recent_results,
    ...(pacing ? { pacing } : {}),
  };
}

export function deviceDetailToProto({ device, history }: DeviceDetail): fleet.GetDeviceResponse {
  return {
    device: deviceToProto(device),
    history: history.map((entry) => ({
      atMs: String(entry.at.getTime()),
      change: entry.change,
      from: entry.from_value,
      to: entry.to_value,
      reason: entry.reason,
    })),
  };
}

/** The command as the api shows it. */
export function deviceCommandToProto(row: CommandRow): fleet.DeviceCommand {
  return {
    commandId: row.id,
    deviceId: row.device_id,
    action: vmActionToProto(row.action),
    state: row.state,
    error: row.error,
    createdAtMs: epochMs(row.created_at),
    deadlineAtMs: epochMs(row.deadline_at),
    finishedAtMs: epochMs(row.finished_at),
    requestedBy: row.requested_by,
    snapshot: row.snapshot,
    apkUrl: row.apk_url,
    apkSha256: row.apk_sha256,
  };
}

export function commandAnswerToProto(row: CommandRow): fleet.CommandDeviceResponse {
  return {
    command: deviceCommandToProto(row),
    screenshotPng: row.screenshot ? Buffer.from(row.screenshot) : Buffer.alloc(0),
  };
}

/** The command as it goes down an agent's stream. */
export function vmCommandToProto(row: CommandRow): fleet.VmCommand {
  return {
    commandId: row.id,
    deviceId: row.device_id,
    action: vmActionToProto(row.action),
    snapshot: row.snapshot,
    apkUrl: row.apk_url,
    apkSha256: row.apk_sha256,
    deadlineMs: String(row.deadline_at.getTime()),
  };
}

export function agentToProto(agent: AgentSummary): fleet.AgentSummary {
  return {
    agentId: agent.agentId,
    accountId: agent.accountId,
    connected: agent.connected,
    devices: agent.devices,
    // Stored as the agent's report in its JSON form, read back the same way.
    host: agent.hostReport ? fleet.HostReport.fromJSON(agent.hostReport) : undefined,
    reportedAtMs: epochMs(agent.reportedAt),
  };
}

export function rolloutToProto({ rollout: row, ...devices }: RolloutProgress): fleet.Rollout {
  return {
    rolloutId: row.id,
    accountId: row.account_id,
    apkUrl: row.apk_url,
    apkSha256: row.apk_sha256,
    state: row.state,
    reason: row.reason,
    wave: row.wave,
    devicesTotal: devices.devicesTotal,
    devicesSucceeded: devices.devicesSucceeded,
    devicesFailed: devices.devicesFailed,
    devicesInProgress: devices.devicesInProgress,
    firstWaveShare: row.first_wave_share,
    growth: row.growth,
    maxFailureRate: row.max_failure_rate,
    createdAtMs: String(row.created_at.getTime()),
    finishedAtMs: epochMs(row.finished_at),
  };
}

export function jobOfferToProto(offer: JobOffer): fleet.JobOffer {
  return {
    jobId: offer.jobId,
    deviceId: offer.deviceId,
    message: offer.message,
    traceparent: offer.traceparent,
  };
}
