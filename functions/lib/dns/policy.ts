import { boolEnv, ConfigError, listEnv, optionalEnv } from '../config';
import { isInZone, type NamePattern, normalizeName, parseNamePattern, patternText } from './names';

/** Which names dynamic DNS may change and which addresses it may publish. */
export interface DnsPolicy {
  zoneName: string;
  allowedNames: NamePattern[];
  allowNonPublicAddresses: boolean;
}

type Env = Record<string, string | undefined>;

/**
 * Reads DNS_ZONE_NAME, DNS_ALLOWED_NAMES and DNS_ALLOW_PRIVATE_ADDRESSES (at cold start). An empty
 * DNS_ZONE_NAME means dynamic DNS is switched off for the deployment: undefined, and every request is
 * refused. A set zone with a malformed or empty allow-list, or an entry outside the zone, is a ConfigError.
 */
export function loadDnsPolicy(env: Env = process.env): DnsPolicy | undefined {
  const rawZone = optionalEnv('DNS_ZONE_NAME', '', env);
  if (rawZone === '') return undefined;
  const zoneName = normalizeName(rawZone);
  if (zoneName === undefined) throw new ConfigError(`DNS_ZONE_NAME "${rawZone}" is not a DNS name`);
  const allowedNames = listEnv('DNS_ALLOWED_NAMES', env).map((raw) => {
    const pattern = parseNamePattern(raw);
    if (pattern === undefined)
      throw new ConfigError(`DNS_ALLOWED_NAMES entry "${raw}" is not a name or *.suffix`);
    const base = 'exact' in pattern ? pattern.exact : pattern.below;
    if (!isInZone(base, zoneName)) {
      throw new ConfigError(`DNS_ALLOWED_NAMES entry "${patternText(pattern)}" is outside zone ${zoneName}`);
    }
    return pattern;
  });
  if (allowedNames.length === 0) {
    throw new ConfigError('DNS_ALLOWED_NAMES is empty: no name could ever be updated');
  }
  return {
    zoneName,
    allowedNames,
    allowNonPublicAddresses: boolEnv('DNS_ALLOW_PRIVATE_ADDRESSES', false, env),
  };
}
