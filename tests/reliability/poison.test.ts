import { createHash } from 'node:crypto';
import { ListShardsCommand, PutRecordCommand, PutRecordsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClient } from '../../local/emulators';
import { LOCAL_NAMES } from '../../local/names';
import type { WebhookRequest } from '../../local/signing';
import {
  githubExample,
  postWebhook,
  signedGithub,
  startTestPipeline,
  streamRecords,
  type TestPipeline,
  waitFor,
} from './support';

/** The shard Kinesis puts a partition key on: the MD5 of the key, as a 128-bit number, in a hash key range. */
function shardOf(partitionKey: string, shards: Shard[]): string {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);
  const shard = shards.find(
    (candidate) =>
      BigInt(candidate.HashKeyRange?.StartingHashKey ?? '-1') <= hash &&
      hash <= BigInt(candidate.HashKeyRange?.EndingHashKey ?? '-1'),
  );
  if (!shard?.ShardId) throw new Error(`no shard holds ${partitionKey}`);
  return shard.ShardId;
}

/** A real payload moved to another repository, which gives it that repository's partition key. */
function inRepository(event: string, action: string | undefined, repository: string): WebhookRequest {
  const payload = JSON.parse(githubExample(event, action).toString()) as {
    repository?: { full_name: string };
  };
  if (!payload.repository) throw new Error(`${event} has no repository`);
  payload.repository.full_name = repository;
  return signedGithub(event, Buffer.from(JSON.stringify(payload)));
}

describe('a poison record on the stream', () => {
  let running: TestPipeline;
  const dispatcherLog: string[] = [];

  beforeAll(async () => {
    running = await startTestPipeline({
      mapping: { maximumRetryAttempts: 2 },
      onFunctionLog: (logicalId, line) => {
        if (logicalId === 'DispatcherFunction') dispatcherLog.push(line);
      },
    });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('is isolated in the dead-letter file while the rest of its shard, its own key included, flows', async () => {
    // Prepare: a real event of one repository, then on its partition key (so its shard) a record that is not
    // an envelope: a real envelope cut short, as a buggy producer would leave it.
    const repository = 'Codertocat/Hello-World';
    const key = `github:${repository}`;
    const kinesis = emulatorKinesisClient(running.pipeline.endpoints.kinesis as string);
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: LOCAL_NAMES.stream }));
    const poisonShard = shardOf(key, Shards);
    const before = inRepository('push', undefined, repository);
    const envelope = JSON.stringify({
      id: before.deliveryId,
      source: 'github',
      type: 'push',
      subject: repository,
    });
    // Same key on the poison's shard, other keys on its shard, and keys on other shards.
    const candidates = Array.from({ length: 64 }, (_, index) => `${repository}-${index}`);
    const sameShard = candidates
      .filter((name) => shardOf(`github:${name}`, Shards) === poisonShard)
      .slice(0, 3);
    const otherShards = candidates
      .filter((name) => shardOf(`github:${name}`, Shards) !== poisonShard)
      .slice(0, 3);
    const after = [
      inRepository('issues', 'opened', repository),
      inRepository('pull_request', 'opened', repository),
      inRepository('release', 'published', repository),
      ...sameShard.map((name) => inRepository('issues', 'opened', name)),
      ...otherShards.map((name) => inRepository('push', undefined, name)),
    ];

    // Act: the event, then the poison; once the dispatcher has failed on the poison (its batch is now
    // fixed and being retried), the events behind it.
    expect((await postWebhook(running.url, before)).status).toBe(202);
    const poison = await kinesis.send(
      new PutRecordCommand({
        StreamName: LOCAL_NAMES.stream,
        PartitionKey: key,
        Data: Buffer.from(envelope.slice(0, envelope.length - 20)),
      }),
    );
    kinesis.destroy();
    await waitFor('the dispatcher failing on the poison record', async () =>
      dispatcherLog.some(
        (line) => line.includes('record failed') && line.includes(String(poison.SequenceNumber)),
      )
        ? true
        : undefined,
    );
    // One after another, so the stream holds them in this order.
    const answers = [];
    for (const request of after) answers.push(await postWebhook(running.url, request));
    const events = [before, ...after];
    await waitFor(
      'every event indexed',
      async () => {
        const found = await Promise.all(
          events.map((event) => running.sinks.document(`github:${event.deliveryId}`)),
        );
        return found.every(Boolean) ? found : undefined;
      },
      60_000,
    );
    const letters = await waitFor('a dead letter', async () => {
      const lines = await running.sinks.deadLetters();
      return lines.length > 0 ? lines : undefined;
    });

    // Assert: the poison alone was given up on, after its retries, naming exactly its record...
    expect(sameShard).toHaveLength(3);
    expect(answers.map((answer) => answer.status)).toEqual(after.map(() => 202));
    expect(letters).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        }),
        KinesisBatchInfo: expect.objectContaining({
          shardId: poisonShard,
          startSequenceNumber: poison.SequenceNumber,
          endSequenceNumber: poison.SequenceNumber,
          batchSize: 1,
        }),
      }),
    ]);
    expect(poison.ShardId).toBe(poisonShard);
    // ...which the stream still holds, so `npm run redrive` can fetch it from the metadata...
    const onStream = await streamRecords(running.pipeline.endpoints.kinesis as string);
    expect(onStream.filter((record) => record.SequenceNumber === poison.SequenceNumber)).toHaveLength(1);
    // ...and every real event ran exactly once, successfully, its key's events included (side by side:
    // no effect depends on their order).
    const executions = await running.sinks.executions();
    for (const event of events) {
      expect(
        executions.filter((line) => line.eventId === event.deliveryId).map((line) => line.status),
      ).toEqual(['SUCCEEDED']);
    }
    const ownKey = [before, ...after.slice(0, 3)].map((event) => event.deliveryId);
    expect(
      executions
        .map((line) => line.eventId)
        .filter((id) => ownKey.includes(id as string))
        .sort(),
    ).toEqual([...ownKey].sort());
    expect(executions).toHaveLength(events.length);
  }, 120_000);

  // A record that is not an envelope is no event of its key: it is reported (so it ends in the dead-letter
  // queue) without holding back the events behind it.
  it('lets an event of its key that shares its batch through', async () => {
    // Prepare: the poison and a real event of the same key in one PutRecords call, so one batch.
    const repository = 'octo-org/octo-repo';
    const key = `github:${repository}`;
    const event = {
      id: 'behind-the-poison',
      source: 'github',
      type: 'issues',
      action: 'opened',
      subject: repository,
      receivedAt: new Date().toISOString(),
      meta: {},
      payload: JSON.parse(githubExample('issues', 'opened').toString()),
    };
    const kinesis = emulatorKinesisClient(running.pipeline.endpoints.kinesis as string);

    // Act
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.stream,
        Records: [
          { PartitionKey: key, Data: Buffer.from('{"id":"poison","source":"github"') },
          { PartitionKey: key, Data: Buffer.from(JSON.stringify(event)) },
        ],
      }),
    );
    kinesis.destroy();
    const poison = put.Records?.[0]?.SequenceNumber;
    await waitFor('the poison given up on', async () => {
      const letters = await running.sinks.deadLetters();
      return letters.some((letter) => JSON.stringify(letter).includes(String(poison))) ? true : undefined;
    });

    // Assert
    expect(await running.sinks.document('github:behind-the-poison')).toBeDefined();
  }, 60_000);
});
