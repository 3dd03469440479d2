import type { WebhookRequest } from '../../local/signing';
import {
  githubPayloads,
  mapLimit,
  missingDocuments,
  postWebhook,
  signedGithub,
  startTestPipeline,
  type TestPipeline,
  waitFor,
} from './support';

const EVENTS = 2000;
const CONCURRENCY = 32;
// The examples name a handful of repositories; real traffic spreads over many, and order is kept per
// repository (one partition key each), so each event is moved to one of these.
const REPOSITORIES = 64;

/** EVENTS real payloads, every example in turn, each a delivery of its own. */
function deliveries(): WebhookRequest[] {
  const payloads = githubPayloads();
  return Array.from({ length: EVENTS }, (_, index) => {
    const { event, payload } = payloads[index % payloads.length] as (typeof payloads)[number];
    const repository = payload.repository as { full_name?: string } | undefined;
    if (repository?.full_name) repository.full_name = `${repository.full_name}-${index % REPOSITORIES}`;
    return signedGithub(event, Buffer.from(JSON.stringify(payload)));
  });
}

// Throughput and latency are measured by bench/local.bench.ts; this suite only counts.
describe(`a load of ${EVENTS} real payloads at concurrency ${CONCURRENCY}`, () => {
  let running: TestPipeline;

  beforeAll(async () => {
    // The template's batching window: fewer, fuller batches are cheaper on a small machine.
    running = await startTestPipeline({ mapping: { maximumBatchingWindowSeconds: 1 }, pollIntervalMs: 250 });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('loses nothing: every accepted delivery is indexed, once', async () => {
    // Prepare
    const requests = deliveries();

    // Act
    const answers = await mapLimit(requests, CONCURRENCY, (request) => postWebhook(running.url, request));
    const acceptedIds = requests
      .filter((_, index) => answers[index]?.status === 202)
      .map((request) => `github:${request.deliveryId}`);
    const missing = await missingDocuments(running.sinks, acceptedIds, 200_000);
    // An execution is recorded once it ends, a moment after its document is written.
    const succeeded = await waitFor(
      'every execution recorded',
      async () => {
        const lines = await running.sinks.executions();
        const ids = new Set(lines.filter((line) => line.status === 'SUCCEEDED').map((line) => line.eventId));
        return ids.size >= acceptedIds.length ? ids : undefined;
      },
      60_000,
    );

    // Assert: all accepted, each receipt naming its delivery; accepted = indexed, and nothing else indexed.
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    expect(answers.map((answer) => (JSON.parse(answer.body) as { id?: string }).id)).toEqual(
      requests.map((request) => request.deliveryId),
    );
    expect(missing).toEqual([]);
    expect((await running.sinks.documentFiles()).length).toBe(acceptedIds.length);
    expect(requests.map((request) => request.deliveryId).filter((id) => !succeeded.has(id))).toEqual([]);
    expect(await running.sinks.deadLetters()).toEqual([]);
    expect(running.errors).toEqual([]);
  }, 300_000);
});
