import type { WebhookRequest } from '../../local/signing';
import {
  githubExample,
  mapLimit,
  postWebhook,
  signedGithub,
  startTestPipeline,
  type TestPipeline,
  waitFor,
} from './support';

/** Real payloads of 33 event types; the second group is what the compliance step looks at. */
const EVENTS: [string, string?][] = [
  ['push'],
  ['pull_request', 'opened'],
  ['issues', 'opened'],
  ['issue_comment', 'created'],
  ['release', 'published'],
  ['workflow_job', 'queued'],
  ['workflow_run', 'completed'],
  ['check_run', 'created'],
  ['check_suite', 'completed'],
  ['create'],
  ['delete'],
  ['fork'],
  ['star', 'created'],
  ['watch', 'started'],
  ['label', 'created'],
  ['milestone', 'created'],
  ['discussion', 'created'],
  ['deployment', 'created'],
  ['deployment_status', 'created'],
  ['status'],
  ['ping'],
  ['gollum'],
  // Compliance-relevant.
  ['repository', 'publicized'],
  ['repository', 'created'],
  ['repository', 'transferred'],
  ['public'],
  ['branch_protection_rule', 'deleted'],
  ['member', 'added'],
  ['deploy_key', 'created'],
  ['team', 'added_to_repository'],
  ['code_scanning_alert', 'created'],
  ['dependabot_alert', 'created'],
  ['meta', 'deleted'],
];
const DELIVERIES_PER_EVENT = 3;
const ALARM_TOPIC = 'compliance-alarm-topic';

/** A fixed shuffle (mulberry32), so a failure can be replayed with the same interleaving. */
function shuffled<T>(items: readonly T[], seed = 20_240_601): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

interface Finding {
  findingId: string;
  eventId: string;
  severity: string;
  rule: { id: string };
}

describe('a redelivery storm: every delivery sent three times, interleaved and concurrent', () => {
  let running: TestPipeline;
  const functionLogs: string[] = [];

  beforeAll(async () => {
    // The functions' own log lines, at INFO: a repeat must still publish a metric (no empty-metrics warning).
    running = await startTestPipeline({
      logLevel: 'INFO',
      onFunctionLog: (_id: string, line: string) => void functionLogs.push(line),
    });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('gives one document per event and one finding per rule that fired, on the bus and by SNS', async () => {
    // Prepare: one signed delivery per event, each posted three times exactly as GitHub redelivers it
    // (same X-GitHub-Delivery, same body, same signature), all copies shuffled together.
    const deliveries = EVENTS.map(([event, action]) => signedGithub(event, githubExample(event, action)));
    const storm = shuffled(
      deliveries.flatMap((delivery) => Array<WebhookRequest>(DELIVERIES_PER_EVENT).fill(delivery)),
    );
    const publicized =
      deliveries[EVENTS.findIndex(([event, action]) => event === 'repository' && action === 'publicized')];

    // Act
    const answers = await mapLimit(storm, 16, (delivery) => postWebhook(running.url, delivery));
    const executions = await waitFor(
      'every delivery run through the workflow',
      async () => {
        const lines = await running.sinks.executions();
        return lines.length >= storm.length ? lines : undefined;
      },
      120_000,
    );

    // Assert: every copy accepted and run; every event indexed once (the fake counts writes per document).
    expect(answers.map((answer) => answer.status)).toEqual(storm.map(() => 202));
    expect(executions).toHaveLength(storm.length);
    expect(executions.filter((line) => line.status !== 'SUCCEEDED')).toEqual([]);
    const documentIds = deliveries.map((delivery) => `github:${delivery.deliveryId}`);
    expect((await running.sinks.documentFiles()).length).toBe(deliveries.length);
    for (const id of documentIds) {
      const document = await running.sinks.document(id);
      expect(document).toBeDefined();
      const stored = await fetch(
        `${running.pipeline.endpoints.opensearch}/${String(document?._index)}/_doc/${encodeURIComponent(id)}`,
      );
      expect(((await stored.json()) as { _version: number })._version).toBe(1);
    }

    // Findings: each (event, rule) once on the bus; the high ones once each on the alarm topic.
    const findings = (await running.sinks.busEntries())
      .filter((entry) => entry.Source === 'webhooks.compliance')
      .map((entry) => JSON.parse(entry.Detail) as Finding);
    const findingIds = findings.map((finding) => finding.findingId);
    expect(findingIds.length).toBeGreaterThanOrEqual(5);
    expect(new Set(findingIds).size).toBe(findingIds.length);
    // The compliance step ran for every copy: the findings were deduplicated, not skipped.
    const publicizedRuns = executions.filter((line) => line.eventId === publicized?.deliveryId);
    expect(publicizedRuns.map((line) => line.statesVisited.includes('CheckCompliance'))).toEqual([
      true,
      true,
      true,
    ]);
    expect(findings.filter((finding) => finding.eventId === publicized?.deliveryId)).toEqual([
      expect.objectContaining({
        severity: 'high',
        rule: expect.objectContaining({ id: 'github.repository.publicized' }),
      }),
    ]);
    const alerted = (await running.sinks.snsMessages(ALARM_TOPIC)).map(
      (message) => /^Finding:\s+(\S+)$/m.exec(String(message.Message))?.[1],
    );
    const high = findings.filter((finding) => ['high', 'critical'].includes(finding.severity));
    expect(alerted.sort()).toEqual(high.map((finding) => finding.findingId).sort());
    // Every repeat was counted (RepeatsSkipped or RepeatsInProgress), so no invocation went without a metric.
    expect(functionLogs.length).toBeGreaterThan(0);
    expect(functionLogs.filter((line) => line.includes('No application metrics to publish'))).toEqual([]);
  }, 180_000);
});
