import { createHmac } from 'node:crypto';
import { SOURCE_IDS, SOURCES, type SourceId } from '../../functions/lib/sources';
import type { AuthScheme } from '../../functions/lib/sources/types';
import { credentialHeaderNames, credentialHeaders } from '../../local/credentials';
import { DEV_SECRETS } from '../../local/dev-secrets';
import type { RawRequest } from './support';
import { sourceFixture } from './support';

/**
 * Hostile and malformed requests for every source, each with the one status the pipeline must answer. The
 * cases of a source follow from its declaration (functions/lib/sources/<id>.ts): its scheme kind, where its
 * event type is, its payload check.
 * Credentials are computed over the hostile body itself wherever the point of a case is the body, so the
 * request gets past signature checking and meets the body checks it is meant for.
 */
export interface HostileCase extends RawRequest {
  name: string;
  /** The exact status: 401 credentials missing or malformed, 403 wrong or refused, 400 malformed body... */
  status: number;
  /** The `error` field of the JSON answer, where the answer is ours (not Node's own 431). */
  error?: string;
}

/** API Gateway's limit for a REST API request body. */
const API_LIMIT = 10 * 1024 * 1024;

type Scheme<Kind extends AuthScheme['kind']> = Extract<AuthScheme, { kind: Kind }>;

/** The development secret of some other source, which must never open this one. */
const otherSourceSecret = (source: SourceId) =>
  DEV_SECRETS[SOURCE_IDS.find((other) => other !== source) as SourceId];

const hex = (secret: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

type Headers = [string, string][];

/** The fixture's own headers (event type, delivery id, content type) without any credential. */
function plainHeaders(source: SourceId, headers: Record<string, string>): Headers {
  const credentialNames = new Set(
    [...credentialHeaderNames(source), 'host', 'content-length'].map((name) => name.toLowerCase()),
  );
  return Object.entries(headers).filter(([name]) => !credentialNames.has(name.toLowerCase()));
}

function withHeader(headers: Headers, name: string, value: string): Headers {
  return [...headers.filter(([key]) => key.toLowerCase() !== name.toLowerCase()), [name, value]];
}

function without(headers: Headers, name: string): Headers {
  return headers.filter(([key]) => key.toLowerCase() !== name.toLowerCase());
}

/** The source's valid credentials for `body`, as header lines. */
function credentials(
  source: SourceId,
  body: Buffer,
  secret = DEV_SECRETS[source],
  now = new Date(),
): Headers {
  return Object.entries(credentialHeaders(source, body, secret, now));
}

/** A JSON object with a byte sequence that is not UTF-8 inside a string (a lone continuation byte). */
export function invalidUtf8Body(valid: Buffer): Buffer {
  const at = valid.indexOf('":"') + 3;
  return Buffer.concat([valid.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), valid.subarray(at)]);
}

/**
 * The API declares every media type binary, so ingest sees the bytes exactly as sent: the signature (or
 * token) checks out, and ingest refuses the body because it is not UTF-8, for every source alike.
 */
function invalidUtf8Cases(
  signed: (name: string, body: Buffer, status: number, error: string) => HostileCase,
  fixtureBody: Buffer,
): HostileCase[] {
  return [
    signed(
      'invalid UTF-8',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      400,
      'malformed_body',
    ),
    signed(
      'overlong UTF-8 encoding',
      Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]),
      400,
      'malformed_body',
    ),
    signed('invalid UTF-8 in a real payload', invalidUtf8Body(fixtureBody), 400, 'malformed_body'),
  ];
}

/**
 * Bodies no source accepts, with valid credentials: each must fail the body checks, not the credential.
 */
function bodyCases(source: SourceId, base: Headers): HostileCase[] {
  const json = (text: string) => Buffer.from(text, 'utf8');
  const deeplyNested = Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
  const deeplyNestedObject = Buffer.from(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`);
  const signed = (
    name: string,
    body: Buffer,
    status: number,
    error: string,
    contentType?: string,
  ): HostileCase => {
    const headers = contentType ? withHeader(base, 'Content-Type', contentType) : base;
    return {
      name: `${source}: ${name}`,
      path: `/webhooks/${source}`,
      headers: [...headers, ...credentials(source, body)],
      body,
      status,
      error,
    };
  };
  return [
    signed('non-JSON body', json('hello, this is not JSON'), 400, 'malformed_body'),
    signed(
      'truncated JSON',
      json('{"action":"opened","repository":{"full_name":"a/b"'),
      400,
      'malformed_body',
    ),
    signed('JSON array body', json('[{"action":"opened"}]'), 400, 'malformed_body'),
    signed('JSON string body', json('"opened"'), 400, 'malformed_body'),
    signed('JSON number body', json('42'), 400, 'malformed_body'),
    signed('JSON null body', json('null'), 400, 'malformed_body'),
    signed('arrays nested 50,000 deep', deeplyNested, 400, 'malformed_body'),
    signed('objects nested 50,000 deep', deeplyNestedObject, 400, 'malformed_body'),
    ...invalidUtf8Cases(signed, sourceFixture(source).body),
    signed('empty body', Buffer.alloc(0), 400, 'malformed_body'),
    signed(
      'text/plain content type',
      json('{"action":"opened"}'),
      415,
      'unsupported_media_type',
      'text/plain',
    ),
    signed(
      'binary content type',
      json('{"action":"opened"}'),
      415,
      'unsupported_media_type',
      'application/octet-stream',
    ),
    signed('XML body', json('<?xml version="1.0"?><a/>'), 415, 'unsupported_media_type', 'application/xml'),
    signed(
      'form body without payload=',
      json('action=opened&zen=1'),
      400,
      'malformed_body',
      'application/x-www-form-urlencoded',
    ),
    signed(
      'form body whose payload is not JSON',
      json('payload=%7Bnope'),
      400,
      'malformed_body',
      'application/x-www-form-urlencoded',
    ),
    ...('field' in SOURCES[source].delivery.type
      ? [signed('signed body with no event type', json('{"issue":{}}'), 400, 'missing_event_type')]
      : []),
    {
      name: `${source}: body over the API limit (10 MB + 1)`,
      path: `/webhooks/${source}`,
      headers: [...base, ...credentials(source, Buffer.alloc(0))],
      body: Buffer.alloc(API_LIMIT + 1, 0x20),
      status: 413,
      error: 'payload_too_large',
    },
  ];
}

/** Cases posting `body` to one source's endpoint with the given headers. */
function caseMaker(source: SourceId, body: Buffer) {
  return (name: string, headers: Headers, status: number, error: string): HostileCase => ({
    name: `${source}: ${name}`,
    path: `/webhooks/${source}`,
    headers,
    body,
    status,
    error,
  });
}

/** Missing, garbled, truncated, repeated or forged signatures for the HMAC sources. */
function hmacCases(source: SourceId, { header }: Scheme<'hmac'>, base: Headers, body: Buffer): HostileCase[] {
  const valid = hex(DEV_SECRETS[source], body);
  const forged = hex('not-the-secret', body);
  const make = caseMaker(source, body);
  const signedWith = (value: string) => [...base, [header, value]] as Headers;
  return [
    make('no signature header', base, 401, 'unauthorized'),
    make('empty signature', signedWith(''), 401, 'unauthorized'),
    make('garbled signature', signedWith(`sha256=${'zz'.repeat(32)}`), 401, 'unauthorized'),
    make('truncated signature', signedWith(`sha256=${valid.slice(0, 63)}`), 401, 'unauthorized'),
    make('signature with an extra digit', signedWith(`sha256=${valid}0`), 401, 'unauthorized'),
    make('bare hex without algorithm', signedWith(valid), 401, 'unauthorized'),
    make('SHA-1 prefix', signedWith(`sha1=${valid.slice(0, 40)}`), 401, 'unauthorized'),
    make('binary garbage signature', signedWith('sha256=\u00ff\u00fe\u00fd'), 401, 'unauthorized'),
    make('huge signature header (12 KB)', signedWith(`sha256=${'a'.repeat(12 * 1024)}`), 401, 'unauthorized'),
    make(
      'two signatures in one header',
      signedWith(`sha256=${forged}, sha256=${valid}`),
      401,
      'unauthorized',
    ),
    make('signed with a wrong secret', signedWith(`sha256=${forged}`), 403, 'forbidden'),
    make(
      'upper-case prefix and a forged digest',
      signedWith(`SHA256=${forged.toUpperCase()}`),
      403,
      'forbidden',
    ),
    make(
      'signature of a different body',
      signedWith(`sha256=${hex(DEV_SECRETS[source], `${body}x`)}`),
      403,
      'forbidden',
    ),
    make(
      'signature of the body with a trailing newline',
      signedWith(`sha256=${hex(DEV_SECRETS[source], body, '\n')}`),
      403,
      'forbidden',
    ),
    make(
      "signed with another source's secret",
      signedWith(`sha256=${hex(otherSourceSecret(source), body)}`),
      403,
      'forbidden',
    ),
    make(
      'repeated header, forged one last',
      [...base, [header, `sha256=${valid}`], [header, `sha256=${forged}`]],
      403,
      'forbidden',
    ),
  ];
}

/** Tokens (GitLab's X-Gitlab-Token, the X-Webhook-Token of basic-or-token sources). */
function tokenCases(source: SourceId, header: string, base: Headers, body: Buffer): HostileCase[] {
  const secret = DEV_SECRETS[source];
  const make = caseMaker(source, body);
  return [
    make('no token', base, 401, 'unauthorized'),
    make('empty token', [...base, [header, '']], 401, 'unauthorized'),
    make('wrong token', [...base, [header, 'not-the-token']], 403, 'forbidden'),
    make('token in the wrong case', [...base, [header, secret.toUpperCase()]], 403, 'forbidden'),
    make('token with a trailing character', [...base, [header, `${secret}x`]], 403, 'forbidden'),
    make('truncated token', [...base, [header, secret.slice(0, -1)]], 403, 'forbidden'),
    make("another source's secret", [...base, [header, otherSourceSecret(source)]], 403, 'forbidden'),
    make('huge token (12 KB)', [...base, [header, 't'.repeat(12 * 1024)]], 403, 'forbidden'),
    make(
      'repeated header, wrong one last',
      [...base, [header, secret], [header, 'not-the-token']],
      403,
      'forbidden',
    ),
  ];
}

/** Basic auth, under the secret's own user name when it is a "user:password". */
function basicCases(source: SourceId, base: Headers, body: Buffer): HostileCase[] {
  const secret = DEV_SECRETS[source];
  const user = secret.includes(':') ? (secret.split(':')[0] as string) : source;
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  const make = (name: string, authorization: string, status: number, error: string): HostileCase => ({
    name: `${source}: ${name}`,
    path: `/webhooks/${source}`,
    headers: [...base, ['Authorization', authorization]],
    body,
    status,
    error,
  });
  return [
    make('basic auth with a wrong password', basic(`${user}:wrong-password`), 403, 'forbidden'),
    make('basic auth with an empty password', basic(`${user}:`), 403, 'forbidden'),
    make('basic auth with malformed base64', 'Basic !!!not*base64!!!', 401, 'unauthorized'),
    make('basic auth without a colon', basic('justausername'), 401, 'unauthorized'),
    make('basic scheme with no credentials', 'Basic ', 401, 'unauthorized'),
    make('bearer scheme', `Bearer ${DEV_SECRETS[source]}`, 401, 'unauthorized'),
    make('huge basic credentials (12 KB)', basic(`${user}:${'p'.repeat(9 * 1024)}`), 403, 'forbidden'),
  ];
}

/** A scripted body signature next to valid credentials: the signature is checked too. */
function scriptedSignatureCases(
  source: SourceId,
  header: string,
  base: Headers,
  body: Buffer,
): HostileCase[] {
  const make = caseMaker(source, body);
  const headers = [...base, ...credentials(source, body)];
  return [
    make(
      'valid credentials, forged scripted signature',
      [...headers, [header, `sha256=${hex('not-the-secret', body)}`]],
      403,
      'forbidden',
    ),
    make(
      'valid credentials, garbled scripted signature',
      [...headers, [header, 'sha256=nope']],
      401,
      'unauthorized',
    ),
  ];
}

/** Timestamped signatures (the dynamic-DNS client): stale, future, malformed and replayed. */
function timestampedCases(
  source: SourceId,
  { header, timestampHeader, toleranceSeconds }: Scheme<'timestamped-hmac'>,
  base: Headers,
  body: Buffer,
): HostileCase[] {
  const secret = DEV_SECRETS[source];
  const now = unixSeconds(new Date());
  const signedAt = (timestamp: string, signedTimestamp = timestamp): Headers => [
    ...base,
    [timestampHeader, timestamp],
    [header, `sha256=${hex(secret, `${signedTimestamp}.`, body)}`],
  ];
  const make = caseMaker(source, body);
  return [
    make('replayed: timestamp an hour old', signedAt(String(now - 3600)), 403, 'forbidden'),
    make(
      'replayed: timestamp just outside the window',
      signedAt(String(now - toleranceSeconds - 100)),
      403,
      'forbidden',
    ),
    make('timestamp an hour in the future', signedAt(String(now + 3600)), 403, 'forbidden'),
    make('timestamp in milliseconds', signedAt(String(now * 1000)), 401, 'unauthorized'),
    make('timestamp not a number', signedAt('yesterday'), 401, 'unauthorized'),
    make('negative timestamp', signedAt(String(-now)), 401, 'unauthorized'),
    make('no timestamp', without(signedAt(String(now)), timestampHeader), 401, 'unauthorized'),
    make('no signature', without(signedAt(String(now)), header), 401, 'unauthorized'),
    make('timestamp changed after signing', signedAt(String(now), String(now - 10)), 403, 'forbidden'),
    make(
      'signature over the body alone',
      [...base, [timestampHeader, String(now)], [header, `sha256=${hex(secret, body)}`]],
      403,
      'forbidden',
    ),
    make(
      'signed with a wrong secret',
      [...base, ...credentials(source, body, 'not-the-secret')],
      403,
      'forbidden',
    ),
  ];
}

/** Dynamic-DNS requests, validly signed, that the DNS policy of the local pipeline refuses. */
function dnsRequestCases(source: SourceId, base: Headers, body: Buffer): HostileCase[] {
  const request = JSON.parse(body.toString('utf8')) as Record<string, string>;
  const variant = (change: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...request, ...change }));
  const make = (name: string, payload: Buffer, status: number, error: string): HostileCase => ({
    ...caseMaker(source, payload)(name, [...base, ...credentials(source, payload)], status, error),
  });
  return [
    make('private address', variant({ ip: '10.0.0.7' }), 422, 'address_not_allowed'),
    make('name outside the zone', variant({ domain: 'www.example.org' }), 422, 'domain_not_allowed'),
    make(
      'the zone apex (not on the allow-list)',
      variant({ domain: 'home.example.com' }),
      422,
      'domain_not_allowed',
    ),
    make('no address', variant({ ip: undefined }), 400, 'malformed_request'),
    make('not an address', variant({ ip: '999.1.1.1' }), 400, 'malformed_request'),
    make('uuid not a UUID', variant({ uuid: '../../etc/passwd' }), 400, 'malformed_request'),
  ];
}

/** The credential cases of a source's scheme kind. */
function credentialCases(source: SourceId, base: Headers, body: Buffer): HostileCase[] {
  const { auth } = SOURCES[source];
  switch (auth.kind) {
    case 'hmac':
      return hmacCases(source, auth, base, body);
    case 'token':
      return tokenCases(source, auth.header, base, body);
    case 'basic-or-token':
      return [
        ...tokenCases(source, auth.tokenHeader, base, body),
        ...basicCases(source, base, body),
        ...scriptedSignatureCases(source, auth.signatureHeader, base, body),
      ];
    case 'timestamped-hmac':
      return timestampedCases(source, auth, base, body);
  }
}

/** Requests that fail before any source is chosen: unknown or traversing paths, wrong methods, headers. */
function pathCases(): HostileCase[] {
  const { headers, body } = sourceFixture('github');
  const base = [...plainHeaders('github', headers), ...credentials('github', body)];
  const to = (name: string, path: string, status: number, error?: string, method = 'POST'): HostileCase => ({
    name,
    path,
    method,
    headers: base,
    body,
    status,
    ...(error && { error }),
  });
  return [
    to('unknown source', '/webhooks/bogus', 403, 'forbidden'),
    to('source in the wrong case', '/webhooks/GitHub', 403, 'forbidden'),
    to('source with a NUL byte', '/webhooks/github%00', 403, 'forbidden'),
    to('encoded path traversal', '/webhooks/..%2Fgithub', 403, 'forbidden'),
    // An encoded dot-dot is still a dot segment: the URL resolves to /, where no route is.
    to('double-dot source', '/webhooks/%2e%2e', 404),
    to('encoded traversal to another route', '/webhooks/%2e%2e%2f%2e%2e%2fadmin', 403, 'forbidden'),
    to('encoded slash inside the source', '/webhooks/github%2Fextra', 403, 'forbidden'),
    to('prototype property as source', '/webhooks/__proto__', 403, 'forbidden'),
    to('extra path segment', '/webhooks/github/extra', 404),
    to('no source segment', '/webhooks/', 404),
    to('GET instead of POST', '/webhooks/github', 404, undefined, 'GET'),
    to('PUT instead of POST', '/webhooks/github', 404, undefined, 'PUT'),
    {
      name: 'github delivery posted to the gitlab endpoint',
      path: '/webhooks/gitlab',
      headers: base,
      body,
      status: 401,
      error: 'unauthorized',
    },
    {
      name: 'github: no X-GitHub-Event',
      path: '/webhooks/github',
      headers: without(base, 'X-GitHub-Event'),
      body,
      status: 400,
      error: 'missing_event_type',
    },
    {
      name: 'github: SHA-1 signature only (not enabled)',
      path: '/webhooks/github',
      headers: [
        ...plainHeaders('github', headers),
        ['X-Hub-Signature', `sha1=${createHmac('sha1', DEV_SECRETS.github).update(body).digest('hex')}`],
      ],
      body,
      status: 401,
      error: 'unauthorized',
    },
    {
      name: 'github: header section over the server limit (20 KB)',
      path: '/webhooks/github',
      headers: [...base, ['X-Padding', 'p'.repeat(20 * 1024)]],
      body,
      status: 431,
    },
    {
      name: 'github: chunked body over the API limit',
      path: '/webhooks/github',
      headers: base,
      body: Buffer.alloc(API_LIMIT + 1, 0x20),
      chunked: true,
      status: 413,
      error: 'payload_too_large',
    },
  ];
}

/** The whole corpus: for every source its body, credential and payload-check cases, then the path cases. */
export function hostileCorpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const source of SOURCE_IDS) {
    const { headers, body } = sourceFixture(source);
    const base = plainHeaders(source, headers);
    cases.push(...bodyCases(source, base), ...credentialCases(source, base, body));
    if (SOURCES[source].payloadCheck === 'dns-request') cases.push(...dnsRequestCases(source, base, body));
  }
  cases.push(...pathCases());
  return cases;
}
