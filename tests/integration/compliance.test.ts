import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as HandlerModule from '../../functions/compliance/handler';
import type * as ClaimCheckModule from '../../functions/lib/claim-check';
import type { ComplianceResult } from '../../functions/lib/compliance/check';
import type { Envelope } from '../../functions/lib/envelope';
import {
  createBucket,
  createTable,
  type RunningEmulator,
  startDynalite,
  startS3rver,
} from '../support/emulators';
import { fixture, RULE_CASES } from '../unit/compliance/support/cases';

// Idempotency runs against dynalite and claim-checked payloads against s3rver; EventBridge and SNS have no
// emulator and are mocked.
const TABLE = 'webhook-idempotency';
const BUCKET = 'webhook-payloads';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:compliance-alarm-topic';

const eventbridge = mockClient(EventBridgeClient);
const sns = mockClient(SNSClient);

let dynamodb: RunningEmulator;
let s3: RunningEmulator;
let handler: (event: unknown, context: Context) => Promise<ComplianceResult>;
let storePayload: typeof ClaimCheckModule.storePayload;

function lambdaContext(): Context {
  return {
    functionName: 'local-ComplianceFunction',
    awsRequestId: `req-${Math.random()}`,
    getRemainingTimeInMillis: () => 30_000,
  } as Context;
}

const invoke = (envelope: Envelope) => handler(JSON.parse(JSON.stringify(envelope)), lambdaContext());

function acceptAll() {
  eventbridge
    .on(PutEventsCommand)
    .callsFake(() => ({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-id' }] }));
  sns.on(PublishCommand).resolves({ MessageId: 'sns-id' });
}

async function idempotencyRecords(): Promise<Record<string, unknown>[]> {
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint });
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: TABLE }));
    return Items.map((item) => ({ id: item.id?.S, status: item.status?.S }));
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  [dynamodb, s3] = await Promise.all([startDynalite(), startS3rver()]);
  await Promise.all([createTable(dynamodb.endpoint, TABLE), createBucket(s3.endpoint, BUCKET)]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    IDEMPOTENCY_TABLE: TABLE,
    EVENT_BUS_NAME: 'webhooks',
    ALARM_TOPIC_ARN: TOPIC,
    PUBLIC_REPOSITORY_ALLOW_LIST: 'octo-org/docs',
  });
  // Required only now: the clients read their endpoints when their modules load.
  ({ handler } = require('../../functions/compliance/handler') as typeof HandlerModule);
  ({ storePayload } = require('../../functions/lib/claim-check') as typeof ClaimCheckModule);
});

afterAll(async () => {
  await Promise.all([dynamodb?.stop(), s3?.stop()]);
});

beforeEach(() => {
  eventbridge.reset();
  sns.reset();
});

describe('compliance function', () => {
  it('raises a finding once when the same delivery arrives twice (GitHub redelivery, Kinesis retry, replay)', async () => {
    acceptAll();
    const delivery = fixture('github-repository-publicized');
    const redelivery = { ...delivery, receivedAt: '2026-05-05T10:00:00.000Z' };
    const recordsBefore = await idempotencyRecords();

    const first = await invoke(delivery);
    const second = await invoke(redelivery);

    const findingId = `github:${delivery.id}:github.repository.publicized`;
    expect(first).toEqual({
      findings: [{ id: findingId, ruleId: 'github.repository.publicized', severity: 'high' }],
    });
    expect(second).toEqual(first);
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC });
    const added = (await idempotencyRecords()).filter(
      (record) => !recordsBefore.some((r) => r.id === record.id),
    );
    expect(added).toEqual([
      { id: expect.stringMatching(/^compliance\.(bus|alarm)#/), status: 'COMPLETED' },
      { id: expect.stringMatching(/^compliance\.(bus|alarm)#/), status: 'COMPLETED' },
    ]);
    expect(new Set(added.map((record) => String(record.id).split('#')[0]))).toEqual(
      new Set(['compliance.bus', 'compliance.alarm']),
    );
  });

  it('retries only the SNS alert when the bus took the finding and SNS failed', async () => {
    acceptAll();
    sns.on(PublishCommand).rejectsOnce(new Error('SNS throttled')).resolves({ MessageId: 'sns-id' });
    const envelope = fixture('github-push-forced-default-branch');

    await expect(invoke(envelope)).rejects.toThrow(/to alarm topic: SNS throttled/);
    const retried = await invoke(envelope);

    expect(retried.findings.map((finding) => finding.ruleId)).toEqual(['github.push.forced-default-branch']);
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('fails when PutEvents rejects the entry, and publishes it on the retry', async () => {
    eventbridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-id' }] });
    sns.on(PublishCommand).resolves({ MessageId: 'sns-id' });
    const envelope = fixture('github-secret-scanning-alert-created');

    await expect(invoke(envelope)).rejects.toThrow(/InternalFailure try again/);
    await invoke(envelope);

    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('sends findings below high to the bus only', async () => {
    acceptAll();
    const envelope = RULE_CASES.find((c) => c.ruleId === 'github.deploy_key.write-access')?.match as Envelope;

    const result = await invoke(envelope);

    expect(result.findings).toEqual([expect.objectContaining({ severity: 'medium' })]);
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('raises nothing, and records nothing, for an ordinary push or an allow-listed public repository', async () => {
    acceptAll();
    const recordsBefore = await idempotencyRecords();
    const allowListed = fixture('github-repository-publicized');
    const payload = allowListed.payload as { repository: { full_name: string } };
    payload.repository.full_name = 'Octo-Org/docs';

    const push = await invoke(fixture('github-push-ordinary'));
    const publicized = await invoke(allowListed);

    expect(push).toEqual({ findings: [] });
    expect(publicized).toEqual({ findings: [] });
    expect(eventbridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(await idempotencyRecords()).toEqual(recordsBefore);
  });

  it('evaluates a claim-checked payload fetched from S3', async () => {
    acceptAll();
    const inline = fixture('gitlab-project-made-public');
    const body = Buffer.from(JSON.stringify(inline.payload));
    const payloadRef = await storePayload(BUCKET, `gitlab/${inline.id}.json`, body);
    const { payload: _, ...withoutPayload } = inline;

    const result = await invoke({ ...withoutPayload, payloadRef });

    expect(result.findings).toEqual([
      { id: `gitlab:${inline.id}:gitlab.project.public`, ruleId: 'gitlab.project.public', severity: 'high' },
    ]);
  });

  it('refuses an event that is not an envelope', async () => {
    await expect(handler({ hello: 'world' }, lambdaContext())).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidEnvelope' }),
    );
  });
});
