import type { GitHubClient } from '../clients/github';
import { logger } from '../observability';
import { type DeliveryAttempt, deliveryPages, redeliver } from './deliveries';
import type { HookTarget } from './hooks';
import type { LedgerStore } from './ledger';
import { byPriority, decide, type PendingDelivery, type RedeliveryPolicy, reconcile } from './reconcile';

export interface RunOptions {
  hooks: readonly HookTarget[];
  /** How far back the first scan of a hook (or one after a long pause) looks. */
  lookbackMs: number;
  /** Redeliveries asked for in one run, across all hooks. */
  maxPerRun: number;
  policy: RedeliveryPolicy;
  /** Epoch milliseconds (wall clock) after which no new work starts. */
  deadline: number;
  /** List and plan only: no redelivery, no state written. */
  dryRun?: boolean;
}

export interface RunDeps {
  client: GitHubClient;
  store: LedgerStore;
  /** Identifies this run in the lease. */
  runId: string;
  /** The clock compared with GitHub's timestamps and the backoff (tests move it). */
  now?: () => number;
}

export interface HookReport {
  hook: string;
  scanned: number;
  complete: boolean;
  found: number;
  recovered: number;
  stillFailing: number;
  redelivered: number;
  gaveUp: number;
  pending: number;
  error?: string;
}

export interface RunSummary {
  found: number;
  redelivered: number;
  stillFailing: number;
  recovered: number;
  gaveUp: number;
  /** Guids due for redelivery that this run left for the next one (cap, time or rate limit). */
  deferred: number;
  /** GitHub's rate limit stopped the run early; the rest waits for the next run. */
  rateLimited: boolean;
  /** Another run held the lease; this one did nothing. */
  skipped: boolean;
  hooks: HookReport[];
  /** Dry run: what would have been redelivered. */
  planned: Array<{ hook: string; guid: string; deliveryId: string; event: string }>;
}

/**
 * Deliveries are listed once their attempt is over, which can trail their order by the delivery's
 * duration; each scan reaches this far behind the cursor. Seeing an attempt twice changes nothing.
 */
const CURSOR_OVERLAP_MS = 10 * 60_000;

interface Candidate {
  hook: HookTarget;
  report: HookReport;
  entry: PendingDelivery;
}

export async function runRedelivery(deps: RunDeps, options: RunOptions): Promise<RunSummary> {
  const now = deps.now ?? Date.now;
  const summary: RunSummary = {
    found: 0,
    redelivered: 0,
    stillFailing: 0,
    recovered: 0,
    gaveUp: 0,
    deferred: 0,
    rateLimited: false,
    skipped: false,
    hooks: [],
    planned: [],
  };
  const write = !options.dryRun;
  if (write && !(await deps.store.acquireLease(deps.runId, options.deadline + 60_000, Date.now()))) {
    logger.warn('another redelivery run holds the lease; skipping this one');
    return { ...summary, skipped: true };
  }
  try {
    const candidates: Candidate[] = [];
    for (const hook of options.hooks) {
      if (summary.rateLimited || Date.now() >= options.deadline) break;
      const report = emptyReport(hook.key);
      summary.hooks.push(report);
      try {
        candidates.push(...(await reviewHook(deps, options, hook, report, now)));
      } catch (error) {
        if (isRateLimited(error)) summary.rateLimited = true;
        else fail(report, error, 'listing deliveries failed');
      }
    }
    await redeliverDue(deps, options, candidates, summary, now);
    for (const report of summary.hooks) {
      summary.found += report.found;
      summary.stillFailing += report.stillFailing;
      summary.recovered += report.recovered;
      summary.gaveUp += report.gaveUp;
      summary.redelivered += report.redelivered;
    }
    return summary;
  } finally {
    if (write) await deps.store.releaseLease(deps.runId);
  }
}

/** Lists the hook's new deliveries, folds them into its state, and returns the guids due for redelivery. */
async function reviewHook(
  deps: RunDeps,
  options: RunOptions,
  hook: HookTarget,
  report: HookReport,
  now: () => number,
): Promise<Candidate[]> {
  const ledger = await deps.store.load(hook.key, now());
  const since = Math.max(now() - options.lookbackMs, (ledger.cursor ?? 0) - CURSOR_OVERLAP_MS);
  const scan = await scanSince(deps.client, hook, since, options.deadline);
  report.scanned = scan.attempts.length;
  report.complete = scan.complete;

  const result = reconcile(ledger.entries, scan.attempts);
  Object.assign(report, {
    found: result.found,
    recovered: result.recovered,
    stillFailing: result.stillFailing,
  });
  const candidates: Candidate[] = [];
  for (const entry of result.entries.values()) {
    const decision = decide(entry, now(), options.policy);
    if (decision === 'abandon') {
      result.entries.set(entry.guid, { ...entry, abandoned: true });
      result.changed.add(entry.guid);
      report.gaveUp += 1;
      logger.warn('giving up on a failed delivery', {
        hook: hook.key,
        guid: entry.guid,
        redeliveries: entry.redeliveries,
      });
    } else if (decision === 'redeliver') {
      candidates.push({ hook, report, entry });
    }
  }
  report.pending = [...result.entries.values()].filter((entry) => !entry.abandoned).length;

  if (!options.dryRun) {
    const changed = [...result.changed].flatMap((guid) => result.entries.get(guid) ?? []);
    await deps.store.saveEntries(hook.key, changed, [...result.removed]);
    // An interrupted scan saw the newest deliveries but not all older ones: the cursor stays put.
    if (scan.complete && scan.newest !== undefined && scan.newest > (ledger.cursor ?? 0)) {
      await deps.store.saveCursor(hook.key, scan.newest, now());
    }
  }
  return candidates;
}

interface Scan {
  attempts: DeliveryAttempt[];
  complete: boolean;
  newest?: number;
}

/** Pages newest first until an attempt older than `since` shows up (or the list ends, or time is up). */
async function scanSince(
  client: GitHubClient,
  hook: HookTarget,
  since: number,
  deadline: number,
): Promise<Scan> {
  const scan: Scan = { attempts: [], complete: false };
  for await (const page of deliveryPages(client, hook)) {
    let reachedSince = false;
    for (const attempt of page) {
      scan.newest = Math.max(scan.newest ?? attempt.deliveredAt, attempt.deliveredAt);
      if (attempt.deliveredAt >= since) scan.attempts.push(attempt);
      else reachedSince = true;
    }
    if (reachedSince) return { ...scan, complete: true };
    if (Date.now() >= deadline) return scan;
  }
  return { ...scan, complete: true };
}

async function redeliverDue(
  deps: RunDeps,
  options: RunOptions,
  candidates: Candidate[],
  summary: RunSummary,
  now: () => number,
): Promise<void> {
  let taken = 0;
  for (const { hook, report, entry } of candidates.sort((a, b) => byPriority(a.entry, b.entry))) {
    if (taken >= options.maxPerRun || summary.rateLimited || Date.now() >= options.deadline) {
      summary.deferred += 1;
      continue;
    }
    taken += 1;
    if (options.dryRun) {
      summary.planned.push({
        hook: hook.key,
        guid: entry.guid,
        deliveryId: entry.deliveryId,
        event: entry.event,
      });
      continue;
    }
    const attempted = { ...entry, redeliveries: entry.redeliveries + 1, lastRedeliveredAt: now() };
    try {
      await redeliver(deps.client, hook, entry.deliveryId);
      await deps.store.putEntry(hook.key, { ...attempted, redeliveredAfterId: entry.deliveryId });
      report.redelivered += 1;
      logger.info('redelivered', {
        hook: hook.key,
        guid: entry.guid,
        deliveryId: entry.deliveryId,
        event: entry.event,
      });
    } catch (error) {
      const status = statusOf(error);
      if (isRateLimited(error)) {
        summary.rateLimited = true;
        summary.deferred += 1;
      } else if (status === 404 || status === 410) {
        // The delivery (or the hook) is gone: nothing left to redeliver.
        await deps.store.putEntry(hook.key, { ...entry, abandoned: true });
        report.gaveUp += 1;
        logger.warn('delivery no longer exists; giving up', { hook: hook.key, guid: entry.guid, status });
      } else if (status === 422) {
        // Refused (GitHub also answers 422 to redelivery spam): counts as an attempt, so it stays bounded.
        await deps.store.putEntry(hook.key, { ...attempted, redeliveredAfterId: undefined });
        logger.warn('GitHub refused the redelivery', { hook: hook.key, guid: entry.guid, status });
      } else {
        fail(report, error, 'redelivery failed');
      }
    }
  }
}

function emptyReport(hook: string): HookReport {
  return {
    hook,
    scanned: 0,
    complete: false,
    found: 0,
    recovered: 0,
    stillFailing: 0,
    redelivered: 0,
    gaveUp: 0,
    pending: 0,
  };
}

function fail(report: HookReport, error: unknown, what: string): void {
  report.error = error instanceof Error ? error.message : String(error);
  logger.error(what, { hook: report.hook, status: statusOf(error), error: report.error });
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's primary (403 with no requests remaining) and secondary (403 or 429) rate limits. */
export function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  const { response, message } = error as {
    response?: { headers?: Record<string, unknown> };
    message?: string;
  };
  return response?.headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message ?? '');
}
