import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { lakeLine } from '../lib/lake/one-line';
import { instrument, logger, metrics } from '../lib/observability';

/**
 * Firehose's data transformation for the lake: each stream record becomes exactly one newline-terminated
 * line (see lib/lake/one-line.ts). A record that is not JSON is answered ProcessingFailed, unchanged, so
 * Firehose writes it under the error prefix instead of losing it. The answer is at most one byte per record
 * larger than the request, which stays under Lambda's 6 MB response limit for the buffer size we configure.
 */
async function transform(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  let failed = 0;
  const records = event.records.map(({ recordId, data }): FirehoseTransformationResultRecord => {
    const result = lakeLine(Buffer.from(data, 'base64'));
    if (result.ok) return { recordId, result: 'Ok', data: result.line.toString('base64') };
    failed += 1;
    // The record's content stays out of the log: it is a third party's payload.
    logger.warn('record not archivable as JSON', { recordId, reason: result.reason });
    return { recordId, result: 'ProcessingFailed', data };
  });
  metrics.addMetric('LakeRecordsTransformed', MetricUnit.Count, records.length - failed);
  metrics.addMetric('LakeRecordsFailed', MetricUnit.Count, failed);
  return { records };
}

export const handler = instrument(transform);
