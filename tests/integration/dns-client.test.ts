import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDnsPolicy } from '../../functions/lib/dns/policy';
import { RejectedRequest } from '../../functions/lib/errors';
import { ddns } from '../../functions/lib/sources/ddns';
import { checkPayload } from '../../functions/lib/sources/payload-checks';
import { verifyBody } from '../../functions/lib/sources/verify';
import { main, reportAddress } from '../../scripts/ddns-client';

const secret = 'ddns-client-test-secret';
const dnsEnv = { DNS_ZONE_NAME: 'home.example.com', DNS_ALLOWED_NAMES: '*.home.example.com' };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

// The receiver checks requests with the pipeline's own ddns source (signature, timestamp window, policy),
// so the client is tested against what ingest will accept, not against a copy of its own signing code.
const dnsPolicy = loadDnsPolicy(dnsEnv);

let receiver: Server;
let echo: Server;
let baseUrl: string;
let echoUrl: string;
let received: Received[];
let scripted: Array<{ status: number; headers?: Record<string, string> }>;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function verify(request: Received): { status: number; body: Record<string, unknown> } {
  const headers = request.headers as Record<string, string | undefined>;
  const options = { githubSha1Enabled: false, now: () => new Date() };
  const auth = verifyBody(ddns, headers, Buffer.from(request.body), { current: secret }, options);
  if (!auth.ok) return { status: auth.status, body: { error: 'unauthorized', message: auth.reason } };
  try {
    checkPayload(ddns, JSON.parse(request.body), { dnsPolicy });
  } catch (error) {
    if (error instanceof RejectedRequest)
      return { status: error.statusCode, body: { error: error.reason, message: error.message } };
    throw error;
  }
  return { status: 202, body: { id: JSON.parse(request.body).uuid, source: 'ddns', type: 'dns_update' } };
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const entry = { headers: request.headers, body };
      received.push(entry);
      const next = scripted.shift();
      const answer = next ? { status: next.status, body: { message: 'try later' } } : verify(entry);
      response.writeHead(answer.status, { 'content-type': 'application/json', ...next?.headers });
      response.end(JSON.stringify(answer.body));
    });
  });
  echo = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('93.184.216.34\n');
  });
  baseUrl = `${await listen(receiver)}/webhooks/ddns`;
  echoUrl = await listen(echo);
});

afterAll(async () => {
  await close(receiver);
  await close(echo);
});

beforeEach(() => {
  received = [];
  scripted = [];
});

const options = (overrides: Partial<Parameters<typeof reportAddress>[0]> = {}) => ({
  url: baseUrl,
  domain: 'nas.home.example.com',
  ip: '2606:2800:220:1:248:1893:25c8:1946',
  echoUrl,
  secret,
  maxRetryDelayMs: 5,
  ...overrides,
});

describe('ddns client', () => {
  it('posts {ip, domain, uuid} signed over "<timestamp>.<body>", which the ddns source accepts', async () => {
    const result = await reportAddress(options());

    expect(result).toMatchObject({ ok: true, status: 202, ip: '2606:2800:220:1:248:1893:25c8:1946' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(JSON.parse(request?.body ?? '')).toEqual({
      ip: '2606:2800:220:1:248:1893:25c8:1946',
      domain: 'nas.home.example.com',
      uuid: result.uuid,
    });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Math.abs(Number(request?.headers['x-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('uses a fresh uuid for every report', async () => {
    const first = await reportAddress(options());
    const second = await reportAddress(options());

    expect(first.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.uuid).not.toBe(first.uuid);
  });

  it('asks the echo URL for the public address with --ip auto', async () => {
    const result = await reportAddress(options({ ip: 'auto' }));

    expect(result).toMatchObject({ ok: true, ip: '93.184.216.34' });
    expect(JSON.parse(received[0]?.body ?? '{}').ip).toBe('93.184.216.34');
  });

  it('is refused with a wrong secret', async () => {
    const result = await reportAddress(options({ secret: 'not-the-secret' }));

    expect(result).toMatchObject({ ok: false, status: 403, message: 'X-Signature-256 does not match' });
  });

  it('reports a refusal from the pipeline without retrying it', async () => {
    const result = await reportAddress(options({ ip: '192.168.1.20' }));

    expect(result).toMatchObject({ ok: false, status: 422, message: expect.stringContaining('private') });
    expect(received).toHaveLength(1);
  });

  it('retries 503 with the same body and uuid, re-signed, until accepted', async () => {
    scripted = [{ status: 503, headers: { 'retry-after': '1' } }, { status: 503 }];

    const result = await reportAddress(options());

    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.body)).size).toBe(1);
  });

  it('gives up after its attempts and returns the last failure', async () => {
    scripted = [{ status: 503 }, { status: 503 }, { status: 503 }];

    const result = await reportAddress(options());

    expect(result).toMatchObject({ ok: false, status: 503, message: 'try later' });
    expect(received).toHaveLength(3);
  });
});

describe('npm run ddns (main)', () => {
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stdout = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('exits 0 and prints the accepted report', async () => {
    const code = await main(['--url', baseUrl, '--domain', 'nas.home.example.com', '--echo-url', echoUrl], {
      DDNS_SECRET: secret,
    });

    expect(code).toBe(0);
    expect(stdout).toHaveBeenCalledWith(
      expect.stringMatching(
        /^accepted: nas\.home\.example\.com -> 93\.184\.216\.34 \(uuid [0-9a-f-]{36}\), HTTP 202$/,
      ),
    );
  });

  it('exits 1 and prints the reason when the pipeline refuses', async () => {
    const code = await main(['--url', baseUrl, '--domain', 'nas.example.org', '--ip', '93.184.216.34'], {
      DDNS_SECRET: secret,
    });

    expect(code).toBe(1);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('refused: nas.example.org -> 93.184.216.34'));
    expect(stderr).toHaveBeenCalledWith(
      expect.stringContaining('HTTP 422: domain nas.example.org is outside zone home.example.com'),
    );
  });

  it('exits 1 on an address that is not one, without posting', async () => {
    const code = await main(['--url', baseUrl, '--domain', 'nas.home.example.com', '--ip', 'my-laptop'], {
      DDNS_SECRET: secret,
    });

    expect(code).toBe(1);
    expect(received).toHaveLength(0);
  });

  it('exits 2 without DDNS_SECRET, never posting', async () => {
    const code = await main(['--url', baseUrl, '--domain', 'nas.home.example.com'], {});

    expect(code).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('DDNS_SECRET'));
    expect(received).toHaveLength(0);
  });
});
