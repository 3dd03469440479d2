import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { LOCAL_NAMES, LOCAL_REGION } from '../../local/names';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline';
import { fromProxyEvent, postWebhook, signWebhook, type WebhookRequest } from '../../local/signing';
import { projectRoot } from '../../local/template';
import { Sinks, waitFor } from '../e2e/support/sinks';
import { githubPayload } from './support';

const run = promisify(execFile);
const ALARM_TOPIC = 'compliance-alarm-topic';

/**
 * Replaying through the running local pipeline (npm start + npm run replay -- --local) repeats no side
 * effect: the index holds one document per event and the compliance alarm goes out once. The bus is the
 * exception by design: the workflow's optimized events:putEvents step is not idempotent, so a replayed
 * event is published again with the same detail (the envelope). Consumers deduplicate on detail.source
 * plus detail.id, which this test checks is all they need.
 */
describe('replay through the local pipeline', () => {
  let dir: string;
  let pipeline: LocalPipeline;
  let sinks: Sinks;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-pipeline-'));
    sinks = new Sinks(dir);
    pipeline = await startLocalPipeline({
      port: 0,
      localDir: dir,
      env: { PATH: process.env.PATH },
      persist: false,
      functionConcurrency: 2,
      mapping: { maximumBatchingWindowSeconds: 0.2 },
      pollIntervalMs: 100,
      onError: (error) => console.error('local pipeline:', error),
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes and alarms once however often the archive is replayed', async () => {
    const github = (type: string, payload: Record<string, unknown>) =>
      signWebhook({ source: 'github', body: Buffer.from(JSON.stringify(payload)), event: type });
    const gitlab = fromProxyEvent(
      JSON.parse(readFileSync(join(projectRoot, 'events', 'ingest', 'gitlab-push.json'), 'utf8')),
    );
    const requests: WebhookRequest[] = [
      github(
        'push',
        githubPayload('push', (p) => p.ref === 'refs/heads/master'),
      ),
      github(
        'pull_request',
        githubPayload('pull_request', (p) => p.action === 'opened'),
      ),
      github(
        'repository',
        githubPayload('repository', (p) => p.action === 'publicized'),
      ),
      signWebhook(gitlab),
    ];
    const ids = requests.map((request) => `${request.source}:${request.deliveryId}`);
    const answers = await Promise.all(requests.map((request) => postWebhook(pipeline.url, request)));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
    await waitFor('every event processed', async () =>
      (await sinks.executions()).length >= requests.length ? true : undefined,
    );
    const s3 = new S3Client({
      endpoint: pipeline.endpoints.s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
    // The lake writer flushes every few seconds, like Firehose's buffer interval.
    await waitFor(
      'every event archived',
      async () => {
        const listed = await s3.send(
          new ListObjectsV2Command({ Bucket: LOCAL_NAMES.lakeBucket, Prefix: 'events/' }),
        );
        const types = new Set(listed.Contents?.map(({ Key }) => /\/type=([^/]+)\//.exec(Key ?? '')?.[1]));
        return ['push', 'pull_request', 'repository', 'Push Hook'].every((type) => types.has(type))
          ? true
          : undefined;
      },
      30_000,
    );
    s3.destroy();
    const documentsBefore = (await sinks.documentFiles()).sort();
    const alarmsBefore = await sinks.snsMessages(ALARM_TOPIC);
    const busBefore = await sinks.busEntries();

    const replayOnce = () =>
      run(
        process.execPath,
        [
          '--import',
          'tsx',
          join(projectRoot, 'scripts', 'replay.ts'),
          '--local',
          '--from',
          `s3://${LOCAL_NAMES.lakeBucket}/events/`,
        ],
        { cwd: projectRoot, env: { ...process.env, LOCAL_DIR: dir } },
      );
    const first = await replayOnce();
    const second = await replayOnce();
    await waitFor('every replayed event processed', async () =>
      (await sinks.executions()).length >= requests.length * 3 ? true : undefined,
    );

    expect(first.stdout).toContain(`matched ${requests.length}, put ${requests.length}, failed 0`);
    expect(second.stdout).toContain(`put ${requests.length}, failed 0`);
    const executions = await sinks.executions();
    expect(executions.map((line) => line.status)).toEqual(executions.map(() => 'SUCCEEDED'));
    // Index: still one document per event.
    expect((await sinks.documentFiles()).sort()).toEqual(documentsBefore);
    expect(documentsBefore).toHaveLength(requests.length);
    // Compliance: the publicized repository alarmed once, and its finding is on the bus once.
    expect(alarmsBefore).toHaveLength(1);
    expect(await sinks.snsMessages(ALARM_TOPIC)).toEqual(alarmsBefore);
    const bus = await sinks.busEntries();
    const findings = (entries: typeof bus) =>
      entries.filter((entry) => entry.Source === 'webhooks.compliance');
    expect(findings(bus)).toEqual(findings(busBefore));
    // Publish: each event three times (sent, replayed twice), identical detail, one per (source, id).
    const published = bus.filter((entry) => entry.Source !== 'webhooks.compliance');
    const byEvent = new Map<string, Set<string>>();
    for (const entry of published) {
      const detail = JSON.parse(entry.Detail) as { source: string; id: string };
      const key = `${detail.source}:${detail.id}`;
      byEvent.set(key, (byEvent.get(key) ?? new Set()).add(entry.Detail));
    }
    expect([...byEvent.keys()].sort()).toEqual([...ids].sort());
    expect([...byEvent.values()].map((details) => details.size)).toEqual(ids.map(() => 1));
    expect(published).toHaveLength(requests.length * 3);
  });
});
