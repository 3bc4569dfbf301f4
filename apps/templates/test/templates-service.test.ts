import { deleteJetStreamStream, openBus } from '@wagate/bus';
import { templates } from '@wagate/contracts';
import { openDatabase } from '@wagate/db';
import { ClientError, closeGrpcChannels, grpcClient, PLAINTEXT_LOOPBACK, Status, startLoopbackGrpcServer } from '@wagate/rpc';
import { freshPostgresUrl, isolatedBusNames, natsUrl } from '@wagate/testkit';
import { afterAll, expect, test } from 'vitest';
import { startTemplates } from '../src/templates-service.js';

afterAll(() => closeGrpcChannels());

/** Two replicas of templates on one PostgreSQL database and one JetStream stream, each over gRPC. */
async function startReplicas() {
  const postgres = await freshPostgresUrl();
  const names = isolatedBusNames();
  const replicas = await Promise.all(
    ['a', 'b'].map(async () => {
      const database = await openDatabase(postgres.url);
      const bus = await openBus(natsUrl(), names);
      const service = await startTemplates({ database, bus });
      const server = await startLoopbackGrpcServer('internal', [service.grpc], PLAINTEXT_LOOPBACK);
      return {
        client: grpcClient(templates.TemplatesServiceDefinition, server.address, PLAINTEXT_LOOPBACK),
        async stop() {
          await server.shutdown();
          await service.stop();
          await bus.close();
          await database.close();
        },
      };
    }),
  );
  return {
    a: replicas[0]!.client,
    b: replicas[1]!.client,
    async stop() {
      for (const replica of replicas) await replica.stop();
      await deleteJetStreamStream(natsUrl(), names.streamName);
      await postgres.drop();
    },
  };
}

const content = (body: string) => ({ body, buttons: [] });
const render = (
  client: ReturnType<typeof grpcClient<typeof templates.TemplatesServiceDefinition>>,
  accountId: string,
  templateId: string,
  languageCode = '',
) =>
  client
    .render({ accountId, items: [{ messageId: '1', templateId, languageCode, params: { '1': 'Ann' } }] })
    .then((response) => response.results[0]!);

test('an edit of an approved template waits for approval, then every replica renders the new text', async () => {
  const { a, b, stop } = await startReplicas();
  try {
    const { template } = await a.createTemplate({
      accountId: 'acc_1',
      name: 'greeting',
      category: 'utility',
      defaultLanguage: '',
      languages: [
        { languageCode: 'ru', content: content('Привет, {{1}}') },
        { languageCode: 'pt-br', content: content('Olá, {{1}}') },
      ],
    });
    const id = template!.id;
    const review = (decision: string, reason = '') =>
      a.reviewTemplate({
        accountId: 'acc_1',
        templateId: id,
        languageCode: 'ru',
        decision,
        reason,
        reviewer: 'admin',
      });
    expect(template).toMatchObject({ category: 'utility', defaultLanguage: 'ru' });
    expect(template!.languages.map((l) => [l.languageCode, l.latest?.status])).toEqual([
      ['ru', 'draft'],
      ['pt_BR', 'draft'],
    ]);
    // Nothing is sent from a draft.
    expect(await render(b, 'acc_1', id)).toMatchObject({ errorCode: 2309 });

    await a.submitTemplate({ accountId: 'acc_1', templateId: id });
    await review('approve');
    await expect
      .poll(() => render(b, 'acc_1', id), { timeout: 20_000 })
      .toMatchObject({
        text: 'Привет, Ann',
        category: 'utility',
        languageCode: 'ru',
        revision: 1,
      });

    await a.updateTemplate({
      accountId: 'acc_1',
      templateId: id,
      languages: [{ languageCode: 'RU', content: content('Здравствуйте, {{1}}') }],
    });
    await a.submitTemplate({ accountId: 'acc_1', templateId: id });
    const pending = await b.getTemplate({ accountId: 'acc_1', templateId: id });
    const ru = pending.template!.languages.find((l) => l.languageCode === 'ru')!;
    expect([ru.latest?.revision, ru.latest?.status, ru.serving?.revision, ru.serving?.status]).toEqual([
      2,
      'pending',
      1,
      'approved',
    ]);
    // The approved revision keeps serving while the edit is pending, on the replica that wrote it too.
    expect(await render(a, 'acc_1', id)).toMatchObject({ text: 'Привет, Ann' });
    expect(await render(b, 'acc_1', id)).toMatchObject({ text: 'Привет, Ann' });

    await review('approve');
    // Replica b learns of the change from template.changed on the bus.
    await expect
      .poll(() => render(b, 'acc_1', id), { timeout: 20_000 })
      .toMatchObject({ text: 'Здравствуйте, Ann', revision: 2 });

    await review('pause', 'low quality');
    await expect.poll(() => render(b, 'acc_1', id), { timeout: 20_000 }).toMatchObject({ errorCode: 2309 });

    await a.deleteTemplate({ accountId: 'acc_1', templateId: id });
    await expect(b.getTemplate({ accountId: 'acc_1', templateId: id })).rejects.toSatisfy(
      (error) => error instanceof ClientError && error.code === Status.NOT_FOUND,
    );
  } finally {
    await stop();
  }
});

test("another account's template reads like a missing one, and reviews follow the states", async () => {
  const { a, stop } = await startReplicas();
  try {
    const { template } = await a.createTemplate({
      accountId: 'acc_1',
      name: 'code',
      category: 'authentication',
      defaultLanguage: 'en',
      languages: [{ languageCode: 'en', content: content('Your code is {{1}}') }],
    });
    const id = template!.id;
    const notFound = (error: unknown) => error instanceof ClientError && error.code === Status.NOT_FOUND;
    await expect(a.getTemplate({ accountId: 'acc_2', templateId: id })).rejects.toSatisfy(notFound);
    await expect(a.deleteTemplate({ accountId: 'acc_2', templateId: id })).rejects.toSatisfy(notFound);
    expect((await a.listTemplates({ accountId: 'acc_2', limit: 0, cursor: '' })).templates).toEqual([]);

    const invalid = (pattern: RegExp) => (error: unknown) =>
      error instanceof ClientError && error.code === Status.INVALID_ARGUMENT && pattern.test(error.details);
    const review = (decision: string) =>
      a.reviewTemplate({
        accountId: 'acc_1',
        templateId: id,
        languageCode: 'en',
        decision,
        reason: 'no',
        reviewer: '',
      });
    await expect(review('approve')).rejects.toSatisfy(invalid(/nothing pending to approve/));
    await expect(review('pause')).rejects.toSatisfy(invalid(/no approved revision to pause/));
    await a.submitTemplate({ accountId: 'acc_1', templateId: id });
    const rejected = await review('reject');
    expect(rejected.template!.languages[0]!.latest).toMatchObject({
      status: 'rejected',
      rejectionReason: 'no',
    });
    await expect(a.submitTemplate({ accountId: 'acc_1', templateId: id })).rejects.toSatisfy(
      invalid(/nothing to submit/),
    );

    await expect(
      a.createTemplate({
        accountId: 'acc_1',
        name: 'code',
        category: 'utility',
        defaultLanguage: '',
        languages: [{ languageCode: 'en', content: content('x') }],
      }),
    ).rejects.toSatisfy(invalid(/exists already/));
    await expect(
      a.createTemplate({
        accountId: 'acc_1',
        name: 'gap',
        category: 'utility',
        defaultLanguage: '',
        languages: [{ languageCode: 'en', content: content('{{2}}') }],
      }),
    ).rejects.toSatisfy(invalid(/without gaps/));
  } finally {
    await stop();
  }
});
