import { StartSyncExecutionCommand, type SyncExecutionStatus } from '@aws-sdk/client-sfn';
import { sfnClient } from '../clients/sfn';

const MAX_CAUSE_IN_MESSAGE = 1000;

/** The execution ran and did not succeed. StartSyncExecution still answers HTTP 200 in that case. */
export class WorkflowFailed extends Error {
  override readonly name = 'WorkflowFailed';
  constructor(
    readonly status: SyncExecutionStatus | 'UNKNOWN',
    readonly executionArn: string | undefined,
    readonly executionError: string | undefined,
    readonly executionCause: string | undefined,
  ) {
    const reason = [executionError, executionCause?.slice(0, MAX_CAUSE_IN_MESSAGE)]
      .filter(Boolean)
      .join(': ');
    super(
      `workflow execution ${status}${reason ? ` (${reason})` : ''}: ${executionArn ?? 'no execution ARN'}`,
    );
  }
}

export interface WorkflowSucceeded {
  executionArn: string | undefined;
  output: string | undefined;
}

/** Runs one Express execution to its end and returns its output, or throws WorkflowFailed. */
export async function runWorkflow(
  stateMachineArn: string,
  name: string,
  input: string,
): Promise<WorkflowSucceeded> {
  const result = await sfnClient.send(new StartSyncExecutionCommand({ stateMachineArn, name, input }));
  if (result.status !== 'SUCCEEDED') {
    throw new WorkflowFailed(result.status ?? 'UNKNOWN', result.executionArn, result.error, result.cause);
  }
  return { executionArn: result.executionArn, output: result.output };
}
