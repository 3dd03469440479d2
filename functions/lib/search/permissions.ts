import type { Types } from '@opensearch-project/opensearch';
import { indexPattern } from './naming';

/**
 * What the security plugin of a domain with fine-grained access control checks for each request the
 * indexer makes (indexer.ts), and so all that its role grants. Named actions rather than action groups
 * (`crud`, `create_index`), which also allow reads, updates and deletes the indexer never makes.
 */
export const INDEXER_ACTIONS = {
  /** `PUT _index_template/<prefix>`: template actions are cluster-level in the security plugin. */
  putIndexTemplate: { cluster: ['indices:admin/index_template/put'], index: [] },
  /**
   * `POST <index>/_create/<id>`. The node runs one document as a one-item bulk (checked at cluster level,
   * then per shard as `bulk[s]`), creates the month's index from the template on its first document
   * (`create`, or `auto_create` on versions that name it so), and adds the `meta.*` fields the template
   * maps dynamically.
   */
  create: {
    cluster: ['indices:data/write/bulk'],
    index: [
      'indices:data/write/index',
      'indices:data/write/bulk[s]',
      'indices:admin/create',
      'indices:admin/auto_create',
      'indices:admin/mapping/put',
    ],
  },
} as const;

export type IndexerOperation = keyof typeof INDEXER_ACTIONS;

/** The security plugin's role for the indexer: its actions, on the pipeline's indices only. */
export function indexerRole(indexPrefix: string): Types.Security_Common.Role {
  const operations = Object.values(INDEXER_ACTIONS);
  return {
    description: 'webhook-event-pipeline indexer: creates its index template and documents, nothing else',
    cluster_permissions: unique(operations.flatMap((operation) => operation.cluster)),
    index_permissions: [
      {
        index_patterns: [indexPattern(indexPrefix)],
        allowed_actions: unique(operations.flatMap((operation) => operation.index)),
      },
    ],
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
