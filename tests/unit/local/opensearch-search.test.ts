import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { Envelope } from '../../../functions/lib/envelope';
import { toSearchDocument } from '../../../functions/lib/search/document';
import { documentId, indexName } from '../../../functions/lib/search/naming';
import { projectRoot } from '../../../local/template';
import { githubEnvelope, octokitExample } from '../../support/github-examples';
import { type FakeSearch, startFakeSearch } from '../../support/opensearch-client';

/** The example queries of the README's Search section, as written there. */
function readmeQueries(): Record<string, unknown>[] {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('**Example queries**'));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the local OpenSearch answers _search and _count for the README query forms', () => {
  let client: Client;
  let stop: FakeSearch['stop'];
  const now = new Date();
  const envelopes: Envelope[] = [
    { ...githubEnvelope('push', octokitExample('push'), 'p1'), receivedAt: now.toISOString() },
    { ...githubEnvelope('push', octokitExample('push'), 'p2'), receivedAt: '2026-01-01T00:00:00.000Z' },
    {
      ...githubEnvelope(
        'pull_request',
        octokitExample('pull_request', (p) => p.action === 'opened'),
        'pr1',
      ),
      receivedAt: now.toISOString(),
    },
  ];

  beforeAll(async () => {
    ({ client, stop } = await startFakeSearch('opensearch-search'));
    for (const envelope of envelopes) {
      await client.index({
        index: indexName('webhooks', envelope),
        id: documentId(envelope),
        body: toSearchDocument(envelope, envelope.payload, now),
      });
    }
  });

  afterAll(() => stop());

  it('runs the README filter query on the webhooks alias', async () => {
    const [filter] = readmeQueries();
    const repository = (octokitExample('push') as { repository: { full_name: string } }).repository.full_name;
    const query = JSON.parse(JSON.stringify(filter).replace('octo-org/octo-repo', repository));

    const { body } = await client.search({ index: 'webhooks', body: query });

    // The recent push only: the other push is older than a day, the pull request another type.
    expect(body.hits.total).toEqual({ value: 1, relation: 'eq' });
    expect(body.hits.hits.map((hit) => hit._id)).toEqual(['github:p1']);
  });

  it('runs the README aggregation', async () => {
    const [, aggregation] = readmeQueries();

    const { body } = await client.search({ index: 'webhooks', body: aggregation });

    expect(body.hits.hits).toEqual([]);
    expect((body.aggregations?.by_type as { buckets?: unknown } | undefined)?.buckets).toEqual([
      { key: 'push', doc_count: 2 },
      { key: 'pull_request', doc_count: 1 },
    ]);
  });

  it('counts, with or without a query, and searches with ?q=', async () => {
    const all = await client.count({ index: 'webhooks-*' });
    const pushes = await client.count({ index: 'webhooks', body: { query: { term: { type: 'push' } } } });
    const opened = await client.search({ index: 'webhooks', q: 'action:opened' });

    expect(all.body.count).toBe(3);
    expect(pushes.body.count).toBe(2);
    expect(opened.body.hits.hits.map((hit) => hit._id)).toEqual(['github:pr1']);
  });

  it('answers 404 for an unknown index and 400 for a query form it does not know', async () => {
    await expect(client.search({ index: 'nothing-here', body: {} })).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(
      client.search({ index: 'webhooks', body: { query: { geo_distance: { distance: '1km' } } } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
