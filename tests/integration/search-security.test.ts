import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import createFixture from '../../events/search-security/create.json';
import { indexerRole } from '../../functions/lib/search/permissions';
import type * as HandlerModule from '../../functions/search-security/handler';
import { lambdaContext } from '../../local/api-gateway-events';
import { type RunningOpenSearchFake, startOpenSearchFake } from '../../local/fakes/opensearch';
import { closeServer, listen } from '../../local/servers';

/**
 * The custom resource handler as CloudFormation runs it: the real, signed OpenSearch client against the
 * local fake's security API, and a local server standing in for the pre-signed S3 response URL.
 */
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/webhook-pipeline-dev/5b3e0c30-2b0c-11f0';
const INDEXER_ROLE = 'arn:aws:iam::123456789012:role/webhook-pipeline-dev-IndexerFunctionRole-AbC123';

interface Answer {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let opensearch: RunningOpenSearchFake;
let localDir: string;
let handler: (event: CloudFormationCustomResourceEvent, context: Context) => Promise<void>;
/** Between the handler and the fake: while `hanging`, holds every request without an answer. */
let proxy: Server;
let hanging = false;
let responseServer: Server;
let responseUrl: string;
const answers: Answer[] = [];

function context(remainingMs = 120_000): Context {
  return { ...lambdaContext('search-security'), getRemainingTimeInMillis: () => remainingMs };
}

/** The fixture (a Create as CloudFormation sends it), turned into the request a test needs. */
function event(
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  return {
    ...createFixture,
    RequestType: requestType,
    ResponseURL: `${responseUrl}/cloudformation-custom-resource-response?X-Amz-Signature=abc`,
    RequestId: `request-${answers.length + 1}`,
    ResourceProperties: { ...createFixture.ResourceProperties, ...properties },
    ...extra,
  } as CloudFormationCustomResourceEvent;
}

const properties = (roleName: string) => ({
  RoleName: roleName,
  IndexPrefix: 'webhooks',
  BackendRoles: [INDEXER_ROLE],
});

async function run(input: CloudFormationCustomResourceEvent, remainingMs?: number): Promise<Answer> {
  const before = answers.length;
  await handler(input, context(remainingMs));
  expect(answers).toHaveLength(before + 1);
  return answers.at(-1) as Answer;
}

beforeAll(async () => {
  localDir = mkdtempSync(join(tmpdir(), 'search-security-'));
  opensearch = await startOpenSearchFake(localDir);
  const target = new URL(opensearch.url);
  proxy = createServer((req, res) => {
    if (hanging) return;
    const forward = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    req.pipe(forward);
  });
  responseServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'PUT') {
        answers.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      }
      res.writeHead(req.method === 'PUT' ? 200 : 405).end();
    });
  });
  const [proxyUrl] = await Promise.all([
    listen(proxy),
    listen(responseServer).then((url) => (responseUrl = url)),
  ]);
  process.env.OPENSEARCH_ENDPOINT = proxyUrl;
  process.env.OPENSEARCH_MAX_ATTEMPTS = '1';
  ({ handler } = require('../../functions/search-security/handler') as typeof HandlerModule);
});

afterAll(async () => {
  proxy.closeAllConnections();
  await Promise.all([closeServer(proxy), closeServer(responseServer), opensearch.close()]);
  rmSync(localDir, { recursive: true, force: true });
});

describe('search-security custom resource', () => {
  it('on Create, creates the indexer role and maps the indexer IAM role to it, then answers SUCCESS', async () => {
    const answer = await run(event('Create', properties('webhook-pipeline-dev-indexer')));

    expect(answer.body).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'webhook-pipeline-dev-indexer',
      StackId: STACK_ID,
      RequestId: 'request-1',
      LogicalResourceId: 'IndexerSearchRole',
      Data: { RoleName: 'webhook-pipeline-dev-indexer' },
    });
    // The pre-signed URL is signed for no content type.
    expect(answer.headers['content-type']).toBeUndefined();
    const role = opensearch.security.roles.get('webhook-pipeline-dev-indexer');
    expect(role).toMatchObject({
      cluster_permissions: indexerRole('webhooks').cluster_permissions,
      index_permissions: [
        expect.objectContaining({
          index_patterns: ['webhooks-*'],
          allowed_actions: indexerRole('webhooks').index_permissions?.[0]?.allowed_actions,
        }),
      ],
    });
    expect(opensearch.security.mappings.get('webhook-pipeline-dev-indexer')).toMatchObject({
      backend_roles: [INDEXER_ROLE],
      users: [],
    });
  });

  it('on Update, replaces the role and mapping in place (a second apply is harmless)', async () => {
    const otherRole = 'arn:aws:iam::123456789012:role/replaced-indexer-role';
    const answer = await run(
      event(
        'Update',
        { ...properties('webhook-pipeline-dev-indexer'), BackendRoles: [otherRole] },
        {
          PhysicalResourceId: 'webhook-pipeline-dev-indexer',
          OldResourceProperties: properties('webhook-pipeline-dev-indexer'),
        },
      ),
    );

    expect(answer.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'webhook-pipeline-dev-indexer',
    });
    expect(opensearch.security.mappings.get('webhook-pipeline-dev-indexer')?.backend_roles).toEqual([
      otherRole,
    ]);
  });

  it('on Delete, removes the mapping and the role', async () => {
    await run(event('Create', properties('webhook-pipeline-old-indexer')));

    const answer = await run(
      event('Delete', properties('webhook-pipeline-old-indexer'), {
        PhysicalResourceId: 'webhook-pipeline-old-indexer',
      }),
    );

    expect(answer.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'webhook-pipeline-old-indexer',
    });
    expect(opensearch.security.roles.has('webhook-pipeline-old-indexer')).toBe(false);
    expect(opensearch.security.mappings.has('webhook-pipeline-old-indexer')).toBe(false);
  });

  it('answers SUCCESS to a Delete of a role already gone', async () => {
    const answer = await run(
      event('Delete', properties('never-created-indexer'), { PhysicalResourceId: 'never-created-indexer' }),
    );

    expect(answer.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'never-created-indexer' });
  });

  it('answers FAILED with the security API reason when the plugin refuses (403 on a reserved role)', async () => {
    const answer = await run(event('Create', properties('all_access')));

    expect(answer.body).toMatchObject({
      Status: 'FAILED',
      Reason: "OpenSearch security API answered 403: FORBIDDEN Resource 'all_access' is reserved.",
      PhysicalResourceId: 'all_access',
      RequestId: expect.any(String),
      StackId: STACK_ID,
    });
    expect(opensearch.security.mappings.has('all_access')).toBe(false);
  });

  it('still answers SUCCESS to a Delete the plugin refuses: a stack delete never fails on it', async () => {
    const answer = await run(event('Delete', properties('all_access'), { PhysicalResourceId: 'all_access' }));

    expect(answer.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'all_access' });
    expect(opensearch.security.roles.has('all_access')).toBe(true);
  });

  it.each([
    ['no backend role', { BackendRoles: [] }, 'BackendRoles must be a non-empty list of IAM role ARNs'],
    ['a user ARN', { BackendRoles: ['arn:aws:iam::123456789012:user/alice'] }, 'BackendRoles must be'],
    ['a bad role name', { RoleName: 'a b' }, 'RoleName must be a security role name, got "a b"'],
    ['an upper-case prefix', { IndexPrefix: 'Webhooks' }, 'IndexPrefix must be a lower-case index name'],
  ])('answers FAILED to properties with %s, calling nothing', async (_case, override, reason) => {
    const rolesBefore = [...opensearch.security.roles.keys()];

    const answer = await run(event('Create', { ...properties('webhook-pipeline-bad-indexer'), ...override }));

    expect(answer.body.Status).toBe('FAILED');
    expect(String(answer.body.Reason)).toContain(reason);
    expect([...opensearch.security.roles.keys()]).toEqual(rolesBefore);
  });

  it('answers FAILED before the function times out when the domain does not answer', async () => {
    hanging = true;
    try {
      // 10.2 s left: the handler keeps 10 s to answer, so it gives up on the domain after 0.2 s.
      const answer = await run(event('Create', properties('webhook-pipeline-slow-indexer')), 10_200);

      expect(answer.body).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: 'webhook-pipeline-slow-indexer',
      });
      expect(String(answer.body.Reason)).toMatch(/^gave up after 0 s, before the function's timeout/);
    } finally {
      hanging = false;
      proxy.closeAllConnections();
    }
  });
});
