import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { closeServer, listen } from '../servers';
import { count, type Hit, QueryError, type SearchRequest, search } from './opensearch-query';
import { SecurityApi } from './security-api';

/**
 * A stand-in for OpenSearch that speaks its REST JSON wire format for exactly the calls the pipeline
 * makes, so the real client (SigV4-signed; the signature is not checked) runs unchanged against it:
 *
 *   PUT|POST /_index_template/<name>   stores the template (in memory)
 *   GET      /_index_template/<name>   returns it
 *   PUT|POST /<index>/_doc/<id>        writes `${localDir}/opensearch/<index>/<file name of id>.json`;
 *                                      with `?op_type=create` a document that exists is refused with 409
 *   PUT|POST /<index>/_create/<id>     the same as `op_type=create`
 *   GET      /<index>/_doc/<id>        reads it back
 *   GET|POST /<target>/_search, _count  the query forms of opensearch-query.ts over the documents; the
 *                                      target is an index, a pattern (`webhooks-*`), a list or an alias
 *   PUT|GET|DELETE /_plugins/_security/api/roles/<name>, .../rolesmapping/<name>
 *                                      the security plugin's roles and mappings (security-api.ts)
 *
 * Each document file holds the document's `_source`, one file per document, so a redelivery overwrites
 * its file. The file is named after the document id as the local contract says (`github:<uuid>.json`).
 * Only what a file name cannot hold is percent-encoded: `%` itself (so names decode unambiguously), `/`,
 * `\\`, control characters and a leading dot; on Windows also `:*?"<>|`, which NTFS refuses.
 */
export function documentFileName(id: string, platform: NodeJS.Platform = process.platform): string {
  const refused = platform === 'win32' ? '%/\\:*?"<>|' : '%/\\';
  const encoded = Array.from(id, (c) =>
    refused.includes(c) || c.charCodeAt(0) < 0x20
      ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
      : c,
  )
    .join('')
    .replace(/^\./, '%2E');
  return `${encoded}.json`;
}

/** The inverse of documentFileName. */
export function documentIdFromFileName(fileName: string): string {
  return decodeURIComponent(fileName.replace(/\.json$/, ''));
}

export interface Reply {
  status: number;
  body: unknown;
}

// The characters OpenSearch forbids in index names (plus upper case and a leading _ - +).
const INVALID_INDEX = /[\\/*?"<>| ,#:A-Z]|^[_\-+]|^\.\.?$/;

export interface RunningOpenSearchFake {
  url: string;
  close(): Promise<void>;
  /** The security plugin's roles and mappings, as the security API left them. */
  security: SecurityApi;
  /** Every document, read from disk on the first call and kept current by the fake's own writes. */
  documents(): Promise<Hit[]>;
}

export async function startOpenSearchFake(
  localDir: string,
  options: { onDocument?: (hit: Hit & { overwritten: boolean }) => void } = {},
): Promise<RunningOpenSearchFake> {
  const root = join(localDir, 'opensearch');
  await mkdir(root, { recursive: true });
  const templates = new Map<string, unknown>();
  const security = new SecurityApi();
  const versions = new Map<string, number>();
  // Searches need every document; the files are read once, then each write updates the cache.
  let cache: Promise<Map<string, Hit>> | undefined;
  const loadAll = async (): Promise<Map<string, Hit>> => {
    const all = new Map<string, Hit>();
    for (const index of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(join(root, index)).catch(() => [] as string[])) {
        if (!name.endsWith('.json')) continue;
        try {
          const source = JSON.parse(await readFile(join(root, index, name), 'utf8')) as Hit['source'];
          const id = documentIdFromFileName(name);
          all.set(`${index}/${id}`, { index, id, source });
        } catch {
          // A file being replaced is picked up by its writer's own update.
        }
      }
    }
    return all;
  };
  const documents = async () => {
    cache ??= loadAll();
    return [...(await cache).values()];
  };

  /** The documents a search target names: indices, patterns (`webhooks-*`), comma lists, aliases. */
  async function resolveTarget(target: string | undefined): Promise<Hit[] | Reply> {
    const all = await documents();
    if (target === undefined || target === '_all' || target === '*') return all;
    const indices = new Set(all.map((hit) => hit.index));
    const wanted = new Set<string>();
    for (const name of target.split(',')) {
      const aliased = [...templates.values()].flatMap((value) => {
        const template = value as { index_patterns?: string[]; template?: { aliases?: object } };
        return name in (template.template?.aliases ?? {}) ? (template.index_patterns ?? []) : [];
      });
      // The indexer's alias is its index prefix (functions/lib/search/config.ts); templates live in
      // memory only, so after a restart the prefix still finds the indices that joined the alias.
      const globs = [name, ...aliased, ...(name.includes('*') ? [] : [`${name}-*`])].map(globPattern);
      const found = [...indices].filter((index) => globs.some((glob) => glob.test(index)));
      if (found.length === 0 && !name.includes('*')) {
        return error(404, 'index_not_found_exception', `no such index [${name}]`);
      }
      for (const index of found) wanted.add(index);
    }
    return all.filter((hit) => wanted.has(hit.index));
  }

  async function query(target: string | undefined, action: string, body: unknown, params: URLSearchParams) {
    const docs = await resolveTarget(target);
    if (!Array.isArray(docs)) return docs;
    const request = { ...((body ?? {}) as SearchRequest) };
    const q = params.get('q');
    if (q) request.query = { query_string: { query: q } };
    for (const name of ['size', 'from'] as const) {
      const value = params.get(name);
      if (value !== null) request[name] = Number(value);
    }
    try {
      return { status: 200, body: action === '_count' ? count(docs, request) : search(docs, request) };
    } catch (cause) {
      if (cause instanceof QueryError) return error(400, 'parsing_exception', cause.message);
      throw cause;
    }
  }

  /** `create`: `op_type=create` or `_create`, refused with 409 when the id exists, as OpenSearch does. */
  async function putDocument(index: string, id: string, source: unknown, create = false): Promise<Reply> {
    if (INVALID_INDEX.test(index))
      return error(400, 'invalid_index_name_exception', `Invalid index name [${index}]`);
    if (typeof source !== 'object' || source === null || Array.isArray(source)) {
      return error(400, 'mapper_parsing_exception', 'failed to parse, document is empty or not an object');
    }
    const directory = join(root, index);
    const file = join(directory, documentFileName(id));
    const key = `${index}/${id}`;
    // Decided before the first await, so of copies written at once exactly one creates the document.
    const existed = versions.has(key) || existsSync(file);
    const current = versions.get(key) ?? (existed ? 1 : 0);
    if (create && existed) {
      return {
        status: 409,
        body: conflict(
          `[${id}]: version conflict, document already exists (current version [${current}])`,
          index,
        ),
      };
    }
    const version = current + 1;
    versions.set(key, version);
    await mkdir(directory, { recursive: true });
    // Written aside then renamed, so a reader never sees half a document.
    const temporary = `${file}.${process.pid}.${version}.tmp`;
    await writeFile(temporary, `${JSON.stringify(source, null, 2)}\n`);
    await rename(temporary, file);
    const hit = { index, id, source: source as Hit['source'] };
    if (cache) (await cache).set(key, hit);
    options.onDocument?.({ ...hit, overwritten: existed });
    return {
      status: existed ? 200 : 201,
      body: {
        _index: index,
        _id: id,
        _version: version,
        result: existed ? 'updated' : 'created',
        _shards: { total: 2, successful: 1, failed: 0 },
        _seq_no: version - 1,
        _primary_term: 1,
      },
    };
  }

  async function getDocument(index: string, id: string): Promise<Reply> {
    const file = join(root, index, documentFileName(id));
    if (!existsSync(file)) return { status: 404, body: { _index: index, _id: id, found: false } };
    const source: unknown = JSON.parse(await readFile(file, 'utf8'));
    const version = versions.get(`${index}/${id}`) ?? 1;
    return {
      status: 200,
      body: {
        _index: index,
        _id: id,
        _version: version,
        _seq_no: version - 1,
        _primary_term: 1,
        found: true,
        _source: source,
      },
    };
  }

  async function route(
    method: string,
    segments: string[],
    body: unknown,
    params: URLSearchParams,
  ): Promise<Reply> {
    const [first, second, third] = segments;
    const action = segments.at(-1);
    if (first === '_plugins' && second === '_security')
      return security.route(method, segments.slice(2), body);
    if ((action === '_search' || action === '_count') && segments.length <= 2 && /GET|POST/.test(method)) {
      return query(segments.length === 2 ? first : undefined, action, body, params);
    }
    if (segments.length === 2 && first === '_index_template' && second) {
      if (method === 'PUT' || method === 'POST') {
        templates.set(second, body);
        return { status: 200, body: { acknowledged: true } };
      }
      if (method === 'GET') {
        const template = templates.get(second);
        if (template === undefined) {
          return error(404, 'resource_not_found_exception', `index template matching [${second}] not found`);
        }
        return { status: 200, body: { index_templates: [{ name: second, index_template: template }] } };
      }
    }
    if (segments.length === 3 && second === '_doc' && first && third) {
      if (method === 'PUT' || method === 'POST') {
        const opType = params.get('op_type') ?? 'index';
        if (opType !== 'index' && opType !== 'create') {
          return error(
            400,
            'illegal_argument_exception',
            `opType must be 'create' or 'index', found: [${opType}]`,
          );
        }
        return putDocument(first, third, body, opType === 'create');
      }
      if (method === 'GET') return getDocument(first, third);
    }
    if (segments.length === 3 && second === '_create' && first && third && /PUT|POST/.test(method)) {
      return putDocument(first, third, body, true);
    }
    return error(
      400,
      'illegal_argument_exception',
      `no handler found for uri [/${segments.join('/')}] and method [${method}]`,
    );
  }

  async function answer(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const path = url.pathname;
    const segments = path
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent);
    const text = await readBody(request);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return error(400, 'parse_exception', 'request body is not valid JSON');
    }
    return route(request.method ?? 'GET', segments, body, url.searchParams);
  }

  const server = createServer((request, response) => {
    answer(request)
      .catch((cause: unknown) =>
        error(500, 'exception', cause instanceof Error ? cause.message : 'internal error'),
      )
      .then((reply) => send(response, reply));
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server), documents, security };
}

function globPattern(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

function error(status: number, type: string, reason: string): Reply {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}

/** A version conflict as OpenSearch reports it, with the index and shard it happened on. */
function conflict(reason: string, index: string): Record<string, unknown> {
  const cause = { type: 'version_conflict_engine_exception', reason, index, shard: '0', index_uuid: 'fake' };
  return { error: { root_cause: [cause], ...cause }, status: 409 };
}

function send(response: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
