import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import pLimit from 'p-limit';
import { loadDispatcherConfig } from '../lib/dispatcher/config';
import { dispatchRecord, OutOfTime } from '../lib/dispatcher/dispatch';
import { instrument, logger, metrics } from '../lib/observability';

const config = loadDispatcherConfig();

/**
 * Runs one Express workflow per stream record, up to DISPATCH_CONCURRENCY at once whatever their partition
 * keys (no effect depends on the order of events), and answers with the records that failed
 * (ReportBatchItemFailures): Lambda resumes the shard at the earliest of them.
 */
async function dispatchBatch(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  // One processor and one bound per invocation: they hold the batch's state, and the local pipeline may
  // overlap invocations.
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const limit = pLimit(config.concurrency);
  const remainingTimeMs = () => context.getRemainingTimeInMillis();

  const recordHandler = (record: KinesisStreamRecord) =>
    limit(async () => {
      const { sequenceNumber, partitionKey } = record.kinesis;
      try {
        const dispatched = await dispatchRecord(record.kinesis.data, config, remainingTimeMs);
        metrics.addMetric('WorkflowsSucceeded', MetricUnit.Count, 1);
        logger.debug('workflow succeeded', { sequenceNumber, ...dispatched });
        return dispatched;
      } catch (error) {
        const outOfTime = error instanceof OutOfTime;
        metrics.addMetric(outOfTime ? 'RecordsLeftForNextInvocation' : 'RecordsFailed', MetricUnit.Count, 1);
        if (outOfTime) logger.info('record left for the next invocation', { sequenceNumber, partitionKey });
        else logger.error('record failed', { sequenceNumber, partitionKey, error: error as Error });
        throw error;
      }
    });

  // A batch in which every record failed is answered like any other (all reported, earliest first) rather
  // than thrown: Lambda then resumes from the checkpoint instead of treating it as a crashed invocation.
  const response = await processPartialResponse(event, recordHandler, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
  const position = new Map(event.Records.map((record, index) => [record.kinesis.sequenceNumber, index]));
  const batchItemFailures = [...response.batchItemFailures].sort(
    (a, b) => (position.get(a.itemIdentifier) ?? 0) - (position.get(b.itemIdentifier) ?? 0),
  );
  return { batchItemFailures };
}

export const handler = instrument(dispatchBatch);
