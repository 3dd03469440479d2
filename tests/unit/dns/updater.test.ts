import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import aRecord from '../../../events/dns-updater/a-record.json';
import aaaaRecord from '../../../events/dns-updater/aaaa-record.json';
import outsideZone from '../../../events/dns-updater/refused-outside-zone.json';
import privateAddress from '../../../events/dns-updater/refused-private-address.json';
import { ConfigError } from '../../../functions/lib/config';
import type { RecordKey, ReportVersion, ReportVersionStore } from '../../../functions/lib/dns/report-version';
import {
  loadUpdaterConfig,
  reportTime,
  type UpdaterConfig,
  updateDns,
} from '../../../functions/lib/dns/updater';
import { type Envelope, parseEnvelope } from '../../../functions/lib/envelope';

const route53 = mockClient(Route53Client);
const eventbridge = mockClient(EventBridgeClient);

const env = {
  DNS_HOSTED_ZONE_ID: 'Z0LOCALHOMEZONE',
  DNS_ZONE_NAME: 'home.example.com',
  DNS_ALLOWED_NAMES: '*.home.example.com',
  DNS_RECORD_TTL: '120',
  EVENT_BUS_NAME: 'webhooks',
  IDEMPOTENCY_TABLE: 'webhook-idempotency',
};

/**
 * Report versions in memory, with the DynamoDB store's rule (a claim wins unless the record has a newer
 * one): these tests are about Route 53 and the bus. tests/integration/dns-report-order.test.ts runs the
 * real store on dynalite.
 */
class VersionsInMemory implements ReportVersionStore {
  readonly items = new Map<string, ReportVersion>();
  async claim(record: RecordKey, version: ReportVersion) {
    const key = `${record.name}#${record.type}`;
    const current = this.items.get(key);
    if (current && current.reportedAt > version.reportedAt) return 'superseded' as const;
    this.items.set(key, version);
    return 'claimed' as const;
  }
  async latest(record: RecordKey) {
    return this.items.get(`${record.name}#${record.type}`);
  }
}

const config: UpdaterConfig = {
  ...loadUpdaterConfig(env),
  versions: new VersionsInMemory(),
};
const envelope = (fixture: unknown): Envelope => parseEnvelope(structuredClone(fixture));
const emptyListing = { ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 };

function publishedDetail(): Record<string, unknown> {
  const calls = eventbridge.commandCalls(PutEventsCommand);
  expect(calls).toHaveLength(1);
  const entry = calls[0]?.args[0].input.Entries?.[0];
  expect(entry).toMatchObject({
    EventBusName: 'webhooks',
    Source: 'webhooks.dns',
    DetailType: 'DNS Update Result',
  });
  return JSON.parse(entry?.Detail ?? '{}');
}

beforeEach(() => {
  (config.versions as VersionsInMemory).items.clear();
  route53.reset();
  eventbridge.reset();
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('updateDns', () => {
  it.each([
    ['an IPv4 address as an A record', aRecord, 'A', '93.184.216.34'],
    ['an IPv6 address as an AAAA record', aaaaRecord, 'AAAA', '2606:2800:220:1:248:1893:25c8:1946'],
  ])('publishes %s and emits "changed"', async (_case, fixture, recordType, ip) => {
    route53.on(ListResourceRecordSetsCommand).resolves(emptyListing);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C9', Status: 'PENDING', SubmittedAt: new Date() } });

    const result = await updateDns(envelope(fixture), config);

    expect(result).toMatchObject({ outcome: 'changed', recordType, ip, changeId: '/change/C9' });
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z0LOCALHOMEZONE',
      ChangeBatch: expect.objectContaining({
        Changes: [
          expect.objectContaining({
            ResourceRecordSet: expect.objectContaining({ Type: recordType, TTL: 120 }),
          }),
        ],
      }),
    });
    expect(publishedDetail()).toEqual({
      uuid: fixture.payload.uuid,
      domain: 'nas.home.example.com',
      ip,
      recordType,
      outcome: 'changed',
      reason: 'record set to the reported address',
    });
  });

  it('emits "unchanged" and sends no change when the record already holds the address', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: 'nas.home.example.com.', Type: 'A', TTL: 120, ResourceRecords: [{ Value: '93.184.216.34' }] },
      ],
      IsTruncated: false,
      MaxItems: 1,
    });

    const result = await updateDns(envelope(aRecord), config);

    expect(result.outcome).toBe('unchanged');
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 0);
    expect(publishedDetail()).toMatchObject({ outcome: 'unchanged', domain: 'nas.home.example.com' });
  });

  it.each([
    ['a private address', privateAddress, 'private range'],
    ['a name outside the zone', outsideZone, 'outside zone'],
  ])('refuses %s without touching Route 53, returns and emits "refused"', async (_case, fixture, reason) => {
    const result = await updateDns(envelope(fixture), config);

    expect(result).toMatchObject({
      outcome: 'refused',
      recordType: null,
      reason: expect.stringContaining(reason),
    });
    expect(route53.calls()).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({
      uuid: fixture.payload.uuid,
      domain: fixture.payload.domain,
      ip: fixture.payload.ip,
      outcome: 'refused',
    });
  });

  it('refuses a malformed payload and still reports the envelope id', async () => {
    const broken = envelope({ ...aRecord, payload: { domain: 'nas.home.example.com' } });

    const result = await updateDns(broken, config);

    expect(result).toEqual({
      uuid: aRecord.id,
      domain: 'nas.home.example.com',
      ip: null,
      recordType: null,
      outcome: 'refused',
      reason: '"uuid" must be a non-empty string',
    });
  });

  it('refuses an envelope whose id is not the request uuid (the idempotency key would be wrong)', async () => {
    const result = await updateDns(
      envelope({ ...aRecord, id: 'f00dfeed-0000-4000-8000-000000000000' }),
      config,
    );

    expect(result).toMatchObject({
      outcome: 'refused',
      reason: 'envelope id does not match the request uuid',
    });
    expect(route53.calls()).toHaveLength(0);
  });

  it('turns a change Route 53 will never accept into "refused" instead of an error', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(emptyListing);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(new InvalidChangeBatch({ message: '[conflicting CNAME]', $metadata: {} }));

    const result = await updateDns(envelope(aRecord), config);

    expect(result).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('conflicting CNAME'),
    });
    expect(publishedDetail()).toMatchObject({ outcome: 'refused', recordType: 'A' });
  });

  it('refuses everything while dynamic DNS is switched off', async () => {
    const off = loadUpdaterConfig({ EVENT_BUS_NAME: 'webhooks' });

    const result = await updateDns(envelope(aRecord), off);

    expect(result).toMatchObject({ outcome: 'refused', reason: 'dynamic DNS is not configured' });
    expect(route53.calls()).toHaveLength(0);
  });

  it('throws when the bus does not accept the result event, so the step is retried', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(emptyListing);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C9', Status: 'PENDING', SubmittedAt: new Date() } });
    eventbridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    await expect(updateDns(envelope(aRecord), config)).rejects.toThrow('InternalFailure');
  });
});

describe('loadUpdaterConfig', () => {
  it.each([
    [{ ...env, DNS_HOSTED_ZONE_ID: '' }, 'DNS_HOSTED_ZONE_ID'],
    [{ ...env, EVENT_BUS_NAME: '' }, 'EVENT_BUS_NAME'],
    [{ EVENT_BUS_NAME: 'webhooks', DNS_HOSTED_ZONE_ID: 'Z1' }, 'DNS_ZONE_NAME is empty'],
    [{ ...env, DNS_RECORD_TTL: '0' }, 'DNS_RECORD_TTL'],
    [{ ...env, DNS_RECORD_TTL: 'soon' }, 'DNS_RECORD_TTL'],
  ])('fails fast on %j', (bad, message) => {
    expect(() => loadUpdaterConfig(bad)).toThrow(ConfigError);
    expect(() => loadUpdaterConfig(bad)).toThrow(message);
  });

  it('defaults the TTL to 60 seconds', () => {
    expect(loadUpdaterConfig({ ...env, DNS_RECORD_TTL: undefined }).recordTtl).toBe(60);
  });
});

describe('reportTime', () => {
  it("is the client's signed X-Timestamp that ingest kept", () => {
    expect(reportTime(envelope(aRecord))).toBe(Number(aRecord.meta.timestamp));
  });

  it('falls back to when ingest accepted the report, for envelopes written before it kept the timestamp', () => {
    const { timestamp: _dropped, ...meta } = aRecord.meta;

    expect(reportTime(envelope({ ...aRecord, meta }))).toBe(
      Math.floor(Date.parse(aRecord.receivedAt) / 1000),
    );
  });

  it('refuses a report that has neither', async () => {
    const { timestamp: _dropped, ...meta } = aRecord.meta;
    const timeless = envelope({ ...aRecord, meta, receivedAt: 'yesterday' });

    const result = await updateDns(timeless, config);

    expect(result).toMatchObject({ outcome: 'refused', reason: 'the report has no time' });
    expect(route53.calls()).toHaveLength(0);
  });
});
