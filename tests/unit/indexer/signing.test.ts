import { createHash } from 'node:crypto';
import { parseEnvelope } from '../../../functions/lib/envelope';
import type { SearchService } from '../../../functions/lib/search/config';
import { EventIndexer } from '../../../functions/lib/search/indexer';
import { createIndexingClient } from '../../../functions/lib/search/indexing-client';
import { indexTemplate } from '../../../functions/lib/search/template';
import { createSearchClient } from '../../support/opensearch-client';
import { type CapturedRequest, indexed, startCaptureServer } from './support/capture-server';
import { ROLE_CREDENTIALS as credentials, expectedSignature, parseAuthorization } from './support/sigv4';

const envelope = parseEnvelope(require('../../../events/indexer/github-push.json'));
const settings = {
  indexPrefix: 'webhooks',
  alias: 'webhooks',
  payloadMapping: 'disabled',
  maxAttempts: 1,
} as const;

// The indexer's own client, and the full Client that tools and tests use: both sign alike.
const clients = [
  ['the indexing client', createIndexingClient],
  ['the full Client', createSearchClient],
] as const;
type ClientFactory = (typeof clients)[number][1];

async function indexThroughCapture(
  service: SearchService,
  createClient: ClientFactory = createIndexingClient,
): Promise<CapturedRequest[]> {
  const server = await startCaptureServer((request) =>
    request.url.startsWith('/_index_template/')
      ? { status: 200, body: { acknowledged: true } }
      : indexed('webhooks-github-2026.05', 'github:6f3a2f10-2b0c-11f0-8e5b-5d1f0a3c9e41'),
  );
  try {
    const client = createClient(
      { endpoint: server.url, service, region: 'eu-central-1' },
      { credentials: async () => credentials },
    );
    await new EventIndexer(client, { ...settings, service }).index(
      envelope,
      new Date('2026-05-03T09:14:28Z'),
    );
    return server.requests;
  } finally {
    await server.close();
  }
}

describe.each(
  clients.flatMap(([name, createClient]) =>
    (['es', 'aoss'] as const).map((service) => [name, service, createClient] as const),
  ),
)('%s: requests signed for %s', (_name, service, createClient) => {
  let requests: CapturedRequest[];
  beforeAll(async () => {
    requests = await indexThroughCapture(service, createClient);
  });

  it('puts the index template, then creates the document under source:id', () => {
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /_index_template/webhooks',
      'POST /webhooks-github-2026.05/_create/github%3A6f3a2f10-2b0c-11f0-8e5b-5d1f0a3c9e41',
    ]);
  });

  it('sends the index template body built for this service', () => {
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual(indexTemplate({ ...settings, service }));
  });

  it('sends the document with the whole payload', () => {
    const document = JSON.parse(requests[1]?.body ?? '');

    expect(document).toMatchObject({
      id: envelope.id,
      source: 'github',
      type: 'push',
      ref: 'refs/heads/master',
    });
    expect(document.payload).toEqual(envelope.payload);
  });

  it.each([0, 1])('signs request %i with SigV4 for the right service and region', (n) => {
    const request = requests[n] as CapturedRequest;
    const auth = parseAuthorization(request.headers.authorization);

    expect(auth).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', region: 'eu-central-1', service });
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['x-amz-date']?.toString().slice(0, 8)).toBe(auth.date);
    expect(request.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(request.body).digest('hex'),
    );
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(auth.signedHeaders).toEqual(
      expect.arrayContaining(['host', 'x-amz-content-sha256', 'x-amz-date']),
    );
    expect(auth.signature).toBe(expectedSignature(request, credentials.secretAccessKey));
  });
});

it('a signature made with another secret does not verify, so the check above can fail', async () => {
  const [template] = await indexThroughCapture('es');

  const forged = expectedSignature(template as CapturedRequest, 'not-the-secret');

  expect(parseAuthorization(template?.headers.authorization).signature).not.toBe(forged);
});
