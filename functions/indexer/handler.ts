import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { openSearchClient, searchConfig } from '../lib/clients/opensearch';
import { parseEnvelope } from '../lib/envelope';
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
  // A repeat (redelivery, retry, replay) found its document: counted with the other steps' repeats.
  metrics.addMetric(result.result === 'created' ? 'EventsIndexed' : 'RepeatsSkipped', MetricUnit.Count, 1);
  logger.info(result.result === 'created' ? 'event indexed' : 'event already indexed', {
    eventId: envelope.id,
    source: envelope.source,
    ...result,
  });
  return result;
}

// Idempotent by OpenSearch's own create (see EventIndexer.index): a repeat costs one refused request, and
// no idempotency record is written or read.
export const handler = instrument(indexEvent);
