import type { SourceId } from '../envelope';

/**
 * Repositories that may be public (PUBLIC_REPOSITORY_ALLOW_LIST): comma-separated entries, each
 * `owner/repo`, a pattern with `*` (`my-org/*`, matching nested GitLab groups too), optionally limited to
 * one source with a prefix (`github:my-org/docs`). Names compare case-insensitively, as GitHub's do.
 */
export class PublicRepositoryAllowList {
  private readonly entries: { source?: string; pattern: RegExp }[];

  constructor(entries: readonly string[]) {
    this.entries = entries.map((entry) => {
      const colon = entry.indexOf(':');
      const source = colon > 0 ? entry.slice(0, colon).toLowerCase() : undefined;
      const name = colon > 0 ? entry.slice(colon + 1) : entry;
      return source === undefined ? { pattern: wildcard(name) } : { source, pattern: wildcard(name) };
    });
  }

  allows(source: SourceId, repository: string | null): boolean {
    if (!repository) return false;
    return this.entries.some(
      (entry) => (entry.source === undefined || entry.source === source) && entry.pattern.test(repository),
    );
  }
}

// A single wildcard is all the list needs; a glob library would bring path semantics we do not want.
function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .trim()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i');
}
