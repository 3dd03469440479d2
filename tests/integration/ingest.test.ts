import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as ClaimCheckModule from '../../functions/lib/claim-check';
import { type Envelope, parseEnvelope, SOURCE_IDS } from '../../functions/lib/envelope';
import { lambdaContext, proxyEvent } from '../../local/api-gateway-events';
import { credentialHeaders } from '../../local/credentials';
import { DEV_SECRETS } from '../../local/dev-secrets';
import {
  createBucket,
  createStream,
  getObjectBytes,
  listObjectKeys,
  type RunningEmulator,
  readStream,
  type StreamRecord,
  startKinesalite,
  startS3rver,
} from '../support/emulators';

type Handler = (
  event: APIGatewayProxyEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyResult>;
interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

const stream = 'webhook-stream';
const bucket = 'webhook-payloads';
const inlineLimit = 16 * 1024;
const savedEnv = { ...process.env };
let kinesis: RunningEmulator;
let s3: RunningEmulator;
let handler: Handler;
let loadPayload: typeof ClaimCheckModule.loadPayload;

/**
 * A second copy of the handler, cold-started with other settings (a separately configured function). The
 * settings stay until `restore`: the SDK resolves its endpoint lazily, on the first request.
 */
function coldStart(env: Record<string, string>): { failing: Handler; restore: () => void } {
  const previous = { ...process.env };
  Object.assign(process.env, env);
  let isolated: Handler | undefined;
  jest.isolateModules(() => {
    isolated = require('../../functions/ingest/handler').handler;
  });
  if (!isolated) throw new Error('handler did not load');
  return {
    failing: isolated,
    restore: () => {
      process.env = previous;
    },
  };
}

function githubEvent(name: string, body: string, delivery = randomUUID()): APIGatewayProxyEvent {
  return proxyEvent({
    source: 'github',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/6b02022',
      'X-GitHub-Event': name,
      'X-GitHub-Delivery': delivery,
      ...credentialHeaders('github', body, DEV_SECRETS.github),
    },
    body,
    authorizedSource: 'github',
  });
}

function decode(record: StreamRecord): Envelope {
  return parseEnvelope(JSON.parse(record.data.toString('utf8')));
}

async function recordsById(): Promise<Map<string, StreamRecord[]>> {
  const byId = new Map<string, StreamRecord[]>();
  for (const record of await readStream(kinesis.endpoint, stream)) {
    const id = decode(record).id;
    byId.set(id, [...(byId.get(id) ?? []), record]);
  }
  return byId;
}

beforeAll(async () => {
  [kinesis, s3] = await Promise.all([startKinesalite(), startS3rver()]);
  await Promise.all([createStream(kinesis.endpoint, stream, 2), createBucket(s3.endpoint, bucket)]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    STREAM_NAME: stream,
    PAYLOAD_BUCKET: bucket,
    INLINE_PAYLOAD_LIMIT_BYTES: String(inlineLimit),
    ENABLED_SOURCES: SOURCE_IDS.join(','),
    // The fixture's name is in the documented development zone (ddns validate() reads these).
    DNS_ZONE_NAME: 'home.example.com',
    DNS_ALLOWED_NAMES: '*.home.example.com',
    ...Object.fromEntries(SOURCE_IDS.map((id) => [`WEBHOOK_SECRET_${id.toUpperCase()}`, DEV_SECRETS[id]])),
  });
  ({ handler } = require('../../functions/ingest/handler') as { handler: Handler });
  ({ loadPayload } = require('../../functions/lib/claim-check') as typeof ClaimCheckModule);
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([kinesis.stop(), s3.stop()]);
});

describe('ingest against kinesalite and s3rver', () => {
  it('accepts all @octokit/webhooks-examples payloads and puts each, byte for byte, on the stream', async () => {
    const groups = require('@octokit/webhooks-examples') as ExampleGroup[];
    // Every other body is pretty-printed: a re-serializing ingest would change those bytes.
    const sent = groups
      .flatMap(({ name, examples }) => examples.map((example) => ({ name, example })))
      .map(({ name, example }, index) => ({
        name,
        example,
        body: JSON.stringify(example, null, index % 2 === 0 ? undefined : 2),
        delivery: randomUUID(),
      }));
    const statuses: number[] = [];

    for (const { name, body, delivery } of sent) {
      statuses.push((await handler(githubEvent(name, body, delivery), lambdaContext('ingest'))).statusCode);
    }

    expect(sent).toHaveLength(329);
    expect(new Set(sent.map(({ name }) => name)).size).toBe(58);
    expect(statuses.every((status) => status === 202)).toBe(true);
    const byId = await recordsById();
    for (const { name, example, body, delivery } of sent) {
      const records = byId.get(delivery) ?? [];
      expect(records).toHaveLength(1);
      const [record] = records as [StreamRecord];
      const envelope = decode(record);
      const repository = example.repository as { full_name?: string } | undefined;
      const organization = example.organization as { login?: string } | undefined;
      const subject = repository?.full_name ?? organization?.login ?? '-';
      expect({ type: envelope.type, action: envelope.action, subject: envelope.subject }).toEqual({
        type: name,
        action: typeof example.action === 'string' ? example.action : undefined,
        subject,
      });
      expect(record.partitionKey).toBe(`github:${subject}`);
      // Payloads over the (lowered) inline limit travel by claim check: then the S3 object holds the bytes.
      const payloadBytes = envelope.payloadRef
        ? await getObjectBytes(s3.endpoint, bucket, envelope.payloadRef.key)
        : record.data;
      expect(payloadBytes.includes(Buffer.from(body))).toBe(true);
      await expect(loadPayload(envelope)).resolves.toEqual(example);
    }
    expect([...byId.values()].flat().filter((record) => decode(record).payloadRef).length).toBeGreaterThan(0);
  });

  it('accepts the signed fixture of every source and answers {id, source, type}', async () => {
    const dir = join(__dirname, '../../events/ingest');
    const names = readdirSync(dir).filter((file) => !/unknown|wrong|missing/.test(file));
    const results: { name: string; status: number; body: { id: string; source: string; type: string } }[] =
      [];

    for (const file of names) {
      const event = JSON.parse(readFileSync(join(dir, file), 'utf8')) as APIGatewayProxyEvent;
      if (event.pathParameters?.source === 'ddns') {
        // Timestamped signatures age out: sign the fixture's body again, now.
        Object.assign(event.headers, credentialHeaders('ddns', event.body ?? '', DEV_SECRETS.ddns));
      }
      const response = await handler(event, lambdaContext('ingest'));
      results.push({ name: file, status: response.statusCode, body: JSON.parse(response.body) });
    }

    expect(results.map(({ name, status }) => [name, status])).toEqual(names.map((name) => [name, 202]));
    expect(new Set(results.map(({ body }) => body.source))).toEqual(new Set(SOURCE_IDS));
    const byId = await recordsById();
    for (const { body } of results) {
      const envelope = decode((byId.get(body.id) ?? [])[0] as StreamRecord);
      expect({ id: envelope.id, source: envelope.source, type: envelope.type }).toEqual(body);
    }
  });

  it('claim-checks a body over the inline limit: the S3 object is the body, the record carries its reference', async () => {
    const example = { zen: 'Design for failure.', padding: 'x'.repeat(inlineLimit), hook_id: 42 };
    const body = JSON.stringify(example);
    const delivery = randomUUID();

    const response = await handler(githubEvent('ping', body, delivery), lambdaContext('ingest'));

    expect(response.statusCode).toBe(202);
    const [record] = (await recordsById()).get(delivery) ?? [];
    const envelope = decode(record as StreamRecord);
    expect(envelope.payload).toBeUndefined();
    expect(envelope.payloadRef).toMatchObject({ bucket, bytes: Buffer.byteLength(body) });
    const stored = await getObjectBytes(s3.endpoint, bucket, envelope.payloadRef?.key ?? '');
    expect(stored.equals(Buffer.from(body))).toBe(true);
    await expect(loadPayload(envelope)).resolves.toEqual(example);
  });
});

describe('ingest when Kinesis fails', () => {
  const bigBody = () =>
    JSON.stringify({ zen: 'Anything added dilutes everything else.', padding: 'y'.repeat(inlineLimit * 2) });

  it.each([
    ['the stream does not exist', () => ({ STREAM_NAME: 'no-such-stream' })],
    ['kinesalite is down', () => ({ AWS_ENDPOINT_URL_KINESIS: downKinesisEndpoint })],
  ])(
    'answers 503 with Retry-After when %s, leaving no record and no S3 object behind',
    async (_case, env) => {
      const recordsBefore = (await readStream(kinesis.endpoint, stream)).length;
      const objectsBefore = await listObjectKeys(s3.endpoint, bucket);
      const { failing, restore } = coldStart(env());

      const responses = await (async () => {
        try {
          return [
            await failing(
              githubEvent('ping', '{"zen":"Speak like a human.","hook_id":7}'),
              lambdaContext('ingest'),
            ),
            await failing(githubEvent('ping', bigBody()), lambdaContext('ingest')),
          ];
        } finally {
          restore();
        }
      })();

      for (const response of responses) {
        expect(response.statusCode).toBe(503);
        expect(Number(response.headers?.['Retry-After'])).toBeGreaterThan(0);
        expect(JSON.parse(response.body)).toMatchObject({ error: 'unavailable' });
      }
      expect(await readStream(kinesis.endpoint, stream)).toHaveLength(recordsBefore);
      expect(await listObjectKeys(s3.endpoint, bucket)).toEqual(objectsBefore);
    },
  );

  let downKinesisEndpoint = '';
  beforeAll(async () => {
    const stopped = await startKinesalite();
    downKinesisEndpoint = stopped.endpoint;
    await stopped.stop();
  });
});
