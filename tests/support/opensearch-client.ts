import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import type { SearchConfig } from '../../functions/lib/search/config';
import { type SearchClientOptions, signingCredentials } from '../../functions/lib/search/signing';
import { type RunningOpenSearchFake, startOpenSearchFake } from '../../local/fakes/opensearch';

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

/** The OpenSearch fake serving a fresh temporary directory, and the full client pointed at it. */
export interface FakeSearch {
  localDir: string;
  fake: RunningOpenSearchFake;
  client: Client;
  /** Closes the client and the fake, and removes the directory. */
  stop(): Promise<void>;
}

export async function startFakeSearch(name: string): Promise<FakeSearch> {
  const localDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const fake = await startOpenSearchFake(localDir);
  const client = createSearchClient({ endpoint: fake.url, service: 'es', region: 'us-east-1' });
  const stop = async () => {
    await client.close();
    await fake.close();
    rmSync(localDir, { recursive: true, force: true });
  };
  return { localDir, fake, client, stop };
}
