import type { SourceId } from '../../envelope';
import type { ComplianceRule } from '../types';
import { GITHUB_RULES } from './github';
import { BITBUCKET_RULES, GITLAB_RULES } from './others';

/** The catalogue the compliance function runs. Add a rule by adding an entry to one of these lists. */
export const DEFAULT_RULES: readonly ComplianceRule[] = [
  ...GITHUB_RULES,
  ...GITLAB_RULES,
  ...BITBUCKET_RULES,
];

/**
 * Where each source keeps what a finding reports, as JMESPath over its payload: the first expression
 * that gives a non-empty string wins, else the envelope's subject is used for the repository.
 */
export const FINDING_FIELDS: Partial<Record<SourceId, { repository: string; actor: string; url: string }>> = {
  github: {
    repository: 'repository.full_name || organization.login',
    actor: 'sender.login',
    url: 'repository.html_url || organization.url',
  },
  gitlab: {
    repository: 'project.path_with_namespace || path_with_namespace',
    actor: 'user_username || user.username || owner_name',
    url: 'project.web_url',
  },
  bitbucket: {
    repository: 'repository.full_name',
    actor: 'actor.nickname || actor.display_name',
    url: 'repository.links.html.href',
  },
};
