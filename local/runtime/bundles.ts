import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Copies a function's bundle out of dist/ for the pipeline to run, like a deployment: a later
 * `npm run build` (which empties dist/ first) cannot pull the code from under running functions. The
 * files handler.js loads at run time (tracing.js, s3-sdk.js) come along. The source maps' sources are made
 * absolute so stack traces still point at the TypeScript files.
 */
export function snapshotBundle(handlerPath: string, targetDir: string): string {
  mkdirSync(targetDir, { recursive: true });
  const bundleDir = dirname(handlerPath);
  for (const file of readdirSync(bundleDir).filter((name) => name.endsWith('.js'))) {
    const source = join(bundleDir, file);
    const target = join(targetDir, file);
    copyFileSync(source, target);
    const map = `${source}.map`;
    if (existsSync(map)) {
      const sourceMap = JSON.parse(readFileSync(map, 'utf8')) as { sources?: string[]; sourceRoot?: string };
      const root = resolve(bundleDir, sourceMap.sourceRoot ?? '');
      sourceMap.sources = (sourceMap.sources ?? []).map((entry) => resolve(root, entry));
      delete sourceMap.sourceRoot;
      writeFileSync(`${target}.map`, JSON.stringify(sourceMap));
    }
  }
  return join(targetDir, 'handler.js');
}
