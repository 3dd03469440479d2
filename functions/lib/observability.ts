import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * The one place that creates the logger, metrics and tracer. Service name, namespace, log level and
 * sampling come from the standard POWERTOOLS_* variables set per function in the template.
 */
export const logger = new Logger();
// Metrics' own warnings (such as an invocation that emitted none) go through the logger, so they obey its level.
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'WebhookPipeline',
  logger,
});

/**
 * Whether this process records traces: Powertools' own rule (off when POWERTOOLS_TRACE_ENABLED is false,
 * outside Lambda, under `sam local` or Amplify's mock), decided before the tracer is loaded.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
}

/**
 * The tracer module (./tracing), loaded only where tracing is on: it loads the X-Ray SDK, which installs
 * async hooks that tax every await. The path is built at run time so that esbuild leaves it out of the
 * handler's bundle: each function ships it as a second entry point, tracing.js beside handler.js, so a
 * function that does not trace does not even parse its 125 KB. Unbundled (tests, tsx) the same path is
 * this directory's tracing.ts.
 */
function loadTracing(): typeof import('./tracing') {
  return require(join(__dirname, 'tracing')) as typeof import('./tracing');
}

export const tracer: Tracer | undefined = tracingEnabled() ? new (loadTracing().Tracer)() : undefined;

/** An AWS SDK v3 client, with its calls traced where tracing is on. Every client is wrapped by this. */
export function traced<TClient>(client: TClient): TClient {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * Wraps a handler with context-aware logging, metrics flushing and, where on, tracing. Every exported
 * Lambda handler is the result of this function. `extra` lets a handler add its own middlewares (for
 * example idempotency) inside the observability ones.
 */
export function instrument<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  ...extra: middy.MiddlewareObj<TEvent, TResult>[]
): MiddyfiedHandler<TEvent, TResult> {
  // No early-timeout timer: it costs a timer per invocation, and Lambda's own timeout ends a stuck one.
  let wrapped = middy<TEvent, TResult>(handler, { timeoutEarlyInMillis: 0 });
  if (tracer) wrapped = wrapped.use(loadTracing().captureLambdaHandler(tracer));
  wrapped = wrapped.use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
  for (const middleware of extra) wrapped = wrapped.use(middleware);
  return wrapped;
}

/**
 * Counts the invocation's outcome both in the function's aggregate metric (what alarms watch) and in a
 * breakdown by the given dimensions (what dashboards slice by, e.g. source and reason). CloudWatch treats
 * each dimension set as its own series, so the aggregate cannot be derived from the breakdown in an
 * alarm. Both dimension sets go in the invocation's one metrics document (EMF allows several per
 * document), rather than a second document per request. Call it once per invocation: every metric of the
 * invocation is published under both sets.
 */
export function countWithBreakdown(name: string, dimensions: Record<string, string>): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
  // An empty set is the default dimensions alone (service): the aggregate series.
  metrics.addDimensions({});
  metrics.addDimensions(dimensions);
}
