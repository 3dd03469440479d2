import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Copies a function's bundle out of dist/ for the pipeline to run, like a deployment: a later
 * `npm run build` (which empties dist/ first) cannot pull the code from under running functions. The
 * source map's sources are made absolute so stack traces still point at the TypeScript files.
 */
export function snapshotBundle(handlerPath: string, targetDir: string): string {
  mkdirSync(targetDir, { recursive: true });
  const target = join(targetDir, 'handler.js');
  copyFileSync(handlerPath, target);
  const map = `${handlerPath}.map`;
  if (existsSync(map)) {
    const sourceMap = JSON.parse(readFileSync(map, 'utf8')) as { sources?: string[]; sourceRoot?: string };
    const root = resolve(dirname(handlerPath), sourceMap.sourceRoot ?? '');
    sourceMap.sources = (sourceMap.sources ?? []).map((source) => resolve(root, source));
    delete sourceMap.sourceRoot;
    writeFileSync(`${target}.map`, JSON.stringify(sourceMap));
  }
  return target;
}
