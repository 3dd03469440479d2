import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { esbuildFunctions, projectRoot } from '../local/template';
import { buildAll } from '../scripts/build';
import type { BenchRow } from './types';

/** Size of each function's bundle as `sam build` would ship it (dist/<LogicalId>/handler.js). */
export async function run(): Promise<BenchRow[]> {
  const functions = esbuildFunctions();
  const bundle = (logicalId: string) => join(projectRoot, 'dist', logicalId, 'handler.js');
  // `npm run bench` builds first; run on its own, build what is missing.
  if (functions.some(({ logicalId }) => !existsSync(bundle(logicalId)))) await buildAll();
  return functions.map(({ logicalId, minify }) => ({
    name: `bundle size ${logicalId}`,
    value: statSync(bundle(logicalId)).size,
    unit: 'bytes',
    note: `dist/${logicalId}/handler.js, ${minify ? 'minified' : 'not minified'}, source map excluded`,
  }));
}
