import { mkdirSync } from 'node:fs';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException as StreamInUseException,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_NAMES, LOCAL_REGION, localPaths } from './names';
import { closeServer, dynalite, kinesalite, listen, S3rver } from './servers';

export interface EmulatorOptions {
  /** Directory for the emulators' data; with `persist` they keep it across restarts. */
  dir: string;
  /** LevelDB on disk for Kinesis and DynamoDB (S3 always writes files). Default true. */
  persist?: boolean;
  /** Shards of the stream when it is first created (on-demand streams start with 4). */
  shardCount?: number;
}

export interface Emulators {
  endpoints: { kinesis: string; dynamodb: string; s3: string };
  /** Which emulators keep their data on disk (false where LevelDB's binary could not load). */
  persisted: { kinesis: boolean; dynamodb: boolean };
  close(): Promise<void>;
}

/** Dummy credentials: the emulators accept any signature but the SDK insists on signing. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Whether a LevelDB binding loads on this machine. Both ship prebuilt binaries (npm install scripts need
 * not run), but not for every platform (leveldown has none for macOS on arm64): there the emulator keeps
 * its data in memory instead.
 */
function loads(binding: string): boolean {
  try {
    require(binding);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts kinesalite, dynalite and s3rver on free ports of 127.0.0.1 and creates the stream, the
 * idempotency table and the buckets when they do not exist yet. LevelDB (leveldown/classic-level) loads
 * from the prebuilt binaries shipped in the packages, so persistence needs no native build step.
 */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const paths = localPaths(options.dir);
  const persist = options.persist ?? true;
  const persisted = {
    kinesis: persist && loads('leveldown'),
    dynamodb: persist && loads('classic-level'),
  };
  mkdirSync(paths.s3, { recursive: true });
  if (persisted.kinesis) mkdirSync(paths.kinesis, { recursive: true });
  if (persisted.dynamodb) mkdirSync(paths.dynamodb, { recursive: true });
  const kinesis = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    ...(persisted.kinesis && { path: paths.kinesis }),
  });
  const dynamodb = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(persisted.dynamodb && { path: paths.dynamodb }),
  });
  const s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: paths.s3,
    configureBuckets: [{ name: LOCAL_NAMES.payloadBucket }, { name: LOCAL_NAMES.lakeBucket }],
  });
  const [kinesisUrl, dynamodbUrl, s3Address] = await Promise.all([
    listen(kinesis),
    listen(dynamodb),
    s3.run(),
  ]);
  const endpoints = { kinesis: kinesisUrl, dynamodb: dynamodbUrl, s3: `http://127.0.0.1:${s3Address.port}` };
  const emulators: Emulators = {
    endpoints,
    persisted,
    async close() {
      await Promise.all([
        closeServer(kinesis),
        closeServer(dynamodb),
        s3.httpServer ? closeServer(s3.httpServer) : Promise.resolve(),
      ]);
    },
  };
  try {
    await Promise.all([
      createStream(endpoints.kinesis, options.shardCount ?? 4),
      createIdempotencyTable(endpoints.dynamodb),
    ]);
  } catch (error) {
    await emulators.close();
    throw error;
  }
  return emulators;
}

/**
 * A Kinesis client for kinesalite: plain HTTP/1.1 (the client defaults to HTTP/2, which kinesalite does not
 * speak) and the dummy credentials. For local tools and tests; functions use functions/lib/clients.
 */
export function emulatorKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
  });
}

async function createStream(endpoint: string, shardCount: number): Promise<void> {
  const client = emulatorKinesisClient(endpoint);
  try {
    await client.send(new CreateStreamCommand({ StreamName: LOCAL_NAMES.stream, ShardCount: shardCount }));
  } catch (error) {
    if (!(error instanceof StreamInUseException)) throw error;
  }
  // kinesalite reports CREATING for a moment even with createStreamMs 0.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: LOCAL_NAMES.stream }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  client.destroy();
}

async function createIdempotencyTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client
      .send(
        new CreateTableCommand({
          TableName: LOCAL_NAMES.idempotencyTable,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ResourceInUseException)) throw error;
      });
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const { Table } = await client.send(
        new DescribeTableCommand({ TableName: LOCAL_NAMES.idempotencyTable }),
      );
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    client.destroy();
  }
}
