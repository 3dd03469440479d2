import { ConfigError } from '../../../functions/lib/config';
import { loadIngestConfig } from '../../../functions/lib/ingest';

const required = { STREAM_NAME: 'webhook-stream', PAYLOAD_BUCKET: 'webhook-payloads' };
/** An allow-list entry outside the zone: a deployment mistake that must stop ingest at cold start. */
const malformed = { DNS_ZONE_NAME: 'home.example.com', DNS_ALLOWED_NAMES: 'www.example.org' };

describe('the DNS settings are configuration, read at cold start by what needs them', () => {
  it('are part of the ingest configuration', () => {
    const config = loadIngestConfig({
      ...required,
      DNS_ZONE_NAME: 'Home.Example.com.',
      DNS_ALLOWED_NAMES: '*.home.example.com',
    });

    expect(config.dnsPolicy).toMatchObject({ zoneName: 'home.example.com', allowNonPublicAddresses: false });
    expect(loadIngestConfig(required).dnsPolicy).toBeUndefined();
  });

  it('stop ingest with a ConfigError that names the bad entry', () => {
    expect(() => loadIngestConfig({ ...required, ...malformed })).toThrow(ConfigError);
    expect(() => loadIngestConfig({ ...required, ...malformed })).toThrow(/www\.example\.org.*outside zone/);
  });

  it('are never read by the authorizer, which does not check payloads', () => {
    const saved = { ...process.env };
    Object.assign(process.env, malformed);
    try {
      jest.isolateModules(() => {
        const { loadAuthorizerConfig } =
          require('../../../functions/lib/authorize') as typeof import('../../../functions/lib/authorize');

        expect(loadAuthorizerConfig({ ...malformed }).enabledSources.size).toBeGreaterThan(0);
      });
    } finally {
      process.env = saved;
    }
  });
});
