import { loadDnsPolicy } from '../dns/policy';
import { validateDnsRequest } from '../dns/validation';
import { missing, OK, refused, requireSignatureHeader, verifyHmacHeader } from './credentials';
import { COMMON_META_HEADERS, pickHeaders, stringAt } from './fields';
import type { AuthOutcome, Headers, SourceOptions, WebhookSource } from './types';

/** A signed dynamic-DNS request is accepted this long before or after its X-Timestamp (replay window). */
export const DDNS_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** Zone, allow-list and address policy (DNS_ZONE_NAME, DNS_ALLOWED_NAMES, ...), read at cold start. */
const dnsPolicy = loadDnsPolicy();

/**
 * The dynamic-DNS client posts `{ip, domain, uuid}` with `X-Timestamp: <unix seconds>` and
 * `X-Signature-256: sha256=<hex>`, the HMAC-SHA256 of `<X-Timestamp>.<raw body>`. Signing the timestamp
 * makes a captured request useless after the window.
 */
function checkTimestamp(headers: Headers, options: SourceOptions): AuthOutcome {
  const timestamp = headers['x-timestamp'];
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp.trim())) {
    return missing('X-Timestamp missing or not unix seconds');
  }
  const skew = Math.abs(options.now().getTime() / 1000 - Number(timestamp.trim()));
  return skew <= DDNS_TIMESTAMP_TOLERANCE_SECONDS ? OK : refused('X-Timestamp outside the allowed window');
}

export const ddns: WebhookSource = {
  id: 'ddns',

  authorizeHeaders(headers, _secret, options): AuthOutcome {
    const signature = requireSignatureHeader(headers['x-signature-256'], 'X-Signature-256', 'sha256');
    return signature.ok ? checkTimestamp(headers, options) : signature;
  },

  verifyBody(headers, rawBody, secret, options): AuthOutcome {
    const timestamp = checkTimestamp(headers, options);
    if (!timestamp.ok) return timestamp;
    const signedPrefix = `${headers['x-timestamp']?.trim()}.`;
    return verifyHmacHeader(
      headers['x-signature-256'],
      'X-Signature-256',
      'sha256',
      [signedPrefix, rawBody],
      secret,
    );
  },

  /** 400 for a malformed `{ip, domain, uuid}`, 422 for a name or address the policy does not allow. */
  validate(payload): void {
    validateDnsRequest(payload, dnsPolicy);
  },

  describe(headers, payload) {
    return {
      type: 'dns_update',
      deliveryId: stringAt(payload, 'uuid'),
      subject: stringAt(payload, 'domain')?.toLowerCase().replace(/\.$/, '') ?? '-',
      // The signed report time: the DNS updater applies a report only if it is newer than the last one.
      meta: pickHeaders(headers, { ...COMMON_META_HEADERS, timestamp: 'x-timestamp' }),
    };
  },
};
