import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { loadDispatcherConfig } from '../../../functions/lib/dispatcher/config';
import { runWorkflow, WorkflowFailed } from '../../../functions/lib/dispatcher/workflow';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:webhook-pipeline-router';

beforeEach(() => sfn.reset());

describe('runWorkflow', () => {
  it('returns the output of a SUCCEEDED execution', async () => {
    sfn
      .on(StartSyncExecutionCommand)
      .resolves({ status: 'SUCCEEDED', executionArn: `${ARN}:x`, output: '{"ok":1}' });

    const result = await runWorkflow(ARN, 'github-x', '{"id":"x"}');

    expect(result).toEqual({ executionArn: `${ARN}:x`, output: '{"ok":1}' });
    expect(sfn.commandCalls(StartSyncExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'github-x',
      input: '{"id":"x"}',
    });
  });

  it("throws WorkflowFailed carrying the execution's error and cause when it ended FAILED", async () => {
    sfn.on(StartSyncExecutionCommand).resolves({
      status: 'FAILED',
      executionArn: `${ARN}:x`,
      error: 'ComplianceStepFailed',
      cause: 'compliance step failed for github event x: Error: boom',
    });

    const failure = await runWorkflow(ARN, 'github-x', '{}').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkflowFailed);
    expect(failure).toMatchObject({
      status: 'FAILED',
      executionArn: `${ARN}:x`,
      executionError: 'ComplianceStepFailed',
      executionCause: 'compliance step failed for github event x: Error: boom',
      message: `workflow execution FAILED (ComplianceStepFailed: compliance step failed for github event x: Error: boom): ${ARN}:x`,
    });
  });
});

describe('loadDispatcherConfig', () => {
  it('reads the state machine and its timeout, and bounds a batch at 20 executions by default', () => {
    expect(loadDispatcherConfig({ STATE_MACHINE_ARN: ARN, WORKFLOW_TIMEOUT_SECONDS: '90' })).toEqual({
      stateMachineArn: ARN,
      workflowTimeoutMs: 90_000,
      concurrency: 20,
    });
    expect(loadDispatcherConfig({ STATE_MACHINE_ARN: ARN, DISPATCH_CONCURRENCY: '50' }).concurrency).toBe(50);
  });

  it.each(['0', '101', 'many'])('refuses DISPATCH_CONCURRENCY=%s', (value) => {
    expect(() => loadDispatcherConfig({ STATE_MACHINE_ARN: ARN, DISPATCH_CONCURRENCY: value })).toThrow(
      'DISPATCH_CONCURRENCY',
    );
  });

  it('names a missing state machine and refuses a timeout Express cannot have', () => {
    expect(() => loadDispatcherConfig({})).toThrow('missing required environment variable STATE_MACHINE_ARN');
    expect(() => loadDispatcherConfig({ STATE_MACHINE_ARN: ARN, WORKFLOW_TIMEOUT_SECONDS: '600' })).toThrow(
      'WORKFLOW_TIMEOUT_SECONDS must be between 1 and 300',
    );
  });
});
