import { expect, test } from 'vitest';
import { z } from 'zod';
import { describeVariables, variableTable } from '../src/config-doc.js';
import { env, readConfig } from '../src/read-config.js';

test('reads typed values with defaults', () => {
  const config = readConfig(
    {
      PORT: env.port({ default: 3000, description: 'port' }),
      FLAG: env.bool({ default: false, description: 'flag' }),
      OPTIONAL_FLAG: env.bool({ optional: true, description: 'unset means the other one decides' }),
    },
    { FLAG: 'true' },
  );
  expect(config).toEqual({ PORT: 3000, FLAG: true, OPTIONAL_FLAG: undefined });
});

test('names every bad variable at once', () => {
  expect(() =>
    readConfig(
      {
        PORT: env.port({ default: 3000, description: 'port' }),
        BILLING_ADDRESS: env.address({ description: 'billing' }),
      },
      { PORT: 'eighty' },
    ),
  ).toThrow(/PORT[\s\S]*BILLING_ADDRESS/);
});

test('refuses a number outside its bounds, naming the variable', () => {
  const shape = {
    WAGATE_SIM_DEVICES: env.int({ default: 3, min: 1, max: 1_000, description: 'phones' }),
  };
  expect(readConfig(shape, { WAGATE_SIM_DEVICES: '1000' }).WAGATE_SIM_DEVICES).toBe(1_000);
  expect(() => readConfig(shape, { WAGATE_SIM_DEVICES: '0' })).toThrow(/WAGATE_SIM_DEVICES: .*>=1/);
  expect(() => readConfig(shape, { WAGATE_SIM_DEVICES: '1001' })).toThrow(/WAGATE_SIM_DEVICES: .*<=1000/);
  expect(() => readConfig(shape, { WAGATE_SIM_DEVICES: '2.5' })).toThrow(/WAGATE_SIM_DEVICES/);
});

test('a removed variable stops the process with what to do instead', () => {
  const shape = { OLD: env.removed({ description: 'gone', instead: 'set NEW instead' }) };
  expect(readConfig(shape, {})).toEqual({ OLD: undefined });
  expect(() => readConfig(shape, { OLD: 'x' })).toThrow('OLD: set NEW instead');
});

test('documents each variable with its default, bounds and description', () => {
  expect(
    variableTable({
      WAGATE_B: env.int({ default: 300, min: 0, unit: 'seconds', description: 'how long | why' }),
      WAGATE_A: env.address({ description: 'where billing is' }),
    }),
  ).toBe(
    [
      '| Variable | Default | Accepts | What it governs |',
      '| --- | --- | --- | --- |',
      '| `WAGATE_A` (required) |  | host:port | where billing is |',
      '| `WAGATE_B` | `300` | seconds, at least 0 | how long \\| why |',
    ].join('\n'),
  );
});

test('refuses to document a variable declared without a description', () => {
  expect(() => describeVariables({ WAGATE_UNDOCUMENTED: z.string() })).toThrow(
    'WAGATE_UNDOCUMENTED has no description',
  );
});

test('a missing required variable is named with what it takes', () => {
  const shape = {
    DATABASE_URL: env.string({ minLength: 1, accepts: 'postgres://… or pglite://…', description: 'db' }),
  };
  expect(() => readConfig(shape, {})).toThrow('DATABASE_URL: required: postgres://… or pglite://…');
});
