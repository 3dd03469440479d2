import { compareIds, type DeliveryAttempt, succeeded } from './deliveries';

/**
 * A delivery (one guid) that has no successful attempt yet and that this function is responsible for.
 * Guids that succeeded are never stored: storage grows with failures only.
 */
export interface PendingDelivery {
  guid: string;
  event: string;
  action: string | null;
  /** Newest attempt seen (all of them failed): the one redelivered, and the mark of what has been seen. */
  deliveryId: string;
  firstDeliveredAt: number;
  redeliveries: number;
  lastRedeliveredAt?: number;
  /** `deliveryId` when it was last redelivered: a newer attempt is the outcome of that redelivery. */
  redeliveredAfterId?: string;
  /** Given up (too many attempts, or older than GitHub keeps deliveries); kept so it is never picked up again. */
  abandoned?: boolean;
}

export interface RedeliveryPolicy {
  /** Redeliveries asked for one guid before giving up. */
  maxRedeliveries: number;
  /** Stop asking this long after the first attempt: GitHub keeps deliveries for 3 days. */
  giveUpAfterMs: number;
  /** Wait after the n-th failed redelivery: base * 2^(n-1), at most max. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_POLICY: RedeliveryPolicy = {
  maxRedeliveries: 10,
  giveUpAfterMs: 71 * HOUR,
  backoffBaseMs: 15 * MINUTE,
  backoffMaxMs: 12 * HOUR,
};

export interface Reconciliation {
  entries: Map<string, PendingDelivery>;
  /** Guids whose entry was added or updated, and guids whose entry is to be removed. */
  changed: Set<string>;
  removed: Set<string>;
  /** New guids with no successful attempt. */
  found: number;
  /** Pending guids that now have a successful attempt. */
  recovered: number;
  /** Pending guids whose last redelivery failed too. */
  stillFailing: number;
}

export function outcomeSeen(entry: PendingDelivery): boolean {
  return entry.redeliveredAfterId === undefined || compareIds(entry.deliveryId, entry.redeliveredAfterId) > 0;
}

/**
 * Folds newly listed attempts into the pending entries. A guid becomes pending only when its original
 * attempt (not a redelivery) is among them: a guid whose original is older than what was scanned and
 * that is not pending either succeeded earlier or was given up, and must not be redelivered.
 */
export function reconcile(
  previous: ReadonlyMap<string, PendingDelivery>,
  attempts: readonly DeliveryAttempt[],
): Reconciliation {
  const result: Reconciliation = {
    entries: new Map(previous),
    changed: new Set(),
    removed: new Set(),
    found: 0,
    recovered: 0,
    stillFailing: 0,
  };
  for (const [guid, group] of groupByGuid(attempts)) {
    const entry = previous.get(guid);
    if (group.some(succeeded)) {
      if (entry) {
        result.entries.delete(guid);
        result.removed.add(guid);
        if (!entry.abandoned) result.recovered += 1;
      }
      continue;
    }
    const newest = group.reduce((a, b) => (compareIds(a.id, b.id) >= 0 ? a : b));
    const first = Math.min(...group.map((attempt) => attempt.deliveredAt));
    if (!entry) {
      if (!group.some((attempt) => !attempt.redelivery)) continue;
      result.entries.set(guid, {
        guid,
        event: newest.event,
        action: newest.action,
        deliveryId: newest.id,
        firstDeliveredAt: first,
        redeliveries: 0,
      });
      result.changed.add(guid);
      result.found += 1;
      continue;
    }
    if (entry.abandoned || compareIds(newest.id, entry.deliveryId) <= 0) continue;
    const updated = {
      ...entry,
      deliveryId: newest.id,
      firstDeliveredAt: Math.min(entry.firstDeliveredAt, first),
    };
    if (!outcomeSeen(entry) && outcomeSeen(updated)) result.stillFailing += 1;
    result.entries.set(guid, updated);
    result.changed.add(guid);
  }
  return result;
}

function groupByGuid(attempts: readonly DeliveryAttempt[]): Map<string, DeliveryAttempt[]> {
  const groups = new Map<string, DeliveryAttempt[]>();
  for (const attempt of attempts) {
    const group = groups.get(attempt.guid);
    if (group) group.push(attempt);
    else groups.set(attempt.guid, [attempt]);
  }
  return groups;
}

export type Decision = 'redeliver' | 'wait' | 'abandon' | 'none';

export function backoffMs(redeliveries: number, policy: RedeliveryPolicy): number {
  return Math.min(policy.backoffBaseMs * 2 ** Math.max(redeliveries - 1, 0), policy.backoffMaxMs);
}

/**
 * What to do with a pending guid now. The first redelivery is immediate; later ones wait for the outcome
 * of the previous one (a newer failed attempt) and then back off exponentially. An outcome that never
 * shows up is waited for at most the longest backoff.
 */
export function decide(entry: PendingDelivery, now: number, policy: RedeliveryPolicy): Decision {
  if (entry.abandoned) return 'none';
  if (now - entry.firstDeliveredAt >= policy.giveUpAfterMs) return 'abandon';
  if (entry.redeliveries === 0 || entry.lastRedeliveredAt === undefined) return 'redeliver';
  const sinceLast = now - entry.lastRedeliveredAt;
  const exhausted = entry.redeliveries >= policy.maxRedeliveries;
  if (outcomeSeen(entry)) {
    if (exhausted) return 'abandon';
    return sinceLast >= backoffMs(entry.redeliveries, policy) ? 'redeliver' : 'wait';
  }
  if (sinceLast < policy.backoffMaxMs) return 'wait';
  return exhausted ? 'abandon' : 'redeliver';
}

/** Guids never redelivered come first, then those closest to being given up. */
export function byPriority(a: PendingDelivery, b: PendingDelivery): number {
  return a.redeliveries - b.redeliveries || a.firstDeliveredAt - b.firstDeliveredAt;
}
