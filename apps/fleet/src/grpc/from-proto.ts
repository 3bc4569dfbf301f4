import type { InboundContent } from '@wagate/contracts';
import { fleet } from '@wagate/contracts';
import type { DeliveryReceipt, Heartbeat, InboundReport, JobOutcome } from '../agents/agent-reports.js';
import type { NewEnrolmentToken } from '../enrolment.js';
import type { VmCommandOutcome } from '../vm/vm-commands.js';
import { isKnownVmAction, type KnownVmAction } from '../vm/vm-actions.js';

/**
 * Requests and agent reports in their gRPC form read into fleet's domain types. Where a request
 * already has the domain's shape (references, queries) the handler passes it as it is and the
 * compiler checks that the two agree, so a proto change still fails here, at the edge.
 */

const { VmAction } = fleet;

/** Each action's name (how it is stored and shown) and its enum value on the wire. */
const vmActionValues: Record<KnownVmAction, fleet.VmAction> = {
  restart_vm: VmAction.VM_ACTION_RESTART_VM,
  reboot_android: VmAction.VM_ACTION_REBOOT_ANDROID,
  restore_snapshot: VmAction.VM_ACTION_RESTORE_SNAPSHOT,
  install_apk: VmAction.VM_ACTION_INSTALL_APK,
  screenshot: VmAction.VM_ACTION_SCREENSHOT,
};

/** Undefined for UNSPECIFIED or a value this fleet does not know. */
export function vmActionFromProto(action: fleet.VmAction): KnownVmAction | undefined {
  return (Object.keys(vmActionValues) as KnownVmAction[]).find((name) => vmActionValues[name] === action);
}

/** A stored action name on the wire; UNSPECIFIED for a name this fleet does not know. */
export function vmActionToProto(name: string): fleet.VmAction {
  return isKnownVmAction(name) ? vmActionValues[name] : VmAction.VM_ACTION_UNSPECIFIED;
}

export function enrolmentTokenFromProto(request: fleet.CreateEnrolmentTokenRequest): NewEnrolmentToken {
  return {
    accountId: request.accountId,
    maxUses: request.maxUses,
    expiresAtMs: Number(request.expiresAtMs),
    sender: request.sender,
    createdByAccountId: request.createdByAccountId,
  };
}

const whatsappStates: Record<fleet.WhatsAppState, string> = {
  [fleet.WhatsAppState.WHATS_APP_STATE_UNSPECIFIED]: '',
  [fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN]: 'logged_in',
  [fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_OUT]: 'logged_out',
  [fleet.WhatsAppState.WHATS_APP_STATE_BANNED]: 'banned',
  [fleet.WhatsAppState.WHATS_APP_STATE_UPDATE_REQUIRED]: 'update_required',
  [fleet.WhatsAppState.UNRECOGNIZED]: '',
};

export function heartbeatFromProto(heartbeat: fleet.DeviceHeartbeat): Heartbeat {
  return {
    deviceId: heartbeat.deviceId,
    batteryPercent: heartbeat.batteryPercent,
    screenOn: heartbeat.screenOn,
    storageFreeBytes: heartbeat.storageFreeBytes,
    networkUp: heartbeat.networkUp,
    whatsappState: whatsappStates[heartbeat.whatsappState] ?? '',
  };
}

export function jobResultFromProto(result: fleet.JobResult): JobOutcome {
  return {
    jobId: result.jobId,
    deviceId: result.deviceId,
    messageId: result.messageId,
    sent: result.sent,
    errorCode: result.errorCode,
    atMs: Number(result.atMs),
    traceparent: result.traceparent,
  };
}

/** Undefined for a receipt of a kind this fleet does not know (it is dropped). */
export function receiptFromProto(receipt: fleet.Receipt): DeliveryReceipt | undefined {
  const status =
    receipt.kind === fleet.ReceiptKind.RECEIPT_KIND_DELIVERED
      ? 'DELIVERED'
      : receipt.kind === fleet.ReceiptKind.RECEIPT_KIND_READ
        ? 'READ'
        : undefined;
  if (!status) return undefined;
  return {
    deviceId: receipt.deviceId,
    messageId: receipt.messageId,
    status,
    atMs: Number(receipt.atMs),
    traceparent: receipt.traceparent,
  };
}

export function inboundFromProto(inbound: fleet.InboundMessage): InboundReport {
  return {
    deviceId: inbound.deviceId,
    deviceMessageKey: inbound.deviceMessageKey,
    from: inbound.from,
    text: inbound.text,
    profileName: inbound.profileName,
    atMs: Number(inbound.atMs),
    ...contentOf(inbound),
  };
}

export function vmResultFromProto(result: fleet.VmCommandResult): VmCommandOutcome {
  return {
    commandId: result.commandId,
    deviceId: result.deviceId,
    ok: result.ok,
    error: result.error,
    screenshotPng: result.screenshotPng,
  };
}

/** The proto's media, location and contact cards in the event's (the webhook's) terms; nothing for plain text. */
function contentOf(inbound: fleet.InboundMessage): { content?: InboundContent } {
  const content: InboundContent = {};
  if (inbound.media?.url) {
    const { url, contentType, name } = inbound.media;
    content.media = { url, contentType, name };
  }
  if (inbound.location) {
    const { latitude, longitude, address, name, url } = inbound.location;
    content.location = { latitude, longitude, address, addressName: name, addressUrl: url };
  }
  if (inbound.contacts.length > 0) {
    content.contacts = inbound.contacts.map((card) => ({
      contactName: card.name,
      contactCompany: card.company,
      birthday: card.birthday,
      phones: card.phones.map(({ phone, waId, type }) => ({ phone, waId, type })),
      emails: card.emails,
      urls: card.urls,
      addresses: card.addresses,
    }));
  }
  return Object.keys(content).length === 0 ? {} : { content };
}
