import type { _Record as StreamRecord } from '@aws-sdk/client-kinesis';
import { SOURCE_IDS } from '../../functions/lib/sources';
import { type HostileCase, hostileCorpus } from './corpus';
import {
  mapLimit,
  postWebhook,
  type RawAnswer,
  rawRequest,
  signedFixture,
  startTestPipeline,
  streamRecords,
  type TestPipeline,
  waitFor,
} from './support';

/** The `error` field of a JSON answer; undefined for answers that are not ours (Node's own 431). */
function errorField(answer: RawAnswer): string | undefined {
  try {
    const parsed = JSON.parse(answer.body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

describe('hostile and malformed requests against the local pipeline', () => {
  let running: TestPipeline;
  let corpus: HostileCase[];
  let answers: RawAnswer[];
  let onStream: StreamRecord[];

  beforeAll(async () => {
    // Prepare
    running = await startTestPipeline();
    corpus = hostileCorpus();
    // Act: a few at a time, as a scanner would; every answer and then the whole stream.
    answers = await mapLimit(corpus, 4, (hostile) => rawRequest(running.url, hostile));
    onStream = await streamRecords(running.pipeline.endpoints.kinesis as string);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('is a corpus of distinct 4xx cases covering every source', () => {
    const names = corpus.map((hostile) => hostile.name);
    expect(new Set(names).size).toBe(names.length);
    expect(corpus.every((hostile) => hostile.status >= 400 && hostile.status < 500)).toBe(true);
    for (const source of SOURCE_IDS) {
      expect(corpus.filter((hostile) => hostile.path === `/webhooks/${source}`).length).toBeGreaterThan(15);
    }
  });

  it('answers each request with its exact status and error', () => {
    // One line per case, so a failure shows exactly which cases were answered otherwise.
    const expected = corpus.map((hostile) => `${hostile.name} -> ${hostile.status} ${hostile.error ?? ''}`);
    const actual = corpus.map((hostile, index) => {
      const answer = answers[index] as RawAnswer;
      return `${hostile.name} -> ${answer.status} ${(hostile.error && errorField(answer)) ?? ''}`;
    });
    expect(actual).toEqual(expected);
  });

  it('lets none of them reach the stream or any sink', async () => {
    const described = onStream.map(
      (record) =>
        `${record.PartitionKey}: ${Buffer.from(record.Data ?? [])
          .toString('utf8')
          .slice(0, 300)}`,
    );
    expect(described).toEqual([]);
    expect(await running.sinks.documentFiles()).toEqual([]);
    expect(await running.sinks.executions()).toEqual([]);
  });

  it('never crashes: a valid delivery afterwards is accepted and indexed, and nothing failed inside', async () => {
    const valid = signedFixture('github');

    const answer = await postWebhook(running.url, valid);

    expect(answer.status).toBe(202);
    await waitFor(
      'the valid delivery indexed',
      () => running.sinks.document(`github:${valid.deliveryId}`),
      60_000,
    );
    expect(running.errors).toEqual([]);
  });
});
