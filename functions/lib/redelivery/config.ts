import { DEFAULT_GITHUB_API_URL, type GitHubCredentials } from '../clients/github';
import { ConfigError, intEnv, listEnv, optionalEnv, requireEnv } from '../config';
import { type HookTarget, parseHookTargets } from './hooks';
import { DEFAULT_POLICY, type RedeliveryPolicy } from './reconcile';

export interface RedeliveryConfig {
  hooks: HookTarget[];
  tableName: string;
  apiUrl: string;
  lookbackHours: number;
  maxPerRun: number;
  policy: RedeliveryPolicy;
  rateLimitMaxWaitSeconds: number;
}

/** GitHub lists (and redelivers) deliveries of the last 3 days; looking further back finds nothing. */
const MAX_LOOKBACK_HOURS = 72;

export function loadRedeliveryConfig(env = process.env): RedeliveryConfig {
  // No hooks is the template's default (the schedule is then disabled): a hand-made invoke does nothing.
  const hooks = parseHookTargets(listEnv('REDELIVERY_HOOKS', env));
  const lookbackHours = intEnv('REDELIVERY_LOOKBACK_HOURS', 24, env);
  if (lookbackHours < 1 || lookbackHours > MAX_LOOKBACK_HOURS) {
    throw new ConfigError(`REDELIVERY_LOOKBACK_HOURS must be between 1 and ${MAX_LOOKBACK_HOURS}`);
  }
  const maxRedeliveries = intEnv('REDELIVERY_MAX_ATTEMPTS', DEFAULT_POLICY.maxRedeliveries, env);
  if (maxRedeliveries < 1) throw new ConfigError('REDELIVERY_MAX_ATTEMPTS must be at least 1');
  return {
    hooks,
    tableName: requireEnv('REDELIVERY_TABLE', env),
    apiUrl: optionalEnv('GITHUB_API_URL', DEFAULT_GITHUB_API_URL, env),
    lookbackHours,
    maxPerRun: intEnv('REDELIVERY_MAX_PER_RUN', 50, env),
    policy: { ...DEFAULT_POLICY, maxRedeliveries },
    rateLimitMaxWaitSeconds: intEnv('GITHUB_RATE_LIMIT_MAX_WAIT_SECONDS', 60, env),
  };
}

/**
 * An App's own webhook needs the App's JWT (a token cannot list it); repository and organization hooks
 * need a token or an App installation.
 */
export function checkCredentialsCover(hooks: readonly HookTarget[], credentials: GitHubCredentials): void {
  if (credentials.type === 'token') {
    if (hooks.some((hook) => hook.kind === 'app')) {
      throw new ConfigError(
        'the "app" hook needs GitHub App credentials (appId and privateKey), not a token',
      );
    }
    return;
  }
  if (credentials.installationId === undefined && hooks.some((hook) => hook.kind !== 'app')) {
    throw new ConfigError(
      'repository and organization hooks need "installationId" with GitHub App credentials',
    );
  }
}
