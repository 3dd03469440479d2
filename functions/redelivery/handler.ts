import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createGitHubClient, loadGitHubCredentials } from '../lib/clients/github';
import { instrument, logger, metrics } from '../lib/observability';
import { checkCredentialsCover, loadRedeliveryConfig } from '../lib/redelivery/config';
import { LedgerStore } from '../lib/redelivery/ledger';
import { type RunSummary, runRedelivery } from '../lib/redelivery/run';

const config = loadRedeliveryConfig();
const store = new LedgerStore(config.tableName);

/** Time kept back from Lambda's timeout to write state and flush metrics after the last request. */
const SAFETY_MARGIN_MS = 20_000;

/** What EventBridge Scheduler sends (the template's Input); `dryRun` is for a hand-made invoke. */
export interface RedeliveryEvent {
  scheduledTime?: string;
  executionId?: string;
  dryRun?: boolean;
}

async function redeliverFailedDeliveries(
  event: RedeliveryEvent | null,
  context: Context,
): Promise<RunSummary> {
  const deadline = Date.now() + Math.max(context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, 0);
  const dryRun = event?.dryRun === true;
  if (config.hooks.length === 0) {
    logger.info('no hooks to watch (RedeliveryHooks is empty); nothing to do');
    return emptySummary();
  }
  const credentials = await loadGitHubCredentials();
  checkCredentialsCover(config.hooks, credentials);
  const client = createGitHubClient({
    credentials,
    baseUrl: config.apiUrl,
    rateLimit: { maxWaitSeconds: config.rateLimitMaxWaitSeconds, deadline },
    userAgent: 'webhook-event-pipeline-redelivery',
  });
  const summary = await runRedelivery(
    { client, store, runId: context.awsRequestId },
    {
      hooks: config.hooks,
      lookbackMs: config.lookbackHours * 3_600_000,
      maxPerRun: config.maxPerRun,
      policy: config.policy,
      deadline,
      dryRun,
    },
  );
  if (!dryRun && !summary.skipped) {
    metrics.addMetric('FailedDeliveriesFound', MetricUnit.Count, summary.found);
    metrics.addMetric('Redelivered', MetricUnit.Count, summary.redelivered);
    metrics.addMetric('StillFailing', MetricUnit.Count, summary.stillFailing);
    metrics.addMetric('Recovered', MetricUnit.Count, summary.recovered);
    metrics.addMetric('GaveUp', MetricUnit.Count, summary.gaveUp);
    metrics.addMetric('RedeliveriesDeferred', MetricUnit.Count, summary.deferred);
  }
  const { hooks, planned, ...totals } = summary;
  logger.info('redelivery run finished', {
    scheduledTime: event?.scheduledTime,
    dryRun,
    ...totals,
    hooks,
    planned,
  });
  // Configuration or permission problems must show as failed invocations (and alarm); rate limits do not.
  const failed = hooks.filter((hook) => hook.error !== undefined).map((hook) => hook.hook);
  if (failed.length > 0) throw new Error(`redelivery failed for ${failed.join(', ')}`);
  return summary;
}

function emptySummary(): RunSummary {
  const none = { found: 0, redelivered: 0, stillFailing: 0, recovered: 0, gaveUp: 0, deferred: 0 };
  return { ...none, rateLimited: false, skipped: true, hooks: [], planned: [] };
}

export const handler = instrument(redeliverFailedDeliveries);
