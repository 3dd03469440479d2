import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { metrics } from '../../../functions/lib/observability';
import { lambdaContext } from '../../../local/api-gateway-events';
import { projectRoot } from '../../statemachine/support/envelopes';
import { buildFirehoseBatch, DELIVERIES } from './support/fixture';

/* LakeTransformFunction on the shared fixture, through the instrumented (exported) handler. */

let handler: (event: FirehoseTransformationEvent, context: Context) => Promise<FirehoseTransformationResult>;

beforeAll(() => {
  ({ handler } = require('../../../functions/lake-transform/handler'));
});

const fixture = (): FirehoseTransformationEvent =>
  JSON.parse(readFileSync(join(projectRoot, 'events', 'lake-transform', 'firehose-batch.json'), 'utf8'));
const decode = (data: string | undefined) => Buffer.from(data ?? '', 'base64');

describe('events/lake-transform/firehose-batch.json', () => {
  it('is what the builder makes from the real examples', () => {
    expect(fixture()).toEqual(buildFirehoseBatch());
  });
});

describe('lake transform handler', () => {
  it('answers every record once, in order, with its own recordId', async () => {
    const event = fixture();

    const response = await handler(event, lambdaContext('LakeTransformFunction'));

    expect(response.records.map((record) => record.recordId)).toEqual(
      event.records.map((record) => record.recordId),
    );
    expect(response.records.map((record) => record.result)).toEqual([
      ...DELIVERIES.map(() => 'Ok'),
      'ProcessingFailed',
    ]);
  });

  it('returns each envelope as one newline-terminated line, equal as JSON to what was on the stream', async () => {
    const event = fixture();

    const response = await handler(event, lambdaContext('LakeTransformFunction'));

    for (const [index, delivery] of DELIVERIES.entries()) {
      const input = decode(event.records[index]?.data);
      const output = decode(response.records[index]?.data);
      const text = output.toString('utf8');
      expect(output.length).toBe(input.length + 1);
      expect(text.indexOf('\n')).toBe(text.length - 1);
      expect(text).not.toContain('\r');
      expect(JSON.parse(text)).toEqual(JSON.parse(input.toString('utf8')));
      expect(JSON.parse(text).payload).toEqual(delivery.payload);
    }
  });

  it('hands a record that is not JSON back unchanged, so Firehose writes it under the error prefix', async () => {
    const event = fixture();
    const invalid = event.records.at(-1);
    const addMetric = jest.spyOn(metrics, 'addMetric');

    const response = await handler(event, lambdaContext('LakeTransformFunction'));

    expect(response.records.at(-1)).toEqual({
      recordId: invalid?.recordId,
      result: 'ProcessingFailed',
      data: invalid?.data,
    });
    expect(addMetric).toHaveBeenCalledWith('LakeRecordsFailed', MetricUnit.Count, 1);
    expect(addMetric).toHaveBeenCalledWith('LakeRecordsTransformed', MetricUnit.Count, DELIVERIES.length);
    addMetric.mockRestore();
  });

  it('answers an empty batch with no records', async () => {
    const event = { ...fixture(), records: [] };

    await expect(handler(event, lambdaContext('LakeTransformFunction'))).resolves.toEqual({ records: [] });
  });
});
