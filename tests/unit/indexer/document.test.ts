import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Envelope, parseEnvelope } from '../../../functions/lib/envelope';
import { toSearchDocument } from '../../../functions/lib/search/document';

const examples = require('@octokit/webhooks-examples') as Array<{ name: string; examples: unknown[] }>;
const fixture = (name: string): Envelope =>
  parseEnvelope(JSON.parse(readFileSync(join(__dirname, '../../../events/indexer', name), 'utf8')));
const indexedAt = new Date('2026-05-03T09:14:28.000Z');

describe('search document', () => {
  it('copies the envelope fields and the key fields of a real push', () => {
    // prepare
    const envelope = fixture('github-push.json');
    const push = examples.find((e) => e.name === 'push')?.examples[4] as Record<string, unknown>;
    expect(envelope.payload).toEqual(push);

    // act
    const document = toSearchDocument(envelope, envelope.payload, indexedAt);

    // assert
    expect(document).toEqual({
      id: envelope.id,
      source: 'github',
      type: 'push',
      subject: 'Codertocat/Hello-World',
      receivedAt: envelope.receivedAt,
      indexedAt: '2026-05-03T09:14:28.000Z',
      repository: 'Codertocat/Hello-World',
      actor: 'Codertocat',
      ref: 'refs/heads/master',
      meta: envelope.meta,
      payload: push,
    });
  });

  it('keeps the action of a real pull request and has no ref when the payload has none at the top', () => {
    const envelope = fixture('github-pull-request-opened.json');

    const document = toSearchDocument(envelope, envelope.payload, indexedAt);

    expect(document.action).toBe('opened');
    expect(document.actor).toBe('Codertocat');
    expect(document).not.toHaveProperty('ref');
  });

  it('records where a claim-checked payload came from', () => {
    const envelope = fixture('github-pull-request-claim-checked.json');
    const payload = examples.find((e) => e.name === 'pull_request')?.examples[9];

    const document = toSearchDocument(envelope, payload, indexedAt);

    expect(document.payloadRef).toEqual(envelope.payloadRef);
    expect(document.payload).toEqual(payload);
    expect(document.action).toBe('labeled');
  });

  it('reads GitLab key fields (push hook, shape from GitLab webhook docs)', () => {
    const envelope: Envelope = {
      id: 'b7a4e2b0-5c1d-4d6e-9f2a-1c3b5d7e9f01',
      source: 'gitlab',
      type: 'Push Hook',
      subject: 'mike/diaspora',
      receivedAt: '2026-05-03T09:00:00Z',
      meta: {},
      payload: {
        object_kind: 'push',
        ref: 'refs/heads/master',
        user_username: 'jsmith',
        project: { path_with_namespace: 'mike/diaspora' },
      },
    };

    const document = toSearchDocument(envelope, envelope.payload, indexedAt);

    expect([document.repository, document.actor, document.ref]).toEqual([
      'mike/diaspora',
      'jsmith',
      'refs/heads/master',
    ]);
  });

  it('reads Bitbucket key fields (repo:push, shape from Bitbucket event payload docs)', () => {
    const payload = {
      actor: { nickname: 'emmap1', display_name: 'Emma' },
      repository: { full_name: 'team_name/repo_name' },
      push: { changes: [{ new: { type: 'branch', name: 'main' } }] },
    };
    const envelope: Envelope = {
      id: '0f6c3a64-1b7e-4b3e-8c2d-5a9e7f1d2c30',
      source: 'bitbucket',
      type: 'repo:push',
      subject: 'team_name/repo_name',
      receivedAt: '2026-05-03T09:00:00Z',
      meta: {},
      payload,
    };

    const document = toSearchDocument(envelope, payload, indexedAt);

    expect([document.repository, document.actor, document.ref]).toEqual([
      'team_name/repo_name',
      'emmap1',
      'main',
    ]);
  });

  it('names no repository for a source whose subject is not one', () => {
    const envelope: Envelope = {
      id: 'f3e1',
      source: 'ddns',
      type: 'dns_update',
      subject: 'nas.home.example.com',
      receivedAt: '2026-05-03T09:00:00Z',
      meta: {},
      payload: { uuid: 'f3e1', domain: 'nas.home.example.com', ip: '203.0.113.7' },
    };

    const document = toSearchDocument(envelope, envelope.payload, indexedAt);

    expect(document).not.toHaveProperty('repository');
    expect(document.subject).toBe('nas.home.example.com');
  });

  it('wraps a payload that is not an object, so an object mapping can hold it', () => {
    const envelope = { ...fixture('github-push.json'), payload: ['not', 'an', 'object'] };

    expect(toSearchDocument(envelope, envelope.payload, indexedAt).payload).toEqual({
      value: ['not', 'an', 'object'],
    });
  });
});
