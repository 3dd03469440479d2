import { SOURCE_IDS, type SourceId } from '../functions/lib/sources';
import { senderHints } from './senders';

/**
 * Development secrets used by `npm start`, `npm run send` and the signed fixtures in events/ when no
 * WEBHOOK_SECRET_<SOURCE> variable is set, each declared by its source's module (`sender.devSecret`).
 * They are public: never use them in a deployed stack.
 */
export const DEV_SECRETS: Readonly<Record<SourceId, string>> = Object.fromEntries(
  SOURCE_IDS.map((source) => [source, senderHints(source).devSecret]),
) as Record<SourceId, string>;

/** The secret for a source: WEBHOOK_SECRET_<SOURCE> when set, else the development value. */
export function localSecret(source: SourceId, env = process.env): string {
  return env[`WEBHOOK_SECRET_${source.toUpperCase()}`] || DEV_SECRETS[source];
}
