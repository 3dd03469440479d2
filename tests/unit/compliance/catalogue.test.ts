import { PublicRepositoryAllowList } from '../../../functions/lib/compliance/allow-list';
import { Catalogue } from '../../../functions/lib/compliance/catalogue';
import { readComplianceConfig } from '../../../functions/lib/compliance/check';
import { evaluate } from '../../../functions/lib/compliance/evaluate';
import { DEFAULT_RULES } from '../../../functions/lib/compliance/rules';
import type { ComplianceRule } from '../../../functions/lib/compliance/types';
import { ConfigError } from '../../../functions/lib/config';
import { findingMemorySeconds } from '../../../functions/lib/idempotency';
import { fixture } from './support/cases';

const valid: ComplianceRule = {
  id: 'custom.rule',
  source: 'github',
  type: 'repository',
  actions: ['publicized'],
  severity: 'low',
  title: 'A title',
  remediation: 'A hint',
};

describe('rule catalogue', () => {
  it.each<[string, Partial<ComplianceRule>, RegExp]>([
    ['a JMESPath syntax error', { when: 'repository.private ==' }, /invalid JMESPath/],
    ['an unknown JMESPath function', { whenAny: ['lower(repository.name)'] }, /invalid JMESPath/],
    ['an unknown severity', { severity: 'urgent' as never }, /unknown severity "urgent"/],
    ['an unknown source', { source: 'svn' as never }, /unknown source "svn"/],
    ['a colon in the id (finding ids are source:eventId:ruleId)', { id: 'custom:rule' }, /id may use only/],
    ['an empty action list', { actions: [] }, /actions is empty/],
    ['a missing remediation', { remediation: '' }, /remediation are required/],
  ])('refuses a rule with %s, naming it', (_, change, message) => {
    const act = () => new Catalogue([{ ...valid, ...change }]);

    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it('refuses two rules with the same id', () => {
    expect(() => new Catalogue([valid, { ...valid, title: 'Another' }])).toThrow(
      'compliance rule id "custom.rule" is used twice',
    );
  });

  it('takes a new rule as data, with no code change', () => {
    const starred: ComplianceRule = {
      id: 'custom.watch-started',
      source: 'github',
      type: 'watch',
      actions: ['started'],
      when: "sender.login == 'Codertocat'",
      severity: 'low',
      title: 'Starred',
      remediation: 'None',
    };
    const catalogue = new Catalogue([...DEFAULT_RULES, starred]);
    const envelope = { ...fixture('github-repository-publicized'), type: 'watch', action: 'started' };

    const { findings } = evaluate(catalogue, envelope, envelope.payload, new PublicRepositoryAllowList([]));

    expect(findings.map((finding) => finding.findingId)).toEqual([
      `github:${envelope.id}:custom.watch-started`,
    ]);
  });

  it('reports a condition that fails on a payload without losing the other rules', () => {
    const fragile: ComplianceRule = { ...valid, id: 'custom.fragile', when: 'length(no_such_field) > `0`' };
    const catalogue = new Catalogue([...DEFAULT_RULES, fragile]);
    const envelope = fixture('github-repository-publicized');

    const { findings, errors } = evaluate(
      catalogue,
      envelope,
      envelope.payload,
      new PublicRepositoryAllowList([]),
    );

    expect(findings.map((finding) => finding.rule.id)).toEqual(['github.repository.publicized']);
    expect(errors).toEqual([{ ruleId: 'custom.fragile', message: expect.stringContaining('length()') }]);
  });

  it('lists the (source, type) pairs and actions the workflow must route to the compliance step', () => {
    const routes = new Catalogue(DEFAULT_RULES).routes();

    expect(routes).toEqual(
      expect.arrayContaining([
        {
          source: 'github',
          type: 'repository',
          actions: ['archived', 'created', 'deleted', 'publicized', 'transferred'],
        },
        { source: 'github', type: 'public' },
        { source: 'github', type: 'push' },
        { source: 'github', type: 'meta', actions: ['deleted'] },
        { source: 'gitlab', type: 'System Hook' },
        { source: 'bitbucket', type: 'repo:updated' },
      ]),
    );
    expect(new Set(routes.map((route) => `${route.source} ${route.type}`)).size).toBe(routes.length);
  });
});

describe('compliance configuration', () => {
  const env = {
    IDEMPOTENCY_TABLE: 'webhook-idempotency',
    EVENT_BUS_NAME: 'webhooks',
    ALARM_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:compliance-alarm-topic',
  };

  it('fails fast naming a missing variable', () => {
    expect(() => readComplianceConfig({ ...env, ALARM_TOPIC_ARN: '' })).toThrow('ALARM_TOPIC_ARN');
  });

  it('refuses an alarm threshold that is not a severity', () => {
    expect(() => readComplianceConfig({ ...env, ALARM_MIN_SEVERITY: 'loud' })).toThrow('ALARM_MIN_SEVERITY');
  });

  it('defaults to alarms from high up and remembers delivered findings for as long as the lake keeps events', () => {
    const config = readComplianceConfig(env);

    expect(config.delivery).toEqual({
      idempotencyTable: 'webhook-idempotency',
      eventBusName: 'webhooks',
      alarmTopicArn: env.ALARM_TOPIC_ARN,
      alarmMinSeverity: 'high',
      expiresAfterSeconds: findingMemorySeconds(0),
    });
    expect(findingMemorySeconds(0)).toBeGreaterThan(50 * 365 * 24 * 3600);
    expect(readComplianceConfig({ ...env, LAKE_EXPIRATION_DAYS: '400' }).delivery.expiresAfterSeconds).toBe(
      400 * 24 * 3600,
    );
  });
});

describe('public repository allow-list', () => {
  const allowList = new PublicRepositoryAllowList(['octo-org/docs', 'github:octo-org/site-*', 'oss-group/*']);

  it.each([
    ['github', 'octo-org/docs', true],
    ['github', 'Octo-Org/Docs', true],
    ['bitbucket', 'octo-org/docs', true],
    ['github', 'octo-org/site-www', true],
    ['gitlab', 'octo-org/site-www', false],
    ['gitlab', 'oss-group/sub/project', true],
    ['github', 'octo-org/docs-internal', false],
    ['github', 'octo-org/doc', false],
    ['github', 'octo-org.docs', false],
  ] as const)('%s %s allowed: %s', (source, repository, allowed) => {
    expect(allowList.allows(source, repository)).toBe(allowed);
  });

  it('allows nothing when the repository is unknown', () => {
    expect(new PublicRepositoryAllowList(['*']).allows('github', null)).toBe(false);
  });
});
