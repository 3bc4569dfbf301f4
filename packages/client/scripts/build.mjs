// Builds the publishable package into dist/: ESM JavaScript and .d.ts from src/ (tsc), the
// generated API types, this README, and a package.json for the registry (exports, files,
// dependencies). Publish with `npm publish ./dist`; the workspace itself uses src/ directly.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const packageDir = join(import.meta.dirname, '..');
const dist = join(packageDir, 'dist');
const source = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' });
copyFileSync(join(packageDir, 'src/schema.d.ts'), join(dist, 'schema.d.ts'));
copyFileSync(join(packageDir, 'README.md'), join(dist, 'README.md'));

const published = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  type: 'module',
  exports: { '.': { types: './index.d.ts', default: './index.js' } },
  types: './index.d.ts',
  files: ['*.js', '*.d.ts', 'README.md'],
  sideEffects: false,
  engines: { node: '>=20' },
  dependencies: source.dependencies,
  keywords: ['wagate', 'whatsapp', 'devino', 'sdk', 'standard-webhooks'],
};
writeFileSync(join(dist, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
process.stdout.write(`built ${source.name}@${source.version} in dist/\n`);
