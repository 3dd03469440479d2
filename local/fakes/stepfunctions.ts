import { randomUUID } from 'node:crypto';
import { STEP_FUNCTIONS_MAX_PAYLOAD_BYTES } from '../../functions/lib/aws-limits';
import { localPaths } from '../names';
import { appendLine } from '../ndjson';
import { LocalWorkflow, type WorkflowBindings, type WorkflowExecution } from '../run-workflow';
import { AwsJsonError, type RunningFake, startAwsJsonServer } from './aws-json';

/** Step Functions' limit on execution input (and output). */
const MAX_INPUT_BYTES = STEP_FUNCTIONS_MAX_PAYLOAD_BYTES;
/** Execution names: 1 to 80 characters, none of these and no control characters. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;
const validName = (name: string) =>
  name.length >= 1 &&
  name.length <= 80 &&
  !NAME_FORBIDDEN.test(name) &&
  ![...name].some((char) => {
    const code = char.codePointAt(0) as number;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });

export interface StepFunctionsFakeOptions {
  localDir: string;
  bindings: WorkflowBindings;
  /** DefinitionSubstitutions of the state machine, resolved locally. */
  substitutions: Record<string, string>;
  /** Fixed pause before each retry instead of the definition's backoff (tests). */
  retryDelayMs?: number;
  /** Each finished execution, as written to executions.ndjson. */
  onExecution?: (line: ExecutionLine) => void;
}

/** One line of executions.ndjson. */
export interface ExecutionLine {
  id: string;
  name: string;
  eventId?: string;
  source?: string;
  type?: string;
  action?: string;
  status: WorkflowExecution['status'];
  statesVisited: string[];
  startDate: string;
  stopDate: string;
  ms: number;
  error?: string;
  cause?: string;
  /** The steps' results ($.results) of a succeeded execution. */
  results?: unknown;
}

function executionLine(execution: WorkflowExecution, input: Record<string, unknown>): ExecutionLine {
  const field = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : undefined);
  const output = execution.output ? (JSON.parse(execution.output) as Record<string, unknown>) : undefined;
  return {
    id: execution.executionArn,
    name: execution.name,
    eventId: field('id'),
    source: field('source'),
    type: field('type'),
    action: field('action'),
    status: execution.status,
    statesVisited: execution.statesVisited,
    startDate: execution.startDate.toISOString(),
    stopDate: execution.stopDate.toISOString(),
    ms: execution.stopDate.getTime() - execution.startDate.getTime(),
    ...(execution.error !== undefined && { error: execution.error }),
    ...(execution.cause !== undefined && { cause: execution.cause }),
    ...(output && 'results' in output && { results: output.results }),
  };
}

/**
 * StartSyncExecution on the AWS JSON 1.0 wire protocol, running the real statemachines/router.asl.json
 * through local/run-workflow.ts with each Task bound as given. Like the real API, a failed execution is
 * still an HTTP 200 whose `status` says FAILED. Each execution is appended to executions.ndjson.
 */
export async function startStepFunctionsFake(
  options: StepFunctionsFakeOptions,
): Promise<RunningFake & { stateMachineArn: string }> {
  const workflow = new LocalWorkflow(options.bindings, {
    substitutions: options.substitutions,
    ...(options.retryDelayMs !== undefined && { retryDelayMs: options.retryDelayMs }),
  });
  const file = localPaths(options.localDir).executions;
  const server = await startAwsJsonServer(
    'AWSStepFunctions',
    {
      StartSyncExecution: async (request) => {
        if (request.stateMachineArn !== workflow.stateMachineArn) {
          throw new AwsJsonError(
            'StateMachineDoesNotExist',
            `State Machine Does Not Exist: '${String(request.stateMachineArn)}'`,
          );
        }
        const name = request.name === undefined ? randomUUID() : String(request.name);
        if (!validName(name)) throw new AwsJsonError('InvalidName', `Invalid Name: '${name}'`);
        const text = request.input === undefined ? '{}' : String(request.input);
        if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
          throw new AwsJsonError(
            'InvalidExecutionInput',
            `Input exceeds the limit of ${MAX_INPUT_BYTES} bytes`,
          );
        }
        let input: unknown;
        try {
          input = JSON.parse(text);
        } catch {
          throw new AwsJsonError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
        }
        const execution = await workflow.start(input, name);
        const line = executionLine(execution, (input ?? {}) as Record<string, unknown>);
        await appendLine(file, line);
        options.onExecution?.(line);
        const seconds = (date: Date) => date.getTime() / 1000;
        return {
          executionArn: execution.executionArn,
          stateMachineArn: execution.stateMachineArn,
          name: execution.name,
          startDate: seconds(execution.startDate),
          stopDate: seconds(execution.stopDate),
          status: execution.status,
          input: execution.input,
          inputDetails: { included: true },
          ...(execution.output !== undefined && {
            output: execution.output,
            outputDetails: { included: true },
          }),
          ...(execution.error !== undefined && { error: execution.error }),
          ...(execution.cause !== undefined && { cause: execution.cause }),
          ...(request.traceHeader !== undefined && { traceHeader: request.traceHeader }),
          billingDetails: {
            billedMemoryUsedInMB: 64,
            billedDurationInMilliseconds: Math.max(100, Math.ceil(line.ms / 100) * 100),
          },
        };
      },
    },
    'application/x-amz-json-1.0',
  );
  return { ...server, stateMachineArn: workflow.stateMachineArn };
}
