import { createSearchClient } from '../search/client';
import { readSearchConfig } from '../search/config';

/**
 * The one OpenSearch client, created at cold start from OPENSEARCH_ENDPOINT / OPENSEARCH_SERVICE /
 * AWS_REGION. Where tracing is on, its HTTPS calls are traced by the Powertools tracer, which captures
 * outgoing HTTP requests.
 */
export const searchConfig = readSearchConfig();
export const openSearchClient = createSearchClient(searchConfig);
