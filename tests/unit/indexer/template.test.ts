import { indexName, indexPattern } from '../../../functions/lib/search/naming';
import { indexTemplate, TEMPLATE_VERSION } from '../../../functions/lib/search/template';

const base = {
  indexPrefix: 'webhooks',
  alias: 'webhooks',
  service: 'es',
  payloadMapping: 'disabled',
} as const;

interface Mappings {
  dynamic: unknown;
  dynamic_templates: Array<Record<string, { path_match: string; mapping: { type: string } }>>;
  properties: Record<string, { type?: string; enabled?: boolean; dynamic?: unknown; properties?: object }>;
}

function mappingsOf(template: ReturnType<typeof indexTemplate>): Mappings {
  return template.template?.mappings as unknown as Mappings;
}

describe('index template', () => {
  it('covers every index the indexer writes and joins them to the alias', () => {
    // prepare
    const index = indexName('webhooks', { source: 'gitlab', receivedAt: '2026-02-10T08:00:00Z' });

    // act
    const template = indexTemplate(base);

    // assert
    expect(template.index_patterns).toEqual([indexPattern('webhooks')]);
    expect(index).toMatch(new RegExp(`^${indexPattern('webhooks').replace('*', '.+')}$`));
    expect(template.template?.aliases).toEqual({ webhooks: {} });
    expect(template.version).toBe(TEMPLATE_VERSION);
  });

  it('types the envelope fields as keyword and date', () => {
    const { properties } = mappingsOf(indexTemplate(base));

    for (const field of ['id', 'source', 'type', 'action', 'subject', 'repository', 'actor', 'ref']) {
      expect({ field, type: properties[field]?.type }).toEqual({ field, type: 'keyword' });
    }
    expect(properties.receivedAt?.type).toBe('date');
    expect(properties.indexedAt?.type).toBe('date');
  });

  it('stores the payload unindexed by default so no payload key reaches the mapping', () => {
    const mappings = mappingsOf(indexTemplate(base));

    expect(mappings.properties.payload).toEqual({ type: 'object', enabled: false });
    expect(mappings.dynamic).toBe(false);
    // Only meta.* may add fields, and only as keywords.
    const dynamicTemplates = mappings.dynamic_templates.flatMap((entry) => Object.values(entry));
    expect(dynamicTemplates.map((t) => [t.path_match, t.mapping.type])).toEqual([['meta.*', 'keyword']]);
  });

  it('maps the payload as one flat_object field when configured', () => {
    const { properties } = mappingsOf(indexTemplate({ ...base, payloadMapping: 'flat_object' }));

    expect(properties.payload).toEqual({ type: 'flat_object' });
  });

  it('sets shard and replica settings on a domain but none on Serverless, which rejects them', () => {
    const domain = indexTemplate({ ...base, replicas: 0 });
    const collection = indexTemplate({ ...base, service: 'aoss', replicas: 0 });

    expect(domain.template?.settings).toEqual({ 'index.number_of_shards': 1, 'index.number_of_replicas': 0 });
    expect(collection.template).not.toHaveProperty('settings');
  });

  it('leaves replicas to the cluster when none are configured', () => {
    expect(indexTemplate(base).template?.settings).toEqual({ 'index.number_of_shards': 1 });
  });

  it('follows a custom prefix and alias', () => {
    const template = indexTemplate({ ...base, indexPrefix: 'hooks', alias: 'all-hooks' });

    expect(template.index_patterns).toEqual(['hooks-*']);
    expect(template.template?.aliases).toEqual({ 'all-hooks': {} });
  });
});
