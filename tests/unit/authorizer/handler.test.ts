import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { SOURCE_IDS } from '../../../functions/lib/envelope';
import { authorizerEvent, lambdaContext } from '../../../local/api-gateway-events';
import { credentialHeaders } from '../../../local/credentials';
import { DEV_SECRETS } from '../../../local/dev-secrets';

type Handler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayAuthorizerResult>;

const fixtures = join(__dirname, '../../../events/authorizer');
const savedEnv = { ...process.env };
let handler: Handler;
let logged = '';

function fixture(name: string): APIGatewayRequestAuthorizerEvent {
  return JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
}

/** ddns fixtures are only valid for five minutes after signing: sign the ingest twin's body again, now. */
function freshDdnsEvent(): APIGatewayRequestAuthorizerEvent {
  const ingest = JSON.parse(
    readFileSync(join(__dirname, '../../../events/ingest/ddns-update.json'), 'utf8'),
  ) as APIGatewayProxyEvent;
  const { 'X-Timestamp': _t, 'X-Signature-256': _s, ...sender } = ingest.headers as Record<string, string>;
  return authorizerEvent({
    source: 'ddns',
    headers: { ...sender, ...credentialHeaders('ddns', ingest.body ?? '', DEV_SECRETS.ddns) },
    sourceIp: '81.2.69.160',
  });
}

beforeAll(() => {
  Object.assign(process.env, {
    ENABLED_SOURCES: SOURCE_IDS.join(','),
    SOURCE_CIDR_ALLOW_LIST: 'github=140.82.112.0/20 192.30.252.0/22',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    ...Object.fromEntries(SOURCE_IDS.map((id) => [`WEBHOOK_SECRET_${id.toUpperCase()}`, DEV_SECRETS[id]])),
  });
  ({ handler } = require('../../../functions/authorizer/handler') as { handler: Handler });
  // Logs are captured, not printed: the test reads them for leaked credentials.
  // Warnings (the refusals) go to stderr.
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged += chunk.toString();
      return true;
    });
  }
});

afterAll(() => {
  jest.restoreAllMocks();
  process.env = savedEnv;
});

describe('authorizer handler', () => {
  it.each([
    'github-push',
    'github-issues-opened-form',
    'gitlab-push',
    'bitbucket-repo-push',
    'jira-issue-updated',
    'servicenow-incident-updated',
    'rally-defect-updated',
  ])('allows %s on its own method ARN, with the source in the context', async (name) => {
    const event = fixture(name);

    const result = await handler(event, lambdaContext('authorizer'));

    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn },
    ]);
    expect(result.context).toEqual({ source: event.pathParameters?.source });
  });

  it('allows a freshly signed ddns request', async () => {
    const result = await handler(freshDdnsEvent(), lambdaContext('authorizer'));

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it('denies an unknown source with a Deny policy (403)', async () => {
    const result = await handler(fixture('unknown-source'), lambdaContext('authorizer'));

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    // The ACCESS_DENIED gateway response shows it as $context.authorizer.reason.
    expect(result.context).toEqual({ reason: 'unknown or disabled source' });
  });

  it('denies a wrong GitLab token naming the check, not the token, and logs it with the request id', async () => {
    const event = fixture('gitlab-push');
    const headers = { ...event.headers, 'X-Gitlab-Token': 'not-the-token' };
    logged = '';

    const result = await handler({ ...event, headers }, lambdaContext('authorizer'));

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toEqual({ reason: 'X-Gitlab-Token does not match' });
    const line = JSON.parse(logged.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'WARN',
      message: 'webhook denied',
      reason: 'X-Gitlab-Token does not match',
      requestId: event.requestContext.requestId,
    });
    expect(logged).not.toContain('not-the-token');
  });

  it('denies GitHub from outside its allow-list', async () => {
    const event = fixture('github-push');
    event.requestContext.identity.sourceIp = '198.51.100.20';

    const result = await handler(event, lambdaContext('authorizer'));

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });

  it('throws "Unauthorized" (API Gateway answers 401) when the signature header is missing', async () => {
    await expect(handler(fixture('github-missing-signature'), lambdaContext('authorizer'))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('never writes a credential to the logs', async () => {
    const events = readdirSync(fixtures).map((file) => fixture(file.replace(/\.json$/, '')));
    const credentials = events.flatMap((event) =>
      Object.entries(event.headers ?? {})
        .filter(([name]) => /signature|token|authorization/i.test(name))
        .map(([, value]) => value ?? ''),
    );
    logged = '';

    for (const event of events) await handler(event, lambdaContext('authorizer')).catch(() => undefined);

    expect(logged).toContain('"level":"WARN"');
    expect(credentials.length).toBeGreaterThan(5);
    for (const credential of [...credentials, ...Object.values(DEV_SECRETS)])
      expect(logged).not.toContain(credential);
  });
});
