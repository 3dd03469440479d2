import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { partitionKey } from '../functions/lib/envelope';
import { listen } from '../local/servers';
import { githubEnvelopes, kinesisBatch } from './kinesis-batch';
import type { BenchRow } from './types';

/**
 * Dispatcher throughput (wall time) as deployed: the built bundle, its real Step Functions client, and a
 * stand-in StartSyncExecution endpoint that answers SUCCEEDED after BENCH_SFN_LATENCY_MS (150 ms by
 * default, a typical sync Express execution). One batch whose records all belong to one repository
 * against one batch spread over as many repositories: the dispatcher should not care which.
 */
const LATENCY_MS = Number(process.env.BENCH_SFN_LATENCY_MS ?? 150);
const BATCH_SIZE = 100;
const BATCHES = 3;

/** StartSyncExecution (AWS JSON 1.0) answered SUCCEEDED after the latency; counts calls in flight. */
function stubStepFunctions(): { server: Server; mostInFlight: () => number } {
  let inFlight = 0;
  let most = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        const now = Date.now() / 1000;
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({
            executionArn: 'arn:aws:states:us-east-1:123456789012:express:router:bench:1',
            status: 'SUCCEEDED',
            output: '{}',
            startDate: now,
            stopDate: now,
          }),
        );
      }, LATENCY_MS);
    });
  });
  return { server, mostInFlight: () => most };
}

const context = {
  functionName: 'DispatcherFunction',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 290_000,
} as Context;

export async function run(): Promise<BenchRow[]> {
  const { server, mostInFlight } = stubStepFunctions();
  const endpoint = await listen(server);
  Object.assign(process.env, {
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:router',
    AWS_ENDPOINT_URL_SFN: endpoint,
    WORKFLOW_TIMEOUT_SECONDS: '120',
  });
  const bundle = join(__dirname, '..', 'dist', 'DispatcherFunction', 'handler.js');
  const { handler } = require(bundle) as {
    handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
  };
  const concurrency = process.env.DISPATCH_CONCURRENCY ?? '20 (default)';
  try {
    const eventsPerSecond = async (event: KinesisStreamEvent) => {
      await handler(event, context); // warm: connections open, code compiled
      const started = performance.now();
      for (let round = 0; round < BATCHES; round += 1) {
        const response = await handler(event, context);
        if (response.batchItemFailures.length > 0) throw new Error('the benchmark batch must succeed');
      }
      return (BATCHES * BATCH_SIZE) / ((performance.now() - started) / 1000);
    };
    const envelopes = githubEnvelopes(BATCH_SIZE, 'throughput').map((envelope, index) => ({
      ...envelope,
      subject: `octo-org/repository-${index}`,
    }));
    const oneRepository = await eventsPerSecond(kinesisBatch(envelopes, () => 'github:octo-org/busy-ci'));
    const spread = await eventsPerSecond(kinesisBatch(envelopes, partitionKey));
    const note = `${BATCH_SIZE}-record batches, executions answer after ${LATENCY_MS} ms, concurrency ${concurrency}`;
    return [
      { name: 'dispatcher throughput, one repository', value: oneRepository, unit: 'events/s', note },
      { name: 'dispatcher throughput, spread repositories', value: spread, unit: 'events/s', note },
      {
        name: 'dispatcher throughput, spread / one repository',
        value: spread / oneRepository,
        unit: 'ratio',
        note: `at most ${mostInFlight()} executions in flight`,
      },
    ];
  } finally {
    server.close();
  }
}
