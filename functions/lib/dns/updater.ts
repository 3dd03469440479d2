import { loadPayload } from '../claim-check';
import { ConfigError, intEnv, optionalEnv, requireEnv } from '../config';
import type { Envelope } from '../envelope';
import { RejectedRequest } from '../errors';
import { type DnsPolicy, loadDnsPolicy } from './policy';
import { ensureAddressRecord, RecordConflict } from './records';
import { type DnsResultDetail, publishDnsResult } from './result-event';
import { type RetryPolicy, ROUTE53_RETRY } from './retry';
import { type DnsRequest, validateDnsRequest } from './validation';

export interface UpdaterConfig {
  /** Undefined when dynamic DNS is switched off (empty DNS_ZONE_NAME): every request is refused. */
  policy: DnsPolicy | undefined;
  hostedZoneId: string;
  recordTtl: number;
  eventBusName: string;
  retry: RetryPolicy;
}

type Env = Record<string, string | undefined>;

/** Read once at cold start. A zone without its hosted zone id (or the reverse) is a ConfigError. */
export function loadUpdaterConfig(env: Env = process.env): UpdaterConfig {
  const policy = loadDnsPolicy(env);
  const hostedZoneId = policy
    ? requireEnv('DNS_HOSTED_ZONE_ID', env)
    : optionalEnv('DNS_HOSTED_ZONE_ID', '', env);
  if (!policy && hostedZoneId !== '') {
    throw new ConfigError('DNS_HOSTED_ZONE_ID is set but DNS_ZONE_NAME is empty');
  }
  const recordTtl = intEnv('DNS_RECORD_TTL', 60, env);
  if (recordTtl < 1) throw new ConfigError('DNS_RECORD_TTL must be at least 1 second');
  return {
    policy,
    hostedZoneId,
    recordTtl,
    eventBusName: requireEnv('EVENT_BUS_NAME', env),
    retry: ROUTE53_RETRY,
  };
}

/** What the workflow keeps under `$.results.dns`: the published detail, plus the Route 53 change id. */
export type DnsUpdateResult = DnsResultDetail & { changeId?: string };

function stringField(payload: unknown, field: string): string | null {
  const value =
    typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[field] : null;
  return typeof value === 'string' ? value : null;
}

function refused(envelope: Envelope, payload: unknown, reason: string): DnsUpdateResult {
  return {
    uuid: stringField(payload, 'uuid') ?? envelope.id,
    domain: stringField(payload, 'domain'),
    ip: stringField(payload, 'ip'),
    recordType: null,
    outcome: 'refused',
    reason,
  };
}

function checkRequest(envelope: Envelope, payload: unknown, policy: DnsPolicy | undefined): DnsRequest {
  const request = validateDnsRequest(payload, policy);
  // The idempotency key is built from the envelope id; it must be this request's uuid.
  if (request.uuid.toLowerCase() !== envelope.id.toLowerCase()) {
    throw new RejectedRequest(422, 'uuid_mismatch', 'envelope id does not match the request uuid');
  }
  return request;
}

/**
 * Applies one dynamic-DNS envelope and publishes the result. A refusal (invalid request, or a record
 * Route 53 will not change) is an outcome, not an error: retrying could not change it. Errors that
 * are thrown (Route 53 or EventBridge unavailable, throttled past the retries) are worth a retry.
 */
export async function updateDns(envelope: Envelope, config: UpdaterConfig): Promise<DnsUpdateResult> {
  const payload = await loadPayload(envelope);
  const result = await apply(envelope, payload, config);
  const { changeId: _changeId, ...detail } = result;
  await publishDnsResult(config.eventBusName, detail);
  return result;
}

async function apply(envelope: Envelope, payload: unknown, config: UpdaterConfig): Promise<DnsUpdateResult> {
  let request: DnsRequest;
  try {
    request = checkRequest(envelope, payload, config.policy);
  } catch (error) {
    if (error instanceof RejectedRequest) return refused(envelope, payload, error.message);
    throw error;
  }
  const base = { uuid: request.uuid, domain: request.domain, ip: request.ip, recordType: request.recordType };
  try {
    const record = { hostedZoneId: config.hostedZoneId, name: request.domain, type: request.recordType };
    const applied = await ensureAddressRecord(
      { ...record, value: request.ip, ttl: config.recordTtl },
      `ddns ${request.uuid}`,
      config.retry,
    );
    return applied.outcome === 'changed'
      ? {
          ...base,
          outcome: 'changed',
          reason: 'record set to the reported address',
          changeId: applied.changeId,
        }
      : { ...base, outcome: 'unchanged', reason: 'record already holds the reported address' };
  } catch (error) {
    if (error instanceof RecordConflict) return { ...base, outcome: 'refused', reason: error.message };
    throw error;
  }
}
