import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type * as RecordsModule from '../../functions/lib/dns/records';
import { LOCAL_DNS_ZONE_ID, startRoute53Fake, type ZoneFile } from '../../local/fakes/route53';

const zone = { zoneName: 'home.example.com', zoneId: LOCAL_DNS_ZONE_ID };
let localDir: string;
let fake: { url: string; close(): Promise<void> };
let client: Route53Client;

const upsert = (Name: string, Type: 'A' | 'AAAA' | 'CNAME', Value: string, TTL = 60): Change => ({
  Action: 'UPSERT',
  ResourceRecordSet: { Name, Type, TTL, ResourceRecords: [{ Value }] },
});
const change = (changes: Change[], HostedZoneId = LOCAL_DNS_ZONE_ID) =>
  client.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId, ChangeBatch: { Comment: 'test', Changes: changes } }),
  );
const zoneFile = (): ZoneFile =>
  JSON.parse(readFileSync(join(localDir, 'route53', 'home.example.com.json'), 'utf8'));

beforeEach(async () => {
  localDir = mkdtempSync(join(tmpdir(), 'route53-fake-'));
  fake = await startRoute53Fake(localDir, zone);
  client = new Route53Client({ endpoint: fake.url, maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await fake.close();
  rmSync(localDir, { recursive: true, force: true });
});

describe('Route 53 fake, through the real Route53Client (REST-XML)', () => {
  it('starts a zone with its SOA and NS records, in the contract file', async () => {
    const listing = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: `/hostedzone/${LOCAL_DNS_ZONE_ID}` }),
    );

    expect(listing.ResourceRecordSets?.map((set) => `${set.Name} ${set.Type}`)).toEqual([
      'home.example.com. NS',
      'home.example.com. SOA',
    ]);
    expect(zoneFile().HostedZone).toEqual({
      Id: `/hostedzone/${LOCAL_DNS_ZONE_ID}`,
      Name: 'home.example.com.',
    });
  });

  it('round-trips an UPSERT: change info back, record listed from its name and type, file updated', async () => {
    const result = await change([upsert('NAS.home.example.com', 'A', '93.184.216.34', 120)]);
    const listing = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: LOCAL_DNS_ZONE_ID,
        StartRecordName: 'nas.home.example.com',
        StartRecordType: 'A',
        MaxItems: 1,
      }),
    );

    expect(result.ChangeInfo).toMatchObject({
      Id: expect.stringMatching(/^\/change\/C[0-9A-F]+$/),
      Status: 'INSYNC',
      Comment: 'test',
    });
    expect(result.ChangeInfo?.SubmittedAt).toBeInstanceOf(Date);
    expect(listing.ResourceRecordSets).toEqual([
      { Name: 'nas.home.example.com.', Type: 'A', TTL: 120, ResourceRecords: [{ Value: '93.184.216.34' }] },
    ]);
    expect(zoneFile().ResourceRecordSets).toContainEqual({
      Name: 'nas.home.example.com.',
      Type: 'A',
      TTL: 120,
      ResourceRecords: [{ Value: '93.184.216.34' }],
    });
  });

  it('lists from the start point in Route 53 order and pages with IsTruncated', async () => {
    await change([
      upsert('b.home.example.com', 'A', '93.184.216.35'),
      upsert('a.home.example.com', 'AAAA', '2001:db8::1'),
    ]);
    await change([upsert('a.home.example.com', 'A', '93.184.216.34')]);

    const page = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: LOCAL_DNS_ZONE_ID,
        StartRecordName: 'a.home.example.com',
        MaxItems: 2,
      }),
    );

    expect(page.ResourceRecordSets?.map((set) => `${set.Name} ${set.Type}`)).toEqual([
      'a.home.example.com. A',
      'a.home.example.com. AAAA',
    ]);
    expect(page).toMatchObject({
      IsTruncated: true,
      NextRecordName: 'b.home.example.com.',
      NextRecordType: 'A',
    });
  });

  it('replaces the record set on a second UPSERT', async () => {
    await change([upsert('nas.home.example.com', 'A', '93.184.216.34')]);
    await change([upsert('nas.home.example.com', 'A', '93.184.216.99')]);

    const records = zoneFile().ResourceRecordSets.filter((set) => set.Name === 'nas.home.example.com.');
    expect(records).toEqual([
      { Name: 'nas.home.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '93.184.216.99' }] },
    ]);
  });

  it.each([
    ['a name outside the zone', [upsert('nas.example.org', 'A', '93.184.216.34')], 'not permitted in zone'],
    [
      'an A record holding an IPv6 address',
      [upsert('nas.home.example.com', 'A', '2001:db8::1')],
      'Invalid Resource Record',
    ],
  ])('answers InvalidChangeBatch for %s, changing nothing', async (_case, changes, message) => {
    const before = zoneFile();

    await expect(change(changes)).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: expect.stringContaining(message),
    });
    expect(zoneFile()).toEqual(before);
  });

  it('answers InvalidChangeBatch for a record that conflicts with a CNAME', async () => {
    await change([upsert('www.home.example.com', 'CNAME', 'nas.home.example.com')]);

    await expect(change([upsert('www.home.example.com', 'A', '93.184.216.34')])).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
    });
  });

  it('answers NoSuchHostedZone for another zone id', async () => {
    await expect(
      change([upsert('nas.home.example.com', 'A', '93.184.216.34')], 'Z9OTHER'),
    ).rejects.toMatchObject({
      name: 'NoSuchHostedZone',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('keeps the zone across a restart', async () => {
    await change([upsert('nas.home.example.com', 'A', '93.184.216.34')]);
    await fake.close();
    fake = await startRoute53Fake(localDir, zone);
    client.destroy();
    client = new Route53Client({ endpoint: fake.url, maxAttempts: 1 });

    const listing = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: LOCAL_DNS_ZONE_ID,
        StartRecordName: 'nas.home.example.com',
        StartRecordType: 'A',
        MaxItems: 1,
      }),
    );

    expect(listing.ResourceRecordSets?.[0]?.ResourceRecords).toEqual([{ Value: '93.184.216.34' }]);
  });

  it('serves the updater domain code through the standard endpoint setting: changed, then unchanged', async () => {
    process.env.AWS_ENDPOINT_URL_ROUTE_53 = fake.url;
    // Loaded only now: the module-scope client reads the endpoint setting when it is created.
    const { ensureAddressRecord } = require('../../functions/lib/dns/records') as typeof RecordsModule;
    const target = {
      hostedZoneId: LOCAL_DNS_ZONE_ID,
      name: 'nas.home.example.com',
      type: 'AAAA' as const,
      value: '2606:2800:220:1:248:1893:25c8:1946',
      ttl: 60,
    };

    const first = await ensureAddressRecord(target, 'ddns first');
    const second = await ensureAddressRecord(target, 'ddns second');

    expect(first).toEqual({ outcome: 'changed', changeId: expect.stringMatching(/^\/change\//) });
    expect(second).toEqual({ outcome: 'unchanged' });
    expect(zoneFile().ResourceRecordSets).toContainEqual({
      Name: 'nas.home.example.com.',
      Type: 'AAAA',
      TTL: 60,
      ResourceRecords: [{ Value: target.value }],
    });
  });
});
