import { ConfigError, intEnv, requireEnv } from '../config';

export interface DispatcherConfig {
  stateMachineArn: string;
  /** The state machine's TimeoutSeconds: no execution is started with less time than this left. */
  workflowTimeoutMs: number;
}

export function loadDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  const workflowTimeoutSeconds = intEnv('WORKFLOW_TIMEOUT_SECONDS', 120, env);
  if (workflowTimeoutSeconds < 1 || workflowTimeoutSeconds > 300) {
    // Express executions end after five minutes at most.
    throw new ConfigError('WORKFLOW_TIMEOUT_SECONDS must be between 1 and 300');
  }
  return {
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
    workflowTimeoutMs: workflowTimeoutSeconds * 1000,
  };
}
