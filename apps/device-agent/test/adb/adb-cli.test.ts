import { afterEach, describe, expect, test } from 'vitest';
import { AdbError, createAdbCli } from '../../src/drivers/adb/adb-cli.js';
import { createFakeAdb, type FakeAdb } from '../support/fake-adb.js';

describe('adb cli', () => {
  let fake: FakeAdb | undefined;
  afterEach(async () => {
    await fake?.remove();
    fake = undefined;
  });

  test('runs a command on the device given by serial, each argument reaching it intact', async () => {
    fake = await createFakeAdb({ rules: [{ when: 'getprop', stdout: '14\n' }] });
    const adb = createAdbCli({ adbPath: fake.adbPath });
    expect(await adb.shell('emulator-5554', ['getprop', 'ro.build.version.release'])).toBe('14\n');
    await adb.shell('10.0.0.7:5555', ['echo', `it's $HOME; rm -rf / & \`id\`\nnext`]);
    const calls = await fake.invocations();
    expect(calls.map((call) => [call.serial, call.shell])).toEqual([
      ['emulator-5554', ['getprop', 'ro.build.version.release']],
      ['10.0.0.7:5555', ['echo', `it's $HOME; rm -rf / & \`id\`\nnext`]],
    ]);
  });

  test('a failed command throws with the command, the exit code and what was said', async () => {
    fake = await createFakeAdb({
      rules: [{ when: 'dumpsys battery', stderr: "error: device 'emulator-5554' not found\n", exitCode: 1 }],
    });
    const adb = createAdbCli({ adbPath: fake.adbPath });
    const error = await adb.shell('emulator-5554', ['dumpsys', 'battery']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdbError);
    expect(error).toMatchObject({
      command: ['-s', 'emulator-5554', 'shell', 'dumpsys battery'],
      exitCode: 1,
      timedOut: false,
      stderr: "error: device 'emulator-5554' not found\n",
    });
    expect((error as Error).message).toMatch(
      /dumpsys battery: exited with 1: error: device 'emulator-5554' not found/,
    );
  });

  test('a command that hangs is killed after its timeout', async () => {
    fake = await createFakeAdb({ rules: [{ when: 'uiautomator dump', delayMs: 10_000 }] });
    const adb = createAdbCli({ adbPath: fake.adbPath, timeoutMs: 300 });
    const error = await adb
      .shell('emulator-5554', ['uiautomator', 'dump'])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'AdbError', timedOut: true });
    expect((error as Error).message).toMatch(/timed out after 300 ms/);
  });

  test('a missing adb says it could not run', async () => {
    const adb = createAdbCli({ adbPath: '/nonexistent/adb' });
    await expect(adb.shell('emulator-5554', ['true'])).rejects.toThrow(/could not run \(ENOENT\)/);
  });
});
