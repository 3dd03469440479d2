import { parseRetryAfter, RetriesExhausted, type RetryPolicy, retrying } from '../../functions/lib/retry';

const transient = Object.assign(new Error('busy'), { retryable: true });
const permanent = new Error('refused');

function policy(overrides: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  return {
    waits,
    policy: {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 400,
      maxRetryAfterMs: 5000,
      sleep: async (ms: number) => void waits.push(ms),
      ...overrides,
    },
  };
}

const classifier = (retryAfter?: number) => ({
  isRetryable: (error: unknown) => (error as { retryable?: boolean }).retryable === true,
  retryAfterMs: () => retryAfter,
});

/** An operation that fails with `errors` in turn, then succeeds. */
function failing(...errors: Error[]) {
  let calls = 0;
  const operation = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return 'done';
  };
  return { operation, calls: () => calls };
}

describe('retrying', () => {
  it('retries a retryable failure with full-jitter exponential backoff under the ceiling', async () => {
    const { waits, policy: p } = policy();
    const { operation, calls } = failing(transient, transient, transient);

    await expect(retrying(operation, p, classifier())).resolves.toBe('done');

    expect(calls()).toBe(4);
    expect(waits).toHaveLength(3);
    waits.forEach((wait, n) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(Math.min(400, 100 * 2 ** n));
    });
  });

  it('rethrows an error that is not retryable as it is, without waiting', async () => {
    const { waits, policy: p } = policy();

    await expect(retrying(failing(permanent).operation, p, classifier())).rejects.toBe(permanent);
    expect(waits).toEqual([]);
  });

  it('gives up after the last attempt with the last error as the cause', async () => {
    const { policy: p } = policy({ maxAttempts: 2 });
    const { operation } = failing(transient, transient, transient);

    const error = await retrying(operation, p, classifier()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RetriesExhausted);
    expect(error).toMatchObject({ attempts: 2, reason: 'attempts', cause: transient });
  });

  it('waits exactly what Retry-After asks, even above the backoff ceiling', async () => {
    const { waits, policy: p } = policy();

    await retrying(failing(transient).operation, p, classifier(3000));

    expect(waits).toEqual([3000]);
  });

  it('stops at once when Retry-After asks for more than the policy allows', async () => {
    const { waits, policy: p } = policy();

    const error = await retrying(failing(transient).operation, p, classifier(6000)).catch((e: unknown) => e);

    expect(error).toMatchObject({ attempts: 1, reason: 'retry-after', cause: transient });
    expect(waits).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('Mon, 07 Dec 2026 10:00:00 GMT');

    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Mon, 07 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 09:59:00 GMT', now)).toBe(0);
  });

  it.each([undefined, null, '', '-1', 'soon'])('ignores %p', (header) => {
    expect(parseRetryAfter(header)).toBeUndefined();
  });
});

describe('retrying with longerRetryAfter: wait-the-maximum', () => {
  it('waits the longest allowed wait instead of giving up, and tries again', async () => {
    const { waits, policy: p } = policy({ longerRetryAfter: 'wait-the-maximum' });

    await expect(retrying(failing(transient).operation, p, classifier(60_000))).resolves.toBe('done');

    expect(waits).toEqual([5000]);
  });
});
