import { createSearchClient } from '../search/client';
import { readSearchConfig } from '../search/config';

/**
 * The full OpenSearch client, for the search-security custom resource only: it calls the security plugin's
 * API, which the indexer's lighter client (./opensearch) leaves out. Kept apart so the indexer's bundle never
 * carries the full client.
 */
export const searchConfig = readSearchConfig();
export const securityClient = createSearchClient(searchConfig);
