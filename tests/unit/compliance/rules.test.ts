import { PublicRepositoryAllowList } from '../../../functions/lib/compliance/allow-list';
import { Catalogue } from '../../../functions/lib/compliance/catalogue';
import { evaluate } from '../../../functions/lib/compliance/evaluate';
import { DEFAULT_RULES } from '../../../functions/lib/compliance/rules';
import type { Envelope } from '../../../functions/lib/envelope';
import { fixture, githubEnvelope, octokitExamples, RULE_CASES, tweak } from './support/cases';

const catalogue = new Catalogue(DEFAULT_RULES);
const noAllowList = new PublicRepositoryAllowList([]);

function ruleIdsFor(envelope: Envelope, allowList = noAllowList): string[] {
  const { findings, errors } = evaluate(catalogue, envelope, envelope.payload, allowList);
  expect(errors).toEqual([]);
  return findings.map((finding) => finding.rule.id);
}

describe('default compliance rules', () => {
  it('has a matching event and a near miss for every rule', () => {
    const covered = RULE_CASES.map((ruleCase) => ruleCase.ruleId).sort();

    expect(covered).toEqual(DEFAULT_RULES.map((rule) => rule.id).sort());
  });

  describe.each(RULE_CASES)('$ruleId', ({ ruleId, match, nearMiss, nearMissAllowList }) => {
    it('matches its event', () => {
      expect(ruleIdsFor(match)).toContain(ruleId);
    });

    it('does not match its near miss', () => {
      const allowList = new PublicRepositoryAllowList(nearMissAllowList ?? []);

      expect(ruleIdsFor(nearMiss, allowList)).not.toContain(ruleId);
    });
  });

  it('raises nothing for ordinary pushes (every push example of @octokit/webhooks-examples)', () => {
    const pushes = octokitExamples.find((entry) => entry.name === 'push')?.examples ?? [];

    const found = pushes.flatMap((payload) => ruleIdsFor(githubEnvelope('push', payload)));

    expect(pushes.length).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  it('raises nothing for a forced push to a branch other than the default one', () => {
    const forcedElsewhere = tweak(fixture('github-push-forced-default-branch'), (payload) => {
      payload.ref = 'refs/heads/gh-pages';
    });

    expect(ruleIdsFor(forcedElsewhere)).toEqual([]);
  });

  it('evaluates every rule without error on all real GitHub payloads', () => {
    const envelopes = octokitExamples.flatMap((entry) =>
      entry.examples.map((payload) => githubEnvelope(entry.name, payload)),
    );

    const errors = envelopes.flatMap(
      (envelope) => evaluate(catalogue, envelope, envelope.payload, noAllowList).errors,
    );

    expect(envelopes.length).toBeGreaterThan(300);
    expect(errors).toEqual([]);
  });

  it('skips the Bitbucket rule when the payload shows the repository was already public', () => {
    const alreadyPublic = tweak(fixture('bitbucket-repo-made-public'), (payload) => {
      payload.changes = { is_private: { old: false, new: false } };
    });
    const madePublic = tweak(fixture('bitbucket-repo-made-public'), (payload) => {
      payload.changes = { is_private: { old: true, new: false } };
    });

    expect(ruleIdsFor(alreadyPublic)).toEqual([]);
    expect(ruleIdsFor(madePublic)).toEqual(['bitbucket.repository.public']);
  });

  it('accepts GitLab visibility with the "visibilitylevel|" prefix older versions send', () => {
    const prefixed = tweak(fixture('gitlab-project-made-public'), (payload) => {
      payload.project_visibility = 'visibilitylevel|public';
    });

    expect(ruleIdsFor(prefixed)).toEqual(['gitlab.project.public']);
  });
});

describe('findings', () => {
  it('carry a stable id, the event, the repository, the actor, the severity and the rule', () => {
    const envelope = fixture('github-repository-publicized');

    const first = evaluate(catalogue, envelope, envelope.payload, noAllowList).findings;
    const again = evaluate(catalogue, envelope, structuredClone(envelope.payload), noAllowList).findings;

    expect(first).toEqual([
      {
        findingId: `github:${envelope.id}:github.repository.publicized`,
        eventId: envelope.id,
        source: 'github',
        eventType: 'repository',
        eventAction: 'publicized',
        repository: 'Codertocat/Hello-World',
        actor: 'Codertocat',
        url: 'https://github.com/Codertocat/Hello-World',
        severity: 'high',
        rule: {
          id: 'github.repository.publicized',
          title: 'Repository made public',
          remediation: expect.stringContaining('PUBLIC_REPOSITORY_ALLOW_LIST'),
        },
        receivedAt: envelope.receivedAt,
      },
    ]);
    expect(again).toEqual(first);
  });

  it('name the organization when the event has no repository', () => {
    const envelope = RULE_CASES.find((c) => c.ruleId === 'github.organization.admin-added')
      ?.match as Envelope;

    const [finding] = evaluate(catalogue, envelope, envelope.payload, noAllowList).findings;

    expect(finding?.repository).toBe(
      (envelope.payload as { organization: { login: string } }).organization.login,
    );
    expect(finding?.severity).toBe('medium');
  });

  it('report Bitbucket and GitLab repositories and actors from their own payload fields', () => {
    const bitbucket = fixture('bitbucket-repo-made-public');
    const gitlab = fixture('gitlab-project-made-public');

    const [fromBitbucket] = evaluate(catalogue, bitbucket, bitbucket.payload, noAllowList).findings;
    const [fromGitlab] = evaluate(catalogue, gitlab, gitlab.payload, noAllowList).findings;

    expect(fromBitbucket).toMatchObject({
      repository: 'team_name/repo_name',
      actor: 'Emma',
      url: 'https://bitbucket.org/team_name/repo_name',
    });
    expect(fromGitlab).toMatchObject({
      repository: 'jsmith/storecloud',
      actor: 'John Smith',
      severity: 'high',
    });
  });
});
