import { ConfigError, intEnv, optionalEnv, requireEnv } from '../config';

/** `es`: a managed OpenSearch Service domain; `aoss`: an OpenSearch Serverless collection. */
export type SearchService = 'es' | 'aoss';

/**
 * How the raw payload is mapped. `disabled` (default) keeps it in `_source` only, unindexed, and works on
 * every engine the pipeline can target (any OpenSearch version, Serverless); `flat_object` (OpenSearch
 * 2.7+ domains) also makes every leaf value searchable as `payload.<path>` with one mapping for the field.
 */
export type PayloadMapping = 'disabled' | 'flat_object';

export interface SearchConfig {
  /** `https://host[:port]`; locally the OpenSearch fake's URL. */
  endpoint: string;
  service: SearchService;
  region: string;
  /** Indices are `<prefix>-<source>-YYYY.MM`. */
  indexPrefix: string;
  /** The alias every index joins, for searching all sources and months at once. */
  alias: string;
  payloadMapping: PayloadMapping;
  /** Replicas per index, when set (a one-node domain cannot hold any); otherwise the cluster's default. */
  replicas?: number;
  /** Attempts per OpenSearch request, counting the first, before a 429/5xx fails the step. */
  maxAttempts: number;
}

const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]*$/;

export function readSearchConfig(env: Record<string, string | undefined> = process.env): SearchConfig {
  const endpoint = requireEnv('OPENSEARCH_ENDPOINT', env).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(endpoint)) {
    throw new ConfigError(`OPENSEARCH_ENDPOINT must be an http(s) URL with no path, got "${endpoint}"`);
  }
  const service = optionalEnv('OPENSEARCH_SERVICE', 'es', env);
  if (service !== 'es' && service !== 'aoss') {
    throw new ConfigError(`OPENSEARCH_SERVICE must be es or aoss, got "${service}"`);
  }
  const indexPrefix = optionalEnv('OPENSEARCH_INDEX_PREFIX', 'webhooks', env);
  if (!INDEX_PREFIX.test(indexPrefix)) {
    throw new ConfigError(`OPENSEARCH_INDEX_PREFIX must be a lower-case index name, got "${indexPrefix}"`);
  }
  const payloadMapping = optionalEnv('OPENSEARCH_PAYLOAD_MAPPING', 'disabled', env);
  if (payloadMapping !== 'disabled' && payloadMapping !== 'flat_object') {
    throw new ConfigError(
      `OPENSEARCH_PAYLOAD_MAPPING must be disabled or flat_object, got "${payloadMapping}"`,
    );
  }
  const maxAttempts = intEnv('OPENSEARCH_MAX_ATTEMPTS', 4, env);
  if (maxAttempts < 1) throw new ConfigError('OPENSEARCH_MAX_ATTEMPTS must be at least 1');
  const replicas = env.OPENSEARCH_INDEX_REPLICAS?.trim()
    ? intEnv('OPENSEARCH_INDEX_REPLICAS', 0, env)
    : undefined;
  return {
    ...(replicas === undefined ? {} : { replicas }),
    endpoint,
    service,
    region: requireEnv('AWS_REGION', env),
    indexPrefix,
    alias: optionalEnv('OPENSEARCH_ALIAS', indexPrefix, env),
    payloadMapping,
    maxAttempts,
  };
}
