import type { SourceSecret } from '../webhook-secrets';
import {
  checkBasicOrToken,
  type HmacAlgorithm,
  missing,
  OK,
  refused,
  requireSignatureHeader,
  tokenMatches,
  verifyHmacHeader,
} from './credentials';
import type { AuthOutcome, AuthScheme, Headers, SourceDefinition, SourceOptions } from './types';

/*
 * Each scheme kind checked in two stages. The authorizer sees no body (API Gateway never passes it to a
 * REQUEST authorizer): required headers present, signatures well formed, tokens and basic auth compared.
 * Ingest verifies again with the raw bytes, so it stays safe when reached without the authorizer
 * (`sam local invoke`).
 */

type Scheme<Kind extends AuthScheme['kind']> = Extract<AuthScheme, { kind: Kind }>;

/** Authorizer stage: everything that can be decided without the body. */
export function authorizeHeaders(
  source: SourceDefinition,
  headers: Headers,
  secret: SourceSecret,
  options: SourceOptions,
): AuthOutcome {
  for (const name of source.requiredHeaders ?? []) {
    if (!headers[name.toLowerCase()]) return missing(`${name} missing`);
  }
  const { auth } = source;
  switch (auth.kind) {
    case 'hmac': {
      const { header, name, algorithm } = hmacSignature(auth, headers, options);
      return requireSignatureHeader(header, name, algorithm);
    }
    case 'token':
      return checkToken(auth, headers, secret);
    case 'basic-or-token':
      return checkBasicOrToken(headers, auth.tokenHeader, secret);
    case 'timestamped-hmac': {
      const signature = requireSignatureHeader(headers[auth.header.toLowerCase()], auth.header, 'sha256');
      return signature.ok ? checkTimestamp(auth, headers, options) : signature;
    }
  }
}

/** Ingest stage: the credential over the raw bytes, exactly as received. */
export function verifyBody(
  source: SourceDefinition,
  headers: Headers,
  rawBody: Buffer,
  secret: SourceSecret,
  options: SourceOptions,
): AuthOutcome {
  const { auth } = source;
  switch (auth.kind) {
    case 'hmac': {
      const { header, name, algorithm } = hmacSignature(auth, headers, options);
      return verifyHmacHeader(header, name, algorithm, [rawBody], secret);
    }
    case 'token':
      return checkToken(auth, headers, secret);
    case 'basic-or-token': {
      // The credential again, and the body signature when the sender was scripted to add one.
      const credential = checkBasicOrToken(headers, auth.tokenHeader, secret);
      const signature = headers[auth.signatureHeader.toLowerCase()];
      if (!credential.ok || signature === undefined) return credential;
      return verifyHmacHeader(signature, auth.signatureHeader, 'sha256', [rawBody], secret);
    }
    case 'timestamped-hmac': {
      const timestamp = checkTimestamp(auth, headers, options);
      if (!timestamp.ok) return timestamp;
      const signedPrefix = `${headers[auth.timestampHeader.toLowerCase()]?.trim()}.`;
      const signature = headers[auth.header.toLowerCase()];
      return verifyHmacHeader(signature, auth.header, 'sha256', [signedPrefix, rawBody], secret);
    }
  }
}

/** The SHA-256 header, unless only the SHA-1 one came and SHA-1 is enabled; SHA-256 wins when both come. */
function hmacSignature(
  auth: Scheme<'hmac'>,
  headers: Headers,
  options: SourceOptions,
): { header: string | undefined; name: string; algorithm: HmacAlgorithm } {
  const sha256 = headers[auth.header.toLowerCase()];
  const sha1 = auth.sha1Header === undefined ? undefined : headers[auth.sha1Header.toLowerCase()];
  if (sha256 === undefined && options.githubSha1Enabled && auth.sha1Header && sha1 !== undefined) {
    return { header: sha1, name: auth.sha1Header, algorithm: 'sha1' };
  }
  return { header: sha256, name: auth.header, algorithm: 'sha256' };
}

function checkToken(auth: Scheme<'token'>, headers: Headers, secret: SourceSecret): AuthOutcome {
  const token = headers[auth.header.toLowerCase()];
  if (!token) return missing(`${auth.header} missing`);
  return tokenMatches(token, secret) ? OK : refused(`${auth.header} does not match`);
}

/** Signing the timestamp makes a captured request useless once it is outside the window. */
function checkTimestamp(
  auth: Scheme<'timestamped-hmac'>,
  headers: Headers,
  options: SourceOptions,
): AuthOutcome {
  const timestamp = headers[auth.timestampHeader.toLowerCase()];
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp.trim())) {
    return missing(`${auth.timestampHeader} missing or not unix seconds`);
  }
  const skew = Math.abs(options.now().getTime() / 1000 - Number(timestamp.trim()));
  return skew <= auth.toleranceSeconds ? OK : refused(`${auth.timestampHeader} outside the allowed window`);
}
