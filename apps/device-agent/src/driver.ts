import type { fleet } from '@wagate/contracts';

/** One message for a device to send, as the agent hands it to a driver. */
export interface SendJob {
  jobId: string;
  messageId: string;
  /** Digits only, E.164 without "+". */
  recipient: string;
  text: string;
  contentUrl?: string;
  contentType?: string;
  contentName?: string;
}

/**
 * What the phone reported. A driver resolves with `sent: false` when WhatsApp itself refused
 * (e.g. 2305: the recipient is not on WhatsApp) and throws only when the driver could not
 * drive the phone at all (adb gone, UI stuck): then nobody knows whether the message left.
 */
export type SendOutcome = { sent: true; atMs: number } | { sent: false; errorCode: number; reason: string };

/**
 * What the phone itself shows of a message the agent may have sent before it restarted: in the
 * chat (sent, and when), or certainly not sent. `undefined` when the phone cannot tell.
 */
export type PhoneRecord = { sent: true; atMs: number } | { sent: false } | undefined;

export type ReceiptKind = 'DELIVERED' | 'READ';

/** A delivered/read tick for a message this device sent. */
export interface DeviceReceipt {
  messageId: string;
  kind: ReceiptKind;
  atMs: number;
}

/** A message someone sent to this device's number. */
export interface DeviceInbound {
  /** Unique per device, so the fleet recognises a repeated report. */
  deviceMessageKey: string;
  from: string;
  text: string;
  profileName: string;
  atMs: number;
  /** A received file, once the driver has put it where the tenant can fetch it. */
  media?: fleet.InboundMedia;
  location?: fleet.InboundLocation;
  contacts?: fleet.InboundContact[];
}

/** What an inbound message may carry besides text. */
export type InboundExtras = Pick<DeviceInbound, 'media' | 'location' | 'contacts'>;

export interface DeviceInfo {
  /** Stable identity of the phone/VM on its host, e.g. an adb serial. */
  deviceKey: string;
  phoneNumber: string;
  androidVersion: string;
  whatsappVersion: string;
  driver: 'sim' | 'adb' | 'automation';
}

export type DeviceHealth = Omit<fleet.DeviceHeartbeat, 'deviceId'>;

/**
 * The port every device driver implements: a simulated phone (`sim`) or a real Android
 * phone/VM driven over adb. A phone is one UI, so a driver may serialise sends; the agent
 * never offers a device more than one job at a time anyway.
 */
export interface DeviceDriver {
  readonly info: DeviceInfo;
  send(job: SendJob): Promise<SendOutcome>;
  /** Looks the message up on the phone (its chat); absent: the driver cannot look. */
  lookupSent?(job: SendJob): Promise<PhoneRecord>;
  heartbeat(): Promise<DeviceHealth>;
  /** Delivered/read ticks for messages this device sent. */
  onReceipt(listener: (receipt: DeviceReceipt) => void): void;
  onInbound(listener: (message: DeviceInbound) => void): void;
  close(): Promise<void>;
}
