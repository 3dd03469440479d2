import {
  type AuthorizerConfig,
  type AuthorizerDependencies,
  addressAllowed,
  authorizeRequest,
  loadAuthorizerConfig,
  parseCidrAllowList,
} from '../../../functions/lib/authorize';
import { ConfigError } from '../../../functions/lib/config';
import { SOURCE_IDS, type SourceId } from '../../../functions/lib/envelope';
import { lowerCaseHeaders } from '../../../functions/lib/request-body';
import { credentialHeaders } from '../../../local/credentials';
import { DEV_SECRETS } from '../../../local/dev-secrets';

const now = new Date('2026-01-15T10:21:05Z');
const deps: AuthorizerDependencies = {
  getSecret: async (source: SourceId) => ({ current: DEV_SECRETS[source] }),
  now: () => now,
};
const config: AuthorizerConfig = loadAuthorizerConfig({
  ENABLED_SOURCES: SOURCE_IDS.filter((id) => id !== 'jira').join(','),
  SOURCE_CIDR_ALLOW_LIST: 'github=192.30.252.0/22 140.82.112.0/20 2a0a:a440::/29;bitbucket=104.192.136.0/21',
});

/** The headers a sender of each source sends, signed with the development secrets. */
function senderHeaders(source: SourceId, extra: Record<string, string> = {}) {
  const eventHeader: Partial<Record<SourceId, Record<string, string>>> = {
    github: { 'X-GitHub-Event': 'push' },
    gitlab: { 'X-Gitlab-Event': 'Push Hook' },
    bitbucket: { 'X-Event-Key': 'repo:push' },
  };
  return lowerCaseHeaders({
    ...eventHeader[source],
    ...credentialHeaders(source, '{}', DEV_SECRETS[source], now),
    ...extra,
  });
}

const fromGitHub = '140.82.115.10';

describe('authorizeRequest', () => {
  it.each(['github', 'gitlab', 'bitbucket', 'servicenow', 'rally', 'ddns'] as const)(
    'allows a well-formed %s request and passes the source on',
    async (source) => {
      const ip = source === 'bitbucket' ? '104.192.137.5' : fromGitHub;

      const decision = await authorizeRequest(
        { source, headers: senderHeaders(source), sourceIp: ip },
        config,
        deps,
      );

      expect(decision).toEqual({ effect: 'allow', source });
    },
  );

  it.each([
    ['an unknown source', 'sourceforge'],
    ['a disabled source', 'jira'],
    ['no source at all', undefined],
  ])('denies %s', async (_case, source) => {
    const decision = await authorizeRequest(
      { source, headers: senderHeaders('github'), sourceIp: fromGitHub },
      config,
      deps,
    );

    expect(decision.effect).toBe('deny');
  });

  it('denies an address outside the source allow-list, and a missing one', async () => {
    const outside = await authorizeRequest(
      { source: 'github', headers: senderHeaders('github'), sourceIp: '203.0.113.9' },
      config,
      deps,
    );
    const none = await authorizeRequest(
      { source: 'github', headers: senderHeaders('github'), sourceIp: undefined },
      config,
      deps,
    );

    expect(outside).toEqual({ effect: 'deny', reason: 'address not in the allow-list' });
    expect(none.effect).toBe('deny');
  });

  it('denies a source with no secret configured', async () => {
    const noSecret = { ...deps, getSecret: async () => undefined };

    const decision = await authorizeRequest(
      { source: 'gitlab', headers: senderHeaders('gitlab'), sourceIp: fromGitHub },
      config,
      noSecret,
    );

    expect(decision.effect).toBe('deny');
  });

  it.each([
    ['github without a signature', 'github', { 'x-github-event': 'push' }],
    ['gitlab without a token', 'gitlab', { 'x-gitlab-event': 'Push Hook' }],
    ['servicenow without credentials', 'servicenow', {}],
    [
      'ddns without a timestamp',
      'ddns',
      { 'x-signature-256': senderHeaders('ddns')['x-signature-256'] ?? '' },
    ],
  ] as const)('answers unauthorized for %s', async (_case, source, headers) => {
    const decision = await authorizeRequest({ source, headers, sourceIp: fromGitHub }, config, deps);

    expect(decision.effect).toBe('unauthorized');
  });

  it('admits github without X-GitHub-Event: ingest answers 400 once the signature is verified', async () => {
    const headers = { 'x-hub-signature-256': senderHeaders('github')['x-hub-signature-256'] ?? '' };

    const decision = await authorizeRequest(
      { source: 'github', headers, sourceIp: fromGitHub },
      config,
      deps,
    );

    expect(decision).toEqual({ effect: 'allow', source: 'github' });
  });

  it.each([
    ['a wrong GitLab token', 'gitlab', { 'X-Gitlab-Token': 'guess' }],
    [
      'a wrong basic password',
      'servicenow',
      { Authorization: `Basic ${Buffer.from('servicenow:guess').toString('base64')}` },
    ],
    ['a wrong Rally token', 'rally', { 'X-Webhook-Token': 'guess' }],
    ['a stale ddns timestamp', 'ddns', { 'X-Timestamp': String(now.getTime() / 1000 - 301) }],
  ] as const)('denies %s', async (_case, source, extra) => {
    const decision = await authorizeRequest(
      { source, headers: senderHeaders(source, extra), sourceIp: fromGitHub },
      config,
      deps,
    );

    expect(decision.effect).toBe('deny');
  });
});

describe('CIDR allow-lists', () => {
  it('parses several sources and ranges, with spaces or commas', () => {
    const allowList = parseCidrAllowList(
      ' github=192.30.252.0/22, 185.199.108.0/22 ; gitlab=34.74.90.64/28 ',
    );

    expect([...allowList.keys()]).toEqual(['github', 'gitlab']);
    expect(allowList.get('github')).toHaveLength(2);
    expect(parseCidrAllowList('').size).toBe(0);
  });

  it.each(['gitbucket=10.0.0.0/8', 'github=', 'github=10.0.0.0/33', 'github=not-an-ip/8'])(
    'refuses the malformed setting %s at cold start',
    (value) => {
      expect(() => parseCidrAllowList(value)).toThrow(ConfigError);
    },
  );

  it('matches IPv4, IPv6 and IPv4-mapped IPv6 addresses, never across families', () => {
    const cidrs = parseCidrAllowList('github=140.82.112.0/20 2a0a:a440::/29').get('github') ?? [];

    expect(addressAllowed('140.82.127.255', cidrs)).toBe(true);
    expect(addressAllowed('140.82.128.0', cidrs)).toBe(false);
    expect(addressAllowed('::ffff:140.82.115.10', cidrs)).toBe(true);
    expect(addressAllowed('2a0a:a447::1', cidrs)).toBe(true);
    expect(addressAllowed('2a0b::1', cidrs)).toBe(false);
    expect(addressAllowed('not an address', cidrs)).toBe(false);
  });
});
