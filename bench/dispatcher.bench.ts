import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type * as SfnClientModule from '../functions/lib/clients/sfn';
import { type Envelope, partitionKey } from '../functions/lib/envelope';
import { cpuMicrosPerCall } from './cpu';
import type { BenchRow } from './types';

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

const BATCH_SIZE = 100;

/** 100 envelopes of real GitHub payloads (every example in turn), as ingest would put them on the stream. */
function envelopes(): Envelope[] {
  const groups = require('@octokit/webhooks-examples') as ExampleGroup[];
  const all = groups.flatMap(({ name, examples }) => examples.map((payload) => ({ name, payload })));
  return Array.from({ length: BATCH_SIZE }, (_, index) => {
    const { name, payload } = all[index % all.length] as (typeof all)[number];
    const repository = payload.repository as { full_name?: string } | undefined;
    return {
      id: `bench-${index}`,
      source: 'github',
      type: name,
      ...(typeof payload.action === 'string' ? { action: payload.action } : {}),
      subject: repository?.full_name ?? '-',
      receivedAt: '2026-05-04T09:00:00.000Z',
      payload,
      meta: { hookId: '292201938' },
    };
  });
}

function batch(keyOf: (envelope: Envelope) => string): KinesisStreamEvent {
  return {
    Records: envelopes().map((envelope, index) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: keyOf(envelope),
        sequenceNumber: String(49656338934251207841629472318560000000000000000000000000n + BigInt(index)),
        data: Buffer.from(JSON.stringify(envelope)).toString('base64'),
        approximateArrivalTimestamp: 1777885200,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${index}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/dispatcher',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/webhook-stream',
    })),
  };
}

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'DispatcherFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:DispatcherFunction',
  memoryLimitInMB: '512',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/DispatcherFunction',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 290_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

export async function run(): Promise<BenchRow[]> {
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:router';
  const { sfnClient } = require('../functions/lib/clients/sfn') as typeof SfnClientModule;
  // The workflow itself is not measured: every StartSyncExecution answers SUCCEEDED at once, without the
  // SDK's serialisation or network, so the figure is the dispatcher's own work per batch.
  (sfnClient as unknown as { send: () => Promise<unknown> }).send = async () => ({
    status: 'SUCCEEDED',
    executionArn: 'arn:aws:states:us-east-1:123456789012:express:router:bench:1',
    output: '{}',
  });
  const { handler } = require('../functions/dispatcher/handler') as {
    handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
  };

  const rows: BenchRow[] = [];
  const cases: [string, KinesisStreamEvent][] = [
    ['one key per repository', batch(partitionKey)],
    ['all one key', batch(() => 'github:Codertocat/Hello-World')],
  ];
  for (const [label, event] of cases) {
    const bytes = event.Records.reduce((sum, record) => sum + record.kinesis.data.length, 0);
    const micros = await cpuMicrosPerCall(
      async () => {
        const response = await handler(event, context);
        if (response.batchItemFailures.length > 0) throw new Error('the benchmark batch must succeed');
      },
      { warmUp: 5, minCalls: 20, minCpuMicros: 500_000 },
    );
    rows.push({
      name: `dispatcher CPU per ${BATCH_SIZE}-record batch, ${label}`,
      value: micros / 1000,
      unit: 'ms',
      note: `real envelopes, ${Math.round(bytes / 1024)} KiB base64; workflow stubbed`,
    });
  }
  return rows;
}
