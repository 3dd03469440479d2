import { defineSource, type SenderHints } from './types';

/** Jira signs with HMAC-SHA256 in X-Hub-Signature (`sha256=<hex>`); the event type is in the body. */
export const jira = defineSource({
  id: 'jira',
  auth: { kind: 'hmac', header: 'X-Hub-Signature' },
  delivery: {
    type: { field: 'webhookEvent' },
    action: 'issue_event_type_name',
    idHeaders: ['X-Atlassian-Webhook-Identifier'],
    subject: (at) =>
      at('issue.fields.project.key') ??
      at('project.key') ??
      // Issue keys read "<PROJECT>-<number>": comment and worklog events carry little else.
      at('issue.key')?.replace(/-\d+$/, ''),
    meta: { attempt: 'X-Atlassian-Webhook-Retry' },
  },
  fields: {
    repository: 'issue.fields.project.key',
    actor: 'user.displayName',
  },
});

export const sender: SenderHints = {
  devSecret: 'local-jira-secret',
  userAgent: 'Atlassian Webhook HTTP Client',
  sample: 'jira-issue-updated.json',
};
