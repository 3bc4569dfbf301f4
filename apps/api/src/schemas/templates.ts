import { z } from '@hono/zod-openapi';
import { limits } from '../validation/limits.js';
import { mediaKinds } from '@wagate/contracts';
import { isHttpUrl, isPlainLine, isStorableText } from '../validation/strings.js';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';
import { LANGUAGE_CODE } from './devino-message.js';

const text = (field: string, max: number) =>
  z
    .string({ error: `\`${field}\` must be a string` })
    .min(1, { error: `\`${field}\` must not be empty` })
    .refine((value) => [...value].length <= max, { error: `\`${field}\` is longer than ${max} characters` })
    .refine(isStorableText, { error: `\`${field}\` contains characters that cannot be stored` });

const url = (field: string) =>
  z.string({ error: `\`${field}\` must be a string` }).refine(isHttpUrl, {
    error: `\`${field}\` must be an absolute http(s) URL of at most ${limits.maxUrlLength} characters`,
  });

export const LanguageCodeSchema = z
  .string({ error: '`languageCode` must be a string' })
  .regex(LANGUAGE_CODE, { error: '`languageCode` must look like "ru", "en", "en_US", "pt-BR" or "zh_Hant"' })
  .openapi({
    description:
      'An ISO 639 language, optionally `_`/`-` and a region or script; stored as `pt_BR` (`pt-br` names the same version).',
    example: 'pt_BR',
  });

export const CategorySchema = z.enum(['marketing', 'utility', 'authentication']).openapi({
  description: "WhatsApp's template category; it sets the message's price.",
  example: 'utility',
});

const HeaderSchema = z
  .discriminatedUnion('format', [
    z.object({
      format: z.literal('text'),
      text: text('header.text', limits.maxTemplateHeaderTextLength).openapi({ example: 'Your order' }),
    }),
    z.object({
      format: z.literal('media'),
      mediaUrl: url('header.mediaUrl').openapi({ example: 'https://cdn.example.com/banner.jpg' }),
      mediaType: z
        .enum(mediaKinds.flatMap((kind) => kind.types) as [string, ...string[]], {
          error: '`header.mediaType` must be a MIME type of the media table',
        })
        .openapi({ example: 'image/jpeg' }),
    }),
  ])
  .openapi('TemplateHeader', {
    description:
      `Optional: a text line (at most ${limits.maxTemplateHeaderTextLength} characters, no placeholders) sent above the body, ` +
      'or media sent as the message content.',
    example: { format: 'text', text: 'Your order' },
  });

const ButtonSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('quick_reply'),
      text: text('buttons[].text', limits.maxTemplateButtonTextLength),
    }),
    z.object({
      type: z.literal('url'),
      text: text('buttons[].text', limits.maxTemplateButtonTextLength),
      url: url('buttons[].url'),
    }),
    z.object({
      type: z.literal('phone'),
      text: text('buttons[].text', limits.maxTemplateButtonTextLength),
      phoneNumber: z
        .string()
        .regex(/^\+?\d{5,15}$/, { error: '`phoneNumber` must be digits, optionally after +' }),
    }),
  ])
  .openapi('TemplateButton', {
    description:
      'A quick reply, a URL or a phone button. A device sends a template as a plain message, so buttons become lines ' +
      'under the body: `[Text]`, `Text: <url>`, `Text: <phone>`.',
    example: { type: 'url', text: 'Track', url: 'https://shop.example.com/t/17' },
  });

export const TemplateContentSchema = z.object({
  body: text('body', limits.maxTemplateBodyLength).openapi({
    description: `The text, at most ${limits.maxTemplateBodyLength} characters, with placeholders \`{{1}}\`…\`{{n}}\` numbered without gaps.`,
    example: 'Order {{1}} is ready for pickup at {{2}}',
  }),
  header: HeaderSchema.optional(),
  footer: text('footer', limits.maxTemplateFooterLength).optional().openapi({
    description: 'A line under the body, without placeholders.',
    example: 'Reply STOP to opt out',
  }),
  buttons: z
    .array(ButtonSchema)
    .max(limits.maxTemplateButtons, { error: `at most ${limits.maxTemplateButtons} buttons` })
    .optional()
    .openapi({
      description: `At most ${limits.maxTemplateButtons}.`,
      example: [{ type: 'url', text: 'Track', url: 'https://shop.example.com/t/17' }],
    }),
});

export const TemplateLanguageInputSchema = TemplateContentSchema.extend({
  languageCode: LanguageCodeSchema,
}).openapi('TemplateLanguageInput', { description: "One language version's content." });

const languagesInput = z
  .array(TemplateLanguageInputSchema)
  .min(1, { error: 'give at least one language' })
  .max(limits.maxTemplateLanguages, { error: `at most ${limits.maxTemplateLanguages} languages` })
  .openapi({
    description: `One entry per language version, at most ${limits.maxTemplateLanguages}.`,
    example: [{ languageCode: 'en', body: 'Order {{1}} is ready for pickup at {{2}}' }],
  });

export const TemplateCreateSchema = z
  .object({
    name: z
      .string({ error: '`name` is required' })
      .regex(/^[a-z0-9_]+$/, { error: '`name` must be lower-case letters, digits and _' })
      .max(limits.maxTemplateNameLength, {
        error: `\`name\` is longer than ${limits.maxTemplateNameLength} characters`,
      })
      .refine(isPlainLine)
      .openapi({
        description: 'Unique in the account: lower-case letters, digits and `_`.',
        example: 'order_ready',
      }),
    category: CategorySchema,
    defaultLanguage: LanguageCodeSchema.optional().openapi({
      description: 'The language a send without `languageCode` gets; default: the first language given.',
    }),
    languages: languagesInput,
  })
  .openapi('TemplateCreate', {
    description: 'A new template; every language starts as a `draft` (revision 1).',
    example: {
      name: 'order_ready',
      category: 'utility',
      languages: [
        { languageCode: 'en', body: 'Order {{1}} is ready for pickup at {{2}}' },
        { languageCode: 'pt_BR', body: 'O pedido {{1}} está pronto para retirada em {{2}}' },
      ],
    },
  });

export const TemplateUpdateSchema = z
  .object({
    defaultLanguage: LanguageCodeSchema.optional(),
    languages: languagesInput.optional(),
  })
  .openapi('TemplateUpdate', {
    description:
      'Languages to add or edit (others stay as they are). Changed content becomes a new `draft` revision of its ' +
      'language; an approved revision keeps serving sends until the new one is approved. Name and category are fixed.',
    example: { languages: [{ languageCode: 'en', body: 'Order {{1}} awaits you at {{2}}' }] },
  });

const RevisionSchema = TemplateContentSchema.extend({
  revision: z.number().int().openapi({ description: 'Numbered from 1 per language.', example: 2 }),
  status: z.enum(['draft', 'pending', 'approved', 'rejected', 'paused', 'superseded']).openapi({
    description:
      '`draft` → `pending` (submitted) → `approved` or `rejected`; `approved` ⇄ `paused`; `superseded` once a newer ' +
      'revision replaced it.',
    example: 'pending',
  }),
  reason: z.string().nullable().openapi({ description: 'Why it was rejected or paused.', example: null }),
  createdAt: z
    .string()
    .openapi({ description: 'When it was written (ISO 8601).', example: '2026-03-01T09:30:00.000Z' }),
  reviewedAt: z
    .string()
    .nullable()
    .openapi({ description: 'When it was last reviewed; `null` if never.', example: null }),
}).openapi('TemplateRevision');

export const TemplateSchema = z
  .object({
    id: z.string().openapi({
      description: 'The id sends give as `templateId`.',
      example: 'tpl_01jz3k8v2m0000000000000000',
    }),
    name: z.string().openapi({ description: 'Unique in the account.', example: 'order_ready' }),
    category: CategorySchema,
    defaultLanguage: z
      .string()
      .openapi({ description: 'What a send without `languageCode` gets.', example: 'en' }),
    languages: z
      .array(
        z.object({
          languageCode: z.string().openapi({ example: 'en' }),
          latest: RevisionSchema.openapi({ description: 'The newest revision, whatever its status.' }),
          // A union, not `.nullable()`: on a registered schema that renders as an `allOf` with the
          // `$ref`, which a validator never lets be `null`.
          serving: z.union([RevisionSchema, z.null()]).openapi({
            description: 'The revision sends get (approved), or the paused one; `null` when none.',
          }),
        }),
      )
      .openapi({
        description: 'Each language version.',
        example: [
          {
            languageCode: 'en',
            latest: {
              revision: 1,
              status: 'approved',
              body: 'Order {{1}} is ready',
              reason: null,
              createdAt: '2026-03-01T09:30:00.000Z',
              reviewedAt: '2026-03-01T10:00:00.000Z',
            },
            serving: {
              revision: 1,
              status: 'approved',
              body: 'Order {{1}} is ready',
              reason: null,
              createdAt: '2026-03-01T09:30:00.000Z',
              reviewedAt: '2026-03-01T10:00:00.000Z',
            },
          },
        ],
      }),
    createdAt: z.string().openapi({ description: 'ISO 8601.', example: '2026-03-01T09:30:00.000Z' }),
    updatedAt: z.string().openapi({
      description: 'The last change of any kind (ISO 8601).',
      example: '2026-03-01T09:30:00.000Z',
    }),
  })
  .openapi('Template', { description: 'A template with each language version and its approval state.' });

export const TemplateListSchema = z
  .object({
    data: z.array(TemplateSchema).openapi({ description: 'Templates, newest first.', example: [] }),
    nextCursor: NextCursorSchema,
  })
  .openapi('TemplateList', { description: "One page of the account's templates, newest first." });

export const ListTemplatesQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const TemplateIdParam = z.object({
  templateId: z
    .string()
    .max(limits.maxTemplateIdLength)
    .openapi({
      param: { name: 'templateId', in: 'path' },
      description: 'The template id (`templateId` of the send call).',
      example: 'tpl_01jz3k8v2m0000000000000000',
    }),
});

export const TemplateReviewSchema = z
  .object({
    languageCode: LanguageCodeSchema,
    decision: z.enum(['approve', 'reject', 'pause']).openapi({
      description:
        '`approve` or `reject` the pending revision; `pause` the approved one (sends fail with 2309 until it is ' +
        'approved again); `approve` a paused one resumes it.',
      example: 'approve',
    }),
    reason: text('reason', 512).optional().openapi({
      description: 'Why, for a rejection or a pause.',
      example: 'the body promises a discount the footer denies',
    }),
  })
  .openapi('TemplateReview', { description: 'A review decision for one language.' });

export const TemplatePreviewInputSchema = z
  .object({
    languageCode: LanguageCodeSchema.optional(),
    templateParams: z
      .record(z.string(), z.string({ error: 'parameter values must be strings' }))
      .optional()
      .openapi({ description: "The send's `templateParams`.", example: { '1': 'A-17', '2': 'Main St 5' } }),
  })
  .openapi('TemplatePreviewInput', {
    description: 'What a send would give as `languageCode` and `templateParams`.',
  });

export const TemplatePreviewSchema = z
  .object({
    ok: z
      .boolean()
      .openapi({ description: 'Whether a send with these values would be sent.', example: true }),
    text: z.string().nullable().openapi({
      description: 'The text a send would get; `null` when it would fail.',
      example: 'Order A-17 is ready for pickup at Main St 5',
    }),
    languageCode: z
      .string()
      .nullable()
      .openapi({ description: 'The approved version used, after fallback (`pt_BR` → `pt`).', example: 'en' }),
    revision: z.number().int().nullable().openapi({ description: 'The approved revision used.', example: 1 }),
    errorCode: z.number().int().openapi({
      description:
        'The code a send would fail with: 2308 (parameter count), 2309/2310 (language, locale), 2311 (too long); 0 when ok.',
      example: 0,
    }),
    description: z.string().nullable().openapi({ description: 'Why it would fail.', example: null }),
  })
  .openapi('TemplatePreview', {
    description: 'What sending the template with these values would do, without sending.',
  });

export const ConversationWindowPolicySchema = z
  .object({
    mode: z.enum(['enforce', 'off']).openapi({
      description:
        '`enforce`: a message without a template to a recipient who has not written to that sender in the last 24 ' +
        'hours fails with 2312 (WhatsApp Business rules); `off` (default): no check — devices may open conversations.',
      example: 'enforce',
    }),
  })
  .openapi('ConversationWindowPolicy');

export const ConversationWindowPolicyViewSchema = ConversationWindowPolicySchema.extend({
  updatedAt: z
    .string()
    .nullable()
    .openapi({ description: 'When it was last set; `null` if never.', example: '2026-03-01T09:30:00.000Z' }),
}).openapi('ConversationWindowPolicyView');
