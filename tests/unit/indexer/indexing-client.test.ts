import type { API } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { createIndexingClient } from '../../../functions/lib/search/indexing-client';
import { createSearchClient } from '../../support/opensearch-client';

// Nothing listens there: a request that passed the parameter checks would fail to connect instead.
const config = { endpoint: 'http://127.0.0.1:9', service: 'es', region: 'us-east-1' } as const;
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

describe.each([
  ['the indexing client', createIndexingClient],
  ['the full Client', createSearchClient],
] as const)('%s refuses a call missing a required parameter', (_name, createClient) => {
  const client = createClient(config, { credentials });

  it('without a body, before any request', async () => {
    const call = client.create({ index: 'webhooks-github-2026.05', id: 'x' } as API.Create_Request);

    await expect(call).rejects.toBeInstanceOf(errors.ConfigurationError);
    await expect(call).rejects.toThrow('Missing required parameter: body');
  });

  it('without a template name', async () => {
    const call = client.indices.putIndexTemplate({ body: {} } as API.Indices_PutIndexTemplate_Request);

    await expect(call).rejects.toThrow(new errors.ConfigurationError('Missing required parameter: name'));
  });
});
