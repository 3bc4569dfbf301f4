// Bundles one app's entry point (default src/main.ts) into dist/main.js, or into the file the
// second argument names, for the production image.
// Workspace packages (@wagate/*) are TypeScript source, so they are bundled in;
// third-party dependencies stay external and are installed by `npm ci --omit=dev`.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const entry = process.argv[2] ?? 'src/main.ts';
const outfile = process.argv[3] ?? 'dist/main.js';
const external = ['node:*'];
const seen = new Set();
function collect(dir) {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (name.startsWith('@wagate/')) {
      const short = name.slice('@wagate/'.length);
      const pkgDir = [`../../packages/${short}`, `../../apps/${short}`].find((d) => {
        try {
          readFileSync(`${d}/package.json`);
          return true;
        } catch {
          return false;
        }
      });
      if (pkgDir) collect(pkgDir);
    } else external.push(name, `${name}/*`);
  }
}
collect('.');

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  external,
  logLevel: 'warning',
});
