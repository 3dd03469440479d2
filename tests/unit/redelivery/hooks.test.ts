import { parseHookTarget, parseHookTargets } from '../../../functions/lib/redelivery/hooks';

describe('parseHookTarget', () => {
  it.each([
    [
      'repo:Octo-Org/Hello.World:12345',
      {
        kind: 'repo',
        owner: 'Octo-Org',
        repo: 'Hello.World',
        hookId: 12345,
        key: 'repo:octo-org/hello.world:12345',
      },
    ],
    ['org:octo-org:678', { kind: 'org', org: 'octo-org', hookId: 678, key: 'org:octo-org:678' }],
    [' app ', { kind: 'app', key: 'app' }],
    ['APP', { kind: 'app', key: 'app' }],
  ])('reads %s', (spec, expected) => {
    expect(parseHookTarget(spec)).toEqual(expected);
  });

  it.each([
    'repo:octo-org:1',
    'repo:octo-org/hello-world',
    'repo:octo-org/hello-world:abc',
    'repo:octo-org/hello/world:1',
    'repo:../etc:1',
    'org:octo-org:0',
    'org:octo org:1',
    'user:octocat:1',
    'app:1',
    '',
  ])('refuses %j, naming it', (spec) => {
    expect(() => parseHookTarget(spec)).toThrow(`invalid hook "${spec}"`);
  });
});

describe('parseHookTargets', () => {
  it('keeps the first of hooks that differ only in case', () => {
    const targets = parseHookTargets([
      'repo:Octo-Org/Hello:1',
      'repo:octo-org/hello:1',
      'app',
      'org:octo-org:2',
    ]);

    expect(targets.map((target) => target.key)).toEqual(['repo:octo-org/hello:1', 'app', 'org:octo-org:2']);
  });
});
