import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';

/**
 * The gRPC services keep ts-proto's generated types at their edge (docs/decisions.md, "Domain
 * types inside, generated types at the edge"): only files under `src/grpc/` of billing,
 * templates, dispatch and fleet may import a generated namespace of @wagate/contracts. The
 * hand-written parts of the package (bus events, device states, media types, template content
 * as JSON) are the services' shared vocabulary and may be imported anywhere.
 */
const services = ['billing', 'templates', 'dispatch', 'fleet'];
const generatedNamespaces = new Set(['common', 'billing', 'templates', 'dispatch', 'fleet']);

/**
 * Files allowed to import generated types while they are being converted (none now): a file put
 * here must leave again once it is converted — the last test fails until it does.
 */
const notYetConverted = new Set<string>([]);

const repoRoot = join(import.meta.dirname, '../../..');

function domainFiles(service: string): string[] {
  const src = join(repoRoot, 'apps', service, 'src');
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith(`apps/${service}/src/grpc/`))
    .sort();
}

/** The generated namespaces a file imports from @wagate/contracts (or the generated files themselves). */
export function generatedImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gs)) {
    const [, , clause, from] = match as unknown as [string, string, string, string];
    if (from.includes('/gen/')) found.push(from);
    if (from !== '@wagate/contracts') continue;
    const namespace = /^\*\s+as\s+(\w+)/.exec(clause);
    if (namespace) found.push(`* as ${namespace[1]}`);
    const named = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    for (const specifier of named.split(',')) {
      const name = specifier
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]!;
      if (generatedNamespaces.has(name)) found.push(name);
    }
  }
  return found;
}

test('the rule reads every way a generated namespace can be imported', () => {
  expect(generatedImports(`import { type Topics, billing } from '@wagate/contracts';`)).toEqual(['billing']);
  expect(generatedImports(`import type {\n  fleet,\n  DeviceState,\n} from '@wagate/contracts';`)).toEqual([
    'fleet',
  ]);
  expect(generatedImports(`import { type dispatch as d } from '@wagate/contracts';`)).toEqual(['dispatch']);
  expect(generatedImports(`import * as contracts from '@wagate/contracts';`)).toEqual(['* as contracts']);
  expect(generatedImports(`import { Topics, mediaKindOf } from '@wagate/contracts';`)).toEqual([]);
});

test('domain code of the gRPC services takes and returns its own types; only grpc/ knows the generated ones', () => {
  const offenders = services
    .flatMap(domainFiles)
    .filter((file) => !notYetConverted.has(file))
    .map((file) => ({ file, imports: generatedImports(readFileSync(join(repoRoot, file), 'utf8')) }))
    .filter(({ imports }) => imports.length > 0);
  expect(offenders, 'convert at the service edge: grpc/from-proto.ts, grpc/to-proto.ts').toEqual([]);
});

test('the to-do list names only files that still need it', () => {
  const stale = [...notYetConverted].filter((file) => {
    try {
      return generatedImports(readFileSync(join(repoRoot, file), 'utf8')).length === 0;
    } catch {
      return true;
    }
  });
  expect(stale, 'converted (or gone): take these off notYetConverted').toEqual([]);
});
