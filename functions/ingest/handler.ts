import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RejectedRequest, TemporarilyUnavailable } from '../lib/errors';
import { ingestWebhook, loadIngestConfig } from '../lib/ingest';
import { countWithBreakdown, instrument, logger, metrics } from '../lib/observability';
import { decodeBody, lowerCaseHeaders } from '../lib/request-body';

const config = loadIngestConfig();

function json(statusCode: number, body: object, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Typed errors become responses here and only here. Never 2xx unless the record is on the stream. */
function toResponse(error: unknown, source: string | undefined): APIGatewayProxyResult {
  if (error instanceof RejectedRequest) {
    logger.info('webhook rejected', {
      source,
      status: error.statusCode,
      reason: error.reason,
      detail: error.message,
    });
    countWithBreakdown('WebhookRejected', { source: source ?? 'none', reason: error.reason });
    return json(error.statusCode, { error: error.reason, message: error.message });
  }
  if (error instanceof TemporarilyUnavailable) {
    countWithBreakdown('WebhookUnavailable', { source: source ?? 'none' });
    return json(
      503,
      { error: 'unavailable', message: error.message },
      { 'Retry-After': String(error.retryAfterSeconds) },
    );
  }
  logger.error('webhook failed', { source, error });
  metrics.addMetric('WebhookFailed', MetricUnit.Count, 1);
  return json(500, { error: 'internal_error', message: 'the webhook could not be processed' });
}

async function ingest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const source = event.pathParameters?.source;
  try {
    const accepted = await ingestWebhook(
      {
        source,
        authorizedSource: event.requestContext.authorizer?.source as string | undefined,
        headers: lowerCaseHeaders(event.headers),
        body: decodeBody(event.body, event.isBase64Encoded, config.maxBodyBytes),
      },
      config,
    );
    const { claimChecked, ...receipt } = accepted;
    logger.setCorrelationId(receipt.id);
    logger.info('webhook accepted', { ...receipt, claimChecked });
    countWithBreakdown('WebhookAccepted', { source: accepted.source });
    if (claimChecked) metrics.addMetric('ClaimCheckedBodies', MetricUnit.Count, 1);
    return json(202, receipt);
  } catch (error) {
    return toResponse(error, source);
  }
}

export const handler = instrument(ingest);
