import { mediaTable, templateRenderLimits } from '@wagate/contracts';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../idempotency/index.js';
import { catalogueTable } from './error-catalogue.js';
import { limits } from '../validation/limits.js';

const description = `
wagate speaks Devino's WhatsApp HTTP API — a client written for Devino works by changing only its
base URL — and adds a \`/v1\` management API in the same error style.

## Authentication
Every route except \`/healthz\`, \`/openapi.json\` and \`/docs\` takes an API key:
\`Authorization: Key <api key>\` (\`Bearer <api key>\` is accepted too). A key has scopes:
\`send\` for \`POST /whatsapp/messages\`, \`read\` for \`GET /v1/...\`, \`manage\` for \`PUT /v1/...\`.

## Sending a batch
\`POST /whatsapp/messages\` takes 1–${limits.maxMessagesPerRequest} messages. The envelope is checked for
the request as a whole (a missing, empty, non-array or too long \`messages\` is a 400); then **each
message is validated on its own** and gets its own result, at its own index, in one 200 response:
\`{"code":"OK","messageId"}\` or \`{"code":"REJECTED","reasons":[{"key","ref"}],"description"}\` with
\`ref\` = \`messages[i].<field>\`. The valid messages of a batch are sent even when others are rejected;
a rejected message is not sent and costs nothing. A message can also be rejected after validation:
\`not.available\` (a sender the account does not have) or \`billing.error\`. \`from\` is a sender's name or
one of its numbers, in any form \`to\` takes. The whole batch costs one call per concern (billing,
templates, dispatch, and fleet when a \`from\` is a number), never one per message. With the account's
send-rate limit on, the answer carries \`RateLimit-Policy\` and \`RateLimit\` (IETF draft) for its bucket.

## Templates and the conversation window
A message with \`templateId\` is rendered from the template's **approved** version for
\`languageCode\`: the exact locale, else its base language (\`pt_BR\` → \`pt\`), never another language;
without \`languageCode\`, the template's default language. A template that does not render is still
accepted (\`OK\` and a \`messageId\`) and then fails: its status callback is \`FAILED\` with the code
below, \`GET /v1/messages/{messageId}\` shows it, and nothing is charged.
\`POST /v1/templates/{templateId}/preview\` answers the same ahead of sending.

| errorCode | when |
|---|---|
| 2308 | \`templateParams\` are not exactly the placeholders \`{{1}}\`…\`{{n}}\` of the body |
| 2309 | no approved version in that language (also: an unknown, deleted, paused or another account's template) |
| 2310 | the language exists, but only in other locales (\`pt_PT\` for a \`pt_BR\` request) |
| 2311 | a parameter over ${templateRenderLimits.maxParamLength} characters, or a filled-in body over ${templateRenderLimits.maxRenderedBodyLength} |
| 2312 | the account enforces the 24-hour window and the recipient has not written to that sender in 24 hours (messages without a template only) |

## Errors
Every failure of a whole request has the shape of a rejected message,
\`{"code":"REJECTED","reasons":[{"key","ref"}],"description"}\`, with a 4xx or 5xx status.

${catalogueTable()}

## Limits
Where the contract names no number, wagate chose:

| what | limit |
|---|---|
| messages per request | 1–${limits.maxMessagesPerRequest} |
| body size | ${limits.maxBodyBytes} bytes (413 above) |
| \`text\` | ${limits.maxTextLength} characters (Unicode code points) |
| \`to\` | a valid number (libphonenumber-js), at most ${limits.maxPhoneDigits} digits; \`89XXXXXXXXX\` is read as \`79XXXXXXXXX\` |
| \`from\` | ${limits.maxSenderLength} characters |
| \`validity\` | ${limits.minValiditySeconds}–${limits.maxValiditySeconds} seconds |
| \`languageCode\` | ${limits.minLanguageCodeLength}–${limits.maxLanguageCodeLength} characters, \`ru\`, \`en_US\`, \`pt-BR\`, \`zh_Hant\` |
| \`contentName\` | ${limits.minContentNameLength}–${limits.maxContentNameLength} characters |
| \`callbackUrl\`, \`contentUrl\` | absolute http(s), ${limits.maxUrlLength} characters |
| \`callbackData\` | ${limits.maxCallbackDataLength} characters |
| \`templateId\` | ${limits.maxTemplateIdLength} characters |
| \`templateParams\` | ${limits.maxTemplateParams} parameters of ${limits.maxTemplateParamLength} characters (a template takes ${templateRenderLimits.maxParamLength}: longer fails with 2311) |
| \`Idempotency-Key\` | 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, remembered ${limits.idempotencyWindowHours} hours |
| list pages | 1–${limits.maxPageSize} items, default ${limits.defaultPageSize} |

Media (\`contentType\`), from the contract's media table; sizes are checked when the file is sent
(callback code 2303), not at request time:

${mediaTable()}

## Retries and idempotency
Send an \`Idempotency-Key\` header with \`POST /whatsapp/messages\` to make retries safe: for
${limits.idempotencyWindowHours} hours the same key and the same body (byte for byte) answer the first
response again, with \`Idempotent-Replayed: true\`, and nothing is sent twice. The same key with a
different body is refused with 409 \`idempotency.conflict\`; while the first request is still being
handled, a second one gets 409 \`idempotency.in.progress\` (retry shortly). Keys are per account. A
request refused before any message was handled (400, 401, 403, 413, 415) does not use up its key, nor
does one that failed while nothing could have been sent (503).

## Lists
\`GET /v1/messages\`, \`GET /v1/senders\` and \`GET /v1/templates\` return \`{"data":[…],"nextCursor"}\`; pass \`nextCursor\` as
\`cursor\` for the next page until it is \`null\`. Cursors are opaque.
`.trim();

/** The document's fixed part; paths and components come from the routes' schemas. */
export const openApiConfig = {
  openapi: '3.1.0',
  info: {
    title: 'wagate',
    version: '1.0.0',
    description,
    license: { name: 'MIT', identifier: 'MIT' },
  },
  // Relative: the document is served by the gateway it describes, whatever its address.
  servers: [
    { url: '/', description: 'The gateway serving this document (npm start: http://127.0.0.1:3000)' },
  ],
  tags: [
    { name: 'Devino', description: "Devino's WhatsApp HTTP API, wire-compatible." },
    { name: 'Messages', description: 'Messages of the account and their statuses.' },
    { name: 'Senders', description: 'The names (and numbers) the account sends from.' },
    {
      name: 'Devices',
      description:
        'The phones and VMs that send: enrolment, health and history, binding, quarantine and drain.',
    },
    { name: 'Webhooks', description: 'Where the account receives incoming messages and statuses.' },
    { name: 'Billing', description: 'The prepaid balance and usage.' },
    {
      name: 'Accounts',
      description: "The account tree: the key's own account, sub-accounts, their limits, prices and credit.",
    },
    {
      name: 'API keys',
      description: 'Keys of an account: created, rotated and revoked (shown once, kept hashed).',
    },
    {
      name: 'Templates',
      description:
        'Templates per language with approval, rendering previews, and the 24-hour conversation window.',
    },
    {
      name: 'Policy',
      description:
        'What dispatch refuses to send: blocked words and domains (2017), recipients who opted out (2302).',
    },
    {
      name: 'Console sessions',
      description: 'A key exchanged for an HttpOnly session cookie, as the console signs in (same scopes and subtree as the key).',
    },
    { name: 'System', description: 'Health and this documentation.' },
  ],
};
