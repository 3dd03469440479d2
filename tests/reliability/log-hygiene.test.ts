import { randomBytes } from 'node:crypto';
import { SOURCE_IDS, type SourceId } from '../../functions/lib/envelope';
import { DEV_SECRETS } from '../../local/dev-secrets';
import { signWebhook, type WebhookRequest } from '../../local/signing';
import {
  githubExample,
  postWebhook,
  signedFixture,
  startTestPipeline,
  type TestPipeline,
  waitFor,
} from './support';

const random = () => randomBytes(12).toString('hex');

// Distinctive secrets for some sources (a previous value for GitHub too, as during a rotation); the others
// keep the development values of local/dev-secrets.ts, so both kinds go through the run.
const SECRETS: NodeJS.ProcessEnv = {
  WEBHOOK_SECRET_GITHUB: `gh-secret-${random()}`,
  WEBHOOK_SECRET_GITHUB_PREVIOUS: `gh-previous-${random()}`,
  WEBHOOK_SECRET_GITLAB: `glpat-${random()}`,
  WEBHOOK_SECRET_SERVICENOW: `svc-integration:${random()}`,
  WEBHOOK_SECRET_DDNS: `ddns-secret-${random()}`,
};

/** Header names whose values are credentials: never to be logged, whatever their value. */
const CREDENTIAL_HEADERS = new Set([
  'x-hub-signature-256',
  'x-hub-signature',
  'x-signature-256',
  'x-gitlab-token',
  'x-webhook-token',
  'authorization',
]);

/** Every credential a request carries, and the parts of it that would be as bad to log. */
function credentialsSent(request: Pick<WebhookRequest, 'headers'>): string[] {
  return Object.entries(request.headers).flatMap(([name, value]) => {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase()) || value === '') return [];
    const digest = /^sha(1|256)=(.+)$/i.exec(value)?.[2];
    const basic = /^Basic\s+(.+)$/i.exec(value)?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : undefined;
    return [value, digest, basic, decoded, decoded?.slice(decoded.indexOf(':') + 1)].filter(
      (part): part is string => typeof part === 'string' && part.length >= 8,
    );
  });
}

/** A request with its credential header replaced by `value` (a rejected attempt still carries one). */
function withCredential(request: WebhookRequest, name: string, value: string): WebhookRequest {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([key]) => key.toLowerCase() !== name.toLowerCase()),
  );
  return { ...request, headers: { ...headers, [name]: value } };
}

describe('log hygiene: the captured logs of a full run at DEBUG', () => {
  let running: TestPipeline;
  const lines: string[] = [];

  beforeAll(async () => {
    running = await startTestPipeline({
      env: SECRETS,
      logLevel: 'DEBUG',
      onFunctionLog: (logicalId, line) => lines.push(`[${logicalId}] ${line}`),
      onActivity: (line) => lines.push(`[activity] ${line}`),
    });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('hold no secret, token, Authorization value or signature', async () => {
    // Prepare: every source's fixture, real GitHub payloads (a compliance finding, a large claim-checked
    // body), and rejected attempts carrying wrong credentials of every kind.
    const accepted: WebhookRequest[] = [
      ...SOURCE_IDS.map((source) => signedFixture(source, SECRETS)),
      ...(['repository:publicized', 'pull_request:opened', 'issues:opened'] as const).map((name) => {
        const [event, action] = name.split(':') as [string, string];
        return signWebhook({ source: 'github', body: githubExample(event, action), event, env: SECRETS });
      }),
      signWebhook({
        source: 'github',
        body: Buffer.from(
          JSON.stringify({
            ...JSON.parse(githubExample('push').toString()),
            padding: 'x'.repeat(256 * 1024),
          }),
        ),
        event: 'push',
        env: SECRETS,
      }),
    ];
    const fixture = (source: SourceId) => signedFixture(source, SECRETS);
    const rejected: WebhookRequest[] = [
      signWebhook({ ...fixture('github'), env: { WEBHOOK_SECRET_GITHUB: `forged-${random()}` } }),
      withCredential(fixture('github'), 'X-Hub-Signature-256', `sha256=${randomBytes(32).toString('hex')}`),
      withCredential(fixture('gitlab'), 'X-Gitlab-Token', `wrong-token-${random()}`),
      withCredential(fixture('rally'), 'X-Webhook-Token', `wrong-rally-${random()}`),
      withCredential(
        fixture('servicenow'),
        'Authorization',
        `Basic ${Buffer.from(`svc-integration:wrong-${random()}`).toString('base64')}`,
      ),
      signWebhook({ ...fixture('ddns'), env: SECRETS, now: new Date(Date.now() - 3_600_000) }),
      signWebhook({ ...fixture('jira'), env: { WEBHOOK_SECRET_JIRA: `forged-${random()}` } }),
    ];

    // Act
    const acceptedAnswers = await Promise.all(accepted.map((request) => postWebhook(running.url, request)));
    const rejectedAnswers = await Promise.all(rejected.map((request) => postWebhook(running.url, request)));
    await waitFor(
      'every accepted delivery through the workflow',
      async () => {
        const ids = new Set((await running.sinks.executions()).map((line) => line.eventId));
        return accepted.every((request) => ids.has(request.deliveryId)) ? true : undefined;
      },
      60_000,
    );
    // A function's output reaches the capture through its worker's stdout, a moment after the execution ends.
    await waitFor('the steps of every execution logged', async () => {
      const indexed = lines.filter((line) => line.startsWith('[IndexerFunction]')).join('\n');
      const steps = ['[ComplianceFunction]', '[DnsUpdaterFunction]'];
      return accepted.every((request) => indexed.includes(request.deliveryId)) &&
        steps.every((step) => lines.some((line) => line.startsWith(step)))
        ? true
        : undefined;
    });
    const captured = [...lines, ...running.errors.map((error) => String(error))].join('\n');

    // Assert: the run happened as intended, logged at DEBUG, by every function on the path...
    expect(acceptedAnswers.map((answer) => answer.status)).toEqual(accepted.map(() => 202));
    expect(rejectedAnswers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    for (const id of [
      'AuthorizerFunction',
      'IngestFunction',
      'DispatcherFunction',
      'IndexerFunction',
      'ComplianceFunction',
      'DnsUpdaterFunction',
    ]) {
      expect(lines.some((line) => line.startsWith(`[${id}]`))).toBe(true);
    }
    expect(lines.some((line) => line.includes('"level":"DEBUG"'))).toBe(true);
    expect(captured).toContain((accepted[0] as WebhookRequest).deliveryId);
    // ...and none of it holds a credential.
    const forbidden = [
      ...Object.values(SECRETS),
      ...Object.values(DEV_SECRETS),
      ...[...accepted, ...rejected].flatMap(credentialsSent),
    ].filter((value): value is string => typeof value === 'string');
    expect(forbidden.length).toBeGreaterThan(30);
    expect(forbidden.filter((secret) => captured.includes(secret))).toEqual([]);
  }, 120_000);
});
