/** A job offer as the fleet sends it, for `FakeFleet.offer`. */
export function jobOffer(
  jobId: string,
  deviceId: string,
  {
    recipient = '79161234567',
    text = 'Hello!',
    traceparent = '',
  }: { recipient?: string; text?: string; traceparent?: string } = {},
) {
  return {
    jobId,
    deviceId,
    traceparent,
    message: { messageId: `msg-${jobId}`, accountId: 'acc-1', sender: 'MyCompany', recipient, text },
  };
}
