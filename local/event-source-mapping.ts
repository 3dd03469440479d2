import { randomUUID } from 'node:crypto';
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  type _Record as StreamRecord,
} from '@aws-sdk/client-kinesis';
import { CheckpointStore } from './checkpoints';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './names';
import { appendLine } from './ndjson';
import type { InvokeOutcome } from './runtime/lambda';

/** The Kinesis event source mapping settings of the template (Events.<name>.Properties). */
export interface MappingSettings {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** -1: retry until the records expire, as Lambda does. */
  maximumRetryAttempts: number;
  /** -1: no age limit. */
  maximumRecordAgeSeconds: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
}

export interface EventSourceMappingOptions {
  kinesis: KinesisClient;
  streamName: string;
  streamArn: string;
  functionArn: string;
  settings: MappingSettings;
  invoke(event: unknown): Promise<InvokeOutcome>;
  checkpoints: CheckpointStore;
  deadLetterFile: string;
  /** How often an idle shard is polled (Lambda polls each shard about once a second). */
  pollIntervalMs?: number;
  /** First pause between retries of a failed batch; doubles per attempt up to 5 s. */
  retryBaseDelayMs?: number;
  onBatch?: (info: { shardId: string; size: number; failed: number; ms: number }) => void;
  onError?: (error: unknown) => void;
}

/** Lambda's synchronous invocation payload limit: a batch is cut so the event stays under it. */
const MAX_INVOKE_PAYLOAD = 6 * 1024 * 1024;
const RECORD_ENVELOPE_BYTES = 600;

type Attempt = { kind: 'ok' } | { kind: 'partial'; from: number } | { kind: 'error'; message: string };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Plays Lambda's Kinesis event source mapping for one function: polls every shard from TRIM_HORIZON (or
 * its saved checkpoint), collects batches up to the batch size or the batching window, invokes the
 * function with the real Kinesis event shape one batch per shard at a time, and honours
 * `batchItemFailures` (checkpoint before the lowest failed sequence number, retry from it), function
 * errors (retry, bisecting when enabled), MaximumRetryAttempts and MaximumRecordAgeInSeconds; batches it
 * gives up on go to the dead-letter file as the same metadata Lambda sends its on-failure destination.
 * ParallelizationFactor above 1 is not played: each shard runs one batch at a time.
 */
export class KinesisEventSourceMapping {
  private readonly abort = new AbortController();
  private readonly shards = new Map<string, Promise<void>>();
  private discovery: Promise<void> | undefined;

  constructor(private readonly options: EventSourceMappingOptions) {}

  start(): void {
    this.discovery = this.discoverShards();
  }

  /** Stops polling; a batch being processed finishes and is checkpointed first. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.discovery;
    await Promise.all(this.shards.values());
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async discoverShards(): Promise<void> {
    while (!this.stopped) {
      try {
        const { Shards = [] } = await this.options.kinesis.send(
          new ListShardsCommand({ StreamName: this.options.streamName }),
        );
        for (const shard of Shards) {
          const shardId = shard.ShardId as string;
          if (!this.shards.has(shardId)) this.shards.set(shardId, this.pollShard(shardId));
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      // New shards appear only when the stream is resharded: looking again now and then is enough.
      await sleep(10_000, this.abort.signal);
    }
  }

  private async iterator(shardId: string, after: string | undefined): Promise<string | undefined> {
    const { ShardIterator } = await this.options.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.options.streamName,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  private async pollShard(shardId: string): Promise<void> {
    const { kinesis, settings } = this.options;
    const key = CheckpointStore.key(this.options.streamName, shardId);
    const pollInterval = this.options.pollIntervalMs ?? 250;
    const windowMs = settings.maximumBatchingWindowSeconds * 1000;
    let lastRead = this.options.checkpoints.get(key);
    let iterator: string | undefined;
    let buffer: StreamRecord[] = [];
    let bufferSince = 0;
    while (!this.stopped) {
      try {
        iterator ??= await this.iterator(shardId, lastRead);
        if (!iterator) return;
        // Every pass ends with the buffer below the batch size, so there is always room to read into.
        const page = await kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: settings.batchSize - buffer.length }),
        );
        const records = page.Records ?? [];
        if (records.length > 0 && buffer.length === 0) bufferSince = Date.now();
        buffer.push(...records);
        lastRead = records.at(-1)?.SequenceNumber ?? lastRead;
        iterator = page.NextShardIterator;
        const full = buffer.length >= settings.batchSize;
        const windowOver = buffer.length > 0 && Date.now() - bufferSince >= windowMs;
        if (full || windowOver || (buffer.length > 0 && !iterator)) {
          const batch = this.cut(buffer);
          buffer = buffer.slice(batch.length);
          bufferSince = Date.now();
          await this.process(shardId, key, batch, settings.maximumRetryAttempts);
          continue;
        }
        if (!iterator) return; // a closed shard, fully read
        await sleep(pollInterval, this.abort.signal);
      } catch (error) {
        if (error instanceof ExpiredIteratorException) iterator = undefined;
        else if (!(error instanceof ProvisionedThroughputExceededException)) this.options.onError?.(error);
        await sleep(1000, this.abort.signal);
      }
    }
  }

  /** The first records of the buffer that fit one invocation: the batch size and the 6 MB payload. */
  private cut(buffer: StreamRecord[]): StreamRecord[] {
    let bytes = 0;
    let count = 0;
    for (const record of buffer.slice(0, this.options.settings.batchSize)) {
      bytes += Math.ceil(((record.Data?.length ?? 0) * 4) / 3) + RECORD_ENVELOPE_BYTES;
      if (count > 0 && bytes > MAX_INVOKE_PAYLOAD) break;
      count += 1;
    }
    return buffer.slice(0, count);
  }

  private kinesisEvent(shardId: string, records: StreamRecord[]) {
    return {
      Records: records.map((record) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: record.PartitionKey,
          sequenceNumber: record.SequenceNumber,
          data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
          approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${record.SequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-DispatcherFunctionRole`,
        awsRegion: LOCAL_REGION,
        eventSourceARN: this.options.streamArn,
      })),
    };
  }

  private async attempt(shardId: string, records: StreamRecord[]): Promise<Attempt> {
    const started = Date.now();
    const outcome = await this.options.invoke(this.kinesisEvent(shardId, records));
    const result = this.interpret(records, outcome);
    this.options.onBatch?.({
      shardId,
      size: records.length,
      failed:
        result.kind === 'ok' ? 0 : result.kind === 'partial' ? records.length - result.from : records.length,
      ms: Date.now() - started,
    });
    return result;
  }

  private interpret(records: StreamRecord[], outcome: InvokeOutcome): Attempt {
    if (!outcome.ok)
      return { kind: 'error', message: `${outcome.error.errorType}: ${outcome.error.errorMessage}` };
    if (!this.options.settings.reportBatchItemFailures) return { kind: 'ok' };
    const failures = (outcome.payload as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
      ?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { kind: 'ok' };
    const positions = failures.map((failure) =>
      records.findIndex((record) => record.SequenceNumber === failure?.itemIdentifier),
    );
    // Lambda treats an empty, null or unknown item identifier as a failure of the whole batch.
    if (positions.some((position) => position < 0)) return { kind: 'partial', from: 0 };
    return { kind: 'partial', from: Math.min(...positions) };
  }

  private async process(
    shardId: string,
    key: string,
    records: StreamRecord[],
    retries: number,
  ): Promise<void> {
    const { settings } = this.options;
    let batch = records;
    let retriesLeft = retries;
    for (let invokeCount = 1; ; invokeCount += 1) {
      const expired = this.expired(batch);
      if (expired.length > 0) {
        await this.deadLetter(shardId, expired, 'RecordAgeExceeded', invokeCount - 1, undefined);
        this.options.checkpoints.set(key, expired.at(-1)?.SequenceNumber as string);
        batch = batch.slice(expired.length);
        if (batch.length === 0) return;
      }
      const result = await this.attempt(shardId, batch);
      if (result.kind === 'ok') {
        this.options.checkpoints.set(key, batch.at(-1)?.SequenceNumber as string);
        return;
      }
      if (result.kind === 'partial' && result.from > 0) {
        this.options.checkpoints.set(key, batch[result.from - 1]?.SequenceNumber as string);
        batch = batch.slice(result.from);
      }
      if (retriesLeft === 0) {
        await this.deadLetter(shardId, batch, 'RetryAttemptsExhausted', invokeCount, result);
        this.options.checkpoints.set(key, batch.at(-1)?.SequenceNumber as string);
        return;
      }
      // Stopping mid-retry leaves the failed records after the checkpoint: the next start retries them.
      if (this.stopped) return;
      if (retriesLeft > 0) retriesLeft -= 1;
      if (result.kind === 'error' && settings.bisectBatchOnFunctionError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await this.process(shardId, key, batch.slice(0, half), retriesLeft);
        if (!this.stopped) await this.process(shardId, key, batch.slice(half), retriesLeft);
        return;
      }
      const base = this.options.retryBaseDelayMs ?? 200;
      await sleep(Math.min(5000, base * 2 ** (invokeCount - 1)), this.abort.signal);
      if (this.stopped) return;
    }
  }

  /** The leading records of the batch older than MaximumRecordAgeInSeconds. */
  private expired(batch: StreamRecord[]): StreamRecord[] {
    const maxAge = this.options.settings.maximumRecordAgeSeconds;
    if (maxAge < 0) return [];
    const cutoff = Date.now() - maxAge * 1000;
    const firstFresh = batch.findIndex(
      (record) => (record.ApproximateArrivalTimestamp?.getTime() ?? 0) >= cutoff,
    );
    return firstFresh < 0 ? batch : batch.slice(0, firstFresh);
  }

  /** The on-failure destination's message for a Kinesis source: batch metadata, never the records. */
  private async deadLetter(
    shardId: string,
    batch: StreamRecord[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    approximateInvokeCount: number,
    last: Attempt | undefined,
  ): Promise<void> {
    const first = batch[0];
    const final = batch.at(-1);
    await appendLine(this.options.deadLetterFile, {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.options.functionArn,
        condition,
        approximateInvokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(last?.kind === 'error' && { functionError: 'Unhandled' }),
      },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: final?.SequenceNumber,
        approximateArrivalOfFirstRecord: first?.ApproximateArrivalTimestamp?.toISOString(),
        approximateArrivalOfLastRecord: final?.ApproximateArrivalTimestamp?.toISOString(),
        batchSize: batch.length,
        streamArn: this.options.streamArn,
      },
    });
  }
}
