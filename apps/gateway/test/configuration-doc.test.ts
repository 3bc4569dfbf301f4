import { readFileSync } from 'node:fs';
import { describeVariables } from '@wagate/config';
import { expect, test } from 'vitest';
import { configurationMarkdown, PROCESSES } from '../src/configuration-doc.js';

const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

test('docs/configuration.md is what the processes’ schemas generate (run `npm run docs:config` after a change)', () => {
  expect(committed).toBe(configurationMarkdown());
});

test('every variable of every process says what it governs', () => {
  for (const process of PROCESSES) {
    for (const variable of describeVariables(process.shape)) {
      expect(variable.description.length, `${process.name}: ${variable.name}`).toBeGreaterThan(10);
    }
  }
});
