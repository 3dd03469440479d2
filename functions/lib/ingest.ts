import { createHash, randomUUID } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { MAX_WEBHOOK_BODY_BYTES } from './aws-limits';
import { discardPayload, type StoredPayload, storePayload } from './claim-check';
import { kinesisClient } from './clients/kinesis';
import { boolEnv, intEnv, requireEnv } from './config';
import { type DnsPolicy, loadDnsPolicy } from './dns/policy';
import { type Envelope, type PayloadRef, partitionKey, type SourceId } from './envelope';
import { RejectedRequest, TemporarilyUnavailable } from './errors';
import { jsonNestingExceeds } from './json-guard';
import { logger } from './observability';
import { decodeUtf8, payloadBytes } from './request-body';
import { enabledSourcesFromEnv, findSource } from './sources';
import { describeDelivery } from './sources/describe';
import { checkPayload } from './sources/payload-checks';
import type { Headers, SourceOptions } from './sources/types';
import { verifyBody } from './sources/verify';
import { getSourceSecret, type SourceSecret } from './webhook-secrets';

export interface IngestConfig {
  streamName: string;
  payloadBucket: string;
  maxBodyBytes: number;
  /** Payloads larger than this travel by claim check (S3) instead of inline in the envelope. */
  inlinePayloadLimitBytes: number;
  enabledSources: ReadonlySet<SourceId>;
  githubSha1Enabled: boolean;
  /** Which names and addresses dynamic-DNS requests may carry; absent when dynamic DNS is off. */
  dnsPolicy?: DnsPolicy | undefined;
}

export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  return {
    streamName: requireEnv('STREAM_NAME', env),
    payloadBucket: requireEnv('PAYLOAD_BUCKET', env),
    maxBodyBytes: intEnv('MAX_BODY_BYTES', MAX_WEBHOOK_BODY_BYTES, env),
    inlinePayloadLimitBytes: intEnv('INLINE_PAYLOAD_LIMIT_BYTES', 196_608, env),
    enabledSources: enabledSourcesFromEnv(env),
    githubSha1Enabled: boolEnv('GITHUB_SHA1_ENABLED', false, env),
    dnsPolicy: loadDnsPolicy(env),
  };
}

export interface WebhookRequest {
  /** The `{source}` path segment. */
  source: string | undefined;
  /** The source the authorizer admitted, when the request came through it. */
  authorizedSource?: string | undefined;
  /** Lower-cased header names. */
  headers: Headers;
  /** The raw body, exactly as signed. */
  body: Buffer;
}

export interface Accepted {
  id: string;
  source: SourceId;
  type: string;
  /** The body went to S3 and the record carries a reference to it. */
  claimChecked: boolean;
}

/** The side effects of ingest, replaceable in benchmarks. */
export interface IngestDependencies {
  getSecret(source: SourceId): Promise<SourceSecret | undefined>;
  putRecord(streamName: string, partitionKey: string, data: Buffer): Promise<void>;
  storePayload(bucket: string, key: string, body: Buffer): Promise<StoredPayload>;
  discardPayload(stored: StoredPayload): Promise<void>;
  now(): Date;
}

export const awsDependencies: IngestDependencies = {
  getSecret: (source) => getSourceSecret(source),
  async putRecord(streamName, key, data) {
    await kinesisClient.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: key, Data: data }));
  },
  storePayload,
  discardPayload,
  now: () => new Date(),
};

/**
 * Verifies one webhook and writes its envelope to the stream. Resolves only once Kinesis has the record;
 * throws RejectedRequest for anything refused and TemporarilyUnavailable when a dependency failed.
 */
export async function ingestWebhook(
  request: WebhookRequest,
  config: IngestConfig,
  deps: IngestDependencies = awsDependencies,
): Promise<Accepted> {
  const source = findSource(request.source, config.enabledSources);
  if (!source)
    throw new RejectedRequest(404, 'unknown_source', `no webhook endpoint for "${request.source}"`);
  if (request.authorizedSource !== undefined && request.authorizedSource !== source.id) {
    throw new RejectedRequest(403, 'source_mismatch', 'the authorizer admitted a different source');
  }
  if (request.body.length > config.maxBodyBytes) {
    throw new RejectedRequest(413, 'payload_too_large', `body larger than ${config.maxBodyBytes} bytes`);
  }

  const secret = await loadSecret(source.id, deps);
  const options: SourceOptions = { githubSha1Enabled: config.githubSha1Enabled, now: deps.now };
  const verdict = verifyBody(source, request.headers, request.body, secret, options);
  if (!verdict.ok)
    throw new RejectedRequest(
      verdict.status,
      verdict.status === 401 ? 'unauthorized' : 'forbidden',
      verdict.reason,
    );

  const jsonBytes = payloadBytes(request.headers['content-type'], request.body);
  const payload = parsePayload(jsonBytes);
  const description = describeDelivery(source, request.headers, payload);
  if (!description.type)
    throw new RejectedRequest(400, 'missing_event_type', `no event type in this ${source.id} delivery`);
  checkPayload(source, payload, config);

  const receivedAt = deps.now();
  const head: Omit<Envelope, 'payload' | 'payloadRef'> = {
    id: description.deliveryId ?? createHash('sha256').update(request.body).digest('hex'),
    source: source.id,
    type: description.type,
    ...(description.action !== undefined && { action: description.action }),
    subject: description.subject,
    receivedAt: receivedAt.toISOString(),
    meta: description.meta,
  };

  let stored: StoredPayload | undefined;
  if (jsonBytes.length > config.inlinePayloadLimitBytes) {
    stored = await claimCheck(config.payloadBucket, head, jsonBytes, deps);
  }
  const record = stored
    ? Buffer.from(JSON.stringify({ ...head, payloadRef: payloadRefOf(stored) }))
    : spliceEnvelope(head, jsonBytes);
  try {
    await deps.putRecord(config.streamName, partitionKey(head), record);
  } catch (error) {
    if (stored) await discardQuietly(stored, deps);
    logger.error('PutRecord failed', { source: head.source, id: head.id, error: errorName(error) });
    throw new TemporarilyUnavailable('the event stream did not accept the record', 5, { cause: error });
  }
  return { id: head.id, source: head.source, type: head.type, claimChecked: stored !== undefined };
}

async function loadSecret(source: SourceId, deps: IngestDependencies): Promise<SourceSecret> {
  let secret: SourceSecret | undefined;
  try {
    secret = await deps.getSecret(source);
  } catch (error) {
    logger.error('webhook secret unavailable', { source, error: errorName(error) });
    throw new TemporarilyUnavailable('webhook secrets unavailable', 5, { cause: error });
  }
  if (!secret) {
    // Deny by default: an enabled source with no secret configured accepts nothing.
    logger.error('no secret configured for an enabled source', { source });
    throw new RejectedRequest(403, 'forbidden', `source ${source} has no secret configured`);
  }
  return secret;
}

/** Parses without ever recursing over attacker-controlled depth; only JSON objects are deliveries. */
function parsePayload(bytes: Buffer): Record<string, unknown> {
  if (jsonNestingExceeds(bytes)) throw new RejectedRequest(400, 'malformed_body', 'JSON nested too deeply');
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (error) {
    if (error instanceof RejectedRequest) throw error;
    throw new RejectedRequest(400, 'malformed_body', 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RejectedRequest(400, 'malformed_body', 'body is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * The envelope with the payload's own bytes spliced in as its last field: the payload on the stream is
 * byte for byte what the sender signed, never a re-serialization. `head` holds only strings we produced.
 */
export function spliceEnvelope(head: Omit<Envelope, 'payload' | 'payloadRef'>, jsonBytes: Buffer): Buffer {
  const headJson = JSON.stringify(head);
  return Buffer.concat([Buffer.from(`${headJson.slice(0, -1)},"payload":`), jsonBytes, Buffer.from('}')]);
}

/** The envelope's reference: the object's version stays with ingest, which alone may use it to delete. */
function payloadRefOf({ bucket, key, bytes, sha256 }: StoredPayload): PayloadRef {
  return { bucket, key, bytes, sha256 };
}

async function claimCheck(
  bucket: string,
  head: Pick<Envelope, 'source' | 'id' | 'receivedAt'>,
  jsonBytes: Buffer,
  deps: IngestDependencies,
): Promise<StoredPayload> {
  // A fresh key per request: a redelivery racing a failed attempt can never lose the object it references.
  const safeId = head.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);
  const key = `${head.source}/${head.receivedAt.slice(0, 10)}/${safeId}/${randomUUID()}.json`;
  try {
    return await deps.storePayload(bucket, key, jsonBytes);
  } catch (error) {
    logger.error('claim-check store failed', { source: head.source, id: head.id, error: errorName(error) });
    throw new TemporarilyUnavailable('the payload store did not accept the body', 5, { cause: error });
  }
}

async function discardQuietly(stored: StoredPayload, deps: IngestDependencies): Promise<void> {
  try {
    await deps.discardPayload(stored);
  } catch (error) {
    // The bucket's lifecycle rule removes it later; nothing references it.
    logger.warn('could not remove an unreferenced claim-check object', {
      key: stored.key,
      error: errorName(error),
    });
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}
