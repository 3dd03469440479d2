import { loadPayload } from '../claim-check';
import type { Envelope } from '../envelope';
import type { SearchConfig } from './config';
import { toSearchDocument } from './document';
import type { IndexingClient } from './indexing-client';
import { documentId, indexName } from './naming';
import { type RetryPolicy, withRetry } from './retry';
import { indexTemplate } from './template';

/** The step's small result, which the workflow keeps under `$.results.<step>`. */
export interface IndexResult {
  index: string;
  documentId: string;
  /** OpenSearch's answer: `created`, or `updated` when the document was already there. */
  result: string;
}

export type IndexerConfig = Pick<
  SearchConfig,
  'indexPrefix' | 'alias' | 'service' | 'payloadMapping' | 'maxAttempts' | 'replicas'
>;

/** Waits that fit several attempts inside the function's 30 s timeout. */
/**
 * Waits between attempts, and the longest Retry-After waited for: the indexer has 30 s, and a 429 asking
 * for more than 10 s is left to the workflow's own Retry, which comes back later without holding a Lambda.
 */
export const DEFAULT_BACKOFF = { baseDelayMs: 250, maxDelayMs: 2_000, maxRetryAfterMs: 10_000 };

export class EventIndexer {
  #templateReady: Promise<void> | undefined;
  readonly #retry: RetryPolicy;

  constructor(
    private readonly client: IndexingClient,
    private readonly config: IndexerConfig,
    retry: Partial<RetryPolicy> = {},
  ) {
    this.#retry = { maxAttempts: config.maxAttempts, ...DEFAULT_BACKOFF, ...retry };
  }

  /** Writes one event as document `source:id`; a second write of the same event replaces the first. */
  async index(envelope: Envelope, now = new Date()): Promise<IndexResult> {
    await this.ensureTemplate();
    const payload = await loadPayload(envelope);
    const index = indexName(this.config.indexPrefix, envelope);
    const id = documentId(envelope);
    const body = toSearchDocument(envelope, payload, now);
    const response = await withRetry(() => this.client.index({ index, id, body }), this.#retry);
    return { index, documentId: id, result: String(response.body.result) };
  }

  /**
   * Puts the index template once per container, before the first document, so a new month's or source's
   * index is created with the right mappings and joins the alias. Putting it is idempotent; a failure is
   * forgotten so the next event tries again.
   */
  ensureTemplate(): Promise<void> {
    this.#templateReady ??= withRetry(
      () =>
        this.client.indices.putIndexTemplate({
          name: this.config.indexPrefix,
          body: indexTemplate(this.config),
        }),
      this.#retry,
    ).then(
      () => undefined,
      (error: unknown) => {
        this.#templateReady = undefined;
        throw error;
      },
    );
    return this.#templateReady;
  }
}
