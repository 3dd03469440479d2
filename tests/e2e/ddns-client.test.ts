import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialHeaders } from '../../local/credentials';
import { DEV_SECRETS } from '../../local/dev-secrets';
import { LOCAL_DNS_ZONE_ID, type ZoneFile } from '../../local/fakes/route53';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline';
import { buildAll } from '../../scripts/build';
import { reportAddress } from '../../scripts/ddns-client';

// The client, driven as a user would, through the whole local pipeline: API Gateway player, authorizer,
// ingest, Kinesis, dispatcher, the real workflow, the DNS updater, and the Route 53 and EventBridge fakes.
let pipeline: LocalPipeline;
let localDir: string;

const zoneName = 'home.example.com';
const zonePath = () => join(localDir, 'route53', `${zoneName}.json`);
const zone = (): ZoneFile => JSON.parse(readFileSync(zonePath(), 'utf8'));
const busEntries = (): Array<{ Source?: string; DetailType?: string; Detail?: string }> => {
  const path = join(localDir, 'eventbridge', 'webhooks.ndjson');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
};
const dnsResults = () =>
  busEntries()
    .filter((entry) => entry.Source === 'webhooks.dns' && entry.DetailType === 'DNS Update Result')
    .map((entry) => JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>);

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const report = (domain: string, ip: string) =>
  reportAddress({
    url: `${pipeline.url}/webhooks/ddns`,
    domain,
    ip,
    echoUrl: 'http://127.0.0.1:9/unused',
    secret: DEV_SECRETS.ddns,
  });

/** A report signed at `secondsAgo` before now (inside the 300 s window), as a client that sent it then. */
async function reportSignedAt(domain: string, ip: string, secondsAgo: number): Promise<string> {
  const uuid = randomUUID();
  const body = JSON.stringify({ ip, domain, uuid });
  const response = await fetch(`${pipeline.url}/webhooks/ddns`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...credentialHeaders('ddns', body, DEV_SECRETS.ddns, new Date(Date.now() - secondsAgo * 1000)),
    },
  });
  expect(response.status).toBe(202);
  return uuid;
}

const outcomeOf = (uuid: string) =>
  eventually(() => dnsResults().find((detail) => detail.uuid === uuid)?.outcome, `the result of ${uuid}`);
const addressOf = (name: string) =>
  zone().ResourceRecordSets.find((set) => set.Name === `${name}.` && set.Type === 'A')?.ResourceRecords?.[0]
    ?.Value;

beforeAll(async () => {
  if (!existsSync(join(__dirname, '../../dist/DnsUpdaterFunction/handler.js'))) await buildAll();
  localDir = mkdtempSync(join(tmpdir(), 'ddns-e2e-'));
  pipeline = await startLocalPipeline({
    port: 0,
    localDir,
    persist: false,
    env: { PATH: process.env.PATH, DNS_ZONE: zoneName },
    pollIntervalMs: 50,
    mapping: { maximumBatchingWindowSeconds: 0 },
    onError: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  rmSync(localDir, { recursive: true, force: true });
});

describe('ddns client through the local pipeline', () => {
  it('points the name at the reported address in the local zone, and publishes "changed"', async () => {
    const result = await report('nas.home.example.com', '93.184.216.34');

    expect(result).toMatchObject({ ok: true, status: 202 });
    const record = await eventually(
      () => zone().ResourceRecordSets.find((set) => set.Name === 'nas.home.example.com.' && set.Type === 'A'),
      'the A record',
    );
    expect(record).toEqual({
      Name: 'nas.home.example.com.',
      Type: 'A',
      TTL: 60,
      ResourceRecords: [{ Value: '93.184.216.34' }],
    });
    expect(zone().HostedZone.Id).toBe(`/hostedzone/${LOCAL_DNS_ZONE_ID}`);
    const published = await eventually(
      () => dnsResults().find((detail) => detail.uuid === result.uuid),
      'the result event',
    );
    expect(published).toEqual({
      uuid: result.uuid,
      domain: 'nas.home.example.com',
      ip: '93.184.216.34',
      recordType: 'A',
      outcome: 'changed',
      reason: 'record set to the reported address',
    });
  });

  it('reports the same address again as "unchanged", leaving the record as it was', async () => {
    const first = await report('pi.home.example.com', '2606:2800:220:1:248:1893:25c8:1946');
    // As a client does on its next run: after the first report was applied (reports of one name in one
    // batch run side by side, and each may find the record not yet set).
    await eventually(() => dnsResults().find((detail) => detail.uuid === first.uuid), 'the first result');
    const again = await report('pi.home.example.com', '2606:2800:220:1:248:1893:25c8:1946');

    const published = await eventually(
      () => dnsResults().find((detail) => detail.uuid === again.uuid),
      'the second result',
    );
    expect(published).toMatchObject({ outcome: 'unchanged', recordType: 'AAAA' });
    expect(zone().ResourceRecordSets.filter((set) => set.Name === 'pi.home.example.com.')).toHaveLength(1);
  });

  it.each([
    ['a name outside the allow-list', 'nas.example.org', '93.184.216.34', 'outside zone'],
    ['a private address', 'nas.home.example.com', '192.168.1.20', 'private'],
  ])('is refused with 422 at the door for %s, and nothing changes', async (_case, domain, ip, reason) => {
    const before = zone();

    const result = await report(domain, ip);

    expect(result).toMatchObject({ ok: false, status: 422, message: expect.stringContaining(reason) });
    expect(zone()).toEqual(before);
  });

  it('keeps the newest address when the newest report arrives first', async () => {
    const newer = await reportSignedAt('cam.home.example.com', '93.184.216.51', 10);
    expect(await outcomeOf(newer)).toBe('changed');
    const older = await reportSignedAt('cam.home.example.com', '93.184.216.50', 120);

    expect(await outcomeOf(older)).toBe('superseded');
    expect(addressOf('cam.home.example.com')).toBe('93.184.216.51');
  });

  it('keeps the newest address when two reports arrive together', async () => {
    const [older, newer] = await Promise.all([
      reportSignedAt('tv.home.example.com', '93.184.216.60', 120),
      reportSignedAt('tv.home.example.com', '93.184.216.61', 10),
    ]);

    const outcomes = [await outcomeOf(older), await outcomeOf(newer)];
    expect(outcomes).toContain('changed');
    expect(addressOf('tv.home.example.com')).toBe('93.184.216.61');
  });
});
