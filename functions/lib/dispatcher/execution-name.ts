import { createHash } from 'node:crypto';
import { type Envelope, idempotencyKey } from '../envelope';

const MAX_NAME_LENGTH = 80;
const HASH_LENGTH = 12;

/**
 * The execution's name: readable (`github-<delivery id>`) so logs and the console lead back to the event, and
 * limited to what Step Functions accepts with CloudWatch logging on (A-Z, a-z, 0-9, - and _, at most 80
 * characters). Express workflows do not deduplicate by name, so a retried record simply runs again under the
 * same name; the hash of `source:id` keeps two ids apart that sanitising or truncating would make equal.
 */
export function executionName(envelope: Pick<Envelope, 'source' | 'id'>): string {
  const hash = createHash('sha256').update(idempotencyKey(envelope)).digest('hex').slice(0, HASH_LENGTH);
  const readable = `${envelope.source}-${envelope.id}`
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1);
  return `${readable}-${hash}`;
}
