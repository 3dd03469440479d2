import type { Envelope, PayloadRef } from '../envelope';
import { SOURCES } from '../sources';
import { fieldText } from '../sources/fields';

/** What one event looks like in OpenSearch: the envelope's fields, key fields copied out, the payload. */
export interface SearchDocument {
  id: string;
  source: string;
  type: string;
  action?: string;
  subject: string;
  receivedAt: string;
  indexedAt: string;
  repository?: string;
  actor?: string;
  ref?: string;
  meta: Record<string, string>;
  payloadRef?: PayloadRef;
  payload: Record<string, unknown>;
}

export function toSearchDocument(envelope: Envelope, payload: unknown, indexedAt: Date): SearchDocument {
  const body = isRecord(payload) ? payload : { value: payload };
  // Where the key fields are is declared by each source (sources/<source>.ts).
  const fields = SOURCES[envelope.source].fields ?? {};
  const document: SearchDocument = {
    id: envelope.id,
    source: envelope.source,
    type: envelope.type,
    subject: envelope.subject,
    receivedAt: envelope.receivedAt,
    indexedAt: indexedAt.toISOString(),
    meta: envelope.meta,
    payload: body,
  };
  if (envelope.action !== undefined) document.action = envelope.action;
  const repository = fieldText(body, fields.repository);
  if (repository !== undefined) document.repository = repository;
  const actor = fieldText(body, fields.actor);
  if (actor !== undefined) document.actor = actor;
  const ref = fieldText(body, fields.ref);
  if (ref !== undefined) document.ref = ref;
  if (envelope.payloadRef) document.payloadRef = envelope.payloadRef;
  return document;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
