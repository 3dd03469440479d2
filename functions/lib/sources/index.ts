import { ConfigError, listEnv } from '../config';
import { bitbucket } from './bitbucket';
import { ddns } from './ddns';
import { github } from './github';
import { gitlab } from './gitlab';
import { jira } from './jira';
import { rally } from './rally';
import { servicenow } from './servicenow';
import type { SourceDefinition } from './types';

/**
 * Every provider the pipeline understands, in the order they are listed to users. Adding a provider is
 * adding its module (`sources/<id>.ts`, exporting its definition and its `sender` hints) and its line here.
 */
const DEFINITIONS = [github, gitlab, bitbucket, jira, servicenow, rally, ddns] as const;

export type SourceId = (typeof DEFINITIONS)[number]['id'];
export type WebhookSource = SourceDefinition<SourceId>;

export const SOURCE_IDS: readonly SourceId[] = DEFINITIONS.map((definition) => definition.id);

/** Every source by id; the path segment of `/webhooks/{source}` selects one. */
export const SOURCES = Object.fromEntries(
  DEFINITIONS.map((definition) => [definition.id, definition]),
) as Readonly<Record<SourceId, WebhookSource>>;

export function isSourceId(value: unknown): value is SourceId {
  return typeof value === 'string' && (SOURCE_IDS as readonly string[]).includes(value);
}

/** The source named by a request path, when it exists and is enabled. */
export function findSource(
  name: string | undefined,
  enabled: ReadonlySet<SourceId>,
): WebhookSource | undefined {
  if (!isSourceId(name) || !enabled.has(name)) return undefined;
  return SOURCES[name];
}

/**
 * ENABLED_SOURCES, a comma-separated list; unset means every source (tests, `sam local invoke`). The
 * deployed template always sets it, so a stack enables exactly what its parameter names.
 */
export function enabledSourcesFromEnv(env: Record<string, string | undefined> = process.env): Set<SourceId> {
  if (env.ENABLED_SOURCES === undefined) return new Set(SOURCE_IDS);
  const names = listEnv('ENABLED_SOURCES', env);
  const unknown = names.filter((name) => !isSourceId(name));
  if (unknown.length > 0)
    throw new ConfigError(`ENABLED_SOURCES names unknown sources: ${unknown.join(', ')}`);
  return new Set(names as SourceId[]);
}
