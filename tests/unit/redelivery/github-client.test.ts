import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createGitHubClient,
  loadGitHubCredentials,
  mayWaitForRateLimit,
  parseGitHubCredentials,
} from '../../../functions/lib/clients/github';
import { ConfigError } from '../../../functions/lib/config';
import { isRateLimited } from '../../../functions/lib/redelivery/run';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----\n';

describe('parseGitHubCredentials', () => {
  it('reads a token', () => {
    expect(parseGitHubCredentials({ token: ' github_pat_abc ' })).toEqual({
      type: 'token',
      token: 'github_pat_abc',
    });
  });

  it('reads an App with and without installation, ids as numbers or strings', () => {
    expect(parseGitHubCredentials({ appId: 123, privateKey: PEM, installationId: '456' })).toEqual({
      type: 'app',
      appId: '123',
      privateKey: PEM,
      installationId: 456,
    });
    expect(parseGitHubCredentials({ appId: '123', privateKey: PEM })).toEqual({
      type: 'app',
      appId: '123',
      privateKey: PEM,
    });
  });

  it('restores line breaks of a key pasted with literal \\n', () => {
    const flattened = PEM.replace(/\n/g, '\\n');

    const credentials = parseGitHubCredentials({ appId: 1, privateKey: flattened });

    expect(credentials).toMatchObject({ privateKey: PEM });
  });

  it.each([
    [null, 'must be a JSON object'],
    [[], 'must be a JSON object'],
    [{}, 'neither "token" nor "appId"'],
    [{ token: '  ' }, 'neither "token" nor "appId"'],
    [{ appId: 'x1', privateKey: PEM }, '"appId" must be'],
    [{ appId: 1, privateKey: 'hunter2-not-a-key' }, '"privateKey" must be'],
    [{ appId: 1, privateKey: PEM, installationId: -4 }, '"installationId" must be'],
  ])('refuses %j without echoing values', (value, message) => {
    const attempt = () => parseGitHubCredentials(value, 'secret github');

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    expect(attempt).not.toThrow(/hunter2|MIIE/);
  });
});

describe('loadGitHubCredentials', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('reads the Secrets Manager entry named by GITHUB_CREDENTIALS_SECRET_ARN', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:github-unit';
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: '{"token":"github_pat_from_sm"}' });

    const credentials = await loadGitHubCredentials({ GITHUB_CREDENTIALS_SECRET_ARN: arn });

    expect(credentials).toEqual({ type: 'token', token: 'github_pat_from_sm' });
  });

  it('falls back to environment variables for local runs', async () => {
    const fromToken = await loadGitHubCredentials({ GITHUB_TOKEN: 'github_pat_env' });
    const fromApp = await loadGitHubCredentials({
      GITHUB_APP_ID: '9',
      GITHUB_APP_PRIVATE_KEY: PEM,
      GITHUB_APP_INSTALLATION_ID: '10',
    });

    expect(fromToken).toEqual({ type: 'token', token: 'github_pat_env' });
    expect(fromApp).toEqual({ type: 'app', appId: '9', privateKey: PEM, installationId: 10 });
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('mayWaitForRateLimit', () => {
  const policy = { maxWaitSeconds: 60, maxRetries: 2 };

  it.each([
    [{ ...policy }, 30, 0, true],
    [{ ...policy }, 61, 0, false],
    [{ ...policy }, 30, 2, false],
    [{ ...policy, deadline: 1_000_000 + 31_000 }, 30, 0, true],
    [{ ...policy, deadline: 1_000_000 + 30_000 }, 30, 0, false],
  ])('with %j, a %is wait at retry %i is allowed: %s', (rules, seconds, retryCount, expected) => {
    expect(mayWaitForRateLimit(rules, seconds, retryCount, 1_000_000)).toBe(expected);
  });
});

describe('isRateLimited', () => {
  it.each([
    [{ status: 429, message: 'You have exceeded a secondary rate limit' }, true],
    [{ status: 403, message: 'x', response: { headers: { 'x-ratelimit-remaining': '0' } } }, true],
    [{ status: 403, message: 'You have exceeded a secondary rate limit' }, true],
    [
      {
        status: 403,
        message: 'Resource not accessible by integration',
        response: { headers: { 'x-ratelimit-remaining': '4999' } },
      },
      false,
    ],
    [{ status: 404, message: 'Not Found' }, false],
    [new Error('socket hang up'), false],
  ])('%j → %s', (error, expected) => {
    expect(isRateLimited(error)).toBe(expected);
  });
});

describe('createGitHubClient', () => {
  it('talks to the configured base URL, trailing slash or not', () => {
    const client = createGitHubClient({
      credentials: { type: 'token', token: 't' },
      baseUrl: 'https://ghe.example.com/api/v3/',
    });

    expect(client.request.endpoint.DEFAULTS.baseUrl).toBe('https://ghe.example.com/api/v3');
  });

  it('defaults to api.github.com', () => {
    const client = createGitHubClient({ credentials: { type: 'token', token: 't' } });

    expect(client.request.endpoint.DEFAULTS.baseUrl).toBe('https://api.github.com');
  });
});
