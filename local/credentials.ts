import { createHmac } from 'node:crypto';
import { SOURCES, type SourceId } from '../functions/lib/sources';
import type { SourceDefinition } from '../functions/lib/sources/types';

/*
 * The sending side of each scheme kind (functions/lib/sources/types.ts): what GitHub, Bitbucket, Jira,
 * GitLab, ServiceNow, Rally and the dynamic-DNS client attach, for fixtures, tests, `npm run send` and the
 * benchmarks.
 */

const definitionOf = (source: SourceId | SourceDefinition) =>
  typeof source === 'string' ? SOURCES[source] : source;

function hmac(secret: string, ...parts: (Buffer | string)[]): string {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return `sha256=${mac.digest('hex')}`;
}

/**
 * The credential headers a sender attaches. `secret` is the raw value; for basic-or-token sources a
 * "user:password" is sent as basic auth and anything else as the token header.
 */
export function credentialHeaders(
  source: SourceId | SourceDefinition,
  body: Buffer | string,
  secret: string,
  now: Date = new Date(),
): Record<string, string> {
  const { auth } = definitionOf(source);
  switch (auth.kind) {
    case 'hmac':
      return { [auth.header]: hmac(secret, body) };
    case 'token':
      return { [auth.header]: secret };
    case 'basic-or-token':
      return secret.includes(':')
        ? { Authorization: `Basic ${Buffer.from(secret).toString('base64')}` }
        : { [auth.tokenHeader]: secret };
    case 'timestamped-hmac': {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      return { [auth.timestampHeader]: timestamp, [auth.header]: hmac(secret, `${timestamp}.`, body) };
    }
  }
}

/** The headers that carry a source's secret or a signature, as the provider spells them. */
export function secretHeaderNames(source: SourceId | SourceDefinition): string[] {
  const { auth } = definitionOf(source);
  switch (auth.kind) {
    case 'hmac':
      return auth.sha1Header ? [auth.header, auth.sha1Header] : [auth.header];
    case 'token':
      return [auth.header];
    case 'basic-or-token':
      return ['Authorization', auth.tokenHeader, auth.signatureHeader];
    case 'timestamped-hmac':
      return [auth.header];
  }
}

/** Every header a source's credentials travel in: the secret or signature, and what is signed with it. */
export function credentialHeaderNames(source: SourceId | SourceDefinition): string[] {
  const { auth } = definitionOf(source);
  const signed = auth.kind === 'timestamped-hmac' ? [auth.timestampHeader] : [];
  return [...secretHeaderNames(source), ...signed];
}

/** Lower-cased, across every source. */
function everySource(names: (source: SourceDefinition) => string[]): Set<string> {
  return new Set(Object.values(SOURCES).flatMap((source) => names(source).map((name) => name.toLowerCase())));
}

/** The credential headers of every source: what a re-signed request drops first. */
export const allCredentialHeaderNames = () => everySource(credentialHeaderNames);

/** The secret-bearing headers of every source: what records mask. */
export const allSecretHeaderNames = () => everySource(secretHeaderNames);
