import * as errors from '@opensearch-project/opensearch/lib/errors.js';
import { loadPayload } from '../claim-check';
import type { Envelope } from '../envelope';
import type { SearchConfig } from './config';
import { toSearchDocument } from './document';
import type { IndexingClient } from './indexing-client';
import { documentId, indexName } from './naming';
import { DEFAULT_BACKOFF, type RetryPolicy, searchErrorType, withRetry } from './retry';
import { indexTemplate } from './template';

/** The step's small result, which the workflow keeps under `$.results.<step>`. */
export interface IndexResult {
  index: string;
  documentId: string;
  /** `created`, or `exists` when the event's document was already there (a repeat, left as it was). */
  result: 'created' | 'exists';
}

export type IndexerConfig = Pick<
  SearchConfig,
  'indexPrefix' | 'alias' | 'service' | 'payloadMapping' | 'maxAttempts' | 'replicas'
>;

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

  /**
   * Creates document `source:id` for the event, once: OpenSearch refuses a second create of the id with
   * 409, which is the repeat's answer (`exists`), so the document is never written twice at any age and no
   * other store is needed to remember it. An attempt that timed out after OpenSearch wrote the document
   * meets its own document on the retry, which is the same answer.
   */
  async index(envelope: Envelope, now = new Date()): Promise<IndexResult> {
    await this.ensureTemplate();
    const payload = await loadPayload(envelope);
    const index = indexName(this.config.indexPrefix, envelope);
    const id = documentId(envelope);
    const body = toSearchDocument(envelope, payload, now);
    const created = await withRetry(
      () => this.client.create({ index, id, body }).then(() => true, ifAlreadyIndexed),
      this.#retry,
    );
    return { index, documentId: id, result: created ? 'created' : 'exists' };
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

/** A create refused because the id exists is an answer (false), not a failure; anything else rethrows. */
export function ifAlreadyIndexed(error: unknown): false {
  if (
    error instanceof errors.ResponseError &&
    error.statusCode === 409 &&
    searchErrorType(error) === 'version_conflict_engine_exception'
  ) {
    return false;
  }
  throw error;
}
