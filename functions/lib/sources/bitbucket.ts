import { missing, requireSignatureHeader, verifyHmacHeader } from './credentials';
import { COMMON_META_HEADERS, firstOf, pickHeaders, stringAt } from './fields';
import type { AuthOutcome, WebhookSource } from './types';

/** Bitbucket Cloud and Data Center sign with HMAC-SHA256 in X-Hub-Signature (`sha256=<hex>`). */
export const bitbucket: WebhookSource = {
  id: 'bitbucket',

  authorizeHeaders(headers): AuthOutcome {
    if (!headers['x-event-key']) return missing('X-Event-Key missing');
    return requireSignatureHeader(headers['x-hub-signature'], 'X-Hub-Signature', 'sha256');
  },

  verifyBody(headers, rawBody, secret): AuthOutcome {
    return verifyHmacHeader(headers['x-hub-signature'], 'X-Hub-Signature', 'sha256', [rawBody], secret);
  },

  describe(headers, payload) {
    const type = headers['x-event-key'];
    // Event keys read "<object>:<action>" (repo:push, pullrequest:created).
    const action = type?.includes(':') ? type.slice(type.indexOf(':') + 1) : undefined;
    const dataCenterName = stringAt(payload, 'repository', 'project', 'key')
      ? `${stringAt(payload, 'repository', 'project', 'key')}/${stringAt(payload, 'repository', 'slug') ?? '-'}`
      : undefined;
    return {
      type,
      action,
      // Cloud sends X-Request-UUID; Data Center sends X-Request-Id.
      deliveryId: firstOf(headers['x-request-uuid'], headers['x-request-id']),
      subject: firstOf(stringAt(payload, 'repository', 'full_name'), dataCenterName) ?? '-',
      meta: pickHeaders(headers, {
        hookId: 'x-hook-uuid',
        attempt: 'x-attempt-number',
        ...COMMON_META_HEADERS,
      }),
    };
  },
};
