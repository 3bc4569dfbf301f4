import { z } from '@hono/zod-openapi';
import { ErrorKey } from '@wagate/errors';
import { limits } from '../validation/limits.js';
import { mediaKindOf, mediaKinds } from '@wagate/contracts';
import { normalisePhoneNumber } from '../validation/phone-number.js';
import { characterCount, isHttpUrl, isPlainLine, isStorableText } from '../validation/strings.js';

/**
 * One message of Devino's `POST /whatsapp/messages`, field by field. This schema is what
 * validates each message (every message on its own, so one bad message never fails its
 * batch) and what the OpenAPI document shows. A check that has a contract key of its own
 * names it in `params.key`; the rest are mapped by `issues-to-reasons.ts`.
 */

/** The message for a wrong type: `null`/absent reads as missing, anything else as the wrong type. */
const typeError = (missing: string, wrongType: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined || issue.input === null ? missing : wrongType,
});
const keyed = (key: ErrorKey, message: string) => ({ message, params: { key } });

/** An ISO 639 language, optionally `_`/`-` and an ISO 3166 region, a UN M.49 area or an ISO 15924 script. */
export const LANGUAGE_CODE = /^[A-Za-z]{2,3}(?:[_-](?:[A-Za-z]{2}|[A-Za-z]{4}|\d{3}))?$/;

const allContentTypes = mediaKinds.flatMap((kind) => kind.types);

export const DevinoMessageSchema = z
  .object(
    {
      from: z
        .string(typeError('`from` (the sender) is required', '`from` must be a string, e.g. "MyCompany"'))
        .superRefine((value, ctx) => {
          if (value.trim() === '') {
            ctx.addIssue({
              code: 'custom',
              ...keyed(ErrorKey.MustBeNotNull, '`from` (the sender) is required'),
            });
          } else if (characterCount(value) > limits.maxSenderLength || !isPlainLine(value)) {
            ctx.addIssue({
              code: 'custom',
              message: `\`from\` must be a sender name or number of at most ${limits.maxSenderLength} characters, without control characters`,
            });
          }
        })
        .openapi({
          description:
            'The sender: a name registered to the account (as `GET /v1/senders` lists them) or one of its numbers, ' +
            'in any form `to` takes (`79990000001`, `+7 999 000-00-01`, `89990000001`); a number sends from its sender. ' +
            `At most ${limits.maxSenderLength} characters. A sender the account does not have is rejected with \`not.available\`.`,
          example: 'MyCompany',
          maxLength: limits.maxSenderLength,
        }),
      to: z
        .string(
          typeError(
            '`to` (the recipient) is required',
            '`to` must be a string of digits in international format, e.g. "79034567890"',
          ),
        )
        .transform((value, ctx) => {
          const number = normalisePhoneNumber(value);
          if (number.kind === 'ok') return number.digits;
          if (number.kind === 'missing') {
            ctx.addIssue({
              code: 'custom',
              ...keyed(ErrorKey.MustBeNotNull, '`to` (the recipient) is required'),
            });
          } else if (number.kind === 'too-long') {
            ctx.addIssue({
              code: 'custom',
              ...keyed(
                ErrorKey.LengthTooLong,
                `\`to\` has ${number.digits} digits; a phone number has at most ${limits.maxPhoneDigits} (E.164)`,
              ),
            });
          } else {
            ctx.addIssue({
              code: 'custom',
              ...keyed(
                ErrorKey.Invalid,
                `\`to\` is not a phone number in international format such as "79034567890": ${number.why}`,
              ),
            });
          }
          return z.NEVER;
        })
        .openapi({
          description:
            'The recipient in international format. Spaces, dashes, dots, parentheses and a leading `+` are removed, ' +
            `then the number is checked against libphonenumber's numbering plans: at most ${limits.maxPhoneDigits} digits ` +
            '(E.164). The Russian trunk form `89XXXXXXXXX` (11 digits, no `+`) is read as `79XXXXXXXXX`; any other ' +
            'number is read as international (there is no default country). Stored and shown as digits only, without `+`.',
          example: '79034567890',
        }),
      text: z
        .string({ error: '`text` must be a string' })
        .superRefine((value, ctx) => {
          if (characterCount(value) > limits.maxTextLength) {
            ctx.addIssue({
              code: 'custom',
              ...keyed(ErrorKey.LengthTooLong, `\`text\` is longer than ${limits.maxTextLength} characters`),
            });
          } else if (!isStorableText(value)) {
            ctx.addIssue({ code: 'custom', message: '`text` must be valid Unicode without NUL characters' });
          }
        })
        .nullish()
        .openapi({
          description: `The message text, at most ${limits.maxTextLength} characters (Unicode code points). An empty text counts as none.`,
          example: 'Code: 1234',
          maxLength: limits.maxTextLength,
        }),
      validity: z
        .number({ error: '`validity` must be a whole number of seconds' })
        .int({ error: '`validity` must be a whole number of seconds' })
        .min(limits.minValiditySeconds, {
          error: `\`validity\` must be from ${limits.minValiditySeconds} to ${limits.maxValiditySeconds} seconds`,
        })
        .max(limits.maxValiditySeconds, {
          error: `\`validity\` must be from ${limits.minValiditySeconds} to ${limits.maxValiditySeconds} seconds (one day)`,
        })
        .nullish()
        .openapi({
          description:
            `Seconds the message may wait before it expires, ${limits.minValiditySeconds}–${limits.maxValiditySeconds} ` +
            '(one day, the value the contract names). Devino takes it with template messages; wagate carries it for any message.',
          example: 86_400,
        }),
      contentUrl: z
        .string({ error: '`contentUrl` must be a string' })
        .refine(isHttpUrl, {
          message: `\`contentUrl\` must be an absolute http(s) URL of at most ${limits.maxUrlLength} characters`,
        })
        .nullish()
        .openapi({
          description: `The media to send: an absolute http(s) URL of at most ${limits.maxUrlLength} characters, fetched at send time.`,
          example: 'https://example.com/files/invoice-42.pdf',
          format: 'uri',
          maxLength: limits.maxUrlLength,
        }),
      contentName: z
        .string({ error: '`contentName` must be a string' })
        .superRefine((value, ctx) => {
          if (value.trim().length < limits.minContentNameLength) {
            ctx.addIssue({
              code: 'custom',
              ...keyed(ErrorKey.LengthTooShort, '`contentName` must not be empty'),
            });
          } else if (characterCount(value) > limits.maxContentNameLength) {
            ctx.addIssue({
              code: 'custom',
              ...keyed(
                ErrorKey.LengthTooLong,
                `\`contentName\` is longer than ${limits.maxContentNameLength} characters`,
              ),
            });
          } else if (!isPlainLine(value)) {
            ctx.addIssue({
              code: 'custom',
              message: '`contentName` must be a file name without control characters',
            });
          }
        })
        .nullish()
        .openapi({
          description: `The file name the recipient sees, ${limits.minContentNameLength}–${limits.maxContentNameLength} characters. Needs \`contentUrl\`.`,
          example: 'invoice-42.pdf',
          minLength: limits.minContentNameLength,
          maxLength: limits.maxContentNameLength,
        }),
      contentType: z
        .string({ error: '`contentType` must be a string' })
        .refine((value) => mediaKindOf(value) !== undefined, {
          message: `\`contentType\` must be a MIME type WhatsApp takes: ${allContentTypes.join(', ')}`,
        })
        .nullish()
        .openapi({
          description:
            'The MIME type of the media at `contentUrl`, one of the media table (parameters such as `; codecs=opus` are ' +
            `allowed): ${mediaKinds.map((kind) => `${kind.kind} (${kind.maxBytes / 1024 / 1024} MB): ${kind.types.join(', ')}`).join('; ')}. ` +
            'Sizes are checked when the file is sent (callback code 2303). Needs `contentUrl`.',
          example: 'application/pdf',
        }),
      callbackUrl: z
        .string({ error: '`callbackUrl` must be a string' })
        .refine(isHttpUrl, {
          message: `\`callbackUrl\` must be an absolute http(s) URL of at most ${limits.maxUrlLength} characters`,
        })
        .nullish()
        .openapi({
          description:
            'Where the status callbacks of this message are POSTed (SENT, DELIVERED, READ, FAILED, EXPIRED). Without it, ' +
            "statuses go to the account's default status URL (`PUT /v1/webhooks/incoming`), if any.",
          example: 'https://example.com/whatsapp/status',
          format: 'uri',
          maxLength: limits.maxUrlLength,
        }),
      callbackData: z
        .string({ error: '`callbackData` must be a string' })
        .refine((value) => characterCount(value) <= limits.maxCallbackDataLength && isStorableText(value), {
          message: `\`callbackData\` must be at most ${limits.maxCallbackDataLength} characters of valid Unicode without NUL`,
        })
        .nullish()
        .openapi({
          description: `Echoed back in every status callback as \`options\`; at most ${limits.maxCallbackDataLength} characters.`,
          example: 'order-42',
          maxLength: limits.maxCallbackDataLength,
        }),
      templateId: z
        .string({ error: '`templateId` must be a string' })
        .refine(
          (value) =>
            value !== '' && characterCount(value) <= limits.maxTemplateIdLength && isPlainLine(value),
          {
            message: `\`templateId\` must be 1–${limits.maxTemplateIdLength} characters without control characters`,
          },
        )
        .nullish()
        .openapi({
          description: `The template to send, 1–${limits.maxTemplateIdLength} characters; its text is rendered from \`templateParams\` in \`languageCode\`.`,
          example: 'account_activated',
          maxLength: limits.maxTemplateIdLength,
        }),
      templateParams: z
        .record(
          z
            .string()
            .regex(/^[A-Za-z0-9_]+$/, { error: 'template parameter names are letters, digits or _' })
            .max(limits.maxTemplateParamNameLength),
          z
            .string({ error: 'template parameter values must be strings' })
            .refine(
              (value) => characterCount(value) <= limits.maxTemplateParamLength && isStorableText(value),
              {
                message: `a template parameter is at most ${limits.maxTemplateParamLength} characters of valid Unicode without NUL`,
              },
            ),
          {
            error: (issue) =>
              issue.code === 'invalid_key'
                ? `template parameter names are 1–${limits.maxTemplateParamNameLength} letters, digits or _`
                : '`templateParams` must be an object of strings, e.g. {"1": "…"}',
          },
        )
        .refine((params) => Object.keys(params).length <= limits.maxTemplateParams, {
          message: `\`templateParams\` takes at most ${limits.maxTemplateParams} parameters`,
        })
        .nullish()
        .openapi({
          description:
            `Values for the template's placeholders: \`{"1": "…", "2": "…"}\` fills \`{{1}}\` and \`{{2}}\`. At most ${limits.maxTemplateParams} ` +
            `parameters, names of letters, digits or \`_\`, values strings of at most ${limits.maxTemplateParamLength} characters.`,
          example: { '1': '+7(495) 646 00 54', '2': 'https://devino.online' },
        }),
      languageCode: z
        .string({ error: '`languageCode` must be a string' })
        .superRefine((value, ctx) => {
          if (value.length < limits.minLanguageCodeLength) {
            ctx.addIssue({
              code: 'custom',
              ...keyed(
                ErrorKey.LengthTooShort,
                `\`languageCode\` is shorter than ${limits.minLanguageCodeLength} characters`,
              ),
            });
          } else if (value.length > limits.maxLanguageCodeLength) {
            ctx.addIssue({
              code: 'custom',
              ...keyed(
                ErrorKey.LengthTooLong,
                `\`languageCode\` is longer than ${limits.maxLanguageCodeLength} characters`,
              ),
            });
          } else if (!LANGUAGE_CODE.test(value)) {
            ctx.addIssue({
              code: 'custom',
              message: '`languageCode` must look like "ru", "en", "en_US", "pt-BR" or "zh_Hant"',
            });
          }
        })
        .nullish()
        .openapi({
          description:
            `The template's language, ${limits.minLanguageCodeLength}–${limits.maxLanguageCodeLength} characters: an ISO 639 ` +
            'language, optionally followed by `_` or `-` and a region or script (`ru`, `en_US`, `pt-BR`, `zh_Hant`); ' +
            "case does not matter. Default: the template's default language (see `/v1/templates`); `pt_BR` falls back to `pt`, never to another language.",
          example: 'ru',
          minLength: limits.minLanguageCodeLength,
          maxLength: limits.maxLanguageCodeLength,
          pattern: LANGUAGE_CODE.source,
        }),
    },
    {
      error: (issue) => (issue.input === null ? 'the message is null' : 'each message must be a JSON object'),
    },
  )
  .refine((message) => hasText(message.text) || present(message.contentUrl) || present(message.templateId), {
    ...keyed(
      ErrorKey.MustBeNotNull,
      'the message has nothing to send: give `text`, `contentUrl` or `templateId`',
    ),
    // Reported together with field errors, so a client fixes everything in one go.
    when: (payload) => isObject(payload.value),
  })
  .refine(
    (message) =>
      present(message.contentUrl) || (!present(message.contentType) && !present(message.contentName)),
    {
      message: '`contentType` and `contentName` describe the file at `contentUrl`: give `contentUrl` too',
      path: ['contentUrl'],
      when: (payload) => isObject(payload.value),
    },
  )
  .openapi('DevinoMessage', {
    description:
      'One message. Give `text`, media (`contentUrl`, with `contentType` and `contentName`) or a template ' +
      '(`templateId`, `templateParams`, `languageCode`). Unknown fields are ignored; `null` reads as absent.',
    example: { from: 'MyCompany', to: '79034567890', text: 'Code: 1234' },
  });

export type DevinoMessage = z.output<typeof DevinoMessageSchema>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function hasText(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
