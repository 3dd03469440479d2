import { ConfigError, intEnv, requireEnv } from '../config';

type Env = Record<string, string | undefined>;

export interface DispatcherConfig {
  stateMachineArn: string;
  /** The state machine's TimeoutSeconds: no execution is started with less time than this left. */
  workflowTimeoutMs: number;
  /** Executions of one batch running at once, whatever their partition keys. */
  concurrency: number;
}

/** Highest DISPATCH_CONCURRENCY accepted: a full batch (100 records by default) never needs more. */
const MAX_CONCURRENCY = 100;
const DEFAULT_CONCURRENCY = 20;

/**
 * DISPATCH_CONCURRENCY, read on its own because the Step Functions client sizes its socket pool from it at
 * module load, before the rest of the dispatcher's configuration is read.
 */
export function readDispatchConcurrency(env: Env = process.env): number {
  const concurrency = intEnv('DISPATCH_CONCURRENCY', DEFAULT_CONCURRENCY, env);
  if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new ConfigError(`DISPATCH_CONCURRENCY must be between 1 and ${MAX_CONCURRENCY}`);
  }
  return concurrency;
}

export function loadDispatcherConfig(env: Env = process.env): DispatcherConfig {
  const workflowTimeoutSeconds = intEnv('WORKFLOW_TIMEOUT_SECONDS', 120, env);
  if (workflowTimeoutSeconds < 1 || workflowTimeoutSeconds > 300) {
    // Express executions end after five minutes at most.
    throw new ConfigError('WORKFLOW_TIMEOUT_SECONDS must be between 1 and 300');
  }
  return {
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
    workflowTimeoutMs: workflowTimeoutSeconds * 1000,
    concurrency: readDispatchConcurrency(env),
  };
}
