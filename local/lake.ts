import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { lakeLine } from '../functions/lib/lake/one-line';
import { emulatorKinesisClient } from './emulators';
import { LOCAL_NAMES, LOCAL_REGION } from './names';

/**
 * The local stand-in for the Firehose delivery stream of template.yaml (LakeDeliveryStream): it reads the
 * stream as its own consumer and writes GZIP newline-delimited batches with the same key layout, so
 * replay and the Athena queries work on the local lake exactly as on the deployed one:
 *   events/source=<source>/dt=<yyyy-MM-dd of receivedAt>/type=<type>/<name>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>.json.gz
 * Each record first goes through LakeTransformFunction's step (one line each, newline appended) with the
 * same code; records it refuses (not JSON) or Firehose could not partition (no source, type or receivedAt)
 * go under errors/.
 */
export interface LakeWriterOptions {
  kinesisEndpoint: string;
  s3Endpoint: string;
  streamName?: string;
  bucket?: string;
  /** How often buffered records are written, like Firehose's buffering interval. Default 5 s. */
  flushIntervalMs?: number;
  /** How often the stream is read. Default 250 ms. */
  pollIntervalMs?: number;
  /** Keeps the last archived sequence number per shard, so a restart neither loses nor re-archives. */
  checkpointPath?: string;
  /** Names the objects like the delivery stream does. */
  deliveryStreamName?: string;
  onError?: (error: unknown) => void;
}

export interface LakeWriter {
  /** Reads what the stream holds now and writes it; resolves to the number of records written. */
  flush(): Promise<number>;
  /** Stops polling after a last flush. */
  stop(): Promise<void>;
}

interface Shard {
  id: string;
  iterator?: string;
  buffered?: string;
  archived?: string;
}

// Local credentials: the emulators accept any signature but the SDK insists on signing.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What Firehose's MetadataExtraction query (`{source: .source, dt: .receivedAt[0:10], type: .type}`) yields. */
export function lakePartition(data: Uint8Array): { source: string; dt: string; type: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
  const { source, receivedAt, type } = (value ?? {}) as Record<string, unknown>;
  if (typeof source !== 'string' || typeof type !== 'string' || typeof receivedAt !== 'string')
    return undefined;
  if (source === '' || type === '' || receivedAt.length < 10) return undefined;
  return { source, dt: receivedAt.slice(0, 10), type };
}

const stamp = (now: Date) => now.toISOString().slice(0, 19).replace('T', '-').replaceAll(':', '-');

export function startLakeWriter(options: LakeWriterOptions): LakeWriter {
  const streamName = options.streamName ?? LOCAL_NAMES.stream;
  const bucket = options.bucket ?? LOCAL_NAMES.lakeBucket;
  const name = options.deliveryStreamName ?? LOCAL_NAMES.lakeBucket;
  const onError = options.onError ?? ((error: unknown) => console.error('lake writer:', error));
  // Not the shared clients of functions/lib/clients: this local tool is handed its endpoints explicitly.
  const kinesis = emulatorKinesisClient(options.kinesisEndpoint);
  const s3 = new S3Client({
    endpoint: options.s3Endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });

  let shards: Shard[] | undefined;
  let buffer: StreamRecord[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;

  /** Runs steps one at a time: the timers and explicit flushes share shard iterators and the buffer. */
  function serial<T>(step: () => Promise<T>): Promise<T> {
    const next = chain.then(step);
    chain = next.catch(() => undefined);
    return next;
  }

  async function loadShards(): Promise<Shard[]> {
    const saved: Record<string, string> = options.checkpointPath
      ? await readFile(options.checkpointPath, 'utf8').then(
          (text) => JSON.parse(text) as Record<string, string>,
          () => ({}),
        )
      : {};
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    return (Shards ?? []).map((shard) => ({
      id: shard.ShardId as string,
      ...(saved[shard.ShardId as string] && { archived: saved[shard.ShardId as string] }),
    }));
  }

  async function iteratorFor(shard: Shard): Promise<string | undefined> {
    const after = shard.buffered ?? shard.archived;
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.id,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        ...(after && { StartingSequenceNumber: after }),
      }),
    );
    return ShardIterator;
  }

  async function poll(): Promise<void> {
    shards ??= await loadShards();
    for (const shard of shards) {
      try {
        shard.iterator ??= await iteratorFor(shard);
        // Read until the shard has nothing more right now (an empty page at the tip).
        while (shard.iterator) {
          const page = await kinesis.send(
            new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }),
          );
          shard.iterator = page.NextShardIterator;
          const records = page.Records ?? [];
          if (records.length === 0) break;
          buffer.push(...records);
          shard.buffered = records[records.length - 1]?.SequenceNumber ?? shard.buffered;
        }
      } catch (error) {
        // Iterators expire after 5 minutes; the next poll asks for a new one after the last record read.
        shard.iterator = undefined;
        throw error;
      }
    }
  }

  async function write(): Promise<number> {
    if (buffer.length === 0) return 0;
    const now = new Date();
    const partitions = new Map<string, Uint8Array[]>();
    for (const record of buffer) {
      const data = record.Data ?? new Uint8Array();
      // As deployed: the transform runs first, and the partition keys are read from what it returns.
      const transformed = lakeLine(data);
      const partition = transformed.ok ? lakePartition(transformed.line) : undefined;
      const prefix = partition
        ? `events/source=${partition.source}/dt=${partition.dt}/type=${partition.type}/`
        : `errors/processing-failed/dt=${now.toISOString().slice(0, 10)}/`;
      const line =
        transformed.ok && partition
          ? transformed.line
          : Buffer.from(
              `${JSON.stringify({
                attemptsMade: 1,
                arrivalTimestamp: record.ApproximateArrivalTimestamp?.getTime(),
                ...(transformed.ok
                  ? {
                      errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
                      errorMessage: 'record is not an envelope with source, type and receivedAt',
                    }
                  : {
                      errorCode: 'Lambda.ProcessingFailedStatus',
                      errorMessage: 'ProcessingFailed status set for record',
                    }),
                rawData: Buffer.from(data).toString('base64'),
              })}\n`,
            );
      const lines = partitions.get(prefix) ?? [];
      lines.push(line);
      partitions.set(prefix, lines);
    }
    for (const [prefix, lines] of partitions) {
      // Every line already ends with its newline (the transform's, or Firehose's for error records).
      const body = gzipSync(Buffer.concat(lines));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}${name}-1-${stamp(now)}-${randomUUID()}.json.gz`,
          Body: body,
          ContentType: 'application/json',
          ContentEncoding: 'gzip',
        }),
      );
    }
    const written = buffer.length;
    buffer = [];
    for (const shard of shards ?? []) if (shard.buffered) shard.archived = shard.buffered;
    if (options.checkpointPath) {
      const checkpoint = Object.fromEntries(
        (shards ?? []).filter((shard) => shard.archived).map((shard) => [shard.id, shard.archived]),
      );
      await writeFile(options.checkpointPath, JSON.stringify(checkpoint));
    }
    return written;
  }

  const report = (step: Promise<unknown>) => step.catch((error: unknown) => !stopped && onError(error));
  const pollTimer = setInterval(() => void report(serial(poll)), options.pollIntervalMs ?? 250);
  const flushTimer = setInterval(() => void report(serial(write)), options.flushIntervalMs ?? 5000);
  pollTimer.unref();
  flushTimer.unref();

  const drain = async () => {
    await poll();
    return write();
  };

  return {
    flush: () => serial(drain),
    async stop() {
      clearInterval(pollTimer);
      clearInterval(flushTimer);
      try {
        await serial(drain);
      } finally {
        stopped = true;
        kinesis.destroy();
        s3.destroy();
      }
    },
  };
}
