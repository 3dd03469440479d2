import type { Envelope, PayloadRef } from '../envelope';

/** What one event looks like in OpenSearch: the envelope's fields, key fields copied out, the payload. */
export interface SearchDocument {
  id: string;
  source: string;
  type: string;
  action?: string;
  subject: string;
  receivedAt: string;
  indexedAt: string;
  repository?: string;
  actor?: string;
  ref?: string;
  meta: Record<string, string>;
  payloadRef?: PayloadRef;
  payload: Record<string, unknown>;
}

// Where each provider keeps the key fields, first match wins. GitHub and Bitbucket share
// `repository.full_name`; GitLab uses `project` and `user_username`; Jira nests the project key in the issue.
const REPOSITORY_PATHS = ['repository.full_name', 'project.path_with_namespace', 'issue.fields.project.key'];
const ACTOR_PATHS = [
  'sender.login',
  'user_username',
  'user.username',
  'actor.nickname',
  'actor.display_name',
  'user.displayName',
];
const REF_PATHS = ['ref', 'object_attributes.ref', 'push.changes.0.new.name'];

/** Sources whose subject is a repository, the fallback when the payload does not name one. */
const CODE_HOSTS = new Set(['github', 'gitlab', 'bitbucket']);

export function toSearchDocument(envelope: Envelope, payload: unknown, indexedAt: Date): SearchDocument {
  const body = isRecord(payload) ? payload : { value: payload };
  const repository =
    firstString(body, REPOSITORY_PATHS) ??
    (CODE_HOSTS.has(envelope.source) && envelope.subject !== '-' ? envelope.subject : undefined);
  const document: SearchDocument = {
    id: envelope.id,
    source: envelope.source,
    type: envelope.type,
    subject: envelope.subject,
    receivedAt: envelope.receivedAt,
    indexedAt: indexedAt.toISOString(),
    meta: envelope.meta,
    payload: body,
  };
  if (envelope.action !== undefined) document.action = envelope.action;
  if (repository !== undefined) document.repository = repository;
  const actor = firstString(body, ACTOR_PATHS);
  if (actor !== undefined) document.actor = actor;
  const ref = firstString(body, REF_PATHS);
  if (ref !== undefined) document.ref = ref;
  if (envelope.payloadRef) document.payloadRef = envelope.payloadRef;
  return document;
}

function firstString(body: Record<string, unknown>, paths: string[]): string | undefined {
  for (const path of paths) {
    const value = path
      .split('.')
      .reduce<unknown>(
        (node, key) =>
          isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined,
        body,
      );
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
