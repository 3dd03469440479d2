import { readSearchConfig } from '../search/config';
import { createIndexingClient } from '../search/indexing-client';

/**
 * The one OpenSearch client (the indexer's two calls), created at cold start from OPENSEARCH_ENDPOINT / OPENSEARCH_SERVICE /
 * AWS_REGION. Where tracing is on, its HTTPS calls are traced by the Powertools tracer, which captures
 * outgoing HTTP requests.
 */
export const searchConfig = readSearchConfig();
export const openSearchClient = createIndexingClient(searchConfig);
