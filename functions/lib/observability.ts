import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
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
export const tracer = new Tracer();

/**
 * Wraps a handler with context-aware logging, metrics flushing and tracing. Every exported Lambda
 * handler is the result of this function. `extra` lets a handler add its own middlewares (for example
 * idempotency) inside the observability ones.
 */
export function instrument<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  ...extra: middy.MiddlewareObj<TEvent, TResult>[]
): MiddyfiedHandler<TEvent, TResult> {
  let wrapped = middy<TEvent, TResult>(handler)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
  for (const middleware of extra) wrapped = wrapped.use(middleware);
  return wrapped;
}

/**
 * Counts one occurrence both in the function's aggregate metric (what alarms watch) and in a breakdown
 * by the given dimensions (what dashboards slice by, e.g. source and reason). CloudWatch treats each
 * dimension set as its own series, so the aggregate cannot be derived from the breakdown in an alarm.
 */
export function countWithBreakdown(name: string, dimensions: Record<string, string>): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
  const breakdown = metrics.singleMetric();
  for (const [key, value] of Object.entries(dimensions)) breakdown.addDimension(key, value);
  breakdown.addMetric(name, MetricUnit.Count, 1);
}
