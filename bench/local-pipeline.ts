import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPaths } from '../local/names';
import { type LocalPipeline, startLocalPipeline } from '../local/pipeline';

/**
 * Runs `use` against a local pipeline of its own (`npm start` with the template's settings, warm functions)
 * in a fresh directory, then stops it and removes the directory.
 */
export async function withBenchPipeline<T>(
  name: string,
  use: (pipeline: LocalPipeline, dir: string) => Promise<T>,
): Promise<T> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const pipeline = await startLocalPipeline({
    port: 0,
    localDir: dir,
    env: { PATH: process.env.PATH },
    warm: true,
    onError: () => undefined,
  });
  try {
    return await use(pipeline, dir);
  } finally {
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Modification time of each expected document file, once all of them exist. */
export async function indexedTimes(
  dir: string,
  files: Set<string>,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const root = localPaths(dir).opensearch;
  const deadline = Date.now() + timeoutMs;
  const times = new Map<string, number>();
  while (times.size < files.size) {
    if (Date.now() > deadline) throw new Error(`only ${times.size} of ${files.size} events indexed in time`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    for (const index of await readdir(root).catch(() => [] as string[])) {
      for (const file of await readdir(join(root, index))) {
        if (files.has(file) && !times.has(file))
          times.set(file, (await stat(join(root, index, file))).mtimeMs);
      }
    }
  }
  return times;
}
