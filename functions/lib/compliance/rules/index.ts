import type { ComplianceRule } from '../types';
import { GITHUB_RULES } from './github';
import { BITBUCKET_RULES, GITLAB_RULES } from './others';

/** The catalogue the compliance function runs. Add a rule by adding an entry to one of these lists. */
export const DEFAULT_RULES: readonly ComplianceRule[] = [
  ...GITHUB_RULES,
  ...GITLAB_RULES,
  ...BITBUCKET_RULES,
];
