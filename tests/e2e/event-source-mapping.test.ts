import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CheckpointStore } from '../../local/checkpoints';
import { type Emulators, emulatorKinesisClient, startEmulators } from '../../local/emulators';
import { KinesisEventSourceMapping, type MappingSettings } from '../../local/event-source-mapping';
import { LOCAL_ARNS, LOCAL_NAMES, localPaths } from '../../local/names';
import { readLines } from '../../local/ndjson';
import type { InvokeOutcome } from '../../local/runtime/lambda';
import { waitFor } from './support/sinks';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const githubExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

interface KinesisRecordEvent {
  eventSource: string;
  eventID: string;
  eventSourceARN: string;
  kinesis: {
    data: string;
    partitionKey: string;
    sequenceNumber: string;
    approximateArrivalTimestamp: number;
  };
}
type Handler = (records: KinesisRecordEvent[], call: number) => InvokeOutcome;

const settings: MappingSettings = {
  batchSize: 10,
  maximumBatchingWindowSeconds: 0,
  maximumRetryAttempts: 2,
  maximumRecordAgeSeconds: -1,
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
};

describe("the local Kinesis event source mapping (Lambda's semantics against kinesalite)", () => {
  let dir: string;
  let emulators: Emulators;
  let kinesis: KinesisClient;
  const running: KinesisEventSourceMapping[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esm-'));
    emulators = await startEmulators({ dir, persist: false, shardCount: 1 });
    kinesis = emulatorKinesisClient(emulators.endpoints.kinesis);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
    kinesis.destroy();
    await emulators.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Real payloads as envelopes, put in order under one partition key; returns their sequence numbers. */
  async function putEnvelopes(count: number): Promise<string[]> {
    const pushes = githubExamples.find((entry) => entry.name === 'push')?.examples ?? [];
    const sequenceNumbers: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const envelope = {
        id: `delivery-${index}`,
        source: 'github',
        type: 'push',
        payload: pushes[index % pushes.length],
      };
      const { SequenceNumber } = await kinesis.send(
        new PutRecordCommand({
          StreamName: LOCAL_NAMES.stream,
          PartitionKey: 'github:octo/repo',
          Data: Buffer.from(JSON.stringify(envelope)),
        }),
      );
      sequenceNumbers.push(SequenceNumber as string);
    }
    return sequenceNumbers;
  }

  function startMapping(handler: Handler, overrides: Partial<MappingSettings> = {}) {
    const batches: KinesisRecordEvent[][] = [];
    const mapping = new KinesisEventSourceMapping({
      kinesis,
      streamName: LOCAL_NAMES.stream,
      streamArn: LOCAL_ARNS.stream,
      functionArn: LOCAL_ARNS.function('local-DispatcherFunction'),
      settings: { ...settings, ...overrides },
      checkpoints: new CheckpointStore(localPaths(dir).checkpoints),
      deadLetterFile: localPaths(dir).deadLetters,
      pollIntervalMs: 20,
      retryBaseDelayMs: 1,
      invoke: async (event) => {
        const records = (event as { Records: KinesisRecordEvent[] }).Records;
        batches.push(records);
        return handler(records, batches.length);
      },
    });
    mapping.start();
    running.push(mapping);
    return { mapping, batches };
  }

  const ok: InvokeOutcome = { ok: true, payload: { batchItemFailures: [] } };
  const sequences = (batch: KinesisRecordEvent[] | undefined) =>
    (batch ?? []).map((record) => record.kinesis.sequenceNumber);
  const processed = (batches: KinesisRecordEvent[][]) =>
    new Set(batches.flat().map((r) => r.kinesis.sequenceNumber));

  it('delivers records in order, in batches of the batch size, in the real Kinesis event shape', async () => {
    // Prepare
    const sequenceNumbers = await putEnvelopes(7);

    // Act
    const { batches } = startMapping(() => ok, { batchSize: 3 });
    await waitFor('all records delivered', async () => (processed(batches).size === 7 ? true : undefined));

    // Assert
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(batches.flat().map((record) => record.kinesis.sequenceNumber)).toEqual(sequenceNumbers);
    const first = batches[0]?.[0] as KinesisRecordEvent;
    expect(first).toMatchObject({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventSourceARN: LOCAL_ARNS.stream,
      eventID: `shardId-000000000000:${sequenceNumbers[0]}`,
      awsRegion: 'us-east-1',
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'github:octo/repo',
        sequenceNumber: sequenceNumbers[0],
      },
    });
    expect(JSON.parse(Buffer.from(first.kinesis.data, 'base64').toString())).toMatchObject({
      id: 'delivery-0',
    });
    expect(first.kinesis.approximateArrivalTimestamp).toBeCloseTo(Date.now() / 1000, -2);
  });

  it('checkpoints before the lowest reported failure and retries from there', async () => {
    // Prepare: the first invocation reports records 4 and 6 failed.
    const sequenceNumbers = await putEnvelopes(8);
    const failed = [sequenceNumbers[6], sequenceNumbers[4]];

    // Act
    const { batches } = startMapping((_, call) =>
      call === 1
        ? { ok: true, payload: { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) } }
        : ok,
    );
    await waitFor('the retry', async () => (batches.length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Assert: the retry starts at the lowest failed record; the checkpoint ends after the last record.
    expect(sequences(batches[0])).toEqual(sequenceNumbers);
    expect(sequences(batches[1])).toEqual(sequenceNumbers.slice(4));
    expect(batches).toHaveLength(2);
    expect(
      new CheckpointStore(localPaths(dir).checkpoints).get(`${LOCAL_NAMES.stream}/shardId-000000000000`),
    ).toBe(sequenceNumbers[7]);
  });

  it('bisects a batch on function errors and dead-letters only the poison record after the retries', async () => {
    // Prepare: a function that fails whenever record 2 is in its batch.
    const sequenceNumbers = await putEnvelopes(4);
    const poison = sequenceNumbers[2];

    // Act
    const { batches } = startMapping((records) =>
      records.some((record) => record.kinesis.sequenceNumber === poison)
        ? { ok: false, error: { errorType: 'Error', errorMessage: 'poison' } }
        : ok,
    );
    const letters = await waitFor('a dead letter', async () => {
      const lines = await readLines(localPaths(dir).deadLetters);
      return lines.length > 0 ? lines : undefined;
    });

    // Assert: halves are tried on their own; every good record is delivered; only the poison is discarded.
    expect(sequences(batches[0])).toEqual(sequenceNumbers);
    expect(sequences(batches[1])).toEqual(sequenceNumbers.slice(0, 2));
    for (const good of [0, 1, 3]) expect(processed(batches).has(sequenceNumbers[good] as string)).toBe(true);
    expect(letters).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({ condition: 'RetryAttemptsExhausted' }),
        responseContext: expect.objectContaining({ functionError: 'Unhandled' }),
        KinesisBatchInfo: expect.objectContaining({
          shardId: 'shardId-000000000000',
          startSequenceNumber: poison,
          endSequenceNumber: poison,
          batchSize: 1,
          streamArn: LOCAL_ARNS.stream,
        }),
      }),
    ]);
  });

  it('resumes from its checkpoint file after a restart, without repeating records', async () => {
    // Prepare: a first run that processed everything on the stream.
    const before = await putEnvelopes(3);
    const first = startMapping(() => ok);
    await waitFor('the first run', async () => (processed(first.batches).size === 3 ? true : undefined));
    await first.mapping.stop();

    // Act: records arrive while stopped; a new mapping starts from the same checkpoint file.
    const after = await putEnvelopes(2);
    const second = startMapping(() => ok);
    await waitFor('the second run', async () => (processed(second.batches).size === 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Assert
    expect([...processed(second.batches)]).toEqual(after);
    expect(before.some((sequence) => processed(second.batches).has(sequence))).toBe(false);
  });
});
