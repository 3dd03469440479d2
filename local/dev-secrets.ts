import type { SourceId } from '../functions/lib/envelope';

/**
 * Development secrets used by `npm start`, `npm run send` and the signed fixtures in events/ when no
 * WEBHOOK_SECRET_<SOURCE> variable is set. They are public: never use them in a deployed stack.
 * servicenow is a basic-auth "user:password"; rally is a static token (X-Webhook-Token).
 */
export const DEV_SECRETS: Record<SourceId, string> = {
  github: 'local-github-secret',
  gitlab: 'local-gitlab-token',
  bitbucket: 'local-bitbucket-secret',
  jira: 'local-jira-secret',
  servicenow: 'servicenow:local-servicenow-password',
  rally: 'local-rally-token',
  ddns: 'local-ddns-secret',
};

/** The secret for a source: WEBHOOK_SECRET_<SOURCE> when set, else the development value. */
export function localSecret(source: SourceId, env = process.env): string {
  return env[`WEBHOOK_SECRET_${source.toUpperCase()}`] || DEV_SECRETS[source];
}
