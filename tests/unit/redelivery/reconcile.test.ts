import type { DeliveryAttempt } from '../../../functions/lib/redelivery/deliveries';
import {
  backoffMs,
  byPriority,
  DEFAULT_POLICY,
  decide,
  type PendingDelivery,
  reconcile,
} from '../../../functions/lib/redelivery/reconcile';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-05-04T09:00:00Z');

let nextId = 12_000_000_000n;
function attempt(
  guid: string,
  statusCode: number,
  overrides: Partial<DeliveryAttempt> = {},
): DeliveryAttempt {
  nextId += 1n;
  return {
    id: String(nextId),
    guid,
    deliveredAt: T0,
    redelivery: false,
    statusCode,
    status: statusCode >= 200 && statusCode < 300 ? 'OK' : `Invalid HTTP Response: ${statusCode}`,
    event: 'push',
    action: null,
    ...overrides,
  };
}

function pending(guid: string, overrides: Partial<PendingDelivery> = {}): PendingDelivery {
  return {
    guid,
    event: 'push',
    action: null,
    deliveryId: '100',
    firstDeliveredAt: T0,
    redeliveries: 0,
    ...overrides,
  };
}

describe('reconcile', () => {
  it('adds a guid whose original attempt and redeliveries all failed, keeping the newest attempt', () => {
    const original = attempt('a', 502, { deliveredAt: T0 - 2 * MINUTE });
    const retry = attempt('a', 0, { redelivery: true, status: 'timed out', deliveredAt: T0 - MINUTE });

    const result = reconcile(new Map(), [retry, original]);

    expect(result.found).toBe(1);
    expect(result.entries.get('a')).toEqual(
      pending('a', { deliveryId: retry.id, firstDeliveredAt: T0 - 2 * MINUTE }),
    );
    expect([...result.changed]).toEqual(['a']);
  });

  it('ignores guids with a successful attempt, whatever the order of attempts', () => {
    const result = reconcile(new Map(), [
      attempt('a', 500),
      attempt('a', 200, { redelivery: true }),
      attempt('a', 503, { redelivery: true }),
    ]);

    expect(result.found).toBe(0);
    expect(result.entries.size).toBe(0);
  });

  it('counts status "OK" as success even without a 2xx code', () => {
    const result = reconcile(new Map(), [attempt('a', 0, { status: 'OK' })]);

    expect(result.entries.size).toBe(0);
  });

  it('does not take on a guid seen only through redeliveries', () => {
    const result = reconcile(new Map(), [attempt('a', 500, { redelivery: true })]);

    expect(result.found).toBe(0);
    expect(result.entries.size).toBe(0);
  });

  it('removes a pending guid that succeeded and counts it recovered', () => {
    const previous = new Map([['a', pending('a', { redeliveries: 1, redeliveredAfterId: '100' })]]);

    const result = reconcile(previous, [attempt('a', 200, { redelivery: true })]);

    expect(result.recovered).toBe(1);
    expect(result.entries.has('a')).toBe(false);
    expect([...result.removed]).toEqual(['a']);
  });

  it('counts a failed outcome of its own redelivery once as still failing', () => {
    const previous = new Map([
      ['a', pending('a', { redeliveries: 1, redeliveredAfterId: '100', lastRedeliveredAt: T0 })],
    ]);
    const outcome = attempt('a', 503, { redelivery: true });

    const first = reconcile(previous, [outcome]);
    const rescan = reconcile(first.entries, [outcome]);

    expect(first.stillFailing).toBe(1);
    expect(first.entries.get('a')?.deliveryId).toBe(outcome.id);
    expect(rescan.stillFailing).toBe(0);
    expect(rescan.changed.size).toBe(0);
  });

  it('leaves abandoned guids alone', () => {
    const previous = new Map([['a', pending('a', { abandoned: true })]]);

    const result = reconcile(previous, [attempt('a', 500), attempt('a', 500, { redelivery: true })]);

    expect(result.changed.size).toBe(0);
    expect(result.entries.get('a')).toEqual(pending('a', { abandoned: true }));
  });

  it('does not mutate the previous state', () => {
    const entry = pending('a', { redeliveries: 1, redeliveredAfterId: '100' });
    const previous = new Map([['a', entry]]);

    reconcile(previous, [attempt('a', 500, { redelivery: true }), attempt('b', 500)]);

    expect(previous.size).toBe(1);
    expect(entry.deliveryId).toBe('100');
  });
});

describe('decide', () => {
  const policy = { ...DEFAULT_POLICY, maxRedeliveries: 3 };

  it('redelivers a new failure at once', () => {
    expect(decide(pending('a'), T0 + MINUTE, policy)).toBe('redeliver');
  });

  it('waits for the backoff after a failed redelivery, then redelivers', () => {
    const entry = pending('a', {
      deliveryId: '101',
      redeliveries: 2,
      redeliveredAfterId: '100',
      lastRedeliveredAt: T0,
    });

    expect(decide(entry, T0 + backoffMs(2, policy) - 1, policy)).toBe('wait');
    expect(decide(entry, T0 + backoffMs(2, policy), policy)).toBe('redeliver');
  });

  it('waits for the outcome of its redelivery, at most the longest backoff', () => {
    const entry = pending('a', { redeliveries: 1, redeliveredAfterId: '100', lastRedeliveredAt: T0 });

    expect(decide(entry, T0 + 2 * HOUR, policy)).toBe('wait');
    expect(decide(entry, T0 + policy.backoffMaxMs, policy)).toBe('redeliver');
  });

  it('gives up after the last redelivery failed', () => {
    const entry = pending('a', {
      deliveryId: '101',
      redeliveries: 3,
      redeliveredAfterId: '100',
      lastRedeliveredAt: T0,
    });

    expect(decide(entry, T0 + MINUTE, policy)).toBe('abandon');
  });

  it('gives up before GitHub forgets the delivery', () => {
    expect(decide(pending('a'), T0 + policy.giveUpAfterMs, policy)).toBe('abandon');
    expect(decide(pending('a'), T0 + policy.giveUpAfterMs - 1, policy)).toBe('redeliver');
  });

  it('does nothing with an abandoned guid', () => {
    expect(decide(pending('a', { abandoned: true }), T0, policy)).toBe('none');
  });
});

describe('backoffMs', () => {
  it('doubles from the base up to the maximum', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => backoffMs(n, DEFAULT_POLICY) / MINUTE)).toEqual([
      15, 30, 60, 120, 720, 720, 720,
    ]);
  });

  it("spreads the default attempts over most of GitHub's 3-day retention", () => {
    const lastAttemptAfter = Array.from({ length: DEFAULT_POLICY.maxRedeliveries - 1 }, (_, n) =>
      backoffMs(n + 1, DEFAULT_POLICY),
    ).reduce((sum, wait) => sum + wait, 0);

    expect(lastAttemptAfter).toBeGreaterThan(48 * HOUR);
    expect(lastAttemptAfter).toBeLessThan(DEFAULT_POLICY.giveUpAfterMs);
  });
});

describe('byPriority', () => {
  it('puts never-redelivered guids first, then the oldest', () => {
    const entries = [
      pending('retried', { redeliveries: 1, firstDeliveredAt: T0 - HOUR }),
      pending('newer', { firstDeliveredAt: T0 }),
      pending('older', { firstDeliveredAt: T0 - MINUTE }),
    ];

    expect(entries.sort(byPriority).map((entry) => entry.guid)).toEqual(['older', 'newer', 'retried']);
  });
});
