import { createHash, createHmac } from 'node:crypto';
import { SOURCE_IDS } from '../functions/lib/envelope';
import { type IngestConfig, type IngestDependencies, ingestWebhook } from '../functions/lib/ingest';
import { decodeBody, lowerCaseHeaders } from '../functions/lib/request-body';
import { DEV_SECRETS } from '../local/dev-secrets';
import { cpuMicrosPerCall } from './cpu';
import { hotPathSamples } from './hot-path-samples';
import type { BenchRow } from './types';

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

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const sample of hotPathSamples()) {
    const headers = lowerCaseHeaders(sample.headers);
    const bytes = sample.body;
    const ingest = () =>
      ingestWebhook(
        {
          source: 'github',
          authorizedSource: 'github',
          headers,
          body: decodeBody(sample.body.toString('utf8'), false, config.maxBodyBytes),
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
