import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriorRequestNotComplete, Route53Client } from '@aws-sdk/client-route-53';
import { ROUTE53_RETRY, route53RetryStrategy } from '../../functions/lib/clients/route53';
import { ensureAddressRecord } from '../../functions/lib/dns/records';
import { LOCAL_DNS_ZONE_ID, startRoute53Fake } from '../../local/fakes/route53';
import { listen } from '../../local/servers';

/*
 * Route 53 errors are retried by the SDK's own retry strategy (clients/route53.ts), so these tests go
 * through the real client and its middleware: a proxy in front of the local Route 53 stand-in answers
 * the first requests with Route 53's own error documents, then lets requests through.
 */

type Scripted = { status: number; code: string } | 'pass';
const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const errorDocument = (code: string) =>
  `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
  `<Message>${code} (scripted)</Message></Error><RequestId>scripted</RequestId></ErrorResponse>`;
const PRIOR = { status: 400, code: 'PriorRequestNotComplete' };
const THROTTLED = { status: 400, code: 'Throttling' };

let localDir: string;
let fake: { url: string; close(): Promise<void> };
let proxyUrl: string;
let closeProxy: () => void;
/** What the proxy answers, per action (`list`, `change`), in turn; then every request passes. */
let script: Record<'list' | 'change', Scripted[]>;
const seen = { list: 0, change: 0 };

function proxy(request: IncomingMessage, response: ServerResponse) {
  const action = request.method === 'POST' ? 'change' : 'list';
  seen[action] += 1;
  const next = script[action].shift() ?? 'pass';
  if (next !== 'pass') {
    request.resume();
    response.writeHead(next.status, { 'content-type': 'text/xml' });
    response.end(errorDocument(next.code));
    return;
  }
  const target = new URL(request.url ?? '/', fake.url);
  const upstream = forward(target, { method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  request.pipe(upstream);
}

const target = {
  hostedZoneId: LOCAL_DNS_ZONE_ID,
  name: 'nas.home.example.com',
  type: 'A' as const,
  value: '93.184.216.34',
  ttl: 60,
};
const fastPolicy = { ...ROUTE53_RETRY, baseDelayMs: 1, maxDelayMs: 2 };
const client = () =>
  new Route53Client({
    endpoint: proxyUrl,
    region: 'us-east-1',
    retryStrategy: route53RetryStrategy(fastPolicy),
  });

beforeAll(async () => {
  localDir = mkdtempSync(join(tmpdir(), 'route53-retry-'));
  fake = await startRoute53Fake(localDir, { zoneName: 'home.example.com', zoneId: LOCAL_DNS_ZONE_ID });
  const server = createServer(proxy);
  proxyUrl = await listen(server);
  closeProxy = () => server.close();
});

afterAll(async () => {
  closeProxy();
  await fake.close();
  rmSync(localDir, { recursive: true, force: true });
});

beforeEach(() => {
  script = { list: [], change: [] };
  seen.list = 0;
  seen.change = 0;
});

describe('Route 53 retries (the SDK strategy, through the real client)', () => {
  it('retries PriorRequestNotComplete, then succeeds', async () => {
    script.change = [PRIOR, PRIOR];

    const outcome = await ensureAddressRecord({ ...target, value: '93.184.216.41' }, 'ddns 5', client());

    expect(outcome.outcome).toBe('changed');
    expect(seen.change).toBe(3);
  });

  it('retries throttling on the read and on the change', async () => {
    script.list = [THROTTLED];
    script.change = [THROTTLED];

    const outcome = await ensureAddressRecord({ ...target, value: '93.184.216.42' }, 'ddns 6', client());

    expect(outcome.outcome).toBe('changed');
    expect(seen.list).toBe(2);
    expect(seen.change).toBe(2);
  });

  it('gives up after the last attempt and throws the error, so the task can be retried later', async () => {
    script.change = Array(10).fill(PRIOR);

    await expect(
      ensureAddressRecord({ ...target, value: '93.184.216.43' }, 'ddns 7', client()),
    ).rejects.toThrow(PriorRequestNotComplete);
    expect(seen.change).toBe(ROUTE53_RETRY.maxAttempts);
  });

  it('does not retry other errors', async () => {
    script.list = [{ status: 404, code: 'NoSuchHostedZone' }];

    await expect(ensureAddressRecord(target, 'ddns 8', client())).rejects.toThrow(/NoSuchHostedZone/);
    expect(seen.list).toBe(1);
  });
});
