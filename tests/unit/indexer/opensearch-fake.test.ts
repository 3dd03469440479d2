import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, errors } from '@opensearch-project/opensearch';
import { documentFileName, documentIdFromFileName } from '../../../local/fakes/opensearch';
import { type FakeSearch, startFakeSearch } from '../../support/opensearch-client';

describe('document file names', () => {
  it.each([
    ['github:72d3162e-cc78-11e3-81ab-4c9367dc0958', 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958.json'],
    ['jira:a/b', 'jira:a%2Fb.json'],
    ['..', '%2E..json'],
    ['.hidden', '%2Ehidden.json'],
    ['rally:100%', 'rally:100%25.json'],
    ['ddns:é\\x', 'ddns:é%5Cx.json'],
  ])('stores %s as %s and reads it back', (id, fileName) => {
    expect(documentFileName(id, 'linux')).toBe(fileName);
    expect(documentIdFromFileName(fileName)).toBe(id);
  });

  it('also encodes what NTFS refuses on Windows', () => {
    const fileName = documentFileName('github:a*b', 'win32');

    expect(fileName).toBe('github%3Aa%2Ab.json');
    expect(documentIdFromFileName(fileName)).toBe('github:a*b');
  });
});

describe('OpenSearch fake, through the real client', () => {
  let localDir: string;
  let fake: FakeSearch['fake'];
  let client: Client;
  let stop: FakeSearch['stop'];

  beforeEach(async () => {
    ({ localDir, fake, client, stop } = await startFakeSearch('opensearch-fake'));
  });

  afterEach(() => stop());

  it('writes one file per document and overwrites it when the same id is indexed again', async () => {
    const index = 'webhooks-github-2026.05';
    const id = 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958';

    const first = await client.index({ index, id, body: { type: 'push', attempt: 1 } });
    const second = await client.index({ index, id, body: { type: 'push', attempt: 2 } });

    expect([first.statusCode, first.body.result, first.body._version]).toEqual([201, 'created', 1]);
    expect([second.statusCode, second.body.result, second.body._version]).toEqual([200, 'updated', 2]);
    const directory = join(localDir, 'opensearch', index);
    expect(readdirSync(directory)).toEqual([documentFileName(id)]);
    expect(JSON.parse(readFileSync(join(directory, documentFileName(id)), 'utf8'))).toEqual({
      type: 'push',
      attempt: 2,
    });
  });

  it.each([
    [
      '_create',
      (client: Client, index: string, id: string, body: object) => client.create({ index, id, body }),
    ],
    [
      'op_type=create',
      (client: Client, index: string, id: string, body: object) =>
        client.index({ index, id, body, op_type: 'create' }),
    ],
  ])(
    'creates a document once with %s and refuses the next create with 409, as OpenSearch does',
    async (_how, create) => {
      const index = 'webhooks-github-2026.05';
      const id = 'github:0b8c1f6e-2b0c-11f0-8e5b-5d1f0a3c9e41';

      const first = await create(client, index, id, { attempt: 1 });
      const refused = await create(client, index, id, { attempt: 2 }).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect([first.statusCode, first.body.result, first.body._version]).toEqual([201, 'created', 1]);
      expect(refused).toBeInstanceOf(errors.ResponseError);
      const { statusCode, body } = refused as InstanceType<typeof errors.ResponseError>;
      expect(statusCode).toBe(409);
      expect(body).toMatchObject({
        status: 409,
        error: {
          type: 'version_conflict_engine_exception',
          reason: `[${id}]: version conflict, document already exists (current version [1])`,
          index,
        },
      });
      const stored = await client.get({ index, id });
      expect([stored.body._version, stored.body._source]).toEqual([1, { attempt: 1 }]);
    },
  );

  it('creates exactly one of many copies written at once', async () => {
    const index = 'webhooks-github-2026.05';
    const id = 'github:1c9d2a7f-2b0c-11f0-8e5b-5d1f0a3c9e41';

    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, n) => client.create({ index, id, body: { copy: n } })),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(
      outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [(outcome.reason as { statusCode: number }).statusCode] : [],
      ),
    ).toEqual(Array(7).fill(409));
  });

  it('refuses an unknown op_type', async () => {
    const response = await fetch(`${fake.url}/webhooks-x/_doc/1?op_type=upsert`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    expect(response.status).toBe(400);
  });

  it('returns a stored document and 404 for a missing one', async () => {
    await client.index({
      index: 'webhooks-jira-2026.05',
      id: 'jira:1',
      body: { type: 'jira:issue_created' },
    });

    const found = await client.get({ index: 'webhooks-jira-2026.05', id: 'jira:1' });
    const missing = client.get({ index: 'webhooks-jira-2026.05', id: 'jira:2' });

    expect(found.body).toMatchObject({ found: true, _id: 'jira:1', _source: { type: 'jira:issue_created' } });
    await expect(missing).rejects.toMatchObject({ statusCode: 404 });
  });

  it('stores an index template and returns it', async () => {
    const body = { index_patterns: ['webhooks-*'], template: { aliases: { webhooks: {} } } };

    await client.indices.putIndexTemplate({ name: 'webhooks', body });
    const stored = await client.indices.getIndexTemplate({ name: 'webhooks' });

    expect(stored.body.index_templates).toEqual([{ name: 'webhooks', index_template: body }]);
  });

  it('refuses index names OpenSearch refuses, writing nothing', async () => {
    const attempt = client.index({ index: 'Webhooks', id: 'x', body: { a: 1 } });

    await expect(attempt).rejects.toBeInstanceOf(errors.ResponseError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 400 });
    expect(existsSync(join(localDir, 'opensearch', 'Webhooks'))).toBe(false);
  });

  it('answers 400 to a call the pipeline never makes', async () => {
    await expect(client.indices.delete({ index: 'webhooks-github-2026.05' })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
