import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type * as SfnClientModule from '../functions/lib/clients/sfn';
import { partitionKey } from '../functions/lib/envelope';
import { cpuMicrosPerCall } from './cpu';
import { githubEnvelopes, kinesisBatch } from './kinesis-batch';
import type { BenchRow } from './types';

const BATCH_SIZE = 100;

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
    ['one key per repository', kinesisBatch(githubEnvelopes(BATCH_SIZE, 'bench'), partitionKey)],
    [
      'all one key',
      kinesisBatch(githubEnvelopes(BATCH_SIZE, 'bench'), () => 'github:Codertocat/Hello-World'),
    ],
  ];
  for (const [label, event] of cases) {
    const bytes = event.Records.reduce((sum, record) => sum + record.kinesis.data.length, 0);
    const micros = await cpuMicrosPerCall(
      async () => {
        const response = await handler(event, context);
        if (response.batchItemFailures.length > 0) throw new Error('the benchmark batch must succeed');
      },
      { minCalls: 20, minCpuMicros: 500_000 },
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
