import { type Envelope, parseEnvelope } from '../envelope';

/**
 * Step Functions caps an execution's input at 256 KiB. The workflow publishes its input as the bus event's
 * detail, so the 2 KiB kept free here also leaves room for the entry's Source, DetailType and Resources on a
 * bus still limited to 256 KB. Ingest's inline limit (at most 200,000 bytes of payload) stays well below.
 */
export const MAX_WORKFLOW_INPUT_BYTES = 256 * 1024 - 2048;

/** A stream record that can never become a workflow execution: not JSON, not an envelope, or too large. */
export class InvalidRecord extends Error {
  override readonly name = 'InvalidRecord';
}

export interface WorkflowInput {
  envelope: Envelope;
  /** The execution input: the envelope as parseEnvelope checked it (payload or payloadRef, never both). */
  input: string;
}

/** The fields an envelope may have (see Envelope); a record with any other is passed on re-serialized. */
const ENVELOPE_FIELDS = new Set([
  'id',
  'source',
  'type',
  'action',
  'subject',
  'receivedAt',
  'payload',
  'payloadRef',
  'meta',
]);

/**
 * True when the record's JSON already says exactly what parseEnvelope made of it, so its text can be the
 * execution input as it is. Ingest always writes such records; re-serializing them would cost as much CPU
 * as parsing them did, on every record of every batch.
 */
function isAsParsed(value: Record<string, unknown>): boolean {
  if ('payload' in value && 'payloadRef' in value) return false;
  if ('action' in value && typeof value.action !== 'string') return false;
  if (typeof value.meta !== 'object' || value.meta === null) return false;
  return Object.keys(value).every((field) => ENVELOPE_FIELDS.has(field));
}

/** Decodes one Kinesis record's data (base64 of the envelope's JSON) into the input of its execution. */
export function readRecord(base64Data: string): WorkflowInput {
  const text = Buffer.from(base64Data, 'base64').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidRecord(`record data is not JSON (${text.length} characters)`);
  }
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(value);
  } catch (error) {
    throw new InvalidRecord((error as Error).message, { cause: error });
  }
  const asParsed = isAsParsed(value as Record<string, unknown>);
  const input = asParsed ? text : JSON.stringify(envelope);
  const bytes = Buffer.byteLength(input, 'utf8');
  if (bytes > MAX_WORKFLOW_INPUT_BYTES) {
    throw new InvalidRecord(
      `envelope ${envelope.source}:${envelope.id} is ${bytes} bytes, above the ${MAX_WORKFLOW_INPUT_BYTES} a workflow input may have`,
    );
  }
  return { envelope, input };
}
