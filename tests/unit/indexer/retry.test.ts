import { parseEnvelope } from '../../../functions/lib/envelope';
import { EventIndexer } from '../../../functions/lib/search/indexer';
import { createIndexingClient } from '../../../functions/lib/search/indexing-client';
import { isThrottling, SearchRejected, SearchUnavailable } from '../../../functions/lib/search/retry';
import { createSearchClient } from '../../support/opensearch-client';
import {
  type CapturedRequest,
  indexed,
  openSearchError,
  type ScriptedReply,
  startCaptureServer,
} from './support/capture-server';

const envelope = parseEnvelope(require('../../../events/indexer/github-push.json'));
const index = 'webhooks-github-2026.05';
const id = `github:${envelope.id}`;
const acknowledged: ScriptedReply = { status: 200, body: { acknowledged: true } };

/** Answers the template put, then plays `documentReplies` in order to the document creates (last one repeats). */
// The indexer's own client and the full Client: errors and retries must not depend on which.
const clients = [
  ['the indexing client', createIndexingClient],
  ['the full Client', createSearchClient],
] as const;
let createClient: (typeof clients)[number][1] = createIndexingClient;

async function indexAgainst(documentReplies: ScriptedReply[], maxAttempts = 4) {
  let documentRequests = 0;
  const server = await startCaptureServer((request: CapturedRequest) =>
    request.url.startsWith('/_index_template/')
      ? acknowledged
      : (documentReplies[Math.min(documentRequests++, documentReplies.length - 1)] as ScriptedReply),
  );
  const waits: number[] = [];
  const throttled: boolean[] = [];
  const client = createClient({ endpoint: server.url, service: 'es', region: 'us-east-1' });
  const indexer = new EventIndexer(
    client,
    { indexPrefix: 'webhooks', alias: 'webhooks', service: 'es', payloadMapping: 'disabled', maxAttempts },
    {
      sleep: async (ms) => void waits.push(ms),
      onRetry: (_attempt, _delay, error) => void throttled.push(isThrottling(error)),
    },
  );
  const outcome = await indexer.index(envelope).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  await server.close();
  const documentPuts = server.requests.filter((r) => r.url.includes('/_create/')).length;
  return { ...outcome, waits, documentPuts, throttled };
}

describe.each(clients)('OpenSearch failures, through %s', (_name, factory) => {
  beforeAll(() => {
    createClient = factory;
  });

  it('retries a 429 and then indexes', async () => {
    const { result, waits, documentPuts } = await indexAgainst([
      openSearchError(429, 'es_rejected_execution_exception'),
      indexed(index, id),
    ]);

    expect(result).toEqual({ index, documentId: id, result: 'created' });
    expect(documentPuts).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it('tells throttling (counted as SearchThrottled) from other transient failures', async () => {
    const { throttled } = await indexAgainst([
      openSearchError(429, 'es_rejected_execution_exception'),
      openSearchError(503, 'unavailable'),
      indexed(index, id),
    ]);

    expect(throttled).toEqual([true, false]);
  });

  it('waits at least as long as a 429 asks with Retry-After', async () => {
    const { waits } = await indexAgainst([
      { ...openSearchError(429, 'too_many_requests'), headers: { 'retry-after': '1' } },
      indexed(index, id),
    ]);

    expect(waits).toEqual([1000]);
  });

  it('waits as long as a 429 asks even above the backoff ceiling, up to the 10 s the step can spare', async () => {
    const { result, waits } = await indexAgainst([
      { ...openSearchError(429, 'too_many_requests'), headers: { 'retry-after': '7' } },
      indexed(index, id),
    ]);

    expect(result?.result).toBe('created');
    expect(waits).toEqual([7000]);
  });

  it('fails at once when a 429 asks for a longer wait than the step can spare, leaving it to the workflow', async () => {
    const { error, documentPuts, waits } = await indexAgainst([
      { ...openSearchError(429, 'too_many_requests'), headers: { 'retry-after': '60' } },
      indexed(index, id),
    ]);

    expect(error).toBeInstanceOf(SearchUnavailable);
    expect((error as Error).message).toBe(
      'OpenSearch answered 429 (too_many_requests) after 1 attempts, which asked to wait longer than the step can',
    );
    expect(documentPuts).toBe(1);
    expect(waits).toEqual([]);
  });

  it.each([500, 502, 503, 504])('retries a %i', async (status) => {
    const { result, documentPuts } = await indexAgainst([
      openSearchError(status, 'exception'),
      indexed(index, id),
    ]);

    expect(result?.result).toBe('created');
    expect(documentPuts).toBe(2);
  });

  it('throws SearchUnavailable after the last attempt when 5xx persists, with growing waits', async () => {
    const { error, documentPuts, waits } = await indexAgainst([openSearchError(503, 'unavailable')], 4);

    expect(error).toBeInstanceOf(SearchUnavailable);
    expect((error as Error).message).toBe('OpenSearch answered 503 (unavailable) after 4 attempts');
    expect(documentPuts).toBe(4);
    expect(waits).toHaveLength(3);
    // Full jitter: each wait lies under its exponential cap (250, 500, 1000 ms).
    waits.forEach((wait, n) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(250 * 2 ** n);
    });
  });

  it('does not retry a request OpenSearch refuses for good', async () => {
    const { error, documentPuts } = await indexAgainst([openSearchError(400, 'mapper_parsing_exception')]);

    expect(error).toBeInstanceOf(SearchRejected);
    expect((error as Error).message).toBe('OpenSearch answered 400 (mapper_parsing_exception)');
    expect(documentPuts).toBe(1);
  });

  it('answers exists, with no retry, when the document is already there (409 version conflict)', async () => {
    const { result, error, documentPuts, waits } = await indexAgainst([
      openSearchError(409, 'version_conflict_engine_exception'),
      indexed(index, id),
    ]);

    expect(error).toBeUndefined();
    expect(result).toEqual({ index, documentId: id, result: 'exists' });
    expect([documentPuts, waits.length]).toEqual([1, 0]);
  });

  it('finds its own document when a retried create meets the write of an attempt that timed out', async () => {
    const { result, documentPuts } = await indexAgainst([
      openSearchError(504, 'gateway_timeout'),
      openSearchError(409, 'version_conflict_engine_exception'),
    ]);

    expect(result?.result).toBe('exists');
    expect(documentPuts).toBe(2);
  });

  it('refuses a 409 that is not a version conflict', async () => {
    const { error } = await indexAgainst([openSearchError(409, 'resource_already_exists_exception')]);

    expect(error).toBeInstanceOf(SearchRejected);
  });

  it('retries when OpenSearch cannot be reached, then fails', async () => {
    const server = await startCaptureServer(() => acknowledged);
    await server.close();
    const waits: number[] = [];
    const client = createClient({ endpoint: server.url, service: 'es', region: 'us-east-1' });
    const indexer = new EventIndexer(
      client,
      {
        indexPrefix: 'webhooks',
        alias: 'webhooks',
        service: 'es',
        payloadMapping: 'disabled',
        maxAttempts: 3,
      },
      { sleep: async (ms) => void waits.push(ms) },
    );

    await expect(indexer.index(envelope)).rejects.toThrow(SearchUnavailable);
    expect(waits).toHaveLength(2);
  });

  it('puts the template again on the next event when it failed the first time', async () => {
    let templatePuts = 0;
    const server = await startCaptureServer((request) => {
      if (!request.url.startsWith('/_index_template/')) return indexed(index, id);
      templatePuts += 1;
      return templatePuts === 1 ? openSearchError(403, 'security_exception') : acknowledged;
    });
    const client = createClient({ endpoint: server.url, service: 'es', region: 'us-east-1' });
    const indexer = new EventIndexer(client, {
      indexPrefix: 'webhooks',
      alias: 'webhooks',
      service: 'es',
      payloadMapping: 'disabled',
      maxAttempts: 1,
    });

    try {
      await expect(indexer.index(envelope)).rejects.toThrow('OpenSearch answered 403 (security_exception)');
      await expect(indexer.index(envelope)).resolves.toEqual({ index, documentId: id, result: 'created' });
      await expect(indexer.index(envelope)).resolves.toEqual({ index, documentId: id, result: 'created' });
    } finally {
      await server.close();
    }
    expect(templatePuts).toBe(2);
  });
});
