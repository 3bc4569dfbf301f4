import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type OutboundUrlOptions, pinnedLookup, resolveAndCheck } from '@wagate/config';
import { mediaKindOf } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';

export interface MediaDownloadOptions extends OutboundUrlOptions {
  /** The whole download, from connecting to the last byte. */
  timeoutMs?: number;
}

/** A file on the agent's host, ready to be pushed to a phone. `remove()` deletes it. */
export interface DownloadedMedia {
  path: string;
  contentType: string;
  bytes: number;
  /** The file extension WhatsApp's preview expects for the type, with the dot. */
  extension: string;
  remove(): Promise<void>;
}

export type MediaDownload =
  | { ok: true; media: DownloadedMedia }
  | { ok: false; errorCode: StatusErrorCode; reason: string };

const defaultTimeoutMs = 60_000;

/**
 * Fetches a message's `contentUrl` on the agent's host, before the phone is touched, so a file
 * WhatsApp would refuse (a type not in the media table, or over its kind's size) fails with
 * 2303 without opening WhatsApp. The declared `contentType` wins over the server's; without
 * one, the server's must be in the table. The URL passed the api's check when the message was
 * accepted, but it is checked again here against every address its host resolves to, and the
 * connection goes to that checked address only: DNS may have changed since (SSRF).
 */
export async function downloadMedia(
  job: { contentUrl: string; contentType?: string; jobId: string },
  options: MediaDownloadOptions = {},
): Promise<MediaDownload> {
  const declared = job.contentType ? mediaKindOf(job.contentType) : undefined;
  if (job.contentType && !declared)
    return unsupported(`content type ${job.contentType} is not in the media table`);

  const checked = await resolveAndCheck(job.contentUrl, options);
  if (!checked.ok) {
    return { ok: false, errorCode: StatusErrorCode.Unknown, reason: `contentUrl refused: ${checked.reason}` };
  }
  const url = new URL(job.contentUrl);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: IncomingMessage;
  try {
    response = await getPinned(url, checked.addresses[0]!, signal);
  } catch (error) {
    return failedFetch(`could not fetch contentUrl: ${(error as Error).message}`);
  }
  if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) > 299) {
    response.resume();
    return failedFetch(`contentUrl answered HTTP ${response.statusCode}`);
  }
  const served = String(response.headers['content-type'] ?? '');
  const contentType = job.contentType ?? served;
  const kind = declared ?? mediaKindOf(served);
  if (!kind) {
    response.resume();
    return unsupported(`contentUrl serves ${served || 'no content type'}, which is not in the media table`);
  }
  const declaredLength = Number(response.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > kind.maxBytes) {
    response.resume();
    return unsupported(tooLarge(kind, declaredLength));
  }

  const dir = await mkdtemp(join(tmpdir(), 'wagate-media-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const extension = extensionOf(contentType);
  const path = join(dir, `${job.jobId.replace(/[^\w-]/g, '_')}${extension}`);
  let bytes = 0;
  let over = false;
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    // A server may send more than it declared, or declare nothing: count what arrives.
    if (bytes > kind.maxBytes && !over) {
      over = true;
      response.destroy(new Error('over the size limit'));
    }
  });
  try {
    await pipeline(response, createWriteStream(path), { signal });
  } catch (error) {
    await remove();
    if (over) return unsupported(tooLarge(kind, bytes));
    return failedFetch(`could not fetch contentUrl: ${(error as Error).message}`);
  }
  return { ok: true, media: { path, contentType, bytes, extension, remove } };
}

/** GET `url` connecting only to `address`; the host name still goes in Host and TLS SNI. */
export function getPinned(
  url: URL,
  address: { address: string; family: number },
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', lookup: pinnedLookup(address), agent: false, signal });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

const extensions: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'video/mp4': '.mp4',
  'video/3gpp': '.3gp',
  'audio/aac': '.aac',
  'audio/amr': '.amr',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/ogg': '.ogg',
  'audio/opus': '.opus',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/csv': '.csv',
  'application/zip': '.zip',
};

function extensionOf(contentType: string): string {
  return extensions[contentType.split(';')[0]!.trim().toLowerCase()] ?? '.bin';
}

function tooLarge(kind: { kind: string; maxBytes: number }, bytes: number): string {
  return `the ${kind.kind} is over WhatsApp's ${kind.maxBytes / 1024 / 1024} MB for ${kind.kind} (${bytes} bytes or more)`;
}

function unsupported(reason: string): MediaDownload {
  return { ok: false, errorCode: StatusErrorCode.MediaNotSupported, reason };
}

function failedFetch(reason: string): MediaDownload {
  return { ok: false, errorCode: StatusErrorCode.Unknown, reason };
}
