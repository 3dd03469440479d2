import { Route53Client } from '@aws-sdk/client-route-53';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { traced } from '../observability';

export interface Route53RetryPolicy {
  /** Attempts in all, counting the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Route 53 answers PriorRequestNotComplete while an earlier change to the same record is still PENDING
 * (usually under a minute) and throttles at 5 requests per second per account. The SDK classifies both as
 * throttling, but its standard strategy gives up after 3 attempts within about 1.5 s, too soon for a change
 * that stays PENDING for tens of seconds. This one waits about 7.5 s at worst (exponential backoff, full
 * jitter), well inside the updater's 30 s timeout; Step Functions retries the task after that.
 */
export const ROUTE53_RETRY: Route53RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 4000 };

export function route53RetryStrategy(policy: Route53RetryPolicy): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(
    policy.maxAttempts,
    (attempt) => Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)),
  );
}

export const route53Client = traced(
  new Route53Client({ retryStrategy: route53RetryStrategy(ROUTE53_RETRY) }),
);
