import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type * as ObservabilityModule from '../../functions/lib/observability';
import type * as HandlerModule from '../../functions/redelivery/handler';
import { createTable, type RunningEmulator, startDynalite } from '../support/emulators';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github';

// Secrets Manager has no emulator: it is the one client mocked here. DynamoDB is dynalite, GitHub the fake.
const secrets = mockClient(SecretsManagerClient);
const TOKEN = 'github_pat_11BBBBBBB0handler0token';
const TABLE = 'webhook-redelivery';
const REPO_HOOK = 'repos/octo-org/hello-world/hooks/1';
const GONE_HOOK = 'repos/octo-org/retired/hooks/3';

let dynalite: RunningEmulator;
let fake: FakeGitHub;
let handlerModule: typeof HandlerModule;
let observability: typeof ObservabilityModule;

const scheduledEvent = JSON.parse(
  readFileSync(join(__dirname, '../../events/redelivery/scheduled.json'), 'utf8'),
) as HandlerModule.RedeliveryEvent;

function lambdaContext(): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: 'RedeliveryFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:RedeliveryFunction',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/RedeliveryFunction',
    logStreamName: '2026/05/04/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function useSecret(value: string): void {
  // A fresh ARN per test: the secrets provider caches by name.
  process.env.GITHUB_CREDENTIALS_SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:github-${randomUUID()}`;
  secrets.on(GetSecretValueCommand).resolves({ SecretString: value });
}

beforeAll(async () => {
  dynalite = await startDynalite();
  // Shaped like RedeliveryStateTable in template.yaml.
  await createTable(dynalite.endpoint, TABLE, 'hook', 'entry');
  fake = await startFakeGitHub({ token: TOKEN });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    REDELIVERY_HOOKS: 'repo:octo-org/hello-world:1,repo:octo-org/retired:3',
    REDELIVERY_TABLE: TABLE,
    GITHUB_API_URL: fake.url,
  });
  handlerModule = require('../../functions/redelivery/handler') as typeof HandlerModule;
  observability = require('../../functions/lib/observability') as typeof ObservabilityModule;
});

afterAll(async () => {
  await fake.close();
  await dynalite.stop();
});

afterEach(() => {
  secrets.reset();
  jest.restoreAllMocks();
});

describe('RedeliveryFunction handler', () => {
  it('redelivers failed deliveries on a scheduled event and emits the metrics', async () => {
    useSecret(JSON.stringify({ token: TOKEN }));
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 502, deliveredAt: Date.now() - 60_000 });
    fake.addDelivery(GONE_HOOK, { statusCode: 200, deliveredAt: Date.now() - 60_000 });
    const addMetric = jest.spyOn(observability.metrics, 'addMetric');

    const summary = await handlerModule.handler(scheduledEvent, lambdaContext());

    expect(summary).toMatchObject({ found: 1, redelivered: 1, stillFailing: 0 });
    expect(fake.redeliveries).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
    const emitted = Object.fromEntries(addMetric.mock.calls.map(([name, , value]) => [name, value]));
    expect(emitted).toMatchObject({ FailedDeliveriesFound: 1, Redelivered: 1, StillFailing: 0 });
  });

  it('fails the invocation, after doing what it could, when a hook cannot be listed', async () => {
    useSecret(JSON.stringify({ token: TOKEN }));
    const failed = fake.addDelivery(REPO_HOOK, { statusCode: 500, deliveredAt: Date.now() - 30_000 });
    fake.deleteHook(GONE_HOOK);
    const before = fake.redeliveries.length;

    const outcome = handlerModule.handler(scheduledEvent, lambdaContext());

    await expect(outcome).rejects.toThrow('redelivery failed for repo:octo-org/retired:3');
    expect(fake.redeliveries.slice(before)).toEqual([{ hook: REPO_HOOK, deliveryId: failed.id }]);
  });

  it('refuses credentials it cannot use, without echoing them', async () => {
    useSecret(JSON.stringify({ appId: 'not-a-number', privateKey: 'super-secret-value' }));

    const outcome = handlerModule.handler(scheduledEvent, lambdaContext());

    await expect(outcome).rejects.toThrow(/"appId" must be the GitHub App's numeric id/);
    await expect(outcome).rejects.not.toThrow(/super-secret-value/);
  });
});

describe('RedeliveryFunction with RedeliveryHooks empty (the template default)', () => {
  it('starts and does nothing, reading no credentials', async () => {
    const previous = process.env.REDELIVERY_HOOKS;
    process.env.REDELIVERY_HOOKS = '';
    let coldStarted: typeof HandlerModule | undefined;
    try {
      jest.isolateModules(() => {
        coldStarted = require('../../functions/redelivery/handler') as typeof HandlerModule;
      });
    } finally {
      process.env.REDELIVERY_HOOKS = previous;
    }

    const summary = await (coldStarted as typeof HandlerModule).handler(scheduledEvent, lambdaContext());

    expect(summary).toMatchObject({ found: 0, redelivered: 0, skipped: true, hooks: [] });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
