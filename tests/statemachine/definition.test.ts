import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import {
  loadDefinition,
  localSubstitutions,
  placeholdersOf,
  ROUTER_DEFINITION_PATH,
  taskStates,
} from '../../local/run-workflow';
import { loadTemplate } from '../../local/template';

const rawText = readFileSync(ROUTER_DEFINITION_PATH, 'utf8');
const raw = JSON.parse(rawText) as {
  QueryLanguage?: string;
  TimeoutSeconds: number;
  States: Record<string, unknown>;
};
const template = loadTemplate();
const stateMachine = template.Resources.RouterStateMachine?.Properties ?? {};
const dispatcher = template.Resources.DispatcherFunction?.Properties ?? {};

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
}
type AnyState = { Type: string; Next?: string; Error?: string; Retry?: Retrier[]; Catch?: Catcher[] };

/** Every state by name, branches included (state names are unique across a whole definition). */
function allStates(states: Record<string, unknown>): Map<string, AnyState> {
  const found = new Map<string, AnyState>();
  for (const [name, state] of Object.entries(states)) {
    found.set(name, state as AnyState);
    for (const branch of (state as { Branches?: { States: Record<string, unknown> }[] }).Branches ?? []) {
      for (const [childName, child] of allStates(branch.States)) found.set(childName, child);
    }
  }
  return found;
}
const states = allStates(raw.States);
const placeholder = (name: string) => `\${${name}}`;

function validate(definition: unknown) {
  const { isValid, errorsText } = aslValidator(definition);
  return { isValid, errors: errorsText('\n') };
}

describe('statemachines/router.asl.json', () => {
  it('passes asl-validator as written (but for the partition of service ARNs) and with the substitutions applied', () => {
    // Resource must be an ARN, so the ${Partition} placeholder is the one substitution applied here.
    const asWritten = validate(
      JSON.parse(rawText.replaceAll(`arn:${placeholder('Partition')}:`, 'arn:aws:')),
    );
    const substituted = validate(loadDefinition(localSubstitutions()));

    expect(asWritten).toEqual({ isValid: true, errors: '' });
    expect(substituted).toEqual({ isValid: true, errors: '' });
  });

  it('uses JSONPath, which the local executor runs, and no JSONata', () => {
    expect(raw.QueryLanguage).toBe('JSONPath');
    expect(rawText).not.toMatch(/\{%/);
  });

  it('gets every placeholder from the template, and the template sends none it does not use', () => {
    const substitutions = Object.keys(stateMachine.DefinitionSubstitutions as Record<string, unknown>);

    expect(placeholdersOf(rawText).sort()).toEqual(substitutions.sort());
    expect(Object.keys(localSubstitutions()).sort()).toEqual(substitutions.sort());
  });

  it("calls each step function through lambda:invoke and publishes through the optimized putEvents, in the stack's partition", () => {
    const tasks = [...taskStates(raw)].map(([name, task]) => [
      name,
      task.Resource,
      task.Parameters?.FunctionName,
    ]);

    expect(tasks).toEqual([
      ['Index', `arn:${placeholder('Partition')}:states:::lambda:invoke`, placeholder('IndexerFunctionArn')],
      [
        'CheckCompliance',
        `arn:${placeholder('Partition')}:states:::lambda:invoke`,
        placeholder('ComplianceFunctionArn'),
      ],
      [
        'UpdateDns',
        `arn:${placeholder('Partition')}:states:::lambda:invoke`,
        placeholder('DnsUpdaterFunctionArn'),
      ],
      ['Publish', `arn:${placeholder('Partition')}:states:::events:putEvents`, undefined],
    ]);
  });

  it.each([...taskStates(raw).keys()])('%s retries with capped, jittered exponential backoff', (name) => {
    const retriers = states.get(name)?.Retry ?? [];
    const retrying = retriers.filter((retrier) => retrier.MaxAttempts !== 0);

    expect(retrying.length).toBeGreaterThan(0);
    for (const retrier of retrying) {
      expect(retrier).toEqual(
        expect.objectContaining({
          IntervalSeconds: expect.any(Number),
          BackoffRate: expect.any(Number),
          MaxAttempts: expect.any(Number),
          MaxDelaySeconds: expect.any(Number),
          JitterStrategy: 'FULL',
        }),
      );
      expect(retrier.BackoffRate).toBeGreaterThan(1);
    }
    expect(retriers.flatMap((retrier) => retrier.ErrorEquals)).toContain('States.TaskFailed');
  });

  it.each([
    ['Index', 'IndexStepFailed'],
    ['CheckCompliance', 'ComplianceStepFailed'],
    ['UpdateDns', 'DnsUpdateStepFailed'],
    ['Publish', 'PublishStepFailed'],
  ])('%s catches every error into a Fail state with error %s', (name, error) => {
    const catchers = states.get(name)?.Catch ?? [];
    const [catcher] = catchers;
    let next = catcher ? states.get(catcher.Next) : undefined;
    while (next && next.Type !== 'Fail' && next.Next) next = states.get(next.Next);

    expect(catchers).toHaveLength(1);
    expect(catcher?.ErrorEquals).toEqual(['States.ALL']);
    expect(next?.Type).toBe('Fail');
    expect(next?.Error).toBe(error);
  });

  it('has a timeout the dispatcher knows, within what Express allows', () => {
    const env = (dispatcher.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(raw.TimeoutSeconds).toBeLessThanOrEqual(300);
    expect(env.WORKFLOW_TIMEOUT_SECONDS).toBe(String(raw.TimeoutSeconds));
    expect(dispatcher.Timeout).toBeGreaterThan(raw.TimeoutSeconds);
  });
});

describe('template: router and dispatcher', () => {
  it('deploys the file as an Express workflow with switchable tracing and a log group', () => {
    expect(stateMachine).toEqual(
      expect.objectContaining({
        Type: 'EXPRESS',
        DefinitionUri: 'statemachines/router.asl.json',
        Tracing: { Enabled: { 'Fn::If': ['TraceRequests', true, false] } },
      }),
    );
    expect(stateMachine.Logging).toEqual(
      expect.objectContaining({
        Destinations: [
          {
            CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['RouterStateMachineLogGroup', 'Arn'] } },
          },
        ],
      }),
    );
  });

  it('lets the dispatcher start sync executions of this state machine only', () => {
    const statements = (
      dispatcher.Policies as { Statement?: { Action: unknown; Resource: unknown }[] }[]
    ).flatMap((policy) => policy.Statement ?? []);

    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'states:StartSyncExecution',
        Resource: { Ref: 'RouterStateMachine' },
      }),
    );
    expect(dispatcher.Environment).toEqual({
      Variables: expect.objectContaining({ STATE_MACHINE_ARN: { Ref: 'RouterStateMachine' } }),
    });
  });

  it('reads the stream with partial batch responses, bounded retries and an encrypted dead-letter queue', () => {
    const stream = (
      dispatcher.Events as Record<string, { Type: string; Properties: Record<string, unknown> }>
    ).Stream;
    const queue = template.Resources.DispatcherDeadLetterQueue;

    expect(stream?.Type).toBe('Kinesis');
    expect(stream?.Properties).toEqual(
      expect.objectContaining({
        BatchSize: { Ref: 'DispatcherBatchSize' },
        MaximumBatchingWindowInSeconds: { Ref: 'DispatcherBatchingWindowSeconds' },
        ParallelizationFactor: { Ref: 'DispatcherParallelizationFactor' },
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: { Ref: 'DispatcherMaximumRetryAttempts' },
        MaximumRecordAgeInSeconds: { Ref: 'DispatcherMaximumRecordAgeSeconds' },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Type: 'SQS', Destination: { 'Fn::GetAtt': ['DispatcherDeadLetterQueue', 'Arn'] } },
        },
      }),
    );
    expect(queue?.Properties?.SqsManagedSseEnabled).toBe(true);
  });
});
