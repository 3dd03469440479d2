import { idempotencyKey } from '../envelope';
import type { DispatcherConfig } from './config';
import { executionName } from './execution-name';
import { readRecord } from './record';
import { runWorkflow } from './workflow';

/** Time kept back after the longest possible execution, for the response to reach Lambda. */
const SAFETY_MARGIN_MS = 5000;

/** The invocation would end before an execution started now could; Kinesis hands the record over again. */
export class OutOfTime extends Error {
  override readonly name = 'OutOfTime';
}

export interface Dispatched {
  eventKey: string;
  executionName: string;
  executionArn: string | undefined;
}

/** One stream record: its envelope, run through the workflow, waiting for the execution to end. */
export async function dispatchRecord(
  base64Data: string,
  config: DispatcherConfig,
  remainingTimeMs: () => number,
): Promise<Dispatched> {
  const { envelope, input } = readRecord(base64Data);
  const eventKey = idempotencyKey(envelope);
  if (remainingTimeMs() < config.workflowTimeoutMs + SAFETY_MARGIN_MS) {
    throw new OutOfTime(`${eventKey} left for the next invocation: too little time for a whole execution`);
  }
  const name = executionName(envelope);
  const { executionArn } = await runWorkflow(config.stateMachineArn, name, input);
  return { eventKey, executionName: name, executionArn };
}
