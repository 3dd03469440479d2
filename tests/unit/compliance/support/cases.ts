import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Envelope, parseEnvelope } from '../../../../functions/lib/envelope';
import {
  octokitExample,
  octokitExamples,
  type Payload,
  githubEnvelope as sharedGithubEnvelope,
} from '../../../support/github-examples';

/**
 * For every default rule: an event it must match and its near miss (the closest event it must not
 * match). GitHub payloads are the real ones of @octokit/webhooks-examples, changed only where a field
 * says so in `tweak`; the others are the fixtures in events/compliance (sources in its README).
 */

export { octokitExamples };

export function octokit(name: string, pick: (payload: Payload) => boolean = () => true): Payload {
  return octokitExample(name, pick);
}

let sequence = 0;
export function githubEnvelope(type: string, payload: Payload, id = `test-delivery-${++sequence}`): Envelope {
  return sharedGithubEnvelope(type, payload, id);
}

export function fixture(name: string): Envelope {
  const path = join(__dirname, '..', '..', '..', '..', 'events', 'compliance', `${name}.json`);
  return parseEnvelope(JSON.parse(readFileSync(path, 'utf8')));
}

/** A copy of the envelope with its payload changed by `tweak` (and its action, when the tweak sets one). */
export function tweak(envelope: Envelope, change: (payload: Payload) => void): Envelope {
  const payload = structuredClone(envelope.payload) as Payload;
  change(payload);
  const copy: Envelope = { ...envelope, payload };
  if (typeof payload.action === 'string') copy.action = payload.action;
  return copy;
}

function at(payload: Payload, path: string): Payload {
  return path.split('.').reduce((node, key) => node[key] as Payload, payload);
}

export interface RuleCase {
  ruleId: string;
  match: Envelope;
  nearMiss: Envelope;
  /** Allow-list in force for the near miss (the "made public" rules' near miss is an allowed repository). */
  nearMissAllowList?: string[];
}

const gh = (type: string, pick?: (payload: Payload) => boolean) => githubEnvelope(type, octokit(type, pick));
const action = (name: string) => (payload: Payload) => payload.action === name;

export const RULE_CASES: RuleCase[] = [
  {
    ruleId: 'github.repository.publicized',
    match: fixture('github-repository-publicized'),
    nearMiss: fixture('github-repository-publicized'),
    nearMissAllowList: ['codertocat/hello-world'],
  },
  {
    ruleId: 'github.public',
    match: gh('public'),
    nearMiss: gh('public'),
    nearMissAllowList: ['github:Codertocat/*'],
  },
  {
    ruleId: 'github.repository.created',
    match: gh('repository', action('created')),
    nearMiss: gh('repository', action('renamed')),
  },
  {
    ruleId: 'github.repository.created-public',
    match: gh('repository', action('created')),
    nearMiss: tweak(gh('repository', action('created')), (p) => {
      at(p, 'repository').private = true;
    }),
  },
  {
    ruleId: 'github.repository.deleted',
    match: fixture('github-repository-deleted'),
    nearMiss: gh('repository', action('edited')),
  },
  {
    ruleId: 'github.repository.transferred',
    match: gh('repository', action('transferred')),
    nearMiss: gh('repository', action('renamed')),
  },
  {
    ruleId: 'github.repository.archived',
    match: fixture('github-repository-archived'),
    nearMiss: tweak(fixture('github-repository-archived'), (p) => {
      p.action = 'unarchived';
      at(p, 'repository').archived = false;
    }),
  },
  {
    ruleId: 'github.branch_protection_rule.deleted',
    match: gh('branch_protection_rule', action('deleted')),
    nearMiss: gh('branch_protection_rule', action('created')),
  },
  {
    // The last edited example lowers several protections (2 approvals to 1, stale reviews no longer
    // dismissed, linear history off); the first only restricts who may push, which tightens the rule.
    ruleId: 'github.branch_protection_rule.weakened',
    match: gh(
      'branch_protection_rule',
      (p) => action('edited')(p) && 'required_approving_review_count' in at(p, 'changes'),
    ),
    nearMiss: gh(
      'branch_protection_rule',
      (p) => action('edited')(p) && !('required_approving_review_count' in at(p, 'changes')),
    ),
  },
  {
    ruleId: 'github.branch_protection_configuration.disabled',
    match: fixture('github-branch-protection-configuration-disabled'),
    nearMiss: tweak(fixture('github-branch-protection-configuration-disabled'), (p) => {
      p.action = 'enabled';
    }),
  },
  {
    ruleId: 'github.repository_ruleset.deleted',
    match: fixture('github-repository-ruleset-deleted'),
    nearMiss: tweak(fixture('github-repository-ruleset-deleted'), (p) => {
      p.action = 'created';
    }),
  },
  {
    ruleId: 'github.repository_ruleset.enforcement-lowered',
    match: fixture('github-repository-ruleset-disabled'),
    nearMiss: tweak(fixture('github-repository-ruleset-disabled'), (p) => {
      p.changes = { enforcement: { from: 'evaluate' } };
      at(p, 'repository_ruleset').enforcement = 'active';
    }),
  },
  {
    // GitHub's member.added carries the granted permission in changes.permission.to.
    ruleId: 'github.member.admin-granted',
    match: tweak(gh('member', action('added')), (p) => {
      p.changes = { permission: { to: 'admin' }, role_name: { to: 'admin' } };
    }),
    nearMiss: tweak(gh('member', action('added')), (p) => {
      p.changes = { permission: { to: 'write' }, role_name: { to: 'write' } };
    }),
  },
  {
    ruleId: 'github.organization.admin-added',
    match: tweak(gh('organization', action('member_added')), (p) => {
      at(p, 'membership').role = 'admin';
    }),
    nearMiss: gh('organization', action('member_added')),
  },
  {
    ruleId: 'github.team.admin-on-repository',
    match: tweak(gh('team', action('added_to_repository')), (p) => {
      Object.assign(at(p, 'repository.permissions'), { push: true, maintain: true, admin: true });
    }),
    nearMiss: gh('team', action('added_to_repository')),
  },
  {
    ruleId: 'github.deploy_key.write-access',
    match: tweak(gh('deploy_key'), (p) => {
      at(p, 'key').read_only = false;
    }),
    nearMiss: gh('deploy_key'),
  },
  {
    ruleId: 'github.secret_scanning_alert.created',
    match: fixture('github-secret-scanning-alert-created'),
    nearMiss: tweak(fixture('github-secret-scanning-alert-created'), (p) => {
      p.action = 'resolved';
    }),
  },
  {
    ruleId: 'github.code_scanning_alert.critical',
    match: tweak(gh('code_scanning_alert', action('created')), (p) => {
      at(p, 'alert.rule').security_severity_level = 'critical';
    }),
    nearMiss: tweak(gh('code_scanning_alert', action('created')), (p) => {
      at(p, 'alert.rule').security_severity_level = 'high';
    }),
  },
  {
    ruleId: 'github.dependabot_alert.critical',
    match: tweak(gh('dependabot_alert', action('created')), (p) => {
      at(p, 'alert.security_advisory').severity = 'critical';
      at(p, 'alert.security_vulnerability').severity = 'critical';
    }),
    nearMiss: gh('dependabot_alert', action('created')),
  },
  {
    ruleId: 'github.push.forced-default-branch',
    match: fixture('github-push-forced-default-branch'),
    nearMiss: tweak(fixture('github-push-forced-default-branch'), (p) => {
      p.ref = 'refs/heads/feature/rewrite-history';
    }),
  },
  {
    ruleId: 'github.meta.deleted',
    match: gh('meta'),
    nearMiss: gh('ping'),
  },
  {
    ruleId: 'gitlab.project.public',
    match: fixture('gitlab-project-made-public'),
    nearMiss: fixture('gitlab-project-updated-private'),
  },
  {
    ruleId: 'bitbucket.repository.public',
    match: fixture('bitbucket-repo-made-public'),
    nearMiss: fixture('bitbucket-repo-updated-private'),
  },
];
