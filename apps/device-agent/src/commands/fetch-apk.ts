import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type OutboundUrlOptions, resolveAndCheck } from '@wagate/config';
import { getPinned } from '../media/download-media.js';

export interface ApkFetchOptions extends OutboundUrlOptions {
  /** Larger files are refused (WhatsApp's APK is ~100 MB). */
  maxBytes?: number;
}

export interface FetchedApk {
  path: string;
  bytes: number;
  remove(): Promise<void>;
}

const defaultMaxBytes = 512 * 1024 * 1024;

/**
 * Fetches an APK on the agent's host and keeps it only when its SHA-256 is the one the fleet
 * sent. The URL is checked against every address its host resolves to (no loopback, private
 * or metadata addresses unless allowed) and the connection goes to that checked address only.
 * Throws with the reason when anything is off; nothing is left behind then.
 */
export async function fetchApk(
  url: string,
  expectedSha256: string,
  signal: AbortSignal,
  options: ApkFetchOptions = {},
): Promise<FetchedApk> {
  const expected = expectedSha256.toLowerCase();
  if (!/^[\da-f]{64}$/.test(expected)) throw new Error('apk_sha256 must be 64 hex digits');
  const checked = await resolveAndCheck(url, options);
  if (!checked.ok) throw new Error(`APK URL refused: ${checked.reason}`);
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const response = await getPinned(new URL(url), checked.addresses[0]!, signal);
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.resume();
    throw new Error(`APK URL answered HTTP ${status}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'wagate-apk-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'update.apk');
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new Error(`the APK is over ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, count, createWriteStream(path), { signal });
    const actual = hash.digest('hex');
    if (actual !== expected) throw new Error(`the APK's SHA-256 is ${actual}, not ${expected}`);
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, bytes, remove };
}
