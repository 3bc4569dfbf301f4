import type { InboundContent } from '@wagate/contracts';

/**
 * What an agent reports about its devices, in fleet's terms (grpc/from-proto.ts reads them off
 * the agent stream).
 */

/** How a job went on the device it was offered to. */
export interface JobOutcome {
  jobId: string;
  deviceId: string;
  messageId: string;
  sent: boolean;
  /** The callback code of a failure; 0 when sent (or unknown: reported as 2000). */
  errorCode: number;
  /** When the device sent it or gave up, epoch milliseconds; 0: unknown (now). */
  atMs: number;
  /** The job's trace, so the status event continues it. */
  traceparent: string;
}

/** A message the device sent was delivered to or read on the recipient's phone. */
export interface DeliveryReceipt {
  deviceId: string;
  messageId: string;
  status: 'DELIVERED' | 'READ';
  /** Epoch milliseconds; 0: unknown (now). */
  atMs: number;
  traceparent: string;
}

/** A device's periodic state. */
export interface Heartbeat {
  deviceId: string;
  batteryPercent: number;
  screenOn: boolean;
  /** Decimal string: it may pass 2^53 on no phone, but the column is int8. */
  storageFreeBytes: string;
  networkUp: boolean;
  /** logged_in, logged_out, banned or update_required; empty when the agent cannot tell. */
  whatsappState: string;
}

/** A message a device received. */
export interface InboundReport {
  deviceId: string;
  /** The device's own key of the message: repeats of one report share it. */
  deviceMessageKey: string;
  from: string;
  text: string;
  profileName: string;
  /** Epoch milliseconds; 0: unknown (now). */
  atMs: number;
  /** Media, a location or contact cards; absent for plain text. */
  content?: InboundContent;
}
