import { type Client, errors } from '@opensearch-project/opensearch';
import { type FakeSearch, startFakeSearch } from '../../support/opensearch-client';

/** The fake's security API through the real client, answering as the plugin's documentation shows. */
describe('OpenSearch fake: security plugin API', () => {
  let client: Client;
  let stop: FakeSearch['stop'];

  beforeEach(async () => {
    ({ client, stop } = await startFakeSearch('security-api-fake'));
  });

  afterEach(() => stop());

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => {
        expect(error).toBeInstanceOf(errors.ResponseError);
        const { statusCode, body } = error as InstanceType<typeof errors.ResponseError>;
        return { statusCode, body };
      },
    );

  it('creates a role (201 CREATED), replaces it (200 OK) and returns it whole', async () => {
    const body = { cluster_permissions: ['indices:data/write/bulk'], index_permissions: [] };

    const created = await client.security.createRole({ role: 'writer', body });
    const updated = await client.security.createRole({
      role: 'writer',
      body: {
        index_permissions: [{ index_patterns: ['logs-*'], allowed_actions: ['indices:data/write/index'] }],
      },
    });
    const got = await client.security.getRole({ role: 'writer' });

    expect([created.statusCode, created.body]).toEqual([
      201,
      { status: 'CREATED', message: "'writer' created." },
    ]);
    expect([updated.statusCode, updated.body]).toEqual([200, { status: 'OK', message: "'writer' updated." }]);
    expect(got.body).toEqual({
      writer: {
        reserved: false,
        hidden: false,
        cluster_permissions: [],
        index_permissions: [
          {
            index_patterns: ['logs-*'],
            fls: [],
            masked_fields: [],
            allowed_actions: ['indices:data/write/index'],
          },
        ],
        tenant_permissions: [],
        static: false,
      },
    });
  });

  it('maps backend roles only to a role that exists', async () => {
    const missing = await refusal(
      client.security.createRoleMapping({
        role: 'writer',
        body: { backend_roles: ['arn:aws:iam::1:role/r'] },
      }),
    );
    await client.security.createRole({ role: 'writer', body: {} });
    const mapped = await client.security.createRoleMapping({
      role: 'writer',
      body: { backend_roles: ['arn:aws:iam::1:role/r'] },
    });

    expect(missing).toEqual({
      statusCode: 404,
      body: { status: 'NOT_FOUND', message: "Role 'writer' is not available for role-mapping." },
    });
    expect(mapped.statusCode).toBe(201);
    expect((await client.security.getRoleMapping({ role: 'writer' })).body).toEqual({
      writer: {
        hosts: [],
        users: [],
        reserved: false,
        hidden: false,
        backend_roles: ['arn:aws:iam::1:role/r'],
        and_backend_roles: [],
      },
    });
  });

  it('deletes (200 OK) and answers 404 NOT_FOUND for what is not there', async () => {
    await client.security.createRole({ role: 'writer', body: {} });

    const deleted = await client.security.deleteRole({ role: 'writer' });
    const again = await refusal(client.security.deleteRole({ role: 'writer' }));
    const mapping = await refusal(client.security.deleteRoleMapping({ role: 'writer' }));

    expect([deleted.statusCode, deleted.body]).toEqual([200, { status: 'OK', message: "'writer' deleted." }]);
    expect(again).toEqual({ statusCode: 404, body: { status: 'NOT_FOUND', message: "'writer' not found." } });
    expect(mapping?.statusCode).toBe(404);
  });

  it('refuses to change a reserved role (403 FORBIDDEN)', async () => {
    const refused = await refusal(client.security.createRole({ role: 'all_access', body: {} }));

    expect(refused).toEqual({
      statusCode: 403,
      body: { status: 'FORBIDDEN', message: "Resource 'all_access' is reserved." },
    });
  });

  it('refuses unknown keys and wrong types (400) with the plugin report', async () => {
    const unknown = await refusal(
      client.security.createRole({ role: 'writer', body: { cluster: ['x'] } as never }),
    );
    const wrongType = await refusal(
      client.security.createRole({ role: 'writer', body: { cluster_permissions: 'x' } as never }),
    );

    expect(unknown).toEqual({
      statusCode: 400,
      body: { status: 'error', reason: 'Invalid configuration', invalid_keys: { keys: 'cluster' } },
    });
    expect(wrongType).toEqual({
      statusCode: 400,
      body: {
        status: 'error',
        reason: 'Wrong datatype',
        wrong_datatypes: { cluster_permissions: 'Array expected' },
      },
    });
  });
});
