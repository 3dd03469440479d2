import { errors } from '@opensearch-project/opensearch';

export interface RetryPolicy {
  /** Attempts in all, counting the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Replaceable so tests can observe the waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait, for logging. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

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

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Exponential backoff with full jitter, honouring a 429's Retry-After. Hand-written because the client's
 * built-in retry has no backoff and skips 429, and the AWS SDK's retry strategies are tied to its own
 * middleware stack; this is the dozen lines the indexer needs.
 */
export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? wait;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw new SearchRejected(describeSearchError(error), { cause: error });
      if (attempt >= policy.maxAttempts) {
        throw new SearchUnavailable(`${describeSearchError(error)} after ${attempt} attempts`, {
          cause: error,
        });
      }
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.min(policy.maxDelayMs, Math.max(Math.random() * backoff, retryAfterMs(error)));
      policy.onRetry?.(attempt, delay, error);
      await sleep(delay);
    }
  }
}

function retryAfterMs(error: unknown): number {
  if (!(error instanceof errors.ResponseError)) return 0;
  const seconds = Number(error.headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** Status and OpenSearch's error type only: the reason text can quote document content. */
export function describeSearchError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const body: unknown = error.body;
    const type =
      typeof body === 'object' && body !== null && 'error' in body
        ? (body as { error?: { type?: unknown } }).error?.type
        : undefined;
    return `OpenSearch answered ${error.statusCode}${typeof type === 'string' ? ` (${type})` : ''}`;
  }
  return error instanceof Error ? `OpenSearch request failed: ${error.name}` : 'OpenSearch request failed';
}
