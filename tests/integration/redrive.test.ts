import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { type Emulators, emulatorKinesisClient, startEmulators } from '../../local/emulators';
import { LOCAL_ARNS, LOCAL_NAMES, LOCAL_REGION } from '../../local/names';
import { type FailureMessage, queueMessages, redrive } from '../../local/redrive';
import { replay } from '../../local/replay/replay';

let emulators: Emulators;
let kinesis: KinesisClient;
let dir: string;
let shardId: string;

/** A dead-letter message exactly as Lambda's on-failure destination writes it for a Kinesis batch. */
function failureRecord(start: string, end: string, batchSize: number): string {
  return JSON.stringify({
    requestContext: {
      requestId: 'r-1',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:dispatcher',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 6,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-22T10:00:05.000Z',
    KinesisBatchInfo: {
      shardId,
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-11-22T10:00:00.000Z',
      approximateArrivalOfLastRecord: '2026-11-22T10:00:01.000Z',
      batchSize,
      streamArn: LOCAL_ARNS.stream,
    },
  });
}

function messagesOf(bodies: string[], removed: string[]): AsyncIterable<FailureMessage> {
  return (async function* () {
    for (const [index, body] of bodies.entries()) {
      yield { id: `m${index}`, body, remove: async () => void removed.push(`m${index}`) };
    }
  })();
}

async function readShard(): Promise<Array<{ key: string; data: string; seq: string }>> {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: LOCAL_NAMES.stream,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
  return (page.Records ?? []).map((r) => ({
    key: r.PartitionKey ?? '',
    data: Buffer.from(r.Data ?? []).toString(),
    seq: r.SequenceNumber ?? '',
  }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'redrive-'));
  emulators = await startEmulators({ dir, persist: false, shardCount: 1 });
  kinesis = emulatorKinesisClient(emulators.endpoints.kinesis);
  const description = await kinesis.send(new DescribeStreamCommand({ StreamName: LOCAL_NAMES.stream }));
  shardId = description.StreamDescription?.Shards?.[0]?.ShardId ?? '';
});

afterAll(async () => {
  kinesis.destroy();
  await emulators.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('redrive of dead-lettered batches', () => {
  it('re-puts exactly the discarded range, in order, then deletes the message; a dry run changes nothing', async () => {
    const keys = ['github:a/b', 'github:a/b', 'gitlab:c/d', 'github:a/b', 'gitlab:c/d'];
    const sequences: string[] = [];
    for (const [index, key] of keys.entries()) {
      const put = await kinesis.send(
        new PutRecordCommand({
          StreamName: LOCAL_NAMES.stream,
          PartitionKey: key,
          Data: Buffer.from(`event-${index}`),
        }),
      );
      sequences.push(put.SequenceNumber ?? '');
    }
    const body = failureRecord(sequences[1] ?? '', sequences[3] ?? '', 3);

    const dryRemoved: string[] = [];
    const dry = await redrive(kinesis, messagesOf([body], dryRemoved), { dryRun: true });
    expect(dry).toMatchObject({ messages: 1, redriven: 1, records: 3 });
    expect(dryRemoved).toEqual([]);
    expect(await readShard()).toHaveLength(5);

    const removed: string[] = [];
    const outcome = await redrive(kinesis, messagesOf([body], removed), { dryRun: false });

    expect(outcome).toMatchObject({ messages: 1, redriven: 1, records: 3, failed: [], expired: [] });
    expect(removed).toEqual(['m0']);
    const shard = await readShard();
    expect(shard.slice(5).map(({ key, data }) => ({ key, data }))).toEqual([
      { key: 'github:a/b', data: 'event-1' },
      { key: 'gitlab:c/d', data: 'event-2' },
      { key: 'github:a/b', data: 'event-3' },
    ]);
  });

  it('keeps a message whose records left the stream and says how to replay them from the lake', async () => {
    const removed: string[] = [];
    const gone = failureRecord('1', '2', 2);

    const outcome = await redrive(
      kinesis,
      messagesOf([gone, 'not json', '{"KinesisBatchInfo":{}}'], removed),
      {
        dryRun: false,
      },
    );

    expect(removed).toEqual([]);
    expect(outcome.redriven).toBe(0);
    expect(outcome.unreadable).toEqual(['m1', 'm2']);
    expect(outcome.expired).toHaveLength(1);
    expect(outcome.expired[0]?.replay).toBe(
      'npm run replay -- --from s3://<lake bucket>/events/ --since 2026-11-22T09:59:00.000Z --until 2026-11-22T10:01:01.000Z',
    );
  });
});

describe('redrive from the lake', () => {
  it('replays the window of a batch that left the stream, then deletes its message', async () => {
    const lake = join(dir, 'lake');
    const partition = join(lake, 'events', 'source=github', 'dt=2026-11-22', 'type=push');
    mkdirSync(partition, { recursive: true });
    const envelope = (id: string, receivedAt: string) =>
      JSON.stringify({
        id,
        source: 'github',
        type: 'push',
        subject: 'a/b',
        receivedAt,
        meta: {},
        payload: { ref: id },
      });
    // Arrivals in the message run 10:00:00 to 10:00:01; the window is widened by a minute either side.
    writeFileSync(
      join(partition, 'batch.json'),
      `${envelope('in-window', '2026-11-22T10:00:00.500Z')}\n${envelope('hours-later', '2026-11-22T13:00:00.000Z')}\n`,
    );
    const before = (await readShard()).length;
    const removed: string[] = [];

    const outcome = await redrive(kinesis, messagesOf([failureRecord('1', '2', 2)], removed), {
      dryRun: false,
      recoverFromLake: (window) =>
        replay(
          { from: lake, stream: window.streamName, since: window.since, until: window.until, dryRun: false },
          { s3: new S3Client({ region: LOCAL_REGION }), kinesis },
        ),
    });

    expect(outcome).toMatchObject({ recoveredFromLake: 1, expired: [], failed: [] });
    expect(removed).toEqual(['m0']);
    const added = (await readShard()).slice(before).map((record) => JSON.parse(record.data).id);
    expect(added).toEqual(['in-window']);
  });
});

describe('dead-letter queue reading', () => {
  it('receives until the queue is empty and deletes a message by its receipt handle', async () => {
    const sqs = mockClient(SQSClient);
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'a', Body: 'x', ReceiptHandle: 'rh-a' },
          { MessageId: 'b', Body: 'y', ReceiptHandle: 'rh-b' },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    const client = new SQSClient({ region: LOCAL_REGION });

    const seen: FailureMessage[] = [];
    for await (const message of queueMessages(client, 'https://sqs.example/q', 10)) seen.push(message);
    await seen[1]?.remove();

    expect(seen.map((m) => [m.id, m.body])).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs.example/q', ReceiptHandle: 'rh-b' },
    ]);
    sqs.restore();
  });
});
