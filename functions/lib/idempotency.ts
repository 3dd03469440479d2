import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamodbClient } from './clients/dynamodb';
import { metrics } from './observability';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Far enough ahead that the table's TTL never removes the record: "remembered for as long as it is kept". */
const FOR_EVER = 100 * 365 * DAY;

/**
 * What each step remembers, under which key prefix, and for how long. The prefixes are fixed (not the
 * function's name, Powertools' default) so records stay valid across deployments and stacks, and so IAM
 * can limit each function to its own prefix. How long each must hold follows from what a repeat would do.
 * The indexer has no record: OpenSearch's create refuses a second document for the event at any age
 * (search/indexer.ts), so a record would only add two writes per event.
 *
 * - `dns`: a repeat is stopped at any age by the record's report version (dns/report-version.ts); the
 *   record only saves Route 53 a read for a redelivery within the hour.
 * - `compliance.bus` / `compliance.alarm`: a repeat would raise the finding or page someone again, and
 *   nothing else stops it, so these are remembered for as long as the lake keeps the events a replay could
 *   bring back (`remember`: LakeExpirationDays, for ever by default).
 */
export const STEP_MEMORY = {
  dns: { keyPrefix: 'dns', expiresAfterSeconds: HOUR },
  'compliance.bus': { keyPrefix: 'compliance.bus', expiresAfterSeconds: FOR_EVER },
  'compliance.alarm': { keyPrefix: 'compliance.alarm', expiresAfterSeconds: FOR_EVER },
} as const;

export type Step = keyof typeof STEP_MEMORY;

/**
 * Seconds a finding is remembered, from the lake's retention in days (REMEMBER_FINDINGS_DAYS, set from
 * LakeExpirationDays): 0 means the lake keeps events for ever, and so must the findings' records.
 */
export function findingMemorySeconds(lakeDays: number): number {
  return lakeDays === 0 ? FOR_EVER : lakeDays * DAY;
}

/** The event's identity, `source:id`, as every step's idempotency key. */
const EVENT_KEY = "join(':', [source, id])";

interface StepOptions {
  tableName: string;
  /** Overrides the step's default memory (STEP_MEMORY). */
  expiresAfterSeconds?: number;
  /** JMESPath to the key inside the idempotent function's argument; the event's `source:id` by default. */
  keyPath?: string;
}

function settings(step: Step, options: StepOptions) {
  // One persistence layer per idempotent function: a layer keeps the key prefix of its last use.
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: dynamodbClient,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.keyPath ?? EVENT_KEY,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds ?? STEP_MEMORY[step].expiresAfterSeconds,
    // A repeat answered from the store: counted, so every invocation publishes a metric.
    responseHook: (response) => {
      metrics.addMetric('RepeatsSkipped', MetricUnit.Count, 1);
      return response;
    },
  });
  return { persistenceStore, config, keyPrefix: STEP_MEMORY[step].keyPrefix };
}

/**
 * `fn` made idempotent for `step`: a repeat returns the stored result without running it; errors are not
 * stored, so a failed attempt can be retried. Given a Lambda handler (event, context), it is keyed on the
 * event and lets an in-progress record expire with an invocation that timed out; given any other function,
 * on its first argument (`registerLambdaContext` does the latter by hand).
 *
 * Powertools' function wrapper rather than its Middy middleware: the middleware's error hook deletes the
 * record even when its own check refused a concurrent duplicate, and since copies of one event can run side
 * by side in a batch, a third copy would then run the step again (aws-powertools/powertools-lambda-typescript#5675, fixed
 * after the 2.35 release this project uses).
 */
export function idempotent<TArgs extends unknown[], TResult>(
  step: Step,
  options: StepOptions,
  fn: (...args: TArgs) => Promise<TResult>,
): { run: (...args: TArgs) => Promise<TResult>; config: IdempotencyConfig } {
  const { config, ...rest } = settings(step, options);
  const once = makeIdempotent(fn, { ...rest, config });
  const run = async (...args: TArgs): Promise<TResult> => {
    try {
      return await once(...args);
    } catch (error) {
      // Another copy of the event holds the record: this one fails, to be retried once that copy is done.
      if ((error as Error).name === 'IdempotencyAlreadyInProgressError') {
        metrics.addMetric('RepeatsInProgress', MetricUnit.Count, 1);
      }
      throw error;
    }
  };
  return { run, config };
}
