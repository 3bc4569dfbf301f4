/**
 * Baseline of the callback benchmark: the same number of callback-shaped POSTs to the same
 * receiver with the worker's concurrency, straight from memory with fetch — the ceiling of
 * HTTP delivery on this machine, with no database, leases or signatures.
 */
import { serveTarget } from '../target-child.js';
import { CONCURRENCY, callbackCount, receiverUrl } from './callback-settings.js';

await serveTarget(async () => {
  const url = receiverUrl();
  let next = 0;
  const total = callbackCount();
  const body =
    '[{"messageId":1000000,"ts":0,"status":"SENT","errorCode":0,"ip":"","browser":"","os":"","userAgent":"","options":""}]';
  const lane = async () => {
    while (next < total) {
      const id = next++;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': `bare_${id}` },
        body,
      });
      await response.body?.cancel();
    }
  };
  const running = Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return {
    url,
    apiKey: '',
    async stop() {
      next = total;
      await running;
    },
  };
});
