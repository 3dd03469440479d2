import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { esbuildFunctions, projectRoot } from '../local/template';
import { buildAll } from '../scripts/build';
import type { BenchRow } from './types';

/**
 * Size of each function's bundle as `sam build` would ship it (dist/<LogicalId>/handler.js, what a cold
 * start loads), and of the files it loads beside it only when needed (tracing.js, s3-sdk.js).
 */
export async function run(): Promise<BenchRow[]> {
  const functions = esbuildFunctions();
  const bundle = (logicalId: string) => join(projectRoot, 'dist', logicalId, 'handler.js');
  // `npm run bench` builds first; run on its own, build what is missing.
  if (functions.some(({ logicalId }) => !existsSync(bundle(logicalId)))) await buildAll();
  return functions.map(({ logicalId, minify, entryPoints }) => {
    const others = entryPoints
      .slice(1)
      .map((entry) => `${basename(entry, '.ts')}.js`)
      .map(
        (file) =>
          `${file} ${statSync(join(projectRoot, 'dist', logicalId, file)).size.toLocaleString('en-US')}`,
      );
    return {
      name: `bundle size ${logicalId}`,
      value: statSync(bundle(logicalId)).size,
      unit: 'bytes',
      note: `dist/${logicalId}/handler.js, ${minify ? 'minified' : 'not minified'}, source map excluded${others.length ? `; loaded when needed: ${others.join(', ')}` : ''}`,
    };
  });
}
