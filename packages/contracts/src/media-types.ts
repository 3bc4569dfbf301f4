/**
 * The media a message may carry (`contentType`), from the contract's media table, with the
 * size WhatsApp accepts for each. Sizes are not checked at request time — that would mean
 * fetching `contentUrl`, a remote call per message; a file over its limit fails at send time
 * with callback code 2303.
 */
export const mediaKinds = [
  {
    kind: 'audio',
    maxBytes: 16 * 1024 * 1024,
    types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg', 'audio/opus'],
    note: 'opus codec for audio/ogg',
  },
  {
    kind: 'document',
    maxBytes: 100 * 1024 * 1024,
    types: [
      'application/pdf',
      'text/plain',
      'text/csv',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/zip',
    ],
    note: 'any of these is sent as a document',
  },
  {
    kind: 'image',
    maxBytes: 16 * 1024 * 1024,
    types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'],
    note: 'a GIF becomes an MP4 on WhatsApp',
  },
  {
    kind: 'video',
    maxBytes: 5 * 1024 * 1024,
    types: ['video/mp4', 'video/3gpp'],
    note: 'H.264 video with AAC audio only',
  },
] as const;

const byType = new Map<string, (typeof mediaKinds)[number]>(
  mediaKinds.flatMap((kind) => kind.types.map((type) => [type, kind] as const)),
);

/** The media kind of a MIME type (`image/png`, `audio/ogg; codecs=opus`), or undefined when WhatsApp takes no such media. */
export function mediaKindOf(contentType: string): (typeof mediaKinds)[number] | undefined {
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  return byType.get(essence);
}

/** The table as Markdown, for the OpenAPI document. */
export function mediaTable(): string {
  const rows = mediaKinds.map(
    (kind) =>
      `| ${kind.kind} | ${kind.types.join(', ')} | ${kind.maxBytes / 1024 / 1024} MB | ${kind.note} |`,
  );
  return ['| kind | content types | largest file | note |', '|---|---|---|---|', ...rows].join('\n');
}
