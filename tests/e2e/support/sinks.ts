import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { documentFileName } from '../../../local/fakes/opensearch';
import type { ExecutionLine } from '../../../local/fakes/stepfunctions';
import { localPaths } from '../../../local/names';
import { readLines } from '../../../local/ndjson';

/** Reads what the local pipeline wrote under its directory, in the layout of DESIGN.md's contract. */
export class Sinks {
  constructor(readonly dir: string) {}

  executions(): Promise<ExecutionLine[]> {
    return readLines<ExecutionLine>(localPaths(this.dir).executions);
  }

  busEntries(bus = 'webhooks'): Promise<BusEntry[]> {
    return readLines<BusEntry>(join(localPaths(this.dir).eventbridge, `${bus}.ndjson`));
  }

  snsMessages(topic: string): Promise<Record<string, unknown>[]> {
    return readLines(join(localPaths(this.dir).sns, `${topic}.ndjson`));
  }

  deadLetters(): Promise<Record<string, unknown>[]> {
    return readLines(localPaths(this.dir).deadLetters);
  }

  /** The indexed document with id `source:id`, whatever monthly index holds it; undefined when none. */
  async document(documentId: string): Promise<Record<string, unknown> | undefined> {
    const root = localPaths(this.dir).opensearch;
    const indices = await readdir(root).catch(() => [] as string[]);
    for (const index of indices) {
      const text = await readFile(join(root, index, documentFileName(documentId)), 'utf8').catch(
        () => undefined,
      );
      if (text !== undefined) return { ...(JSON.parse(text) as Record<string, unknown>), _index: index };
    }
    return undefined;
  }

  /** Every document file name (one per document) across all indices. */
  async documentFiles(): Promise<string[]> {
    const root = localPaths(this.dir).opensearch;
    const indices = await readdir(root).catch(() => [] as string[]);
    const files = await Promise.all(indices.map((index) => readdir(join(root, index))));
    return files.flat();
  }

  async zone(name: string): Promise<{ ResourceRecordSets: RecordSet[] }> {
    return JSON.parse(await readFile(join(localPaths(this.dir).route53, `${name}.json`), 'utf8'));
  }
}

export interface BusEntry {
  EventId: string;
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Resources: string[];
}

export interface RecordSet {
  Name: string;
  Type: string;
  ResourceRecords?: { Value: string }[];
}

/**
 * Polls until `probe` returns a value other than undefined, or fails with `what` after the timeout. The
 * pipeline is asynchronous end to end (stream, batching window, workflow), so tests wait for its sinks.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
