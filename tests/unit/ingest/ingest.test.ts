import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { StoredPayload } from '../../../functions/lib/claim-check';
import { loadDnsPolicy } from '../../../functions/lib/dns/policy';
import { parseEnvelope, SOURCE_IDS, type SourceId } from '../../../functions/lib/envelope';
import { RejectedRequest, TemporarilyUnavailable } from '../../../functions/lib/errors';
import {
  type IngestConfig,
  type IngestDependencies,
  ingestWebhook,
  type WebhookRequest,
} from '../../../functions/lib/ingest';
import { decodeBody, lowerCaseHeaders } from '../../../functions/lib/request-body';
import { credentialHeaders } from '../../../local/credentials';
import { DEV_SECRETS } from '../../../local/dev-secrets';

const config: IngestConfig = {
  streamName: 'webhook-stream',
  payloadBucket: 'webhook-payloads',
  maxBodyBytes: 10 * 1024 * 1024,
  inlinePayloadLimitBytes: 196_608,
  enabledSources: new Set(SOURCE_IDS),
  githubSha1Enabled: false,
};

/** In-memory stand-ins that record what ingest would write, so tests can check it wrote nothing. */
function recordingDeps(overrides: Partial<IngestDependencies> = {}) {
  const records: { streamName: string; partitionKey: string; data: Buffer }[] = [];
  const stored: { bucket: string; key: string; body: Buffer }[] = [];
  const discarded: StoredPayload[] = [];
  const deps: IngestDependencies = {
    getSecret: async (source: SourceId) => ({ current: DEV_SECRETS[source] }),
    putRecord: async (streamName, partitionKey, data) => {
      records.push({ streamName, partitionKey, data });
    },
    storePayload: async (bucket, key, body) => {
      stored.push({ bucket, key, body });
      return {
        bucket,
        key,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        versionId: `v-${stored.length}`,
      };
    },
    discardPayload: async (payload) => {
      discarded.push(payload);
    },
    now: () => new Date(),
    ...overrides,
  };
  return { deps, records, stored, discarded };
}

function fixtureRequest(name: string): WebhookRequest {
  const event = JSON.parse(
    readFileSync(join(__dirname, '../../../events/ingest', `${name}.json`), 'utf8'),
  ) as APIGatewayProxyEvent;
  return {
    source: event.pathParameters?.source,
    authorizedSource: event.requestContext.authorizer?.source,
    headers: lowerCaseHeaders(event.headers),
    body: decodeBody(event.body, event.isBase64Encoded, config.maxBodyBytes),
  };
}

/** A correctly signed request for any source and body. */
function signedRequest(
  source: SourceId,
  body: string | Buffer,
  headers: Record<string, string> = {},
): WebhookRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    source,
    headers: lowerCaseHeaders({
      'Content-Type': 'application/json',
      ...headers,
      ...credentialHeaders(source, bytes, DEV_SECRETS[source]),
    }),
    body: bytes,
  };
}

async function rejection(promise: Promise<unknown>): Promise<RejectedRequest> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof RejectedRequest))
    throw new Error(`expected a RejectedRequest, got ${String(error)}`);
  return error;
}

describe('ingestWebhook rejections: nothing reaches the stream', () => {
  it.each([
    ['an unknown source', { ...fixtureRequest('github-push'), source: 'sourceforge' }, config, 404],
    [
      'a disabled source',
      fixtureRequest('gitlab-push'),
      { ...config, enabledSources: new Set(['github'] as const) },
      404,
    ],
    [
      'a source other than the authorizer admitted',
      { ...fixtureRequest('github-push'), authorizedSource: 'gitlab' },
      config,
      403,
    ],
    ['a body over MAX_BODY_BYTES', fixtureRequest('github-push'), { ...config, maxBodyBytes: 1024 }, 413],
    ['a missing signature', fixtureRequest('github-missing-signature'), config, 401],
    ['a wrong signature', fixtureRequest('github-wrong-signature'), config, 403],
    [
      'a wrong GitLab token',
      {
        ...fixtureRequest('gitlab-push'),
        headers: { ...fixtureRequest('gitlab-push').headers, 'x-gitlab-token': 'guess' },
      },
      config,
      403,
    ],
    ['malformed JSON', signedRequest('github', '{"zen": ', { 'X-GitHub-Event': 'ping' }), config, 400],
    ['an empty body', signedRequest('github', '', { 'X-GitHub-Event': 'ping' }), config, 400],
    ['a JSON array', signedRequest('github', '[1,2]', { 'X-GitHub-Event': 'ping' }), config, 400],
    ['a JSON string', signedRequest('github', '"ping"', { 'X-GitHub-Event': 'ping' }), config, 400],
    ['JSON null', signedRequest('github', 'null', { 'X-GitHub-Event': 'ping' }), config, 400],
    [
      'invalid UTF-8',
      signedRequest('github', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), {
        'X-GitHub-Event': 'ping',
      }),
      config,
      400,
    ],
    ['a missing X-GitHub-Event', signedRequest('github', '{"zen":"x"}'), config, 400],
    ['a Jira body without webhookEvent', signedRequest('jira', '{"issue":{"key":"OPS-1"}}'), config, 400],
    [
      'an unsupported media type',
      signedRequest('github', '<ping/>', { 'X-GitHub-Event': 'ping', 'Content-Type': 'text/xml' }),
      config,
      415,
    ],
  ])('refuses %s', async (_case, request, caseConfig, status) => {
    const { deps, records, stored } = recordingDeps();

    const error = await rejection(ingestWebhook(request as WebhookRequest, caseConfig as IngestConfig, deps));

    expect(error.statusCode).toBe(status);
    expect(records).toHaveLength(0);
    expect(stored).toHaveLength(0);
  });

  it('refuses 100,000 levels of nesting with 400', async () => {
    const { deps, records } = recordingDeps();
    const body = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;

    const error = await rejection(
      ingestWebhook(signedRequest('github', body, { 'X-GitHub-Event': 'ping' }), config, deps),
    );

    expect(error).toMatchObject({ statusCode: 400, message: 'JSON nested too deeply' });
    expect(records).toHaveLength(0);
  });

  it('refuses a source with no secret configured (deny by default)', async () => {
    const { deps, records } = recordingDeps({ getSecret: async () => undefined });

    const error = await rejection(ingestWebhook(fixtureRequest('github-push'), config, deps));

    expect(error.statusCode).toBe(403);
    expect(records).toHaveLength(0);
  });

  it('answers TemporarilyUnavailable when the secrets cannot be read', async () => {
    const { deps } = recordingDeps({ getSecret: () => Promise.reject(new Error('ThrottlingException')) });

    await expect(ingestWebhook(fixtureRequest('github-push'), config, deps)).rejects.toBeInstanceOf(
      TemporarilyUnavailable,
    );
  });

  it("passes a source's payload-check refusal through unchanged", async () => {
    const dnsPolicy = loadDnsPolicy({
      DNS_ZONE_NAME: 'home.example.com',
      DNS_ALLOWED_NAMES: '*.home.example.com',
    });
    const { deps, records } = recordingDeps();
    const body =
      '{"ip":"81.2.69.160","domain":"evil.example.org","uuid":"5f0c3b2a-9d8e-4f7a-b6c5-d4e3f2a1b0c9"}';

    const error = await rejection(ingestWebhook(signedRequest('ddns', body), { ...config, dnsPolicy }, deps));

    expect(error).toMatchObject({
      statusCode: 422,
      message: 'domain evil.example.org is outside zone home.example.com',
    });
    expect(records).toHaveLength(0);
  });
});

describe('ingestWebhook acceptance', () => {
  it('writes an envelope whose payload is the signed body, byte for byte, keyed by source:subject', async () => {
    const { deps, records } = recordingDeps();
    const request = fixtureRequest('github-push');

    const accepted = await ingestWebhook(request, config, deps);

    expect(accepted).toEqual({
      id: '0b989ba4-242f-11e5-81e1-c7b6966d2516',
      source: 'github',
      type: 'push',
      claimChecked: false,
    });
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.partitionKey).toBe('github:Codertocat/Hello-World');
    expect(record?.data.includes(request.body)).toBe(true);
    const envelope = parseEnvelope(JSON.parse(record?.data.toString('utf8') ?? ''));
    expect(envelope).toMatchObject({
      id: accepted.id,
      source: 'github',
      type: 'push',
      subject: 'Codertocat/Hello-World',
    });
    expect(envelope.payload).toEqual(JSON.parse(request.body.toString('utf8')));
    expect(envelope.meta).toEqual({
      hookId: '512312345',
      userAgent: 'GitHub-Hookshot/6b02022',
      contentType: 'application/json',
    });
  });

  it('uses the SHA-256 of the body as id when the sender gives no delivery id', async () => {
    const { deps } = recordingDeps();
    const body = '{"event_type":"change.approved","table":"change_request","number":"CHG0030002"}';

    const accepted = await ingestWebhook(signedRequest('servicenow', body), config, deps);

    expect(accepted.id).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('keeps the JSON inside a form-encoded delivery as the payload', async () => {
    const { deps, records } = recordingDeps();
    const request = fixtureRequest('github-issues-opened-form');
    const json = new URLSearchParams(request.body.toString('utf8')).get('payload') ?? '';

    const accepted = await ingestWebhook(request, config, deps);

    expect(accepted.type).toBe('issues');
    expect(records[0]?.data.includes(Buffer.from(json))).toBe(true);
    expect(parseEnvelope(JSON.parse(records[0]?.data.toString() ?? '')).action).toBe('opened');
  });

  it('claim-checks a payload over the inline limit and puts only its reference on the stream', async () => {
    const { deps, records, stored } = recordingDeps();
    const request = fixtureRequest('github-pull-request-opened');

    await ingestWebhook(request, { ...config, inlinePayloadLimitBytes: 4096 }, deps);

    expect(stored).toHaveLength(1);
    expect(stored[0]?.body.equals(request.body)).toBe(true);
    const envelope = parseEnvelope(JSON.parse(records[0]?.data.toString() ?? ''));
    expect(envelope.payload).toBeUndefined();
    expect(envelope.payloadRef).toMatchObject({
      bucket: 'webhook-payloads',
      key: stored[0]?.key,
      bytes: request.body.length,
    });
    // The object's version, which lets its holder delete it, stays with ingest.
    expect(JSON.parse(records[0]?.data.toString() ?? '').payloadRef).not.toHaveProperty('versionId');
  });

  it('accepts a 9 MB body through the claim check', async () => {
    const { deps, stored } = recordingDeps();
    const body = JSON.stringify({ zen: 'x'.repeat(9 * 1024 * 1024), hook_id: 1 });

    const accepted = await ingestWebhook(
      signedRequest('github', body, { 'X-GitHub-Event': 'ping' }),
      config,
      deps,
    );

    expect(accepted.type).toBe('ping');
    expect(accepted.claimChecked).toBe(true);
    expect(stored[0]?.body.length).toBe(Buffer.byteLength(body));
  });
});

describe('ingestWebhook when the stream fails', () => {
  it('answers TemporarilyUnavailable and removes the claim-check object it stored', async () => {
    const { deps, stored, discarded } = recordingDeps({
      putRecord: () =>
        Promise.reject(
          Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }),
        ),
    });

    const attempt = ingestWebhook(
      fixtureRequest('github-pull-request-opened'),
      { ...config, inlinePayloadLimitBytes: 4096 },
      deps,
    );

    await expect(attempt).rejects.toBeInstanceOf(TemporarilyUnavailable);
    // The very version it wrote, the only kind of delete its role allows.
    expect(discarded).toEqual([expect.objectContaining({ key: stored[0]?.key, versionId: 'v-1' })]);
  });

  it('still answers TemporarilyUnavailable when the clean-up fails too', async () => {
    const { deps } = recordingDeps({
      putRecord: () => Promise.reject(new Error('socket hang up')),
      discardPayload: () => Promise.reject(new Error('AccessDenied')),
    });

    const attempt = ingestWebhook(
      fixtureRequest('github-pull-request-opened'),
      { ...config, inlinePayloadLimitBytes: 4096 },
      deps,
    );

    await expect(attempt).rejects.toMatchObject({ name: 'TemporarilyUnavailable', retryAfterSeconds: 5 });
  });

  it('answers TemporarilyUnavailable when the payload store fails, before touching the stream', async () => {
    const { deps, records } = recordingDeps({ storePayload: () => Promise.reject(new Error('SlowDown')) });

    const attempt = ingestWebhook(
      fixtureRequest('github-pull-request-opened'),
      { ...config, inlinePayloadLimitBytes: 4096 },
      deps,
    );

    await expect(attempt).rejects.toBeInstanceOf(TemporarilyUnavailable);
    expect(records).toHaveLength(0);
  });
});
