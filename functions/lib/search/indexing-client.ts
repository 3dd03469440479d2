import type { API } from '@opensearch-project/opensearch';
import type { SearchConfig } from './config';
import { type ApiFunction, signedApi } from './signed-transport';
import type { SearchClientOptions } from './signing';

/** The two calls the indexer makes. The full `Client` has them too, so either may be given to the indexer. */
export interface IndexingClient {
  create(params: API.Create_Request): Promise<API.Create_Response>;
  indices: {
    putIndexTemplate(
      params: API.Indices_PutIndexTemplate_Request,
    ): Promise<API.Indices_PutIndexTemplate_Response>;
  };
}

const createApi = require('@opensearch-project/opensearch/api/_core/create.js') as ApiFunction<
  API.Create_Request,
  API.Create_Response
>;
const putIndexTemplateApi =
  require('@opensearch-project/opensearch/api/indices/putIndexTemplate.js') as ApiFunction<
    API.Indices_PutIndexTemplate_Request,
    API.Indices_PutIndexTemplate_Response
  >;

/** The indexer's OpenSearch client: the official client's API functions for its two calls, signed. */
export function createIndexingClient(
  config: Pick<SearchConfig, 'endpoint' | 'service' | 'region'>,
  options: SearchClientOptions = {},
): IndexingClient {
  const call = signedApi(config, options);
  return { create: call(createApi), indices: { putIndexTemplate: call(putIndexTemplateApi) } };
}
