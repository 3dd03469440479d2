import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { SOURCE_IDS } from '../../../functions/lib/envelope';
import { lambdaContext, proxyEvent } from '../../../local/api-gateway-events';
import { DEV_SECRETS } from '../../../local/dev-secrets';

type Handler = (
  event: APIGatewayProxyEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyResult>;

const ingestEnv = {
  STREAM_NAME: 'webhook-stream',
  PAYLOAD_BUCKET: 'webhook-payloads',
  MAX_BODY_BYTES: '262144',
  ENABLED_SOURCES: SOURCE_IDS.filter((id) => id !== 'rally').join(','),
  // Nothing listens there: a test that reached Kinesis would fail instead of leaving the machine.
  AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  ...Object.fromEntries(SOURCE_IDS.map((id) => [`WEBHOOK_SECRET_${id.toUpperCase()}`, DEV_SECRETS[id]])),
};

function fixture(name: string): APIGatewayProxyEvent {
  return JSON.parse(readFileSync(join(__dirname, '../../../events/ingest', `${name}.json`), 'utf8'));
}

let handler: Handler;
const savedEnv = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, ingestEnv);
  ({ handler } = require('../../../functions/ingest/handler') as { handler: Handler });
});

afterAll(() => {
  process.env = savedEnv;
});

describe('ingest handler responses', () => {
  it.each([
    ['unknown-source', 404, 'unknown_source'],
    ['github-missing-signature', 401, 'unauthorized'],
    ['github-wrong-signature', 403, 'forbidden'],
    ['rally-defect-updated', 404, 'unknown_source'],
  ])('%s answers %i', async (name, status, error) => {
    const response = await handler(fixture(name), lambdaContext('ingest'));

    expect(response.statusCode).toBe(status);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json' });
    expect(JSON.parse(response.body)).toEqual({ error, message: expect.any(String) });
  });

  it('answers 413 for a body over MAX_BODY_BYTES, base64 or not', async () => {
    const big = JSON.stringify({ zen: 'x'.repeat(270_000) });
    const text = proxyEvent({ source: 'github', headers: { 'X-GitHub-Event': 'ping' }, body: big });
    const binary = proxyEvent({
      source: 'github',
      headers: { 'X-GitHub-Event': 'ping' },
      body: Buffer.from(big).toString('base64'),
      isBase64Encoded: true,
    });

    const responses = [await handler(text, lambdaContext()), await handler(binary, lambdaContext())];

    expect(responses.map((response) => response.statusCode)).toEqual([413, 413]);
  });

  it('answers 400 for a deeply nested body and never echoes credentials', async () => {
    const body = '['.repeat(100_000);
    const event = proxyEvent({
      source: 'gitlab',
      headers: { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': DEV_SECRETS.gitlab },
      body,
    });

    const response = await handler(event, lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain(DEV_SECRETS.gitlab);
  });
});

describe('ingest configuration', () => {
  it('fails at cold start naming the missing variable', () => {
    const env = { ...process.env };
    delete process.env.STREAM_NAME;
    try {
      expect(() => jest.isolateModules(() => require('../../../functions/ingest/handler'))).toThrow(
        /STREAM_NAME/,
      );
    } finally {
      process.env = env;
    }
  });
});
