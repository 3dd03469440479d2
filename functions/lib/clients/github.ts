import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ConfigError } from '../config';
import { logger } from '../observability';
import { secretsProvider } from './secrets';

/**
 * GitHub REST client factory: Octokit with pagination, retries of server errors, and rate-limit handling
 * whose waits are bounded so a Lambda never sleeps past its own deadline.
 */
const GitHubOctokit = Octokit.plugin(paginateRest, retry, throttling);
export type GitHubClient = InstanceType<typeof GitHubOctokit>;

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** A fine-grained (or classic) token, or a GitHub App's id and private key (and the installation to act as). */
export type GitHubCredentials =
  | { type: 'token'; token: string }
  | { type: 'app'; appId: string; privateKey: string; installationId?: number };

export interface RateLimitPolicy {
  /** Longest single wait accepted for a rate-limit reset or a Retry-After. */
  maxWaitSeconds: number;
  /** Rate-limit retries per request. */
  maxRetries: number;
  /** Epoch milliseconds no wait may run past (the caller's own deadline). */
  deadline?: number;
}

export interface GitHubClientOptions {
  credentials: GitHubCredentials;
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  rateLimit?: Partial<RateLimitPolicy>;
  /** A request that hangs longer than this is aborted (and retried like a server error). */
  requestTimeoutMs?: number;
  userAgent?: string;
}

const DEFAULT_RATE_LIMIT: RateLimitPolicy = { maxWaitSeconds: 60, maxRetries: 2 };

/** Whether a rate-limited request may wait `retryAfterSeconds` and try again under `policy`. */
export function mayWaitForRateLimit(
  policy: RateLimitPolicy,
  retryAfterSeconds: number,
  retryCount: number,
  now = Date.now(),
): boolean {
  if (retryCount >= policy.maxRetries || retryAfterSeconds > policy.maxWaitSeconds) return false;
  return policy.deadline === undefined || now + retryAfterSeconds * 1000 < policy.deadline;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const policy: RateLimitPolicy = { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const willRetry = mayWaitForRateLimit(policy, retryAfter, retryCount);
      logger.warn(`GitHub ${kind} rate limit`, {
        method: request.method,
        url: request.url,
        retryAfterSeconds: retryAfter,
        retryCount,
        willRetry,
      });
      return willRetry;
    };
  const auth =
    options.credentials.type === 'token'
      ? { auth: options.credentials.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: options.credentials.appId,
            privateKey: options.credentials.privateKey,
            ...(options.credentials.installationId !== undefined && {
              installationId: options.credentials.installationId,
            }),
          },
        };
  return new GitHubOctokit({
    ...auth,
    baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'webhook-event-pipeline',
    log: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs ?? 15_000) },
    throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
    // Rate limits (403/429) belong to the throttling plugin, which honours their reset headers; the retry
    // plugin only retries server errors and timeouts, with its own short backoff.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451], retries: 2 },
  });
}

// Octokit has no request timeout of its own; a connection that never answers would hold the Lambda.
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/** Rotated credentials reach warm functions within this many seconds. */
const CREDENTIALS_CACHE_SECONDS = 300;

/**
 * Deployed, credentials come from the Secrets Manager entry named by GITHUB_CREDENTIALS_SECRET_ARN, a JSON
 * object (see parseGitHubCredentials). Without it (local runs) they come from GITHUB_TOKEN, or from
 * GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID.
 */
export async function loadGitHubCredentials(env = process.env): Promise<GitHubCredentials> {
  const arn = env.GITHUB_CREDENTIALS_SECRET_ARN;
  if (arn) {
    const entry = await secretsProvider.get<unknown>(arn, {
      transform: 'json',
      maxAge: CREDENTIALS_CACHE_SECONDS,
    });
    return parseGitHubCredentials(entry, `secret ${arn}`);
  }
  return parseGitHubCredentials(
    {
      token: env.GITHUB_TOKEN,
      appId: env.GITHUB_APP_ID,
      privateKey: env.GITHUB_APP_PRIVATE_KEY,
      installationId: env.GITHUB_APP_INSTALLATION_ID,
    },
    'environment variables GITHUB_TOKEN / GITHUB_APP_*',
  );
}

/**
 * Accepts `{"token": "github_pat_..."}` or `{"appId": 123, "privateKey": "-----BEGIN ...", "installationId": 456}`
 * (installationId may be left out when only the App's own webhook is watched). Error messages name the
 * fields, never their values.
 */
export function parseGitHubCredentials(value: unknown, where = 'GitHub credentials'): GitHubCredentials {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where} must be a JSON object with "token", or "appId" and "privateKey"`);
  }
  const entry = value as Record<string, unknown>;
  const present = (key: string) => entry[key] !== undefined && entry[key] !== null && entry[key] !== '';
  if (present('appId') || present('privateKey')) {
    const appId = String(entry.appId ?? '').trim();
    if (!/^\d+$/.test(appId)) throw new ConfigError(`${where}: "appId" must be the GitHub App's numeric id`);
    if (typeof entry.privateKey !== 'string' || !entry.privateKey.includes('PRIVATE KEY')) {
      throw new ConfigError(`${where}: "privateKey" must be the App's PEM private key`);
    }
    // Keys pasted into JSON by hand often keep their line breaks as literal "\n".
    const privateKey = entry.privateKey.includes('\n')
      ? entry.privateKey
      : entry.privateKey.replace(/\\n/g, '\n');
    if (!present('installationId')) return { type: 'app', appId, privateKey };
    const installationId = Number(entry.installationId);
    if (!Number.isSafeInteger(installationId) || installationId <= 0) {
      throw new ConfigError(`${where}: "installationId" must be a positive integer`);
    }
    return { type: 'app', appId, privateKey, installationId };
  }
  if (typeof entry.token === 'string' && entry.token.trim() !== '') {
    return { type: 'token', token: entry.token.trim() };
  }
  throw new ConfigError(`${where} has neither "token" nor "appId" and "privateKey"`);
}
