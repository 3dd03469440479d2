import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import type { SourceId } from '../../functions/lib/envelope';
import { emulatorKinesisClient } from '../../local/emulators';
import { LOCAL_NAMES } from '../../local/names';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline';
import {
  fromProxyEvent,
  postWebhook,
  type SignOptions,
  signWebhook as signWithSecrets,
  type WebhookRequest,
} from '../../local/signing';
import { type BusEntry, Sinks, waitFor } from './support/sinks';

// Real GitHub payloads: the package is an array of { name, examples } per event type.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const githubExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

function githubExample(event: string, action?: string): Buffer {
  const examples = githubExamples.find((entry) => entry.name === event)?.examples ?? [];
  const example = examples.find((candidate) => action === undefined || candidate.action === action);
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event}.${action}`);
  return Buffer.from(JSON.stringify(example));
}

/** Signs with the development secrets, which the pipeline under test uses whatever the shell holds. */
const signWebhook = (options: SignOptions) => signWithSecrets({ env: {}, ...options });

function fixture(name: string) {
  return fromProxyEvent(JSON.parse(readFileSync(join(__dirname, '../../events/ingest', name), 'utf8')));
}

interface Sent extends WebhookRequest {
  type: string;
}

const DNS_ZONE = 'home.example.com';
const ALARM_TOPIC = 'compliance-alarm-topic';

describe('local pipeline (npm start) end to end', () => {
  let dir: string;
  let pipeline: LocalPipeline | undefined;
  let sinks: Sinks;

  const start = async (batchingWindowSeconds = 0.2) => {
    pipeline = await startLocalPipeline({
      port: 0,
      localDir: dir,
      env: { PATH: process.env.PATH },
      warm: true,
      functionConcurrency: 2,
      // Fast retries, so the dead-letter test does not wait through the template's backoff.
      mapping: { maximumRetryAttempts: 1, maximumBatchingWindowSeconds: batchingWindowSeconds },
      pollIntervalMs: 100,
      onError: (error) => console.error('local pipeline:', error),
      // DEBUG_LOCAL_PIPELINE=1 shows what the functions log.
      ...(process.env.DEBUG_LOCAL_PIPELINE && {
        onFunctionLog: (id: string, line: string) => process.stderr.write(`[${id}] ${line}\n`),
      }),
    });
    return pipeline;
  };

  const send = async (request: WebhookRequest) => {
    const running = pipeline as LocalPipeline;
    return postWebhook(running.url, request);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-pipeline-'));
    sinks = new Sinks(dir);
    await start();
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries real payloads of every source from the API to every sink', async () => {
    // Prepare: representative GitHub payloads and each other source's fixture, signed with the local secrets.
    const github: [string, string | undefined][] = [
      ['push', undefined],
      ['pull_request', 'opened'],
      ['repository', 'publicized'],
      ['issues', 'opened'],
      ['release', 'published'],
      ['workflow_job', 'queued'],
    ];
    const requests: Sent[] = github.map(([event, action]) => ({
      ...signWebhook({ source: 'github', body: githubExample(event, action), event }),
      type: event,
    }));
    const others: [string, string][] = [
      ['gitlab-push.json', 'Push Hook'],
      ['bitbucket-repo-push.json', 'repo:push'],
      ['jira-issue-updated.json', 'jira:issue_updated'],
      ['servicenow-incident-updated.json', 'incident.updated'],
      ['rally-defect-updated.json', 'Defect'],
      ['ddns-update.json', 'dns_update'],
    ];
    for (const [name, type] of others) {
      const { source, headers, body } = fixture(name);
      requests.push({ ...signWebhook({ source, headers, body }), type });
    }

    // Act
    const answers = await Promise.all(requests.map((request) => send(request)));

    // Assert: accepted, then indexed, routed and published once each.
    expect(answers.map((answer) => answer.status)).toEqual(requests.map(() => 202));
    for (const [index, request] of requests.entries()) {
      expect(JSON.parse(answers[index]?.body ?? '{}')).toMatchObject({
        id: request.deliveryId,
        source: request.source,
      });
    }
    const documentIds = requests.map((request) => `${request.source}:${request.deliveryId}`);
    const documents = await waitFor('every event indexed', async () => {
      const found = await Promise.all(documentIds.map((id) => sinks.document(id)));
      return found.every(Boolean) ? (found as Record<string, unknown>[]) : undefined;
    });
    for (const [index, request] of requests.entries()) {
      expect(documents[index]).toMatchObject({ id: request.deliveryId, source: request.source });
      expect(String(documents[index]?._index)).toMatch(
        new RegExp(`^webhooks-${request.source}-\\d{4}\\.\\d{2}$`),
      );
    }
    const payload = documents[0]?.payload;
    const pushed = JSON.parse(requests[0]?.body.toString() ?? '{}') as { after: string };
    expect(typeof payload === 'string' ? payload : JSON.stringify(payload)).toContain(pushed.after);

    const executions = await waitFor('every execution', async () => {
      const lines = await sinks.executions();
      return lines.length >= requests.length ? lines : undefined;
    });
    for (const request of requests) {
      const mine = executions.filter((line) => line.eventId === request.deliveryId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ status: 'SUCCEEDED', source: request.source });
      expect(mine[0]?.statesVisited).toEqual(expect.arrayContaining(['Index', 'Publish']));
    }
    const stepsOf = (source: SourceId, type: string) =>
      executions.find((line) => line.source === source && line.type === type)?.statesVisited ?? [];
    expect(stepsOf('ddns', 'dns_update')).toContain('UpdateDns');
    expect(stepsOf('github', 'repository')).toContain('CheckCompliance');
    expect(stepsOf('github', 'push')).not.toContain('CheckCompliance');
    expect(stepsOf('github', 'push')).not.toContain('UpdateDns');

    const bus = await waitFor('every event on the bus', async () => {
      const entries = await sinks.busEntries();
      const published = entries.filter(
        (entry) => entry.Source !== 'webhooks.compliance' && entry.Source !== 'webhooks.dns',
      );
      return published.length >= requests.length ? entries : undefined;
    });
    for (const request of requests) {
      const published = bus.filter(
        (entry) => (JSON.parse(entry.Detail) as { id?: string }).id === request.deliveryId,
      );
      expect(published).toHaveLength(1);
      expect(published[0]?.Source).toBe(`webhooks.${request.source}`);
      const detailType = String(published[0]?.DetailType);
      expect(detailType === request.type || detailType.startsWith(`${request.type}.`)).toBe(true);
    }

    // Compliance: the publicized repository raises one high finding, on the bus and by SNS.
    const publicized = requests[2] as Sent;
    const findings = bus.filter((entry: BusEntry) => entry.Source === 'webhooks.compliance');
    expect(findings.map((entry) => JSON.parse(entry.Detail))).toEqual([
      expect.objectContaining({
        eventId: publicized.deliveryId,
        severity: 'high',
        rule: expect.objectContaining({ id: 'github.repository.publicized' }),
      }),
    ]);
    const alarms = await sinks.snsMessages(ALARM_TOPIC);
    expect(alarms).toHaveLength(1);
    expect(String(alarms[0]?.Message)).toContain(publicized.deliveryId);

    // DNS: the ddns request's address is in the zone.
    const ddns = JSON.parse((requests.at(-1) as Sent).body.toString()) as { domain: string; ip: string };
    const zone = await sinks.zone(DNS_ZONE);
    expect(zone.ResourceRecordSets).toContainEqual(
      expect.objectContaining({ Name: `${ddns.domain}.`, Type: 'A', ResourceRecords: [{ Value: ddns.ip }] }),
    );
  });

  it('claim-checks a body over the inline limit and still indexes all of it', async () => {
    // Prepare: a real push payload padded well past the 192 KiB inline limit.
    const push = JSON.parse(githubExample('push').toString()) as Record<string, unknown>;
    const large = { ...push, padding: 'x'.repeat(300 * 1024) };
    const request = signWebhook({
      source: 'github',
      body: Buffer.from(JSON.stringify(large)),
      event: 'push',
    });

    // Act
    const answer = await send(request);

    // Assert
    expect(answer.status).toBe(202);
    const document = await waitFor('the large event indexed', () =>
      sinks.document(`github:${request.deliveryId}`),
    );
    const indexed = document.payload;
    expect((typeof indexed === 'string' ? indexed : JSON.stringify(indexed)).length).toBeGreaterThan(
      300 * 1024,
    );
  });

  it('answers like API Gateway for bad credentials, unknown paths and oversized bodies, and nothing lands', async () => {
    // Prepare: a delivery signed with the wrong secret, one without a signature, and a barrier event.
    const body = githubExample('push');
    const forged = signWebhook({
      source: 'github',
      body,
      event: 'push',
      env: { WEBHOOK_SECRET_GITHUB: 'not-the-secret' },
    });
    const unsigned = signWebhook({ source: 'github', body, event: 'push' });
    delete unsigned.headers['X-Hub-Signature-256'];
    const barrier = signWebhook({ source: 'github', body, event: 'push' });
    const url = (pipeline as LocalPipeline).url;

    // Act
    const forgedAnswer = await send(forged);
    const unsignedAnswer = await send(unsigned);
    const unknownPath = await fetch(`${url}/hooks/github`, { method: 'POST', body: '{}' });
    const tooLarge = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    await send(barrier);
    await waitFor('the barrier event indexed', () => sinks.document(`github:${barrier.deliveryId}`));

    // Assert
    expect(forgedAnswer.status).toBe(403);
    expect(unsignedAnswer.status).toBe(401);
    expect(unknownPath.status).toBe(404);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(await tooLarge.text())).toEqual({
      error: 'payload_too_large',
      message: 'body larger than the 4669440 bytes a webhook may have',
    });
    for (const rejected of [forged, unsigned]) {
      expect(await sinks.document(`github:${rejected.deliveryId}`)).toBeUndefined();
      expect((await sinks.executions()).some((line) => line.eventId === rejected.deliveryId)).toBe(false);
      expect((await sinks.busEntries()).some((entry) => entry.Detail.includes(rejected.deliveryId))).toBe(
        false,
      );
      expect(await streamHolds(rejected.deliveryId)).toBe(false);
    }
  });

  it('sends a record the dispatcher keeps failing to the dead-letter file after the retries', async () => {
    // Prepare: a record that is not an envelope, put straight onto the stream.
    const kinesis = kinesisClient();
    const { SequenceNumber, ShardId } = await kinesis.send(
      new PutRecordCommand({
        StreamName: LOCAL_NAMES.stream,
        PartitionKey: 'poison',
        Data: Buffer.from('not an envelope'),
      }),
    );

    // Act
    const letters = await waitFor('a dead letter', async () => {
      const lines = await sinks.deadLetters();
      return lines.length > 0 ? lines : undefined;
    });

    // Assert: Lambda's on-failure message shape, naming exactly the poison record.
    expect(letters).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 2,
        }),
        KinesisBatchInfo: expect.objectContaining({
          shardId: ShardId,
          startSequenceNumber: SequenceNumber,
          endSequenceNumber: SequenceNumber,
          batchSize: 1,
        }),
      }),
    ]);
    kinesis.destroy();
  });

  it('resumes after a restart without losing or repeating any event', async () => {
    // Prepare: a pipeline whose batching window holds events back, and events it accepts but has not yet
    // dispatched when it stops.
    await (pipeline as LocalPipeline).stop();
    await start(30);
    const requests = ['push', 'issues', 'release'].map((event) =>
      signWebhook({ source: 'github', body: githubExample(event), event }),
    );
    const answers = await Promise.all(requests.map((request) => send(request)));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    const ids = new Set(requests.map((request) => request.deliveryId));
    const earlierExecutions = (await sinks.executions()).filter((line) => !ids.has(line.eventId ?? ''));
    const earlierBusEntries = (await sinks.busEntries()).filter(
      (entry) => ![...ids].some((id) => entry.Detail.includes(id)),
    );

    // Act: stop everything, start again on the same directory (the emulators keep their data on disk).
    await (pipeline as LocalPipeline).stop();
    const routedBeforeRestart = (await sinks.executions()).filter((line) => ids.has(line.eventId ?? ''));
    await start();
    const after = signWebhook({ source: 'github', body: githubExample('ping'), event: 'ping' });
    await send(after);
    const all = [...requests, after];
    const executions = await waitFor('the events around the restart routed', async () => {
      const lines = await sinks.executions();
      return all.every((request) => lines.some((line) => line.eventId === request.deliveryId))
        ? lines
        : undefined;
    });
    const busEntries = await waitFor('the events around the restart published', async () => {
      const entries = await sinks.busEntries();
      return all.every((request) => entries.some((entry) => entry.Detail.includes(request.deliveryId)))
        ? entries
        : undefined;
    });

    // Assert: none had been dispatched before the stop; after it each event was routed, indexed and
    // published exactly once, and nothing earlier was replayed.
    expect(routedBeforeRestart).toEqual([]);
    for (const request of all) {
      expect(executions.filter((line) => line.eventId === request.deliveryId)).toHaveLength(1);
      expect(busEntries.filter((entry) => entry.Detail.includes(request.deliveryId))).toHaveLength(1);
      expect(await sinks.document(`github:${request.deliveryId}`)).toBeDefined();
    }
    expect(executions).toHaveLength(earlierExecutions.length + all.length);
    expect(busEntries).toHaveLength(earlierBusEntries.length + all.length);
  });

  function kinesisClient(): KinesisClient {
    return emulatorKinesisClient((pipeline as LocalPipeline).endpoints.kinesis as string);
  }

  /** Whether any record on any shard of the stream mentions the text. */
  async function streamHolds(text: string): Promise<boolean> {
    const kinesis = kinesisClient();
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: LOCAL_NAMES.stream }));
    let found = false;
    for (const shard of Shards) {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: LOCAL_NAMES.stream,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      found ||= Records.some((record) =>
        Buffer.from(record.Data ?? [])
          .toString()
          .includes(text),
      );
    }
    kinesis.destroy();
    return found;
  }
});
