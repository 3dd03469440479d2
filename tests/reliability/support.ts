import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-kinesis';
import type { SourceId } from '../../functions/lib/envelope';
import { emulatorKinesisClient } from '../../local/emulators';
import { documentFileName } from '../../local/fakes/opensearch';
import { LOCAL_NAMES } from '../../local/names';
import { type LocalPipeline, type LocalPipelineOptions, startLocalPipeline } from '../../local/pipeline';
import { senderHints } from '../../local/senders';
import { fromProxyEvent, postWebhook, signWebhook, type WebhookRequest } from '../../local/signing';
import { Sinks } from '../e2e/support/sinks';

export { Sinks, waitFor } from '../e2e/support/sinks';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** A local pipeline of its own for one suite: a fresh directory, a free port, quiet unless asked. */
export interface TestPipeline {
  pipeline: LocalPipeline;
  url: string;
  dir: string;
  sinks: Sinks;
  /** What the pipeline itself reported (pollers that could not reach the stream, failed integrations). */
  errors: unknown[];
  stop(): Promise<void>;
}

/**
 * Starts the whole local pipeline with settings that keep a suite quick: two environments per function
 * (more only adds cold starts and contention on two cores), warm functions, fast polling, a short
 * batching window, few mapping retries and a fixed short pause before the workflow's retries.
 */
export async function startTestPipeline(options: LocalPipelineOptions = {}): Promise<TestPipeline> {
  const dir = options.localDir ?? mkdtempSync(join(tmpdir(), 'reliability-'));
  const errors: unknown[] = [];
  let pipeline: LocalPipeline;
  try {
    pipeline = await startLocalPipeline({
      port: 0,
      persist: false,
      warm: true,
      functionConcurrency: 2,
      pollIntervalMs: 100,
      workflowRetryDelayMs: 100,
      onError: (error) => errors.push(error),
      ...options,
      localDir: dir,
      env: { PATH: process.env.PATH, ...options.env },
      mapping: { maximumRetryAttempts: 2, maximumBatchingWindowSeconds: 0.2, ...options.mapping },
    });
  } catch (error) {
    if (!options.localDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    pipeline,
    url: pipeline.url,
    dir,
    sinks: new Sinks(dir),
    errors,
    async stop() {
      await pipeline.stop();
      if (!options.localDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const githubExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

/** Every real GitHub payload of @octokit/webhooks-examples with its event name (329 of 58 types). */
export function githubPayloads(): { event: string; payload: Record<string, unknown> }[] {
  return githubExamples.flatMap(({ name, examples }) =>
    examples.map((payload) => ({ event: name, payload: structuredClone(payload) })),
  );
}

/** One real payload of an event (and action), as the bytes GitHub would send. */
export function githubExample(event: string, action?: string): Buffer {
  const example = githubPayloads().find(
    (candidate) => candidate.event === event && (action === undefined || candidate.payload.action === action),
  );
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event}.${action}`);
  return Buffer.from(JSON.stringify(example.payload));
}

/** A GitHub delivery signed with the development secret and a fresh delivery id. */
export function signedGithub(event: string, body: Buffer, env: NodeJS.ProcessEnv = {}): WebhookRequest {
  return signWebhook({ source: 'github', body, event, env });
}

/** The sample delivery each source names (events/ingest, real shapes), as the request that produced it. */
export function sourceFixture(source: SourceId): { headers: Record<string, string>; body: Buffer } {
  const path = join(__dirname, '../../events/ingest', senderHints(source).sample);
  const { headers, body } = fromProxyEvent(JSON.parse(readFileSync(path, 'utf8')));
  return { headers, body };
}

/** Each source's fixture signed with the secrets of `env` (development values where unset). */
export function signedFixture(source: SourceId, env: NodeJS.ProcessEnv = {}): WebhookRequest {
  return signWebhook({ source, ...sourceFixture(source), env });
}

export { postWebhook };

/**
 * Waits until a document exists for every id (`source:id`), polling the OpenSearch sink; resolves with the
 * ids still missing when the time is up (none when all arrived), so a failure names them.
 */
export async function missingDocuments(
  sinks: Sinks,
  ids: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const indexed = new Set(await sinks.documentFiles());
    const missing = ids.filter((id) => !indexed.has(documentFileName(id)));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs `task` over `items` with at most `limit` at a time; results keep the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The request target exactly as sent (no normalisation, no encoding). */
  path: string;
  /** Header lines in order; a name may repeat. */
  headers: [string, string][];
  body?: Buffer;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

/**
 * A request with exact control over its bytes (repeated header lines, raw paths, invalid UTF-8), which
 * fetch would normalise. Resolves with the answer even when the server stops reading the body early (as
 * it does for a body over the limit).
 */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const body = request.body ?? Buffer.alloc(0);
  const lines: string[] = [];
  for (const [name, value] of request.headers) lines.push(name, value);
  if (!request.chunked) lines.push('Content-Length', String(body.length));
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method ?? 'POST',
        path: request.path,
        headers: ['Host', url.host, ...lines],
        agent: false,
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    // A server that answers before reading the whole body closes the connection under our writes.
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (request.chunked) {
      const piece = 1024 * 1024;
      for (let offset = 0; offset < body.length; offset += piece)
        outgoing.write(body.subarray(offset, offset + piece));
      outgoing.end();
    } else {
      outgoing.end(body);
    }
  });
}

/** Every record the stream holds, read from TRIM_HORIZON on every shard. */
export async function streamRecords(
  kinesisEndpoint: string,
): Promise<(StreamRecord & { shardId: string })[]> {
  const kinesis = emulatorKinesisClient(kinesisEndpoint);
  try {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: LOCAL_NAMES.stream }));
    const records: (StreamRecord & { shardId: string })[] = [];
    for (const shard of Shards) {
      const shardId = shard.ShardId as string;
      let { ShardIterator: iterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: LOCAL_NAMES.stream,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (iterator) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        const found = page.Records ?? [];
        records.push(...found.map((record) => ({ ...record, shardId })));
        // An open shard always hands out a next iterator: an empty page means everything was read.
        iterator = found.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records;
  } finally {
    kinesis.destroy();
  }
}
