import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const APP = join(__dirname, '..', '..', 'local', 'console', 'app');

/** Bundles the local console's page (Preact + htm) into <outDir>/app.js, with its stylesheet beside it. */
export async function buildConsole(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(APP, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: true,
    tsconfig: join(APP, 'tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(join(APP, 'app.css'), join(outDir, 'app.css'));
}
