import type { Envelope } from '../../functions/lib/envelope';
import type { ArchiveObject } from './archive';

/** Which archived events to replay: `since` <= receivedAt < `until`, and any of the sources and types. */
export interface ReplayFilter {
  since?: Date;
  until?: Date;
  sources?: string[];
  types?: string[];
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** Skips whole objects whose key already says they hold nothing wanted, before downloading them. */
export function objectMayMatch(object: ArchiveObject, filter: ReplayFilter): boolean {
  if (object.source && filter.sources && !filter.sources.includes(object.source)) return false;
  if (object.type && filter.types && !filter.types.includes(object.type)) return false;
  if (object.dt && filter.since && object.dt < day(filter.since)) return false;
  if (object.dt && filter.until && object.dt > day(filter.until)) return false;
  return true;
}

export function envelopeMatches(envelope: Envelope, receivedAtMs: number, filter: ReplayFilter): boolean {
  if (filter.sources && !filter.sources.includes(envelope.source)) return false;
  if (filter.types && !filter.types.includes(envelope.type)) return false;
  if (filter.since && !(receivedAtMs >= filter.since.getTime())) return false;
  if (filter.until && !(receivedAtMs < filter.until.getTime())) return false;
  return true;
}
