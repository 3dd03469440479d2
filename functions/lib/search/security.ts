// The errors module alone: the package's main module would load the whole client with its API.
import * as errors from '@opensearch-project/opensearch/lib/errors.js';
import { indexerRole } from './permissions';
import { type RetryPolicy, withRetry } from './retry';
import type { SecurityClient } from './security-client';

/** The security plugin refused a change (bad role, reserved name, not the master user...). */
export class SecurityApiRejected extends Error {
  override readonly name = 'SecurityApiRejected';
}

export interface IndexerMapping {
  /** The security role's name, unique per stack (`<stack>-indexer`). */
  roleName: string;
  indexPrefix: string;
  /** IAM role ARNs that get the role: the indexer's. */
  backendRoles: string[];
}

/**
 * The indexer's role and its mapping, kept through the security plugin's REST API
 * (`_plugins/_security/api`) by its master user. A PUT replaces a role or mapping whole, so applying the
 * same mapping twice is harmless, and an update of the stack simply applies the new one.
 */
export class SearchSecurity {
  constructor(
    private readonly client: SecurityClient,
    private readonly retry: RetryPolicy,
  ) {}

  /** Creates or replaces the role, then maps the backend roles to it (the mapping needs the role). */
  async apply(mapping: IndexerMapping): Promise<void> {
    const role = mapping.roleName;
    await this.#call(() => this.client.security.createRole({ role, body: indexerRole(mapping.indexPrefix) }));
    await this.#call(() =>
      this.client.security.createRoleMapping({
        role,
        body: {
          backend_roles: mapping.backendRoles,
          description: 'The webhook-event-pipeline indexer IAM role',
        },
      }),
    );
  }

  /** Removes the mapping, then the role; either already gone is fine. */
  async remove(roleName: string): Promise<void> {
    await this.#call(() => this.client.security.deleteRoleMapping({ role: roleName }), {
      missingIsFine: true,
    });
    await this.#call(() => this.client.security.deleteRole({ role: roleName }), { missingIsFine: true });
  }

  async #call(request: () => Promise<unknown>, options: { missingIsFine?: boolean } = {}): Promise<void> {
    try {
      await withRetry(request, this.retry);
    } catch (error) {
      const response = (error as { cause?: unknown }).cause;
      if (options.missingIsFine && response instanceof errors.ResponseError && response.statusCode === 404) {
        return;
      }
      throw new SecurityApiRejected(describeSecurityError(response ?? error), { cause: error });
    }
  }
}

/**
 * The status and the plugin's own message (`{"status":"FORBIDDEN","message":"Resource 'x' is reserved."}`),
 * which names roles and settings, never credentials.
 */
export function describeSecurityError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const body = (typeof error.body === 'object' && error.body !== null ? error.body : {}) as Record<
      string,
      unknown
    >;
    const detail = [body.status, body.message ?? body.reason].filter((part) => typeof part === 'string');
    return `OpenSearch security API answered ${error.statusCode}${detail.length ? `: ${detail.join(' ')}` : ''}`;
  }
  return error instanceof Error ? `OpenSearch security API request failed: ${error.message}` : String(error);
}
