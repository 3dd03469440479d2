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
import { lambdaContext } from '../../../local/api-gateway-events';
import { projectRoot } from '../../statemachine/support/envelopes';

/*
 * The dispatcher handler with the Step Functions API mocked (no emulator exists for it): which records are
 * reported failed, and in which order executions start.
 */

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:webhook-pipeline-router';
const sfn = mockClient(SFNClient);
/** DISPATCH_CONCURRENCY in these tests: small, so a batch of one key is many times the bound. */
const BOUND = 4;
let handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

beforeAll(() => {
  // Configuration is read when the module loads, as at a cold start.
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  process.env.WORKFLOW_TIMEOUT_SECONDS = '120';
  process.env.DISPATCH_CONCURRENCY = String(BOUND);
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

  it('reports an execution that ended FAILED (HTTP 200), and runs the later records of its key all the same', async () => {
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

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(event, 2) }]);
    expect(startedIds().sort()).toEqual(event.Records.map((_, index) => idInRecord(event, index)).sort());
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

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(event, 1) }]);
    expect(startedIds()).toContain(idInRecord(event, 3));
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

  it('holds back no key behind a record whose execution failed', async () => {
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
      [0, 1, 4].map((index) => sequenceOf(event, index)),
    );
    expect(startedIds()).toContain(idInRecord(event, 2));
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

describe('concurrency', () => {
  /** A batch of `count` real envelopes, all with one partition key, as a busy repository's CI sends them. */
  function oneKeyBatch(count: number): KinesisStreamEvent {
    const template = fixture('single-record').Records[0] as KinesisStreamEvent['Records'][number];
    const envelope = JSON.parse(Buffer.from(template.kinesis.data, 'base64').toString('utf8'));
    return {
      Records: Array.from({ length: count }, (_, index) => ({
        ...template,
        kinesis: {
          ...template.kinesis,
          sequenceNumber: `${template.kinesis.sequenceNumber.slice(0, -3)}${String(index).padStart(3, '0')}`,
          data: Buffer.from(JSON.stringify({ ...envelope, id: `${envelope.id}-${index}` })).toString(
            'base64',
          ),
        },
      })),
    };
  }

  /** Executions that end only when the test says so, so how many run at once can be seen. */
  function heldExecutions() {
    const running: { id: string; finish: () => void }[] = [];
    let mostAtOnce = 0;
    sfn.on(StartSyncExecutionCommand).callsFake(
      (input: StartSyncExecutionCommandInput) =>
        new Promise((resolve) => {
          running.push({ id: idOf(input), finish: () => resolve(succeeded(input)) });
          mostAtOnce = Math.max(mostAtOnce, running.length);
        }),
    );
    const finishAll = async (until: () => boolean) => {
      while (!until()) {
        const batch = running.splice(0);
        for (const execution of batch) execution.finish();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return { running, finishAll, mostAtOnce: () => mostAtOnce };
  }

  const waitFor = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setImmediate(resolve));
  };

  it('runs the records of one key side by side, up to the bound and never more', async () => {
    const event = oneKeyBatch(5 * BOUND);
    const executions = heldExecutions();

    const answer = handler(event, context());
    await waitFor(() => executions.running.length === BOUND);
    let settled = false;
    void answer.then(() => {
      settled = true;
    });
    await executions.finishAll(() => settled);
    const response = await answer;

    expect(response).toEqual({ batchItemFailures: [] });
    expect(executions.mostAtOnce()).toBe(BOUND);
    expect(startedIds()).toHaveLength(event.Records.length);
  });

  it('reports a failure in the middle of a key and finishes every other record', async () => {
    const event = oneKeyBatch(3 * BOUND);
    const middle = Math.floor(event.Records.length / 2);
    const failing = idInRecord(event, middle);
    sfn
      .on(StartSyncExecutionCommand)
      .callsFake((input: StartSyncExecutionCommandInput) =>
        idOf(input) === failing ? { ...succeeded(input), status: 'FAILED' } : succeeded(input),
      );

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(event, middle) }]);
    expect(startedIds()).toHaveLength(event.Records.length);
  });

  it('leaves the records it has no time left to finish for the next invocation', async () => {
    const event = oneKeyBatch(10);
    // Each execution takes 10 s of the invocation; one may start only with 125 s (timeout + margin) left.
    let remainingMs = 140_000;
    sfn.on(StartSyncExecutionCommand).callsFake((input: StartSyncExecutionCommandInput) => {
      remainingMs -= 10_000;
      return succeeded(input);
    });
    const shrinkingContext = { ...context(), getRemainingTimeInMillis: () => remainingMs };

    const response = await handler(event, shrinkingContext);

    expect(startedIds()).toEqual([idInRecord(event, 0), idInRecord(event, 1)]);
    expect(response.batchItemFailures).toEqual(
      event.Records.slice(2).map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })),
    );
  });
});
