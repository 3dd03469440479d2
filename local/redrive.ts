import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * What Lambda's Kinesis event source mapping sends to its on-failure destination: metadata about the
 * discarded batch, never the records themselves.
 */
export interface DiscardedBatch {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
  batchSize: number;
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
}

export class UnreadableFailureRecord extends Error {
  override readonly name = 'UnreadableFailureRecord';
}

export function parseFailureRecord(body: string): DiscardedBatch {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UnreadableFailureRecord('message is not JSON');
  }
  const info = (parsed as { KinesisBatchInfo?: Partial<DiscardedBatch> } | null)?.KinesisBatchInfo;
  if (!info?.shardId || !info.startSequenceNumber || !info.endSequenceNumber || !info.streamArn) {
    throw new UnreadableFailureRecord('message has no KinesisBatchInfo with shard and sequence range');
  }
  return {
    shardId: info.shardId,
    startSequenceNumber: info.startSequenceNumber,
    endSequenceNumber: info.endSequenceNumber,
    streamArn: info.streamArn,
    batchSize: info.batchSize ?? 0,
    ...(info.approximateArrivalOfFirstRecord && {
      approximateArrivalOfFirstRecord: info.approximateArrivalOfFirstRecord,
    }),
    ...(info.approximateArrivalOfLastRecord && {
      approximateArrivalOfLastRecord: info.approximateArrivalOfLastRecord,
    }),
  };
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` -> name (kinesalite takes names, not ARNs). */
export function streamName(streamArn: string): string {
  const name = streamArn.split(':stream/')[1];
  if (!name) throw new UnreadableFailureRecord(`not a Kinesis stream ARN: ${streamArn}`);
  return name;
}

export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
}

/** The batch's records are no longer on the stream (past its retention): replay them from the lake. */
export class RecordsExpired extends Error {
  override readonly name = 'RecordsExpired';
}

/**
 * Reads the discarded batch's records back from its shard, from its first sequence number to its last.
 * Sequence numbers are decimal strings too long for a double: they are compared as BigInt.
 */
export async function fetchBatch(
  kinesis: KinesisClient,
  batch: DiscardedBatch,
  maxReads = 1000,
): Promise<StreamRecord[]> {
  const end = BigInt(batch.endSequenceNumber);
  let iterator: string | undefined;
  try {
    const answer = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName(batch.streamArn),
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: batch.startSequenceNumber,
      }),
    );
    iterator = answer.ShardIterator;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'InvalidArgumentException' || name === 'ResourceNotFoundException') {
      throw new RecordsExpired(`shard ${batch.shardId} no longer holds ${batch.startSequenceNumber}`, {
        cause: error,
      });
    }
    throw error;
  }
  const records: StreamRecord[] = [];
  for (let reads = 0; iterator && reads < maxReads; reads++) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    for (const record of page.Records ?? []) {
      if (!record.SequenceNumber || !record.PartitionKey || !record.Data) continue;
      if (BigInt(record.SequenceNumber) > end) return checked(records, batch);
      records.push({
        sequenceNumber: record.SequenceNumber,
        partitionKey: record.PartitionKey,
        data: record.Data,
      });
    }
    if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
    iterator = page.NextShardIterator;
  }
  return checked(records, batch);
}

function checked(records: StreamRecord[], batch: DiscardedBatch): StreamRecord[] {
  if (records[0]?.sequenceNumber !== batch.startSequenceNumber) {
    throw new RecordsExpired(`first record ${batch.startSequenceNumber} of shard ${batch.shardId} is gone`);
  }
  return records;
}

/** Re-puts records in their original order; each put is ordered after the previous one of its key. */
export async function reput(
  kinesis: KinesisClient,
  streamArn: string,
  records: StreamRecord[],
): Promise<void> {
  const lastByKey = new Map<string, string>();
  for (const record of records) {
    const previous = lastByKey.get(record.partitionKey);
    const answer = await kinesis.send(
      new PutRecordCommand({
        StreamName: streamName(streamArn),
        PartitionKey: record.partitionKey,
        Data: record.data,
        ...(previous && { SequenceNumberForOrdering: previous }),
      }),
    );
    if (answer.SequenceNumber) lastByKey.set(record.partitionKey, answer.SequenceNumber);
  }
}

/** One message of a dead-letter source (the SQS queue, or the local pipeline's dlq.ndjson). */
export interface FailureMessage {
  id: string;
  body: string;
  /** Removes the message; called only after its records are back on the stream. */
  remove(): Promise<void>;
}

/** Messages of the dead-letter queue, received with a visibility timeout long enough to redrive them. */
export async function* queueMessages(
  sqs: SQSClient,
  queueUrl: string,
  max: number,
): AsyncIterable<FailureMessage> {
  let seen = 0;
  while (seen < max) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
      }),
    );
    const messages = page.Messages ?? [];
    if (messages.length === 0) return;
    for (const message of messages) {
      if (seen++ >= max) return;
      yield {
        id: message.MessageId ?? '?',
        body: message.Body ?? '',
        remove: async () => {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        },
      };
    }
  }
}

export interface RedriveOutcome {
  messages: number;
  redriven: number;
  records: number;
  /** Messages whose records had left the stream and were recovered by replaying their window from the lake. */
  recoveredFromLake: number;
  expired: Array<{ id: string; replay: string }>;
  unreadable: string[];
  failed: Array<{ id: string; error: string }>;
}

/** The time window of a discarded batch, widened to cover the difference between ingest and arrival. */
export interface ReplayWindow {
  since: Date;
  until: Date;
  streamName: string;
}

export interface RedriveOptions {
  dryRun: boolean;
  onProgress?: (line: string) => void;
  /**
   * Recovers a batch that left the stream by replaying its window from the lake; resolves to the count of
   * events put and failed. Without it, such a message is kept and the replay command is reported.
   */
  recoverFromLake?: (window: ReplayWindow) => Promise<{ put: number; failed: number }>;
}

/**
 * Puts every discarded batch back on the stream. A message is deleted only after all its records were
 * re-put. When its records have left the stream, the batch's time window is replayed from the lake if a
 * lake is given (replay is idempotent downstream, so a whole window is safe to replay); otherwise the
 * message is kept and reported with the replay command that recovers it.
 */
export async function redrive(
  kinesis: KinesisClient,
  messages: AsyncIterable<FailureMessage>,
  options: RedriveOptions,
): Promise<RedriveOutcome> {
  const outcome: RedriveOutcome = {
    messages: 0,
    redriven: 0,
    records: 0,
    recoveredFromLake: 0,
    expired: [],
    unreadable: [],
    failed: [],
  };
  for await (const message of messages) {
    outcome.messages++;
    let batch: DiscardedBatch;
    try {
      batch = parseFailureRecord(message.body);
    } catch {
      outcome.unreadable.push(message.id);
      continue;
    }
    try {
      const records = await fetchBatch(kinesis, batch);
      if (!options.dryRun) {
        await reput(kinesis, batch.streamArn, records);
        await message.remove();
      }
      outcome.redriven++;
      outcome.records += records.length;
      options.onProgress?.(
        `${options.dryRun ? 'would redrive' : 'redrove'} ${records.length} records of ${batch.shardId}`,
      );
    } catch (error) {
      if (error instanceof RecordsExpired) {
        try {
          if (await recover(batch, message, options)) outcome.recoveredFromLake++;
          else outcome.expired.push({ id: message.id, replay: replayCommand(batch) });
        } catch (cause) {
          outcome.failed.push({ id: message.id, error: `lake replay failed: ${(cause as Error).message}` });
        }
      } else {
        outcome.failed.push({ id: message.id, error: (error as Error).message });
      }
    }
  }
  return outcome;
}

/**
 * Replays an expired batch's window from the lake and removes its message once every event was put.
 * False when there is no lake, no arrival times, a dry run, or the replay left failures.
 */
async function recover(
  batch: DiscardedBatch,
  message: FailureMessage,
  options: RedriveOptions,
): Promise<boolean> {
  const window = replayWindow(batch);
  if (!options.recoverFromLake || !window || options.dryRun) return false;
  const replayed = await options.recoverFromLake(window);
  if (replayed.failed > 0) return false;
  await message.remove();
  options.onProgress?.(`replayed ${replayed.put} events of ${batch.shardId} from the lake`);
  return true;
}

/** Ingest time and stream arrival differ by milliseconds: a minute either side covers the whole batch. */
const REPLAY_MARGIN_MS = 60_000;

function replayWindow(batch: DiscardedBatch): ReplayWindow | undefined {
  const first = Date.parse(batch.approximateArrivalOfFirstRecord ?? '');
  const last = Date.parse(batch.approximateArrivalOfLastRecord ?? '');
  if (Number.isNaN(first) || Number.isNaN(last)) return undefined;
  return {
    since: new Date(first - REPLAY_MARGIN_MS),
    until: new Date(last + REPLAY_MARGIN_MS),
    streamName: streamName(batch.streamArn),
  };
}

function replayCommand(batch: DiscardedBatch): string {
  const window = replayWindow(batch);
  const since = window?.since.toISOString() ?? '<first arrival>';
  const until = window?.until.toISOString() ?? '<last arrival>';
  return `npm run replay -- --from s3://<lake bucket>/events/ --since ${since} --until ${until}`;
}
