import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { loadDispatcherConfig } from '../lib/dispatcher/config';
import { dispatchRecord } from '../lib/dispatcher/dispatch';
import { KeyOrder, SkippedAfterEarlierFailure } from '../lib/dispatcher/key-order';
import { InvalidRecord } from '../lib/dispatcher/record';
import { instrument, logger, metrics } from '../lib/observability';

const config = loadDispatcherConfig();

/**
 * Runs one Express workflow per stream record, in order per partition key, and answers with the records
 * that failed (ReportBatchItemFailures): Lambda resumes the shard at the earliest of them.
 */
async function dispatchBatch(
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> {
  // One processor per invocation: it holds the batch's state, and the local pipeline may overlap invocations.
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const order = new KeyOrder(
    event.Records.map((record) => ({ id: record.kinesis.sequenceNumber, key: record.kinesis.partitionKey })),
    (error) => !(error instanceof InvalidRecord),
  );
  const remainingTimeMs = () => context.getRemainingTimeInMillis();

  const recordHandler = async (record: KinesisStreamRecord) => {
    const { sequenceNumber, partitionKey } = record.kinesis;
    try {
      const dispatched = await order.run(sequenceNumber, () =>
        dispatchRecord(record.kinesis.data, config, remainingTimeMs),
      );
      metrics.addMetric('WorkflowsSucceeded', MetricUnit.Count, 1);
      logger.debug('workflow succeeded', { sequenceNumber, ...dispatched });
      return dispatched;
    } catch (error) {
      const skipped = error instanceof SkippedAfterEarlierFailure;
      metrics.addMetric(skipped ? 'RecordsHeldBack' : 'RecordsFailed', MetricUnit.Count, 1);
      if (skipped)
        logger.info('record held back', { sequenceNumber, partitionKey, reason: (error as Error).message });
      else logger.error('record failed', { sequenceNumber, partitionKey, error: error as Error });
      throw error;
    }
  };

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
