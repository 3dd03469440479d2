import { checkStaticCredential } from './credentials';
import { COMMON_META_HEADERS, firstOf, pickHeaders, stringAt } from './fields';
import { verifyStaticCredentialBody } from './static-credential';
import type { WebhookSource } from './types';

/**
 * Rally (Broadcom) webhooks post `{"message": {...}}` with the changed artifact's `object_type`, the
 * `action` (Created, Updated, Deleted), a `message_id` per delivery and the artifact's `project`. Rally
 * cannot sign; the target URL carries basic-auth credentials, or a proxy adds X-Webhook-Token.
 */
export const rally: WebhookSource = {
  id: 'rally',

  authorizeHeaders: (headers, secret) => checkStaticCredential(headers, secret),

  verifyBody: verifyStaticCredentialBody,

  describe(headers, payload) {
    return {
      type: stringAt(payload, 'message', 'object_type'),
      action: stringAt(payload, 'message', 'action'),
      deliveryId: firstOf(headers['x-webhook-id'], stringAt(payload, 'message', 'message_id')),
      subject:
        firstOf(
          stringAt(payload, 'message', 'project', 'name'),
          stringAt(payload, 'message', 'project', 'uuid'),
        ) ?? '-',
      meta: pickHeaders(headers, COMMON_META_HEADERS),
    };
  },
};
