import type * as KinesisModule from '@aws-sdk/client-kinesis';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { authorizerEvent, lambdaContext, proxyEvent } from '../../../local/api-gateway-events';
import { credentialHeaders } from '../../../local/credentials';
import { DEV_SECRETS } from '../../../local/dev-secrets';

/**
 * What one request writes at the deployed log level with metrics on: one metrics document (the aggregate
 * and the breakdown dimension sets together) and at most one log line.
 */
type Ingest = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;
type Authorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context: unknown,
) => Promise<APIGatewayAuthorizerResult>;

interface Emf {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

const savedEnv = { ...process.env };
let kinesis: AwsClientStub<KinesisModule.KinesisClient>;
let PutRecord: typeof KinesisModule.PutRecordCommand;
let ingest: Ingest;
let authorize: Authorizer;

beforeAll(() => {
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'WebhookPipeline',
    POWERTOOLS_TRACE_ENABLED: 'false',
    STREAM_NAME: 'webhook-stream',
    PAYLOAD_BUCKET: 'webhook-payloads',
    WEBHOOK_SECRET_GITHUB: DEV_SECRETS.github,
  });
  jest.isolateModules(() => {
    process.env.POWERTOOLS_SERVICE_NAME = 'ingest';
    // The handler's own copy of the SDK (isolated modules): mock that one.
    const sdk = require('@aws-sdk/client-kinesis') as typeof KinesisModule;
    kinesis = mockClient(sdk.KinesisClient);
    PutRecord = sdk.PutRecordCommand;
    ({ handler: ingest } = require('../../../functions/ingest/handler') as { handler: Ingest });
  });
  jest.isolateModules(() => {
    process.env.POWERTOOLS_SERVICE_NAME = 'authorizer';
    ({ handler: authorize } = require('../../../functions/authorizer/handler') as { handler: Authorizer });
  });
});

afterAll(() => {
  process.env = savedEnv;
});

beforeEach(() => {
  kinesis.reset();
  kinesis.on(PutRecord).resolves({ ShardId: 'shardId-000000000000', SequenceNumber: '1' });
});

/** Every line the call writes to stdout, split into metrics documents and log lines. */
async function output(
  call: () => Promise<unknown>,
): Promise<{ documents: Emf[]; logs: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    await call();
  } finally {
    write.mockRestore();
  }
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    documents: parsed.filter((entry): entry is Emf => '_aws' in entry),
    logs: parsed.filter((entry) => !('_aws' in entry)),
  };
}

const body = JSON.stringify({
  zen: 'Keep it logically awesome.',
  hook_id: 1,
  repository: { full_name: 'o/r' },
});

function signedPing(headers: Record<string, string> = credentialHeaders('github', body, DEV_SECRETS.github)) {
  return proxyEvent({
    source: 'github',
    headers: {
      'X-GitHub-Event': 'ping',
      'X-GitHub-Delivery': 'd-1',
      'Content-Type': 'application/json',
      ...headers,
    },
    body,
    authorizedSource: 'github',
  });
}

describe('per-request output at INFO with metrics on', () => {
  it('ingest writes one metrics document and one log line for an accepted webhook', async () => {
    const { documents, logs } = await output(() => ingest(signedPing(), lambdaContext('ingest')));

    expect(documents).toHaveLength(1);
    const [directive] = documents[0]?._aws.CloudWatchMetrics ?? [];
    expect(directive?.Dimensions).toEqual([['service'], ['service', 'source']]);
    expect(directive?.Metrics.map(({ Name }) => Name)).toEqual(['WebhookAccepted']);
    expect(documents[0]).toMatchObject({ service: 'ingest', source: 'github', WebhookAccepted: 1 });
    expect(logs.map((log) => log.message)).toEqual(['webhook accepted']);
  });

  it('ingest writes one metrics document and one log line for a refused webhook', async () => {
    const forged = signedPing({ 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` });

    const { documents, logs } = await output(() => ingest(forged, lambdaContext('ingest')));

    expect(documents).toHaveLength(1);
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service'],
      ['service', 'source', 'reason'],
    ]);
    expect(documents[0]).toMatchObject({ source: 'github', reason: 'forbidden', WebhookRejected: 1 });
    expect(logs.map((log) => log.message)).toEqual(['webhook rejected']);
  });

  it('the authorizer writes one metrics document and no log line when it allows', async () => {
    const event = authorizerEvent({
      source: 'github',
      headers: { 'X-GitHub-Event': 'ping', ...credentialHeaders('github', body, DEV_SECRETS.github) },
    });

    const { documents, logs } = await output(() => authorize(event, lambdaContext('authorizer')));

    expect(documents).toHaveLength(1);
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service'],
      ['service', 'source', 'reason'],
    ]);
    expect(documents[0]).toMatchObject({ service: 'authorizer', AuthorizerAllowed: 1, reason: 'allowed' });
    expect(logs).toEqual([]);
  });
});
