import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type * as GitHubModule from '../../functions/lib/clients/github';
import type { GitHubCredentials } from '../../functions/lib/clients/github';
import type * as HooksModule from '../../functions/lib/redelivery/hooks';
import type { HookTarget } from '../../functions/lib/redelivery/hooks';
import type * as LedgerModule from '../../functions/lib/redelivery/ledger';
import type * as ReconcileModule from '../../functions/lib/redelivery/reconcile';
import type { RedeliveryPolicy } from '../../functions/lib/redelivery/reconcile';
import type * as RunModule from '../../functions/lib/redelivery/run';
import type { RunSummary } from '../../functions/lib/redelivery/run';
import { createTable, type RunningEmulator, startDynalite } from '../support/emulators';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github';

// The DynamoDB client is module-scope: the endpoint must be set before the modules under test load.
let dynalite: RunningEmulator;
let github: typeof GitHubModule;
let ledger: typeof LedgerModule;
let run: typeof RunModule;
let reconcile: typeof ReconcileModule;
let hooks: typeof HooksModule;

beforeAll(async () => {
  dynalite = await startDynalite();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynalite.endpoint;
  github = require('../../functions/lib/clients/github') as typeof GitHubModule;
  ledger = require('../../functions/lib/redelivery/ledger') as typeof LedgerModule;
  run = require('../../functions/lib/redelivery/run') as typeof RunModule;
  reconcile = require('../../functions/lib/redelivery/reconcile') as typeof ReconcileModule;
  hooks = require('../../functions/lib/redelivery/hooks') as typeof HooksModule;
});

afterAll(async () => {
  await dynalite.stop();
});

const TOKEN = 'github_pat_11AAAAAAA0fake0token';
const REPO_HOOK = 'repos/octo-org/hello-world/hooks/1';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A table shaped like RedeliveryStateTable in template.yaml, fresh for each test. */
async function createStateTable(): Promise<string> {
  const tableName = `redelivery-${randomUUID()}`;
  await createTable(dynalite.endpoint, tableName, 'hook', 'entry');
  return tableName;
}

interface Harness {
  fake: FakeGitHub;
  store: InstanceType<typeof ledger.LedgerStore>;
  runOnce(options?: {
    hooks?: string[];
    maxPerRun?: number;
    policy?: Partial<RedeliveryPolicy>;
    clockOffsetMs?: number;
    dryRun?: boolean;
    credentials?: GitHubCredentials;
    rateLimitMaxWaitSeconds?: number;
  }): Promise<RunSummary>;
}

async function harness(fake: FakeGitHub): Promise<Harness> {
  const store = new ledger.LedgerStore(await createStateTable());
  return {
    fake,
    store,
    runOnce: (options = {}) => {
      const deadline = Date.now() + 60_000;
      const client = github.createGitHubClient({
        credentials: options.credentials ?? { type: 'token', token: TOKEN },
        baseUrl: fake.url,
        rateLimit: { maxWaitSeconds: options.rateLimitMaxWaitSeconds ?? 10, deadline },
      });
      const targets: HookTarget[] = hooks.parseHookTargets(options.hooks ?? ['repo:octo-org/hello-world:1']);
      return run.runRedelivery(
        { client, store, runId: randomUUID(), now: () => Date.now() + (options.clockOffsetMs ?? 0) },
        {
          hooks: targets,
          lookbackMs: 24 * HOUR,
          maxPerRun: options.maxPerRun ?? 50,
          policy: { ...reconcile.DEFAULT_POLICY, ...options.policy },
          deadline,
          dryRun: options.dryRun,
        },
      );
    },
  };
}

const listRequests = (fake: FakeGitHub) =>
  fake.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/deliveries'));

describe('redelivery against a GitHub-like API', () => {
  let fake: FakeGitHub;
  let h: Harness;

  beforeEach(async () => {
    fake = await startFakeGitHub({ token: TOKEN });
    h = await harness(fake);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('follows the Link cursor across pages and redelivers the newest attempt of a guid with only failures', async () => {
    const now = Date.now();
    for (let i = 0; i < 230; i += 1)
      fake.addDelivery(REPO_HOOK, { statusCode: 200, deliveredAt: now - 2 * HOUR });
    const original = fake.addDelivery(REPO_HOOK, { statusCode: 502, deliveredAt: now - 3 * HOUR + MINUTE });
    const manualRetry = fake.addDelivery(REPO_HOOK, {
      guid: original.guid,
      statusCode: 500,
      redelivery: true,
      deliveredAt: now - 3 * HOUR + 2 * MINUTE,
    });
    // Ids grow with time: older deliveries get lower ids, so they come last in the newest-first list.
    fake.deliveries(REPO_HOOK).forEach((delivery, index, all) => {
      delivery.id = 20_000_000_000 + (all.length - index) * (delivery.guid === original.guid ? -1 : 1);
    });

    const summary = await h.runOnce();

    const pages = listRequests(fake);
    expect(pages).toHaveLength(3);
    expect(pages.map((page) => page.query.get('per_page'))).toEqual(['100', '100', '100']);
    expect(pages[0]?.query.get('cursor')).toBeNull();
    expect(pages[1]?.query.get('cursor')).toMatch(/^v1_\d+$/);
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: manualRetry.id }]);
    expect(summary).toMatchObject({ found: 1, redelivered: 1, rateLimited: false });
  });

  it('stops paging at the lookback window and ignores failures older than it', async () => {
    const now = Date.now();
    for (let i = 0; i < 150; i += 1)
      fake.addDelivery(REPO_HOOK, { statusCode: 503, deliveredAt: now - 30 * HOUR });
    for (let i = 0; i < 120; i += 1)
      fake.addDelivery(REPO_HOOK, { statusCode: 200, deliveredAt: now - HOUR });

    const summary = await h.runOnce();

    expect(listRequests(fake)).toHaveLength(2);
    expect(fake.redeliveries).toEqual([]);
    expect(summary).toMatchObject({ found: 0, redelivered: 0 });
  });

  it('never redelivers a guid that has a successful attempt among failed ones', async () => {
    const now = Date.now();
    const first = fake.addDelivery(REPO_HOOK, { statusCode: 502, deliveredAt: now - 40 * MINUTE });
    fake.addDelivery(REPO_HOOK, {
      guid: first.guid,
      statusCode: 0,
      redelivery: true,
      deliveredAt: now - 30 * MINUTE,
    });
    fake.addDelivery(REPO_HOOK, {
      guid: first.guid,
      statusCode: 202,
      redelivery: true,
      deliveredAt: now - 20 * MINUTE,
    });
    fake.addDelivery(REPO_HOOK, {
      guid: first.guid,
      statusCode: 504,
      redelivery: true,
      deliveredAt: now - 10 * MINUTE,
    });

    const summary = await h.runOnce();

    expect(fake.redeliveries).toEqual([]);
    expect(summary).toMatchObject({ found: 0, redelivered: 0 });
  });

  it('leaves alone a guid whose only attempts in view are redeliveries made by someone else', async () => {
    const now = Date.now();
    fake.addDelivery(REPO_HOOK, { statusCode: 500, redelivery: true, deliveredAt: now - 5 * MINUTE });

    const summary = await h.runOnce();

    expect(fake.redeliveries).toEqual([]);
    expect(summary.found).toBe(0);
  });

  it('backs off on a primary rate limit (403, x-ratelimit-remaining 0) until the reset, then succeeds', async () => {
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 503, deliveredAt: Date.now() - MINUTE });
    fake.rateLimitNext({ kind: 'primary', resetInSeconds: 1, method: 'GET' });

    const summary = await h.runOnce();

    expect(listRequests(fake)).toHaveLength(2);
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
    expect(summary).toMatchObject({ redelivered: 1, rateLimited: false });
  });

  it('backs off on a secondary rate limit (429, retry-after), then redelivers once', async () => {
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 503, deliveredAt: Date.now() - MINUTE });
    fake.rateLimitNext({ kind: 'secondary', retryAfterSeconds: 1, method: 'POST' });

    const summary = await h.runOnce();

    const posts = fake.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
    expect(summary).toMatchObject({ redelivered: 1, rateLimited: false });
  });

  it('does not wait for a reset beyond its bound: it stops, keeps the cursor, and the next run catches up', async () => {
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 503, deliveredAt: Date.now() - MINUTE });
    fake.rateLimitNext({ kind: 'primary', resetInSeconds: 3600, method: 'GET' });

    const limited = await h.runOnce({ rateLimitMaxWaitSeconds: 60 });
    const state = await h.store.load('repo:octo-org/hello-world:1', Date.now());
    const next = await h.runOnce();

    expect(limited).toMatchObject({ rateLimited: true, redelivered: 0 });
    expect(state.cursor).toBeUndefined();
    expect(next).toMatchObject({ rateLimited: false, found: 1, redelivered: 1 });
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
  });

  it('redelivers at most the cap per run, oldest first, and the rest in later runs', async () => {
    const now = Date.now();
    const failed = [5, 4, 3, 2, 1].map((age) =>
      fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: now - age * MINUTE }),
    );

    const first = await h.runOnce({ maxPerRun: 2 });
    const afterFirst = fake.redeliveries.map((r) => r.deliveryId);
    const second = await h.runOnce({ maxPerRun: 2 });
    const third = await h.runOnce({ maxPerRun: 2 });

    expect(afterFirst).toEqual([failed[0]?.id, failed[1]?.id]);
    expect(first).toMatchObject({ found: 5, redelivered: 2, deferred: 3 });
    expect(second).toMatchObject({ found: 0, redelivered: 2, deferred: 1 });
    expect(third).toMatchObject({ found: 0, redelivered: 1, deferred: 0 });
    expect(fake.redeliveries.map((r) => r.deliveryId).sort()).toEqual(failed.map((d) => d.id).sort());
  });

  it('persists the cursor: a second run reads one page and redelivers nothing new', async () => {
    const now = Date.now();
    for (let i = 0; i < 250; i += 1)
      fake.addDelivery(REPO_HOOK, { statusCode: 200, deliveredAt: now - 3 * HOUR });
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 502, deliveredAt: now - 2 * MINUTE });

    const first = await h.runOnce();
    const pagesOfFirst = listRequests(fake).length;
    const state = await h.store.load('repo:octo-org/hello-world:1', Date.now());
    const second = await h.runOnce();

    expect(first).toMatchObject({ found: 1, redelivered: 1 });
    expect(pagesOfFirst).toBe(3);
    expect(state.cursor).toBe(Date.parse(failed.delivered_at));
    expect(second).toMatchObject({ found: 0, redelivered: 0, recovered: 1 });
    expect(listRequests(fake).length - pagesOfFirst).toBe(1);
    expect(fake.redeliveries).toHaveLength(1);
  });

  it('retries a guid whose redelivery failed again, after the backoff, and gives up after the last attempt', async () => {
    fake.redeliveryStatusCode = () => 503;
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 503, deliveredAt: Date.now() - MINUTE });
    const policy = { maxRedeliveries: 2 };

    const first = await h.runOnce({ policy });
    const tooSoon = await h.runOnce({ policy });
    const afterBackoff = await h.runOnce({ policy, clockOffsetMs: 16 * MINUTE });
    const exhausted = await h.runOnce({ policy, clockOffsetMs: 60 * MINUTE });
    const afterwards = await h.runOnce({ policy, clockOffsetMs: 120 * MINUTE });

    const attempts = fake.deliveries(REPO_HOOK).filter((d) => d.guid === failed.guid);
    expect(first).toMatchObject({ found: 1, redelivered: 1, stillFailing: 0 });
    expect(tooSoon).toMatchObject({ found: 0, redelivered: 0, stillFailing: 1 });
    expect(afterBackoff).toMatchObject({ redelivered: 1, stillFailing: 0 });
    expect(exhausted).toMatchObject({ redelivered: 0, stillFailing: 1, gaveUp: 1 });
    expect(afterwards).toMatchObject({ redelivered: 0, gaveUp: 0, found: 0 });
    // Each redelivery asked for the newest failed attempt of the guid.
    expect(fake.redeliveries.map((r) => r.deliveryId)).toEqual([attempts[0]?.id, attempts[1]?.id]);
  });

  it('gives up on a delivery GitHub no longer has', async () => {
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: Date.now() - MINUTE });
    const deferred = await h.runOnce({ maxPerRun: 0 });
    fake.expireDeliveries(REPO_HOOK, failed.guid);

    const expired = await h.runOnce();
    const afterwards = await h.runOnce();

    expect(deferred).toMatchObject({ found: 1, redelivered: 0, deferred: 1 });
    expect(expired).toMatchObject({ redelivered: 0, gaveUp: 1 });
    expect(afterwards).toMatchObject({ redelivered: 0, gaveUp: 0, deferred: 0 });
    expect(fake.redeliveries).toEqual([]);
  });

  it('counts a refused redelivery (422) as an attempt and tries again after the backoff', async () => {
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: Date.now() - MINUTE });
    fake.refuseNext({ status: 422, method: 'POST' });

    const refused = await h.runOnce();
    const tooSoon = await h.runOnce();
    const later = await h.runOnce({ clockOffsetMs: 16 * MINUTE });

    expect(refused).toMatchObject({ found: 1, redelivered: 0 });
    expect(tooSoon).toMatchObject({ redelivered: 0 });
    expect(later).toMatchObject({ redelivered: 1 });
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
  });

  it('reports a redelivery that keeps failing on the server and keeps the delivery for the next run', async () => {
    fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: Date.now() - MINUTE });
    for (let i = 0; i < 3; i += 1) fake.refuseNext({ status: 500, method: 'POST' });

    const failing = await h.runOnce();
    const next = await h.runOnce();

    expect(failing.hooks[0]?.error).toMatch(/^Server Error/);
    expect(failing.redelivered).toBe(0);
    expect(next).toMatchObject({ redelivered: 1 });
  });

  it('plans without acting on a dry run', async () => {
    const failed = fake.addDelivery(REPO_HOOK, {
      statusCode: 500,
      deliveredAt: Date.now() - MINUTE,
      event: 'issues',
    });

    const dry = await h.runOnce({ dryRun: true });
    const state = await h.store.load('repo:octo-org/hello-world:1', Date.now());

    expect(dry.planned).toEqual([
      {
        hook: 'repo:octo-org/hello-world:1',
        guid: failed.guid,
        deliveryId: String(failed.id),
        event: 'issues',
      },
    ]);
    expect(fake.redeliveries).toEqual([]);
    expect(state).toEqual({ entries: new Map() });
  });

  it('skips a run while another one holds the lease', async () => {
    fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: Date.now() - MINUTE });
    await h.store.acquireLease('other-run', Date.now() + 60_000, Date.now());

    const summary = await h.runOnce();

    expect(summary.skipped).toBe(true);
    expect(fake.requests).toEqual([]);
  });

  it('reports a hook GitHub does not know and still serves the others', async () => {
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: Date.now() - MINUTE });

    const summary = await h.runOnce({ hooks: ['repo:octo-org/missing:9', 'repo:octo-org/hello-world:1'] });

    expect(summary.hooks.map((hook) => [hook.hook, hook.error !== undefined])).toEqual([
      ['repo:octo-org/missing:9', true],
      ['repo:octo-org/hello-world:1', false],
    ]);
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
  });
});

describe('redelivery as a GitHub App on GitHub Enterprise Server', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const credentials: GitHubCredentials = { type: 'app', appId: '424242', privateKey, installationId: 7 };
  let fake: FakeGitHub;

  beforeEach(async () => {
    fake = await startFakeGitHub({
      app: { appId: '424242', publicKey, installationId: 7 },
      pathPrefix: '/api/v3',
    });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('uses the App JWT for its own webhook and an installation token for an organization webhook', async () => {
    const h = await harness(fake);
    const appFailure = fake.addDelivery('app/hook', { statusCode: 500, deliveredAt: Date.now() - MINUTE });
    const orgFailure = fake.addDelivery('orgs/octo-org/hooks/2', {
      statusCode: 0,
      deliveredAt: Date.now() - MINUTE,
    });

    const summary = await h.runOnce({ hooks: ['app', 'org:octo-org:2'], credentials });

    const byPath = (prefix: string) => fake.requests.filter((r) => r.path.startsWith(prefix));
    expect(summary).toMatchObject({ found: 2, redelivered: 2 });
    expect(fake.redeliveries).toEqual([
      { hook: 'app/hook', deliveryId: appFailure.id },
      { hook: 'orgs/octo-org/hooks/2', deliveryId: orgFailure.id },
    ]);
    expect(byPath('/app/hook').every((r) => r.authorization?.startsWith('bearer '))).toBe(true);
    expect(fake.installationTokens).toHaveLength(1);
    expect(byPath('/orgs/').every((r) => r.authorization === `token ${fake.installationTokens[0]}`)).toBe(
      true,
    );
  });
});
