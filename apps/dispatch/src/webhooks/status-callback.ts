/**
 * The body of a status callback in the contract's shape: a JSON array of status objects.
 * `messageId` is a JSON number as the contract says (`long`), written with every digit of the
 * 64-bit id rather than through a float, so a receiver with a big-number JSON parser gets it exact.
 */
export function statusCallbackBody(status: {
  messageId: string;
  ts: number;
  status: string;
  errorCode: number;
  options: string | null;
}): string {
  if (!/^\d+$/.test(status.messageId)) throw new Error(`message id must be digits: ${status.messageId}`);
  const rest = JSON.stringify({
    ts: status.ts,
    status: status.status,
    errorCode: status.errorCode,
    ip: '',
    browser: '',
    os: '',
    userAgent: '',
    options: status.options ?? '',
  });
  return `[{"messageId":${status.messageId},${rest.slice(1)}]`;
}
