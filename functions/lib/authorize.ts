import ipaddr from 'ipaddr.js';
import { boolEnv, ConfigError } from './config';
import { isSourceId, type SourceId } from './envelope';
import { enabledSourcesFromEnv, findSource } from './sources';
import type { Headers } from './sources/types';
import { authorizeHeaders } from './sources/verify';
import { getSourceSecret, type SourceSecret } from './webhook-secrets';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface AuthorizerConfig {
  enabledSources: ReadonlySet<SourceId>;
  /** Sources listed here are admitted only from these ranges; others from anywhere. */
  cidrAllowList: ReadonlyMap<SourceId, readonly Cidr[]>;
  githubSha1Enabled: boolean;
}

export function loadAuthorizerConfig(
  env: Record<string, string | undefined> = process.env,
): AuthorizerConfig {
  return {
    enabledSources: enabledSourcesFromEnv(env),
    cidrAllowList: parseCidrAllowList(env.SOURCE_CIDR_ALLOW_LIST ?? ''),
    githubSha1Enabled: boolEnv('GITHUB_SHA1_ENABLED', false, env),
  };
}

/** `"github=192.30.252.0/22 185.199.108.0/22;gitlab=34.74.90.64/28"`; commas work as separators too. */
export function parseCidrAllowList(value: string): Map<SourceId, Cidr[]> {
  const allowList = new Map<SourceId, Cidr[]>();
  for (const entry of value
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [name, ranges = ''] = entry.split('=', 2).map((part) => part.trim());
    if (!isSourceId(name)) throw new ConfigError(`SOURCE_CIDR_ALLOW_LIST names an unknown source "${name}"`);
    const cidrs = ranges.split(/[\s,]+/).filter(Boolean);
    if (cidrs.length === 0) throw new ConfigError(`SOURCE_CIDR_ALLOW_LIST gives no ranges for ${name}`);
    allowList.set(
      name,
      cidrs.map((cidr) => {
        if (!ipaddr.isValidCIDR(cidr))
          throw new ConfigError(`SOURCE_CIDR_ALLOW_LIST: "${cidr}" is not a CIDR range`);
        return ipaddr.parseCIDR(cidr);
      }),
    );
  }
  return allowList;
}

/** IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) are compared as the IPv4 address they carry. */
export function addressAllowed(sourceIp: string | undefined, cidrs: readonly Cidr[]): boolean {
  if (!sourceIp || !ipaddr.isValid(sourceIp)) return false;
  const address = ipaddr.process(sourceIp);
  return cidrs.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

export interface AuthorizerRequest {
  source: string | undefined;
  headers: Headers;
  sourceIp: string | undefined;
}

/**
 * allow: admit, with the source for the integration; deny: a policy that refuses (403);
 * unauthorized: credentials missing or malformed (401).
 */
export type AuthorizerDecision =
  | { effect: 'allow'; source: SourceId }
  | { effect: 'deny'; reason: string }
  | { effect: 'unauthorized'; reason: string };

export interface AuthorizerDependencies {
  getSecret(source: SourceId): Promise<SourceSecret | undefined>;
  now(): Date;
}

const awsDependencies: AuthorizerDependencies = {
  getSecret: (source) => getSourceSecret(source),
  now: () => new Date(),
};

/**
 * Everything that can be decided without the body, which API Gateway never passes to a REQUEST
 * authorizer: known and enabled source, allowed address, required headers, and token or basic-auth
 * credentials. Denies by default.
 */
export async function authorizeRequest(
  request: AuthorizerRequest,
  config: AuthorizerConfig,
  deps: AuthorizerDependencies = awsDependencies,
): Promise<AuthorizerDecision> {
  const source = findSource(request.source, config.enabledSources);
  if (!source) return { effect: 'deny', reason: 'unknown or disabled source' };
  const cidrs = config.cidrAllowList.get(source.id);
  if (cidrs && !addressAllowed(request.sourceIp, cidrs)) {
    return { effect: 'deny', reason: 'address not in the allow-list' };
  }
  const secret = await deps.getSecret(source.id);
  if (!secret) return { effect: 'deny', reason: 'no secret configured' };
  const outcome = authorizeHeaders(source, request.headers, secret, {
    githubSha1Enabled: config.githubSha1Enabled,
    now: deps.now,
  });
  if (outcome.ok) return { effect: 'allow', source: source.id };
  return outcome.status === 401
    ? { effect: 'unauthorized', reason: outcome.reason }
    : { effect: 'deny', reason: outcome.reason };
}
