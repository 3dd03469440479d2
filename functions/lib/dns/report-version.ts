import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodbDocumentClient } from '../clients/dynamodb';
import type { RecordType } from './addresses';

/**
 * The last report applied to one record (name and type): when the client signed it (its X-Timestamp, in
 * unix seconds), which request it was, and the address it reported.
 */
export interface ReportVersion {
  reportedAt: number;
  uuid: string;
  ip: string;
}

export interface RecordKey {
  name: string;
  type: RecordType;
}

export interface ReportVersionStore {
  claim(record: RecordKey, version: ReportVersion): Promise<'claimed' | 'superseded'>;
  latest(record: RecordKey): Promise<ReportVersion | undefined>;
}

/** The item's key in the shared idempotency table; the prefix keeps it apart from idempotency records. */
export const REPORT_VERSION_PREFIX = 'dns-version';

const itemId = (record: RecordKey) => `${REPORT_VERSION_PREFIX}#${record.name}#${record.type}`;

/**
 * The version of every dynamic-DNS record, kept so that an older report can never overwrite a newer one,
 * whatever order reports arrive in and however late (a retry, a redelivery, a replay from the lake years on).
 * The items carry no `expiration`, so the table's TTL never removes them: one small item per name and type.
 */
export class ReportVersions implements ReportVersionStore {
  constructor(private readonly tableName: string) {}

  /**
   * Records `version` as the one to apply, unless the record already has a newer one: a conditional write,
   * so of two reports written at once only one can win. At the same second the later write wins, so a
   * retry or replay of the newest report goes through again (and finds the record already holding it).
   */
  async claim(record: RecordKey, version: ReportVersion): Promise<'claimed' | 'superseded'> {
    try {
      await dynamodbDocumentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: itemId(record), ...version },
          ConditionExpression: 'attribute_not_exists(id) OR reportedAt <= :reportedAt',
          ExpressionAttributeValues: { ':reportedAt': version.reportedAt },
        }),
      );
      return 'claimed';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'superseded';
      throw error;
    }
  }

  /** The newest claimed version (strongly consistent: it must see a claim made a moment ago). */
  async latest(record: RecordKey): Promise<ReportVersion | undefined> {
    const { Item } = await dynamodbDocumentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { id: itemId(record) }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { reportedAt: Number(Item.reportedAt), uuid: String(Item.uuid), ip: String(Item.ip) };
  }
}

export const sameVersion = (a: ReportVersion, b: ReportVersion) =>
  a.reportedAt === b.reportedAt && a.uuid === b.uuid;
