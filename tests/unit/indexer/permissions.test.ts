import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope } from '../../../functions/lib/envelope';
import { EventIndexer } from '../../../functions/lib/search/indexer';
import { INDEXER_ACTIONS, indexerRole } from '../../../functions/lib/search/permissions';
import { createSearchClient } from '../../support/opensearch-client';
import { type CapturedRequest, indexed, openSearchError, startCaptureServer } from './support/capture-server';

/**
 * What OpenSearch's security plugin checks for each REST call, from its documentation (Security →
 * Permissions; the index and create-index APIs), kept here apart from permissions.ts so that a call the
 * indexer starts making, or an action the role forgets, fails this test. Index-level actions apply to
 * the request's index; cluster-level ones to no index.
 */
const SECURITY_ACTIONS: Array<{
  route: RegExp;
  operation: string;
  cluster: string[];
  index: string[];
}> = [
  {
    route: /^(PUT|POST) \/_index_template\/[^/]+$/,
    operation: 'putIndexTemplate',
    cluster: ['indices:admin/index_template/put'],
    index: [],
  },
  {
    // One document is run as a one-item bulk; the first document of a month also creates its index.
    route: /^(PUT|POST) \/([^/_][^/]*)\/_create\/[^/]+$/,
    operation: 'create',
    cluster: ['indices:data/write/bulk'],
    index: [
      'indices:data/write/index',
      'indices:data/write/bulk[s]',
      'indices:admin/create',
      'indices:admin/auto_create',
      'indices:admin/mapping/put',
    ],
  },
];

/** The security plugin's pattern matching: `*` matches any run of characters. */
function matches(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(value);
}

const role = indexerRole('webhooks');

function allowsCluster(action: string): boolean {
  return (role.cluster_permissions ?? []).some((allowed) => matches(allowed, action));
}

function allowsIndex(action: string, index: string): boolean {
  return (role.index_permissions ?? []).some(
    (permission) =>
      (permission.index_patterns ?? []).some((pattern) => matches(pattern, index)) &&
      (permission.allowed_actions ?? []).some((allowed) => matches(allowed, action)),
  );
}

/** Every request the real indexer makes for two events of two months, the second one a repeat. */
async function indexerRequests(): Promise<CapturedRequest[]> {
  const seen = new Set<string>();
  const server = await startCaptureServer((request) => {
    if (request.url.startsWith('/_index_template/')) return { status: 200, body: { acknowledged: true } };
    if (seen.has(request.url)) return openSearchError(409, 'version_conflict_engine_exception');
    seen.add(request.url);
    return indexed('webhooks-github-2026.05', 'id');
  });
  try {
    const client = createSearchClient({ endpoint: server.url, service: 'es', region: 'us-east-1' });
    const indexer = new EventIndexer(client, {
      indexPrefix: 'webhooks',
      alias: 'webhooks',
      service: 'es',
      payloadMapping: 'disabled',
      maxAttempts: 1,
    });
    const push = parseEnvelope(require('../../../events/indexer/github-push.json'));
    await indexer.index(push);
    await indexer.index({ ...push, receivedAt: '2026-06-01T00:00:00.000Z', id: 'another-delivery' });
    await expect(indexer.index(push)).resolves.toMatchObject({ result: 'exists' });
    return server.requests;
  } finally {
    await server.close();
  }
}

describe("the indexer's OpenSearch security role", () => {
  let requests: CapturedRequest[];
  beforeAll(async () => {
    requests = await indexerRequests();
  });

  it('covers every action the security plugin checks for every request the indexer makes', () => {
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const request of requests) {
      const call = `${request.method} ${request.url.split('?')[0]}`;
      const known = SECURITY_ACTIONS.find((entry) => entry.route.test(call));
      expect({ call, known: known !== undefined }).toEqual({ call, known: true });
      const index = decodeURIComponent(known?.route.exec(call)?.[2] ?? '');
      const missing = [
        ...(known?.cluster ?? []).filter((action) => !allowsCluster(action)),
        ...(known?.index ?? []).filter((action) => !allowsIndex(action, index)),
      ];
      expect({ call, missing }).toEqual({ call, missing: [] });
    }
  });

  it('grants nothing the indexer does not use: every operation of the role is one the indexer performs', () => {
    const performed = new Set(
      requests.map(
        (request) =>
          SECURITY_ACTIONS.find((entry) => entry.route.test(`${request.method} ${request.url.split('?')[0]}`))
            ?.operation,
      ),
    );

    expect(Object.keys(INDEXER_ACTIONS).sort()).toEqual([...performed].sort());
  });

  it.each([
    ['indices:data/read/search', 'webhooks-github-2026.05'],
    ['indices:data/read/get', 'webhooks-github-2026.05'],
    ['indices:data/write/delete', 'webhooks-github-2026.05'],
    ['indices:data/write/update', 'webhooks-github-2026.05'],
    ['indices:admin/delete', 'webhooks-github-2026.05'],
    ['indices:data/write/index', '.opendistro_security'],
    ['indices:data/write/index', 'other-app-logs'],
    ['indices:admin/create', '.kibana'],
  ])('does not allow %s on %s', (action, index) => {
    expect(allowsIndex(action, index)).toBe(false);
  });

  it('allows no cluster action beyond its template and bulk entry point', () => {
    expect(allowsCluster('cluster:admin/opendistro/security/*')).toBe(false);
    expect(allowsCluster('cluster:monitor/health')).toBe(false);
    expect(allowsCluster('indices:admin/index_template/delete')).toBe(false);
    expect(role.cluster_permissions?.every((action) => !action.includes('*'))).toBe(true);
  });

  it('is the role the README tells admins to create by hand', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const documented = /roles\/webhooks-indexer" \\\n\s+-H '[^']+' -d '([^']+)'/.exec(readme)?.[1];

    expect(documented).toBeDefined();
    const { description: _, ...grants } = role;
    expect(JSON.parse(documented ?? '{}')).toEqual(grants);
  });
});
