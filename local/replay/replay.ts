import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { idempotencyKey } from '../../functions/lib/envelope';
import { type ArchiveObject, listArchive, parseLocation, readArchiveObject } from './archive';
import { envelopeMatches, objectMayMatch, type ReplayFilter } from './filter';
import { type Progress, silentProgress } from './progress';
import { putInOrder } from './put';
import { type ArchivedRecord, decodeObject } from './records';

export interface ReplayOptions extends ReplayFilter {
  /** `s3://bucket/prefix` or a local folder holding the lake's layout (or any .gz/.json/.ndjson files). */
  from: string;
  stream: string;
  dryRun: boolean;
}

export interface ReplaySummary {
  objects: number;
  read: number;
  invalid: number;
  matched: number;
  /** Matched events seen again (the lake is at-least-once): replayed once. */
  duplicates: number;
  put: number;
  failed: number;
  errors: Record<string, number>;
}

export interface ReplayDependencies {
  s3: S3Client;
  kinesis: KinesisClient;
  progress?: Progress;
}

/** Objects grouped by receive day (`dt`), oldest first; objects outside the layout form one group first. */
function byDay(objects: ArchiveObject[]): Array<[string, ArchiveObject[]]> {
  const groups = new Map<string, ArchiveObject[]>();
  for (const object of objects) {
    const day = object.dt ?? '';
    const group = groups.get(day) ?? [];
    group.push(object);
    groups.set(day, group);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads archived envelopes, keeps those the filter matches, and re-puts them onto the stream in
 * receive order per partition key. One receive day is held in memory at a time: the lake partitions by
 * receive day, so finishing day after day keeps the order across days too. Every step downstream is
 * idempotent on `source:id`, which makes a replay safe to repeat.
 */
export async function replay(options: ReplayOptions, deps: ReplayDependencies): Promise<ReplaySummary> {
  const progress = deps.progress ?? silentProgress;
  const location = parseLocation(options.from);
  const objects = (await listArchive(location, deps.s3)).filter((object) => objectMayMatch(object, options));
  const summary: ReplaySummary = {
    objects: objects.length,
    read: 0,
    invalid: 0,
    matched: 0,
    duplicates: 0,
    put: 0,
    failed: 0,
    errors: {},
  };
  const seen = new Set<string>();
  const days = byDay(objects);

  for (const [index, [day, dayObjects]] of days.entries()) {
    const label = `${day || 'other'} (${index + 1}/${days.length})`;
    const wanted: ArchivedRecord[] = [];
    for (const [read, object] of dayObjects.entries()) {
      const decoded = decodeObject(await readArchiveObject(location, object.key, deps.s3));
      summary.read += decoded.records.length;
      summary.invalid += decoded.invalid;
      for (const record of decoded.records) {
        if (!envelopeMatches(record.envelope, record.receivedAtMs, options)) continue;
        const key = idempotencyKey(record.envelope);
        if (seen.has(key)) {
          summary.duplicates += 1;
          continue;
        }
        seen.add(key);
        wanted.push(record);
      }
      progress.update({
        label: `${label} reading`,
        completed: read + 1,
        total: dayObjects.length,
        put: summary.put,
        failed: summary.failed,
      });
    }
    summary.matched += wanted.length;
    // Stable sort: records received in the same millisecond keep their archive order.
    wanted.sort((a, b) => a.receivedAtMs - b.receivedAtMs);

    if (!options.dryRun && wanted.length > 0) {
      const before = { put: summary.put, failed: summary.failed };
      const outcome = await putInOrder(deps.kinesis, options.stream, wanted, {
        onProgress: ({ put, failed }) =>
          progress.update({
            label,
            completed: put + failed,
            total: wanted.length,
            put: before.put + put,
            failed: before.failed + failed,
          }),
      });
      summary.put += outcome.put;
      summary.failed += outcome.failed;
      for (const [code, count] of Object.entries(outcome.errors)) {
        summary.errors[code] = (summary.errors[code] ?? 0) + count;
      }
    }
    progress.done(
      `${label}: ${wanted.length} matched${options.dryRun ? '' : `, put ${summary.put}, failed ${summary.failed} so far`}`,
    );
  }
  return summary;
}

export function formatSummary(summary: ReplaySummary, dryRun: boolean): string {
  const lines = [
    `${dryRun ? 'dry run: nothing was put. ' : ''}objects ${summary.objects}, read ${summary.read}, ` +
      `matched ${summary.matched}, put ${summary.put}, failed ${summary.failed}`,
  ];
  if (summary.duplicates > 0) lines.push(`${summary.duplicates} duplicate archived copies replayed once`);
  if (summary.invalid > 0)
    lines.push(`${summary.invalid} archived values were not envelopes and were skipped`);
  for (const [code, count] of Object.entries(summary.errors)) lines.push(`failed with ${code}: ${count}`);
  return lines.join('\n');
}
