import type { common, fleet } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import type { DeviceDriver, SendJob, SendOutcome } from './driver.js';

/** The driver's view of an offered message. */
export function toSendJob(jobId: string, message: common.OutboundMessage): SendJob {
  return {
    jobId,
    messageId: message.messageId,
    recipient: message.recipient,
    text: message.text,
    contentUrl: message.contentUrl,
    contentType: message.contentType,
    contentName: message.contentName,
  };
}

/**
 * Runs one send and always comes back with an outcome: a driver that throws could not
 * drive the phone, which the fleet learns as an unknown error rather than as silence.
 */
export async function attemptSend(
  driver: DeviceDriver,
  offer: fleet.JobOffer,
  onDriverError: (error: Error) => void,
): Promise<SendOutcome> {
  if (!offer.message)
    return { sent: false, errorCode: StatusErrorCode.Unknown, reason: 'the offer carried no message' };
  try {
    return await driver.send(toSendJob(offer.jobId, offer.message));
  } catch (error) {
    onDriverError(error as Error);
    return {
      sent: false,
      errorCode: StatusErrorCode.Unknown,
      reason: `driver failed: ${(error as Error).message}`,
    };
  }
}

/**
 * The outcome of a job the journal says was started but never finished (the agent died while
 * sending): the phone decides. In its chat → sent. Certainly not sent → `undefined`: send it
 * now. The phone cannot tell → FAILED 2313 without sending again: a message late or lost is
 * recoverable by the tenant, one sent twice is not (docs/decisions.md).
 */
export async function outcomeOfInterruptedSend(
  driver: DeviceDriver,
  offer: fleet.JobOffer,
): Promise<SendOutcome | undefined> {
  const record = offer.message
    ? await driver.lookupSent?.(toSendJob(offer.jobId, offer.message)).catch(() => undefined)
    : undefined;
  if (record?.sent) return { sent: true, atMs: record.atMs };
  if (record && !record.sent) return undefined;
  return { sent: false, errorCode: StatusErrorCode.Unknown, reason: INTERRUPTED_SEND };
}

/** The reason of a job ended FAILED 2313 because the agent stopped mid-send and the phone cannot tell. */
export const INTERRUPTED_SEND =
  'the agent stopped while sending and the phone cannot tell whether the message left; not sent again, so it is never sent twice';

export function toJobResult(
  offer: fleet.JobOffer,
  outcome: SendOutcome,
  traceparent: string,
  now = Date.now(),
): fleet.JobResult {
  return {
    jobId: offer.jobId,
    deviceId: offer.deviceId,
    messageId: offer.message?.messageId ?? '',
    sent: outcome.sent,
    errorCode: outcome.sent ? StatusErrorCode.None : outcome.errorCode,
    atMs: String(outcome.sent ? outcome.atMs : now),
    traceparent,
  };
}
