import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../../src/drivers/adb/shell-quote.js';

/** See fake-vm-cli.mjs for the model. */
export interface FakeVm {
  running: boolean;
  connected?: boolean;
  bootPolls: number;
  boots: number;
  installed: string[];
  snapshots: Record<string, string[]>;
}

export interface FakeVmState {
  avds: string[];
  vms: Record<string, FakeVm>;
  containers: Record<string, { status: string; port: string; image: string }>;
  images: Record<string, { installed: string[] }>;
  bootPolls: number;
}

export interface FakeVmHost {
  /** The directory holding `adb`, `emulator`, `docker` and `vmctl`: put it first on PATH. */
  binDir: string;
  state(): Promise<FakeVmState>;
  update(change: (state: FakeVmState) => void): Promise<void>;
  /** Every command run, as `tool arg arg…`. */
  commands(): Promise<string[]>;
  remove(): Promise<void>;
}

const script = fileURLToPath(new URL('./fake-vm-cli.mjs', import.meta.url));
export const screenPng = fileURLToPath(new URL('../fixtures/vm/screen.png', import.meta.url));

/** A host's worth of fake VM tools in a temporary directory of their own. */
export async function createFakeVmHost(initial: Partial<FakeVmState>): Promise<FakeVmHost> {
  const dir = await mkdtemp(join(tmpdir(), 'wagate-fake-vm-'));
  const statePath = join(dir, 'state.json');
  const logPath = join(dir, 'calls.jsonl');
  const binDir = join(dir, 'bin');
  await writeFile(logPath, '');
  await import('node:fs/promises').then((fs) => fs.mkdir(binDir));
  for (const tool of ['adb', 'emulator', 'docker', 'vmctl']) {
    const path = join(binDir, tool);
    // This process's Node, not whatever `node` is on PATH.
    await writeFile(
      path,
      `#!/bin/sh\nFAKE_VM_TOOL=${tool} FAKE_VM_STATE=${shellQuote(statePath)} exec ${shellQuote(process.execPath)} ${shellQuote(script)} "$@"\n`,
    );
    await chmod(path, 0o755);
  }
  const read = async () =>
    JSON.parse(await readFile(statePath, 'utf8')) as FakeVmState & Record<string, unknown>;
  await writeFile(
    statePath,
    JSON.stringify({
      avds: [],
      vms: {},
      containers: {},
      images: {},
      bootPolls: 1,
      ...initial,
      png: screenPng,
      log: logPath,
    }),
  );
  return {
    binDir,
    state: read,
    async update(change) {
      const state = await read();
      change(state);
      await writeFile(statePath, JSON.stringify(state));
    },
    async commands() {
      return (await readFile(logPath, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const call = JSON.parse(line) as { tool: string; argv: string[] };
          return [call.tool, ...call.argv].join(' ');
        });
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
