import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { partitionKey } from '../../functions/lib/envelope';
import {
  type Emulators,
  emulatorKinesisClient,
  LOCAL_CREDENTIALS,
  startEmulators,
} from '../../local/emulators';
import { startLakeWriter } from '../../local/lake';
import { LOCAL_NAMES, LOCAL_REGION } from '../../local/names';
import { loadTemplate } from '../../local/template';
import { type ArchivedEvent, githubPayload, githubRecord, prettyGithubRecord, streamRecord } from './support';

/** The deployed Firehose prefix as a pattern: each !{partitionKeyFromQuery:k} becomes a path value. */
function firehoseKeyPattern(): RegExp {
  const destination = loadTemplate().Resources.LakeDeliveryStream?.Properties
    ?.ExtendedS3DestinationConfiguration as { Prefix: string; FileExtension: string };
  const prefix = destination.Prefix.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(
    /!\{partitionKeyFromQuery:(\w+)\}/g,
    '(?<$1>[^/]+)',
  );
  return new RegExp(`^${prefix}[^/]+${destination.FileExtension.replace(/\./g, '\\.')}$`);
}

describe('local lake writer (the Firehose stand-in)', () => {
  let dir: string;
  let emulators: Emulators;
  let kinesis: KinesisClient;
  let s3: S3Client;

  async function put(events: ArchivedEvent[]) {
    for (const event of events) {
      await kinesis.send(
        new PutRecordCommand({
          StreamName: LOCAL_NAMES.stream,
          PartitionKey: partitionKey(event.envelope),
          Data: Buffer.from(event.text),
        }),
      );
    }
  }

  async function lake(): Promise<Map<string, string[]>> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_NAMES.lakeBucket }));
    const objects = new Map<string, string[]>();
    for (const { Key } of listed.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.lakeBucket, Key }));
      const text = gunzipSync(await (object.Body?.transformToByteArray() ?? new Uint8Array())).toString(
        'utf8',
      );
      objects.set(Key as string, text.split('\n'));
    }
    return objects;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lake-writer-'));
    emulators = await startEmulators({ dir, persist: false, shardCount: 2 });
    kinesis = emulatorKinesisClient(emulators.endpoints.kinesis);
    s3 = new S3Client({
      endpoint: emulators.endpoints.s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
  });

  afterEach(async () => {
    kinesis.destroy();
    s3.destroy();
    await emulators.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('archives each record once, as GZIP newline-delimited JSON under the deployed Firehose key layout', async () => {
    const events = [
      githubRecord('push', githubPayload('push'), new Date('2026-11-01T10:00:00.000Z')),
      githubRecord(
        'push',
        githubPayload('push', (p) => p.ref === 'refs/heads/master'),
        new Date('2026-11-01T10:00:01.000Z'),
      ),
      githubRecord('issues', githubPayload('issues'), new Date('2026-11-02T09:00:00.000Z')),
      streamRecord({
        source: 'jira',
        type: 'jira:issue_updated',
        subject: 'OPS',
        receivedAt: new Date('2026-11-02T09:30:00.000Z'),
        body: { webhookEvent: 'jira:issue_updated', issue: { key: 'OPS-1' } },
      }),
    ];
    await put(events);
    const writer = startLakeWriter({
      kinesisEndpoint: emulators.endpoints.kinesis,
      s3Endpoint: emulators.endpoints.s3,
      flushIntervalMs: 60_000,
    });

    const written = await writer.flush();
    await writer.stop();

    const objects = await lake();
    const pattern = firehoseKeyPattern();
    expect(written).toBe(events.length);
    for (const [key, lines] of objects) {
      const partition = pattern.exec(key)?.groups;
      expect(partition).toBeDefined();
      expect(lines.at(-1)).toBe(''); // every record, the last one too, ends with the delimiter
      for (const line of lines.slice(0, -1)) {
        const envelope = JSON.parse(line);
        expect(partition).toEqual({
          source: envelope.source,
          dt: envelope.receivedAt.slice(0, 10),
          type: envelope.type,
        });
      }
    }
    const archived = [...objects.values()].flatMap((lines) => lines.slice(0, -1));
    expect(archived.sort()).toEqual(events.map((event) => event.text).sort());
  });

  it('archives a pretty-printed body (LF or CRLF) as one line that parses to the same envelope', async () => {
    const receivedAt = new Date('2026-11-03T08:00:00.000Z');
    const payload = githubPayload('issues', (p) => p.action === 'opened');
    const events = (['\n', '\r\n'] as const).map((newline, index) =>
      prettyGithubRecord('issues', payload, new Date(receivedAt.getTime() + index), newline),
    );
    await put(events);
    const writer = startLakeWriter({
      kinesisEndpoint: emulators.endpoints.kinesis,
      s3Endpoint: emulators.endpoints.s3,
    });

    await writer.stop();

    const objects = [...(await lake()).entries()];
    const lines = objects.flatMap(([, text]) => text.slice(0, -1));
    expect(events.every((event) => event.text.split(/\r?\n/).length > 10)).toBe(true);
    expect(objects.map(([key]) => key.split('/').slice(0, 3).join('/'))).toEqual([
      'events/source=github/dt=2026-11-03',
    ]);
    expect(lines).toHaveLength(events.length);
    expect(
      lines.map((line) => JSON.parse(line)).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt)),
    ).toEqual(events.map((event) => JSON.parse(event.text)));
    expect(lines.map((line) => line.length).sort()).toEqual(events.map((event) => event.text.length).sort());
  });

  it('sends records that are not envelopes to the error prefix', async () => {
    const good = githubRecord('push', githubPayload('push'), new Date('2026-11-01T10:00:00.000Z'));
    await put([good]);
    await kinesis.send(
      new PutRecordCommand({
        StreamName: LOCAL_NAMES.stream,
        PartitionKey: 'x',
        Data: Buffer.from('not json'),
      }),
    );
    const writer = startLakeWriter({
      kinesisEndpoint: emulators.endpoints.kinesis,
      s3Endpoint: emulators.endpoints.s3,
    });

    await writer.stop();

    const keys = [...(await lake()).keys()];
    const errors = keys.filter((key) => key.startsWith('errors/processing-failed/'));
    expect(keys.filter((key) => key.startsWith('events/'))).toHaveLength(1);
    expect(errors).toHaveLength(1);
    const [errorLine] = (await lake()).get(errors[0] as string) ?? [];
    expect(Buffer.from(JSON.parse(errorLine as string).rawData, 'base64').toString()).toBe('not json');
  });

  it('resumes after its checkpoint on restart: nothing archived twice, nothing lost', async () => {
    const checkpointPath = join(dir, 'lake-checkpoints.json');
    const options = {
      kinesisEndpoint: emulators.endpoints.kinesis,
      s3Endpoint: emulators.endpoints.s3,
      checkpointPath,
    };
    const before = githubRecord('push', githubPayload('push'), new Date('2026-11-01T10:00:00.000Z'));
    const after = githubRecord('issues', githubPayload('issues'), new Date('2026-11-01T11:00:00.000Z'));
    await put([before]);
    const first = startLakeWriter(options);
    await first.stop();
    await put([after]);

    const second = startLakeWriter(options);
    const written = await second.flush();
    await second.stop();

    expect(written).toBe(1);
    const archived = [...(await lake()).values()].flatMap((lines) => lines.slice(0, -1));
    expect(archived.sort()).toEqual([before.text, after.text].sort());
  });
});
