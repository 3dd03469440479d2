import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { dynamodbClient } from '../clients/dynamodb';
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
const LEASE_KEY = { hook: { S: '#lease' }, entry: { S: '#lease' } };

type Item = Record<string, AttributeValue>;

const epochSeconds = (ms: number) => ({ N: String(Math.floor(ms / 1000)) });

export class LedgerStore {
  constructor(private readonly tableName: string) {}

  async load(hook: string, now: number): Promise<HookLedger> {
    const ledger: HookLedger = { entries: new Map() };
    let startKey: Item | undefined;
    do {
      const page = await dynamodbClient.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#hook = :hook',
          ExpressionAttributeNames: { '#hook': 'hook' },
          ExpressionAttributeValues: { ':hook': { S: hook } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        // TTL deletion lags; an expired item is already gone as far as this code is concerned.
        if (Number(item.expiresAt?.N ?? Number.POSITIVE_INFINITY) * 1000 <= now) continue;
        if (item.entry?.S === 'cursor') ledger.cursor = Number(item.deliveredAt?.N);
        else if (item.entry?.S?.startsWith('guid#')) {
          const entry = fromItem(item);
          ledger.entries.set(entry.guid, entry);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ledger;
  }

  async saveCursor(hook: string, deliveredAt: number, now: number): Promise<void> {
    await dynamodbClient.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          hook: { S: hook },
          entry: { S: 'cursor' },
          deliveredAt: { N: String(deliveredAt) },
          updatedAt: { N: String(now) },
          expiresAt: epochSeconds(now + CURSOR_TTL_MS),
        },
      }),
    );
  }

  async putEntry(hook: string, entry: PendingDelivery): Promise<void> {
    await dynamodbClient.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(hook, entry) }));
  }

  /** Writes and deletes in batches of 25, re-sending what DynamoDB left unprocessed. */
  async saveEntries(
    hook: string,
    put: readonly PendingDelivery[],
    removed: readonly string[],
  ): Promise<void> {
    const requests: WriteRequest[] = [
      ...put.map((entry) => ({ PutRequest: { Item: toItem(hook, entry) } })),
      ...removed.map((guid) => ({
        DeleteRequest: { Key: { hook: { S: hook }, entry: { S: `guid#${guid}` } } },
      })),
    ];
    for (let start = 0; start < requests.length; start += 25) {
      let batch = requests.slice(start, start + 25);
      for (let attempt = 0; batch.length > 0; attempt += 1) {
        if (attempt === 5) throw new Error(`DynamoDB left ${batch.length} redelivery entries unwritten`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        const result = await dynamodbClient.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: batch } }),
        );
        batch = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  /**
   * One run at a time: a run that overlaps another (a slow run, a manual invoke) would list and redeliver
   * the same guids twice. The lease expires by itself if its holder dies.
   */
  async acquireLease(owner: string, until: number, now: number): Promise<boolean> {
    try {
      await dynamodbClient.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...LEASE_KEY,
            owner: { S: owner },
            until: { N: String(until) },
            expiresAt: epochSeconds(until),
          },
          ConditionExpression: 'attribute_not_exists(#hook) OR #until < :now',
          ExpressionAttributeNames: { '#hook': 'hook', '#until': 'until' },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseLease(owner: string): Promise<void> {
    try {
      await dynamodbClient.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function toItem(hook: string, entry: PendingDelivery): Item {
  const item: Item = {
    hook: { S: hook },
    entry: { S: `guid#${entry.guid}` },
    guid: { S: entry.guid },
    event: { S: entry.event },
    deliveryId: { S: entry.deliveryId },
    firstDeliveredAt: { N: String(entry.firstDeliveredAt) },
    redeliveries: { N: String(entry.redeliveries) },
    abandoned: { BOOL: entry.abandoned === true },
    expiresAt: epochSeconds(entry.firstDeliveredAt + ENTRY_TTL_MS),
  };
  if (entry.action !== null) item.action = { S: entry.action };
  if (entry.lastRedeliveredAt !== undefined) item.lastRedeliveredAt = { N: String(entry.lastRedeliveredAt) };
  if (entry.redeliveredAfterId !== undefined) item.redeliveredAfterId = { S: entry.redeliveredAfterId };
  return item;
}

function fromItem(item: Item): PendingDelivery {
  const entry: PendingDelivery = {
    guid: item.guid?.S ?? '',
    event: item.event?.S ?? '',
    action: item.action?.S ?? null,
    deliveryId: item.deliveryId?.S ?? '0',
    firstDeliveredAt: Number(item.firstDeliveredAt?.N ?? 0),
    redeliveries: Number(item.redeliveries?.N ?? 0),
  };
  if (item.lastRedeliveredAt?.N !== undefined) entry.lastRedeliveredAt = Number(item.lastRedeliveredAt.N);
  if (item.redeliveredAfterId?.S !== undefined) entry.redeliveredAfterId = item.redeliveredAfterId.S;
  if (item.abandoned?.BOOL) entry.abandoned = true;
  return entry;
}
