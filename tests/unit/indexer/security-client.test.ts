import type { API, Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { DEFAULT_BACKOFF } from '../../../functions/lib/search/retry';
import { SearchSecurity, SecurityApiRejected } from '../../../functions/lib/search/security';
import { createSecurityClient } from '../../../functions/lib/search/security-client';
import { createSearchClient, type FakeSearch, startFakeSearch } from '../../support/opensearch-client';
import { startCaptureServer } from './support/capture-server';
import { ROLE_CREDENTIALS as credentials, expectedSignature, parseAuthorization } from './support/sigv4';

const mapping = {
  roleName: 'pipeline-indexer',
  indexPrefix: 'webhooks',
  backendRoles: ['arn:aws:iam::123456789012:role/pipeline-IndexerRole-ABC'],
};

// The custom resource's own client, and the full Client with every API: SearchSecurity works alike on both.
describe.each([
  ['the security client', createSecurityClient],
  ['the full Client', createSearchClient],
] as const)('%s', (_name, createClient) => {
  let fake: FakeSearch['fake'];
  let reader: Client;
  let stop: FakeSearch['stop'];

  beforeEach(async () => {
    ({ fake, client: reader, stop } = await startFakeSearch('security-client'));
  });

  afterEach(() => stop());

  const security = () =>
    new SearchSecurity(createClient({ endpoint: fake.url, service: 'es', region: 'us-east-1' }), {
      maxAttempts: 1,
      ...DEFAULT_BACKOFF,
    });

  it('creates the role and maps the backend roles to it, then removes both, twice without harm', async () => {
    await security().apply(mapping);

    const mapped = await reader.security.getRoleMapping({ role: mapping.roleName });
    expect(mapped.body[mapping.roleName]?.backend_roles).toEqual(mapping.backendRoles);
    const role = await reader.security.getRole({ role: mapping.roleName });
    expect(role.body[mapping.roleName]?.index_permissions?.[0]?.index_patterns).toEqual(['webhooks-*']);

    await security().remove(mapping.roleName);
    await security().remove(mapping.roleName);

    await expect(reader.security.getRole({ role: mapping.roleName })).rejects.toBeInstanceOf(
      errors.ResponseError,
    );
  });

  it("reports the plugin's refusal of a reserved role", async () => {
    const applying = security().apply({ ...mapping, roleName: 'all_access' });

    await expect(applying).rejects.toBeInstanceOf(SecurityApiRejected);
    await expect(applying).rejects.toThrow(
      "OpenSearch security API answered 403: FORBIDDEN Resource 'all_access' is reserved.",
    );
  });

  it('refuses a call without its role name, before any request', async () => {
    const client = createClient(
      { endpoint: 'http://127.0.0.1:9', service: 'es', region: 'us-east-1' },
      { credentials: async () => credentials },
    );

    const call = client.security.deleteRole({} as API.Security_DeleteRole_Request);

    await expect(call).rejects.toThrow(new errors.ConfigurationError('Missing required parameter: role'));
  });

  it('signs each request with SigV4 for the service and region', async () => {
    const server = await startCaptureServer(() => ({ status: 200, body: { status: 'OK' } }));
    try {
      const client = createClient(
        { endpoint: server.url, service: 'aoss', region: 'eu-central-1' },
        { credentials: async () => credentials },
      );
      await client.security.createRole({ role: 'pipeline-indexer', body: { cluster_permissions: [] } });

      const [request] = server.requests;
      if (!request) throw new Error('no request reached the server');
      expect(`${request.method} ${request.url}`).toBe('PUT /_plugins/_security/api/roles/pipeline-indexer');
      expect(parseAuthorization(request.headers.authorization)).toMatchObject({
        accessKeyId: credentials.accessKeyId,
        region: 'eu-central-1',
        service: 'aoss',
      });
      expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
      expect(parseAuthorization(request.headers.authorization).signature).toBe(
        expectedSignature(request, credentials.secretAccessKey),
      );
    } finally {
      await server.close();
    }
  });
});
