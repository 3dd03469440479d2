import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { emulatorKinesisClient } from '../../local/emulators';
import { closeServer, dynalite, kinesalite, listen, S3rver } from '../../local/servers';

/**
 * In-process AWS emulators for tests (kinesalite, dynalite, s3rver), each on a free port of 127.0.0.1.
 * Point the code under test at them with the standard endpoint settings BEFORE its client modules load:
 *
 *   const kinesis = await startKinesalite();
 *   process.env.AWS_ENDPOINT_URL_KINESIS = kinesis.endpoint;
 *   const { handler } = await import('../../functions/ingest/handler');
 *
 * The admin clients below (create a stream, read it back) exist only to prepare and inspect emulators.
 */

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: an IP endpoint, so the S3 client uses path-style addressing by itself. */
  endpoint: string;
  stop(): Promise<void>;
}

const testRegion = 'us-east-1';
const testCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export async function startKinesalite(): Promise<RunningEmulator> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  const endpoint = await listen(server);
  return { endpoint, stop: () => closeServer(server) };
}

export async function startDynalite(): Promise<RunningEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  return { endpoint, stop: () => closeServer(server) };
}

/** s3rver keeps objects as files: each instance gets its own temporary directory, removed on stop. */
export async function startS3rver(): Promise<RunningEmulator & { directory: string }> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await s3rver.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    async stop() {
      if (s3rver.httpServer) await closeServer(s3rver.httpServer);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function kinesisAdmin(endpoint: string): KinesisClient {
  // kinesalite speaks HTTP/1.1 only; the Kinesis client defaults to HTTP/2.
  return emulatorKinesisClient(endpoint);
}

async function waitUntil(isReady: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await isReady()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} did not become ready`);
}

export async function createStream(endpoint: string, streamName: string, shardCount = 1): Promise<void> {
  const client = kinesisAdmin(endpoint);
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
    await waitUntil(async () => {
      const { StreamDescriptionSummary } = await client.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      return StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    }, `stream ${streamName}`);
  } finally {
    client.destroy();
  }
}

export interface StreamRecord {
  partitionKey: string;
  data: Buffer;
  sequenceNumber: string;
}

/** Every record currently on the stream, shard by shard, each shard in order. */
export async function readStream(endpoint: string, streamName: string): Promise<StreamRecord[]> {
  const client = kinesisAdmin(endpoint);
  try {
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
    const records: StreamRecord[] = [];
    for (const shard of Shards) {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let iterator = ShardIterator;
      while (iterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of page.Records ?? []) {
          records.push({
            partitionKey: record.PartitionKey ?? '',
            data: Buffer.from(record.Data ?? new Uint8Array()),
            sequenceNumber: record.SequenceNumber ?? '',
          });
        }
        // An open shard always hands out a next iterator; an empty page means we reached its tip.
        iterator = page.Records && page.Records.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records;
  } finally {
    client.destroy();
  }
}

/** A table keyed like the Powertools idempotency table (`id` hash key) unless told otherwise. */
export async function createTable(
  endpoint: string,
  tableName: string,
  hashKey = 'id',
  rangeKey?: string,
): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: testRegion, credentials: testCredentials });
  const keys = rangeKey ? [hashKey, rangeKey] : [hashKey];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: keys.map((name, index) => ({
          AttributeName: name,
          KeyType: index === 0 ? 'HASH' : 'RANGE',
        })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntil(async () => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      return Table?.TableStatus === 'ACTIVE';
    }, `table ${tableName}`);
  } finally {
    client.destroy();
  }
}

function s3Admin(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: testRegion, credentials: testCredentials, forcePathStyle: true });
}

export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const client = s3Admin(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** Keys of every object in the bucket. */
export async function listObjectKeys(endpoint: string, bucket: string): Promise<string[]> {
  const client = s3Admin(endpoint);
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  } finally {
    client.destroy();
  }
}

export async function getObjectBytes(endpoint: string, bucket: string, key: string): Promise<Buffer> {
  const client = s3Admin(endpoint);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
  } finally {
    client.destroy();
  }
}
