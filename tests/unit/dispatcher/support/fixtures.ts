import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { type Envelope, partitionKey } from '../../../../functions/lib/envelope';
import {
  claimChecked,
  githubEnvelope,
  octokitPayload,
  projectRoot,
  stableUuid,
} from '../../../statemachine/support/envelopes';

/*
 * Builds the dispatcher's fixtures in events/dispatcher: Kinesis events exactly as Lambda's event source
 * mapping delivers them, whose records are base64 envelopes of real @octokit/webhooks-examples payloads.
 * Regenerate with `npx tsx tests/unit/dispatcher/support/fixtures.ts`; a test checks the files match.
 */

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/webhook-stream';

/** Kinesis sequence numbers: 56 digits, increasing within the shard. */
function sequenceNumber(position: number): string {
  return `4965633893425120784162947231856${String(position).padStart(25, '0')}`;
}

function arrival(position: number): number {
  return 1777885200 + position / 10;
}

export function kinesisRecord(data: Buffer, key: string, position: number): KinesisStreamRecord {
  const sequence = sequenceNumber(position);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: key,
      sequenceNumber: sequence,
      data: data.toString('base64'),
      approximateArrivalTimestamp: arrival(position),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequence}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/webhook-pipeline-DispatcherFunctionRole',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

export function envelopeRecord(envelope: Envelope, position: number): KinesisStreamRecord {
  return kinesisRecord(Buffer.from(JSON.stringify(envelope)), partitionKey(envelope), position);
}

export function kinesisEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

const push = () => githubEnvelope('push', octokitPayload('push', 4));
const issueOpened = () => githubEnvelope('issues', octokitPayload('issues', 15));
const publicized = () => githubEnvelope('repository', octokitPayload('repository', 0));
const protectionDeleted = () =>
  githubEnvelope('branch_protection_rule', octokitPayload('branch_protection_rule', 3));
const discussionCreated = () => githubEnvelope('discussion', octokitPayload('discussion', 0));

export function buildFixtures(): Record<string, KinesisStreamEvent> {
  // Something other than an envelope on the stream: a raw GitHub body, and a record cut short.
  const rawBody = Buffer.from(JSON.stringify(octokitPayload('issues', 16)));
  const truncated = Buffer.from(JSON.stringify(issueOpened()).slice(0, 200));
  return {
    // Two repositories interleaved, as one shard delivers them: Codertocat/Hello-World (push, issue opened,
    // repository made public) and octo-org/octo-repo (branch protection deleted, discussion created).
    'kinesis-batch': kinesisEvent([
      envelopeRecord(push(), 1),
      envelopeRecord(protectionDeleted(), 2),
      envelopeRecord(issueOpened(), 3),
      envelopeRecord(discussionCreated(), 4),
      envelopeRecord(publicized(), 5),
    ]),
    // A record that is not JSON sits between two envelopes of its key, and a raw body on the other key.
    'poison-record': kinesisEvent([
      envelopeRecord(push(), 1),
      kinesisRecord(truncated, partitionKey(push()), 2),
      envelopeRecord(issueOpened(), 3),
      envelopeRecord(protectionDeleted(), 4),
      kinesisRecord(rawBody, partitionKey(protectionDeleted()), 5),
    ]),
    'single-record': kinesisEvent([envelopeRecord(publicized(), 1)]),
    // A push too large to travel inline: ingest stored the body in S3 (claim check).
    'claim-checked': kinesisEvent([
      envelopeRecord(
        claimChecked(githubEnvelope('push', octokitPayload('push', 5), stableUuid('large push'))),
        1,
      ),
    ]),
  };
}

if (require.main === module) {
  for (const [name, event] of Object.entries(buildFixtures())) {
    writeFileSync(
      join(projectRoot, 'events', 'dispatcher', `${name}.json`),
      `${JSON.stringify(event, null, 2)}\n`,
    );
  }
  console.log('wrote events/dispatcher/*.json');
}
