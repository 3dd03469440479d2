import { lowerCaseHeaders } from '../../../functions/lib/request-body';
import { bitbucket } from '../../../functions/lib/sources/bitbucket';
import { basicCredentials, tokenMatches } from '../../../functions/lib/sources/credentials';
import { ddns } from '../../../functions/lib/sources/ddns';
import { github } from '../../../functions/lib/sources/github';
import { gitlab } from '../../../functions/lib/sources/gitlab';
import { jira } from '../../../functions/lib/sources/jira';
import { rally } from '../../../functions/lib/sources/rally';
import { servicenow } from '../../../functions/lib/sources/servicenow';
import type { Headers, SourceOptions } from '../../../functions/lib/sources/types';
import { authorizeHeaders, verifyBody } from '../../../functions/lib/sources/verify';
import { credentialHeaders } from '../../../local/credentials';

const vectorSecret = "It's a Secret to Everybody";
const vectorBody = Buffer.from('Hello, World!');
const vectorSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
const now = new Date('2026-01-15T10:21:05Z');
const options: SourceOptions = { githubSha1Enabled: false, now: () => now };

function signed(
  source: Parameters<typeof credentialHeaders>[0],
  body: Buffer,
  secret: string,
  extra = {},
): Headers {
  return lowerCaseHeaders({ ...extra, ...credentialHeaders(source, body, secret, now) });
}

describe("GitHub's documented test vector", () => {
  it('signs "Hello, World!" exactly as GitHub documents', () => {
    const headers = credentialHeaders('github', vectorBody, vectorSecret);

    expect(headers['X-Hub-Signature-256']).toBe(vectorSignature);
  });

  it('verifies the documented signature', () => {
    const headers = { 'x-hub-signature-256': vectorSignature };

    expect(verifyBody(github, headers, vectorBody, { current: vectorSecret }, options)).toEqual({ ok: true });
  });

  it('verifies an upper-case hex digest too', () => {
    const headers = { 'x-hub-signature-256': `sha256=${vectorSignature.slice(7).toUpperCase()}` };

    expect(verifyBody(github, headers, vectorBody, { current: vectorSecret }, options).ok).toBe(true);
  });
});

describe.each([
  ['github', github],
  ['bitbucket', bitbucket],
  ['jira', jira],
] as const)('%s HMAC verification', (name, source) => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');

  it('accepts the current secret', () => {
    const headers = signed(name, body, 'current-secret');

    expect(verifyBody(source, headers, body, { current: 'current-secret' }, options)).toEqual({ ok: true });
  });

  it('accepts the previous secret during a rotation', () => {
    const headers = signed(name, body, 'old-secret');

    const outcome = verifyBody(
      source,
      headers,
      body,
      { current: 'new-secret', previous: 'old-secret' },
      options,
    );

    expect(outcome).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret with 403', () => {
    const headers = signed(name, body, 'attacker-secret');

    const outcome = verifyBody(
      source,
      headers,
      body,
      { current: 'new-secret', previous: 'old-secret' },
      options,
    );

    expect(outcome).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses a body changed after signing with 403', () => {
    const headers = signed(name, body, 'current-secret');
    const tampered = Buffer.from(body.toString().replace('awesome', 'awesome!'));

    expect(verifyBody(source, headers, tampered, { current: 'current-secret' }, options)).toMatchObject({
      status: 403,
    });
  });

  it('answers 401 for a missing signature and for a malformed one', () => {
    const malformed = lowerCaseHeaders(
      Object.fromEntries(
        Object.keys(credentialHeaders(name, body, 'x')).map((header) => [header, 'sha256=zz']),
      ),
    );

    expect(verifyBody(source, {}, body, { current: 'current-secret' }, options)).toMatchObject({
      status: 401,
    });
    expect(verifyBody(source, malformed, body, { current: 'current-secret' }, options)).toMatchObject({
      status: 401,
    });
  });
});

describe('GitHub Enterprise Server SHA-1 signatures', () => {
  const body = Buffer.from('{"action":"opened"}');
  const sha1 = `sha1=${require('node:crypto').createHmac('sha1', 'ghes').update(body).digest('hex')}`;

  it('refuses X-Hub-Signature alone unless SHA-1 is enabled', () => {
    const headers = { 'x-github-event': 'issues', 'x-hub-signature': sha1 };

    expect(authorizeHeaders(github, headers, { current: 'ghes' }, options)).toMatchObject({ status: 401 });
    expect(verifyBody(github, headers, body, { current: 'ghes' }, options)).toMatchObject({ status: 401 });
  });

  it('accepts X-Hub-Signature when enabled', () => {
    const headers = { 'x-github-event': 'issues', 'x-hub-signature': sha1 };
    const sha1Options = { ...options, githubSha1Enabled: true };

    expect(authorizeHeaders(github, headers, { current: 'ghes' }, sha1Options)).toEqual({ ok: true });
    expect(verifyBody(github, headers, body, { current: 'ghes' }, sha1Options)).toEqual({ ok: true });
  });

  it('still checks SHA-256 when both are sent, even with SHA-1 enabled', () => {
    const headers = {
      'x-hub-signature': sha1,
      'x-hub-signature-256': credentialHeaders('github', body, 'other')['X-Hub-Signature-256'],
    };

    const outcome = verifyBody(
      github,
      headers,
      body,
      { current: 'ghes' },
      { ...options, githubSha1Enabled: true },
    );

    expect(outcome).toMatchObject({ status: 403 });
  });
});

describe('GitLab token', () => {
  it('accepts the current and the previous token and refuses others', () => {
    const secret = { current: 'glpat-new', previous: 'glpat-old' };
    const check = (token: string) =>
      authorizeHeaders(gitlab, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': token }, secret, options);

    expect(check('glpat-new')).toEqual({ ok: true });
    expect(check('glpat-old')).toEqual({ ok: true });
    expect(check('glpat-ne')).toMatchObject({ status: 403 });
    expect(check('a much longer token than the secret itself')).toMatchObject({ status: 403 });
  });

  it('answers 401 without the token, and leaves a missing event header to ingest (400)', () => {
    const secret = { current: 'glpat-new' };

    expect(authorizeHeaders(gitlab, { 'x-gitlab-event': 'Push Hook' }, secret, options)).toMatchObject({
      status: 401,
      reason: 'X-Gitlab-Token missing',
    });
    expect(authorizeHeaders(gitlab, { 'x-gitlab-token': 'glpat-new' }, secret, options)).toEqual({
      ok: true,
    });
  });

  it('names the mismatch of a wrong token', () => {
    expect(
      authorizeHeaders(gitlab, { 'x-gitlab-token': 'glpat-old' }, { current: 'glpat-new' }, options),
    ).toEqual({ ok: false, status: 403, reason: 'X-Gitlab-Token does not match' });
  });

  it('checks the token again at ingest', () => {
    const body = Buffer.from('{}');

    expect(
      verifyBody(gitlab, { 'x-gitlab-token': 'wrong' }, body, { current: 'glpat-new' }, options),
    ).toMatchObject({
      status: 403,
    });
  });
});

describe.each([
  ['servicenow', servicenow],
  ['rally', rally],
] as const)('%s basic auth and static token', (_name, source) => {
  const secret = { current: 'hooks:s3cret', previous: 'hooks:0ld' };
  const basic = (value: string) => ({ authorization: `Basic ${Buffer.from(value).toString('base64')}` });

  it('accepts basic auth equal to the current or previous "user:password"', () => {
    expect(authorizeHeaders(source, basic('hooks:s3cret'), secret, options)).toEqual({ ok: true });
    expect(authorizeHeaders(source, basic('hooks:0ld'), secret, options)).toEqual({ ok: true });
  });

  it('accepts X-Webhook-Token equal to the secret', () => {
    expect(authorizeHeaders(source, { 'x-webhook-token': 'hooks:s3cret' }, secret, options)).toEqual({
      ok: true,
    });
  });

  it('refuses a wrong password with 403 and no credential with 401', () => {
    expect(authorizeHeaders(source, basic('hooks:guess'), secret, options)).toMatchObject({ status: 403 });
    expect(authorizeHeaders(source, { authorization: 'Bearer hooks:s3cret' }, secret, options)).toMatchObject(
      {
        status: 401,
      },
    );
    expect(authorizeHeaders(source, {}, secret, options)).toMatchObject({ status: 401 });
  });

  it('takes a token secret (no colon) as the basic-auth password under any user name', () => {
    const token = { current: 'local-rally-token', previous: 'old-rally-token' };

    expect(authorizeHeaders(source, basic('rally:local-rally-token'), token, options)).toEqual({ ok: true });
    expect(authorizeHeaders(source, basic('anyone:old-rally-token'), token, options)).toEqual({ ok: true });
    expect(authorizeHeaders(source, basic('rally:wrong'), token, options)).toEqual({
      ok: false,
      status: 403,
      reason: 'basic authorization does not match',
    });
    expect(authorizeHeaders(source, basic('local-rally-token:'), token, options)).toMatchObject({
      status: 403,
    });
    // A user:password secret still needs both parts.
    expect(authorizeHeaders(source, basic('someone:s3cret'), secret, options)).toMatchObject({ status: 403 });
  });

  it('verifies an optional X-Hub-Signature-256 when the sender adds one', () => {
    const body = Buffer.from('{"event_type":"incident.updated"}');
    const good = {
      ...basic('hooks:s3cret'),
      ...lowerCaseHeaders(credentialHeaders('github', body, 'hooks:s3cret')),
    };
    const bad = { ...basic('hooks:s3cret'), ...lowerCaseHeaders(credentialHeaders('github', body, 'other')) };

    expect(verifyBody(source, good, body, secret, options)).toEqual({ ok: true });
    expect(verifyBody(source, bad, body, secret, options)).toMatchObject({ status: 403 });
  });
});

describe('basicCredentials', () => {
  it('decodes user:password and ignores anything that is not basic auth', () => {
    expect(basicCredentials(`Basic ${Buffer.from('a:b:c').toString('base64')}`)).toBe('a:b:c');
    expect(basicCredentials(`basic   ${Buffer.from('u:p').toString('base64')}`)).toBe('u:p');
    expect(basicCredentials(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
    expect(basicCredentials('Digest username="u"')).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
  });
});

describe('tokenMatches', () => {
  it('compares whole values whatever their lengths', () => {
    expect(tokenMatches('abc', { current: 'abc' })).toBe(true);
    expect(tokenMatches('abcd', { current: 'abc' })).toBe(false);
    expect(tokenMatches('', { current: 'abc' })).toBe(false);
  });
});

describe('ddns timestamped signature', () => {
  const body = Buffer.from('{"ip":"81.2.69.160","domain":"nas.home.example.com","uuid":"u-1"}');
  const secret = { current: 'ddns-secret' };
  const at = (seconds: number): SourceOptions => ({
    ...options,
    now: () => new Date(now.getTime() + seconds * 1000),
  });

  it('accepts a request signed over "<timestamp>.<body>" within 300 s either way', () => {
    const headers = signed('ddns', body, 'ddns-secret');

    expect(verifyBody(ddns, headers, body, secret, at(0))).toEqual({ ok: true });
    expect(verifyBody(ddns, headers, body, secret, at(300))).toEqual({ ok: true });
    expect(verifyBody(ddns, headers, body, secret, at(-300))).toEqual({ ok: true });
    expect(authorizeHeaders(ddns, headers, secret, at(120))).toEqual({ ok: true });
  });

  it('refuses a stale or future timestamp with 403, in the authorizer and at ingest', () => {
    const headers = signed('ddns', body, 'ddns-secret');

    expect(verifyBody(ddns, headers, body, secret, at(301))).toMatchObject({ status: 403 });
    expect(authorizeHeaders(ddns, headers, secret, at(-301))).toMatchObject({ status: 403 });
  });

  it('refuses a timestamp changed after signing (replay with a fresh timestamp)', () => {
    const headers = {
      ...signed('ddns', body, 'ddns-secret'),
      'x-timestamp': String(now.getTime() / 1000 + 60),
    };

    expect(verifyBody(ddns, headers, body, secret, at(60))).toMatchObject({ status: 403 });
  });

  it('answers 401 without a timestamp or signature', () => {
    const headers = signed('ddns', body, 'ddns-secret');
    const { 'x-timestamp': _timestamp, ...withoutTimestamp } = headers;
    const { 'x-signature-256': _signature, ...withoutSignature } = headers;

    expect(authorizeHeaders(ddns, withoutTimestamp, secret, at(0))).toMatchObject({ status: 401 });
    expect(verifyBody(ddns, withoutSignature, body, secret, at(0))).toMatchObject({ status: 401 });
    expect(
      verifyBody(ddns, { ...headers, 'x-timestamp': '2026-01-15T10:21:05Z' }, body, secret, at(0)),
    ).toMatchObject({
      status: 401,
    });
  });
});
