// `npm start` runs this first: the gateway serves the console from apps/console/dist, so a
// fresh clone (or a checkout that never built) gets it built once. Later starts reuse the
// build; rebuild after changing the console with `npm run build --workspace @wagate/console`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const page = join(import.meta.dirname, '../apps/console/dist/index.html');
if (!existsSync(page)) {
  process.stdout.write('building the console (apps/console/dist) once…\n');
  execFileSync('npm', ['run', 'build', '--workspace', '@wagate/console'], {
    cwd: join(import.meta.dirname, '..'),
    stdio: 'inherit',
  });
}
