import { defineSource, type SenderHints } from './types';

/**
 * GitLab does not sign bodies: it sends the configured secret token itself in X-Gitlab-Token (checked in the
 * authorizer, and again at ingest, which may be reached without it). A missing X-Gitlab-Event is answered
 * 400 by ingest once the token matched, as for GitHub.
 */
export const gitlab = defineSource({
  id: 'gitlab',
  auth: { kind: 'token', header: 'X-Gitlab-Token' },
  delivery: {
    type: { header: 'X-Gitlab-Event' },
    // Merge request, issue and similar hooks carry their action in object_attributes.
    action: 'object_attributes.action',
    // Idempotency-Key (GitLab 17.4+) stays the same across retries; older releases send only the event UUID.
    idHeaders: ['Idempotency-Key', 'X-Gitlab-Event-UUID'],
    subject: ['project.path_with_namespace', 'group.full_path'],
    meta: { hookId: 'X-Gitlab-Webhook-UUID' },
  },
  fields: {
    // System hooks (project_create, project_update) name the project at the top level.
    repository: ['project.path_with_namespace', 'path_with_namespace', 'group.full_path'],
    actor: ['user_username', 'user.username', 'owner_name'],
    ref: ['ref', 'object_attributes.ref'],
    url: 'project.web_url',
  },
});

const EVENT_BY_KIND: Record<string, string> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  merge_request: 'Merge Request Hook',
  issue: 'Issue Hook',
  note: 'Note Hook',
  pipeline: 'Pipeline Hook',
  build: 'Job Hook',
  wiki_page: 'Wiki Page Hook',
  deployment: 'Deployment Hook',
  release: 'Release Hook',
};

export const sender: SenderHints = {
  devSecret: 'local-gitlab-token',
  userAgent: 'GitLab/17.6.0',
  sample: 'gitlab-push.json',
  /** The X-Gitlab-Event of a payload's object_kind (event_name for system hooks). */
  guessEvent(payload) {
    if (typeof payload.event_name === 'string' && payload.object_kind === undefined) return 'System Hook';
    return EVENT_BY_KIND[String(payload.object_kind)];
  },
};
