import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPaths } from '../local/names';
import { startLocalPipeline } from '../local/pipeline';
import type { InvokeOutcome, InvokeStats } from '../local/runtime/lambda';
import { postWebhook, signWebhook, type WebhookRequest } from '../local/signing';
import { loadTemplate } from '../local/template';
import { localFunctions } from '../local/template-env';
import type { BenchRow } from './types';

/**
 * The cost of one million events in a deployed stack, per AWS service, from what a local run of the whole
 * pipeline (`npm start`) counts: each function's invocations with their measured durations at the
 * template's memory, the workflow's executions and durations, DynamoDB writes and reads, bus entries,
 * Kinesis and Firehose volume, S3 requests and log bytes; times the dated prices in
 * prices-us-east-1.json. Beside it, the floor the design's shape implies: API Gateway, the authorizer,
 * one Express execution and one bus entry per event.
 */
const EVENTS = Number(process.env.BENCH_COST_EVENTS ?? 300);
/** Fixed hourly charges are shared out over this traffic (1 million events a day, about 12 a second). */
const EVENTS_PER_HOUR = 1_000_000 / 24;
/** One vCPU at this memory (Lambda's CPU share is proportional to memory below it). */
const FULL_CPU_MB = 1769;
/** Lambda's own log records per invocation (platform.start and platform.report in JSON format). */
const PLATFORM_LOG_BYTES = 600;
/** One API Gateway access log line in the template's format. */
const ACCESS_LOG_BYTES = 420;

/**
 * A GitHub organisation that builds with Actions: CI events outnumber the rest. The weights are this
 * benchmark's assumption; every event's type, body and size come from the real examples of that type.
 */
const GITHUB_MIX: [string, number][] = [
  ['workflow_job', 30],
  ['check_run', 20],
  ['workflow_run', 10],
  ['push', 8],
  ['pull_request', 8],
  ['check_suite', 6],
  ['status', 5],
  ['pull_request_review', 3],
  ['issue_comment', 3],
  ['pull_request_review_comment', 2],
  ['issues', 2],
  ['create', 1.5],
  ['delete', 1.5],
];

interface Prices {
  pricesAsOf: string;
  lambda: { perMillionRequests: number; perGbSecondArm64: number };
  apiGateway: { restPerMillionRequests: number };
  stepFunctions: { expressPerMillionRequests: number; expressPerGbSecond: number };
  eventBridge: { perMillionCustomEvents: number };
  kinesis: { onDemandPerStreamHour: number; onDemandIngestPerGb: number; onDemandRetrievalPerGb: number };
  firehose: {
    ingestPerGb: number;
    dynamicPartitioningPerGb: number;
    dynamicPartitioningPerThousandObjects: number;
  };
  dynamodb: { onDemandPerMillionWrites: number; onDemandPerMillionReads: number };
  s3: { standardPerThousandPuts: number; standardPerThousandGets: number };
  cloudwatchLogs: { ingestPerGb: number };
}

const GB = 1024 ** 3;

function deliveries(): WebhookRequest[] {
  const groups = require('@octokit/webhooks-examples') as { name: string; examples: object[] }[];
  const byType = new Map(groups.map(({ name, examples }) => [name, examples]));
  const total = GITHUB_MIX.reduce((sum, [, weight]) => sum + weight, 0);
  const used = new Map<string, number>();
  return Array.from({ length: EVENTS }, (_, index) => {
    // Stratified: event i takes the type whose cumulative weight covers (i + 0.5) / EVENTS.
    const at = ((index + 0.5) / EVENTS) * total;
    let covered = 0;
    const [type] =
      GITHUB_MIX.find(([, weight]) => {
        covered += weight;
        return at < covered;
      }) ?? (GITHUB_MIX[0] as [string, number]);
    const examples = byType.get(type) ?? [];
    const turn = used.get(type) ?? 0;
    used.set(type, turn + 1);
    const body = Buffer.from(JSON.stringify(examples[turn % examples.length]));
    return signWebhook({ source: 'github', body, event: type, env: {} });
  });
}

interface Counted {
  service: string;
  operation: string;
  requestBytes: number;
  body: Buffer;
}

/** A pass-through HTTP proxy in front of one emulator that records every request the functions make. */
async function countingProxy(
  service: string,
  target: string,
  log: Counted[],
): Promise<Server & { url: string }> {
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target'] ?? incoming.method ?? '');
      log.push({ service, operation, requestBytes: body.length, body });
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return Object.assign(server, { url: `http://127.0.0.1:${address.port}` });
}

async function lines(file: string): Promise<string[]> {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function lambdaGbSeconds(stats: InvokeStats, memoryMb: number): number {
  // The thread's busy time stretches when the function gets less than a whole CPU; waiting does not.
  const cpuShare = Math.min(1, memoryMb / FULL_CPU_MB);
  const billedMs = Math.ceil(stats.durationMs - stats.activeMs + stats.activeMs / cpuShare);
  return (memoryMb / 1024) * (billedMs / 1000);
}

export async function run(): Promise<BenchRow[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const prices = JSON.parse(readFileSync(join(__dirname, 'prices-us-east-1.json'), 'utf8')) as Prices;
  const template = loadTemplate();
  const memory = new Map(localFunctions(template).map((fn) => [fn.logicalId, fn.memorySize]));
  const dir = mkdtempSync(join(tmpdir(), 'bench-cost-'));
  const requests: Counted[] = [];
  const proxies: Server[] = [];
  const logBytes = new Map<string, number>();
  const invocations = new Map<string, InvokeStats[]>();
  const pipeline = await startLocalPipeline({
    port: 0,
    localDir: dir,
    persist: false,
    warm: true,
    // The deployed defaults: INFO logs, metrics on.
    logLevel: 'INFO',
    env: { PATH: process.env.PATH, POWERTOOLS_METRICS_DISABLED: 'false' },
    onFunctionLog: (logicalId, line) =>
      logBytes.set(logicalId, (logBytes.get(logicalId) ?? 0) + line.length + 1),
    onError: () => undefined,
    functionEndpoints: async (endpoints) => {
      const counted = { ...endpoints };
      for (const service of ['kinesis', 'dynamodb', 's3'] as const) {
        const target = endpoints[service];
        if (!target) continue;
        const proxy = await countingProxy(service, target, requests);
        proxies.push(proxy);
        counted[service] = proxy.url;
      }
      return counted;
    },
  });
  try {
    for (const [logicalId, fn] of Object.entries(pipeline.functions)) {
      const invoke = fn.invoke.bind(fn);
      fn.invoke = async (event: unknown): Promise<InvokeOutcome> => {
        const outcome = await invoke(event);
        if (outcome.stats) invocations.set(logicalId, [...(invocations.get(logicalId) ?? []), outcome.stats]);
        return outcome;
      };
    }
    const batch = deliveries();
    let next = 0;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < batch.length) {
          const answer = await postWebhook(pipeline.url, batch[next++] as WebhookRequest);
          if (answer.status === 202) accepted += 1;
        }
      }),
    );
    if (accepted !== EVENTS) throw new Error(`only ${accepted} of ${EVENTS} webhooks accepted`);
    const paths = localPaths(dir);
    const deadline = Date.now() + 300_000;
    while ((await lines(paths.executions)).length < EVENTS) {
      if (Date.now() > deadline) throw new Error('the workflow did not run for every event in time');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // The Firehose transform runs on batches of the stream's records (its 1 MB processing buffer).
    const records = requests
      .filter(({ service, operation }) => service === 'kinesis' && operation.endsWith('PutRecord'))
      .map(({ body }) => Buffer.from((JSON.parse(body.toString()) as { Data: string }).Data, 'base64'));
    const lake = await pipeline.invoke('LakeTransformFunction', {
      invocationId: 'bench',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/webhook-lake',
      sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/webhook-stream',
      region: 'us-east-1',
      records: records.map((data, index) => ({
        recordId: String(index),
        approximateArrivalTimestamp: Date.now(),
        data: data.toString('base64'),
        kinesisRecordMetadata: {
          shardId: 'shardId-000000000000',
          partitionKey: 'github:bench',
          approximateArrivalTimestamp: Date.now(),
          sequenceNumber: String(index),
          subsequenceNumber: '',
        },
      })),
    });
    if (!lake.ok) throw new Error(`LakeTransformFunction failed: ${lake.error.errorMessage}`);

    const perMillion = 1_000_000 / EVENTS;
    const rows: BenchRow[] = [];
    const cost: [string, number, string][] = [];

    // Lambda, per function; the lake transform is scaled from one batch to the stream's volume.
    const streamBytes = records.reduce((sum, data) => sum + data.length, 0);
    let lambdaTotal = 0;
    const lambdaNotes: string[] = [];
    for (const [logicalId, stats] of invocations) {
      const memoryMb = memory.get(logicalId) ?? 128;
      const scale = logicalId === 'LakeTransformFunction' ? streamBytes / (1024 * 1024) / 1 : 1;
      const gbSeconds = stats.reduce((sum, item) => sum + lambdaGbSeconds(item, memoryMb), 0);
      const dollars =
        ((stats.length * scale * prices.lambda.perMillionRequests) / 1e6 +
          gbSeconds * scale * prices.lambda.perGbSecondArm64) *
        perMillion;
      lambdaTotal += dollars;
      const meanMs = stats.reduce((sum, item) => sum + item.durationMs, 0) / stats.length;
      lambdaNotes.push(`${logicalId.replace('Function', '')} ${memoryMb} MB`);
      const logs = ((logBytes.get(logicalId) ?? 0) / EVENTS).toFixed(0);
      rows.push({
        name: `cost/1M events: Lambda ${logicalId}`,
        value: dollars,
        unit: 'USD',
        note: `${((stats.length * scale) / EVENTS).toFixed(2)} invocations/event, mean ${meanMs.toFixed(1)} ms measured (${(stats.reduce((s, i) => s + i.activeMs, 0) / stats.length).toFixed(1)} ms busy), ${memoryMb} MB, ${logs} B of logs/event`,
      });
    }
    cost.push(['Lambda', lambdaTotal, lambdaNotes.join(', ')]);
    cost.push(['API Gateway (REST)', prices.apiGateway.restPerMillionRequests, 'one request per event']);

    const executions = (await lines(paths.executions)).map((line) => JSON.parse(line) as { ms: number });
    const expressGbSeconds = executions.reduce(
      (sum, { ms }) => sum + (64 / 1024) * (Math.ceil(ms / 100) / 10),
      0,
    );
    cost.push([
      'Step Functions Express',
      ((executions.length * prices.stepFunctions.expressPerMillionRequests) / 1e6 +
        expressGbSeconds * prices.stepFunctions.expressPerGbSecond) *
        perMillion,
      `${(executions.length / EVENTS).toFixed(2)} executions/event, mean ${(executions.reduce((s, e) => s + e.ms, 0) / executions.length).toFixed(0)} ms, 64 MB`,
    ]);

    let busEvents = 0;
    for (const file of await readdir(paths.eventbridge).catch(() => [] as string[])) {
      for (const line of await lines(join(paths.eventbridge, file)))
        busEvents += Math.ceil(line.length / 65_536);
    }
    cost.push([
      'EventBridge',
      ((busEvents * prices.eventBridge.perMillionCustomEvents) / 1e6) * perMillion,
      `${(busEvents / EVENTS).toFixed(2)} entries/event`,
    ]);

    const roundedKb = records.reduce((sum, data) => sum + Math.ceil(data.length / 1024), 0);
    const consumers = 2; // the dispatcher's event source mapping and Firehose each read every record
    cost.push([
      'Kinesis (on-demand)',
      ((roundedKb * 1024) / GB) *
        (prices.kinesis.onDemandIngestPerGb + consumers * prices.kinesis.onDemandRetrievalPerGb) *
        perMillion +
        (1_000_000 / EVENTS_PER_HOUR) * prices.kinesis.onDemandPerStreamHour,
      `${(streamBytes / EVENTS / 1024).toFixed(1)} KiB/record; stream hours at 1M events/day`,
    ]);
    const firehoseBytes = records.reduce((sum, data) => sum + Math.ceil(data.length / 5120) * 5120, 0);
    cost.push([
      'Firehose',
      (firehoseBytes / GB) * prices.firehose.ingestPerGb * perMillion +
        (streamBytes / GB) * prices.firehose.dynamicPartitioningPerGb * perMillion +
        (24 * 60 * prices.firehose.dynamicPartitioningPerThousandObjects) / 1000,
      'records rounded to 5 KB; dynamic partitioning; one object a minute at 1M events/day',
    ]);

    const dynamo = requests.filter(({ service }) => service === 'dynamodb');
    const isWrite = (operation: string) => /(PutItem|UpdateItem|DeleteItem)$/.test(operation);
    const writes = dynamo.filter(({ operation }) => isWrite(operation));
    const writeUnits = writes.reduce(
      (sum, { requestBytes }) => sum + Math.max(1, Math.ceil(requestBytes / 1024)),
      0,
    );
    const reads = dynamo.length - writes.length;
    cost.push([
      'DynamoDB (on-demand)',
      ((writeUnits * prices.dynamodb.onDemandPerMillionWrites +
        reads * prices.dynamodb.onDemandPerMillionReads) /
        1e6) *
        perMillion,
      `${(writes.length / EVENTS).toFixed(2)} writes/event (${(writeUnits / EVENTS).toFixed(2)} WRU), ${(reads / EVENTS).toFixed(2)} reads/event`,
    ]);

    const s3 = requests.filter(({ service }) => service === 's3');
    const puts = s3.filter(({ operation }) => operation === 'PUT' || operation === 'POST').length;
    const gets = s3.length - puts;
    cost.push([
      'S3 requests',
      ((puts * prices.s3.standardPerThousandPuts + gets * prices.s3.standardPerThousandGets) / 1000) *
        perMillion +
        (24 * 60 * prices.s3.standardPerThousandPuts) / 1000,
      `${(puts / EVENTS).toFixed(3)} PUT, ${(gets / EVENTS).toFixed(3)} GET per event (claim checks) + the lake's objects`,
    ]);

    const lambdaLogs = [...logBytes.values()].reduce((sum, bytes) => sum + bytes, 0);
    const invocationCount = [...invocations.values()].reduce((sum, stats) => sum + stats.length, 0);
    const logTotal = lambdaLogs + invocationCount * PLATFORM_LOG_BYTES + EVENTS * ACCESS_LOG_BYTES;
    cost.push([
      'CloudWatch Logs',
      (logTotal / GB) * prices.cloudwatchLogs.ingestPerGb * perMillion,
      `${(lambdaLogs / EVENTS).toFixed(0)} B/event from the functions (INFO, metrics on) + platform and access logs`,
    ]);

    for (const [service, dollars, note] of cost.slice(1)) {
      rows.push({ name: `cost/1M events: ${service}`, value: dollars, unit: 'USD', note });
    }
    const total = cost.reduce((sum, [, dollars]) => sum + dollars, 0);
    const floor =
      prices.apiGateway.restPerMillionRequests +
      prices.lambda.perMillionRequests +
      // the authorizer's least: 1 ms at 128 MB
      (128 / 1024) * 0.001 * prices.lambda.perGbSecondArm64 * 1e6 +
      prices.stepFunctions.expressPerMillionRequests +
      (64 / 1024) * 0.1 * prices.stepFunctions.expressPerGbSecond * 1e6 +
      prices.eventBridge.perMillionCustomEvents;
    rows.push(
      {
        name: 'cost/1M events: TOTAL',
        value: total,
        unit: 'USD',
        note: `${EVENTS} real GitHub events (CI-heavy mix) run locally; prices us-east-1 as of ${prices.pricesAsOf}`,
      },
      {
        name: 'cost/1M events: floor',
        value: floor,
        unit: 'USD',
        note: `API Gateway + a 1 ms authorizer + one 100 ms Express execution + one bus entry; total is ${(total / floor).toFixed(2)}× this`,
      },
    );
    return rows;
  } finally {
    await pipeline.stop();
    for (const proxy of proxies) proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
