import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { requireEnv } from '../lib/config';
import { type DnsUpdateResult, loadUpdaterConfig, updateDns } from '../lib/dns/updater';
import { parseEnvelope } from '../lib/envelope';
import { idempotent } from '../lib/idempotency';
import { instrument, logger, metrics } from '../lib/observability';

const config = loadUpdaterConfig();

const OUTCOME_METRICS = {
  changed: 'DnsChanged',
  unchanged: 'DnsUnchanged',
  refused: 'DnsRefused',
  superseded: 'DnsSuperseded',
} as const;

/** Step Functions task: the event is the ddns envelope; the result lands under `$.results.dns`. */
async function updateDnsRecord(event: unknown, _context: Context): Promise<DnsUpdateResult> {
  const envelope = parseEnvelope(event);
  logger.setCorrelationId(envelope.id);
  const result = await updateDns(envelope, config);
  logger.info('dns update', { ...result });
  metrics.addMetric(OUTCOME_METRICS[result.outcome], MetricUnit.Count, 1);
  return result;
}

/**
 * One Route 53 change per request uuid (the envelope id): a redelivered or retried request within the hour
 * returns the stored result; after that, the record's report version refuses anything older.
 */
export const handler = instrument(
  idempotent('dns', { tableName: requireEnv('IDEMPOTENCY_TABLE') }, updateDnsRecord).run,
);
