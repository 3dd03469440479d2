import { isUtf8 } from 'node:buffer';

/**
 * Makes every archived record exactly one line of the lake, as Athena's JSON SerDe (one record per line)
 * needs. Ingest splices the sender's raw body into the envelope, so a pretty-printed body spans several
 * lines on the stream. In valid JSON text a raw CR or LF can only be insignificant whitespace (strings
 * cannot hold raw control characters, and in UTF-8 those bytes never occur inside a multi-byte character),
 * so turning each into a space keeps the value equal and the length unchanged; the newline delimiter is
 * then appended. Shared by the deployed transform (LakeTransformFunction) and the local Firehose stand-in.
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

export type LakeLine = { ok: true; line: Buffer } | { ok: false; reason: string };

/** Why `bytes` is not one JSON text in strict UTF-8, or undefined when it is. */
export function jsonTextProblem(bytes: Uint8Array): string | undefined {
  // Strict, like ingest: a lossy decode could make invalid bytes parse.
  if (!isUtf8(bytes)) return 'not valid UTF-8';
  try {
    JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    return undefined;
  } catch {
    return 'not valid JSON';
  }
}

/**
 * The record as one line: each CR and LF byte replaced by a space, then one LF appended (one byte longer
 * than the input). Only meaning-preserving for valid JSON text: check with `jsonTextProblem` first.
 */
export function toOneLine(json: Uint8Array): Buffer {
  const line = Buffer.allocUnsafe(json.length + 1);
  line.set(json);
  line[json.length] = LF;
  // Native indexOf: most records have no line break at all, and then nothing is visited byte by byte.
  for (const lineBreak of [LF, CR]) {
    for (
      let at = line.indexOf(lineBreak);
      at !== -1 && at < json.length;
      at = line.indexOf(lineBreak, at + 1)
    )
      line[at] = SPACE;
  }
  return line;
}

/** The lake line for one stream record, or why the record cannot be archived as one. */
export function lakeLine(record: Uint8Array): LakeLine {
  const problem = jsonTextProblem(record);
  return problem === undefined ? { ok: true, line: toOneLine(record) } : { ok: false, reason: problem };
}
