import { pinnedLookup } from '@wagate/config';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostResult {
  status: number;
  retryAfter: string | undefined;
}

/**
 * POSTs `body` to `url`, connecting only to `address` (already checked by the SSRF guard):
 * the host name still goes in `Host` and TLS SNI and certificates are verified against it, but
 * no second DNS lookup can send the request elsewhere. Resolves on the response's status line;
 * fails on a connection error or after `timeoutMs`.
 */
export function postPinned(
  url: URL,
  address: { address: string; family: number },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PostResult> {
  const payload = Buffer.from(body, 'utf8');
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(payload.length) },
      lookup: pinnedLookup(address),
      // A fresh connection per attempt: a pooled socket could outlive the address check.
      agent: false,
      signal,
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (response) => {
      clearTimeout(timer);
      const retryAfter = response.headers['retry-after'];
      resolve({ status: response.statusCode ?? 0, retryAfter });
      response.resume();
      response.on('error', () => {});
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(payload);
  });
}
