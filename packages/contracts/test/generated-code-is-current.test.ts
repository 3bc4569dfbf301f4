import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const packageDir = join(import.meta.dirname, '..');
const committed = join(packageDir, 'src/gen');
const scratch = mkdtempSync(join(tmpdir(), 'wagate-proto-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

// buf runs protoc-gen-ts_proto through npx: seconds on an idle machine, more when every
// package's tests run at once on two cores, so these two get more than vitest's default 5 s.
const bufTimeoutMs = 60_000;

test('the committed generated code matches what `npm run proto` produces from proto/', {
  timeout: bufTimeoutMs,
}, () => {
  execFileSync('npx', ['buf', 'generate', '../../proto', '--template', 'buf.gen.yaml', '--output', scratch], {
    cwd: packageDir,
    stdio: 'pipe',
  });
  const fresh = join(scratch, 'src/gen');
  expect(filesUnder(committed), 'the set of generated files differs: run `npm run proto` and commit').toEqual(
    filesUnder(fresh),
  );
  for (const file of filesUnder(fresh)) {
    expect(readFileSync(join(committed, file), 'utf8'), `${file} is stale: run \`npm run proto\``).toBe(
      readFileSync(join(fresh, file), 'utf8'),
    );
  }
});

test('the proto sources pass buf lint', { timeout: bufTimeoutMs }, () => {
  execFileSync('npx', ['buf', 'lint', '../../proto'], { cwd: packageDir, stdio: 'pipe' });
});
