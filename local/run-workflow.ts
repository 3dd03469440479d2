import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/*
 * Runs the real statemachines/router.asl.json on this machine with aws-local-stepfunctions, each Task state
 * bound to a local function, and answers in the shape of StartSyncExecution. The local pipeline (`npm start`)
 * and the workflow tests both go through here, so what they run is the deployed definition.
 */

// aws-local-stepfunctions 3 calls Promise.withResolvers (ES2024), which Node 20 lacks; it has to exist before
// the library runs, hence before it is loaded.
type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};
const promiseStatics = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
const localStepFunctions = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');

export const ROUTER_DEFINITION_PATH = join(__dirname, '..', 'statemachines', 'router.asl.json');
// Read from the raw definition, where the partition is still the ${Partition} placeholder.
const LAMBDA_INVOKE = `arn:\${Partition}:states:::lambda:invoke`;
const EVENTS_PUT_EVENTS = `arn:\${Partition}:states:::events:putEvents`;
const LOCAL_ACCOUNT = '000000000000';

/** A step function's handler: receives the task's payload (the envelope) and returns its result. */
export type StepHandler = (event: unknown) => Promise<unknown>;

/** One entry as Step Functions hands it to EventBridge: Detail serialized, execution ARNs in Resources. */
export interface PutEventsEntry {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
}

export interface PutEventsResult {
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  FailedEntryCount: number;
}

export interface WorkflowBindings {
  /** Lambda steps, by the logical id of their function in template.yaml (IndexerFunction, ...). */
  functions: Record<string, StepHandler>;
  /** The events:putEvents task: a real or fake EventBridge PutEvents call. */
  putEvents: (request: { Entries: PutEventsEntry[] }) => Promise<PutEventsResult>;
}

export interface LocalWorkflowOptions {
  definitionPath?: string;
  /** DefinitionSubstitutions; defaults to `localSubstitutions()`. */
  substitutions?: Record<string, string>;
  /** Milliseconds to wait before every retry instead of the definition's backoff (tests use 0). */
  retryDelayMs?: number;
  region?: string;
  stateMachineName?: string;
}

/** What StartSyncExecution answers, plus the states the execution entered. */
export interface WorkflowExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  startDate: Date;
  stopDate: Date;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Every state entered, in order; states of parallel branches interleave. */
  statesVisited: string[];
}

export function localFunctionArn(logicalId: string, region = 'us-east-1'): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

/** The template's DefinitionSubstitutions with local names (see "Local resource names" in the design). */
export function localSubstitutions(region = 'us-east-1'): Record<string, string> {
  return {
    IndexerFunctionArn: localFunctionArn('IndexerFunction', region),
    ComplianceFunctionArn: localFunctionArn('ComplianceFunction', region),
    DnsUpdaterFunctionArn: localFunctionArn('DnsUpdaterFunction', region),
    EventBusName: 'webhooks',
    Partition: 'aws',
  };
}

/** The placeholders (`${Name}`) a definition file uses, as DefinitionSubstitutions must provide them. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] as string))];
}

/** Applies DefinitionSubstitutions like CloudFormation does; a placeholder left without a value is an error. */
export function loadDefinition(
  substitutions: Record<string, string>,
  path = ROUTER_DEFINITION_PATH,
): StateMachineDefinition {
  const text = readFileSync(path, 'utf8').replace(/\$\{(\w+)\}/g, (_placeholder, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`${path}: no substitution for \${${name}}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as StateMachineDefinition;
}

interface TaskState {
  Type: 'Task';
  Resource: string;
  Parameters?: { FunctionName?: string };
}

/** Every Task state by name, including those inside Parallel branches and Map processors. */
export function taskStates(definition: { States: Record<string, unknown> }): Map<string, TaskState> {
  const tasks = new Map<string, TaskState>();
  for (const [name, state] of Object.entries(definition.States)) {
    const node = state as { Type: string; Branches?: { States: Record<string, unknown> }[] } & Record<
      string,
      unknown
    >;
    if (node.Type === 'Task') tasks.set(name, node as unknown as TaskState);
    const nested = [...(node.Branches ?? []), node.ItemProcessor, node.Iterator].filter(Boolean);
    for (const child of nested) {
      for (const [childName, task] of taskStates(child as { States: Record<string, unknown> })) {
        tasks.set(childName, task);
      }
    }
  }
  return tasks;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Step Functions names a function's error after its type and puts Lambda's error JSON in the cause. */
function asLambdaInvokeError(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  // Errors of the Lambda service itself (throttling, ...) are not the function's: they pass unchanged.
  if (name.startsWith('Lambda.') || name.startsWith('States.')) return namedError(name, message);
  return namedError(name, JSON.stringify({ errorType: name, errorMessage: message }));
}

const validatedDefinitions = new Set<string>();

export class LocalWorkflow {
  readonly stateMachineArn: string;
  private readonly definition: StateMachineDefinition;
  private readonly machine: InstanceType<typeof localStepFunctions.StateMachine>;
  private readonly functionOfTask = new Map<string, string>();
  private readonly putEventsTasks: string[] = [];
  private readonly region: string;
  private readonly stateMachineName: string;

  constructor(
    private readonly bindings: WorkflowBindings,
    private readonly options: LocalWorkflowOptions = {},
  ) {
    this.region = options.region ?? 'us-east-1';
    this.stateMachineName = options.stateMachineName ?? 'router';
    this.stateMachineArn = `arn:aws:states:${this.region}:${LOCAL_ACCOUNT}:stateMachine:${this.stateMachineName}`;
    const path = options.definitionPath ?? ROUTER_DEFINITION_PATH;
    // Which function a Task calls is read from its placeholder (${IndexerFunctionArn} -> IndexerFunction),
    // so bindings use the template's logical ids whatever ARNs the substitutions hold.
    const raw = JSON.parse(readFileSync(path, 'utf8')) as StateMachineDefinition;
    for (const [name, task] of taskStates(raw)) {
      if (task.Resource === LAMBDA_INVOKE) {
        const placeholder = /^\$\{(\w+)Arn\}$/.exec(task.Parameters?.FunctionName ?? '');
        const logicalId = placeholder?.[1];
        if (!logicalId) throw new Error(`Task ${name}: FunctionName is not a \${<LogicalId>Arn} placeholder`);
        if (!bindings.functions[logicalId])
          throw new Error(`Task ${name}: no local handler for ${logicalId}`);
        this.functionOfTask.set(name, logicalId);
      } else if (task.Resource === EVENTS_PUT_EVENTS) {
        this.putEventsTasks.push(name);
      } else {
        throw new Error(`Task ${name}: no local binding for resource ${task.Resource}`);
      }
    }
    this.definition = loadDefinition(options.substitutions ?? localSubstitutions(this.region), path);
    // Validation compiles JSON schemas (a few hundred ms): once per definition is enough.
    const key = JSON.stringify(this.definition);
    this.machine = new localStepFunctions.StateMachine(this.definition, {
      validationOptions: { noValidate: validatedDefinitions.has(key) },
    });
    validatedDefinitions.add(key);
  }

  /** Runs one execution to its end, like StartSyncExecution; a failed execution resolves, never rejects. */
  async start(input: unknown, name: string = randomUUID()): Promise<WorkflowExecution> {
    const executionArn = `arn:aws:states:${this.region}:${LOCAL_ACCOUNT}:express:${this.stateMachineName}:${name}:${randomUUID()}`;
    const startDate = new Date();
    const execution = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(executionArn),
        ...(this.options.retryDelayMs === undefined ? {} : { retryIntervalOverrides: this.retryOverrides() }),
      },
      context: {
        Execution: {
          Id: executionArn,
          Input: input as never,
          Name: name,
          StartTime: startDate.toISOString(),
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineName },
      },
    });
    const statesVisited: string[] = [];
    let failure: { Error?: string; Cause?: unknown } | undefined;
    const logsRead = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') statesVisited.push(event.state.name);
        if (event.type === 'ExecutionFailed') failure = { Error: event.Error, Cause: event.Cause };
      }
    })();
    const base = {
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name,
      startDate,
      input: JSON.stringify(input),
    };
    try {
      const output = await execution.result;
      await logsRead;
      return {
        ...base,
        stopDate: new Date(),
        status: 'SUCCEEDED',
        output: JSON.stringify(output),
        statesVisited,
      };
    } catch (error) {
      await logsRead.catch(() => undefined);
      const status =
        error instanceof localStepFunctions.ExecutionTimeoutError
          ? 'TIMED_OUT'
          : error instanceof localStepFunctions.ExecutionAbortedError
            ? 'ABORTED'
            : 'FAILED';
      const cause = failure?.Cause ?? (error as Error).message;
      return {
        ...base,
        stopDate: new Date(),
        status,
        error: failure?.Error ?? (status === 'TIMED_OUT' ? 'States.Timeout' : (error as Error).name),
        cause: typeof cause === 'string' ? cause : JSON.stringify(cause),
        statesVisited,
      };
    }
  }

  private taskHandlers(executionArn: string): Record<string, (input: unknown) => Promise<never>> {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [task, logicalId] of this.functionOfTask) {
      const handler = this.bindings.functions[logicalId] as StepHandler;
      handlers[task] = async (parameters) => {
        const { Payload } = parameters as { Payload: unknown };
        let result: unknown;
        try {
          result = await handler(Payload);
        } catch (error) {
          throw asLambdaInvokeError(error);
        }
        return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 } as never;
      };
    }
    for (const task of this.putEventsTasks) {
      handlers[task] = async (parameters) => {
        const { Entries } = parameters as {
          Entries: (Omit<PutEventsEntry, 'Detail'> & { Detail: unknown })[];
        };
        // What the optimized integration does before and after the call.
        const request = {
          Entries: Entries.map((entry) => ({
            ...entry,
            Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail),
            Resources: [...(entry.Resources ?? []), executionArn, this.stateMachineArn],
          })),
        };
        const result = await this.bindings.putEvents(request);
        if (result.FailedEntryCount > 0) {
          throw namedError(
            'EventBridge.FailedEntry',
            JSON.stringify(result.Entries.filter((e) => e.ErrorCode)),
          );
        }
        return result as never;
      };
    }
    return handlers;
  }

  private retryOverrides(): Record<string, number> {
    const delay = this.options.retryDelayMs ?? 0;
    return Object.fromEntries(
      [...this.functionOfTask.keys(), ...this.putEventsTasks].map((task) => [task, delay]),
    );
  }
}
