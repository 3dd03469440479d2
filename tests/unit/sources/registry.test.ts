import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SOURCE_IDS, SOURCES } from '../../../functions/lib/sources';
import { describeDelivery } from '../../../functions/lib/sources/describe';
import { defineSource, type SenderHints } from '../../../functions/lib/sources/types';
import { authorizeHeaders, verifyBody } from '../../../functions/lib/sources/verify';
import { credentialHeaderNames, credentialHeaders } from '../../../local/credentials';
import { DEV_SECRETS } from '../../../local/dev-secrets';
import { senderHints } from '../../../local/senders';
import { loadTemplate, projectRoot, type TemplateResource } from '../../../local/template';

/** Every .ts file under a project directory. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('node_modules'))
    .map((file) => join(projectRoot, dir, file));
}

describe('one module per source', () => {
  it.each(SOURCE_IDS)('%s is sources/%s.ts: its definition and its sender hints', (id) => {
    const module = require(join(projectRoot, 'functions/lib/sources', id)) as Record<string, unknown>;
    const hints = senderHints(id);
    const sample = JSON.parse(readFileSync(join(projectRoot, 'events/ingest', hints.sample), 'utf8'));

    expect(Object.values(module)).toContain(SOURCES[id]);
    expect(module.sender).toBe(hints);
    expect(DEV_SECRETS[id]).toBe(hints.devSecret);
    expect(sample.pathParameters.source).toBe(id);
  });

  it('is the only code that names a source: nothing else switches on, compares with or is keyed by one', () => {
    const ids = SOURCE_IDS.join('|');
    const keyedBySource = [
      new RegExp(`case '(${ids})'`),
      new RegExp(`[!=]==\\s*'(${ids})'|'(${ids})'\\s*[!=]==`),
      new RegExp(`^\\s*'?(${ids})'?\\??\\s*:`),
      new RegExp(`'(${ids})'\\s*,\\s*'(${ids})'`),
    ];
    const ownModules = new Set(
      SOURCE_IDS.map((id) => join(projectRoot, 'functions/lib/sources', `${id}.ts`)),
    );
    // Tests of particular sources may name them; the code and the helpers every test shares may not.
    const files = ['functions', 'local', 'scripts', 'bench', 'tests']
      .flatMap(sourceFiles)
      .filter((file) => !ownModules.has(file) && !file.endsWith('.test.ts'));

    const offending = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          keyedBySource.some((pattern) => pattern.test(line))
            ? [`${relative(projectRoot, file)}:${index + 1}: ${line.trim()}`]
            : [],
        ),
    );

    expect(files.length).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });

  it('is named in each place the template lists the sources', () => {
    const template = loadTemplate();
    const pascal = (id: string) => `${id[0]?.toUpperCase()}${id.slice(1)}`;
    const environment = (resource: TemplateResource) =>
      (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {};
    const secretVariables = Object.values(template.Resources)
      .map(environment)
      .filter((variables) => 'WEBHOOK_SECRET_ARN' in variables);

    expect(String(template.Parameters.EnabledSources?.Default).split(',')).toEqual([...SOURCE_IDS]);
    for (const id of SOURCE_IDS) {
      expect(template.Outputs).toHaveProperty(`${pascal(id)}WebhookUrl`);
      for (const variables of secretVariables)
        expect(variables).toHaveProperty(`WEBHOOK_SECRET_${id.toUpperCase()}`);
    }
    expect(secretVariables.length).toBeGreaterThan(0);
  });
});

describe('a new provider needs nothing but its declaration', () => {
  // A provider the pipeline has never heard of, declared the way sources/<id>.ts declares one.
  const acme = defineSource({
    id: 'acme',
    auth: { kind: 'hmac', header: 'X-Acme-Signature' },
    requiredHeaders: ['X-Acme-Event'],
    delivery: {
      type: { header: 'X-Acme-Event' },
      action: 'change.kind',
      idHeaders: ['X-Acme-Delivery'],
      subject: (at) => at('project.slug') ?? `${at('team')}/default`,
      meta: { attempt: 'X-Acme-Attempt' },
    },
    fields: { repository: 'project.slug', actor: 'by.name' },
  });
  const sender: SenderHints = { devSecret: 'local-acme-secret', userAgent: 'Acme/1.0', sample: 'acme.json' };
  const body = Buffer.from('{"change":{"kind":"opened"},"team":"rockets","by":{"name":"wile"}}');
  const options = { githubSha1Enabled: false, now: () => new Date() };
  const secret = { current: sender.devSecret };
  const sent = (signedWith: string) =>
    Object.fromEntries(
      Object.entries({
        'X-Acme-Event': 'ticket',
        'X-Acme-Delivery': 'd-1',
        'X-Acme-Attempt': '2',
        'User-Agent': sender.userAgent,
        ...credentialHeaders(acme, body, signedWith),
      }).map(([name, value]) => [name.toLowerCase(), value]),
    );

  it('is signed by the tools and verified by the functions from its scheme', () => {
    expect(credentialHeaderNames(acme)).toEqual(['X-Acme-Signature']);
    expect(authorizeHeaders(acme, sent(sender.devSecret), secret, options)).toEqual({ ok: true });
    expect(verifyBody(acme, sent(sender.devSecret), body, secret, options)).toEqual({ ok: true });
    expect(verifyBody(acme, sent('not-the-secret'), body, secret, options)).toEqual({
      ok: false,
      status: 403,
      reason: 'X-Acme-Signature does not match',
    });
    expect(authorizeHeaders(acme, { 'x-acme-signature': 'sha256=00' }, secret, options)).toEqual({
      ok: false,
      status: 401,
      reason: 'X-Acme-Event missing',
    });
  });

  it('is described from its declared headers and payload fields', () => {
    const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;

    expect(describeDelivery(acme, sent(sender.devSecret), payload)).toEqual({
      type: 'ticket',
      action: 'opened',
      deliveryId: 'd-1',
      subject: 'rockets/default',
      meta: { attempt: '2', userAgent: 'Acme/1.0' },
    });
  });
});
