import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SOURCE_IDS } from '../../../functions/lib/envelope';
import { lowerCaseHeaders, payloadBytes } from '../../../functions/lib/request-body';
import { enabledSourcesFromEnv, findSource, SOURCES } from '../../../functions/lib/sources';
import { bitbucket } from '../../../functions/lib/sources/bitbucket';
import { describeDelivery } from '../../../functions/lib/sources/describe';
import { gitlab } from '../../../functions/lib/sources/gitlab';
import { jira } from '../../../functions/lib/sources/jira';

const ingestFixtures = join(__dirname, '../../../events/ingest');

function fixture(name: string) {
  const event = JSON.parse(
    readFileSync(join(ingestFixtures, `${name}.json`), 'utf8'),
  ) as APIGatewayProxyEvent;
  const headers = lowerCaseHeaders(event.headers);
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const payload = JSON.parse(payloadBytes(headers['content-type'], body).toString('utf8')) as Record<
    string,
    unknown
  >;
  return { event, headers, payload };
}

describe('source registry', () => {
  it('has one module per source id, each under its own id', () => {
    expect(Object.keys(SOURCES).sort()).toEqual([...SOURCE_IDS].sort());
    for (const id of SOURCE_IDS) expect(SOURCES[id].id).toBe(id);
  });

  it('finds only known, enabled sources', () => {
    const enabled = new Set(['github', 'gitlab'] as const);

    expect(findSource('github', enabled)?.id).toBe('github');
    expect(findSource('jira', enabled)).toBeUndefined();
    expect(findSource('sourceforge', enabled)).toBeUndefined();
    expect(findSource('__proto__', enabled)).toBeUndefined();
    expect(findSource(undefined, enabled)).toBeUndefined();
  });

  it('reads ENABLED_SOURCES, all sources when unset, and refuses unknown names', () => {
    expect([...enabledSourcesFromEnv({ ENABLED_SOURCES: ' github , ddns' })]).toEqual(['github', 'ddns']);
    expect(enabledSourcesFromEnv({}).size).toBe(SOURCE_IDS.length);
    expect(enabledSourcesFromEnv({ ENABLED_SOURCES: '' }).size).toBe(0);
    expect(() => enabledSourcesFromEnv({ ENABLED_SOURCES: 'github,gitbucket' })).toThrow(/gitbucket/);
  });
});

describe('what each source says about a delivery (fixtures in events/ingest)', () => {
  it.each([
    [
      'github-push',
      { type: 'push', subject: 'Codertocat/Hello-World', deliveryId: '0b989ba4-242f-11e5-81e1-c7b6966d2516' },
    ],
    [
      'github-pull-request-opened',
      { type: 'pull_request', action: 'opened', subject: 'Codertocat/Hello-World' },
    ],
    [
      'gitlab-push',
      { type: 'Push Hook', subject: 'mike/diaspora', deliveryId: 'f0e1d2c3-b4a5-4968-8776-655443322110' },
    ],
    [
      'bitbucket-repo-push',
      {
        type: 'repo:push',
        action: 'push',
        subject: 'acme/widgets',
        deliveryId: 'a7f3c2e1-9b8d-4c6a-8e5f-1d2c3b4a5f6e',
      },
    ],
    [
      'jira-issue-updated',
      {
        type: 'jira:issue_updated',
        action: 'issue_generic',
        subject: 'OPS',
        deliveryId: '2d7f1b3c-5e4a-4f6b-9c8d-7e6f5a4b3c2d',
      },
    ],
    [
      'servicenow-incident-updated',
      {
        type: 'incident.updated',
        action: 'update',
        subject: 'incident/INC0010023',
        deliveryId: '8c4e2a10-6f3b-4d9a-b1c7-2e5f8a0d3b96',
      },
    ],
    [
      'rally-defect-updated',
      {
        type: 'Defect',
        action: 'Updated',
        subject: 'Platform',
        deliveryId: '0b6f5e1c-8a0e-4f3b-bd2c-7a1e9d4c2f10',
      },
    ],
    [
      'ddns-update',
      {
        type: 'dns_update',
        subject: 'nas.home.example.com',
        deliveryId: '5f0c3b2a-9d8e-4f7a-b6c5-d4e3f2a1b0c9',
      },
    ],
  ])('%s', (name, expected) => {
    const { event, headers, payload } = fixture(name);
    const source = SOURCES[event.pathParameters?.source as keyof typeof SOURCES];

    const description = describeDelivery(source, headers, payload);

    expect(description).toMatchObject(expected);
  });

  it.each(readdirSync(ingestFixtures).filter((file) => !file.startsWith('unknown')))(
    'keeps no credential in the meta of %s',
    (file) => {
      const { event, headers, payload } = fixture(file.replace(/\.json$/, ''));
      const source = SOURCES[event.pathParameters?.source as keyof typeof SOURCES];
      const credentials = [
        'x-hub-signature-256',
        'x-hub-signature',
        'x-gitlab-token',
        'authorization',
        'x-webhook-token',
        'x-signature-256',
      ]
        .map((name) => headers[name])
        .filter((value): value is string => value !== undefined);

      const meta = JSON.stringify(describeDelivery(source, headers, payload).meta);

      expect(meta).toContain('contentType');
      for (const credential of credentials) expect(meta).not.toContain(credential);
    },
  );
});

describe('fallbacks', () => {
  it('gitlab: merge request action, group subject when there is no project', () => {
    const mergeRequest = describeDelivery(
      gitlab,
      { 'x-gitlab-event': 'Merge Request Hook' },
      {
        project: { path_with_namespace: 'group/app' },
        object_attributes: { action: 'merge' },
      },
    );
    const groupHook = describeDelivery(
      gitlab,
      { 'x-gitlab-event': 'Subgroup Hook' },
      { group: { full_path: 'platform/infra' } },
    );

    expect(mergeRequest).toMatchObject({ action: 'merge', subject: 'group/app' });
    expect(groupHook.subject).toBe('platform/infra');
  });

  it('bitbucket Data Center: project key and slug, X-Request-Id', () => {
    const description = describeDelivery(
      bitbucket,
      { 'x-event-key': 'pr:opened', 'x-request-id': 'dc-1' },
      { repository: { slug: 'widgets', project: { key: 'WID' } } },
    );

    expect(description).toMatchObject({
      type: 'pr:opened',
      action: 'opened',
      subject: 'WID/widgets',
      deliveryId: 'dc-1',
    });
  });

  it('jira: project events and comment events without fields', () => {
    expect(
      describeDelivery(jira, {}, { webhookEvent: 'project_updated', project: { key: 'OPS' } }).subject,
    ).toBe('OPS');
    expect(
      describeDelivery(jira, {}, { webhookEvent: 'comment_created', issue: { key: 'SEC-1042' } }).subject,
    ).toBe('SEC');
    expect(describeDelivery(jira, {}, { webhookEvent: 'sprint_started', sprint: { id: 3 } }).subject).toBe(
      '-',
    );
  });
});
