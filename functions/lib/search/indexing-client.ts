import { EventEmitter } from 'node:events';
import type { API } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { ConfigurationError } from '@opensearch-project/opensearch/lib/errors.js';
import { ConnectionPool } from '@opensearch-project/opensearch/lib/pool/index.js';
import Serializer from '@opensearch-project/opensearch/lib/Serializer.js';
import type Transport from '@opensearch-project/opensearch/lib/Transport.js';
import type { SearchConfig } from './config';
import { type SearchClientOptions, signingCredentials } from './signing';

/** The two calls the indexer makes. The full `Client` has them too, so either may be given to the indexer. */
export interface IndexingClient {
  create(params: API.Create_Request): Promise<API.Create_Response>;
  indices: {
    putIndexTemplate(
      params: API.Indices_PutIndexTemplate_Request,
    ): Promise<API.Indices_PutIndexTemplate_Response>;
  };
}

// The client's own API functions for those calls (path building, parameter checks), which it declares
// types for but not as modules; each runs with `this` holding the transport.
type ApiFunction<TRequest, TResponse> = (this: object, params: TRequest) => Promise<TResponse>;
const createApi = require('@opensearch-project/opensearch/api/_core/create.js') as ApiFunction<
  API.Create_Request,
  API.Create_Response
>;
const putIndexTemplateApi =
  require('@opensearch-project/opensearch/api/indices/putIndexTemplate.js') as ApiFunction<
    API.Indices_PutIndexTemplate_Request,
    API.Indices_PutIndexTemplate_Response
  >;
const { kConfigErr } = require('@opensearch-project/opensearch/api/utils.js') as { kConfigErr: symbol };

/**
 * The indexer's OpenSearch client: the official client's transport, connection pool, serializer, SigV4
 * signer and API functions, set up as `createSearchClient` sets up its `Client`, without that class. The
 * class extends the generated API of OpenSearch and every plugin and requires all of it at load, some 900
 * modules and a quarter of the indexer's bundle, for the two functions the indexer calls.
 */
export function createIndexingClient(
  config: Pick<SearchConfig, 'endpoint' | 'service' | 'region'>,
  options: SearchClientOptions = {},
): IndexingClient {
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
  return {
    create: (params) => createApi.call(api, params),
    indices: { putIndexTemplate: (params) => putIndexTemplateApi.call(api, params) },
  };
}
