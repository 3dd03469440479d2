import { ConfigError } from '../config';

/** A webhook whose deliveries are watched: a repository's, an organization's, or the GitHub App's own. */
export type HookTarget =
  | { kind: 'repo'; owner: string; repo: string; hookId: number; key: string }
  | { kind: 'org'; org: string; hookId: number; key: string }
  | { kind: 'app'; key: 'app' };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Parses `repo:<owner>/<name>:<hookId>`, `org:<org>:<hookId>` and `app`. The key (lower-cased, since GitHub
 * names are case-insensitive) identifies the hook's state; duplicates are dropped.
 */
export function parseHookTargets(specs: string[]): HookTarget[] {
  const targets = new Map<string, HookTarget>();
  for (const spec of specs) {
    const target = parseHookTarget(spec);
    if (!targets.has(target.key)) targets.set(target.key, target);
  }
  return [...targets.values()];
}

export function parseHookTarget(spec: string): HookTarget {
  const parts = spec.trim().split(':');
  const invalid = () =>
    new ConfigError(`invalid hook "${spec}": use repo:<owner>/<name>:<hookId>, org:<org>:<hookId> or app`);
  if (parts.length === 1 && parts[0]?.toLowerCase() === 'app') return { kind: 'app', key: 'app' };
  const [kind, name, id] = parts;
  if (parts.length !== 3 || name === undefined || id === undefined || !/^\d{1,15}$/.test(id)) throw invalid();
  const hookId = Number(id);
  if (hookId <= 0) throw invalid();
  if (kind === 'repo') {
    const [owner, repo, ...rest] = name.split('/');
    if (!owner || !repo || rest.length > 0 || !NAME.test(owner) || !NAME.test(repo)) throw invalid();
    return { kind, owner, repo, hookId, key: `repo:${owner}/${repo}:${hookId}`.toLowerCase() };
  }
  if (kind === 'org') {
    if (!NAME.test(name)) throw invalid();
    return { kind, org: name, hookId, key: `org:${name}:${hookId}`.toLowerCase() };
  }
  throw invalid();
}
