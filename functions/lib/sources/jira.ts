import { requireSignatureHeader, verifyHmacHeader } from './credentials';
import { COMMON_META_HEADERS, firstOf, pickHeaders, stringAt } from './fields';
import type { AuthOutcome, WebhookSource } from './types';

/** Jira signs with HMAC-SHA256 in X-Hub-Signature (`sha256=<hex>`); the event type is in the body. */
export const jira: WebhookSource = {
  id: 'jira',

  authorizeHeaders(headers): AuthOutcome {
    return requireSignatureHeader(headers['x-hub-signature'], 'X-Hub-Signature', 'sha256');
  },

  verifyBody(headers, rawBody, secret): AuthOutcome {
    return verifyHmacHeader(headers['x-hub-signature'], 'X-Hub-Signature', 'sha256', [rawBody], secret);
  },

  describe(headers, payload) {
    return {
      type: stringAt(payload, 'webhookEvent'),
      action: stringAt(payload, 'issue_event_type_name'),
      deliveryId: headers['x-atlassian-webhook-identifier'],
      subject:
        firstOf(
          stringAt(payload, 'issue', 'fields', 'project', 'key'),
          stringAt(payload, 'project', 'key'),
          // Issue keys read "<PROJECT>-<number>": comment and worklog events carry little else.
          stringAt(payload, 'issue', 'key')?.replace(/-\d+$/, ''),
        ) ?? '-',
      meta: pickHeaders(headers, { attempt: 'x-atlassian-webhook-retry', ...COMMON_META_HEADERS }),
    };
  },
};
