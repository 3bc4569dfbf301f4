import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Prints what a first visit downloads, gzipped: the page and every script and style it loads
 * (lazy chunks excluded). bench/README.md keeps the figure; the aim is under 250 KB.
 */
function firstLoadSize(): Plugin {
  let outDir = 'dist';
  return {
    name: 'wagate-first-load-size',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle: {
      sequential: true,
      order: 'post',
      handler() {
        const html = readFileSync(join(outDir, 'index.html'), 'utf8');
        const assets = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
        const files = ['index.html', ...assets];
        const gzipped = files.reduce(
          (sum, file) => sum + gzipSync(readFileSync(join(outDir, file))).length,
          0,
        );
        const raw = files.reduce((sum, file) => sum + readFileSync(join(outDir, file)).length, 0);
        process.stdout.write(
          `\nconsole first load: ${(gzipped / 1024).toFixed(1)} KB gzipped (${(raw / 1024).toFixed(1)} KB raw) in ${files.length} files\n`,
        );
      },
    },
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [firstLoadSize()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      // TanStack Query marks its hooks "use client" for server-rendering frameworks; a plain SPA ignores it.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  // The dev server (npm run dev) sends API calls to a gateway running on port 3000.
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/whatsapp': 'http://127.0.0.1:3000' } },
});
