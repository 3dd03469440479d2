import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskHeaders, requestRecord } from '../../../local/console/record';
import { DeliveryStore, requestsFile } from '../../../local/console/store';
import type { Row } from '../../../local/console/types';
import { localPaths } from '../../../local/names';
import { signWebhook } from '../../../local/signing';
import { octokitExample } from '../../support/github-examples';

const lines = (values: unknown[]) => values.map((value) => `${JSON.stringify(value)}\n`).join('');

describe('the console index of deliveries', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-store-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records a request with its credentials masked and its event linked', () => {
    const signed = signWebhook({
      env: {},
      source: 'github',
      event: 'push',
      body: Buffer.from('{"ref":"x"}'),
    });
    const headers = { ...signed.headers, Authorization: 'Basic dXNlcjpzZWNyZXQ=' };

    const record = requestRecord({
      requestId: 'r1',
      source: 'github',
      method: 'POST',
      path: '/webhooks/github',
      status: 202,
      body: JSON.stringify({ id: signed.deliveryId, source: 'github', type: 'push' }),
      ms: 5,
      headers,
      requestBody: signed.body,
    });

    expect(record.headers['X-Hub-Signature-256']).toBe('sha256=••••••••');
    expect(record.headers.Authorization).toBe('Basic ••••••••');
    expect(JSON.stringify(record)).not.toContain(signed.headers['X-Hub-Signature-256']?.slice(7));
    expect(record).toMatchObject({
      eventKey: `github:${signed.deliveryId}`,
      type: 'push',
      body: '{"ref":"x"}',
    });
    expect(maskHeaders({ 'X-Gitlab-Token': 'glpat-abc' })).toEqual({ 'X-Gitlab-Token': '••••••••' });
  });

  it('loads what earlier runs recorded once, links the sinks to each delivery and filters', async () => {
    // Prepare: the files of an earlier run, in the shapes the pipeline writes them.
    const paths = localPaths(dir);
    const payload = octokitExample('repository', (p) => p.action === 'publicized');
    const envelope = {
      id: 'd1',
      source: 'github',
      type: 'repository',
      action: 'publicized',
      subject: 'Codertocat/Hello-World',
      receivedAt: '2026-12-07T10:00:00.000Z',
      meta: {},
      payload,
    };
    writeFileSync(
      requestsFile(dir),
      lines([
        {
          requestId: 'a',
          time: '2026-12-07T10:00:00.000Z',
          source: 'github',
          status: 202,
          eventKey: 'github:d1',
          type: 'repository',
          headers: {},
          body: '',
          bodyEncoding: 'utf8',
          bodyBytes: 0,
          truncated: false,
          response: '',
          method: 'POST',
          path: '/webhooks/github',
          ms: 1,
        },
        {
          requestId: 'b',
          time: '2026-12-07T10:00:01.000Z',
          source: 'gitlab',
          status: 401,
          headers: {},
          body: '',
          bodyEncoding: 'utf8',
          bodyBytes: 0,
          truncated: false,
          response: '',
          method: 'POST',
          path: '/webhooks/gitlab',
          ms: 1,
        },
        { amend: 'b', reason: 'X-Gitlab-Token missing' },
      ]),
    );
    writeFileSync(
      paths.executions,
      lines([
        {
          id: 'arn:x',
          name: 'n',
          eventId: 'd1',
          source: 'github',
          type: 'repository',
          action: 'publicized',
          status: 'SUCCEEDED',
          statesVisited: ['Index', 'CheckCompliance', 'Publish'],
          startDate: '2026-12-07T10:00:00.100Z',
          stopDate: '2026-12-07T10:00:00.900Z',
          ms: 800,
          results: { index: { index: 'webhooks-github-2026.12' } },
        },
        {
          id: 'arn:y',
          name: 'm',
          eventId: 'r9',
          source: 'jira',
          type: 'jira:issue_updated',
          status: 'FAILED',
          statesVisited: ['Index'],
          startDate: '2026-12-07T10:00:02.000Z',
          stopDate: '2026-12-07T10:00:02.100Z',
          ms: 100,
          error: 'IndexStepFailed',
          cause: 'boom',
        },
      ]),
    );
    mkdirSync(paths.eventbridge, { recursive: true });
    writeFileSync(
      join(paths.eventbridge, 'webhooks.ndjson'),
      lines([
        {
          EventId: 'e1',
          Time: '2026-12-07T10:00:00.500Z',
          EventBusName: 'webhooks',
          Source: 'webhooks.compliance',
          DetailType: 'Compliance Finding',
          Detail: JSON.stringify({
            eventId: 'd1',
            source: 'github',
            severity: 'high',
            rule: { id: 'github.repository.publicized', title: 'Repository made public' },
          }),
        },
        {
          EventId: 'e2',
          Time: '2026-12-07T10:00:00.800Z',
          EventBusName: 'webhooks',
          Source: 'webhooks.github',
          DetailType: 'repository.publicized',
          Detail: JSON.stringify(envelope),
        },
      ]),
    );
    const store = new DeliveryStore(dir);
    const changes: Row[] = [];

    // Act
    await store.load();
    store.subscribe((row) => changes.push(row));

    // Assert: newest first; the refusal with its amended reason; a replayed event without a request.
    const { rows, total } = store.list({});
    expect(total).toBe(3);
    expect(rows.map((row) => [row.key, row.verdict, row.outcome])).toEqual([
      ['event:jira:r9', 'stream', 'FAILED'],
      ['b', 'refused', undefined],
      ['a', 'accepted', 'SUCCEEDED'],
    ]);
    expect(store.row('b')?.reason).toBe('X-Gitlab-Token missing');
    const detail = store.detail('a');
    expect(detail?.row).toMatchObject({
      subject: 'Codertocat/Hello-World',
      findings: 1,
      action: 'publicized',
    });
    expect(detail?.envelope).toMatchObject({ id: 'd1', subject: 'Codertocat/Hello-World' });
    expect(detail?.envelope).not.toHaveProperty('payload');
    expect(detail?.index).toBe('webhooks-github-2026.12');
    expect(store.list({ status: 'refused' }).rows.map((row) => row.key)).toEqual(['b']);
    expect(store.list({ status: 'failed' }).rows.map((row) => row.key)).toEqual(['event:jira:r9']);
    expect(store.list({ status: 'findings' }).rows.map((row) => row.key)).toEqual(['a']);
    expect(store.list({ subject: 'hello-world' }).rows.map((row) => row.key)).toEqual(['a']);
    expect(store.list({ q: 'Token missing' }).rows.map((row) => row.key)).toEqual(['b']);
    expect(store.list({ q: 'in the document' }, new Set(['github:d1'])).rows.map((row) => row.key)).toEqual([
      'a',
    ]);

    // A line appended now updates the row and tells the listeners.
    store.apply(paths.executions, {
      id: 'arn:z',
      eventId: 'r9',
      source: 'jira',
      status: 'SUCCEEDED',
      statesVisited: ['Index', 'Publish'],
      startDate: '2026-12-07T10:01:00.000Z',
      stopDate: '2026-12-07T10:01:00.100Z',
      ms: 100,
    });
    expect(changes.map((row) => [row.key, row.outcome])).toEqual([['event:jira:r9', 'SUCCEEDED']]);
  });
});
