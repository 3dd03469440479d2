import type { WebhookRequest } from '../../local/signing';
import {
  githubPayloads,
  mapLimit,
  missingDocuments,
  postWebhook,
  signedGithub,
  startTestPipeline,
  streamRecords,
  type TestPipeline,
  waitFor,
} from './support';

const EVENTS = 300;
const REPOSITORY = 'octo-org/busy-ci';
/** What a repository with busy CI sends by the hundred per minute. */
const CI_EVENTS = new Set(['workflow_job', 'workflow_run', 'check_run', 'check_suite', 'status']);

/** EVENTS real CI payloads, every example in turn, all of one repository: one partition key. */
function burst(): WebhookRequest[] {
  const payloads = githubPayloads().filter(
    ({ event, payload }) => CI_EVENTS.has(event) && payload.repository,
  );
  return Array.from({ length: EVENTS }, (_, index) => {
    const { event, payload } = payloads[index % payloads.length] as (typeof payloads)[number];
    const copy = structuredClone(payload);
    (copy.repository as { full_name: string }).full_name = REPOSITORY;
    return signedGithub(event, Buffer.from(JSON.stringify(copy)));
  });
}

// How long the burst takes against the same burst spread over many repositories is measured by
// bench/busy-repository.bench.ts; this suite only counts.
describe(`a burst of ${EVENTS} real CI events on one repository`, () => {
  let running: TestPipeline;

  beforeAll(async () => {
    running = await startTestPipeline({ mapping: { maximumBatchingWindowSeconds: 1 }, pollIntervalMs: 250 });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('indexes every event once: nothing lost, nothing repeated, nothing dead-lettered', async () => {
    // Prepare
    const requests = burst();

    // Act
    const answers = await mapLimit(requests, 24, (request) => postWebhook(running.url, request));
    const ids = requests.map((request) => `github:${request.deliveryId}`);
    const missing = await missingDocuments(running.sinks, ids, 200_000);
    const executions = await waitFor(
      'every execution recorded',
      async () => {
        const lines = await running.sinks.executions();
        return lines.length >= requests.length ? lines : undefined;
      },
      60_000,
    );

    // Assert: one partition key; every event accepted, indexed and run once.
    expect(
      new Set(
        (await streamRecords(running.pipeline.endpoints.kinesis as string)).map(
          (record) => record.PartitionKey,
        ),
      ),
    ).toEqual(new Set([`github:${REPOSITORY}`]));
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    expect(missing).toEqual([]);
    expect((await running.sinks.documentFiles()).length).toBe(EVENTS);
    expect(executions.filter((line) => line.status !== 'SUCCEEDED')).toEqual([]);
    const runs = executions.map((line) => line.eventId);
    expect(new Set(runs).size).toBe(runs.length);
    expect(await running.sinks.deadLetters()).toEqual([]);
    expect(running.errors).toEqual([]);
  }, 300_000);
});
