import { expect, test } from 'vitest';
import { env, readConfig } from '../src/read-config.js';

test('reads typed values with defaults', () => {
  const config = readConfig({ PORT: env.port(3000), FLAG: env.bool(false) }, { FLAG: 'true' });
  expect(config).toEqual({ PORT: 3000, FLAG: true });
});

test('names every bad variable at once', () => {
  expect(() =>
    readConfig({ PORT: env.port(3000), BILLING_ADDRESS: env.address() }, { PORT: 'eighty' }),
  ).toThrow(/PORT[\s\S]*BILLING_ADDRESS/);
});
