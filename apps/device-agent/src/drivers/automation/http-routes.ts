import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { SendJob } from '../../driver.js';
import { chatLink } from '../adb/chat-link.js';
import type { AutomationDriver } from './automation-driver.js';
import type { PhoneReport } from './phone-jobs.js';
import type { PhoneTokens } from './phone-tokens.js';

export interface AutomationRoutesOptions {
  tokens: PhoneTokens;
  drivers: ReadonlyMap<string, AutomationDriver>;
  /** The longest long-poll a phone may ask for, in seconds. */
  maxWaitSeconds: number;
}

type Env = { Variables: { driver: AutomationDriver } };

const maxBodyBytes = 64 * 1024;

type ErrorCode =
  | 'unauthorized'
  | 'payload_too_large'
  | 'bad_request'
  | 'unsupported_media_type'
  | 'unknown_job'
  | 'job_expired'
  | 'not_sent';

function fail(c: Context, status: 400 | 401 | 404 | 409 | 413 | 415, error: ErrorCode, message: string) {
  return c.json({ error, message }, status);
}

/** Form fields arrive as text; JSON may say true/false either way. */
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

const resultSchema = z
  .object({
    sent: flag,
    error: z.string().trim().min(1).max(500).optional(),
  })
  .refine((result) => result.sent || result.error !== undefined, {
    path: ['error'],
    message: 'required when sent is false: "not_on_whatsapp" or a description of what went wrong',
  });

const receiptSchema = z.object({
  kind: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['delivered', 'read'])),
});

/** Epoch milliseconds, or seconds (as Tasker's %TIMES gives): anything below 10^11 is seconds. */
const postedAt = z.coerce
  .number()
  .positive()
  .transform((v) => Math.round(v < 1e11 ? v * 1_000 : v));

const notificationSchema = z
  .object({
    title: z.string().max(1_000).optional(),
    text: z.string().max(20_000).optional(),
    // A list, or one string with a line per message (what Automagic's text lines give).
    lines: z
      .union([
        z.array(z.string().max(20_000)).max(100),
        z
          .string()
          .max(50_000)
          .transform((v) => v.split(/\r?\n/)),
      ])
      .optional(),
    package: z.string().max(200).optional(),
    postedAt: postedAt.optional(),
  })
  .refine((n) => [n.title, n.text, ...(n.lines ?? [])].some((v) => v !== undefined && v.trim() !== ''), {
    message: 'a notification needs a title, a text or lines',
  });

const pollSchema = z.object({
  wait: z.coerce.number().int().min(0).optional(),
  battery: z.coerce.number().int().min(0).max(100).optional(),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * The fields of a request body, whatever the automation app could produce: JSON, a form
 * (what Automagic and Tasker send most easily, with no escaping to get wrong), or plain
 * text (taken as the notification's `text`).
 */
async function readFields(c: Context): Promise<{ fields: unknown } | { error: string; status: 400 | 415 }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  try {
    if (type === 'application/json') return { fields: await c.req.json() };
    if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
      // `all`: a field given more than once (`lines=…&lines=…`) becomes a list.
      return { fields: await c.req.parseBody({ all: true }) };
    }
    if (type === '' || type === 'text/plain') return { fields: { text: await c.req.text() } };
  } catch {
    return { error: `the body is not valid ${type}`, status: 400 };
  }
  return {
    error: `unsupported content type "${type}": send application/json, application/x-www-form-urlencoded or text/plain`,
    status: 415,
  };
}

async function parseBody<T extends z.ZodType>(c: Context, schema: T) {
  const read = await readFields(c);
  if ('error' in read)
    return {
      response: fail(
        c,
        read.status,
        read.status === 415 ? 'unsupported_media_type' : 'bad_request',
        read.error,
      ),
    };
  const parsed = schema.safeParse(read.fields);
  if (!parsed.success) return { response: fail(c, 400, 'bad_request', describeIssues(parsed.error)) };
  return { value: parsed.data as z.output<T> };
}

/** What a phone gets to send: the text, and the links that open the chat with it typed in. */
function jobForPhone(job: SendJob) {
  const link = chatLink(job.recipient, job.text);
  const query = link.slice(link.indexOf('?') + 1);
  return {
    jobId: job.jobId,
    messageId: job.messageId,
    phone: job.recipient,
    text: job.text,
    link,
    waMeLink: `https://wa.me/${job.recipient}?${query.replace(/^phone=\d+&?/, '')}`,
    whatsappUri: `whatsapp://send?${query}`,
  };
}

/** The phones' HTTP API: `/automation/v1/…`, every route behind the phone's own bearer token. */
export function createAutomationRoutes(options: AutomationRoutesOptions): Hono<Env> {
  const app = new Hono<Env>().basePath('/automation/v1');

  app.use('*', async (c, next) => {
    const deviceKey = options.tokens.identify(c.req.header('authorization'));
    const driver = deviceKey === undefined ? undefined : options.drivers.get(deviceKey);
    if (!driver) {
      c.header('WWW-Authenticate', 'Bearer');
      return fail(
        c,
        401,
        'unauthorized',
        "missing or unknown device token: send 'Authorization: Bearer <token>'",
      );
    }
    c.set('driver', driver);
    await next();
  });
  // A notification is a few kilobytes at most; the limit keeps a broken flow from filling memory.
  app.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => fail(c, 413, 'payload_too_large', `the body is larger than ${maxBodyBytes} bytes`),
    }),
  );

  app.get('/next', async (c) => {
    const query = pollSchema.safeParse(c.req.query());
    if (!query.success) return fail(c, 400, 'bad_request', describeIssues(query.error));
    const waitSeconds = query.data.wait ?? Math.min(25, options.maxWaitSeconds);
    if (waitSeconds > options.maxWaitSeconds) {
      return fail(c, 400, 'bad_request', `wait: at most ${options.maxWaitSeconds} seconds`);
    }
    const { phone } = c.get('driver');
    phone.polled(query.data.battery);
    const job = await phone.jobs.next(waitSeconds * 1_000, c.req.raw.signal);
    return job ? c.json(jobForPhone(job)) : c.body(null, 204);
  });

  app.post('/jobs/:jobId/result', async (c) => {
    const body = await parseBody(c, resultSchema);
    if (body.response) return body.response;
    const report: PhoneReport = body.value.sent
      ? { sent: true }
      : { sent: false, error: body.value.error ?? '' };
    const jobId = c.req.param('jobId');
    const answer = c.get('driver').phone.jobs.report(jobId, report);
    if (answer === 'unknown') return fail(c, 404, 'unknown_job', `no job ${jobId} was handed to this phone`);
    if (answer === 'expired') {
      return fail(
        c,
        409,
        'job_expired',
        `job ${jobId} timed out before this report: its outcome was reported as unknown`,
      );
    }
    return c.json({ status: answer });
  });

  app.post('/jobs/:jobId/receipt', async (c) => {
    const body = await parseBody(c, receiptSchema);
    if (body.response) return body.response;
    const jobId = c.req.param('jobId');
    const kind = body.value.kind === 'read' ? 'READ' : 'DELIVERED';
    const answer = c.get('driver').phone.receipt(jobId, kind);
    if (answer.kind === 'unknown')
      return fail(c, 404, 'unknown_job', `no finished job ${jobId} on this phone`);
    if (answer.kind === 'not-sent')
      return fail(c, 409, 'not_sent', `job ${jobId} was not sent: it gets no ticks`);
    return c.json({ status: answer.kind });
  });

  app.post('/notifications', async (c) => {
    const body = await parseBody(c, notificationSchema);
    if (body.response) return body.response;
    const { title, text, lines, package: packageName, postedAt: postedAtMs } = body.value;
    const answer = c
      .get('driver')
      .phone.notified({ title, text, lines, packageName }, postedAtMs ?? Date.now());
    return c.json(answer);
  });

  return app;
}
