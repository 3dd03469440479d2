// The errors module alone: the package's main module would load the whole client with its API.
import * as errors from '@opensearch-project/opensearch/lib/errors.js';
import {
  parseRetryAfter,
  RetriesExhausted,
  type RetryClassifier,
  type RetryPolicy,
  retrying,
} from '../retry';

export type { RetryPolicy } from '../retry';

/**
 * Waits between attempts, and the longest Retry-After waited for, for every OpenSearch caller: the indexer
 * has 30 s, and a 429 asking for more than 10 s is left to the workflow's own Retry, which comes back later
 * without holding a Lambda; the search-security custom resource waits the same way for a domain just created.
 */
export const DEFAULT_BACKOFF = { baseDelayMs: 250, maxDelayMs: 2_000, maxRetryAfterMs: 10_000 };

/** The step fails with this after the last attempt; the workflow's own Retry may try again later. */
export class SearchUnavailable extends Error {
  override readonly name = 'SearchUnavailable';
}

/** OpenSearch refused the request for good (mapping conflict, permissions): retrying will not help. */
export class SearchRejected extends Error {
  override readonly name = 'SearchRejected';
}

/** Throttling (429), server errors (5xx), timeouts and connection failures pass; anything else does not. */
export function isTransient(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return isThrottling(error) || error.statusCode >= 500;
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError
  );
}

/** OpenSearch asked the client to slow down. */
export function isThrottling(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 429;
}

const searchErrors: RetryClassifier = {
  isRetryable: isTransient,
  retryAfterMs: (error) =>
    error instanceof errors.ResponseError
      ? parseRetryAfter(error.headers?.['retry-after'] as string | undefined)
      : undefined,
};

/**
 * OpenSearch calls retried with the project's retry loop (../retry.ts): throttling, 5xx, timeouts and
 * connection failures, honouring a 429's Retry-After. The client's built-in retry has no backoff and
 * skips 429, so it is not used.
 */
export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  try {
    return await retrying(operation, policy, searchErrors);
  } catch (error) {
    if (error instanceof RetriesExhausted) {
      const why = error.reason === 'attempts' ? '' : ', which asked to wait longer than the step can';
      throw new SearchUnavailable(
        `${describeSearchError(error.cause)} after ${error.attempts} attempts${why}`,
        {
          cause: error.cause,
        },
      );
    }
    throw new SearchRejected(describeSearchError(error), { cause: error });
  }
}

/** OpenSearch's error type (`version_conflict_engine_exception`...) from an error answer's body. */
export function searchErrorType(error: errors.ResponseError): string | undefined {
  const body: unknown = error.body;
  const type =
    typeof body === 'object' && body !== null && 'error' in body
      ? (body as { error?: { type?: unknown } }).error?.type
      : undefined;
  return typeof type === 'string' ? type : undefined;
}

/** Status and OpenSearch's error type only: the reason text can quote document content. */
export function describeSearchError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const type = searchErrorType(error);
    return `OpenSearch answered ${error.statusCode}${type ? ` (${type})` : ''}`;
  }
  return error instanceof Error ? `OpenSearch request failed: ${error.name}` : 'OpenSearch request failed';
}
