import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { requireEnv } from '../lib/config';
import { type DnsUpdateResult, loadUpdaterConfig, updateDns } from '../lib/dns/updater';
import { parseEnvelope } from '../lib/envelope';
import { idempotentStep } from '../lib/idempotency';
import { instrument, logger, metrics } from '../lib/observability';

const config = loadUpdaterConfig();

/**
 * One Route 53 change per request uuid (the envelope id): a redelivered or retried request within the hour
 * returns the stored result; after that, the record's report version refuses anything older.
 */
const idempotency = idempotentStep<unknown, DnsUpdateResult>('dns', {
  tableName: requireEnv('IDEMPOTENCY_TABLE'),
});

const OUTCOME_METRICS = {
  changed: 'DnsChanged',
  unchanged: 'DnsUnchanged',
  refused: 'DnsRefused',
  superseded: 'DnsSuperseded',
} as const;

/** Step Functions task: the event is the ddns envelope; the result lands under `$.results.dns`. */
async function updateDnsRecord(event: unknown): Promise<DnsUpdateResult> {
  const envelope = parseEnvelope(event);
  logger.setCorrelationId(envelope.id);
  const result = await updateDns(envelope, config);
  logger.info('dns update', { ...result });
  metrics.addMetric(OUTCOME_METRICS[result.outcome], MetricUnit.Count, 1);
  return result;
}

export const handler = instrument(updateDnsRecord, idempotency);
