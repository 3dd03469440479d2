import { loadPayload } from '../claim-check';
import { ConfigError, intEnv, optionalEnv, requireEnv } from '../config';
import type { Envelope } from '../envelope';
import { RejectedRequest } from '../errors';
import { type DnsPolicy, loadDnsPolicy } from './policy';
import { type AddressRecord, ensureAddressRecord, RecordConflict } from './records';
import { type ReportVersion, type ReportVersionStore, ReportVersions, sameVersion } from './report-version';
import { type DnsResultDetail, publishDnsResult } from './result-event';
import { type DnsRequest, validateDnsRequest } from './validation';

export interface UpdaterConfig {
  /** Undefined when dynamic DNS is switched off (empty DNS_ZONE_NAME): every request is refused. */
  policy: DnsPolicy | undefined;
  hostedZoneId: string;
  recordTtl: number;
  eventBusName: string;
  /** The last report applied to each record, so that an older one never wins. */
  versions: ReportVersionStore;
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
    // Versions live in the idempotency table; with dynamic DNS off no record is ever written.
    versions: new ReportVersions(policy ? requireEnv('IDEMPOTENCY_TABLE', env) : ''),
  };
}

/** What the workflow keeps under `$.results.dns`: the published detail, plus the Route 53 change id. */
export type DnsUpdateResult = DnsResultDetail & { changeId?: string };

/**
 * When the client made the report: its signed X-Timestamp (unix seconds), which ingest keeps as
 * `meta.timestamp`. Envelopes written before ingest kept it fall back to the time ingest accepted them,
 * which the signature window holds within five minutes of it.
 */
export function reportTime(envelope: Pick<Envelope, 'meta' | 'receivedAt'>): number {
  const signed = envelope.meta.timestamp?.trim();
  if (signed !== undefined && /^\d{1,12}$/.test(signed)) return Number(signed);
  const received = Date.parse(envelope.receivedAt);
  if (Number.isNaN(received)) throw new RejectedRequest(400, 'no_report_time', 'the report has no time');
  return Math.floor(received / 1000);
}

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
  const target = { hostedZoneId: config.hostedZoneId, name: request.domain, type: request.recordType };
  try {
    const ours = { reportedAt: reportTime(envelope), uuid: request.uuid, ip: request.ip };
    if ((await config.versions.claim(target, ours)) === 'superseded') {
      return { ...base, outcome: 'superseded', reason: 'a newer report for this record was already applied' };
    }
    const applied = await ensureAddressRecord(
      { ...target, value: request.ip, ttl: config.recordTtl },
      `ddns ${request.uuid}`,
    );
    const newer = await settleOnNewest(target, ours, config);
    if (newer) {
      return {
        ...base,
        outcome: 'superseded',
        reason: `a newer report (${newer.uuid}) arrived meanwhile; the record holds its address`,
      };
    }
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
    if (error instanceof RejectedRequest) return refused(envelope, payload, error.message);
    throw error;
  }
}

/** Rounds of settleOnNewest before giving up (and failing, so the step is retried). */
const MAX_SETTLE_ROUNDS = 5;

/** The versions kept changing under the updater: a retry of the step settles them. */
export class VersionsUnsettled extends Error {
  override readonly name = 'VersionsUnsettled';
}

/**
 * A newer report may have been claimed while this one was being written to Route 53, and its write may
 * have landed before ours: the record would then hold an older address than its version says. So after
 * writing, read the version again and, while it is not ours, make the record hold the newest address.
 * Every writer does this after its own write, so whichever write lands last, the record ends on the
 * newest claimed report. Returns the newer version found, or undefined when ours is still the newest.
 */
async function settleOnNewest(
  target: Omit<AddressRecord, 'value' | 'ttl'>,
  ours: ReportVersion,
  config: UpdaterConfig,
): Promise<ReportVersion | undefined> {
  let applied = ours;
  for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
    const latest = await config.versions.latest(target);
    if (latest === undefined || sameVersion(latest, applied)) return applied === ours ? undefined : applied;
    await ensureAddressRecord({ ...target, value: latest.ip, ttl: config.recordTtl }, `ddns ${latest.uuid}`);
    applied = latest;
  }
  throw new VersionsUnsettled(`${target.name} ${target.type}: versions changed ${MAX_SETTLE_ROUNDS} times`);
}
