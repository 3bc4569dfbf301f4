import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { asKey, childWithKey } from './support/accounts.js';
import { type SendBody, SLOW, type TestGateway, validMessage, test } from './support/gateway.js';

/**
 * One test per request-time error row of the contract
 * (`shared/reference/devino-whatsapp-api.md`, "Request-time error keys"), each against the real
 * services over real HTTP, asserting the key, the ref with the message's real index, and the
 * HTTP status. Rows about one message come back in a 200 send response, at their index; rows
 * about the request are its status.
 */

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

/** Rejected at validation (no text, content or template), so it is never sent. */
const filler = { from: 'MyCompany', to: '79034567890' };

/**
 * Sends `message` as the third of a batch (after two messages rejected for their own reason),
 * so the ref must carry the real index 2, and returns its result.
 */
async function resultOfThird(message: Record<string, unknown>) {
  const response = await t.send({ messages: [filler, filler, message] });
  expect(response.status).toBe(200);
  const body = (await response.json()) as SendBody;
  expect(body.result).toHaveLength(3);
  return body.result[2]!;
}

async function expectMessageRow(
  message: Record<string, unknown>,
  key: string,
  ref: string,
  mentions: RegExp,
) {
  const result = await resultOfThird(message);
  expect(result).toEqual({
    code: 'REJECTED',
    reasons: [{ key, ref }],
    description: expect.stringMatching(mentions),
  });
}

async function expectRequestRow(
  response: Response,
  status: number,
  key: string,
  ref: string | undefined,
  mentions: RegExp,
) {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({
    code: 'REJECTED',
    reasons: [ref === undefined ? { key } : { key, ref }],
    description: expect.stringMatching(mentions),
  });
}

describe('rows about the request', () => {
  test('forbidden (no ref): a key without the send scope gets 403', async () => {
    const readOnly = await t.createKey(['read']);
    const response = await t.send({ messages: [validMessage] }, { authorization: `Key ${readOnly}` });
    await expectRequestRow(response, 403, 'forbidden', undefined, /"send" scope/);
  });

  test('must.be.not.null messages: an empty messages array gets 400', async () => {
    await expectRequestRow(
      await t.send({ messages: [] }),
      400,
      'must.be.not.null',
      'messages',
      /non-empty array/,
    );
  });

  test('must.be.not.null messages: a body without messages gets 400', async () => {
    await expectRequestRow(
      await t.send({ message: [validMessage] }),
      400,
      'must.be.not.null',
      'messages',
      /`messages`/,
    );
  });

  test('too.many.messages messages: 1001 messages get 400', async () => {
    const response = await t.send({ messages: Array.from({ length: 1001 }, () => filler) });
    await expectRequestRow(response, 400, 'too.many.messages', 'messages', /at most 1000/);
  });
});

describe('rows about one message (200, result at the message index)', () => {
  test('billing.error (no ref): a message the account cannot pay for, refused by billing at reservation', async () => {
    // A customer of the platform with a price and no funds: billing refuses the reservation,
    // and its refusal reaches the client as the contract's key, at the message's index.
    const platform = asKey(t, await t.platformKey());
    const broke = await childWithKey(platform, t, { name: 'Broke', kind: 'customer' });
    const priced = await platform.put(`/v1/accounts/${broke.id}/prices`, {
      prices: [{ country: '*', kind: 'text', priceMinor: 100 }],
    });
    expect(priced.status).toBe(200);
    const answer = await broke.client.send([filler, filler, validMessage]);
    expect(answer.status).toBe(200);
    expect(answer.body.result[2]).toEqual({
      code: 'REJECTED',
      reasons: [{ key: 'billing.error' }],
      description: expect.stringMatching(/payment is required/),
    });
  });

  test('invalid messages[i].to: wrong phone number', async () => {
    await expectMessageRow({ ...validMessage, to: 'call me maybe' }, 'invalid', 'messages[2].to', /`to`/);
    await expectMessageRow(
      { ...validMessage, to: '70000000000' },
      'invalid',
      'messages[2].to',
      /not a valid number/,
    );
  });

  test('invalid messages[i].validity: wrong validity', async () => {
    await expectMessageRow(
      { ...validMessage, validity: 0 },
      'invalid',
      'messages[2].validity',
      /`validity`.*1 to 86400/,
    );
    await expectMessageRow(
      { ...validMessage, validity: '1 day' },
      'invalid',
      'messages[2].validity',
      /whole number/,
    );
  });

  test('invalid messages[i].callbackUrl: wrong URL', async () => {
    await expectMessageRow(
      { ...validMessage, callbackUrl: 'ftp://example.com/status' },
      'invalid',
      'messages[2].callbackUrl',
      /`callbackUrl` must be an absolute http\(s\) URL/,
    );
  });

  test('invalid messages[i].callbackUrl: an internal address (SSRF guard)', async () => {
    await expectMessageRow(
      { ...validMessage, callbackUrl: 'http://169.254.169.254/latest/meta-data/' },
      'invalid',
      'messages[2].callbackUrl',
      /`callbackUrl` must be a public address: 169\.254\.169\.254 \(metadata address\)/,
    );
  });

  test('invalid messages[i].contentUrl: wrong content URL', async () => {
    await expectMessageRow(
      { from: 'MyCompany', to: '79034567890', contentUrl: 'invoice.pdf', contentType: 'application/pdf' },
      'invalid',
      'messages[2].contentUrl',
      /`contentUrl` must be an absolute http\(s\) URL/,
    );
  });

  test('invalid messages[i].contentType: wrong content type', async () => {
    await expectMessageRow(
      {
        from: 'MyCompany',
        to: '79034567890',
        contentUrl: 'https://example.com/a.bin',
        contentType: 'application/x-unknown',
      },
      'invalid',
      'messages[2].contentType',
      /`contentType` must be a MIME type WhatsApp takes/,
    );
  });

  test('invalid messages[i].from: wrong sender', async () => {
    await expectMessageRow(
      { ...validMessage, from: 'x'.repeat(65) },
      'invalid',
      'messages[2].from',
      /at most 64/,
    );
    await expectMessageRow(
      { ...validMessage, from: 'My\nCompany' },
      'invalid',
      'messages[2].from',
      /control characters/,
    );
  });

  test('invalid messages[i].languageCode: wrong language code', async () => {
    await expectMessageRow(
      { ...validMessage, templateId: 'account_activated', languageCode: 'english' },
      'invalid',
      'messages[2].languageCode',
      /`languageCode` must look like/,
    );
  });

  test('length.too.long messages[i].to: phone number too long', async () => {
    await expectMessageRow(
      { ...validMessage, to: '+49 301 234 567 890 12' },
      'length.too.long',
      'messages[2].to',
      /16 digits.*at most 15/,
    );
  });

  test('length.too.long messages[i].text: text too long', async () => {
    await expectMessageRow(
      { ...validMessage, text: 'a'.repeat(4097) },
      'length.too.long',
      'messages[2].text',
      /longer than 4096/,
    );
  });

  test('length.too.long messages[i].languageCode: language code too long', async () => {
    await expectMessageRow(
      { ...validMessage, templateId: 'account_activated', languageCode: 'en_US_POSIX' },
      'length.too.long',
      'messages[2].languageCode',
      /longer than 8/,
    );
  });

  test('length.too.short messages[i].contentName: content name too short', async () => {
    await expectMessageRow(
      {
        ...validMessage,
        contentUrl: 'https://example.com/a.pdf',
        contentType: 'application/pdf',
        contentName: '',
      },
      'length.too.short',
      'messages[2].contentName',
      /`contentName` must not be empty/,
    );
  });

  test('length.too.short messages[i].languageCode: language code too short', async () => {
    await expectMessageRow(
      { ...validMessage, templateId: 'account_activated', languageCode: 'r' },
      'length.too.short',
      'messages[2].languageCode',
      /shorter than 2/,
    );
  });

  test('must.be.not.null messages[i].to: recipient missing', async () => {
    await expectMessageRow(
      { from: 'MyCompany', text: 'hi' },
      'must.be.not.null',
      'messages[2].to',
      /`to` \(the recipient\) is required/,
    );
  });

  test('must.be.not.null messages[i].from: sender missing', async () => {
    await expectMessageRow(
      { to: '79034567890', text: 'hi' },
      'must.be.not.null',
      'messages[2].from',
      /`from` \(the sender\) is required/,
    );
  });

  test('must.be.not.null messages[i]: neither text nor content given', async () => {
    await expectMessageRow(
      { from: 'MyCompany', to: '79034567890' },
      'must.be.not.null',
      'messages[2]',
      /give `text`, `contentUrl` or `templateId`/,
    );
  });

  test('not.available messages[i].from: a sender the account does not have', async () => {
    await expectMessageRow(
      { ...validMessage, from: 'SomeoneElsesCompany' },
      'not.available',
      'messages[2].from',
      /not available/,
    );
  });
});

describe('unknown (no ref)', () => {
  test('a service failing inside gets 500 unknown; the next request works again', async () => {
    // A real failure, not a fake peer: dispatch's table is renamed away under it, so its
    // Accept throws and the api answers the contract's `unknown`.
    const database = t.gateway.database.db;
    await t.send({ messages: [filler] }); // caches the key, so only dispatch is affected
    await sql`alter table dispatch.messages rename to messages_away`.execute(database);
    try {
      await expectRequestRow(
        await t.send({ messages: [validMessage] }),
        500,
        'unknown',
        undefined,
        /internal error.*retried/,
      );
    } finally {
      await sql`alter table dispatch.messages_away rename to messages`.execute(database);
    }
    const again = await t.send({ messages: [validMessage] });
    expect(((await again.json()) as SendBody).result[0]).toMatchObject({ code: 'OK' });
  });
});
