import { createHash, createHmac } from 'node:crypto';
import { SOURCE_IDS } from '../functions/lib/envelope';
import { type IngestConfig, type IngestDependencies, ingestWebhook } from '../functions/lib/ingest';
import { decodeBody, lowerCaseHeaders } from '../functions/lib/request-body';
import { credentialHeaders } from '../functions/lib/sources/sign';
import { DEV_SECRETS } from '../local/dev-secrets';
import { cpuMicrosPerCall } from './cpu';
import type { BenchRow } from './types';

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

interface Sample {
  label: string;
  event: string;
  body: string;
}

const secret = DEV_SECRETS.github;
const config: IngestConfig = {
  streamName: 'webhook-stream',
  payloadBucket: 'webhook-payloads',
  maxBodyBytes: 10 * 1024 * 1024,
  inlinePayloadLimitBytes: 196_608,
  enabledSources: new Set(SOURCE_IDS),
  githubSha1Enabled: false,
};

/**
 * The writes are stubbed in-process so the figure is ingest's own CPU (decode, verify, guard, parse,
 * describe, envelope), not an emulator's. The claim-check stub still hashes the body as storePayload does.
 */
const stubbedWrites: IngestDependencies = {
  getSecret: async () => ({ current: secret }),
  putRecord: async () => undefined,
  storePayload: async (bucket, key, body) => ({
    bucket,
    key,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
  }),
  discardPayload: async () => undefined,
  now: () => new Date(),
};

/** Real GitHub payloads nearest 1 KB and 25 KB, and a real push grown to 1 MB by repeating its commits. */
function samples(): Sample[] {
  const groups = require('@octokit/webhooks-examples') as ExampleGroup[];
  const all = groups.flatMap(({ name, examples }) =>
    examples.map((example) => ({ event: name, body: JSON.stringify(example) })),
  );
  const nearest = (bytes: number) =>
    all.reduce((best, item) =>
      Math.abs(item.body.length - bytes) < Math.abs(best.body.length - bytes) ? item : best,
    );
  const push = groups
    .find(({ name }) => name === 'push')
    ?.examples.find((example) => Array.isArray(example.commits) && example.commits.length > 0);
  if (!push) throw new Error('no push example with commits');
  const commits = push.commits as unknown[];
  const grown = { ...push, commits: [...commits] };
  while (JSON.stringify(grown).length < 1024 * 1024) grown.commits.push(...commits);
  return [
    { label: '1 KB', ...nearest(1024) },
    { label: '25 KB', ...nearest(25 * 1024) },
    { label: '1 MB', event: 'push', body: JSON.stringify(grown) },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const sample of samples()) {
    const headers = lowerCaseHeaders({
      'Content-Type': 'application/json',
      'X-GitHub-Event': sample.event,
      'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      ...credentialHeaders('github', sample.body, secret),
    });
    const bytes = Buffer.from(sample.body);
    const ingest = () =>
      ingestWebhook(
        {
          source: 'github',
          authorizedSource: 'github',
          headers,
          body: decodeBody(sample.body, false, config.maxBodyBytes),
        },
        config,
        stubbedWrites,
      );
    await ingest(); // fails loudly here if the sample is refused
    const ingestMicros = await cpuMicrosPerCall(ingest);
    const hmacMicros = await cpuMicrosPerCall(() => createHmac('sha256', secret).update(bytes).digest());
    const inline = bytes.length <= config.inlinePayloadLimitBytes ? 'inline' : 'claim check';
    rows.push(
      {
        name: `ingest CPU per request, ${sample.label}`,
        value: ingestMicros,
        unit: 'µs',
        note: `${sample.event}, ${bytes.length.toLocaleString('en-US')} B, ${inline}; PutRecord/PutObject stubbed in-process`,
      },
      {
        name: `ingest / bare HMAC-SHA256, ${sample.label}`,
        value: ingestMicros / hmacMicros,
        unit: '×',
        note: `bare HMAC-SHA256 of the same body: ${hmacMicros.toFixed(1)} µs`,
      },
    );
  }
  return rows;
}
