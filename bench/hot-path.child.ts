import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { authorizerEvent, lambdaContext, proxyEvent } from '../local/api-gateway-events';
import { DEV_SECRETS } from '../local/dev-secrets';
import { cpuMicrosPerCall } from './cpu';
import { hotPathSamples } from './hot-path-samples';
import type { BenchRow } from './types';

/**
 * Runs in its own process (started by hot-path.bench.ts) with a function's deployed environment, so the
 * handlers log at the deployed level with metrics on, as in Lambda. Every AWS call goes through the SDK's
 * real serialisation and signing and ends in a transport that answers at once; the floors use the same
 * transport. Rows go back to the parent over IPC; stdout carries the functions' logs.
 */

type Answer = (input: { path: string; body: string }) => Record<string, unknown>;

/** A request handler that answers like the service without any network. */
function noopTransport(answer: Answer) {
  return {
    handle: async (request: { path: string; body?: unknown }) => {
      const body = JSON.stringify(answer({ path: request.path, body: String(request.body ?? '') }));
      return {
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
}

const s3Transport = () => ({
  handle: async () => ({
    response: {
      statusCode: 200,
      headers: { etag: '"d41d8cd98f00b204e9800998ecf8427e"', 'x-amz-request-id': 'bench' },
      body: Readable.from([Buffer.alloc(0)]),
    },
  }),
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
});

const kinesisAnswer: Answer = () => ({
  ShardId: 'shardId-000000000000',
  SequenceNumber: '49656338934251207841629472318560000000000000000000000001',
});
const sfnAnswer: Answer = () => ({
  executionArn: 'arn:aws:states:us-east-1:000000000000:express:router:bench:1',
  status: 'SUCCEEDED',
  output: '{}',
  startDate: 1_777_885_200,
  stopDate: 1_777_885_200.05,
});

/** A context with the whole timeout ahead, as at the start of an invocation. */
function benchContext(): Context {
  return { ...lambdaContext(process.env.AWS_LAMBDA_FUNCTION_NAME), getRemainingTimeInMillis: () => 290_000 };
}

interface Configurable {
  config: { requestHandler: unknown };
}

function install(client: unknown, transport: unknown): void {
  (client as Configurable).config.requestHandler = transport;
}

const secret = DEV_SECRETS.github;
const secretsAnswer: Answer = () => ({
  ARN: process.env.WEBHOOK_SECRET_ARN,
  Name: 'webhook-secret',
  SecretString: JSON.stringify({ github: secret }),
  VersionId: 'v1',
});

async function ingestRows(): Promise<BenchRow[]> {
  const kinesis =
    require('../functions/lib/clients/kinesis') as typeof import('../functions/lib/clients/kinesis');
  const s3 = require('../functions/lib/clients/s3') as typeof import('../functions/lib/clients/s3');
  install(kinesis.kinesisClient, noopTransport(kinesisAnswer));
  install(s3.s3().client, s3Transport());
  const { handler } = require('../functions/ingest/handler') as {
    handler: (event: unknown, context: Context) => Promise<{ statusCode: number }>;
  };
  const { KinesisClient, PutRecordCommand } =
    require('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis');
  const floorKinesis = new KinesisClient({ requestHandler: noopTransport(kinesisAnswer) });
  const floorS3 = new S3Client({ requestHandler: s3Transport() });
  const context = benchContext();
  const rows: BenchRow[] = [];
  for (const sample of hotPathSamples()) {
    const event = proxyEvent({
      source: 'github',
      headers: sample.headers,
      body: sample.body.toString('base64'),
      isBase64Encoded: true,
      authorizedSource: 'github',
    });
    const call = async () => {
      const response = await handler(event, context);
      if (response.statusCode !== 202) throw new Error(`ingest answered ${response.statusCode}`);
    };
    const claimCheck = sample.body.length > Number(process.env.INLINE_PAYLOAD_LIMIT_BYTES ?? 196_608);
    const floor = async () => {
      createHmac('sha256', secret).update(sample.body).digest();
      JSON.parse(sample.body.toString('utf8'));
      if (claimCheck) {
        await floorS3.send(new PutObjectCommand({ Bucket: 'webhook-payloads', Key: 'k', Body: sample.body }));
      }
      await floorKinesis.send(
        new PutRecordCommand({
          StreamName: 'webhook-stream',
          PartitionKey: 'github:octo-org/octo-repo',
          Data: claimCheck ? Buffer.alloc(600) : sample.body,
        }),
      );
    };
    const handlerMicros = await cpuMicrosPerCall(call);
    const floorMicros = await cpuMicrosPerCall(floor);
    rows.push({
      name: `ingest handler / floor, ${sample.label}`,
      value: handlerMicros / floorMicros,
      unit: '×',
      note: `${handlerMicros.toFixed(0)} µs vs ${floorMicros.toFixed(0)} µs (HMAC + JSON.parse + signed ${claimCheck ? 'PutObject + ' : ''}PutRecord); ${sample.event}, ${sample.body.length.toLocaleString('en-US')} B`,
    });
  }
  return rows;
}

async function authorizerRows(): Promise<BenchRow[]> {
  const { handler } = require('../functions/authorizer/handler') as {
    handler: (event: unknown, context: Context) => Promise<{ policyDocument: unknown }>;
  };
  const [sample] = hotPathSamples();
  if (!sample) throw new Error('no sample');
  const text = JSON.stringify(authorizerEvent({ source: 'github', headers: sample.headers }));
  const context = benchContext();
  // What the runtime does around any authorizer: parse the event it is handed, serialise the policy back.
  const allow = {
    principalId: 'github',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:*' }],
    },
    context: { source: 'github' },
  };
  const handlerMicros = await cpuMicrosPerCall(async () =>
    JSON.stringify(await handler(JSON.parse(text), context)),
  );
  // ...and the one metrics document per request that the design requires, written where the logs go.
  const metricsDocument = () => ({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: 'WebhookPipeline',
          Dimensions: [['service'], ['service', 'source', 'reason']],
          Metrics: [{ Name: 'AuthorizerAllowed', Unit: 'Count' }],
        },
      ],
    },
    service: 'authorizer',
    source: 'github',
    reason: 'allowed',
    AuthorizerAllowed: 1,
  });
  const floorMicros = await cpuMicrosPerCall(() => {
    const event = JSON.parse(text) as { headers: Record<string, string> };
    for (const name of Object.keys(event.headers)) name.toLowerCase();
    process.stdout.write(`${JSON.stringify(metricsDocument())}\n`);
    return JSON.stringify(allow);
  });
  return [
    {
      name: 'authorizer handler / floor',
      value: handlerMicros / floorMicros,
      unit: '×',
      note: `${handlerMicros.toFixed(1)} µs vs ${floorMicros.toFixed(1)} µs (parse the event, lower-case its headers, write one metrics document, serialise an Allow policy)`,
    },
  ];
}

async function dispatcherRows(): Promise<BenchRow[]> {
  const sfn = require('../functions/lib/clients/sfn') as typeof import('../functions/lib/clients/sfn');
  install(sfn.sfnClient, noopTransport(sfnAnswer));
  const { handler } = require('../functions/dispatcher/handler') as {
    handler: (event: KinesisStreamEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
  };
  const floorSfn = new SFNClient({ requestHandler: noopTransport(sfnAnswer) });
  const context = benchContext();
  const rows: BenchRow[] = [];
  for (const sample of hotPathSamples().slice(0, 2)) {
    const envelope = {
      id: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      source: 'github',
      type: sample.event,
      subject: 'octo-org/octo-repo',
      receivedAt: '2026-05-04T09:00:00.000Z',
      payload: JSON.parse(sample.body.toString('utf8')),
      meta: { hookId: '292201938' },
    };
    const records = Array.from({ length: 100 }, (_, index) => {
      const data = Buffer.from(JSON.stringify({ ...envelope, id: `${envelope.id}-${index}` }));
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: `github:octo-org/repo-${index % 16}`,
          sequenceNumber: String(49656338934251207841629472318560000000000000000000000000n + BigInt(index)),
          data: data.toString('base64'),
          approximateArrivalTimestamp: 1_777_885_200,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${index}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/dispatcher',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/webhook-stream',
      };
    });
    const event = { Records: records } as KinesisStreamEvent;
    const handlerMicros = await cpuMicrosPerCall(async () => {
      const result = await handler(event, context);
      if (result.batchItemFailures.length > 0) throw new Error('the benchmark batch must succeed');
    });
    const floorMicros = await cpuMicrosPerCall(async () => {
      for (const record of records) {
        const text = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
        JSON.parse(text);
        await floorSfn.send(
          new StartSyncExecutionCommand({
            stateMachineArn: sfnAnswer({ path: '', body: '' }).executionArn as string,
            input: text,
          }),
        );
      }
    });
    rows.push({
      name: `dispatcher per record / floor, ${sample.label}`,
      value: handlerMicros / floorMicros,
      unit: '×',
      note: `${(handlerMicros / 100).toFixed(0)} µs vs ${(floorMicros / 100).toFixed(0)} µs per record (decode + JSON.parse + signed StartSyncExecution of the record as is), batches of 100`,
    });
  }
  return rows;
}

const suites: Record<string, () => Promise<BenchRow[]>> = {
  IngestFunction: ingestRows,
  AuthorizerFunction: authorizerRows,
  DispatcherFunction: dispatcherRows,
};

const secrets =
  require('../functions/lib/clients/secrets') as typeof import('../functions/lib/clients/secrets');
install((secrets.secretsProvider as unknown as { client: unknown }).client, noopTransport(secretsAnswer));
const suite = suites[process.argv[2] ?? ''];
if (!suite) throw new Error(`unknown function ${process.argv[2]}`);
suite().then(
  (rows) => process.send?.({ rows }),
  (error: unknown) => process.send?.({ error: String((error as Error).stack ?? error) }),
);
