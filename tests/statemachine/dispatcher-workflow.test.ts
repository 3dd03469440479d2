import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SFNClient,
  StartSyncExecutionCommand,
  type StartSyncExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../../local/api-gateway-events';
import type { WorkflowExecution } from '../../local/run-workflow';
import { projectRoot } from './support/envelopes';
import { namedError, type Recorder, recordingWorkflow } from './support/workflow';

/*
 * The dispatcher and the real router definition together: StartSyncExecution (which has no emulator) is
 * answered by aws-local-stepfunctions running statemachines/router.asl.json, as the local pipeline does.
 */

const sfn = mockClient(SFNClient);
let handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

beforeAll(() => {
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:router';
  ({ handler } = require('../../functions/dispatcher/handler'));
});

function fixture(name: string): KinesisStreamEvent {
  return JSON.parse(readFileSync(join(projectRoot, 'events', 'dispatcher', `${name}.json`), 'utf8'));
}

/** Answers StartSyncExecution by running the execution locally; returns the executions it ran. */
function runExecutionsWith(recorder: Recorder): WorkflowExecution[] {
  const executions: WorkflowExecution[] = [];
  sfn.reset();
  sfn.on(StartSyncExecutionCommand).callsFake(async (input: StartSyncExecutionCommandInput) => {
    const execution = await recorder.workflow.start(JSON.parse(input.input ?? 'null'), input.name);
    executions.push(execution);
    return execution;
  });
  return executions;
}

const context = () => ({ ...lambdaContext('DispatcherFunction'), getRemainingTimeInMillis: () => 290_000 });
const sequenceOf = (event: KinesisStreamEvent, index: number) => event.Records[index]?.kinesis.sequenceNumber;

describe('dispatcher with the real workflow', () => {
  it('routes a batch of real events: all indexed and published, the risky ones checked', async () => {
    const recorder = recordingWorkflow();
    const executions = runExecutionsWith(recorder);

    const response = await handler(fixture('kinesis-batch'), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(executions.map((execution) => execution.status)).toEqual(Array(5).fill('SUCCEEDED'));
    expect(recorder.calls.IndexerFunction).toHaveLength(5);
    expect(recorder.calls.ComplianceFunction.map((event) => (event as { type: string }).type).sort()).toEqual(
      ['branch_protection_rule', 'repository'],
    );
    expect(
      recorder.published.flatMap((request) => request.Entries.map((entry) => entry.DetailType)).sort(),
    ).toEqual([
      'branch_protection_rule.deleted',
      'discussion.created',
      'issues.opened',
      'push',
      'repository.publicized',
    ]);
  });

  it('sends a claim-checked push to compliance and publishes its reference', async () => {
    const recorder = recordingWorkflow();
    runExecutionsWith(recorder);

    const response = await handler(fixture('claim-checked'), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(recorder.calls.ComplianceFunction).toHaveLength(1);
    expect(JSON.parse(recorder.published[0]?.Entries[0]?.Detail ?? '{}')).toHaveProperty('payloadRef');
  });

  it('reports exactly the records whose step kept failing, holding back no other record of their keys', async () => {
    const event = fixture('kinesis-batch');
    const recorder = recordingWorkflow({
      ComplianceFunction: () => {
        throw namedError('TemporarilyUnavailable', 'SNS unavailable');
      },
    });
    const executions = runExecutionsWith(recorder);

    const response = await handler(event, context());

    // Compliance runs for record 1 (octo-org/octo-repo) and record 4 (Codertocat/Hello-World, the last one).
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(event, 1) },
      { itemIdentifier: sequenceOf(event, 4) },
    ]);
    expect(executions).toHaveLength(event.Records.length);
    expect(
      executions.filter((execution) => execution.status === 'FAILED').map((execution) => execution.error),
    ).toEqual(['ComplianceStepFailed', 'ComplianceStepFailed']);
  });
});
