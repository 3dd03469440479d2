import { randomUUID } from 'node:crypto';
import { isSourceId, SOURCES, type SourceId } from '../functions/lib/sources';
import { allCredentialHeaderNames, credentialHeaders } from './credentials';
import { localSecret } from './dev-secrets';
import { senderHints } from './senders';

/** Headers a sender never sets itself (API Gateway or the HTTP client adds them) or that carry credentials. */
const DROPPED = new Set([
  'host',
  'content-length',
  'connection',
  'x-amzn-trace-id',
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-proto',
  ...allCredentialHeaderNames(),
]);

export interface WebhookRequest {
  source: SourceId;
  headers: Record<string, string>;
  body: Buffer;
  /** The delivery id the request carries (the envelope's id once accepted). */
  deliveryId: string;
}

export interface SignOptions {
  source: SourceId;
  body: Buffer;
  /** Headers to keep (from a fixture); credentials and proxy headers among them are replaced. */
  headers?: Record<string, string>;
  /** The event type header's value where the source takes it from a header. */
  event?: string;
  /** Keep the delivery id the headers or body already carry instead of a new one (a redelivery). */
  keepDeliveryId?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  headers[name] = value;
}

/**
 * A webhook request as the provider would send it, signed with the local secret of its source
 * (WEBHOOK_SECRET_<SOURCE> or the development value): credential headers per the source's scheme, the
 * event type header where the source has one, and a fresh delivery id unless told to keep it.
 */
export function signWebhook(options: SignOptions): WebhookRequest {
  const { source } = options;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!DROPPED.has(name.toLowerCase())) headers[name] = value;
  }
  if (!headerValue(headers, 'content-type')) headers['Content-Type'] = 'application/json';
  const hints = senderHints(source);
  const { delivery } = SOURCES[source];
  if (!headerValue(headers, 'user-agent')) headers['User-Agent'] = hints.userAgent;
  let body = options.body;
  const payload = parseJson(body);

  if ('header' in delivery.type) {
    const name = delivery.type.header;
    const event = options.event ?? headerValue(headers, name) ?? (payload && hints.guessEvent?.(payload));
    if (!event) throw new Error(`cannot tell the ${source} event type of this payload: pass --event <type>`);
    setHeader(headers, name, event);
  }

  let deliveryId: string;
  const idHeader = delivery.idHeaders?.[0];
  if (idHeader !== undefined) {
    const current = headerValue(headers, idHeader);
    deliveryId = options.keepDeliveryId && current ? current : randomUUID();
    setHeader(headers, idHeader, deliveryId);
  } else {
    // The delivery id travels in a top-level body field (the ddns client's `uuid`).
    const field = delivery.idField;
    if (typeof field !== 'string' || field.includes('.')) {
      throw new Error(`${source} names its delivery id neither in a header nor in a top-level body field`);
    }
    const current = typeof payload?.[field] === 'string' ? payload[field] : undefined;
    deliveryId = options.keepDeliveryId && current ? current : randomUUID();
    if (deliveryId !== current) {
      if (!payload) throw new Error(`a ${source} request body must be a JSON object`);
      body = Buffer.from(JSON.stringify({ ...payload, [field]: deliveryId }));
    }
  }

  const secret = localSecret(source, options.env ?? process.env);
  Object.assign(headers, credentialHeaders(source, body, secret, options.now ?? new Date()));
  return { source, headers, body, deliveryId };
}

/** An API Gateway proxy event fixture (events/<function>/<case>.json) as the request that produced it. */
export function fromProxyEvent(event: Record<string, unknown>): {
  source: SourceId;
  headers: Record<string, string>;
  body: Buffer;
} {
  const source = (event.pathParameters as { source?: string } | null)?.source;
  if (!isSourceId(source))
    throw new Error(`the fixture's pathParameters.source "${source}" is not a known source`);
  const text = typeof event.body === 'string' ? event.body : '';
  return {
    source,
    headers: { ...(event.headers as Record<string, string> | null) },
    body: Buffer.from(text, event.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

/** Posts a webhook request to the local (or any) API and returns the answer. */
export async function postWebhook(
  baseUrl: string,
  request: Pick<WebhookRequest, 'source' | 'headers' | 'body'>,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl.replace(/\/$/, '')}/webhooks/${request.source}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, body: await response.text() };
}
