import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import { dynamodbClient } from '../lib/clients/dynamodb';
import { openSearchClient, searchConfig } from '../lib/clients/opensearch';
import { intEnv, requireEnv } from '../lib/config';
import { parseEnvelope } from '../lib/envelope';
import { instrument, logger, metrics } from '../lib/observability';
import { EventIndexer, type IndexResult } from '../lib/search/indexer';
import { describeSearchError, isThrottling } from '../lib/search/retry';

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: requireEnv('IDEMPOTENCY_TABLE'),
  awsSdkV3Client: dynamodbClient,
});

const idempotency = new IdempotencyConfig({
  // The key is `source:id`, the envelope's identity, so a redelivery (new receivedAt, same id) is caught.
  eventKeyJmesPath: "join(':', [source, id])",
  throwOnNoIdempotencyKey: true,
  expiresAfterSeconds: intEnv('IDEMPOTENCY_EXPIRES_SECONDS', 86_400),
});

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

export const handler = instrument<unknown, IndexResult>(
  async (event) => {
    const envelope = parseEnvelope(event);
    logger.setCorrelationId(envelope.id);
    const result = await indexer.index(envelope);
    metrics.addMetric('EventsIndexed', MetricUnit.Count, 1);
    logger.info('event indexed', { eventId: envelope.id, source: envelope.source, ...result });
    return result;
  },
  // A fixed prefix keeps records apart from the other steps' when no function name is set (locally).
  makeHandlerIdempotent({
    persistenceStore,
    config: idempotency,
    keyPrefix: 'indexer',
  }) as middy.MiddlewareObj<unknown, IndexResult>,
);
