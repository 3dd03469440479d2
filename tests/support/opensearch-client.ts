import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import type { SearchConfig } from '../../functions/lib/search/config';
import { type SearchClientOptions, signingCredentials } from '../../functions/lib/search/signing';

/**
 * The official OpenSearch client with its whole API, set up as the functions' own clients
 * (functions/lib/search/signed-transport.ts): the tests hold those to it, and query the fake through it.
 * Every request SigV4-signed for `es` (domain) or `aoss` (Serverless).
 * Credentials are passed explicitly so the signer never goes looking for the v2 SDK at run time.
 * The client's own retries are off: it retries 502/503/504 at once and never 429, while the indexer
 * wants 429 and every 5xx retried with backoff (functions/lib/search/retry.ts).
 */
export function createSearchClient(
  config: Pick<SearchConfig, 'endpoint' | 'service' | 'region'>,
  options: SearchClientOptions = {},
): Client {
  const credentials = signingCredentials(options);
  return new Client({
    ...AwsSigv4Signer({
      region: config.region,
      service: config.service,
      getCredentials: () => credentials(),
    }),
    node: config.endpoint,
    maxRetries: 0,
    // Four attempts of 5 s plus the waits between them stay inside the function's 30 s timeout.
    requestTimeout: options.requestTimeoutMs ?? 5_000,
  });
}
