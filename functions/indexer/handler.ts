import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { openSearchClient, searchConfig } from '../lib/clients/opensearch';
import { requireEnv } from '../lib/config';
import { parseEnvelope } from '../lib/envelope';
import { idempotent } from '../lib/idempotency';
import { instrument, logger, metrics } from '../lib/observability';
import { EventIndexer, type IndexResult } from '../lib/search/indexer';
import { describeSearchError, isThrottling } from '../lib/search/retry';

const indexer = new EventIndexer(openSearchClient, searchConfig, {
  onRetry: (attempt, delayMs, error) => {
    // SearchThrottled feeds the OpenSearch throttling alarm; other transient failures are SearchRetried.
    metrics.addMetric(isThrottling(error) ? 'SearchThrottled' : 'SearchRetried', MetricUnit.Count, 1);
    logger.warn('OpenSearch request will be retried', {
      attempt,
      delayMs,
      error: describeSearchError(error),
    });
  },
});

async function indexEvent(event: unknown, _context: Context): Promise<IndexResult> {
  const envelope = parseEnvelope(event);
  logger.setCorrelationId(envelope.id);
  const result = await indexer.index(envelope);
  metrics.addMetric('EventsIndexed', MetricUnit.Count, 1);
  logger.info('event indexed', { eventId: envelope.id, source: envelope.source, ...result });
  return result;
}

// Keyed on `source:id`, the envelope's identity, so a redelivery (new receivedAt, same id) is caught.
export const handler = instrument(
  idempotent('indexer', { tableName: requireEnv('IDEMPOTENCY_TABLE') }, indexEvent).run,
);
