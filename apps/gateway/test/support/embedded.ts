import { freshTestDatabase } from '@wagate/testkit/fixtures';
import { type EmbeddedGateway, type EmbeddedOptions, startEmbeddedGateway } from '../../src/index.js';

/**
 * The embedded gateway on a port of its own and a real PostgreSQL database, a copy of the run's
 * migrated template (see test/support/global-setup.ts); `stop` drops the database too.
 */
export async function startGatewayOnPostgres(
  options: Omit<EmbeddedOptions, 'port' | 'databaseUrl'>,
): Promise<EmbeddedGateway> {
  const database = await freshTestDatabase();
  let gateway: EmbeddedGateway;
  try {
    gateway = await startEmbeddedGateway({ ...options, port: 0, databaseUrl: database.url });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...gateway,
    async stop() {
      await gateway.stop();
      await database.drop();
    },
  };
}
