import { setTimeout as wait } from 'node:timers/promises';

/**
 * The one retry loop for calls that the AWS SDK does not make (OpenSearch, HTTP) or results it does not
 * treat as errors (DynamoDB's unprocessed items). AWS SDK calls are retried by the SDK's own configurable
 * strategies instead (clients/*). Hand-written because it is a dozen lines and the libraries that offer it
 * (p-retry, async-retry) do not honour a server's Retry-After.
 */
export interface RetryPolicy {
  /** Attempts in all, counting the first. */
  maxAttempts: number;
  /** Exponential backoff with full jitter: a wait lies between 0 and min(maxDelayMs, baseDelayMs * 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest Retry-After honoured. A server that asks for a wait up to this gets exactly that wait, even
   * above maxDelayMs; one that asks for more ends the loop at once with its error, so the caller's own
   * retry (a workflow Retry, a later run) comes back when the server is ready instead of holding a Lambda.
   */
  maxRetryAfterMs: number;
  /**
   * What a longer Retry-After does: `give-up` (the default, for functions whose caller retries later), or
   * `wait-the-maximum` (wait maxRetryAfterMs and try again, for a command that has no later).
   */
  longerRetryAfter?: 'give-up' | 'wait-the-maximum';
  /** Replaceable so tests can observe the waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait, for logging and metrics. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export interface RetryClassifier {
  /** Whether another attempt may succeed. */
  isRetryable(error: unknown): boolean;
  /** The wait the server asked for (Retry-After), in milliseconds, if it asked. */
  retryAfterMs?(error: unknown): number | undefined;
}

/** The loop ended without success: the last error is the cause. */
export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
  constructor(
    readonly attempts: number,
    /** Why it stopped: no attempts left, or the server asked for a longer wait than the policy allows. */
    readonly reason: 'attempts' | 'retry-after',
    options: { cause: unknown },
  ) {
    super(
      reason === 'attempts'
        ? `gave up after ${attempts} attempts`
        : `gave up after ${attempts} attempts: asked to wait longer than allowed`,
      options,
    );
  }
}

/** Seconds of an HTTP Retry-After header (delta-seconds or an HTTP date) as milliseconds, if valid. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Runs `operation` until it succeeds, throws an error `classifier` does not retry (rethrown as it is), or
 * the policy ends the loop (RetriesExhausted, with the last error as its cause).
 */
export async function retrying<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  classifier: RetryClassifier,
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => wait(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!classifier.isRetryable(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new RetriesExhausted(attempt, 'attempts', { cause: error });
      }
      const asked = classifier.retryAfterMs?.(error);
      const tooLong = asked !== undefined && asked > policy.maxRetryAfterMs;
      if (tooLong && policy.longerRetryAfter !== 'wait-the-maximum') {
        throw new RetriesExhausted(attempt, 'retry-after', { cause: error });
      }
      const backoff = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = tooLong ? policy.maxRetryAfterMs : (asked ?? backoff);
      policy.onRetry?.(attempt, delay, error);
      await sleep(delay);
    }
  }
}
