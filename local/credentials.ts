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

/** Every header a source's credentials may travel in, as the provider spells it. */
export function credentialHeaderNames(source: SourceId | SourceDefinition): string[] {
  const { auth } = definitionOf(source);
  switch (auth.kind) {
    case 'hmac':
      return auth.sha1Header ? [auth.header, auth.sha1Header] : [auth.header];
    case 'token':
      return [auth.header];
    case 'basic-or-token':
      return ['Authorization', auth.tokenHeader, auth.signatureHeader];
    case 'timestamped-hmac':
      return [auth.header, auth.timestampHeader];
  }
}

/** The lower-cased credential headers of every source: what a re-signed request drops first. */
export function allCredentialHeaderNames(): Set<string> {
  return new Set(
    Object.values(SOURCES).flatMap((source) =>
      credentialHeaderNames(source).map((name) => name.toLowerCase()),
    ),
  );
}
