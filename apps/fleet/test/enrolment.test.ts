import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { type DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import {
  authenticateAgent,
  CREDENTIAL_GRACE_MS,
  createEnrolmentToken,
  hashSecret,
} from '../src/enrolment.js';

const inAnHour = () => String(Date.now() + 3_600_000);

describe.each(databaseAdapters())('enrolment on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
  });
  afterAll(async () => {
    await database?.close();
  });

  const token = (accountId: string, maxUses = 1, expiresAtMs = inAnHour()) =>
    createEnrolmentToken(db, {
      accountId,
      maxUses,
      expiresAtMs,
      sender: '',
      createdByAccountId: 'acc_platform',
    });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: DomainError) => ({ key: error.key, message: error.message }),
    );

  test('a token is stored hashed and enrols as many agents as its uses, then says it is used up', async () => {
    const { secret, token: made } = await token('acc_e1', 2);
    expect(secret).toMatch(/^wae_/);
    const stored = await db
      .selectFrom('enrolment_tokens')
      .selectAll()
      .where('id', '=', made!.tokenId)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(hashSecret(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);

    for (const agentId of ['agent_e1a', 'agent_e1b']) {
      const agent = await authenticateAgent(db, { agentId, enrolmentToken: secret, credential: '' });
      expect(agent).toMatchObject({
        agentId,
        accountId: 'acc_e1',
        credential: expect.stringMatching(/^wac_/),
      });
    }
    expect(
      await refusal(authenticateAgent(db, { agentId: 'agent_e1c', enrolmentToken: secret, credential: '' })),
    ).toEqual({
      key: ErrorKey.Unauthorized,
      message: 'enrolment token used up (2 of 2 uses); create a new one with POST /v1/enrolment-tokens',
    });
  });

  test('an unknown or expired token is refused with a message saying which', async () => {
    expect(
      await refusal(
        authenticateAgent(db, { agentId: 'agent_e2', enrolmentToken: 'wae_nope', credential: '' }),
      ),
    ).toEqual({
      key: ErrorKey.Unauthorized,
      message: 'unknown enrolment token; create a new one with POST /v1/enrolment-tokens',
    });
    const { secret } = await token('acc_e2', 1, String(Date.now() + 60_000));
    const after = new Date(Date.now() + 120_000);
    const refused = await refusal(
      authenticateAgent(db, { agentId: 'agent_e2', enrolmentToken: secret, credential: '' }, after),
    );
    expect(refused).toMatchObject({
      key: ErrorKey.Unauthorized,
      message: expect.stringMatching(/^enrolment token expired at /),
    });
    expect(
      await refusal(authenticateAgent(db, { agentId: 'agent_e2', enrolmentToken: '', credential: '' })),
    ).toMatchObject({
      key: ErrorKey.Unauthorized,
    });
  });

  test('every welcome rotates the credential; the one presented stays valid for a grace, then not', async () => {
    const { secret } = await token('acc_e3');
    const first = await authenticateAgent(db, {
      agentId: 'agent_e3',
      enrolmentToken: secret,
      credential: '',
    });
    const second = await authenticateAgent(db, {
      agentId: 'agent_e3',
      enrolmentToken: '',
      credential: first.credential,
    });
    expect(second.credential).not.toBe(first.credential);
    expect(second.accountId).toBe('acc_e3');
    // The agent crashed before it kept `second`: the first credential still opens a stream…
    const third = await authenticateAgent(db, {
      agentId: 'agent_e3',
      enrolmentToken: '',
      credential: first.credential,
    });
    // …but not after the grace, nor anything older than the last two.
    const late = new Date(Date.now() + CREDENTIAL_GRACE_MS + 1_000);
    expect(
      await refusal(
        authenticateAgent(
          db,
          { agentId: 'agent_e3', enrolmentToken: '', credential: first.credential },
          late,
        ),
      ),
    ).toMatchObject({
      key: ErrorKey.Unauthorized,
    });
    expect(
      await refusal(
        authenticateAgent(db, { agentId: 'agent_e3', enrolmentToken: '', credential: second.credential }),
      ),
    ).toMatchObject({
      key: ErrorKey.Unauthorized,
    });
    const stored = await db
      .selectFrom('agents')
      .selectAll()
      .where('id', '=', 'agent_e3')
      .executeTakeFirstOrThrow();
    expect(stored.credential_hash).toBe(hashSecret(third.credential));
    expect(
      await authenticateAgent(
        db,
        { agentId: 'agent_e3', enrolmentToken: '', credential: third.credential },
        late,
      ),
    ).toMatchObject({
      accountId: 'acc_e3',
    });
  });

  test("an agent id enrolled by one account cannot be taken over with another account's token", async () => {
    const mine = await token('acc_e4');
    await authenticateAgent(db, { agentId: 'agent_e4', enrolmentToken: mine.secret, credential: '' });
    const theirs = await token('acc_e5');
    expect(
      await refusal(
        authenticateAgent(db, { agentId: 'agent_e4', enrolmentToken: theirs.secret, credential: '' }),
      ),
    ).toMatchObject({
      key: ErrorKey.Forbidden,
    });
    // The refusal did not spend their token.
    expect(
      await authenticateAgent(db, { agentId: 'agent_e5', enrolmentToken: theirs.secret, credential: '' }),
    ).toMatchObject({
      accountId: 'acc_e5',
    });
  });

  test('a token needs an account, sensible uses and a future expiry', async () => {
    for (const [maxUses, expiresAtMs] of [
      [20_000, inAnHour()],
      [1, String(Date.now() - 1_000)],
    ] as const) {
      expect(await refusal(token('acc_e6', maxUses, expiresAtMs))).toMatchObject({
        key: ErrorKey.Invalid,
      });
    }
  });
});
