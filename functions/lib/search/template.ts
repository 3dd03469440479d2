import type { API, Types } from '@opensearch-project/opensearch';
import type { SearchConfig } from './config';
import { indexPattern } from './naming';

/** Bumped whenever the mappings change, so `GET _index_template` shows which version a cluster has. */
export const TEMPLATE_VERSION = 1;

type Property = Types.Common_Mapping.Property;

const keyword: Property = { type: 'keyword', ignore_above: 1024 };

/**
 * The index template every `<prefix>-*` index is created from. The envelope fields are typed (keyword,
 * date); the raw payload is stored but adds at most one field to the mapping, however many keys providers
 * send (GitHub alone sends hundreds), so no payload can hit `index.mapping.total_fields.limit` or change
 * another event's mapping. The key fields people filter on are copied out of it as keywords.
 */
export function indexTemplate(
  config: Pick<SearchConfig, 'indexPrefix' | 'alias' | 'service' | 'payloadMapping' | 'replicas'>,
): API.Indices_PutIndexTemplate_RequestBody {
  const payload: Property =
    config.payloadMapping === 'flat_object' ? { type: 'flat_object' } : { type: 'object', enabled: false };
  return {
    index_patterns: [indexPattern(config.indexPrefix)],
    // Above the priority of catch-all templates users may already have (they usually use 0 to 10).
    priority: 200,
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'webhook-event-pipeline', description: 'One webhook event per document' },
    template: {
      // Serverless manages shards and replicas itself and rejects these settings.
      ...(config.service === 'es' ? { settings: shardSettings(config.replicas) } : {}),
      aliases: { [config.alias]: {} },
      mappings: {
        // Unknown top-level fields stay in _source without growing the mapping.
        dynamic: false,
        dynamic_templates: [
          { meta_as_keywords: { path_match: 'meta.*', match_mapping_type: 'string', mapping: keyword } },
        ],
        properties: {
          id: keyword,
          source: keyword,
          type: keyword,
          action: keyword,
          subject: keyword,
          receivedAt: { type: 'date' },
          indexedAt: { type: 'date' },
          repository: keyword,
          actor: keyword,
          ref: keyword,
          // A few delivery headers chosen by ingest (hook id, attempt, user agent), so a bounded set.
          meta: { type: 'object', dynamic: true },
          payloadRef: {
            properties: { bucket: keyword, key: keyword, bytes: { type: 'long' }, sha256: keyword },
          },
          payload,
        },
      },
    },
  };
}

/** One primary shard: a month of one source's webhooks is far below the size where more shards pay off. */
function shardSettings(replicas: number | undefined): Record<string, number> {
  return replicas === undefined
    ? { 'index.number_of_shards': 1 }
    : { 'index.number_of_shards': 1, 'index.number_of_replicas': replicas };
}
