import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import aRecord from '../../events/dns-updater/a-record.json';
import type * as HandlerModule from '../../functions/dns-updater/handler';
import type * as VersionModule from '../../functions/lib/dns/report-version';
import { lambdaContext } from '../../local/api-gateway-events';
import { LOCAL_DNS_ZONE_ID, startRoute53Fake } from '../../local/fakes/route53';
import { createTable, type RunningEmulator, startDynalite } from '../support/emulators';

/*
 * Reports for one name arriving out of order, at once, or replayed long after: the real DNS updater with its
 * idempotency and report versions on dynalite and the local Route 53 stand-in. EventBridge has no emulator:
 * mocked.
 */

const TABLE = 'dns-report-order';
const NAME = 'nas.home.example.com';
const eventbridge = mockClient(EventBridgeClient);

let dynamodb: RunningEmulator;
let route53: { url: string; close(): Promise<void> };
let localDir: string;
let handler: (event: unknown, context: Context) => Promise<{ outcome: string; ip: string | null }>;
let versions: typeof VersionModule;

/** A report of `ip` for NAME, signed by its client at unix second `reportedAt`, under a fresh uuid. */
function report(ip: string, reportedAt: number) {
  const uuid = randomUUID();
  return {
    ...structuredClone(aRecord),
    id: uuid,
    receivedAt: new Date((reportedAt + 1) * 1000).toISOString(),
    payload: { ...aRecord.payload, uuid, ip },
    meta: { ...aRecord.meta, timestamp: String(reportedAt) },
  };
}

const run = (event: ReturnType<typeof report>) =>
  handler(structuredClone(event), lambdaContext('DnsUpdaterFunction'));

/** The address the A record holds now, as Route 53 lists it. */
async function addressNow(): Promise<string | undefined> {
  const client = new Route53Client({ endpoint: route53.url, region: 'us-east-1' });
  try {
    const { ResourceRecordSets = [] } = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: LOCAL_DNS_ZONE_ID,
        StartRecordName: NAME,
        StartRecordType: 'A',
        MaxItems: 1,
      }),
    );
    const set = ResourceRecordSets.find(
      (candidate) => candidate.Name === `${NAME}.` && candidate.Type === 'A',
    );
    return set?.ResourceRecords?.[0]?.Value;
  } finally {
    client.destroy();
  }
}

/** Drops every idempotency record, as the table's TTL does once their hour is up. Versions stay. */
async function expireIdempotencyRecords(): Promise<number> {
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint });
  try {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: TABLE }));
    const expiring = Items.filter((item) => item.expiration !== undefined);
    for (const item of expiring) {
      await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: item.id as { S: string } } }));
    }
    return expiring.length;
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  dynamodb = await startDynalite();
  await createTable(dynamodb.endpoint, TABLE);
  localDir = mkdtempSync(join(tmpdir(), 'dns-order-'));
  route53 = await startRoute53Fake(localDir, { zoneName: 'home.example.com', zoneId: LOCAL_DNS_ZONE_ID });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_ROUTE_53: route53.url,
    AWS_LAMBDA_FUNCTION_NAME: 'local-DnsUpdaterFunction',
    IDEMPOTENCY_TABLE: TABLE,
    EVENT_BUS_NAME: 'webhooks',
    DNS_HOSTED_ZONE_ID: LOCAL_DNS_ZONE_ID,
    DNS_ZONE_NAME: 'home.example.com',
    DNS_ALLOWED_NAMES: '*.home.example.com',
    DNS_RECORD_TTL: '60',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ handler } = require('../../functions/dns-updater/handler') as typeof HandlerModule);
  versions = require('../../functions/lib/dns/report-version') as typeof VersionModule;
});

afterAll(async () => {
  await route53.close();
  await dynamodb.stop();
  rmSync(localDir, { recursive: true, force: true });
});

beforeEach(() => {
  eventbridge.reset();
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

// Each test reports later times than the one before, so earlier tests' versions never decide a later one.
let clock = 1_780_000_000;
const later = () => {
  clock += 1000;
  return clock;
};

describe('DNS reports out of order (dynalite, local Route 53)', () => {
  it('keeps the newest address when the newest report is delivered first', async () => {
    const older = report('93.184.216.34', later());
    const newer = report('93.184.216.35', later());

    const first = await run(newer);
    const second = await run(older);

    expect(first.outcome).toBe('changed');
    expect(second.outcome).toBe('superseded');
    expect(await addressNow()).toBe('93.184.216.35');
  });

  it.each([
    ['older first', false],
    ['newer first', true],
  ])('keeps the newest address when both arrive in one batch (%s)', async (_label, newerFirst) => {
    const older = report('93.184.216.36', later());
    const newer = report('93.184.216.37', later());
    const batch = newerFirst ? [newer, older] : [older, newer];

    const results = await Promise.all(batch.map(run));

    expect(results.map((result) => result.outcome)).toContain('superseded');
    expect(await addressNow()).toBe('93.184.216.37');
  });

  it('corrects the record when an older report is written after a newer one was claimed', async () => {
    const older = report('93.184.216.38', later());
    const newer = report('93.184.216.39', later());
    // Between the older report's claim and its write to Route 53, the newer report runs from start to end.
    const claim = versions.ReportVersions.prototype.claim;
    const spy = jest.spyOn(versions.ReportVersions.prototype, 'claim').mockImplementationOnce(async function (
      this: VersionModule.ReportVersions,
      record,
      version,
    ) {
      const outcome = await claim.call(this, record, version);
      spy.mockRestore();
      await run(newer);
      return outcome;
    });

    const result = await run(older);

    expect(result.outcome).toBe('superseded');
    expect(await addressNow()).toBe('93.184.216.39');
  });

  it('changes nothing when an old report is replayed after its idempotency record expired', async () => {
    const older = report('93.184.216.40', later());
    const newer = report('93.184.216.41', later());
    await run(older);
    await run(newer);

    expect(await expireIdempotencyRecords()).toBeGreaterThan(0);
    const replayed = await run(older);

    expect(replayed.outcome).toBe('superseded');
    expect(await addressNow()).toBe('93.184.216.41');
  });

  it('applies the newest report again when it is replayed, finding the record already holding it', async () => {
    const newest = report('93.184.216.42', later());
    await run(newest);
    await expireIdempotencyRecords();

    const replayed = await run(newest);

    expect(replayed.outcome).toBe('unchanged');
    expect(await addressNow()).toBe('93.184.216.42');
  });
});
