import { SOURCES } from '../../functions/lib/sources';
import { allSecretHeaderNames } from '../credentials';
import type { RequestRecord } from './types';

/** Bodies are recorded up to this size; a longer one is cut (and cannot be resent from the console). */
export const RECORDED_BODY_BYTES = 256 * 1024;

/** Headers that carry credentials: recorded masked, so `.local` and the page never show a secret. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', ...allSecretHeaderNames()]);

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (!SECRET_HEADERS.has(name.toLowerCase())) return [name, value];
      // The scheme or algorithm says which credential was sent; the value stays hidden.
      const prefix = /^(\w+[ =])/.exec(value)?.[1] ?? '';
      return [name, `${prefix}••••••••`];
    }),
  );
}

/** The headers sources name their event types in. */
const EVENT_HEADERS = Object.values(SOURCES).flatMap(({ delivery }) =>
  'header' in delivery.type ? [delivery.type.header.toLowerCase()] : [],
);

export interface AnsweredRequest {
  requestId: string;
  source: string;
  method: string;
  path: string;
  status: number;
  body: string;
  ms: number;
  headers: Record<string, string>;
  requestBody: Buffer;
  reason?: string;
}

/** The record of one answered request: what the console lists and shows. */
export function requestRecord(answered: AnsweredRequest, time = new Date()): RequestRecord {
  let response: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(answered.body);
    if (typeof parsed === 'object' && parsed !== null) response = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: only the status speaks.
  }
  const accepted = answered.status >= 200 && answered.status < 300;
  const cut = answered.requestBody.subarray(0, RECORDED_BODY_BYTES);
  const utf8 = cut.toString('utf8');
  const isText = Buffer.from(utf8, 'utf8').equals(cut);
  const lower = Object.fromEntries(Object.entries(answered.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const type =
    (accepted && typeof response.type === 'string' ? response.type : undefined) ??
    EVENT_HEADERS.map((name) => lower[name]).find(Boolean);
  const message = typeof response.message === 'string' ? response.message : undefined;
  const reason = answered.reason ?? (accepted ? undefined : message);
  return {
    requestId: answered.requestId,
    time: time.toISOString(),
    source: answered.source,
    method: answered.method,
    path: answered.path,
    status: answered.status,
    ms: answered.ms,
    headers: maskHeaders(answered.headers),
    body: isText ? utf8 : cut.toString('base64'),
    bodyEncoding: isText ? 'utf8' : 'base64',
    bodyBytes: answered.requestBody.length,
    truncated: answered.requestBody.length > RECORDED_BODY_BYTES,
    response: answered.body,
    ...(reason && { reason }),
    ...(accepted &&
      typeof response.id === 'string' &&
      typeof response.source === 'string' && { eventKey: `${response.source}:${response.id}` }),
    ...(type && { type }),
  };
}
