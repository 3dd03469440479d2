/**
 * The part of OpenSearch's query DSL the README documents, evaluated over documents held in memory:
 * `match_all`, `term`, `terms`, `match`, `match_phrase`, `range` (with `now-1d` style date math), `exists`,
 * `query_string` / `simple_query_string` and `?q=` (words, `field:value`), `bool` (`must`, `filter`,
 * `should`, `must_not`), `size`, `from`, `sort` and `terms` aggregations. Hand-written: no maintained
 * package evaluates OpenSearch queries without a server, and these few forms are small.
 */

export type Doc = Record<string, unknown>;
export interface Hit {
  index: string;
  id: string;
  source: Doc;
}

export class QueryError extends Error {}

/** The values at a dotted path, arrays flattened (OpenSearch indexes each element). */
function valuesAt(doc: unknown, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        for (const item of value) if (isRecord(item) && part in item) next.push(item[part]);
      } else if (isRecord(value) && part in value) next.push(value[part]);
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `.keyword` sub-fields hold the same value as their parent here. */
const fieldOf = (name: string) => name.replace(/\.keyword$/, '');

const UNITS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, M: 2592e6, y: 31536e6 };

/** `now`, `now-1d`, `now+2h`, `now-1d/d` (rounding ignored) or an ISO date, as epoch milliseconds. */
export function dateValue(value: unknown, now = Date.now()): number {
  if (typeof value === 'number') return value;
  const text = String(value);
  const math = /^now(?:([+-])(\d+)([smhdwMy]))?(?:\/[smhdwMy])?$/.exec(text);
  if (math) {
    const [, sign, amount, unit] = math;
    if (!sign) return now;
    const delta = Number(amount) * (UNITS[unit as string] as number);
    return sign === '-' ? now - delta : now + delta;
  }
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new QueryError(`failed to parse date field [${text}]`);
  return parsed;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const dateA = typeof a === 'string' ? Date.parse(a) : Number.NaN;
  const dateB = typeof b === 'string' ? Date.parse(b) : Number.NaN;
  if (!Number.isNaN(dateA) && !Number.isNaN(dateB)) return dateA - dateB;
  return String(a).localeCompare(String(b));
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);

/** Every string and number anywhere in the document, lower-cased: what an `_all`-style search sees. */
function allText(doc: unknown, out: string[] = []): string[] {
  if (typeof doc === 'string' || typeof doc === 'number' || typeof doc === 'boolean') {
    out.push(String(doc).toLowerCase());
  } else if (Array.isArray(doc)) for (const item of doc) allText(item, out);
  else if (isRecord(doc)) for (const value of Object.values(doc)) allText(value, out);
  return out;
}

/** `field:value` terms and bare words, all required (the default operator is OR in OpenSearch; AND reads better here). */
function queryString(query: string, doc: Doc): boolean {
  const terms = query.match(/(?:[^\s"]+:)?"[^"]*"|\S+/g) ?? [];
  return terms.every((term) => {
    if (term === 'AND' || term === '*') return true;
    const colon = /^([^\s":]+):(.+)$/.exec(term);
    const [field, raw] = colon ? [colon[1] as string, colon[2] as string] : [undefined, term];
    const value = raw.replace(/^"|"$/g, '').toLowerCase();
    const haystack = field ? valuesAt(doc, fieldOf(field)).flatMap((v) => allText(v)) : allText(doc);
    if (value.endsWith('*')) return haystack.some((text) => text.includes(value.slice(0, -1)));
    return haystack.some((text) => text === value || words(text).includes(value) || text.includes(value));
  });
}

/** Whether one document matches a query clause. */
export function matches(query: unknown, doc: Doc, now = Date.now()): boolean {
  if (query === undefined) return true;
  if (!isRecord(query)) throw new QueryError('query malformed, expected an object');
  const [kind, body] = Object.entries(query)[0] ?? [];
  if (kind === undefined) return true;
  const clause = isRecord(body) ? body : {};
  const single = () => {
    const [field, spec] = Object.entries(clause)[0] ?? [];
    if (field === undefined) throw new QueryError(`[${kind}] query malformed, no field`);
    return { field: fieldOf(field), spec };
  };
  switch (kind) {
    case 'match_all':
      return true;
    case 'match_none':
      return false;
    case 'term': {
      const { field, spec } = single();
      const value = isRecord(spec) ? spec.value : spec;
      return valuesAt(doc, field).some((candidate) => String(candidate) === String(value));
    }
    case 'terms': {
      const { field, spec } = single();
      if (!Array.isArray(spec)) throw new QueryError('[terms] query expects an array of values');
      return valuesAt(doc, field).some((candidate) => spec.map(String).includes(String(candidate)));
    }
    case 'match':
    case 'match_phrase': {
      const { field, spec } = single();
      const text = String(isRecord(spec) ? spec.query : spec).toLowerCase();
      const wanted = words(text);
      return valuesAt(doc, field).some((candidate) => {
        const have = String(candidate).toLowerCase();
        return kind === 'match_phrase'
          ? have.includes(text)
          : wanted.some((word) => words(have).includes(word));
      });
    }
    case 'exists':
      return valuesAt(doc, fieldOf(String(clause.field))).some((value) => value !== null);
    case 'range': {
      const { field, spec } = single();
      if (!isRecord(spec)) throw new QueryError('[range] query malformed');
      const isDate = Object.values(spec).some(
        (bound) => typeof bound === 'string' && /^now|^\d{4}-/.test(bound),
      );
      return valuesAt(doc, field).some((candidate) => {
        const value = isDate ? Date.parse(String(candidate)) : Number(candidate);
        const bound = (b: unknown) => (isDate ? dateValue(b, now) : Number(b));
        return (
          (spec.gte === undefined || value >= bound(spec.gte)) &&
          (spec.gt === undefined || value > bound(spec.gt)) &&
          (spec.lte === undefined || value <= bound(spec.lte)) &&
          (spec.lt === undefined || value < bound(spec.lt))
        );
      });
    }
    case 'query_string':
    case 'simple_query_string':
      return queryString(String(clause.query ?? ''), doc);
    case 'bool': {
      const list = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
      const must = [...list(clause.must), ...list(clause.filter)];
      const should = list(clause.should);
      const minimum = Number(clause.minimum_should_match ?? (must.length === 0 && should.length > 0 ? 1 : 0));
      return (
        must.every((q) => matches(q, doc, now)) &&
        !list(clause.must_not).some((q) => matches(q, doc, now)) &&
        should.filter((q) => matches(q, doc, now)).length >= minimum
      );
    }
    default:
      throw new QueryError(`unknown query [${kind}]`);
  }
}

export interface SearchRequest {
  query?: unknown;
  size?: number;
  from?: number;
  sort?: unknown;
  aggs?: unknown;
  aggregations?: unknown;
  track_total_hits?: unknown;
}

function sortHits(hits: Hit[], sort: unknown): Hit[] {
  const specs = (Array.isArray(sort) ? sort : sort === undefined ? [] : [sort]).map((spec) => {
    if (typeof spec === 'string') return { field: spec, desc: false };
    const [field, order] = Object.entries(spec as Record<string, unknown>)[0] ?? ['', 'asc'];
    const direction = isRecord(order) ? order.order : order;
    return { field: fieldOf(field), desc: direction === 'desc' };
  });
  if (specs.length === 0) return hits;
  return [...hits].sort((a, b) => {
    for (const { field, desc } of specs) {
      const order = compare(valuesAt(a.source, field)[0] ?? '', valuesAt(b.source, field)[0] ?? '');
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
}

function aggregate(aggs: unknown, hits: Hit[]): Record<string, unknown> | undefined {
  if (!isRecord(aggs)) return undefined;
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(aggs)) {
    const terms = isRecord(spec) && isRecord(spec.terms) ? spec.terms : undefined;
    if (!terms) throw new QueryError(`aggregation [${name}]: only terms aggregations are supported locally`);
    const counts = new Map<string, number>();
    for (const hit of hits) {
      for (const value of new Set(valuesAt(hit.source, fieldOf(String(terms.field))).map(String))) {
        counts.set(value, (counts.get(value) ?? 0) + 1);
      }
    }
    const buckets = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, doc_count]) => ({ key, doc_count }));
    const size = Number(terms.size ?? 10);
    const shown = buckets.slice(0, size);
    result[name] = {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: buckets.slice(size).reduce((sum, bucket) => sum + bucket.doc_count, 0),
      buckets: shown,
    };
  }
  return result;
}

/** `_search`: the response body OpenSearch gives, `hits.total` exact. */
export function search(docs: Hit[], request: SearchRequest, took = 1): Record<string, unknown> {
  const matched = docs.filter((hit) => matches(request.query, hit.source));
  const sorted = sortHits(matched, request.sort);
  const from = Number(request.from ?? 0);
  const size = Number(request.size ?? 10);
  const aggregations = aggregate(request.aggs ?? request.aggregations, matched);
  return {
    took,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: matched.length, relation: 'eq' },
      max_score: matched.length > 0 ? 1 : null,
      hits: sorted.slice(from, from + size).map((hit) => ({
        _index: hit.index,
        _id: hit.id,
        _score: 1,
        _source: hit.source,
      })),
    },
    ...(aggregations && { aggregations }),
  };
}

/** `_count`. */
export function count(docs: Hit[], request: SearchRequest): Record<string, unknown> {
  return {
    count: docs.filter((hit) => matches(request.query, hit.source)).length,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
  };
}
