import type { Envelope } from '../envelope';
import { idempotencyKey } from '../envelope';

/**
 * One index per source and month keeps indices small enough to delete or reindex whole, and lets each
 * source age out on its own schedule; the alias joins them for searching everything at once.
 * The month comes from `receivedAt`, not the clock, so a retried or replayed event lands in the index
 * it was first written to and finds its own document there.
 */
export function indexName(prefix: string, envelope: Pick<Envelope, 'source' | 'receivedAt'>): string {
  const received = new Date(envelope.receivedAt);
  if (Number.isNaN(received.getTime())) {
    throw new RangeError(`receivedAt "${envelope.receivedAt}" is not a date`);
  }
  const month = String(received.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix}-${envelope.source}-${received.getUTCFullYear()}.${month}`;
}

/** The pattern every pipeline index matches, for the index template and the Dashboards index pattern. */
export function indexPattern(prefix: string): string {
  return `${prefix}-*`;
}

/** `source:id`: a redelivery of the same event finds its document instead of adding one. */
export function documentId(envelope: Pick<Envelope, 'source' | 'id'>): string {
  return idempotencyKey(envelope);
}
