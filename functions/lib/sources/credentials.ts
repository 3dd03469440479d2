import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceSecret } from '../webhook-secrets';
import { secretValues } from '../webhook-secrets';
import type { AuthOutcome, Headers } from './types';

/**
 * Constant-time credential checks, the building blocks of each scheme kind (sources/verify.ts).
 * Hand-written because the providers differ only in header names and framing; no maintained library covers GitLab tokens, basic auth and timestamped
 * HMACs together, and each check is a few lines over node:crypto.
 */

export type HmacAlgorithm = 'sha256' | 'sha1';

const hexLength: Record<HmacAlgorithm, number> = { sha256: 64, sha1: 40 };

export const OK: AuthOutcome = { ok: true };
export const missing = (reason: string): AuthOutcome => ({ ok: false, status: 401, reason });
export const refused = (reason: string): AuthOutcome => ({ ok: false, status: 403, reason });

/** The digest carried by a `<algorithm>=<hex>` header, or undefined when the header is absent or malformed. */
export function parseSignatureHeader(
  value: string | undefined,
  algorithm: HmacAlgorithm,
): Buffer | undefined {
  if (value === undefined) return undefined;
  const prefix = `${algorithm}=`;
  const hex = value.trim();
  if (!hex.toLowerCase().startsWith(prefix)) return undefined;
  const digest = hex.slice(prefix.length);
  if (digest.length !== hexLength[algorithm] || !/^[0-9a-fA-F]+$/.test(digest)) return undefined;
  return Buffer.from(digest, 'hex');
}

/**
 * True when `signature` is the HMAC of the concatenated `parts` under the current or the previous secret.
 * Every candidate is computed, so the time taken does not say which one matched.
 */
export function hmacMatches(
  signature: Buffer,
  algorithm: HmacAlgorithm,
  parts: readonly (Buffer | string)[],
  secret: SourceSecret,
): boolean {
  let matched = false;
  for (const value of secretValues(secret)) {
    const hmac = createHmac(algorithm, value);
    for (const part of parts) hmac.update(part);
    const expected = hmac.digest();
    if (expected.length === signature.length && timingSafeEqual(expected, signature)) matched = true;
  }
  return matched;
}

/** Outcome of an HMAC check over a signature header: 401 when absent or malformed, 403 when wrong. */
export function verifyHmacHeader(
  header: string | undefined,
  headerName: string,
  algorithm: HmacAlgorithm,
  parts: readonly (Buffer | string)[],
  secret: SourceSecret,
): AuthOutcome {
  const signature = parseSignatureHeader(header, algorithm);
  if (!signature) return missing(`${headerName} missing or malformed`);
  return hmacMatches(signature, algorithm, parts, secret) ? OK : refused(`${headerName} does not match`);
}

/** 401 unless the header is a well-formed `<algorithm>=<hex>` signature (the authorizer cannot check more). */
export function requireSignatureHeader(
  header: string | undefined,
  headerName: string,
  algorithm: HmacAlgorithm,
): AuthOutcome {
  return parseSignatureHeader(header, algorithm) ? OK : missing(`${headerName} missing or malformed`);
}

/**
 * Constant-time equality of a presented token with the current or previous secret. Both sides are hashed
 * first so timingSafeEqual always sees equal lengths and the secret's length does not leak.
 */
export function tokenMatches(presented: string, secret: SourceSecret): boolean {
  const digest = createHash('sha256').update(presented).digest();
  let matched = false;
  for (const value of secretValues(secret)) {
    if (timingSafeEqual(digest, createHash('sha256').update(value).digest())) matched = true;
  }
  return matched;
}

/** The `user:password` of an `Authorization: Basic` header, or undefined for any other header. */
export function basicCredentials(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : undefined;
}

/**
 * For senders with no native signing (ServiceNow, Rally): a token header equal to the secret, or
 * `Authorization: Basic` whose `user:password` equals it. A secret without a colon is a token, and senders
 * that can only send basic auth (Rally's `https://user:token@…` target URL) put it in the password: then the
 * password alone is compared, whatever the user name.
 */
export function checkBasicOrToken(headers: Headers, tokenHeader: string, secret: SourceSecret): AuthOutcome {
  const token = headers[tokenHeader.toLowerCase()];
  if (token !== undefined && token !== '') {
    return tokenMatches(token, secret) ? OK : refused(`${tokenHeader} does not match`);
  }
  if (headers.authorization === undefined) return missing(`basic authorization or ${tokenHeader} missing`);
  const basic = basicCredentials(headers.authorization);
  if (basic === undefined) return missing('Authorization is not well-formed basic auth (user:password)');
  const password = basic.slice(basic.indexOf(':') + 1);
  const tokens = tokenSecrets(secret);
  // Both comparisons always run, so the time taken does not say which form matched.
  const asPair = tokenMatches(basic, secret);
  const asPassword = tokens !== undefined && tokenMatches(password, tokens);
  return asPair || asPassword ? OK : refused('basic authorization does not match');
}

/** The values of the secret that are tokens (no colon), which basic auth may carry as its password. */
function tokenSecrets(secret: SourceSecret): SourceSecret | undefined {
  const tokens = secretValues(secret).filter((value) => !value.includes(':'));
  const [current, previous] = tokens;
  if (current === undefined) return undefined;
  return previous === undefined ? { current } : { current, previous };
}
