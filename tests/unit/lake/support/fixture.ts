import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';
import { partitionKey } from '../../../../functions/lib/envelope';
import { spliceEnvelope } from '../../../../functions/lib/ingest';
import {
  githubEnvelope,
  octokitPayload,
  type Payload,
  projectRoot,
} from '../../../statemachine/support/envelopes';

/*
 * Builds events/lake-transform/firehose-batch.json: the event Firehose sends LakeTransformFunction for a
 * Kinesis source, whose records are stream records exactly as ingest writes them (the sender's body spliced
 * in byte for byte) around real @octokit/webhooks-examples payloads: one compact, one pretty-printed with
 * LF, one pretty-printed with CRLF and escaped \n inside its strings, and one cut short (not JSON).
 * Regenerate with `npx tsx tests/unit/lake/support/fixture.ts`; a test checks the file matches.
 */

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/webhook-stream';
const DELIVERY_STREAM_ARN = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/webhook-pipeline-lake';
const FIRST_ARRIVAL_MS = 1777885200000;

/** How a sender put the body on the wire: GitHub sends compact JSON, other senders indent it. */
export type BodyStyle = 'compact' | 'pretty-lf' | 'pretty-crlf';

export interface FixtureDelivery {
  type: string;
  payload: Payload;
  style: BodyStyle;
}

export const DELIVERIES: FixtureDelivery[] = [
  { type: 'push', payload: octokitPayload('push', 0), style: 'compact' },
  { type: 'pull_request', payload: octokitPayload('pull_request', 0), style: 'pretty-lf' },
  { type: 'security_advisory', payload: octokitPayload('security_advisory', 2), style: 'pretty-crlf' },
];

export function bodyText(payload: Payload, style: BodyStyle): string {
  if (style === 'compact') return JSON.stringify(payload);
  const pretty = JSON.stringify(payload, null, 2);
  return style === 'pretty-crlf' ? pretty.replaceAll('\n', '\r\n') : pretty;
}

/** The stream record ingest writes for one delivery (ingest's own splice). */
export function deliveryRecord({ type, payload, style }: FixtureDelivery): Buffer {
  const { payload: _spliced, ...head } = githubEnvelope(type, payload);
  return spliceEnvelope(head, Buffer.from(bodyText(payload, style)));
}

function firehoseRecord(data: Buffer, key: string, position: number): FirehoseTransformationEventRecord {
  const sequenceNumber = `4965633893425120784162947231856${String(position + 1).padStart(25, '0')}`;
  const arrival = FIRST_ARRIVAL_MS + position * 100;
  return {
    // Firehose's record id for a Kinesis source: the sequence number, subsequence and padding.
    recordId: `${sequenceNumber}${'0'.repeat(42)}`,
    approximateArrivalTimestamp: arrival,
    data: data.toString('base64'),
    kinesisRecordMetadata: {
      shardId: 'shardId-000000000000',
      partitionKey: key,
      approximateArrivalTimestamp: arrival,
      sequenceNumber,
      subsequenceNumber: '',
    },
  };
}

export function buildFirehoseBatch(): FirehoseTransformationEvent {
  const records = DELIVERIES.map((delivery, position) => {
    const { payload: _spliced, ...head } = githubEnvelope(delivery.type, delivery.payload);
    return firehoseRecord(deliveryRecord(delivery), partitionKey(head), position);
  });
  // A record cut short: not JSON, so it must come back ProcessingFailed, not be dropped.
  const [first] = DELIVERIES as [FixtureDelivery];
  const truncated = deliveryRecord(first).subarray(0, 512);
  records.push(firehoseRecord(truncated, 'github:Codertocat/Hello-World', records.length));
  return {
    invocationId: '5f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    deliveryStreamArn: DELIVERY_STREAM_ARN,
    sourceKinesisStreamArn: STREAM_ARN,
    region: 'us-east-1',
    records,
  };
}

if (require.main === module) {
  writeFileSync(
    join(projectRoot, 'events', 'lake-transform', 'firehose-batch.json'),
    `${JSON.stringify(buildFirehoseBatch(), null, 2)}\n`,
  );
  console.log('wrote events/lake-transform/firehose-batch.json');
}
