import { loadPayload } from '../claim-check';
import { ConfigError, intEnv, listEnv, optionalEnv, requireEnv } from '../config';
import type { Envelope } from '../envelope';
import { findingMemorySeconds } from '../idempotency';
import { PublicRepositoryAllowList } from './allow-list';
import { Catalogue } from './catalogue';
import type { DeliveryOptions, FindingDelivery } from './delivery';
import { evaluate, type RuleError } from './evaluate';
import { DEFAULT_RULES } from './rules';
import { isSeverity, type Severity } from './types';

export interface ComplianceConfig {
  delivery: DeliveryOptions;
  allowList: PublicRepositoryAllowList;
  catalogue: Catalogue;
}

/** Read and checked once, at cold start. */
export function readComplianceConfig(env = process.env): ComplianceConfig {
  const alarmMinSeverity = optionalEnv('ALARM_MIN_SEVERITY', 'high', env);
  if (!isSeverity(alarmMinSeverity)) {
    throw new ConfigError(
      `environment variable ALARM_MIN_SEVERITY must be a severity, got "${alarmMinSeverity}"`,
    );
  }
  return {
    delivery: {
      idempotencyTable: requireEnv('IDEMPOTENCY_TABLE', env),
      // A replay from the lake can bring back any event the lake still holds, so findings are remembered as long.
      expiresAfterSeconds: findingMemorySeconds(intEnv('LAKE_EXPIRATION_DAYS', 0, env)),
      eventBusName: requireEnv('EVENT_BUS_NAME', env),
      alarmTopicArn: requireEnv('ALARM_TOPIC_ARN', env),
      alarmMinSeverity: alarmMinSeverity as Severity,
    },
    allowList: new PublicRepositoryAllowList(listEnv('PUBLIC_REPOSITORY_ALLOW_LIST', env)),
    catalogue: new Catalogue(DEFAULT_RULES),
  };
}

export interface FindingSummary {
  id: string;
  ruleId: string;
  severity: Severity;
}

export interface ComplianceResult {
  findings: FindingSummary[];
}

export interface CheckDependencies {
  catalogue: Catalogue;
  allowList: PublicRepositoryAllowList;
  delivery: Pick<FindingDelivery, 'deliver'>;
  onRuleErrors?: (errors: RuleError[]) => void;
}

/**
 * The compliance step: runs the catalogue over the event and raises each finding once. Events no rule
 * looks at return at once, without fetching a claim-checked payload.
 */
export async function checkCompliance(
  envelope: Envelope,
  deps: CheckDependencies,
): Promise<ComplianceResult> {
  if (deps.catalogue.candidates(envelope.source, envelope.type, envelope.action).length === 0) {
    return { findings: [] };
  }
  const payload = await loadPayload(envelope);
  const { findings, errors } = evaluate(deps.catalogue, envelope, payload, deps.allowList);
  if (errors.length > 0) deps.onRuleErrors?.(errors);
  await deps.delivery.deliver(findings);
  return {
    findings: findings.map(({ findingId, rule, severity }) => ({ id: findingId, ruleId: rule.id, severity })),
  };
}
