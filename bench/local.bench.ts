import { cpus } from 'node:os';
import { documentFileName } from '../local/fakes/opensearch';
import { postWebhook, signWebhook, type WebhookRequest } from '../local/signing';
import { indexedTimes, withBenchPipeline } from './local-pipeline';
import type { BenchRow } from './types';

/**
 * The local pipeline (`npm start`) under load: a few thousand real GitHub payloads posted with signatures
 * by concurrent senders, timed from each 202 to its document landing in the OpenSearch sink (the
 * document file's modification time). The template's own stream settings apply (batch size, batching
 * window), so latency includes Lambda's batching window as it would deployed.
 */
const EVENTS = Number(process.env.BENCH_LOCAL_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_LOCAL_CONCURRENCY ?? 24);
// Real payloads name a handful of repositories; an organisation's traffic spreads over many, and the
// pipeline keeps order per repository (one partition key each), so each event is given one of these.
const REPOSITORIES = 64;
const IDLE_EVENTS = 20;

const githubExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

function requests(): WebhookRequest[] {
  const all = githubExamples.flatMap(({ name, examples }) => examples.map((example) => ({ name, example })));
  return Array.from({ length: EVENTS }, (_, index) => {
    const { name, example } = all[index % all.length] as (typeof all)[number];
    const payload = structuredClone(example);
    const repository = payload.repository as { name?: string; full_name?: string } | undefined;
    if (repository?.full_name) {
      repository.name = `${repository.name}-${index % REPOSITORIES}`;
      repository.full_name = `${repository.full_name}-${index % REPOSITORIES}`;
    }
    return signWebhook({
      source: 'github',
      body: Buffer.from(JSON.stringify(payload)),
      event: name,
      env: {},
    });
  });
}

/** Accept-to-indexed of events sent one at a time, each after the previous one landed. */
async function idleLatencies(dir: string, url: string, sample: WebhookRequest[]): Promise<number[]> {
  const latencies: number[] = [];
  for (const original of sample) {
    const request = signWebhook({
      source: 'github',
      body: original.body,
      headers: original.headers,
      env: {},
    });
    const answer = await postWebhook(url, request);
    const at = Date.now();
    if (answer.status !== 202) continue;
    const file = documentFileName(`github:${request.deliveryId}`);
    const times = await indexedTimes(dir, new Set([file]), 30_000);
    latencies.push((times.get(file) as number) - at);
  }
  return latencies.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function run(): Promise<BenchRow[]> {
  return withBenchPipeline('local', async (pipeline, dir) => {
    const batch = requests();
    const accepted = new Map<string, number>();
    const acceptLatencies: number[] = [];
    let rejected = 0;
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batch.length) {
          const request = batch[next++] as WebhookRequest;
          const sent = Date.now();
          const answer = await postWebhook(pipeline.url, request);
          if (answer.status !== 202) {
            rejected += 1;
            continue;
          }
          accepted.set(documentFileName(`github:${request.deliveryId}`), Date.now());
          acceptLatencies.push(Date.now() - sent);
        }
      }),
    );
    const sendSeconds = (Date.now() - started) / 1000;
    const indexed = await indexedTimes(dir, new Set(accepted.keys()), 300_000);
    const lastIndexed = Math.max(...indexed.values());
    const latencies = [...accepted]
      .map(([file, at]) => (indexed.get(file) as number) - at)
      .sort((a, b) => a - b);
    acceptLatencies.sort((a, b) => a - b);
    const idle = await idleLatencies(dir, pipeline.url, batch.slice(0, IDLE_EVENTS));
    const note = `${accepted.size} events (${rejected} refused), ${CONCURRENCY} senders, ${cpus().length} cores`;
    return [
      {
        name: 'local pipeline: throughput accept->indexed',
        value: accepted.size / ((lastIndexed - started) / 1000),
        unit: 'events/s',
        note,
      },
      {
        name: 'local pipeline: API accept rate',
        value: accepted.size / sendSeconds,
        unit: 'req/s',
        note: 'authorizer + ingest + PutRecord',
      },
      {
        name: 'local pipeline: accept->indexed p50',
        value: percentile(latencies, 50),
        unit: 'ms',
        note: 'under that load (senders outrun the consumer)',
      },
      {
        name: 'local pipeline: accept->indexed p99',
        value: percentile(latencies, 99),
        unit: 'ms',
        note: 'under that load',
      },
      {
        name: 'local pipeline: accept->indexed p50, idle',
        value: percentile(idle, 50),
        unit: 'ms',
        note: `${idle.length} events one at a time; includes the 1 s batching window`,
      },
      {
        name: 'local pipeline: accept->indexed p99, idle',
        value: percentile(idle, 99),
        unit: 'ms',
      },
      { name: 'local pipeline: API round trip p50', value: percentile(acceptLatencies, 50), unit: 'ms' },
    ];
  });
}
