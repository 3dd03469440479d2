import { checkStaticCredential } from './credentials';
import { COMMON_META_HEADERS, firstOf, pickHeaders, stringAt } from './fields';
import { verifyStaticCredentialBody } from './static-credential';
import type { WebhookSource } from './types';

/**
 * ServiceNow has no webhook format of its own: an outbound REST message or business rule posts JSON. The
 * convention here: `event_type` (or `type`) names the event, `action` or `operation` what happened,
 * `table` with `number` or `sys_id` the record; an `X-Webhook-Id` header, when scripted, identifies the
 * delivery. Authentication is basic auth or X-Webhook-Token.
 */
export const servicenow: WebhookSource = {
  id: 'servicenow',

  authorizeHeaders: (headers, secret) => checkStaticCredential(headers, secret),

  verifyBody: verifyStaticCredentialBody,

  describe(headers, payload) {
    const table = stringAt(payload, 'table');
    const record = firstOf(stringAt(payload, 'number'), stringAt(payload, 'sys_id'));
    return {
      type: firstOf(stringAt(payload, 'event_type'), stringAt(payload, 'type')),
      action: firstOf(stringAt(payload, 'action'), stringAt(payload, 'operation')),
      deliveryId: headers['x-webhook-id'],
      subject: table && record ? `${table}/${record}` : (table ?? '-'),
      meta: pickHeaders(headers, COMMON_META_HEADERS),
    };
  },
};
