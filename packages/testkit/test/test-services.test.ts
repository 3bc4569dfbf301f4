import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { ensureTestServices } from '../src/test-services.js';

/**
 * The tests' servers: the machine's own when they answer; testcontainers when they do not and
 * Docker runs (not on this machine: that branch has not run here); else the run stops at once
 * saying what to install.
 */

const nowhere = { postgres: 'postgres://postgres@127.0.0.1:1/test', nats: 'nats://127.0.0.1:1' };

test('servers that answer are used as they are', async () => {
  const env: NodeJS.ProcessEnv = {};
  const teardown = await ensureTestServices(['postgres', 'nats'], {
    env,
    containerRuntime: async () => {
      throw new Error('no container is needed when the servers answer');
    },
  });
  expect(env).toEqual({
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    NATS_URL: 'nats://127.0.0.1:4222',
  });
  await teardown();
});

test('without the servers and without Docker, it fails naming what to install', async () => {
  const error = await ensureTestServices(['postgres', 'nats'], {
    env: {},
    localUrls: nowhere,
    containerRuntime: async () => false,
  }).catch((caught: Error) => caught);
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toContain('PostgreSQL: nothing answers at postgres://postgres@127.0.0.1:1/test');
  expect(message).toContain('apt-get install postgresql');
  expect(message).toContain('NATS with JetStream: nothing answers at nats://127.0.0.1:1');
  expect(message).toContain('apt-get install nats-server');
  expect(message).toContain('install Docker');
});

test('a URL set explicitly that does not answer is not replaced by a container', async () => {
  let asked = false;
  const error = await ensureTestServices(['nats'], {
    env: { NATS_URL: 'nats://127.0.0.1:1' },
    containerRuntime: async () => {
      asked = true;
      return true;
    },
  }).catch((caught: Error) => caught);
  expect((error as Error).message).toContain('nothing answers at nats://127.0.0.1:1 (NATS_URL)');
  expect(asked).toBe(false);
});

test('a vitest run on such a machine stops in its global setup, before any test', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wagate-no-services-'));
  const mark = join(dir, 'ran');
  try {
    const fixture = join(import.meta.dirname, 'fixtures/no-services');
    const run = await promisify(execFile)(
      process.execPath,
      [
        join(createRequire(import.meta.url).resolve('vitest/package.json'), '../vitest.mjs'),
        'run',
        '--root',
        fixture,
      ],
      { env: { ...process.env, WAGATE_FIXTURE_MARK: mark } },
    ).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('apt-get install nats-server');
    expect(existsSync(mark)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
