import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import claimChecked from '../../events/indexer/github-pull-request-claim-checked.json';
import push from '../../events/indexer/github-push.json';
import type * as HandlerModule from '../../functions/indexer/handler';
import type { IndexResult } from '../../functions/lib/search/indexer';
import { lambdaContext } from '../../local/api-gateway-events';
import { documentFileName, startOpenSearchFake } from '../../local/fakes/opensearch';
import {
  createBucket,
  createTable,
  type RunningEmulator,
  startDynalite,
  startS3rver,
} from '../support/emulators';

// DynamoDB and S3 are real emulators (dynalite, s3rver); OpenSearch is the local fake, reached by the
// real, signed client exactly as the deployed function reaches a domain. The table is there only to show
// that the indexer writes nothing to it (its repeats are stopped by OpenSearch's create).
const TABLE = 'webhook-idempotency';
const BUCKET = 'webhook-payloads';
const examples = require('@octokit/webhooks-examples') as Array<{ name: string; examples: unknown[] }>;
const labeledPullRequest = examples.find((e) => e.name === 'pull_request')?.examples[9];

let dynamodb: RunningEmulator;
let s3: RunningEmulator;
let opensearch: Awaited<ReturnType<typeof startOpenSearchFake>>;
let localDir: string;
let handler: (event: unknown, context: Context) => Promise<IndexResult>;

const documentsIn = (index: string) => readdirSync(join(localDir, 'opensearch', index));
const readDocument = (index: string, id: string) =>
  JSON.parse(readFileSync(join(localDir, 'opensearch', index, documentFileName(id)), 'utf8'));

async function idempotencyRecords() {
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint });
  try {
    return (await client.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
  } finally {
    client.destroy();
  }
}

/** The document's `_version` as OpenSearch reports it: 1 means it was written once. */
async function versionOf(index: string, id: string): Promise<number> {
  const stored = await fetch(`${opensearch.url}/${index}/_doc/${encodeURIComponent(id)}`);
  return ((await stored.json()) as { _version: number })._version;
}

async function storeBody(key: string, body: Buffer): Promise<void> {
  const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true });
  try {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  [dynamodb, s3] = await Promise.all([startDynalite(), startS3rver()]);
  localDir = mkdtempSync(join(tmpdir(), 'indexer-'));
  opensearch = await startOpenSearchFake(localDir);
  await Promise.all([createTable(dynamodb.endpoint, TABLE), createBucket(s3.endpoint, BUCKET)]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    OPENSEARCH_ENDPOINT: opensearch.url,
  });
  // Required only now: the handler reads its configuration and creates its clients when loaded.
  ({ handler } = require('../../functions/indexer/handler') as typeof HandlerModule);
});

afterAll(async () => {
  await Promise.all([dynamodb.stop(), s3.stop(), opensearch.close()]);
  rmSync(localDir, { recursive: true, force: true });
});

describe('indexer function', () => {
  const index = 'webhooks-github-2026.05';

  it('indexes an event under source:id in its source and month index', async () => {
    const result = await handler(push, lambdaContext('indexer'));

    const id = `github:${push.id}`;
    expect(result).toEqual({ index, documentId: id, result: 'created' });
    expect(readDocument(index, id)).toMatchObject({
      id: push.id,
      source: 'github',
      type: 'push',
      repository: 'Codertocat/Hello-World',
      actor: 'Codertocat',
      ref: 'refs/heads/master',
      receivedAt: push.receivedAt,
      payload: push.payload,
    });
  });

  it('leaves the first document of an event as it is when a second delivery comes, writing no record', async () => {
    const redelivered = { ...push, id: 'a9e6b0c2-2b0c-11f0-8e5b-5d1f0a3c9e41' };
    const first = await handler(redelivered, lambdaContext('indexer'));
    const indexedAt = readDocument(index, first.documentId).indexedAt;

    const second = await handler(
      { ...redelivered, receivedAt: '2026-05-03T10:00:00.000Z', meta: { ...redelivered.meta, attempt: '2' } },
      lambdaContext('indexer'),
    );

    expect([first.result, second.result]).toEqual(['created', 'exists']);
    expect(second.documentId).toBe(first.documentId);
    expect(readDocument(index, first.documentId)).toMatchObject({
      indexedAt,
      receivedAt: redelivered.receivedAt,
    });
    expect(await versionOf(index, first.documentId)).toBe(1);
    expect(await idempotencyRecords()).toEqual([]);
  });

  it('indexes once when copies of an event arrive at once: one creates, the others find its document', async () => {
    const copy = { ...push, id: 'c0f1e2d3-2b0c-11f0-8e5b-5d1f0a3c9e41' };

    const results = await Promise.all(
      [1, 2, 3].map(() => handler(structuredClone(copy), lambdaContext('indexer'))),
    );

    expect(results.map((result) => result.result).sort()).toEqual(['created', 'exists', 'exists']);
    expect(new Set(results.map((result) => result.documentId))).toEqual(new Set([`github:${copy.id}`]));
    expect(await versionOf(index, `github:${copy.id}`)).toBe(1);
  });

  it('keeps the one document when the event comes back weeks later (a replay)', async () => {
    const event = { ...push, id: 'b3f1c9d4-2b0c-11f0-8e5b-5d1f0a3c9e41' };
    const first = await handler(event, lambdaContext('indexer'));

    const again = await handler(
      { ...event, receivedAt: '2026-05-20T08:00:00.000Z' },
      lambdaContext('indexer'),
    );

    expect([first.result, again.result]).toEqual(['created', 'exists']);
    const files = documentsIn(index).filter((file) => file === documentFileName(first.documentId));
    expect(files).toHaveLength(1);
    expect(readDocument(index, first.documentId).receivedAt).toBe(event.receivedAt);
    expect(await versionOf(index, first.documentId)).toBe(1);
  });

  it('fetches a claim-checked payload from S3 and indexes it in full', async () => {
    const body = Buffer.from(JSON.stringify(labeledPullRequest));
    await storeBody(claimChecked.payloadRef.key, body);

    const result = await handler(claimChecked, lambdaContext('indexer'));

    const document = readDocument(index, result.documentId);
    expect(document.payload).toEqual(labeledPullRequest);
    expect(document.payloadRef).toEqual(claimChecked.payloadRef);
    expect(document).toMatchObject({
      type: 'pull_request',
      action: 'labeled',
      repository: 'Codertocat/Hello-World',
    });
  });

  it('fails on a claim-checked payload that does not match its digest, leaving no document so a retry can succeed', async () => {
    const event = { ...claimChecked, id: 'c1d2e3f4-2b0c-11f0-b6a4-3e9d2c8f7a63' };
    await storeBody(event.payloadRef.key, Buffer.from(JSON.stringify({ tampered: true })));

    await expect(handler(event, lambdaContext('indexer'))).rejects.toThrow('does not match its sha256');

    expect(documentsIn(index)).not.toContain(documentFileName(`github:${event.id}`));
    await storeBody(event.payloadRef.key, Buffer.from(JSON.stringify(labeledPullRequest)));
    await expect(handler(event, lambdaContext('indexer'))).resolves.toMatchObject({ result: 'created' });
  });

  it('refuses an event that is not an envelope', async () => {
    await expect(handler({ source: 'github', id: 'x' }, lambdaContext('indexer'))).rejects.toThrow(
      'envelope field',
    );
  });
});
