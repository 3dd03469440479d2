import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSearchConfig } from '../../../functions/lib/search/config';
import { indexTemplate } from '../../../functions/lib/search/template';

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
  migrationVersion: Record<string, string>;
}
interface FieldSpec {
  name: string;
  type: string;
  esTypes?: string[];
  aggregatable: boolean;
}
interface Agg {
  type: string;
  schema: string;
  params: { field?: string };
}

const objects = readFileSync(join(__dirname, '../../../dashboards/webhooks.ndjson'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as SavedObject);
const byType = (type: string) => objects.filter((o) => o.type === type);
const [indexPattern] = byType('index-pattern');
const fields = JSON.parse(String(indexPattern?.attributes.fields)) as FieldSpec[];
const config = readSearchConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', AWS_REGION: 'us-east-1' });
const mappings = indexTemplate({ ...config, payloadMapping: 'disabled' }).template?.mappings
  ?.properties as Record<string, { type?: string; properties?: Record<string, { type?: string }> }>;

/** Every mapped leaf field with its type, `payloadRef.bytes` style. */
function mappedFields(): Map<string, string> {
  const leaves = new Map<string, string>();
  for (const [name, property] of Object.entries(mappings)) {
    if (property.type && property.type !== 'object') leaves.set(name, property.type);
    for (const [child, sub] of Object.entries(property.properties ?? {})) {
      if (sub.type) leaves.set(`${name}.${child}`, sub.type);
    }
  }
  return leaves;
}

describe('dashboards/webhooks.ndjson', () => {
  it('holds one index pattern, four visualizations and a dashboard, with unique ids', () => {
    expect(objects.map((o) => o.type)).toEqual([
      'index-pattern',
      'visualization',
      'visualization',
      'visualization',
      'visualization',
      'dashboard',
    ]);
    expect(new Set(objects.map((o) => `${o.type}:${o.id}`)).size).toBe(objects.length);
    for (const object of objects) expect(Object.keys(object.migrationVersion)).toEqual([object.type]);
  });

  it('points the index pattern at the alias, timed by receivedAt', () => {
    expect(indexPattern?.attributes.title).toBe(config.alias);
    expect(indexPattern?.attributes.timeFieldName).toBe('receivedAt');
    expect(mappings.receivedAt?.type).toBe('date');
  });

  it('lists exactly the mapped fields with the types Dashboards derives from the mapping', () => {
    const listed = new Map(
      fields.filter((f) => !f.name.startsWith('_')).map((f) => [f.name, f.esTypes?.[0] ?? '']),
    );

    expect(listed).toEqual(mappedFields());
  });

  it('resolves every reference to an object in the file', () => {
    for (const object of objects) {
      for (const reference of object.references) {
        expect(objects.some((o) => o.type === reference.type && o.id === reference.id)).toBe(true);
      }
    }
  });

  it.each(byType('visualization').map((v) => [v.id, v]))(
    '%s aggregates only aggregatable fields',
    (_id, vis) => {
      const state = JSON.parse(String(vis.attributes.visState)) as { title: string; aggs: Agg[] };
      const search = JSON.parse(
        String((vis.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON),
      ) as { indexRefName: string; query: { query: string; language: string } };

      expect(state.title).toBe(vis.attributes.title);
      for (const agg of state.aggs.filter((a) => a.params.field !== undefined)) {
        expect(fields.find((f) => f.name === agg.params.field)?.aggregatable).toBe(true);
      }
      expect(vis.references).toEqual([
        { name: search.indexRefName, type: 'index-pattern', id: indexPattern?.id },
      ]);
      expect(search.query.language).toBe('kuery');
    },
  );

  it('filters compliance events on mapped fields only', () => {
    const compliance = byType('visualization').find((v) => v.id === 'webhooks-compliance-events');
    const meta = compliance?.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string } | undefined;
    const { query } = JSON.parse(meta?.searchSourceJSON ?? '{}') as { query: { query: string } };

    const unquoted = query.query.replace(/"[^"]*"/g, '""');
    const queried = new Set([...unquoted.matchAll(/([A-Za-z_.]+):/g)].map((m) => m[1]));

    expect([...queried].sort()).toEqual(['action', 'type']);
    expect(query.query).toContain('type:repository and action:(publicized');
  });

  it('places every visualization on the dashboard through a panel reference', () => {
    const [dashboard] = byType('dashboard');
    const panels = JSON.parse(String(dashboard?.attributes.panelsJSON)) as Array<{ panelRefName: string }>;

    expect(panels.map((p) => p.panelRefName).sort()).toEqual(dashboard?.references.map((r) => r.name).sort());
    expect(dashboard?.references.map((r) => r.id).sort()).toEqual(
      byType('visualization')
        .map((v) => v.id)
        .sort(),
    );
  });
});
