import { billing } from '@wagate/contracts';
import { DomainError, ErrorKey, errorCatalogue, errorKeys } from '@wagate/errors';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AccessTable,
  ClientError,
  closeGrpcChannels,
  domainErrorOf,
  type GrpcServer,
  grpcClient,
  isPeerUnavailable,
  mount,
  PLAINTEXT_LOOPBACK,
  ServerError,
  Status,
  startLoopbackGrpcServer,
} from '../src/index.js';

/**
 * A billing stand-in whose GetBalance fails as its account id says: `key:<catalogue key>` throws
 * that domain error, `peer-down` fails the way a call to an unreachable peer does, `bug` throws
 * a plain error. Called over real gRPC, through the clients every service uses.
 */
function failingBilling(): ReturnType<typeof mount> {
  const unimplemented = async () => {
    throw new ServerError(Status.UNIMPLEMENTED, 'not here');
  };
  const implementation = {
    ...Object.fromEntries(
      Object.keys(billing.BillingServiceDefinition.methods).map((name) => [name, unimplemented]),
    ),
    async getBalance({ accountId }: { accountId: string }) {
      if (accountId.startsWith('key:')) {
        const key = accountId.slice('key:'.length) as ErrorKey;
        throw new DomainError(key, `refused with ${key}`);
      }
      if (accountId === 'peer-down') {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      }
      throw new Error('a bug');
    },
  } as unknown as billing.BillingServiceImplementation;
  const everyone = Object.fromEntries(
    Object.keys(billing.BillingServiceDefinition.methods).map((name) => [name, []]),
  );
  return mount(
    billing.BillingServiceDefinition,
    implementation,
    everyone as unknown as AccessTable<typeof billing.BillingServiceDefinition>,
  );
}

let server: GrpcServer;
beforeAll(async () => {
  server = await startLoopbackGrpcServer('internal', [failingBilling()], PLAINTEXT_LOOPBACK);
});
afterAll(async () => {
  await server?.shutdown();
  closeGrpcChannels();
});

const failureOf = (accountId: string) =>
  grpcClient(billing.BillingServiceDefinition, server.address, PLAINTEXT_LOOPBACK)
    .getBalance({ accountId })
    .then(
      () => expect.unreachable('the call should fail'),
      (error: unknown) => error,
    );

describe('domain errors on the wire', () => {
  test.each(errorKeys)(
    '%s travels with its catalogue gRPC status and comes back as the same domain error',
    async (key) => {
      const error = await failureOf(`key:${key}`);
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({
        code: Status[errorCatalogue[key].grpcStatus],
        details: `refused with ${key}`,
      });
      const again = domainErrorOf(error);
      expect(again).toBeInstanceOf(DomainError);
      expect(again).toMatchObject({ key, message: `refused with ${key}`, cause: error });
    },
  );

  test('a handler failing because its peer is unreachable answers service.unavailable, which callers retry', async () => {
    const error = await failureOf('peer-down');
    expect(error).toMatchObject({ code: Status.UNAVAILABLE });
    expect(isPeerUnavailable(error)).toBe(true);
    expect(domainErrorOf(error)?.key).toBe(ErrorKey.Unavailable);
  });

  test('any other failure is UNKNOWN and no domain error: the caller treats it as a bug', async () => {
    const error = await failureOf('bug');
    expect(error).toMatchObject({ code: Status.UNKNOWN });
    expect(domainErrorOf(error)).toBeUndefined();
  });
});
