import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../cli.js';
import { AdbError } from '../drivers/adb/adb-cli.js';
import type { VmState } from './vm-provider.js';

export interface AndroidVmOptions {
  /** The adb binary: a name looked up on PATH, or a path. */
  adbPath?: string;
  /** Per adb command. */
  timeoutMs?: number;
  /** How long Android may take to boot after a start, restart, reboot or restore. */
  bootTimeoutMs?: number;
  /** Between two looks at `sys.boot_completed`. */
  bootPollMs?: number;
}

/** What every Android VM answers through adb, whoever runs the VM. */
export interface AndroidVm {
  /** Serials `adb devices` lists as `device` (online), and as anything else (offline, …). */
  devices(): Promise<Map<string, string>>;
  state(serial: string): Promise<VmState>;
  /** Polls until Android says it has booted, or fails after the boot timeout. */
  waitForBoot(serial: string): Promise<void>;
  /** Polls until adb no longer lists the serial (the VM is down), or fails after the boot timeout. */
  waitForGone(serial: string): Promise<void>;
  /**
   * `adb connect host:port`, for a VM reached over TCP (redroid, a remote emulator), again
   * until it answers or the boot timeout passes: adbd comes up a while after the VM.
   */
  connect(serial: string): Promise<void>;
  reboot(serial: string): Promise<void>;
  install(serial: string, apkPath: string): Promise<void>;
  screenshot(serial: string): Promise<Buffer>;
  /** An emulator console command through `adb emu …`. */
  emu(serial: string, args: readonly string[]): Promise<string>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function createAndroidVm(options: AndroidVmOptions = {}): AndroidVm {
  const adbPath = options.adbPath ?? 'adb';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const bootTimeoutMs = options.bootTimeoutMs ?? 180_000;
  const bootPollMs = options.bootPollMs ?? 2_000;
  const adb = (argv: string[], timeout = timeoutMs) =>
    runCli(adbPath, argv, { timeoutMs: timeout, errorClass: AdbError });

  async function devices(): Promise<Map<string, string>> {
    const listed = new Map<string, string>();
    // "List of devices attached\nemulator-5554\tdevice\n127.0.0.1:5555\toffline\n"
    for (const line of (await adb(['devices'])).split('\n').slice(1)) {
      const [serial, state] = line.trim().split(/\s+/);
      if (serial && state) listed.set(serial, state);
    }
    return listed;
  }

  async function booted(serial: string): Promise<boolean> {
    const answer = await adb(['-s', serial, 'shell', 'getprop', 'sys.boot_completed']).catch(() => '');
    return answer.trim() === '1';
  }

  async function pollUntil(what: string, serial: string, done: () => Promise<boolean>): Promise<void> {
    const giveUpAt = Date.now() + bootTimeoutMs;
    while (!(await done())) {
      if (Date.now() >= giveUpAt) throw new Error(`${serial}: ${what} within ${bootTimeoutMs} ms`);
      await sleep(bootPollMs);
    }
  }

  return {
    devices,
    async state(serial) {
      if ((await devices()).get(serial) !== 'device') return 'stopped';
      return (await booted(serial)) ? 'running' : 'booting';
    },
    waitForBoot: (serial) => pollUntil('Android did not boot', serial, () => booted(serial)),
    waitForGone: (serial) =>
      pollUntil('the VM did not go down', serial, async () => !(await devices()).has(serial)),
    async connect(serial) {
      // adb connect says whether it worked on stdout, and older versions exit 0 either way.
      const connected = async () =>
        /\b(already )?connected to\b/.test(await adb(['connect', serial]).catch(() => ''));
      await pollUntil('adb could not connect', serial, connected);
    },
    async reboot(serial) {
      await adb(['-s', serial, 'reboot']);
    },
    async install(serial, apkPath) {
      // -r: replace (update) an installed app and keep its data, as a WhatsApp update must.
      const answer = await adb(['-s', serial, 'install', '-r', apkPath], bootTimeoutMs);
      if (!/^Success\s*$/m.test(answer)) {
        throw new AdbError(
          `adb install ${apkPath} on ${serial}: ${answer.trim().slice(-300)}`,
          ['install'],
          '',
          0,
          false,
        );
      }
    },
    async screenshot(serial) {
      // exec-out, not shell: no pty, so the PNG's bytes arrive unchanged.
      const png = await runCli(adbPath, ['-s', serial, 'exec-out', 'screencap', '-p'], {
        timeoutMs,
        errorClass: AdbError,
        binary: true,
      });
      if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) {
        throw new AdbError(
          `screencap on ${serial} did not answer a PNG (${png.length} bytes)`,
          ['exec-out'],
          '',
          0,
          false,
        );
      }
      return png;
    },
    async emu(serial, args) {
      // The console answers "OK" or "KO: why", and adb exits 0 either way.
      const answer = await adb(['-s', serial, 'emu', ...args]);
      if (/^KO\b/m.test(answer)) {
        throw new AdbError(
          `adb emu ${args.join(' ')} on ${serial}: ${answer.trim()}`,
          ['emu', ...args],
          '',
          0,
          false,
        );
      }
      return answer;
    },
  };
}
