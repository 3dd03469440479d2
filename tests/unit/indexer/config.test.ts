import { ConfigError } from '../../../functions/lib/config';
import { readSearchConfig } from '../../../functions/lib/search/config';

const minimal = {
  OPENSEARCH_ENDPOINT: 'https://search-demo-abc.us-east-1.es.amazonaws.com',
  AWS_REGION: 'eu-west-1',
};

describe('search configuration', () => {
  it('defaults to a domain, the webhooks prefix and alias, and an unindexed payload', () => {
    expect(readSearchConfig(minimal)).toEqual({
      endpoint: minimal.OPENSEARCH_ENDPOINT,
      service: 'es',
      region: 'eu-west-1',
      indexPrefix: 'webhooks',
      alias: 'webhooks',
      payloadMapping: 'disabled',
      maxAttempts: 4,
    });
  });

  it('reads every setting', () => {
    const config = readSearchConfig({
      ...minimal,
      OPENSEARCH_ENDPOINT: 'https://abc123.us-east-1.aoss.amazonaws.com/',
      OPENSEARCH_SERVICE: 'aoss',
      OPENSEARCH_INDEX_PREFIX: 'hooks',
      OPENSEARCH_ALIAS: 'all-hooks',
      OPENSEARCH_PAYLOAD_MAPPING: 'flat_object',
      OPENSEARCH_MAX_ATTEMPTS: '2',
      OPENSEARCH_INDEX_REPLICAS: '0',
    });

    expect(config).toEqual({
      endpoint: 'https://abc123.us-east-1.aoss.amazonaws.com',
      service: 'aoss',
      region: 'eu-west-1',
      indexPrefix: 'hooks',
      alias: 'all-hooks',
      payloadMapping: 'flat_object',
      maxAttempts: 2,
      replicas: 0,
    });
  });

  it.each([
    [{ AWS_REGION: 'us-east-1' }, 'OPENSEARCH_ENDPOINT'],
    [{ ...minimal, OPENSEARCH_ENDPOINT: 'https://host/some/path' }, 'OPENSEARCH_ENDPOINT'],
    [{ ...minimal, OPENSEARCH_SERVICE: 'elasticsearch' }, 'OPENSEARCH_SERVICE'],
    [{ ...minimal, OPENSEARCH_INDEX_PREFIX: 'Webhooks' }, 'OPENSEARCH_INDEX_PREFIX'],
    [{ ...minimal, OPENSEARCH_PAYLOAD_MAPPING: 'nested' }, 'OPENSEARCH_PAYLOAD_MAPPING'],
    [{ ...minimal, OPENSEARCH_MAX_ATTEMPTS: '0' }, 'OPENSEARCH_MAX_ATTEMPTS'],
    [{ OPENSEARCH_ENDPOINT: minimal.OPENSEARCH_ENDPOINT }, 'AWS_REGION'],
  ])('fails fast naming the bad variable (%#)', (env, name) => {
    expect(() => readSearchConfig(env)).toThrow(ConfigError);
    expect(() => readSearchConfig(env)).toThrow(name);
  });
});
