/** `npm run docs:config`: writes docs/configuration.md from every process's configuration schema. */
import { writeFileSync } from 'node:fs';
import { configurationMarkdown } from './configuration-doc.js';

const target = new URL('../../../docs/configuration.md', import.meta.url);
writeFileSync(target, configurationMarkdown());
process.stdout.write(`wrote ${target.pathname}\n`);
