import type { KinesisStreamEvent } from 'aws-lambda';
import type { Envelope } from '../functions/lib/envelope';

const githubExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

/** `count` envelopes of real GitHub payloads (every example in turn), as ingest would put them on the stream. */
export function githubEnvelopes(count: number, idPrefix: string): Envelope[] {
  const all = githubExamples.flatMap(({ name, examples }) => examples.map((payload) => ({ name, payload })));
  return Array.from({ length: count }, (_, index) => {
    const { name, payload } = all[index % all.length] as (typeof all)[number];
    const repository = payload.repository as { full_name?: string } | undefined;
    return {
      id: `${idPrefix}-${index}`,
      source: 'github',
      type: name,
      ...(typeof payload.action === 'string' ? { action: payload.action } : {}),
      subject: repository?.full_name ?? '-',
      receivedAt: '2026-05-04T09:00:00.000Z',
      payload,
      meta: { hookId: '292201938' },
    };
  });
}

/** The Kinesis event Lambda hands the dispatcher for these envelopes, each under the key `keyOf` gives. */
export function kinesisBatch(
  envelopes: readonly Envelope[],
  keyOf: (envelope: Envelope, index: number) => string,
): KinesisStreamEvent {
  return {
    Records: envelopes.map((envelope, index) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: keyOf(envelope, index),
        sequenceNumber: String(49656338934251207841629472318560000000000000000000000000n + BigInt(index)),
        data: Buffer.from(JSON.stringify(envelope)).toString('base64'),
        approximateArrivalTimestamp: 1777885200,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${index}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/dispatcher',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/webhook-stream',
    })),
  };
}
