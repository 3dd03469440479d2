import { requireSignatureHeader, verifyHmacHeader } from './credentials';
import { COMMON_META_HEADERS, firstOf, pickHeaders, stringAt } from './fields';
import type { AuthOutcome, Headers, SourceOptions, WebhookSource } from './types';

interface SignatureChoice {
  header: string | undefined;
  name: string;
  algorithm: 'sha256' | 'sha1';
}

/**
 * GitHub signs with HMAC-SHA256 in X-Hub-Signature-256. Older GitHub Enterprise Server releases send only
 * the SHA-1 X-Hub-Signature, accepted solely when GITHUB_SHA1_ENABLED says so; SHA-256 wins when both come.
 */
function signatureFor(headers: Headers, options: SourceOptions): SignatureChoice {
  const sha256 = headers['x-hub-signature-256'];
  if (sha256 === undefined && options.githubSha1Enabled && headers['x-hub-signature'] !== undefined) {
    return { header: headers['x-hub-signature'], name: 'X-Hub-Signature', algorithm: 'sha1' };
  }
  return { header: sha256, name: 'X-Hub-Signature-256', algorithm: 'sha256' };
}

export const github: WebhookSource = {
  id: 'github',

  // A missing X-GitHub-Event is not a credential problem: ingest answers it with 400 once the signature
  // is verified, so a sender learns what is wrong rather than being told its credentials are.
  authorizeHeaders(headers, _secret, options): AuthOutcome {
    const { header, name, algorithm } = signatureFor(headers, options);
    return requireSignatureHeader(header, name, algorithm);
  },

  verifyBody(headers, rawBody, secret, options): AuthOutcome {
    const { header, name, algorithm } = signatureFor(headers, options);
    return verifyHmacHeader(header, name, algorithm, [rawBody], secret);
  },

  describe(headers, payload) {
    return {
      type: headers['x-github-event'],
      action: stringAt(payload, 'action'),
      deliveryId: headers['x-github-delivery'],
      subject:
        firstOf(stringAt(payload, 'repository', 'full_name'), stringAt(payload, 'organization', 'login')) ??
        '-',
      meta: pickHeaders(headers, { hookId: 'x-github-hook-id', ...COMMON_META_HEADERS }),
    };
  },
};
