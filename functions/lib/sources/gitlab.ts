import type { SourceSecret } from '../webhook-secrets';
import { missing, refused, tokenMatches } from './credentials';
import { COMMON_META_HEADERS, firstOf, pickHeaders, stringAt } from './fields';
import type { AuthOutcome, Headers, WebhookSource } from './types';

/** GitLab does not sign bodies: it sends the configured secret token itself in X-Gitlab-Token. */
function checkToken(headers: Headers, secret: SourceSecret): AuthOutcome {
  const token = headers['x-gitlab-token'];
  if (!token) return missing('X-Gitlab-Token missing');
  return tokenMatches(token, secret) ? { ok: true } : refused('X-Gitlab-Token does not match');
}

export const gitlab: WebhookSource = {
  id: 'gitlab',

  // A missing X-Gitlab-Event is answered 400 by ingest once the token matched, as for GitHub.
  authorizeHeaders(headers, secret): AuthOutcome {
    return checkToken(headers, secret);
  },

  // Checked again here so ingest stays safe when reached without the authorizer (sam local invoke).
  verifyBody(headers, _rawBody, secret): AuthOutcome {
    return checkToken(headers, secret);
  },

  describe(headers, payload) {
    return {
      type: headers['x-gitlab-event'],
      // Merge request, issue and similar hooks carry their action in object_attributes.
      action: stringAt(payload, 'object_attributes', 'action'),
      // Idempotency-Key (GitLab 17.4+) stays the same across retries; older releases send only the event UUID.
      deliveryId: firstOf(headers['idempotency-key'], headers['x-gitlab-event-uuid']),
      subject:
        firstOf(
          stringAt(payload, 'project', 'path_with_namespace'),
          stringAt(payload, 'group', 'full_path'),
        ) ?? '-',
      meta: pickHeaders(headers, { hookId: 'x-gitlab-webhook-uuid', ...COMMON_META_HEADERS }),
    };
  },
};
