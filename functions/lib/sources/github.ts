import { defineSource, type SenderHints } from './types';

/**
 * GitHub signs with HMAC-SHA256 in X-Hub-Signature-256. Older GitHub Enterprise Server releases send only
 * the SHA-1 X-Hub-Signature, accepted solely when GITHUB_SHA1_ENABLED says so; SHA-256 wins when both come.
 * A missing X-GitHub-Event is not a credential problem: ingest answers it with 400 once the signature is
 * verified, so a sender learns what is wrong rather than being told its credentials are.
 */
export const github = defineSource({
  id: 'github',
  auth: { kind: 'hmac', header: 'X-Hub-Signature-256', sha1Header: 'X-Hub-Signature' },
  delivery: {
    type: { header: 'X-GitHub-Event' },
    action: 'action',
    idHeaders: ['X-GitHub-Delivery'],
    subject: ['repository.full_name', 'organization.login'],
    meta: { hookId: 'X-GitHub-Hook-ID' },
  },
  fields: {
    repository: ['repository.full_name', 'organization.login'],
    actor: 'sender.login',
    ref: 'ref',
    url: ['repository.html_url', 'organization.url'],
  },
});

/** Top-level keys that give a payload's event away, first match wins. */
const EVENT_BY_KEY: [string, string][] = [
  ['zen', 'ping'],
  ['pusher', 'push'],
  ['pull_request', 'pull_request'],
  ['comment', 'issue_comment'],
  ['issue', 'issues'],
  ['release', 'release'],
  ['workflow_job', 'workflow_job'],
  ['workflow_run', 'workflow_run'],
  ['check_run', 'check_run'],
  ['check_suite', 'check_suite'],
  ['deployment_status', 'deployment_status'],
  ['deployment', 'deployment'],
  ['alert', 'code_scanning_alert'],
  ['rule', 'branch_protection_rule'],
  ['key', 'deploy_key'],
  ['member', 'member'],
  ['ref_type', 'create'],
  ['forkee', 'fork'],
  ['starred_at', 'star'],
];

export const sender: SenderHints = {
  devSecret: 'local-github-secret',
  userAgent: 'GitHub-Hookshot/local',
  sample: 'github-push.json',
  guessEvent(payload) {
    const match = EVENT_BY_KEY.find(([key]) => key in payload);
    if (match) return match[1];
    return 'repository' in payload && typeof payload.action === 'string' ? 'repository' : undefined;
  },
};
