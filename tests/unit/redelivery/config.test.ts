import type { GitHubCredentials } from '../../../functions/lib/clients/github';
import { ConfigError } from '../../../functions/lib/config';
import { checkCredentialsCover, loadRedeliveryConfig } from '../../../functions/lib/redelivery/config';
import { parseHookTargets } from '../../../functions/lib/redelivery/hooks';

const base = { REDELIVERY_HOOKS: 'repo:octo-org/hello-world:1, app', REDELIVERY_TABLE: 'webhook-redelivery' };

describe('loadRedeliveryConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadRedeliveryConfig(base);

    expect(config).toMatchObject({
      tableName: 'webhook-redelivery',
      apiUrl: 'https://api.github.com',
      lookbackHours: 24,
      maxPerRun: 50,
      rateLimitMaxWaitSeconds: 60,
      policy: { maxRedeliveries: 10 },
    });
    expect(config.hooks.map((hook) => hook.key)).toEqual(['repo:octo-org/hello-world:1', 'app']);
  });

  it('reads every setting', () => {
    const config = loadRedeliveryConfig({
      ...base,
      GITHUB_API_URL: 'https://github.example.com/api/v3',
      REDELIVERY_LOOKBACK_HOURS: '72',
      REDELIVERY_MAX_PER_RUN: '5',
      REDELIVERY_MAX_ATTEMPTS: '3',
      GITHUB_RATE_LIMIT_MAX_WAIT_SECONDS: '30',
    });

    expect(config).toMatchObject({
      apiUrl: 'https://github.example.com/api/v3',
      lookbackHours: 72,
      maxPerRun: 5,
      rateLimitMaxWaitSeconds: 30,
      policy: { maxRedeliveries: 3 },
    });
  });

  it('accepts no hooks at all, the template default (the function then has nothing to do)', () => {
    expect(loadRedeliveryConfig({ ...base, REDELIVERY_HOOKS: '' }).hooks).toEqual([]);
  });

  it.each([
    [{ REDELIVERY_HOOKS: 'app' }, 'REDELIVERY_TABLE'],
    [{ ...base, REDELIVERY_LOOKBACK_HOURS: '73' }, 'REDELIVERY_LOOKBACK_HOURS'],
    [{ ...base, REDELIVERY_LOOKBACK_HOURS: '0' }, 'REDELIVERY_LOOKBACK_HOURS'],
    [{ ...base, REDELIVERY_MAX_ATTEMPTS: '0' }, 'REDELIVERY_MAX_ATTEMPTS'],
    [{ ...base, REDELIVERY_MAX_PER_RUN: 'many' }, 'REDELIVERY_MAX_PER_RUN'],
  ])('fails fast naming the variable (%#)', (env, name) => {
    expect(() => loadRedeliveryConfig(env)).toThrow(name);
  });
});

describe('checkCredentialsCover', () => {
  const token: GitHubCredentials = { type: 'token', token: 'github_pat_x' };
  const appOnly: GitHubCredentials = { type: 'app', appId: '1', privateKey: 'pem' };
  const installation: GitHubCredentials = { ...appOnly, installationId: 2 };

  it.each([
    [['repo:o/r:1', 'org:o:2'], token],
    [['app'], appOnly],
    [['app', 'repo:o/r:1'], installation],
  ])('accepts %j with %j', (specs, credentials) => {
    expect(() => checkCredentialsCover(parseHookTargets(specs), credentials)).not.toThrow();
  });

  it.each([
    [['app'], token, 'the "app" hook needs GitHub App credentials'],
    [['org:o:2'], appOnly, 'need "installationId"'],
  ])('refuses %j with %j', (specs, credentials, message) => {
    expect(() => checkCredentialsCover(parseHookTargets(specs), credentials)).toThrow(ConfigError);
    expect(() => checkCredentialsCover(parseHookTargets(specs), credentials)).toThrow(message);
  });
});
