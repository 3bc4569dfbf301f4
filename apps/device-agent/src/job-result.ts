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
