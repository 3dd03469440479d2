import {
  LocalWorkflow,
  type PutEventsEntry,
  type StepHandler,
  type WorkflowExecution,
} from '../../../local/run-workflow';

export type StepName = 'IndexerFunction' | 'ComplianceFunction' | 'DnsUpdaterFunction';
export const STEP_FUNCTION_IDS: readonly StepName[] = [
  'IndexerFunction',
  'ComplianceFunction',
  'DnsUpdaterFunction',
];

export interface Recorder {
  workflow: LocalWorkflow;
  /** Every event each step function received, in call order. */
  calls: Record<StepName, unknown[]>;
  /** Every PutEvents request the publish task sent. */
  published: { Entries: PutEventsEntry[] }[];
  run(input: unknown): Promise<WorkflowExecution>;
}

/** What each step returns when a test does not say otherwise: small and recognisable. */
export function defaultResult(step: StepName, event: unknown): unknown {
  return { step, eventId: (event as { id?: string }).id };
}

/**
 * The real router definition with every Task bound to a recording stand-in; `behaviour` replaces a step's
 * result (or throws) and `putEvents` the bus's answer. Retries wait 0 ms.
 */
export function recordingWorkflow(
  behaviour: Partial<Record<StepName, (event: unknown, attempt: number) => unknown>> = {},
  putEvents: (attempt: number) => {
    Entries: { EventId?: string; ErrorCode?: string }[];
    FailedEntryCount: number;
  } = (attempt) => ({ Entries: [{ EventId: `bus-event-${attempt}` }], FailedEntryCount: 0 }),
): Recorder {
  const calls: Record<StepName, unknown[]> = {
    IndexerFunction: [],
    ComplianceFunction: [],
    DnsUpdaterFunction: [],
  };
  const published: { Entries: PutEventsEntry[] }[] = [];
  const functions = Object.fromEntries(
    STEP_FUNCTION_IDS.map((step): [StepName, StepHandler] => [
      step,
      async (event) => {
        calls[step].push(event);
        const custom = behaviour[step];
        return custom ? custom(event, calls[step].length) : defaultResult(step, event);
      },
    ]),
  );
  const workflow = new LocalWorkflow(
    {
      functions,
      putEvents: async (request) => {
        published.push(request);
        return putEvents(published.length);
      },
    },
    { retryDelayMs: 0 },
  );
  return { workflow, calls, published, run: (input) => workflow.start(input) };
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
