import { createHash } from 'node:crypto';
import type { Envelope, SourceId } from '../../functions/lib/envelope';
import { spliceEnvelope } from '../../functions/lib/ingest';

/** Real GitHub payloads: @octokit/webhooks-examples, one entry per event type. */
type Payload = Record<string, unknown>;
const octokitExamples = require('@octokit/webhooks-examples') as Array<{ name: string; examples: Payload[] }>;

/** A copy of the first real example of `type` that satisfies `accept` (tests may change the copy). */
export function githubPayload(type: string, accept: (payload: Payload) => boolean = () => true): Payload {
  const example = octokitExamples.find((entry) => entry.name === type)?.examples.find(accept);
  if (!example) throw new Error(`@octokit/webhooks-examples has no matching ${type} example`);
  return structuredClone(example);
}

export interface ArchivedEvent {
  envelope: Omit<Envelope, 'payload' | 'payloadRef'>;
  /** The record exactly as ingest puts it on the stream. */
  text: string;
}

const stableId = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 32);

/**
 * The stream record ingest writes for one delivery: the envelope head with the body's own bytes spliced
 * in as `payload` (ingest's spliceEnvelope), so these tests archive and replay exactly what runs.
 */
export function streamRecord(options: {
  source: SourceId;
  type: string;
  subject: string;
  receivedAt: Date;
  body: Payload | string;
  id?: string;
}): ArchivedEvent {
  const bodyText = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const action =
    typeof options.body === 'object' && typeof options.body.action === 'string'
      ? options.body.action
      : undefined;
  const envelope = {
    id:
      options.id ??
      stableId(`${options.source}:${options.type}:${bodyText}:${options.receivedAt.toISOString()}`),
    source: options.source,
    type: options.type,
    ...(action !== undefined && { action }),
    subject: options.subject,
    receivedAt: options.receivedAt.toISOString(),
    meta: { userAgent: 'tests' },
  };
  return { envelope, text: spliceEnvelope(envelope, Buffer.from(bodyText)).toString('utf8') };
}

/** A GitHub delivery of a real payload, its subject the repository as the GitHub source describes it. */
export function githubRecord(type: string, payload: Payload, receivedAt: Date, id?: string): ArchivedEvent {
  const repository = payload.repository as { full_name?: string } | undefined;
  return streamRecord({
    source: 'github',
    type,
    subject: repository?.full_name ?? '-',
    receivedAt,
    body: payload,
    ...(id && { id }),
  });
}

/**
 * The same delivery from a sender that pretty-prints its JSON (with `newline` line breaks): ingest splices
 * those bytes in as they are, so the stream record spans several lines.
 */
export function prettyGithubRecord(
  type: string,
  payload: Payload,
  receivedAt: Date,
  newline: '\n' | '\r\n' = '\n',
): ArchivedEvent {
  const compact = githubRecord(type, payload, receivedAt);
  const body = JSON.stringify(payload, null, 2).replaceAll('\n', newline);
  return {
    envelope: compact.envelope,
    text: spliceEnvelope(compact.envelope, Buffer.from(body)).toString('utf8'),
  };
}

export const daysAgo = (days: number, hour = 12) => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() - days);
  date.setUTCHours(hour, 0, 0, 0);
  return date;
};
