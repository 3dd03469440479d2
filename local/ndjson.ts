import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const queues = new Map<string, Promise<void>>();

/** Told of every line once it is on disk: the console indexes what the pipeline records as it records it. */
export type AppendListener = (path: string, value: unknown) => void;
const listeners = new Set<AppendListener>();

/** Calls `listener` after each line appended anywhere by this process; returns the unsubscribe. */
export function onAppend(listener: AppendListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Appends one JSON object as one line. Appends to the same file are chained so that concurrent writers
 * (several executions finishing at once) never interleave partial lines.
 */
export function appendLine(path: string, value: unknown): Promise<void> {
  const line = `${JSON.stringify(value)}\n`;
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(async () => {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, line);
    for (const listener of listeners) {
      try {
        listener(path, value);
      } catch {
        // An observer's fault must never fail the write it observes.
      }
    }
  });
  const settled = next.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return next;
}

/** Every complete line of an ndjson file, parsed; a missing file is empty. */
export async function readLines<T = Record<string, unknown>>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}
