import { defineSource, type SenderHints } from './types';

/**
 * The dynamic-DNS client posts `{ip, domain, uuid}` with `X-Timestamp: <unix seconds>` and
 * `X-Signature-256: sha256=<hex>`, the HMAC-SHA256 of `<X-Timestamp>.<raw body>`. Signing the timestamp
 * makes a captured request useless after the window. Ingest checks the name and address against the DNS
 * policy (400 malformed, 422 not allowed) before anything enters the stream.
 */
export const ddns = defineSource({
  id: 'ddns',
  auth: {
    kind: 'timestamped-hmac',
    header: 'X-Signature-256',
    timestampHeader: 'X-Timestamp',
    toleranceSeconds: 300,
  },
  delivery: {
    type: { value: 'dns_update' },
    idField: 'uuid',
    subject: (at) => at('domain')?.toLowerCase().replace(/\.$/, ''),
    // The signed report time: the DNS updater applies a report only if it is newer than the last one.
    meta: { timestamp: 'X-Timestamp' },
  },
  payloadCheck: 'dns-request',
});

export const sender: SenderHints = {
  devSecret: 'local-ddns-secret',
  userAgent: 'webhook-ddns-client/local',
  sample: 'ddns-update.json',
};
