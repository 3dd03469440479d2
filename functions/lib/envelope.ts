import { createHash } from 'node:crypto';
import { EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS, KINESIS_MAX_PARTITION_KEY_CHARS } from './aws-limits';
import { isSourceId, type SourceId } from './sources';

export { isSourceId, SOURCE_IDS, type SourceId } from './sources';

/**
 * The record on the stream: one JSON object per webhook, built by ingest and read by every step after it.
 * See the README's "Envelope" section for the meaning of each field.
 */
export interface PayloadRef {
  bucket: string;
  key: string;
  bytes: number;
  sha256: string;
}

export interface Envelope {
  id: string;
  source: SourceId;
  type: string;
  action?: string;
  subject: string;
  receivedAt: string;
  payload?: unknown;
  payloadRef?: PayloadRef;
  meta: Record<string, string>;
  /**
   * The bus event's DetailType, present only when `<type>.<action>` is longer than EventBridge accepts
   * (see busDetailType); `type` and `action` stay whole in the event's detail.
   */
  detailType?: string;
}

/** The key every side effect is made idempotent on. */
export function idempotencyKey(envelope: Pick<Envelope, 'source' | 'id'>): string {
  return `${envelope.source}:${envelope.id}`;
}

/** Kinesis partition key: events of one subject stay in order. Kinesis caps keys at 256 characters. */
export function partitionKey(envelope: Pick<Envelope, 'source' | 'subject'>): string {
  return `${envelope.source}:${envelope.subject}`.slice(0, KINESIS_MAX_PARTITION_KEY_CHARS);
}

/** Characters of the digest that keeps two long, shortened detail types apart. */
const DETAIL_TYPE_DIGEST_CHARS = 16;

/**
 * The DetailType the workflow publishes the event with: `<type>.<action>` (or `<type>`). A sender's type and
 * action are not bounded (Jira, ServiceNow and Rally take them from the body), while EventBridge refuses a
 * DetailType above 128 characters, so a longer one is cut and ends in `~` and a digest of the whole.
 */
export function busDetailType(type: string, action?: string): string {
  const full = action === undefined ? type : `${type}.${action}`;
  if ([...full].length <= EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, DETAIL_TYPE_DIGEST_CHARS);
  const kept = [...full].slice(0, EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS - DETAIL_TYPE_DIGEST_CHARS - 1).join('');
  return `${kept}~${digest}`;
}

export class InvalidEnvelope extends Error {
  override readonly name = 'InvalidEnvelope';
}

function requireString(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '')
    throw new InvalidEnvelope(`envelope field "${field}" missing`);
  return value;
}

/**
 * Checks that a decoded stream record is an envelope. Hand-written rather than a schema library because
 * the shape is small and this runs once per record on the hot path of the dispatcher.
 */
export function parseEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidEnvelope('envelope is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const source = requireString(record, 'source');
  if (!isSourceId(source)) throw new InvalidEnvelope(`envelope source "${source}" is not known`);
  const envelope: Envelope = {
    id: requireString(record, 'id'),
    source,
    type: requireString(record, 'type'),
    subject: requireString(record, 'subject'),
    receivedAt: requireString(record, 'receivedAt'),
    meta: (record.meta as Record<string, string> | undefined) ?? {},
  };
  if (typeof record.action === 'string') envelope.action = record.action;
  // The workflow cannot shorten a string, so the envelope it runs on carries the bus name when it must differ.
  const detailType = busDetailType(envelope.type, envelope.action);
  const plain = envelope.action === undefined ? envelope.type : `${envelope.type}.${envelope.action}`;
  if (detailType !== plain) envelope.detailType = detailType;
  if ('payload' in record) envelope.payload = record.payload;
  else if (isPayloadRef(record.payloadRef)) envelope.payloadRef = record.payloadRef;
  else throw new InvalidEnvelope('envelope has neither payload nor payloadRef');
  return envelope;
}

function isPayloadRef(value: unknown): value is PayloadRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as Record<string, unknown>;
  return (
    typeof ref.bucket === 'string' &&
    typeof ref.key === 'string' &&
    typeof ref.bytes === 'number' &&
    typeof ref.sha256 === 'string'
  );
}
