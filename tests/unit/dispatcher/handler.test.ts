import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SFNClient,
  StartSyncExecutionCommand,
  type StartSyncExecutionCommandInput,
  type StartSyncExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { projectRoot } from '../../statemachine/support/envelopes';
import { lambdaContext } from '../../support/api-gateway-events';

/*
 * The dispatcher handler with the Step Functions API mocked (no emulator exists for it): which records are
 * reported failed, and in which order executions start.
 */

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:webhook-pipeline-router';
const sfn = mockClient(SFNClient);
let handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

beforeAll(() => {
  // Configuration is read when the module loads, as at a cold start.
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  process.env.WORKFLOW_TIMEOUT_SECONDS = '120';
  ({ handler } = require('../../../functions/dispatcher/handler'));
});

beforeEach(() => {
  sfn.reset();
});

function fixture(name: string): KinesisStreamEvent {
  return JSON.parse(readFileSync(join(projectRoot, 'events', 'dispatcher', `${name}.json`), 'utf8'));
}

function context(remainingMs = 290_000): Context {
  return { ...lambdaContext('DispatcherFunction'), getRemainingTimeInMillis: () => remainingMs };
}

const sequenceOf = (event: KinesisStreamEvent, index: number) =>
  event.Records[index]?.kinesis.sequenceNumber ?? '';
const idOf = (input: StartSyncExecutionCommandInput) =>
  (JSON.parse(input.input ?? '{}') as { id: string }).id;
const idInRecord = (event: KinesisStreamEvent, index: number) =>
  JSON.parse(Buffer.from(event.Records[index]?.kinesis.data ?? '', 'base64').toString('utf8')).id as string;

function succeeded(input: StartSyncExecutionCommandInput): Partial<StartSyncExecutionCommandOutput> {
  return {
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':express:')}:${input.name}:1`,
    status: 'SUCCEEDED',
    output: '{}',
  };
}

function startedIds(): string[] {
  return sfn.commandCalls(StartSyncExecutionCommand).map((call) => idOf(call.args[0].input));
}

describe('dispatcher', () => {
  it('runs one sync execution per record, with the envelope as input and a name from the event id', async () => {
    const event = fixture('kinesis-batch');
    sfn.on(StartSyncExecutionCommand).callsFake(succeeded);

    const response = await handler(event, context());

    expect(response).toEqual({ batchItemFailures: [] });
    const calls = sfn.commandCalls(StartSyncExecutionCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(event.Records.length);
    for (const record of event.Records) {
      const envelope = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
      const call = calls.find((input) => idOf(input) === envelope.id);
      expect(call?.stateMachineArn).toBe(STATE_MACHINE_ARN);
      expect(JSON.parse(call?.input ?? 'null')).toEqual(envelope);
      expect(call?.name).toMatch(new RegExp(`^github-${envelope.id}-[0-9a-f]{12}$`));
    }
  });

  it('reports an execution that ended FAILED (HTTP 200) and every later record of its key', async () => {
    const event = fixture('kinesis-batch');
    // Records 0, 2, 4 are Codertocat/Hello-World; 1 and 3 are octo-org/octo-repo.
    const failing = idInRecord(event, 2);
    sfn
      .on(StartSyncExecutionCommand)
      .callsFake((input: StartSyncExecutionCommandInput) =>
        idOf(input) === failing
          ? { ...succeeded(input), status: 'FAILED', error: 'IndexStepFailed', cause: 'index step failed' }
          : succeeded(input),
      );

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(event, 2) },
      { itemIdentifier: sequenceOf(event, 4) },
    ]);
    expect(startedIds()).not.toContain(idInRecord(event, 4));
    expect(startedIds()).toEqual(expect.arrayContaining([idInRecord(event, 1), idInRecord(event, 3)]));
  });

  it.each(['TIMED_OUT', 'ABORTED'])('reports an execution that ended %s', async (status) => {
    const event = fixture('single-record');
    sfn.on(StartSyncExecutionCommand).callsFake((input) => ({ ...succeeded(input), status }));

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(event, 0) }]);
  });

  it('reports a record whose StartSyncExecution call itself failed', async () => {
    const event = fixture('kinesis-batch');
    const throttled = idInRecord(event, 1);
    sfn.on(StartSyncExecutionCommand).callsFake((input: StartSyncExecutionCommandInput) => {
      if (idOf(input) === throttled)
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return succeeded(input);
    });

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(event, 1) },
      { itemIdentifier: sequenceOf(event, 3) },
    ]);
  });

  it('reports poison records without holding back the rest of their key', async () => {
    const event = fixture('poison-record');
    // 0 push, 1 truncated JSON, 2 issue (Codertocat/Hello-World); 3 envelope, 4 raw GitHub body (octo-org/octo-repo).
    sfn.on(StartSyncExecutionCommand).callsFake(succeeded);

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(event, 1) },
      { itemIdentifier: sequenceOf(event, 4) },
    ]);
    expect(startedIds().sort()).toEqual(
      [idInRecord(event, 0), idInRecord(event, 2), idInRecord(event, 3)].sort(),
    );
  });

  it('still holds back a key behind a record whose execution failed', async () => {
    const event = fixture('poison-record');
    sfn
      .on(StartSyncExecutionCommand)
      .callsFake((input) =>
        input.name.includes(idInRecord(event, 0))
          ? { ...succeeded(input), status: 'FAILED' }
          : succeeded(input),
      );

    const response = await handler(event, context());

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      [0, 1, 2, 4].map((index) => sequenceOf(event, index)),
    );
    expect(startedIds()).not.toContain(idInRecord(event, 2));
  });

  it('answers a batch in which every record failed instead of throwing', async () => {
    const event = fixture('kinesis-batch');
    sfn.on(StartSyncExecutionCommand).callsFake((input) => ({ ...succeeded(input), status: 'FAILED' }));

    const response = await handler(event, context());

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.map((record) => record.kinesis.sequenceNumber),
    );
  });

  it('starts no execution it could not see to the end, and leaves those records for the next invocation', async () => {
    const event = fixture('kinesis-batch');
    sfn.on(StartSyncExecutionCommand).callsFake(succeeded);

    const response = await handler(event, context(60_000));

    expect(startedIds()).toEqual([]);
    expect(response.batchItemFailures).toHaveLength(event.Records.length);
  });
});

describe('order', () => {
  it('runs the records of one key one after another, and different keys side by side', async () => {
    const event = fixture('kinesis-batch');
    const log: string[] = [];
    sfn.on(StartSyncExecutionCommand).callsFake(async (input: StartSyncExecutionCommandInput) => {
      log.push(`start ${idOf(input)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${idOf(input)}`);
      return succeeded(input);
    });

    await handler(event, context());

    const at = (entry: string) => log.indexOf(entry);
    const [a0, b1, a2, b3, a4] = event.Records.map((_, index) => idInRecord(event, index));
    // Within a key: each execution starts only after the one before it ended.
    expect(at(`start ${a2}`)).toBeGreaterThan(at(`end ${a0}`));
    expect(at(`start ${a4}`)).toBeGreaterThan(at(`end ${a2}`));
    expect(at(`start ${b3}`)).toBeGreaterThan(at(`end ${b1}`));
    // Across keys: the second key started while the first key's first execution was still running.
    expect(at(`start ${b1}`)).toBeLessThan(at(`end ${a0}`));
    expect(log).toHaveLength(2 * event.Records.length);
  });
});
