import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenSearchFake } from '../../local/fakes/opensearch';
import {
  githubExample,
  missingDocuments,
  postWebhook,
  signedGithub,
  startTestPipeline,
  type TestPipeline,
  waitFor,
} from './support';

/**
 * Stands between the indexer and the OpenSearch fake: while `failing`, it answers every request as an
 * overloaded or blocked domain does (429 and 503 in turn); otherwise it forwards the request.
 */
function startFlakySearch(target: string) {
  const state = { failing: true, refused: { 429: 0, 503: 0 }, forwarded: 0 };
  const refuse = (response: ServerResponse) => {
    const status = (state.refused[429] + state.refused[503]) % 2 === 0 ? 429 : 503;
    state.refused[status] += 1;
    const type = status === 429 ? 'es_rejected_execution_exception' : 'cluster_block_exception';
    response.writeHead(status, {
      'content-type': 'application/json',
      ...(status === 429 && { 'retry-after': '1' }),
    });
    response.end(JSON.stringify({ error: { type, reason: 'search backend outage (test)' }, status }));
  };
  const forward = (incoming: IncomingMessage, response: ServerResponse) => {
    state.forwarded += 1;
    const url = new URL(incoming.url ?? '/', target);
    const outgoing = httpRequest(url, { method: incoming.method, headers: incoming.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outgoing.on('error', () => response.destroy());
    incoming.pipe(outgoing);
  };
  const server: Server = createServer((incoming, response) => {
    if (!state.failing) return forward(incoming, response);
    incoming.resume();
    incoming.on('end', () => refuse(response));
  });
  return new Promise<{ url: string; state: typeof state; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        state,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

const EVENTS: [string, string?][] = [
  ['push'],
  ['pull_request', 'opened'],
  ['issues', 'opened'],
  ['release', 'published'],
  ['repository', 'publicized'],
  ['workflow_run', 'completed'],
  ['star', 'created'],
  ['label', 'created'],
];

/** A real payload in a repository of its own, so no event waits behind another of its key. */
function delivery([event, action]: [string, string?], index: number) {
  const payload = JSON.parse(githubExample(event, action).toString()) as {
    repository: { full_name: string };
  };
  payload.repository.full_name = `${payload.repository.full_name}-${index}`;
  return signedGithub(event, Buffer.from(JSON.stringify(payload)));
}

describe('the search backend failing for a while', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-search-'));
  let fake: Awaited<ReturnType<typeof startOpenSearchFake>>;
  let flaky: Awaited<ReturnType<typeof startFlakySearch>>;
  let running: TestPipeline;

  beforeAll(async () => {
    fake = await startOpenSearchFake(dir);
    flaky = await startFlakySearch(fake.url);
    running = await startTestPipeline({
      localDir: dir,
      // A configured OpenSearch endpoint replaces the fake; real-service mode passes the shell's credentials.
      env: { OPENSEARCH_ENDPOINT: flaky.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      // Enough stream retries to outlast the outage (each waits longer, up to 5 s).
      mapping: { maximumRetryAttempts: 10 },
      functionConcurrency: 4,
    });
  });

  afterAll(async () => {
    await running?.stop();
    await flaky?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries the events (workflow, then stream) and indexes every one, once, after it recovers', async () => {
    // Prepare
    const deliveries = EVENTS.map(delivery);

    // Act: deliveries while every search request fails. A failing record blocks its shard while the stream
    // retries it (as Lambda does), so recovery comes once half the events have failed back to the stream.
    const answers = await Promise.all(deliveries.map((request) => postWebhook(running.url, request)));
    const failedIds = async () =>
      new Set(
        (await running.sinks.executions())
          .filter((line) => line.status === 'FAILED')
          .map((line) => line.eventId),
      );
    await waitFor(
      'half the events failed after the workflow retries',
      async () => ((await failedIds()).size >= deliveries.length / 2 ? true : undefined),
      60_000,
    );
    flaky.state.failing = false;
    const ids = deliveries.map((request) => `github:${request.deliveryId}`);
    const missing = await missingDocuments(running.sinks, ids, 90_000);

    // Assert: all accepted and, once the backend answered again, all indexed; each written once.
    expect(answers.map((answer) => answer.status)).toEqual(deliveries.map(() => 202));
    expect(missing).toEqual([]);
    expect(flaky.state.refused[429]).toBeGreaterThan(0);
    expect(flaky.state.refused[503]).toBeGreaterThan(0);
    for (const id of ids) {
      const document = await running.sinks.document(id);
      const stored = await fetch(`${fake.url}/${String(document?._index)}/_doc/${encodeURIComponent(id)}`);
      expect(((await stored.json()) as { _version: number })._version).toBe(1);
    }
    // Executions failed on the index step after the workflow's retries (three indexer runs each), went back
    // to the stream, and ran again until one succeeded.
    const executions = await running.sinks.executions();
    const failed = executions.filter((line) => line.status === 'FAILED');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((line) => line.error)).toEqual(failed.map(() => 'IndexStepFailed'));
    const indexerRuns = running.pipeline.functions.IndexerFunction?.invocations ?? 0;
    expect(indexerRuns).toBeGreaterThanOrEqual(3 * failed.length + deliveries.length);
    const retried = [...(await failedIds())];
    const runsOf = (id: string | undefined) =>
      executions.filter((line) => line.eventId === id).map((line) => line.status);
    expect(retried.length).toBeGreaterThanOrEqual(deliveries.length / 2);
    expect(retried.map((id) => runsOf(id)[0])).toEqual(retried.map(() => 'FAILED'));
    // A record behind a failed one in its batch is retried with it even when it succeeded: it may run
    // again (idempotently, its document is still written once), so only the last run must succeed.
    expect(deliveries.map((request) => runsOf(request.deliveryId).at(-1))).toEqual(
      deliveries.map(() => 'SUCCEEDED'),
    );
    expect(await running.sinks.deadLetters()).toEqual([]);
  }, 180_000);
});
