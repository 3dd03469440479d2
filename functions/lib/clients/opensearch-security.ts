import { readSearchConfig } from '../search/config';
import { createSecurityClient } from '../search/security-client';

/**
 * The search-security custom resource's OpenSearch client: the security plugin's four calls it makes, which
 * the indexer's client (./opensearch) leaves out. Kept apart so neither bundle carries the other's calls.
 */
export const searchConfig = readSearchConfig();
export const securityClient = createSecurityClient(searchConfig);
