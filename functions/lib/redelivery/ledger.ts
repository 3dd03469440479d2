import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamodbDocumentClient } from '../clients/dynamodb';
import { RetriesExhausted, retrying } from '../retry';
import type { PendingDelivery } from './reconcile';

/**
 * Redelivery state in its own small table, partition key `hook` and sort key `entry`: per hook a `cursor`
 * item (newest `delivered_at` seen by a complete scan) and one `guid#<guid>` item per delivery still without
 * a successful attempt. One Query loads a hook's state; DynamoDB's TTL (`expiresAt`) removes entries once
 * GitHub itself has forgotten the delivery.
 */
export interface HookLedger {
  cursor?: number;
  entries: Map<string, PendingDelivery>;
}

const DAY = 86_400_000;
/** Entries outlive GitHub's 3-day retention by a day so a late rescan cannot resurrect one. */
const ENTRY_TTL_MS = 4 * DAY;
/** A hook left unwatched this long starts again from the lookback window. */
const CURSOR_TTL_MS = 30 * DAY;
const LEASE_KEY = { hook: '#lease', entry: '#lease' };

type Item = Record<string, unknown>;
type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/** DynamoDB's answer to a batch it did not finish: write the rest again, after a pause. */
class Unprocessed extends Error {
  constructor(readonly remaining: WriteRequest[]) {
    super(`DynamoDB left ${remaining.length} redelivery entries unwritten`);
  }
}
const UNPROCESSED_RETRY = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 1600, maxRetryAfterMs: 0 };

const isConditionFailure = (error: unknown) =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

export class LedgerStore {
  constructor(private readonly tableName: string) {}

  async load(hook: string, now: number): Promise<HookLedger> {
    const ledger: HookLedger = { entries: new Map() };
    let startKey: Item | undefined;
    do {
      const page = await dynamodbDocumentClient.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#hook = :hook',
          ExpressionAttributeNames: { '#hook': 'hook' },
          ExpressionAttributeValues: { ':hook': hook },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        // TTL deletion lags; an expired item is already gone as far as this code is concerned.
        if (Number(item.expiresAt ?? Number.POSITIVE_INFINITY) * 1000 <= now) continue;
        const entry = String(item.entry ?? '');
        if (entry === 'cursor') ledger.cursor = Number(item.deliveredAt);
        else if (entry.startsWith('guid#')) {
          const entry = fromItem(item);
          ledger.entries.set(entry.guid, entry);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ledger;
  }

  async saveCursor(hook: string, deliveredAt: number, now: number): Promise<void> {
    await dynamodbDocumentClient.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          hook,
          entry: 'cursor',
          deliveredAt,
          updatedAt: now,
          expiresAt: epochSeconds(now + CURSOR_TTL_MS),
        },
      }),
    );
  }

  async putEntry(hook: string, entry: PendingDelivery): Promise<void> {
    await dynamodbDocumentClient.send(
      new PutCommand({ TableName: this.tableName, Item: toItem(hook, entry) }),
    );
  }

  /** Writes and deletes in batches of 25, re-sending what DynamoDB left unprocessed. */
  async saveEntries(
    hook: string,
    put: readonly PendingDelivery[],
    removed: readonly string[],
  ): Promise<void> {
    const requests: WriteRequest[] = [
      ...put.map((entry) => ({ PutRequest: { Item: toItem(hook, entry) } })),
      ...removed.map((guid) => ({ DeleteRequest: { Key: { hook, entry: `guid#${guid}` } } })),
    ];
    for (let start = 0; start < requests.length; start += 25) {
      let batch = requests.slice(start, start + 25);
      try {
        await retrying(
          async () => {
            const result = await dynamodbDocumentClient.send(
              new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }),
            );
            batch = result.UnprocessedItems?.[this.tableName] ?? [];
            if (batch.length > 0) throw new Unprocessed(batch);
          },
          UNPROCESSED_RETRY,
          { isRetryable: (error) => error instanceof Unprocessed },
        );
      } catch (error) {
        throw error instanceof RetriesExhausted ? error.cause : error;
      }
    }
  }

  /**
   * One run at a time: a run that overlaps another (a slow run, a manual invoke) would list and redeliver
   * the same guids twice. The lease expires by itself if its holder dies.
   */
  async acquireLease(owner: string, until: number, now: number): Promise<boolean> {
    try {
      await dynamodbDocumentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...LEASE_KEY, owner, until, expiresAt: epochSeconds(until) },
          ConditionExpression: 'attribute_not_exists(#hook) OR #until < :now',
          ExpressionAttributeNames: { '#hook': 'hook', '#until': 'until' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async releaseLease(owner: string): Promise<void> {
    try {
      await dynamodbDocumentClient.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function toItem(hook: string, entry: PendingDelivery): Item {
  return {
    hook,
    entry: `guid#${entry.guid}`,
    guid: entry.guid,
    event: entry.event,
    deliveryId: entry.deliveryId,
    firstDeliveredAt: entry.firstDeliveredAt,
    redeliveries: entry.redeliveries,
    abandoned: entry.abandoned === true,
    expiresAt: epochSeconds(entry.firstDeliveredAt + ENTRY_TTL_MS),
    ...(entry.action !== null && { action: entry.action }),
    ...(entry.lastRedeliveredAt !== undefined && { lastRedeliveredAt: entry.lastRedeliveredAt }),
    ...(entry.redeliveredAfterId !== undefined && { redeliveredAfterId: entry.redeliveredAfterId }),
  };
}

function fromItem(item: Item): PendingDelivery {
  const entry: PendingDelivery = {
    guid: String(item.guid ?? ''),
    event: String(item.event ?? ''),
    action: typeof item.action === 'string' ? item.action : null,
    deliveryId: String(item.deliveryId ?? '0'),
    firstDeliveredAt: Number(item.firstDeliveredAt ?? 0),
    redeliveries: Number(item.redeliveries ?? 0),
  };
  if (item.lastRedeliveredAt !== undefined) entry.lastRedeliveredAt = Number(item.lastRedeliveredAt);
  if (typeof item.redeliveredAfterId === 'string') entry.redeliveredAfterId = item.redeliveredAfterId;
  if (item.abandoned === true) entry.abandoned = true;
  return entry;
}
