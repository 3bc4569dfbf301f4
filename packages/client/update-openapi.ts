import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openApiDocument } from '@wagate/api';

/**
 * Regenerates the client from the api as it is now: writes the app's OpenAPI document to
 * `src/openapi.json`, then `src/schema.d.ts` from it with openapi-typescript (what
 * `npm run generate` does). Run it after changing a route or a schema, and commit both:
 *
 *     npx tsx packages/client/update-openapi.ts
 *
 * `test/generated-client-is-current.test.ts` fails while they are stale.
 */

export const packageDir = import.meta.dirname;

/** The document as committed: stable key order from the generator, two-space JSON, final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

/** Runs openapi-typescript on `openApiJson`, writing TypeScript to `schemaOut`. */
export function generateSchemaTypes(openApiJson: string, schemaOut: string): void {
  execFileSync('npx', ['openapi-typescript', openApiJson, '-o', schemaOut], {
    cwd: packageDir,
    stdio: 'pipe',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const openApiJson = join(packageDir, 'src/openapi.json');
  writeFileSync(openApiJson, renderOpenApiDocument());
  generateSchemaTypes(openApiJson, join(packageDir, 'src/schema.d.ts'));
  process.stdout.write('wrote src/openapi.json and src/schema.d.ts\n');
}
