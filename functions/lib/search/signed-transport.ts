import { EventEmitter } from 'node:events';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { ConfigurationError } from '@opensearch-project/opensearch/lib/errors.js';
import { ConnectionPool } from '@opensearch-project/opensearch/lib/pool/index.js';
import Serializer from '@opensearch-project/opensearch/lib/Serializer.js';
import type Transport from '@opensearch-project/opensearch/lib/Transport.js';
import type { SearchConfig } from './config';
import { type SearchClientOptions, signingCredentials } from './signing';

/**
 * One of the client's own API functions (path building, parameter checks), which it declares types for but
 * not as modules; each runs with `this` holding the transport.
 */
export type ApiFunction<TRequest, TResponse> = (this: object, params: TRequest) => Promise<TResponse>;

const { kConfigErr } = require('@opensearch-project/opensearch/api/utils.js') as { kConfigErr: symbol };

/**
 * The official client's transport, connection pool, serializer and SigV4 signer, set up as `new Client()`
 * sets them up (tests/support/opensearch-client.ts), without that class, and a way to call the client's API
 * functions on it. The class extends the generated API of OpenSearch and every plugin and requires all of it
 * at load, some 900 modules and 250 KB of a bundle, where each function here calls two or four of them.
 */
export function signedApi(
  config: Pick<SearchConfig, 'endpoint' | 'service' | 'region'>,
  options: SearchClientOptions = {},
): <TRequest, TResponse>(
  apiFunction: ApiFunction<TRequest, TResponse>,
) => (params: TRequest) => Promise<TResponse> {
  const credentials = signingCredentials(options);
  const signer = AwsSigv4Signer({
    region: config.region,
    service: config.service,
    getCredentials: () => credentials(),
  });
  const events = new EventEmitter();
  const emit = events.emit.bind(events);
  // What `new Client()` gives its pool and transport: its defaults (no sniffing, no compression) and this
  // project's maxRetries and timeout.
  const connectionPool = new ConnectionPool({
    Connection: signer.Connection,
    emit,
    pingTimeout: 3000,
    resurrectStrategy: 'ping',
    sniffEnabled: false,
  });
  connectionPool.addConnection(config.endpoint);
  const transport: Transport = new signer.Transport({
    emit,
    connectionPool,
    serializer: new Serializer(),
    maxRetries: 0,
    // Four attempts of 5 s plus the waits between them stay inside the indexer's 30 s timeout.
    requestTimeout: options.requestTimeoutMs ?? 5_000,
    sniffOnStart: false,
    sniffOnConnectionFault: false,
    sniffEndpoint: '_nodes/_all/http',
    suggestCompression: false,
    headers: {},
    nodeSelector: 'round-robin',
    name: 'opensearch-js',
  });
  // A missing parameter is refused with the client's ConfigurationError, as `Client` refuses it.
  const api = { transport, [kConfigErr]: ConfigurationError };
  return (apiFunction) => (params) => apiFunction.call(api, params);
}
