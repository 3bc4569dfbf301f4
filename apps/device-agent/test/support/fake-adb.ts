import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../../src/drivers/adb/shell-quote.js';
import { fixturesDir } from './fixtures.js';

/** See fake-adb.mjs for what each field does. */
export interface FakeAdbRule {
  when: string;
  tap?: string;
  screens?: string[];
  showText?: string;
  file?: string;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  delayMs?: number;
}

export interface FakeAdbScenario {
  screens?: string[];
  rules?: FakeAdbRule[];
}

export interface FakeAdbInvocation {
  serial: string | undefined;
  argv: string[];
  /** The remote command split back into words, as the device's shell would. */
  shell?: string[];
  /** For `push`: what reached the phone. */
  pushed?: { local: string; remote: string; bytes: number; sha256: string };
  error?: string;
}

export interface FakeAdb {
  /** A script named `adb` that runs the fake on this test's Node. */
  adbPath: string;
  invocations(): Promise<FakeAdbInvocation[]>;
  /** The remote commands, each as its words. */
  commands(): Promise<string[][]>;
  /** Replaces the scenario (and forgets the screen state) for what runs next. */
  setScenario(scenario: FakeAdbScenario): Promise<void>;
  remove(): Promise<void>;
}

const script = fileURLToPath(new URL('./fake-adb.mjs', import.meta.url));

/**
 * A fake `adb` in a temporary directory of its own, so tests running at once never share a
 * scenario or a log. The wrapper runs the script with this process's Node rather than
 * whatever `node` is first on PATH.
 */
export async function createFakeAdb(scenario: FakeAdbScenario): Promise<FakeAdb> {
  const dir = await mkdtemp(join(tmpdir(), 'wagate-fake-adb-'));
  const scenarioPath = join(dir, 'scenario.json');
  const logPath = join(dir, 'invocations.jsonl');
  const adbPath = join(dir, 'adb');
  await writeFile(
    adbPath,
    `#!/bin/sh\nFAKE_ADB_SCENARIO=${shellQuote(scenarioPath)} exec ${shellQuote(process.execPath)} ${shellQuote(script)} "$@"\n`,
  );
  await chmod(adbPath, 0o755);

  async function setScenario(next: FakeAdbScenario): Promise<void> {
    await rm(`${scenarioPath}.state.json`, { force: true });
    await writeFile(scenarioPath, JSON.stringify({ ...next, fixtures: fixturesDir, log: logPath }));
  }
  async function invocations(): Promise<FakeAdbInvocation[]> {
    const text = await readFile(logPath, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as FakeAdbInvocation);
  }

  await setScenario(scenario);
  return {
    adbPath,
    invocations,
    commands: async () => (await invocations()).flatMap((call) => (call.shell ? [call.shell] : [])),
    setScenario,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
