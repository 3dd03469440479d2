import { randomBytes, randomUUID, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers like GitHub's REST API for webhook deliveries, with the shapes and
 * headers GitHub documents: "List deliveries for a repository/organization/app webhook" (newest first,
 * `per_page` up to 100, `cursor` pagination announced in the Link header), "Redeliver a delivery" (202,
 * a new attempt with the same guid and `redelivery: true`), the installation token exchange of GitHub
 * Apps, and the primary (403, x-ratelimit-remaining 0) and secondary (429, retry-after) rate limits.
 */

/** GitHub's "hook-delivery-item". */
export interface FakeDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: string | null;
}

export interface RecordedRequest {
  method: string;
  /** Path without the API prefix, e.g. `/repos/octo-org/hello-world/hooks/1/deliveries`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export interface FakeAppOptions {
  appId: string;
  /** PEM public key matching the App's private key: JWTs are verified with it. */
  publicKey: string;
  installationId: number;
}

export interface FakeGitHubOptions {
  /** Token accepted as `Authorization: token|bearer <token>`. */
  token?: string;
  app?: FakeAppOptions;
  /** Path GitHub Enterprise Server puts before the API (`/api/v3`). */
  pathPrefix?: string;
}

export type RateLimitAnswer =
  | { kind: 'primary'; resetInSeconds: number; method?: string }
  | { kind: 'secondary'; retryAfterSeconds: number; method?: string };

export interface NewDelivery {
  guid?: string;
  statusCode: number;
  deliveredAt: Date | number;
  redelivery?: boolean;
  event?: string;
  action?: string | null;
}

export interface FakeGitHub {
  /** Base URL to give Octokit (`http://127.0.0.1:<port>[/api/v3]`). */
  url: string;
  requests: RecordedRequest[];
  /** Redeliveries GitHub accepted: the hook path and the delivery id asked for. */
  redeliveries: Array<{ hook: string; deliveryId: number }>;
  /** Installation tokens handed out. */
  installationTokens: string[];
  /** Status code of the attempt GitHub makes when asked to redeliver (default 200). */
  redeliveryStatusCode: (original: FakeDelivery) => number;
  /** `hook` is `repos/<owner>/<repo>/hooks/<id>`, `orgs/<org>/hooks/<id>` or `app/hook`. */
  addDelivery(hook: string, delivery: NewDelivery): FakeDelivery;
  deliveries(hook: string): FakeDelivery[];
  /** The hook is deleted: GitHub answers 404 for it from now on. */
  deleteHook(hook: string): void;
  /** GitHub forgot these attempts (it keeps deliveries for 3 days): unlisted, and 404 on redelivery. */
  expireDeliveries(hook: string, guid: string): void;
  /** The next matching request is refused with this status and GitHub's error body. */
  refuseNext(refusal: { status: 404 | 422 | 500; method?: string }): void;
  /** The next matching request is answered with this rate-limit error instead. */
  rateLimitNext(answer: RateLimitAnswer): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

/** GitHub's timestamps have whole seconds. */
const githubTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function statusText(code: number): string {
  if (code >= 200 && code < 300) return 'OK';
  if (code === 0) return 'timed out';
  return `Invalid HTTP Response: ${code}`;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const prefix = options.pathPrefix ?? '';
  const hooks = new Map<string, FakeDelivery[]>();
  const rateLimits: RateLimitAnswer[] = [];
  const refusals: Array<{ status: 404 | 422 | 500; method?: string }> = [];
  const installationTokens: string[] = [];
  let nextId = 12_000_000_000;

  const fake: FakeGitHub = {
    url: '',
    requests: [],
    redeliveries: [],
    installationTokens,
    redeliveryStatusCode: () => 200,
    addDelivery(hook, delivery) {
      const item: FakeDelivery = {
        id: nextId++,
        guid: delivery.guid ?? randomUUID(),
        delivered_at: githubTime(Number(delivery.deliveredAt)),
        redelivery: delivery.redelivery ?? false,
        duration: 0.27,
        status: statusText(delivery.statusCode),
        status_code: delivery.statusCode,
        event: delivery.event ?? 'push',
        action: delivery.action ?? null,
        installation_id: options.app ? options.app.installationId : null,
        repository_id: hook.startsWith('repos/') ? 1296269 : null,
        throttled_at: null,
      };
      const list = hooks.get(hook) ?? [];
      list.push(item);
      hooks.set(hook, list);
      return item;
    },
    deliveries: (hook) => [...(hooks.get(hook) ?? [])],
    deleteHook: (hook) => void hooks.delete(hook),
    expireDeliveries: (hook, guid) =>
      void hooks.set(
        hook,
        (hooks.get(hook) ?? []).filter((d) => d.guid !== guid),
      ),
    refuseNext: (refusal) => void refusals.push(refusal),
    rateLimitNext: (answer) => void rateLimits.push(answer),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 500, { message: String(error), documentation_url: DOCS }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await drain(req);
    const url = new URL(req.url ?? '/', fake.url);
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    fake.requests.push({ method, path, query: url.searchParams, authorization: req.headers.authorization });

    const limitIndex = rateLimits.findIndex((answer) => !answer.method || answer.method === method);
    const limit = limitIndex >= 0 ? rateLimits.splice(limitIndex, 1)[0] : undefined;
    if (limit?.kind === 'primary') {
      const reset = Math.floor(Date.now() / 1000) + limit.resetInSeconds;
      return send(
        res,
        403,
        {
          message:
            'API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
        },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset) },
      );
    }
    if (limit?.kind === 'secondary') {
      return send(
        res,
        429,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
        },
        { 'retry-after': String(limit.retryAfterSeconds) },
      );
    }

    const refusalIndex = refusals.findIndex((refusal) => !refusal.method || refusal.method === method);
    const refusal = refusalIndex >= 0 ? refusals.splice(refusalIndex, 1)[0] : undefined;
    if (refusal) {
      const messages = { 404: 'Not Found', 422: 'Validation Failed', 500: 'Server Error' };
      return send(res, refusal.status, {
        message: messages[refusal.status],
        documentation_url: DOCS,
        status: String(refusal.status),
      });
    }

    const tokenExchange = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (method === 'POST' && tokenExchange) {
      if (!options.app || !validAppJwt(req.headers.authorization, options.app)) return unauthorized(res);
      if (Number(tokenExchange[1]) !== options.app.installationId) return notFound(res);
      const token = `ghs_${randomBytes(18).toString('base64url')}`;
      installationTokens.push(token);
      return send(res, 201, {
        token,
        expires_at: githubTime(Date.now() + 3_600_000),
        permissions: { repository_hooks: 'write', organization_hooks: 'write' },
        repository_selection: 'all',
      });
    }

    const route =
      /^\/(repos\/[^/]+\/[^/]+\/hooks\/\d+|orgs\/[^/]+\/hooks\/\d+|app\/hook)\/deliveries(?:\/(\d+)\/attempts)?$/.exec(
        path,
      );
    if (!route?.[1]) return notFound(res);
    const hook = route[1];
    if (!authorized(req.headers.authorization, hook === 'app/hook')) return unauthorized(res);
    const list = hooks.get(hook);
    if (!list) return notFound(res);

    if (method === 'POST' && route[2]) {
      const original = list.find((delivery) => String(delivery.id) === route[2]);
      if (!original) return notFound(res);
      fake.redeliveries.push({ hook, deliveryId: original.id });
      fake.addDelivery(hook, {
        guid: original.guid,
        statusCode: fake.redeliveryStatusCode(original),
        deliveredAt: Date.now(),
        redelivery: true,
        event: original.event,
        action: original.action,
      });
      return send(res, 202, {});
    }
    if (method !== 'GET' || route[2]) return notFound(res);

    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, 100);
    const cursor = /^v1_(\d+)$/.exec(url.searchParams.get('cursor') ?? '');
    const newestFirst = [...list].sort((a, b) => b.id - a.id);
    const rest = cursor ? newestFirst.filter((delivery) => delivery.id < Number(cursor[1])) : newestFirst;
    const page = rest.slice(0, perPage);
    const last = page[page.length - 1];
    const headers: Record<string, string> = {};
    if (last && rest.length > page.length) {
      const next = new URL(`${fake.url}/${hook}/deliveries`);
      next.searchParams.set('per_page', String(perPage));
      next.searchParams.set('cursor', `v1_${last.id}`);
      headers.link = `<${next}>; rel="next"`;
    }
    return send(res, 200, page, headers);
  }

  function authorized(header: string | undefined, appRoute: boolean): boolean {
    const [scheme, credential] = (header ?? '').split(' ');
    if (!scheme || !credential) return false;
    if (options.app) {
      return appRoute
        ? scheme.toLowerCase() === 'bearer' && validAppJwt(header, options.app)
        : scheme.toLowerCase() === 'token' && installationTokens.includes(credential);
    }
    return !appRoute && credential === options.token && /^(token|bearer)$/i.test(scheme);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
  return fake;
}

/** An RS256 JWT signed by the App's private key, issued by the App, not expired. */
function validAppJwt(header: string | undefined, app: FakeAppOptions): boolean {
  const [scheme, jwt] = (header ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !jwt) return false;
  const [head, body, signature] = jwt.split('.');
  if (!head || !body || !signature) return false;
  const header_ = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { iss?: unknown; exp?: number };
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${head}.${body}`),
    app.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  return (
    signed &&
    header_.alg === 'RS256' &&
    String(claims.iss) === app.appId &&
    (claims.exp ?? 0) > Date.now() / 1000
  );
}

// Request bodies carry nothing these endpoints need, but must be read before answering.
async function drain(req: IncomingMessage): Promise<void> {
  for await (const chunk of req) void chunk;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const resetAt = String(Math.floor(Date.now() / 1000) + 3600);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': randomUUID().toUpperCase(),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': resetAt,
    'x-ratelimit-resource': 'core',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

const unauthorized = (res: ServerResponse) =>
  send(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
const notFound = (res: ServerResponse) =>
  send(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
