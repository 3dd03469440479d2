import type { SourceSecret } from '../webhook-secrets';
import { checkStaticCredential, verifyHmacHeader } from './credentials';
import type { AuthOutcome, Headers } from './types';

/**
 * Ingest-side check for senders with no native signing (ServiceNow, Rally): the credential again (ingest
 * may be reached without the authorizer, as with sam local invoke), and, when the sender was scripted to
 * sign, its X-Hub-Signature-256 too.
 */
export function verifyStaticCredentialBody(
  headers: Headers,
  rawBody: Buffer,
  secret: SourceSecret,
): AuthOutcome {
  const credential = checkStaticCredential(headers, secret);
  if (!credential.ok || headers['x-hub-signature-256'] === undefined) return credential;
  return verifyHmacHeader(headers['x-hub-signature-256'], 'X-Hub-Signature-256', 'sha256', [rawBody], secret);
}
