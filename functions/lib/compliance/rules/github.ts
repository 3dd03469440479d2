import type { ComplianceRule } from '../types';

/*
 * GitHub rules. Conditions are JMESPath over the webhook payload as GitHub sends it
 * (https://docs.github.com/webhooks/webhook-events-and-payloads). Literals: 'text' is a string,
 * `true` / `2` are JSON values.
 */

/** Requirement levels (off < non_admins < everyone): lowering one weakens the rule. */
const requirementLevels = [
  'pull_request_reviews_enforcement_level',
  'required_status_checks_enforcement_level',
  'signature_requirement_enforcement_level',
  'linear_history_requirement_enforcement_level',
  'required_conversation_resolution_level',
  'required_deployments_enforcement_level',
  'merge_queue_enforcement_level',
];
/** Allowances that are off on a protective rule: turning one on weakens it. */
const allowanceLevels = ['allow_force_pushes_enforcement_level', 'allow_deletions_enforcement_level'];
/** Protections that are true on a protective rule: turning one off weakens it. */
const protectiveFlags = [
  'admin_enforced',
  'dismiss_stale_reviews_on_push',
  'require_code_owner_review',
  'require_last_push_approval',
  'strict_required_status_checks_policy',
  'authorized_actors_only',
];

const branchProtectionWeakenings = [
  ...requirementLevels.flatMap((level) => [
    `changes.${level}.from == 'everyone' && rule.${level} != 'everyone'`,
    `changes.${level}.from == 'non_admins' && rule.${level} == 'off'`,
  ]),
  ...allowanceLevels.map((level) => `changes.${level}.from == 'off' && rule.${level} != 'off'`),
  ...protectiveFlags.map((flag) => `changes.${flag}.from == \`true\` && rule.${flag} == \`false\``),
  'changes.required_approving_review_count.from > rule.required_approving_review_count',
  'length(changes.required_status_checks.from || `[]`) > length(rule.required_status_checks || `[]`)',
];

const makePrivate =
  'Make the repository private again unless its publication was approved, then check its history for ' +
  'secrets and rotate any that were ever committed. Add approved public repositories to ' +
  'PUBLIC_REPOSITORY_ALLOW_LIST.';

export const GITHUB_RULES: readonly ComplianceRule[] = [
  {
    id: 'github.repository.publicized',
    source: 'github',
    type: 'repository',
    actions: ['publicized'],
    severity: 'high',
    title: 'Repository made public',
    remediation: makePrivate,
    exemptAllowListedPublicRepositories: true,
  },
  {
    id: 'github.public',
    source: 'github',
    type: 'public',
    severity: 'high',
    title: 'Repository made public',
    remediation: makePrivate,
    exemptAllowListedPublicRepositories: true,
  },
  {
    id: 'github.repository.created',
    source: 'github',
    type: 'repository',
    actions: ['created'],
    severity: 'info',
    title: 'Repository created: compliance review due',
    remediation:
      'Start the compliance review for the new repository: owner, data classification, branch ' +
      'protection on the default branch, secret scanning and Dependabot alerts enabled.',
  },
  {
    id: 'github.repository.created-public',
    source: 'github',
    type: 'repository',
    actions: ['created'],
    when: 'repository.private == `false`',
    severity: 'high',
    title: 'Repository created public',
    remediation: makePrivate,
    exemptAllowListedPublicRepositories: true,
  },
  {
    id: 'github.repository.deleted',
    source: 'github',
    type: 'repository',
    actions: ['deleted'],
    severity: 'medium',
    title: 'Repository deleted',
    remediation: 'Confirm the deletion was approved; an organization owner can restore it within 90 days.',
  },
  {
    id: 'github.repository.transferred',
    source: 'github',
    type: 'repository',
    actions: ['transferred'],
    severity: 'medium',
    title: 'Repository transferred to another owner',
    remediation: 'Confirm the new owner is approved to hold this code; transfer it back otherwise.',
  },
  {
    id: 'github.repository.archived',
    source: 'github',
    type: 'repository',
    actions: ['archived'],
    severity: 'medium',
    title: 'Repository archived',
    remediation: 'Confirm the archive was intended and that dependants have moved off the repository.',
  },
  {
    id: 'github.branch_protection_rule.deleted',
    source: 'github',
    type: 'branch_protection_rule',
    actions: ['deleted'],
    severity: 'high',
    title: 'Branch protection rule deleted',
    remediation: 'Restore the branch protection rule, or replace it with an equivalent repository ruleset.',
  },
  {
    id: 'github.branch_protection_rule.weakened',
    source: 'github',
    type: 'branch_protection_rule',
    actions: ['edited'],
    whenAny: branchProtectionWeakenings,
    severity: 'medium',
    title: 'Branch protection rule weakened',
    remediation:
      'Compare the rule with its previous settings (the finding event names the rule) and restore ' +
      'the protections that were lowered unless the change was approved.',
  },
  {
    id: 'github.branch_protection_configuration.disabled',
    source: 'github',
    type: 'branch_protection_configuration',
    actions: ['disabled'],
    severity: 'high',
    title: 'All branch protections disabled for the repository',
    remediation: 'Re-enable branch protection for the repository and review what was pushed meanwhile.',
  },
  {
    id: 'github.repository_ruleset.deleted',
    source: 'github',
    type: 'repository_ruleset',
    actions: ['deleted'],
    severity: 'high',
    title: 'Repository ruleset deleted',
    remediation: 'Recreate the ruleset (export rulesets as JSON to keep a copy) and review what it guarded.',
  },
  {
    id: 'github.repository_ruleset.enforcement-lowered',
    source: 'github',
    type: 'repository_ruleset',
    actions: ['edited'],
    when: "changes.enforcement.from == 'active' && repository_ruleset.enforcement != 'active'",
    severity: 'medium',
    title: 'Repository ruleset no longer enforced',
    remediation: 'Set the ruleset back to "Active" unless disabling it was approved.',
  },
  {
    id: 'github.member.admin-granted',
    source: 'github',
    type: 'member',
    actions: ['added', 'edited'],
    when: "changes.permission.to == 'admin' || changes.role_name.to == 'admin'",
    severity: 'medium',
    title: 'Collaborator given admin access to a repository',
    remediation: 'Confirm the admin grant was approved; otherwise lower the collaborator to write or less.',
  },
  {
    id: 'github.organization.admin-added',
    source: 'github',
    type: 'organization',
    actions: ['member_added'],
    when: "membership.role == 'admin'",
    severity: 'medium',
    title: 'Organization owner added',
    remediation: 'Confirm the new organization owner was approved; otherwise change the role to member.',
  },
  {
    id: 'github.team.admin-on-repository',
    source: 'github',
    type: 'team',
    actions: ['added_to_repository', 'edited'],
    whenAny: [
      "action == 'added_to_repository' && repository.permissions.admin == `true`",
      "action == 'edited' && changes.repository.permissions.from.admin == `false` && repository.permissions.admin == `true`",
    ],
    severity: 'medium',
    title: 'Team given admin access to a repository',
    remediation: "Confirm the team's admin access was approved; otherwise lower it to maintain or write.",
  },
  {
    id: 'github.deploy_key.write-access',
    source: 'github',
    type: 'deploy_key',
    actions: ['created'],
    when: 'key.read_only == `false`',
    severity: 'medium',
    title: 'Deploy key with write access created',
    remediation: 'Replace the key with a read-only deploy key unless the automation needs to push.',
  },
  {
    id: 'github.secret_scanning_alert.created',
    source: 'github',
    type: 'secret_scanning_alert',
    actions: ['created'],
    severity: 'high',
    title: 'Secret committed to a repository',
    remediation:
      'Revoke and rotate the exposed secret first, then close the alert; removing the commit is not enough.',
  },
  {
    id: 'github.code_scanning_alert.critical',
    source: 'github',
    type: 'code_scanning_alert',
    actions: ['created'],
    when: "alert.rule.security_severity_level == 'critical'",
    severity: 'high',
    title: 'Critical code scanning alert',
    remediation: 'Fix the vulnerable code or dismiss the alert with a justification.',
  },
  {
    id: 'github.dependabot_alert.critical',
    source: 'github',
    type: 'dependabot_alert',
    actions: ['created'],
    whenAny: [
      "alert.security_advisory.severity == 'critical'",
      "alert.security_vulnerability.severity == 'critical'",
    ],
    severity: 'high',
    title: 'Critical Dependabot alert',
    remediation:
      'Upgrade the vulnerable dependency to the first patched version (Dependabot can open the pull request).',
  },
  {
    id: 'github.push.forced-default-branch',
    source: 'github',
    type: 'push',
    when: "forced == `true` && ref == join('', ['refs/heads/', repository.default_branch || ''])",
    severity: 'high',
    title: 'Forced push to the default branch',
    remediation:
      'Check which commits were overwritten (the "before" commit of the push) and restore them; ' +
      'forbid force pushes on the default branch with branch protection or a ruleset.',
  },
  {
    id: 'github.meta.deleted',
    source: 'github',
    type: 'meta',
    actions: ['deleted'],
    severity: 'high',
    title: 'Webhook deleted: the pipeline no longer receives these events',
    remediation: 'Recreate the webhook (same URL and secret) if the deletion was not approved.',
  },
];
