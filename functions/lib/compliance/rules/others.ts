import type { ComplianceRule } from '../types';

/*
 * GitLab and Bitbucket rules, written against the payloads those services document. Neither sends a
 * "visibility changed" event with the old and new value everywhere, so these read what the payload says.
 */

export const GITLAB_RULES: readonly ComplianceRule[] = [
  {
    // System hooks (https://docs.gitlab.com/administration/system_hooks/) report the project's visibility
    // on project_create and project_update; older GitLab versions prefix it with "visibilitylevel|".
    id: 'gitlab.project.public',
    source: 'gitlab',
    type: 'System Hook',
    when:
      "contains(['project_create', 'project_update'], event_name) && " +
      "contains(['public', 'visibilitylevel|public'], project_visibility)",
    severity: 'high',
    title: 'GitLab project is public',
    remediation:
      'Set the project visibility back to private or internal unless its publication was approved; add ' +
      'approved public projects to PUBLIC_REPOSITORY_ALLOW_LIST.',
    exemptAllowListedPublicRepositories: true,
  },
];

export const BITBUCKET_RULES: readonly ComplianceRule[] = [
  {
    // repo:updated carries the repository as it is now and `changes` with old and new values
    // (https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/); skip it only when the payload
    // shows the repository was public before the change too.
    id: 'bitbucket.repository.public',
    source: 'bitbucket',
    type: 'repo:updated',
    when: 'repository.is_private == `false` && changes.is_private.old != `false`',
    severity: 'high',
    title: 'Bitbucket repository made public',
    remediation:
      'Untick "This is a private repository" in the repository settings unless its publication was ' +
      'approved; add approved public repositories to PUBLIC_REPOSITORY_ALLOW_LIST.',
    exemptAllowListedPublicRepositories: true,
  },
];
