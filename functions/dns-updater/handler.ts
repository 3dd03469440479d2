import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamodbClient } from '../lib/clients/dynamodb';
import { requireEnv } from '../lib/config';
import { type DnsUpdateResult, loadUpdaterConfig, updateDns } from '../lib/dns/updater';
import { parseEnvelope } from '../lib/envelope';
import { instrument, logger, metrics } from '../lib/observability';

const config = loadUpdaterConfig();

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requireEnv('IDEMPOTENCY_TABLE'),
  awsSdkV3Client: dynamodbClient,
});

/**
 * One Route 53 change per request uuid (the envelope id): a redelivered, retried or replayed request
 * returns the stored result. Errors are not stored, so a failed attempt can be retried.
 */
const idempotency = makeHandlerIdempotent({
  persistenceStore,
  config: new IdempotencyConfig({
    eventKeyJmesPath: "join(':', [source, id])",
    throwOnNoIdempotencyKey: true,
  }),
});

const OUTCOME_METRICS = { changed: 'DnsChanged', unchanged: 'DnsUnchanged', refused: 'DnsRefused' } as const;

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
