import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { partitionKey } from '../../functions/lib/envelope';
import {
  type Emulators,
  emulatorKinesisClient,
  LOCAL_CREDENTIALS,
  startEmulators,
} from '../../local/emulators';
import { type LakeWriter, startLakeWriter } from '../../local/lake';
import { LOCAL_NAMES, LOCAL_REGION } from '../../local/names';
import { type ReplayOptions, replay } from '../../local/replay/replay';
import { projectRoot } from '../../local/template';
import { readStream } from '../support/emulators';
import { type ArchivedEvent, daysAgo, githubPayload, githubRecord, streamRecord } from './support';

const run = promisify(execFile);

/** Real payloads over three receive days; several events per repository, so order per key matters. */
function history(): ArchivedEvent[] {
  const events: ArchivedEvent[] = [];
  const types = ['pull_request', 'issues', 'push', 'pull_request', 'issue_comment'];
  for (const [day, repositories] of [
    [5, ['octo/alpha', 'octo/beta']],
    [4, ['octo/alpha', 'octo/gamma']],
    [3, ['octo/beta']],
  ] as const) {
    for (const [offset, type] of types.entries()) {
      for (const repository of repositories) {
        const payload = githubPayload(type);
        (payload.repository as Record<string, unknown>).full_name = repository;
        const receivedAt = new Date(daysAgo(day).getTime() + offset * 60_000);
        events.push(githubRecord(type, payload, receivedAt, `${repository}-${day}-${offset}`));
      }
    }
    events.push(
      streamRecord({
        source: 'gitlab',
        type: 'Push Hook',
        subject: 'group/app',
        receivedAt: daysAgo(day, 15),
        body: { object_kind: 'push', checkout_sha: `sha-${day}` },
      }),
    );
  }
  return events;
}

describe('replay round trip: stream -> local lake -> replay -> stream', () => {
  let dir: string;
  let emulators: Emulators;
  let kinesis: KinesisClient;
  let s3: S3Client;
  let writer: LakeWriter;
  const events = history();

  /** What is on the stream now; call the result to get what was put after this call, in shard order. */
  async function streamSnapshot(): Promise<() => Promise<Array<{ partitionKey: string; text: string }>>> {
    const seen = new Set(
      (await readStream(emulators.endpoints.kinesis, LOCAL_NAMES.stream)).map((r) => r.sequenceNumber),
    );
    return async () =>
      (await readStream(emulators.endpoints.kinesis, LOCAL_NAMES.stream))
        .filter((record) => !seen.has(record.sequenceNumber))
        .map((record) => ({ partitionKey: record.partitionKey, text: record.data.toString('utf8') }));
  }

  const options = (overrides: Partial<ReplayOptions>): ReplayOptions => ({
    from: `s3://${LOCAL_NAMES.lakeBucket}/events/`,
    stream: LOCAL_NAMES.stream,
    dryRun: false,
    ...overrides,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    emulators = await startEmulators({ dir, persist: false, shardCount: 2 });
    const client = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    kinesis = emulatorKinesisClient(emulators.endpoints.kinesis);
    s3 = new S3Client({ ...client, endpoint: emulators.endpoints.s3, forcePathStyle: true });
    // Ingest's order: one PutRecord per webhook, as each arrives.
    for (const event of events) {
      await kinesis.send(
        new PutRecordCommand({
          StreamName: LOCAL_NAMES.stream,
          PartitionKey: partitionKey(event.envelope),
          Data: Buffer.from(event.text),
        }),
      );
    }
    writer = startLakeWriter({
      kinesisEndpoint: emulators.endpoints.kinesis,
      s3Endpoint: emulators.endpoints.s3,
      flushIntervalMs: 600_000,
    });
    await writer.flush();
  });

  afterAll(async () => {
    await writer?.stop();
    kinesis?.destroy();
    s3?.destroy();
    await emulators?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dry run reads and filters the archive but puts nothing', async () => {
    const putSince = await streamSnapshot();

    const summary = await replay(options({ dryRun: true, sources: ['github'] }), { s3, kinesis });

    const github = events.filter((e) => e.envelope.source === 'github').length;
    // Objects under source=gitlab/ are skipped by their key, without being downloaded.
    expect(summary).toMatchObject({ read: github, matched: github, put: 0, failed: 0, invalid: 0 });
    expect(await putSince()).toEqual([]);
  });

  it('re-puts exactly the filtered originals, in receive order per partition key', async () => {
    const since = daysAgo(4, 0);
    const until = daysAgo(3, 0);
    const wanted = events.filter(
      (e) =>
        e.envelope.source === 'github' &&
        ['pull_request', 'push'].includes(e.envelope.type) &&
        e.envelope.receivedAt >= since.toISOString() &&
        e.envelope.receivedAt < until.toISOString(),
    );
    const putSince = await streamSnapshot();

    const summary = await replay(
      options({ sources: ['github'], types: ['pull_request', 'push'], since, until }),
      { s3, kinesis },
    );

    const added = await putSince();
    const perKey = (records: Array<{ partitionKey: string; text: string }>, key: string) =>
      records.filter((r) => r.partitionKey === key).map((r) => r.text);
    expect(added).toHaveLength(wanted.length);
    for (const key of new Set(wanted.map((e) => partitionKey(e.envelope)))) {
      // Same bytes as the originals, in the order they were received.
      const expected = wanted.filter((e) => partitionKey(e.envelope) === key).map((e) => e.text);
      expect(perKey(added, key)).toEqual(expected);
    }
    expect(new Set(wanted.map((e) => e.envelope.subject)).size).toBeGreaterThan(1);
    expect(wanted.length).toBeGreaterThan(3);
    expect(summary).toMatchObject({ matched: wanted.length, put: wanted.length, failed: 0, duplicates: 0 });
  });

  it('replays an archived event once even when the lake holds it twice (after a replay was archived)', async () => {
    await writer.flush(); // the previous test's replayed records are now archived a second time

    const summary = await replay(options({ dryRun: true, sources: ['github'], types: ['push'] }), {
      s3,
      kinesis,
    });

    const pushes = events.filter((e) => e.envelope.type === 'push');
    const archivedTwice = pushes.filter(
      (e) =>
        e.envelope.receivedAt >= daysAgo(4, 0).toISOString() &&
        e.envelope.receivedAt < daysAgo(3, 0).toISOString(),
    );
    expect(archivedTwice.length).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      read: pushes.length + archivedTwice.length,
      matched: pushes.length,
      duplicates: archivedTwice.length,
    });
  });

  it('reads a local copy of the lake as well as the bucket', async () => {
    const copy = join(dir, 'lake-copy');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: LOCAL_NAMES.lakeBucket, Prefix: 'events/' }),
    );
    for (const { Key } of listed.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.lakeBucket, Key }));
      mkdirSync(dirname(join(copy, Key as string)), { recursive: true });
      writeFileSync(
        join(copy, Key as string),
        await (object.Body?.transformToByteArray() ?? new Uint8Array()),
      );
    }

    const summary = await replay(options({ from: copy, dryRun: true, sources: ['gitlab'] }), { s3, kinesis });

    expect(summary.matched).toBe(events.filter((e) => e.envelope.source === 'gitlab').length);
    expect(summary.objects).toBe(
      listed.Contents?.filter(({ Key }) => Key?.includes('/source=gitlab/')).length,
    );
  });

  it('npm run replay: filters from the command line and prints the summary', async () => {
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL_KINESIS: emulators.endpoints.kinesis,
      AWS_ENDPOINT_URL_S3: emulators.endpoints.s3,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
    };
    const cli = ['--import', 'tsx', join(projectRoot, 'scripts', 'replay.ts')];
    const putSince = await streamSnapshot();

    const { stdout } = await run(
      process.execPath,
      [
        ...cli,
        '--from',
        `s3://${LOCAL_NAMES.lakeBucket}/events/`,
        '--source',
        'gitlab',
        '--stream',
        LOCAL_NAMES.stream,
      ],
      { env, cwd: projectRoot },
    );
    const refused = run(process.execPath, [...cli, '--from', 'x', '--since', 'yesterday'], {
      env,
      cwd: projectRoot,
    });

    const gitlab = events.filter((e) => e.envelope.source === 'gitlab');
    expect(stdout).toContain(`matched ${gitlab.length}, put ${gitlab.length}, failed 0`);
    const added = await putSince();
    expect(added.map((r) => r.text).sort()).toEqual(gitlab.map((e) => e.text).sort());
    await expect(refused).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since must be'),
    });
  });
});
