import { EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS } from '../../functions/lib/aws-limits';
import { Catalogue } from '../../functions/lib/compliance/catalogue';
import { DEFAULT_RULES } from '../../functions/lib/compliance/rules';
import { type Envelope, parseEnvelope } from '../../functions/lib/envelope';
import {
  claimChecked,
  envelopeFixture,
  githubEnvelope,
  octokitExamples,
  octokitPayload,
  stableUuid,
} from './support/envelopes';
import { recordingWorkflow, STEP_FUNCTION_IDS, type StepName } from './support/workflow';

/*
 * The real router definition, run by aws-local-stepfunctions, for every route with real payloads: which
 * step functions ran, what each received, and what was published.
 */

const complianceRoutes = new Catalogue(DEFAULT_RULES).routes();

/**
 * The compliance step is due when some rule of the catalogue looks at the event's source and type. The one
 * exception is push: its only rule wants a forced push, so only forced (or too large to inspect) pushes go.
 */
function complianceDue(envelope: Envelope): boolean {
  if (envelope.source === 'github' && envelope.type === 'push') {
    return envelope.payloadRef !== undefined || (envelope.payload as { forced?: unknown }).forced === true;
  }
  return complianceRoutes.some((route) => route.source === envelope.source && route.type === envelope.type);
}

function stepsCalled(calls: Record<StepName, unknown[]>): StepName[] {
  return STEP_FUNCTION_IDS.filter((step) => calls[step].length > 0);
}

const everyGithubExample = octokitExamples.flatMap(({ name, examples }) =>
  examples.map((payload, index): [string, Envelope] => [
    `${name}${typeof payload.action === 'string' ? `.${payload.action}` : ''} #${index}`,
    githubEnvelope(name, payload),
  ]),
);

describe('routing every @octokit/webhooks-examples payload', () => {
  it('covers all of them', () => {
    expect(everyGithubExample).toHaveLength(329);
  });

  it.each(everyGithubExample)(
    '%s: indexed and published, compliance exactly when due, never DNS',
    async (_, envelope) => {
      const recorder = recordingWorkflow();

      const execution = await recorder.run(envelope);

      const expected: StepName[] = complianceDue(envelope)
        ? ['IndexerFunction', 'ComplianceFunction']
        : ['IndexerFunction'];
      expect(execution.status).toBe('SUCCEEDED');
      expect(stepsCalled(recorder.calls)).toEqual(expected);
      expect(recorder.published).toHaveLength(1);
      expect(execution.statesVisited).toContain(
        complianceDue(envelope) ? 'CheckCompliance' : 'ComplianceNotNeeded',
      );
    },
  );
});

describe('what the steps receive and what is published', () => {
  it('gives each step the envelope itself and keeps every result under results', async () => {
    const envelope = githubEnvelope('repository', octokitPayload('repository', 0));
    const recorder = recordingWorkflow({
      IndexerFunction: () => ({ index: 'webhooks-github-2026.05', documentId: 'github:x' }),
      ComplianceFunction: () => ({ findings: ['github.repository.publicized'] }),
    });

    const execution = await recorder.run(envelope);

    expect(recorder.calls.IndexerFunction).toEqual([envelope]);
    expect(recorder.calls.ComplianceFunction).toEqual([envelope]);
    expect(JSON.parse(execution.output ?? 'null')).toEqual({
      id: envelope.id,
      source: 'github',
      detailType: 'repository.publicized',
      results: {
        index: { index: 'webhooks-github-2026.05', documentId: 'github:x' },
        compliance: { findings: ['github.repository.publicized'] },
        dns: { skipped: true },
        publish: { eventId: 'bus-event-1' },
      },
    });
  });

  it('publishes on the bus with Source webhooks.<source>, DetailType <type>.<action> and the envelope as detail', async () => {
    const envelope = githubEnvelope('issues', octokitPayload('issues', 15));
    const recorder = recordingWorkflow();

    const execution = await recorder.run(envelope);

    const [request] = recorder.published;
    expect(request?.Entries).toHaveLength(1);
    const [entry] = request?.Entries ?? [];
    expect(entry).toEqual({
      EventBusName: 'webhooks',
      Source: 'webhooks.github',
      DetailType: 'issues.opened',
      Detail: expect.any(String),
      Resources: [execution.executionArn, execution.stateMachineArn],
    });
    expect(JSON.parse(entry?.Detail ?? 'null')).toEqual(envelope);
  });

  it('uses the type alone as DetailType when the event has no action', async () => {
    const envelope = githubEnvelope('push', octokitPayload('push', 4));
    const recorder = recordingWorkflow();

    await recorder.run(envelope);

    expect(recorder.published[0]?.Entries[0]).toEqual(
      expect.objectContaining({ Source: 'webhooks.github', DetailType: 'push' }),
    );
  });

  it('publishes a claim-checked event with its payloadRef and no payload', async () => {
    const envelope = envelopeFixture('indexer/github-pull-request-claim-checked.json');
    const recorder = recordingWorkflow();

    const execution = await recorder.run(envelope);

    const detail = JSON.parse(recorder.published[0]?.Entries[0]?.Detail ?? 'null');
    expect(execution.status).toBe('SUCCEEDED');
    expect(detail.payloadRef).toEqual(envelope.payloadRef);
    expect(detail).not.toHaveProperty('payload');
    expect(stepsCalled(recorder.calls)).toEqual(['IndexerFunction']);
  });
});

describe('the compliance route', () => {
  it.each(
    complianceRoutes.flatMap((route) =>
      (route.actions ?? [undefined]).map((action) => ({ ...route, action })),
    ),
  )(
    'takes every event kind the rule catalogue looks at: $source $type $action',
    async ({ source, type, action }) => {
      const payload = type === 'push' ? { ...octokitPayload('push', 4), forced: true } : { kind: 'any' };
      const envelope: Envelope = {
        ...githubEnvelope(type, payload, stableUuid(`${source}:${type}:${action}`)),
        source,
        ...(action ? { action } : {}),
      };
      const recorder = recordingWorkflow();

      await recorder.run(envelope);

      expect(recorder.calls.ComplianceFunction).toEqual([envelope]);
    },
  );

  it('takes a forced push and leaves the same push unforced', async () => {
    const forced = githubEnvelope('push', { ...octokitPayload('push', 4), forced: true });
    const ordinary = githubEnvelope('push', octokitPayload('push', 4));
    const forcedRun = recordingWorkflow();
    const ordinaryRun = recordingWorkflow();

    await forcedRun.run(forced);
    await ordinaryRun.run(ordinary);

    expect(stepsCalled(forcedRun.calls)).toEqual(['IndexerFunction', 'ComplianceFunction']);
    expect(stepsCalled(ordinaryRun.calls)).toEqual(['IndexerFunction']);
  });

  it('takes the shared forced-push fixture and leaves the ordinary one', async () => {
    const forcedRun = recordingWorkflow();
    const ordinaryRun = recordingWorkflow();

    await forcedRun.run(envelopeFixture('compliance/github-push-forced-default-branch.json'));
    await ordinaryRun.run(envelopeFixture('compliance/github-push-ordinary.json'));

    expect(forcedRun.calls.ComplianceFunction).toHaveLength(1);
    expect(ordinaryRun.calls.ComplianceFunction).toHaveLength(0);
  });

  it('takes a claim-checked push, whose forced flag only the compliance step can read', async () => {
    const envelope = claimChecked(githubEnvelope('push', octokitPayload('push', 4)));
    const recorder = recordingWorkflow();

    const execution = await recorder.run(envelope);

    expect(execution.statesVisited).toEqual(expect.arrayContaining(['IsForcedPush', 'CheckCompliance']));
    expect(recorder.calls.ComplianceFunction).toEqual([envelope]);
  });

  it('leaves a push whose payload has no forced flag', async () => {
    const { forced: _forced, ...payload } = octokitPayload('push', 4);
    const recorder = recordingWorkflow();

    const execution = await recorder.run(githubEnvelope('push', payload));

    expect(execution.status).toBe('SUCCEEDED');
    expect(stepsCalled(recorder.calls)).toEqual(['IndexerFunction']);
  });

  it.each([
    'compliance/gitlab-project-made-public.json',
    'compliance/gitlab-project-updated-private.json',
    'compliance/bitbucket-repo-made-public.json',
    'compliance/bitbucket-repo-updated-private.json',
  ])('takes %s (the rules decide on its payload)', async (fixture) => {
    const envelope = envelopeFixture(fixture);
    const recorder = recordingWorkflow();

    await recorder.run(envelope);

    expect(stepsCalled(recorder.calls)).toEqual(['IndexerFunction', 'ComplianceFunction']);
    expect(recorder.published[0]?.Entries[0]).toEqual(
      expect.objectContaining({
        Source: `webhooks.${envelope.source}`,
        DetailType: envelope.action ? `${envelope.type}.${envelope.action}` : envelope.type,
      }),
    );
  });

  it.each([
    ['gitlab', 'Push Hook', 'compliance/gitlab-project-made-public.json'],
    ['bitbucket', 'repo:push', 'compliance/bitbucket-repo-made-public.json'],
  ])('leaves %s %s, the near miss of a compliance event', async (_source, type, fixture) => {
    const envelope = { ...envelopeFixture(fixture), type };
    const recorder = recordingWorkflow();

    await recorder.run(envelope);

    expect(stepsCalled(recorder.calls)).toEqual(['IndexerFunction']);
  });
});

describe('the DNS route', () => {
  it('updates DNS for a dynamic-DNS request, besides indexing and publishing it', async () => {
    const envelope = envelopeFixture('dns-updater/a-record.json');
    const recorder = recordingWorkflow({
      DnsUpdaterFunction: () => ({ change: 'UPSERT', name: envelope.subject }),
    });

    const execution = await recorder.run(envelope);

    expect(stepsCalled(recorder.calls)).toEqual(['IndexerFunction', 'DnsUpdaterFunction']);
    expect(recorder.calls.DnsUpdaterFunction).toEqual([envelope]);
    expect(JSON.parse(execution.output ?? 'null').results.dns).toEqual({
      change: 'UPSERT',
      name: envelope.subject,
    });
    expect(recorder.published[0]?.Entries[0]).toEqual(
      expect.objectContaining({ Source: 'webhooks.ddns', DetailType: 'dns_update' }),
    );
  });

  it('leaves DNS alone for any other source, even with a dns_update type', async () => {
    const envelope = { ...githubEnvelope('issues', octokitPayload('issues', 15)), type: 'dns_update' };
    const recorder = recordingWorkflow();

    await recorder.run(envelope);

    expect(stepsCalled(recorder.calls)).toEqual(['IndexerFunction']);
  });
});

describe('event types longer than EventBridge takes', () => {
  it('publishes with the dispatcher-made DetailType of 128 characters, the whole type and action in the detail', async () => {
    const type = `jira:${'issue_property_set_on_a_long_custom_workflow_'.repeat(4)}`;
    // parseEnvelope is what the dispatcher runs on every record before it starts the execution.
    const envelope = parseEnvelope({
      id: 'long-type-1',
      source: 'jira',
      type,
      action: 'updated',
      subject: 'PROJ',
      receivedAt: '2026-05-04T10:00:00.000Z',
      meta: {},
      payload: { webhookEvent: type },
    });
    const recorder = recordingWorkflow();

    const execution = await recorder.run(envelope);

    const entry = recorder.published[0]?.Entries[0];
    expect(execution.status).toBe('SUCCEEDED');
    expect(entry?.DetailType).toBe(envelope.detailType);
    expect(entry?.DetailType).toHaveLength(EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS);
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({ type, action: 'updated' });
  });
});
