import { createHash, randomBytes } from 'node:crypto';
import type { fleet } from '@wagate/contracts';
import { prefixedId } from '@wagate/ids';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { FleetTables } from './db/tables.js';

/** How long a rotated-away credential still opens a stream (see docs/fleet.md, "Credentials"). */
export const CREDENTIAL_GRACE_MS = 10 * 60_000;
const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60_000;
const MAX_TOKEN_USES = 10_000;

/** Enrolment tokens and agent credentials are random secrets; only their SHA-256 is stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function newSecret(prefix: 'wae' | 'wac'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export async function createEnrolmentToken(
  db: Kysely<FleetTables>,
  request: fleet.CreateEnrolmentTokenRequest,
  secret = newSecret('wae'),
): Promise<fleet.CreateEnrolmentTokenResponse> {
  if (!request.accountId) throw new DomainError(ErrorKey.Invalid, 'accountId is required');
  const maxUses = request.maxUses || 1;
  if (maxUses < 1 || maxUses > MAX_TOKEN_USES) {
    throw new DomainError(ErrorKey.Invalid, `maxUses must be 1..${MAX_TOKEN_USES}`);
  }
  const expiresAtMs = Number(request.expiresAtMs) || Date.now() + DEFAULT_TOKEN_TTL_MS;
  if (expiresAtMs <= Date.now()) throw new DomainError(ErrorKey.Invalid, 'expiresAt must be in the future');
  const row = await db
    .insertInto('enrolment_tokens')
    .values({
      id: prefixedId('enrolmentToken'),
      account_id: request.accountId,
      token_hash: hashSecret(secret),
      sender: request.sender || null,
      max_uses: maxUses,
      expires_at: new Date(expiresAtMs),
      created_by: request.createdByAccountId || request.accountId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return {
    secret,
    token: {
      tokenId: row.id,
      accountId: row.account_id,
      maxUses: row.max_uses,
      uses: row.uses,
      expiresAtMs: String(row.expires_at.getTime()),
      sender: row.sender ?? '',
      createdAtMs: String(row.created_at.getTime()),
    },
  };
}

export interface AuthenticatedAgent {
  agentId: string;
  accountId: string;
  /** The sender pool named by the token the agent enrolled with, if any (first enrolment only). */
  sender: string | undefined;
  /** The agent's new credential, for the welcome. */
  credential: string;
}

/**
 * Who an agent is: its credential when it has one (rotated here: the new one goes in the
 * welcome, the presented one stays valid for CREDENTIAL_GRACE_MS), else an enrolment token,
 * which spends one use and (re-)enrols the agent id under the token's account.
 */
export async function authenticateAgent(
  db: Kysely<FleetTables>,
  hello: Pick<fleet.AgentHello, 'agentId' | 'credential' | 'enrolmentToken'>,
  now = new Date(),
): Promise<AuthenticatedAgent> {
  if (!hello.agentId) throw new DomainError(ErrorKey.Invalid, 'hello needs an agentId');
  const credential = newSecret('wac');
  const rotated = {
    credential_hash: hashSecret(credential),
    previous_valid_until: new Date(now.getTime() + CREDENTIAL_GRACE_MS),
    rotated_at: now,
  };
  if (hello.credential) {
    const presented = hashSecret(hello.credential);
    const agent = await db
      .updateTable('agents')
      .set({ ...rotated, previous_credential_hash: presented })
      .where('id', '=', hello.agentId)
      .where((eb) =>
        eb.or([
          eb('credential_hash', '=', presented),
          eb.and([eb('previous_credential_hash', '=', presented), eb('previous_valid_until', '>', now)]),
        ]),
      )
      .returning(['id', 'account_id'])
      .executeTakeFirst();
    if (!agent) {
      throw new DomainError(
        ErrorKey.Unauthorized,
        `agent ${hello.agentId}: unknown or outdated credential; enrol again with a new enrolment token`,
      );
    }
    return { agentId: agent.id, accountId: agent.account_id, sender: undefined, credential };
  }
  if (!hello.enrolmentToken) {
    throw new DomainError(ErrorKey.Unauthorized, 'hello carries neither a credential nor an enrolment token');
  }
  return db.transaction().execute(async (trx) => {
    const hash = hashSecret(hello.enrolmentToken);
    const token = await trx
      .updateTable('enrolment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('token_hash', '=', hash)
      .where('expires_at', '>', now)
      .where((eb) => eb('uses', '<', eb.ref('max_uses')))
      .returning(['id', 'account_id', 'sender'])
      .executeTakeFirst();
    if (!token) throw await refusedToken(trx, hash, now);
    const existing = await trx
      .selectFrom('agents')
      .select('account_id')
      .where('id', '=', hello.agentId)
      .forUpdate()
      .executeTakeFirst();
    if (existing && existing.account_id !== token.account_id) {
      throw new DomainError(
        ErrorKey.Forbidden,
        `agent id ${hello.agentId} is enrolled by another account; give this host its own WAGATE_AGENT_ID`,
      );
    }
    await trx
      .insertInto('agents')
      .values({ id: hello.agentId, account_id: token.account_id, token_id: token.id, ...rotated })
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet({
          token_id: token.id,
          credential_hash: rotated.credential_hash,
          // A re-enrolment retires every earlier credential at once.
          previous_credential_hash: null,
          previous_valid_until: null,
          rotated_at: now,
        }),
      )
      .execute();
    return {
      agentId: hello.agentId,
      accountId: token.account_id,
      sender: token.sender ?? undefined,
      credential,
    };
  });
}

/** Says why a token was refused, in words the agent's operator can act on. */
async function refusedToken(db: Kysely<FleetTables>, hash: string, now: Date): Promise<DomainError> {
  const token = await db
    .selectFrom('enrolment_tokens')
    .select(['expires_at', 'uses', 'max_uses'])
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  const why = !token
    ? 'unknown enrolment token'
    : token.expires_at <= now
      ? `enrolment token expired at ${token.expires_at.toISOString()}`
      : `enrolment token used up (${token.uses} of ${token.max_uses} uses)`;
  return new DomainError(ErrorKey.Unauthorized, `${why}; create a new one with POST /v1/enrolment-tokens`);
}

/**
 * A fixed token from the environment (WAGATE_ENROLMENT_TOKEN of a fleet process with
 * WAGATE_DEFAULT_ACCOUNT): a bootstrap so a first agent host can enrol without the api. Each
 * start makes it valid for BOOTSTRAP_TTL_MS more and up to MAX_TOKEN_USES enrolments.
 */
export async function ensureBootstrapToken(
  db: Kysely<FleetTables>,
  accountId: string,
  secret: string,
  sender: string | undefined,
): Promise<void> {
  const expiresAt = new Date(Date.now() + BOOTSTRAP_TTL_MS);
  await db
    .insertInto('enrolment_tokens')
    .values({
      id: prefixedId('enrolmentToken'),
      account_id: accountId,
      token_hash: hashSecret(secret),
      sender: sender ?? null,
      max_uses: MAX_TOKEN_USES,
      expires_at: expiresAt,
      created_by: 'bootstrap',
    })
    .onConflict((conflict) =>
      conflict.column('token_hash').doUpdateSet({ expires_at: expiresAt, uses: 0, account_id: accountId }),
    )
    .execute();
}

const BOOTSTRAP_TTL_MS = 30 * 24 * 60 * 60_000;
