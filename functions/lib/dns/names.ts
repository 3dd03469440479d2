/**
 * Host names as dynamic DNS accepts them: letters, digits and hyphens (LDH), compared case-insensitively,
 * an optional trailing dot ignored. Underscores, wildcards and non-ASCII (send punycode) are not host names.
 */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME_LENGTH = 253;

/** The canonical form (lower case, no trailing dot), or undefined when `raw` is not a host name. */
export function normalizeName(raw: string): string | undefined {
  const name = raw.toLowerCase().replace(/\.$/, '');
  if (name === '' || name.length > MAX_NAME_LENGTH) return undefined;
  return name.split('.').every((label) => LABEL.test(label)) ? name : undefined;
}

/** True when `name` is the zone apex or any name below it. Both arguments are normalized. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * An allow-list entry: an exact name, or `*.suffix` for any name below the suffix (at any depth), which,
 * like a DNS wildcard, does not match the bare suffix itself; list that separately to allow it.
 */
export type NamePattern = { exact: string } | { below: string };

export function parseNamePattern(raw: string): NamePattern | undefined {
  const wildcard = raw.startsWith('*.');
  const name = normalizeName(wildcard ? raw.slice(2) : raw);
  if (name === undefined) return undefined;
  return wildcard ? { below: name } : { exact: name };
}

export function matchesPattern(name: string, pattern: NamePattern): boolean {
  return 'exact' in pattern ? name === pattern.exact : name.endsWith(`.${pattern.below}`);
}

export function patternText(pattern: NamePattern): string {
  return 'exact' in pattern ? pattern.exact : `*.${pattern.below}`;
}

/** Route 53 answers names fully qualified (trailing dot); ours are not. */
export function sameName(route53Name: string | undefined, name: string): boolean {
  return route53Name !== undefined && normalizeName(route53Name) === name;
}
