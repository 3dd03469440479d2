import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Worst case about 7.5 s of waiting in this loop (plus the SDK's own short retries inside each attempt),
 * well inside the updater's 30 s timeout; Step Functions retries the task after that.
 */
export const ROUTE53_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 4000 };

/**
 * Route 53 answers PriorRequestNotComplete while an earlier change to the same record is still PENDING
 * (usually under a minute) and throttles at 5 requests per second per account.
 */
const RETRYABLE = new Set([
  'PriorRequestNotComplete',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
]);

export function isRetryableRoute53Error(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return RETRYABLE.has(error.name) || retryable?.throttling === true || status === 429;
}

/**
 * A small loop rather than only the SDK's retry strategy: the standard strategy does classify these
 * errors as throttling, but gives up after 3 attempts within about 1.5 s, too soon for a change that stays
 * PENDING for tens of seconds. The loop adds that patience with exponential backoff and full jitter, and
 * keeps the policy explicit and testable (aws-sdk-client-mock replaces `send`, bypassing SDK middleware).
 */
export async function withRoute53Retry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = ROUTE53_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.maxAttempts || !isRetryableRoute53Error(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}
