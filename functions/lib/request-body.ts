import { isUtf8 } from 'node:buffer';
import { RejectedRequest } from './errors';
import type { Headers } from './sources/types';

/** Header names are case-insensitive; sources read them lower-cased. */
export function lowerCaseHeaders(headers: Record<string, string | undefined> | null | undefined): Headers {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) lowered[name.toLowerCase()] = value;
  }
  return lowered;
}

/**
 * The exact bytes the sender signed: API Gateway hands text bodies over as strings and binary ones
 * base64-encoded. The size is checked before decoding so an oversized body is never copied.
 */
export function decodeBody(
  body: string | null | undefined,
  isBase64Encoded: boolean,
  maxBytes: number,
): Buffer {
  const text = body ?? '';
  const size = isBase64Encoded ? Math.floor((text.length * 3) / 4) : Buffer.byteLength(text, 'utf8');
  // The base64 estimate may exceed the real size by two padding bytes; the exact length is checked below.
  if (size > maxBytes + 2) throw tooLarge(maxBytes);
  const bytes = isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

function tooLarge(maxBytes: number): RejectedRequest {
  return new RejectedRequest(413, 'payload_too_large', `body larger than ${maxBytes} bytes`);
}

/**
 * The JSON text of a delivery: the body itself, or the `payload` field of GitHub's form-encoded deliveries.
 * Bodies with no content type are read as JSON, as most senders mean.
 */
export function payloadBytes(contentType: string | undefined, body: Buffer): Buffer {
  const mediaType = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return body;
  if (mediaType === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(decodeUtf8(body)).get('payload');
    if (payload === null) throw new RejectedRequest(400, 'malformed_body', 'form body has no payload field');
    return Buffer.from(payload, 'utf8');
  }
  throw new RejectedRequest(415, 'unsupported_media_type', `content type ${mediaType} is not accepted`);
}

/** Strict UTF-8: a body with invalid sequences is refused rather than silently altered. */
export function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new RejectedRequest(400, 'malformed_body', 'body is not valid UTF-8');
  return bytes.toString('utf8');
}
