import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import aRecord from '../../events/dns-updater/a-record.json';
import privateAddress from '../../events/dns-updater/refused-private-address.json';
import type * as HandlerModule from '../../functions/dns-updater/handler';
import { createTable, type RunningEmulator, startDynalite } from '../support/emulators';

// Route 53 and EventBridge have no emulator: mocked. The idempotency store is a real DynamoDB (dynalite).
const route53 = mockClient(Route53Client);
const eventbridge = mockClient(EventBridgeClient);

let dynamodb: RunningEmulator;
const logLines: string[] = [];
let handler: (event: unknown, context: Context) => Promise<{ outcome: string; changeId?: string }>;

function lambdaContext(): Context {
  return {
    functionName: 'local-DnsUpdaterFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:local-DnsUpdaterFunction',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/local-DnsUpdaterFunction',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Status of every idempotency record in the table, read straight from dynalite. */
async function storedStatuses(): Promise<string[]> {
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint });
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: 'dns-idempotency' }));
    return Items.map((item) => item.status?.S ?? '');
  } finally {
    client.destroy();
  }
}

/** The same request under a fresh uuid, as the client sends on its next run. */
function freshRequest(fixture: typeof aRecord) {
  const uuid = randomUUID();
  return { ...fixture, id: uuid, payload: { ...fixture.payload, uuid } };
}

beforeAll(async () => {
  dynamodb = await startDynalite();
  await createTable(dynamodb.endpoint, 'dns-idempotency');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'local-DnsUpdaterFunction',
    IDEMPOTENCY_TABLE: 'dns-idempotency',
    EVENT_BUS_NAME: 'webhooks',
    DNS_HOSTED_ZONE_ID: 'Z0LOCALHOMEZONE',
    DNS_ZONE_NAME: 'home.example.com',
    DNS_ALLOWED_NAMES: '*.home.example.com',
    DNS_RECORD_TTL: '60',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  // The function's JSON log lines are captured, not printed: one test reads them.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((line) => line.startsWith('{')),
    );
    return true;
  });
  // Loaded only now: its clients and config are read at module load, from the environment set above.
  ({ handler } = require('../../functions/dns-updater/handler') as typeof HandlerModule);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await dynamodb.stop();
});

beforeEach(() => {
  route53.reset();
  eventbridge.reset();
  route53
    .on(ListResourceRecordSetsCommand)
    .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
  route53
    .on(ChangeResourceRecordSetsCommand)
    .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('DNS updater idempotency (dynalite)', () => {
  it('changes Route 53 once for the same uuid delivered twice, and returns the same result', async () => {
    const event = freshRequest(aRecord);

    const first = await handler(structuredClone(event), lambdaContext());
    const second = await handler(structuredClone(event), lambdaContext());

    expect(first).toMatchObject({ outcome: 'changed', changeId: '/change/C1' });
    expect(second).toEqual(first);
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(await storedStatuses()).toContain('COMPLETED');
  });

  it('handles a new uuid for the same name as a new request', async () => {
    await handler(freshRequest(aRecord), lambdaContext());
    await handler(freshRequest(aRecord), lambdaContext());

    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
  });

  it('stores a refusal as the result too: a redelivered refused request is not re-evaluated', async () => {
    const event = freshRequest(privateAddress);

    const first = await handler(structuredClone(event), lambdaContext());
    const second = await handler(structuredClone(event), lambdaContext());

    expect(first).toMatchObject({ outcome: 'refused' });
    expect(second).toEqual(first);
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(route53.calls()).toHaveLength(0);
  });

  it('does not store a failure: the retried request runs again and succeeds', async () => {
    const event = freshRequest(aRecord);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(Object.assign(new Error('zone gone'), { name: 'NoSuchHostedZone' }))
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });

    await expect(handler(structuredClone(event), lambdaContext())).rejects.toThrow('zone gone');
    const retried = await handler(structuredClone(event), lambdaContext());

    expect(retried).toMatchObject({ outcome: 'changed' });
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
  });

  it('logs with the event id as correlation id, and only for its own invocation', async () => {
    const first = freshRequest(aRecord);
    const second = freshRequest(aRecord);
    logLines.length = 0;

    await handler(structuredClone(first), lambdaContext());
    await handler(structuredClone(second), lambdaContext());

    const updates = logLines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message === 'dns update');
    expect(updates.map((entry) => entry.correlation_id)).toEqual([first.id, second.id]);
  });
});
