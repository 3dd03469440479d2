import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS,
  EVENTBRIDGE_MAX_ENTRIES,
  EVENTBRIDGE_MAX_REQUEST_BYTES,
  EVENTBRIDGE_MAX_SOURCE_CHARS,
} from '../../functions/lib/aws-limits';
import { localPaths } from '../names';
import { appendLine } from '../ndjson';
import { AwsJsonError, type RunningFake, startAwsJsonServer } from './aws-json';

const MAX_ENTRIES = EVENTBRIDGE_MAX_ENTRIES;
const MAX_REQUEST_BYTES = EVENTBRIDGE_MAX_REQUEST_BYTES;

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
  TraceHeader?: string;
}

/** `arn:aws:events:<region>:<account>:event-bus/<name>` or a plain name; the default bus when absent. */
export function busName(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  return nameOrArn.includes(':event-bus/') ? (nameOrArn.split(':event-bus/')[1] as string) : nameOrArn;
}

/** EventBridge counts the UTF-8 bytes of these fields towards an entry's size. */
function entrySize(entry: PutEventsEntry): number {
  const text = [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])].join('');
  return Buffer.byteLength(text) + (entry.Time === undefined ? 0 : 14);
}

function entryError(entry: PutEventsEntry): { ErrorCode: string; ErrorMessage: string } | undefined {
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
  }
  // AWS refuses these (moto does not): the limits module, not an emulator, is the reference.
  if ([...entry.DetailType].length > EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS) {
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `DetailType is longer than ${EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS} characters.`,
    };
  }
  if ([...entry.Source].length > EVENTBRIDGE_MAX_SOURCE_CHARS) {
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Source is longer than ${EVENTBRIDGE_MAX_SOURCE_CHARS} characters.`,
    };
  }
  try {
    const detail: unknown = JSON.parse(entry.Detail);
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      throw new Error('not an object');
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

function isoTime(time: string | number | undefined): string {
  if (time === undefined) return new Date().toISOString();
  // The JSON protocol sends timestamps as epoch seconds.
  return new Date(typeof time === 'number' ? time * 1000 : time).toISOString();
}

export interface PutEventsOutput {
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
  FailedEntryCount: number;
}

/**
 * The sink behind the fake: validates a PutEvents request like EventBridge and appends every accepted
 * entry, as sent plus the EventId and time EventBridge assigns, as one line of
 * `eventbridge/<bus name>.ndjson` under the local directory. The local workflow's events:putEvents task
 * calls it directly, as the optimized integration calls EventBridge without an SDK in between.
 */
export function eventBridgeSink(
  localDir: string,
): (input: { Entries?: unknown }) => Promise<PutEventsOutput> {
  const dir = localPaths(localDir).eventbridge;
  return async (input) => {
    const entries = (input.Entries ?? []) as PutEventsEntry[];
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsJsonError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
    }
    if (entries.reduce((total, entry) => total + entrySize(entry), 0) > MAX_REQUEST_BYTES) {
      throw new AwsJsonError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results: PutEventsOutput['Entries'] = [];
    for (const entry of entries) {
      const error = entryError(entry);
      if (error) {
        results.push(error);
        continue;
      }
      const EventId = randomUUID();
      const bus = busName(entry.EventBusName);
      await appendLine(join(dir, `${bus}.ndjson`), {
        EventId,
        Time: isoTime(entry.Time),
        EventBusName: bus,
        Source: entry.Source,
        DetailType: entry.DetailType,
        Detail: entry.Detail,
        Resources: entry.Resources ?? [],
        ...(entry.TraceHeader && { TraceHeader: entry.TraceHeader }),
      });
      results.push({ EventId });
    }
    return { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length };
  };
}

/** PutEvents on the AWS JSON 1.1 wire protocol, writing to the sink above. */
export async function startEventBridgeFake(localDir: string): Promise<RunningFake> {
  const putEvents = eventBridgeSink(localDir);
  return startAwsJsonServer('AWSEvents', { PutEvents: putEvents });
}
