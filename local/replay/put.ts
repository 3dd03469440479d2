import {
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { partitionKey } from '../../functions/lib/envelope';
import type { ArchivedRecord } from './records';

/** Kinesis limits: 500 records and 5 MiB per PutRecords call, 1 MiB per record (data plus key). */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 5 * 1024 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;

/** The one call replay makes on Kinesis (a KinesisClient is one). */
export interface RecordPutter {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

export interface PutOptions {
  /** Attempts per record before it, and every later record of its partition key, counts as failed. */
  maxAttempts?: number;
  onProgress?: (progress: { put: number; failed: number }) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface PutOutcome {
  put: number;
  failed: number;
  /** Error codes of records given up on, with how often each occurred. */
  errors: Record<string, number>;
}

interface Pending {
  record: ArchivedRecord;
  data: Buffer;
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Re-puts records onto the stream keeping their order per partition key (`source:subject`). PutRecords
 * does not order a batch's records when some of them fail (a retried record would land after its
 * successors), so each call carries at most one record per key: the next one of each key, oldest first.
 * Keys advance in parallel; a key's next record waits until the previous one is on the stream.
 */
export async function putInOrder(
  kinesis: RecordPutter,
  streamName: string,
  records: ArchivedRecord[],
  options: PutOptions = {},
): Promise<PutOutcome> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  const outcome: PutOutcome = { put: 0, failed: 0, errors: {} };
  const queues = new Map<string, Pending[]>();
  for (const record of records) {
    const key = partitionKey(record.envelope);
    const queue = queues.get(key) ?? [];
    queue.push({ record, data: Buffer.from(record.text, 'utf8'), attempts: 0 });
    queues.set(key, queue);
  }

  const giveUp = (key: string, code: string) => {
    const dropped = queues.get(key)?.length ?? 0;
    outcome.failed += dropped;
    outcome.errors[code] = (outcome.errors[code] ?? 0) + dropped;
    queues.delete(key);
  };

  let backoffMs = 0;
  while (queues.size > 0) {
    const batch: Array<{ key: string; pending: Pending }> = [];
    let bytes = 0;
    const heads = [...queues].sort(([, a], [, b]) => headTime(a) - headTime(b));
    for (const [key, queue] of heads) {
      const pending = queue[0];
      if (!pending) continue;
      const size = pending.data.byteLength + Buffer.byteLength(key);
      if (size > MAX_RECORD_BYTES) {
        giveUp(key, 'RecordTooLarge');
        continue;
      }
      if (batch.length === MAX_BATCH_RECORDS || bytes + size > MAX_BATCH_BYTES) break;
      batch.push({ key, pending });
      bytes += size;
    }
    if (batch.length === 0) continue;

    const entries: PutRecordsRequestEntry[] = batch.map(({ key, pending }) => ({
      StreamName: streamName,
      PartitionKey: key,
      Data: pending.data,
    }));
    let results: Array<{ ErrorCode?: string }>;
    try {
      const response = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: entries }),
      );
      results = response.Records ?? [];
    } catch (error) {
      // The SDK already retried throttling and transient errors; every record of the call failed.
      const code = (error as { name?: string }).name ?? 'PutRecordsFailed';
      results = batch.map(() => ({ ErrorCode: code }));
    }

    let anyFailed = false;
    batch.forEach(({ key, pending }, index) => {
      const code = results[index]?.ErrorCode ?? (results[index] ? undefined : 'NoResult');
      if (code === undefined) {
        queues.get(key)?.shift();
        if (queues.get(key)?.length === 0) queues.delete(key);
        outcome.put += 1;
        return;
      }
      anyFailed = true;
      pending.attempts += 1;
      if (pending.attempts >= maxAttempts) giveUp(key, code);
    });
    options.onProgress?.({ put: outcome.put, failed: outcome.failed });
    backoffMs = anyFailed ? Math.min(Math.max(backoffMs * 2, 100), 5000) : 0;
    if (backoffMs > 0 && queues.size > 0) await sleep(backoffMs);
  }
  return outcome;
}

function headTime(queue: Pending[]): number {
  return queue[0]?.record.receivedAtMs ?? Number.POSITIVE_INFINITY;
}
