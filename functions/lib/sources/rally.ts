import { defineSource, type SenderHints } from './types';

/**
 * Rally (Broadcom) webhooks post `{"message": {...}}` with the changed artifact's `object_type`, the
 * `action` (Created, Updated, Deleted), a `message_id` per delivery and the artifact's `project`. Rally
 * cannot sign; the target URL carries basic-auth credentials, or a proxy adds X-Webhook-Token.
 */
export const rally = defineSource({
  id: 'rally',
  auth: { kind: 'basic-or-token', tokenHeader: 'X-Webhook-Token', signatureHeader: 'X-Hub-Signature-256' },
  delivery: {
    type: { field: 'message.object_type' },
    action: 'message.action',
    idHeaders: ['X-Webhook-Id'],
    idField: 'message.message_id',
    subject: ['message.project.name', 'message.project.uuid'],
  },
});

export const sender: SenderHints = {
  // A static token (X-Webhook-Token).
  devSecret: 'local-rally-token',
  userAgent: 'Rally-Pigeon/2.0',
  sample: 'rally-defect-updated.json',
};
