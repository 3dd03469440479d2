import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { build } from 'esbuild';
import { esbuildFunctions, projectRoot } from '../local/template';
import { buildOptions } from './build';

/**
 * `npm run symbolicate -- <LogicalId> [file]`: maps the frames of a stack trace logged by a deployed
 * function (`handler.js:<line>:<column>`) to the TypeScript sources. Deployed functions carry no source
 * map and run without --enable-source-maps, which costs every cold start; the build is deterministic, so
 * rebuilding the same commit with a source map gives the same code and its map, read here instead.
 */
export async function sourceMapOf(logicalId: string, file = 'handler'): Promise<SourceMap> {
  const fn = esbuildFunctions().find((candidate) => candidate.logicalId === logicalId);
  if (!fn) throw new Error(`template.yaml builds no function ${logicalId}`);
  const entry = fn.entryPoints.find((candidate) => basename(candidate, '.ts') === file);
  if (!entry) throw new Error(`${logicalId} ships no ${file}.js`);
  const dir = mkdtempSync(join(tmpdir(), 'symbolicate-'));
  try {
    const outfile = join(dir, `${file}.js`);
    await build({ ...buildOptions(fn, outfile, entry), sourcemap: true, sourcesContent: false });
    return new SourceMap(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Rewrites every `handler.js:<line>:<column>` of the text (or `<file>.js:...`, for the other files a
 * function ships, such as tracing.js) to the source position it came from.
 */
export function symbolicate(trace: string, map: SourceMap, file = 'handler'): string {
  const frames = new RegExp(`(?:[\\w./-]*/)?${file.replace(/[^\w]/g, '\\$&')}\\.js:(\\d+):(\\d+)`, 'g');
  return trace.replace(frames, (frame, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry.originalSource) return frame;
    const source = relative(projectRoot, entry.originalSource.replace(/^file:\/\//, ''));
    return `${source}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

if (require.main === module) {
  const [logicalId, file] = process.argv.slice(2);
  if (!logicalId) {
    console.error('usage: npm run symbolicate -- <LogicalId> [file with the stack trace; default stdin]');
    process.exit(2);
  }
  const trace = readFileSync(file ?? 0, 'utf8');
  const fn = esbuildFunctions().find((candidate) => candidate.logicalId === logicalId);
  const files = (fn?.entryPoints ?? ['handler.ts']).map((entry) => basename(entry, '.ts'));
  Promise.all(files.map(async (name) => [name, await sourceMapOf(logicalId, name)] as const)).then(
    (maps) => process.stdout.write(maps.reduce((text, [name, map]) => symbolicate(text, map, name), trace)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
