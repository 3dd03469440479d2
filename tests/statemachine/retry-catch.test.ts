import { githubEnvelope, octokitPayload } from './support/envelopes';
import { defaultResult, namedError, recordingWorkflow } from './support/workflow';

/*
 * Retry and Catch of the real definition. Retries wait 0 ms here; the attempt counts are the definition's.
 * A repository.publicized event runs index and compliance; a push runs index only.
 */

const publicized = () => githubEnvelope('repository', octokitPayload('repository', 0));
const ordinaryPush = () => githubEnvelope('push', octokitPayload('push', 4));

function failing(times: number, error: () => Error) {
  return (event: unknown, attempt: number) => {
    if (attempt <= times) throw error();
    return { recovered: true, eventId: (event as { id: string }).id };
  };
}

describe('retries', () => {
  it('retries a step that fails twice with a Lambda service error, then succeeds', async () => {
    const envelope = publicized();
    const recorder = recordingWorkflow({
      IndexerFunction: failing(2, () => namedError('Lambda.ServiceException', 'Lambda is unavailable')),
    });

    const execution = await recorder.run(envelope);

    expect(execution.status).toBe('SUCCEEDED');
    expect(recorder.calls.IndexerFunction).toEqual([envelope, envelope, envelope]);
    expect(JSON.parse(execution.output ?? 'null').results.index).toEqual({
      recovered: true,
      eventId: envelope.id,
    });
    expect(recorder.published).toHaveLength(1);
  });

  it('retries a step whose function throws (the sink is down) twice, then succeeds', async () => {
    const recorder = recordingWorkflow({
      ComplianceFunction: failing(2, () => namedError('TemporarilyUnavailable', 'event bus throttled')),
    });

    const execution = await recorder.run(publicized());

    expect(execution.status).toBe('SUCCEEDED');
    expect(recorder.calls.ComplianceFunction).toHaveLength(3);
    expect(recorder.calls.IndexerFunction).toHaveLength(1);
  });

  it('retries throttling up to four times before giving up', async () => {
    const recorder = recordingWorkflow({
      IndexerFunction: failing(Number.POSITIVE_INFINITY, () =>
        namedError('Lambda.TooManyRequestsException', 'Rate exceeded'),
      ),
    });

    const execution = await recorder.run(ordinaryPush());

    expect(execution.status).toBe('FAILED');
    expect(recorder.calls.IndexerFunction).toHaveLength(5);
    expect(execution.error).toBe('IndexStepFailed');
    expect(execution.cause).toContain('Lambda.TooManyRequestsException: Rate exceeded');
  });

  it('does not retry an error the same input would repeat', async () => {
    const recorder = recordingWorkflow({
      IndexerFunction: failing(Number.POSITIVE_INFINITY, () =>
        namedError('PayloadIntegrityError', 's3://webhook-payloads/github/x.json does not match its sha256'),
      ),
    });

    const execution = await recorder.run(ordinaryPush());

    expect(execution.status).toBe('FAILED');
    expect(recorder.calls.IndexerFunction).toHaveLength(1);
    expect(execution.error).toBe('IndexStepFailed');
  });

  it('publishes again after the bus refused the entry once', async () => {
    const recorder = recordingWorkflow({}, (attempt) =>
      attempt === 1
        ? { Entries: [{ ErrorCode: 'ThrottlingException' }], FailedEntryCount: 1 }
        : { Entries: [{ EventId: 'accepted' }], FailedEntryCount: 0 },
    );

    const execution = await recorder.run(ordinaryPush());

    expect(execution.status).toBe('SUCCEEDED');
    expect(recorder.published).toHaveLength(2);
    expect(JSON.parse(execution.output ?? 'null').results.publish).toEqual({ eventId: 'accepted' });
  });
});

describe('catches: the execution fails with an error naming the step, and a readable cause', () => {
  it('fails with ComplianceStepFailed when compliance keeps failing, and publishes nothing', async () => {
    const envelope = publicized();
    const recorder = recordingWorkflow({
      ComplianceFunction: failing(Number.POSITIVE_INFINITY, () =>
        namedError('Error', 'rules could not load'),
      ),
    });

    const execution = await recorder.run(envelope);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ComplianceStepFailed');
    expect(execution.cause).toBe(
      `compliance step failed for github event ${envelope.id}: Error: ` +
        JSON.stringify({ errorType: 'Error', errorMessage: 'rules could not load' }),
    );
    expect(recorder.calls.ComplianceFunction).toHaveLength(3);
    expect(recorder.published).toEqual([]);
    expect(execution.statesVisited).toEqual(
      expect.arrayContaining(['DescribeComplianceFailure', 'ComplianceFailed']),
    );
  });

  it('fails with DnsUpdateStepFailed when the DNS update keeps failing', async () => {
    const envelope = {
      id: 'dd6b1b5e-3b1f-4c55-9a0e-0f3f6f2a9c11',
      source: 'ddns' as const,
      type: 'dns_update',
      subject: 'nas.home.example.com',
      receivedAt: '2026-05-04T09:00:00.000Z',
      payload: {
        ip: '93.184.216.34',
        domain: 'nas.home.example.com',
        uuid: 'dd6b1b5e-3b1f-4c55-9a0e-0f3f6f2a9c11',
      },
      meta: {},
    };
    const recorder = recordingWorkflow({
      DnsUpdaterFunction: failing(Number.POSITIVE_INFINITY, () => namedError('Error', 'Route 53 said no')),
    });

    const execution = await recorder.run(envelope);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('DnsUpdateStepFailed');
    expect(execution.cause).toContain(`DNS update step failed for ddns event ${envelope.id}`);
    expect(execution.cause).toContain('Route 53 said no');
  });

  it('fails with PublishStepFailed when the bus keeps refusing, after the steps succeeded', async () => {
    const recorder = recordingWorkflow({}, () => ({
      Entries: [{ ErrorCode: 'InternalFailure' }],
      FailedEntryCount: 1,
    }));

    const execution = await recorder.run(ordinaryPush());

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('PublishStepFailed');
    expect(execution.cause).toContain('EventBridge.FailedEntry');
    expect(execution.cause).toContain('InternalFailure');
    expect(recorder.published).toHaveLength(5);
    expect(recorder.calls.IndexerFunction).toHaveLength(1);
  });

  it('never publishes an event whose step failed, so its retry publishes it once', async () => {
    const recorder = recordingWorkflow({
      IndexerFunction: (event) => defaultResult('IndexerFunction', event),
      ComplianceFunction: failing(Number.POSITIVE_INFINITY, () => namedError('Error', 'boom')),
    });

    const execution = await recorder.run(publicized());

    expect(execution.status).toBe('FAILED');
    expect(execution.statesVisited).not.toContain('Publish');
    expect(execution.statesVisited).not.toContain('Done');
  });
});
