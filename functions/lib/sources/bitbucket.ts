import { defineSource, type Field, type SenderHints } from './types';

/** Cloud names a repository `workspace/slug`; Data Center by its project key and slug. */
const repositoryName: Field = (at) => {
  const projectKey = at('repository.project.key');
  return at('repository.full_name') ?? (projectKey && `${projectKey}/${at('repository.slug') ?? '-'}`);
};

/** Bitbucket Cloud and Data Center sign with HMAC-SHA256 in X-Hub-Signature (`sha256=<hex>`). */
export const bitbucket = defineSource({
  id: 'bitbucket',
  auth: { kind: 'hmac', header: 'X-Hub-Signature' },
  requiredHeaders: ['X-Event-Key'],
  delivery: {
    type: { header: 'X-Event-Key' },
    // Event keys read "<object>:<action>" (repo:push, pullrequest:created).
    action: { fromType: (type) => (type.includes(':') ? type.slice(type.indexOf(':') + 1) : undefined) },
    // Cloud sends X-Request-UUID; Data Center sends X-Request-Id.
    idHeaders: ['X-Request-UUID', 'X-Request-Id'],
    subject: repositoryName,
    meta: { hookId: 'X-Hook-UUID', attempt: 'X-Attempt-Number' },
  },
  fields: {
    repository: repositoryName,
    actor: ['actor.nickname', 'actor.display_name'],
    ref: 'push.changes.0.new.name',
    url: 'repository.links.html.href',
  },
});

export const sender: SenderHints = {
  devSecret: 'local-bitbucket-secret',
  userAgent: 'Bitbucket-Webhooks/2.0',
  sample: 'bitbucket-repo-push.json',
  guessEvent: (payload) => ('push' in payload ? 'repo:push' : undefined),
};
