import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Hit } from '../fakes/opensearch-query';
import { matches } from '../fakes/opensearch-query';
import { type ActionContext, deadLetters, redriveDeadLetter, replayEvent, resend } from './actions';
import type { DeliveryStore } from './store';
import type { Detail, Filters } from './types';

/** Where `npm run build` puts the page's bundle (scripts/build.ts). */
export const CONSOLE_ASSETS = join(__dirname, '..', '..', 'dist', 'console');

export interface ConsoleOptions extends ActionContext {
  store: DeliveryStore;
  /** The indexed documents, when the OpenSearch stand-in runs (free text searches them). */
  documents?: () => Promise<Hit[]>;
  assetsDir?: string;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Webhook pipeline: local console</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<div id="app"><p>Loading the console…</p></div>
<noscript>The console needs JavaScript; the same data is in <code>npm run events</code>.</noscript>
<script src="/console/app.js"></script>
</body>
</html>
`;

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(text);
}

function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of ['source', 'type', 'subject', 'status', 'q'] as const) {
    const value = params.get(name)?.trim();
    if (value) filters[name] = value;
  }
  const limit = Number(params.get('limit'));
  if (Number.isSafeInteger(limit) && limit > 0) filters.limit = Math.min(limit, 5000);
  return filters;
}

/**
 * The local console on the API's own port: the page and its assets, the deliveries as JSON, a
 * server-sent event stream of every change, and the actions (resend, replay, redrive). Routes other
 * than these are left to the API Gateway player.
 */
export function consoleRoutes(options: ConsoleOptions): {
  handle: (request: IncomingMessage, response: ServerResponse) => boolean;
  close(): void;
} {
  const assets = options.assetsDir ?? CONSOLE_ASSETS;
  const clients = new Set<ServerResponse>();
  const broadcast = (frame: string) => {
    for (const client of clients) client.write(frame);
  };
  const unsubscribeRows = options.store.subscribe((row) =>
    broadcast(`event: row\ndata: ${JSON.stringify(row)}\n\n`),
  );
  const unsubscribeDeadLetters = options.store.onDeadLetter(() =>
    broadcast('event: dead-letter\ndata: {}\n\n'),
  );

  async function textMatches(q: string | undefined): Promise<Set<string> | undefined> {
    if (!q || !options.documents) return undefined;
    const found = new Set<string>();
    for (const hit of await options.documents()) {
      try {
        if (matches({ query_string: { query: q } }, hit.source)) found.add(hit.id);
      } catch {
        // A query the evaluator refuses matches nothing.
      }
    }
    return found;
  }

  async function detail(key: string): Promise<Detail | undefined> {
    const found = options.store.detail(key);
    if (!found) return undefined;
    const { index, ...rest } = found;
    const eventKey = found.row.eventKey;
    const hit =
      eventKey && options.documents
        ? (await options.documents()).find((doc) => doc.id === eventKey && (!index || doc.index === index))
        : undefined;
    return { ...rest, ...(hit && { document: { index: hit.index, id: hit.id, source: hit.source } }) };
  }

  async function api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = request.method ?? 'GET';
    const [, resource, key, action] = parts;
    // Actions need a header a page of another origin cannot send without a preflight this server never
    // grants, so no web page can make the console resend or redrive.
    if (method === 'POST' && request.headers['x-console-action'] !== '1') {
      return json(response, 403, { message: 'console actions need the X-Console-Action: 1 header' });
    }
    if (method === 'GET' && resource === 'deliveries' && !key) {
      const filters = filtersOf(url.searchParams);
      const listed = options.store.list(filters, await textMatches(filters.q));
      return json(response, 200, {
        ...listed,
        sources: options.store.values('source'),
        types: options.store.values('type'),
      });
    }
    if (method === 'GET' && resource === 'deliveries' && key && !action) {
      const found = await detail(key);
      return found ? json(response, 200, found) : json(response, 404, { message: `no delivery ${key}` });
    }
    if (
      method === 'POST' &&
      resource === 'deliveries' &&
      key &&
      (action === 'resend' || action === 'replay')
    ) {
      const result = action === 'resend' ? await resend(options, key) : await replayEvent(options, key);
      return json(response, result.ok ? 200 : 409, result);
    }
    if (method === 'GET' && resource === 'dead-letters' && !key) {
      return json(response, 200, { deadLetters: deadLetters(options.dir) });
    }
    if (method === 'POST' && resource === 'dead-letters' && key && action === 'redrive') {
      const result = await redriveDeadLetter(options, Number(key));
      return json(response, result.ok ? 200 : 409, result);
    }
    if (method === 'GET' && resource === 'stream') {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      response.write(': connected\n\n');
      clients.add(response);
      const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
      heartbeat.unref();
      request.on('close', () => {
        clearInterval(heartbeat);
        clients.delete(response);
      });
      return;
    }
    json(response, 404, { message: `no console route ${method} ${url.pathname}` });
  }

  const handle = (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (request.method === 'GET' && (path === '/' || path === '/index.html')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(PAGE);
      return true;
    }
    if (request.method === 'GET' && path === '/favicon.ico') {
      response.writeHead(204);
      response.end();
      return true;
    }
    const asset = /^\/console\/(app\.js|app\.css)$/.exec(path)?.[1];
    if (request.method === 'GET' && asset) {
      const file = join(assets, asset);
      if (!existsSync(file)) {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end(`${file} is missing: run npm run build`);
        return true;
      }
      response.writeHead(200, {
        'content-type': asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      });
      response.end(readFileSync(file));
      return true;
    }
    if (!path.startsWith('/api/')) return false;
    api(request, response, url).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { message: (error as Error).message });
      else response.end();
    });
    return true;
  };
  return {
    handle,
    close: () => {
      unsubscribeRows();
      unsubscribeDeadLetters();
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}
