import type { AdbCli } from './adb-cli.js';
import { parseScreenOn } from './power.js';
import { parseUiDump, type UiDump } from './ui-dump.js';

/**
 * Where dumps are written on the device. adb's own scratch directory: always there and
 * writable by the shell user, unlike shared storage (/sdcard) on some images and Androids.
 */
export const dumpPath = '/data/local/tmp/wagate-ui.xml';

/** The few things the driver does to one phone, each one or two adb commands. */
export interface Phone {
  readonly serial: string;
  /** Any command; for reads that need no UI (dumpsys, df). */
  shell(args: readonly string[]): Promise<string>;
  /** Turns the screen on if it is off: a sleeping phone neither opens chats nor dumps its UI. */
  wake(): Promise<void>;
  /** Opens a URL in WhatsApp itself, never in a browser or a chooser. */
  openInWhatsApp(url: string): Promise<void>;
  /** Starts WhatsApp with an intent (`am start` arguments after `-a`), failing if `am` says so. */
  startWhatsApp(intentArgs: readonly string[]): Promise<void>;
  /** Copies a file of the agent's host to the phone. */
  push(localPath: string, remotePath: string): Promise<void>;
  /** The screen, or undefined when it could not be read this time (e.g. it was still animating). */
  dump(): Promise<UiDump | undefined>;
  tap(point: { x: number; y: number }): Promise<void>;
  /** BACK `times` times: closes the keyboard, a dialog, a chat. */
  back(times: number): Promise<void>;
}

export function createPhone(adb: AdbCli, serial: string, whatsappPackage: string): Phone {
  const shell = (args: readonly string[]) => adb.shell(serial, args);
  const keyevent = (key: string) => shell(['input', 'keyevent', key]);
  async function startWhatsApp(intentArgs: readonly string[]): Promise<void> {
    const [action, ...extras] = intentArgs;
    const output = await shell(['am', 'start', '-a', action!, ...extras, '-p', whatsappPackage]);
    // Older `am` reports a failed start on stdout and exits 0.
    const failure = /^Error: .*/m.exec(output)?.[0];
    if (failure) throw new Error(`am start on ${serial} failed: ${failure}`);
  }

  return {
    serial,
    shell,
    async wake() {
      // When the state cannot be read, waking is the safe guess: WAKEUP leaves an awake screen alone.
      if (parseScreenOn(await shell(['dumpsys', 'power'])) !== true) await keyevent('KEYCODE_WAKEUP');
    },
    async openInWhatsApp(url) {
      await startWhatsApp(['android.intent.action.VIEW', '-d', url]);
    },
    startWhatsApp,
    async push(localPath, remotePath) {
      // A file takes longer than a command: allow a minute whatever the command limit.
      await adb.push(serial, localPath, remotePath, { timeoutMs: 60_000 });
    },
    async dump() {
      // "UI hierchary dumped to: …" on success (sic); "ERROR: could not get idle state." while
      // the screen animates, in which case the file on the device is stale.
      const said = await shell(['uiautomator', 'dump', dumpPath]);
      if (!/dumped to/i.test(said)) return undefined;
      try {
        return parseUiDump(await shell(['cat', dumpPath]));
      } catch (error) {
        if (error instanceof SyntaxError) return undefined;
        throw error;
      }
    },
    async tap({ x, y }) {
      await shell(['input', 'tap', String(x), String(y)]);
    },
    async back(times) {
      for (let press = 0; press < times; press += 1) await keyevent('KEYCODE_BACK');
    },
  };
}
