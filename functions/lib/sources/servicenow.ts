import { defineSource, type SenderHints } from './types';

/**
 * ServiceNow has no webhook format of its own: an outbound REST message or business rule posts JSON. The
 * convention here: `event_type` (or `type`) names the event, `action` or `operation` what happened,
 * `table` with `number` or `sys_id` the record; an `X-Webhook-Id` header, when scripted, identifies the
 * delivery. Authentication is basic auth or X-Webhook-Token.
 */
export const servicenow = defineSource({
  id: 'servicenow',
  auth: { kind: 'basic-or-token', tokenHeader: 'X-Webhook-Token', signatureHeader: 'X-Hub-Signature-256' },
  delivery: {
    type: { field: ['event_type', 'type'] },
    action: ['action', 'operation'],
    idHeaders: ['X-Webhook-Id'],
    subject: (at) => {
      const table = at('table');
      const record = at('number') ?? at('sys_id');
      return table && record ? `${table}/${record}` : table;
    },
  },
});

export const sender: SenderHints = {
  // A basic-auth "user:password".
  devSecret: 'servicenow:local-servicenow-password',
  userAgent: 'ServiceNow/1.0',
  sample: 'servicenow-incident-updated.json',
};
