import { gunzipSync } from 'node:zlib';
import { type Envelope, InvalidEnvelope, parseEnvelope } from '../../functions/lib/envelope';

/** One envelope read back from the archive, with its exact original text (what is re-put). */
export interface ArchivedRecord {
  text: string;
  envelope: Envelope;
  /** Milliseconds of `receivedAt`; records whose time does not parse sort first. */
  receivedAtMs: number;
}

export interface DecodedObject {
  records: ArchivedRecord[];
  /** Values that were not JSON, or JSON that is not an envelope. */
  invalid: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** An archived object's text: Firehose writes GZIP (possibly several members), local copies may be plain. */
export function objectText(body: Uint8Array): string {
  const gzipped = body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1];
  return (gzipped ? gunzipSync(body) : Buffer.from(body)).toString('utf8');
}

const Char = {
  Quote: 0x22,
  Backslash: 0x5c,
  OpenBrace: 0x7b,
  CloseBrace: 0x7d,
  OpenBracket: 0x5b,
  CloseBracket: 0x5d,
} as const;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Splits text into its top-level JSON objects and arrays, returning each one's exact source text.
 * Firehose concatenates records: our stream appends a newline to each, but archives written without the
 * delimiter, or bodies a sender pretty-printed (ingest splices the raw body in), are not one record per
 * line. Hand-written because the JSON stream libraries re-serialize values, and replay must re-put the
 * original bytes. Text outside any value that is not whitespace counts as one invalid run.
 */
export function splitJsonValues(text: string): { values: string[]; invalid: number } {
  const values: string[] = [];
  let invalid = 0;
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  let inGarbage = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === Char.Backslash) escaped = true;
      else if (code === Char.Quote) inString = false;
      continue;
    }
    if (depth === 0) {
      if (code === Char.OpenBrace || code === Char.OpenBracket) {
        start = i;
        depth = 1;
        inGarbage = false;
      } else if (!isWhitespace(code) && !inGarbage) {
        invalid += 1;
        inGarbage = true;
      }
      continue;
    }
    if (code === Char.Quote) inString = true;
    else if (code === Char.OpenBrace || code === Char.OpenBracket) depth += 1;
    else if (code === Char.CloseBrace || code === Char.CloseBracket) {
      depth -= 1;
      if (depth === 0) values.push(text.slice(start, i + 1));
    }
  }
  if (depth > 0) invalid += 1;
  return { values, invalid };
}

/** Parses every envelope of one archived object; anything else is counted, not thrown. */
export function decodeObject(body: Uint8Array): DecodedObject {
  const { values, invalid: unsplittable } = splitJsonValues(objectText(body));
  const records: ArchivedRecord[] = [];
  let invalid = unsplittable;
  for (const text of values) {
    try {
      const envelope = parseEnvelope(JSON.parse(text));
      const time = Date.parse(envelope.receivedAt);
      records.push({ text, envelope, receivedAtMs: Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time });
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof InvalidEnvelope)) throw error;
      invalid += 1;
    }
  }
  return { records, invalid };
}
