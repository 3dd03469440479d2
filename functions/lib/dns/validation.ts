import { RejectedRequest } from '../errors';
import { addressRefusal, parseAddress, type RecordType } from './addresses';
import { isInZone, matchesPattern, normalizeName } from './names';
import type { DnsPolicy } from './policy';

/** A dynamic-DNS request that may be applied: the record `domain` of `recordType` should hold `ip`. */
export interface DnsRequest {
  uuid: string;
  /** Normalized: lower case, no trailing dot. */
  domain: string;
  /** Canonical address text. */
  ip: string;
  recordType: RecordType;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The code is the `error` of the HTTP answer; the message says what exactly was wrong. */
const malformed = (message: string) => new RejectedRequest(400, 'malformed_request', message);
const notAllowed = (code: string, message: string) => new RejectedRequest(422, code, message);

function requireString(payload: Record<string, unknown>, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string' || value === '') throw malformed(`"${field}" must be a non-empty string`);
  return value;
}

/**
 * Checks a `{ip, domain, uuid}` body against the policy. Throws RejectedRequest 400 when the request is
 * malformed (the client is broken) and 422 when it is well formed but not allowed (the name is not on
 * the allow-list or outside the zone, the address is not public, dynamic DNS is off). Ingest runs it
 * before anything enters the stream; the updater runs it again before touching Route 53.
 */
export function validateDnsRequest(payload: unknown, policy: DnsPolicy | undefined): DnsRequest {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw malformed('body must be a JSON object {ip, domain, uuid}');
  }
  const body = payload as Record<string, unknown>;
  const uuid = requireString(body, 'uuid');
  if (!UUID.test(uuid)) throw malformed('"uuid" must be a UUID');
  const domain = normalizeName(requireString(body, 'domain'));
  if (domain === undefined) {
    throw malformed('"domain" is not a host name (letters, digits, hyphens; punycode for IDN)');
  }
  const address = parseAddress(requireString(body, 'ip'));
  if (address === undefined) throw malformed('"ip" is not an IPv4 or IPv6 address');

  if (policy === undefined) throw notAllowed('dns_not_configured', 'dynamic DNS is not configured');
  if (!isInZone(domain, policy.zoneName)) {
    throw notAllowed('domain_not_allowed', `domain ${domain} is outside zone ${policy.zoneName}`);
  }
  if (!policy.allowedNames.some((pattern) => matchesPattern(domain, pattern))) {
    throw notAllowed('domain_not_allowed', `domain ${domain} is not on the allow-list`);
  }
  const refusal = addressRefusal(address, policy.allowNonPublicAddresses);
  if (refusal !== undefined) throw notAllowed('address_not_allowed', refusal);
  return { uuid, domain, ip: address.value, recordType: address.recordType };
}
